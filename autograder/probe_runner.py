"""Runs an assignment's probes on a namespace and saves their outputs (see ``autograder.probes``).

Used twice per grading run with the same seed: inside each student's kernel
(``run``, called by the cell that ``GuardedExecute`` appends) and on the reference
solution. Only plain numeric arrays are written, without pickle, so the file
cannot carry code or objects back to the grader.
"""

import zlib

import numpy as np

from autograder.probes import probes_for
from utils.grading import write_npz


def probe_seed(seed, name):
    """The seed of one probe: stable across processes (``hash()`` is salted per process)."""
    return [seed, zlib.crc32(name.encode())]


EVIDENCE_KEY = "__evidence__"  # what shows that the notebook defeated its checks
CHECKED_NUMPY = ("allclose", "array_equal", "isclose", "asarray", "array", "abs", "max", "all")


def tampering_evidence(ns):
    """Replaced checks, seen in the kernel after the notebook: a wrong answer alone never
    produces these, so only they turn a failed probe into a tampering verdict."""
    import utils.grading as grading

    def genuine(func):
        code = getattr(func, "__code__", None)
        return code is not None and code.co_filename == grading.__file__

    found = []
    for name in (n for n in dir(grading) if n.startswith("check_")):
        current = getattr(grading, name)
        if not genuine(current):
            found.append(f"utils.grading.{name} was replaced")
        elif name in ns and ns[name] is not current:
            found.append(f"{name} was redefined in the notebook")
    for name in CHECKED_NUMPY:
        func = getattr(np, name, None)
        if not (getattr(func, "__module__", None) or "numpy").startswith("numpy"):
            found.append(f"numpy.{name} was replaced")
    return found


def collect(assignment, seed, ns):
    """``{"<grade_id>/<probe>/<output>": array}``, plus ``".../__error__"`` entries for failures."""
    probes, _ = probes_for(assignment)
    out = {}
    try:
        evidence = tampering_evidence(ns)
    except Exception as exc:  # noqa: BLE001 -- a kernel too broken to inspect is evidence too
        evidence = [f"the kernel could not be inspected ({type(exc).__name__})"]
    if evidence:
        out[EVIDENCE_KEY] = np.array("; ".join(evidence)[:500])
    for grade_id, funcs in probes.items():
        for probe in funcs:
            key = f"{grade_id}/{probe.__name__}"
            try:
                result = probe(ns, np.random.default_rng(probe_seed(seed, key)))
                for name, value in result.items():
                    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
                        out[EVIDENCE_KEY] = np.array(f"{key} returned a {type(value).__name__}, "
                                                     "an ndarray subclass")
                    if hasattr(value, "detach"):
                        value = value.detach().cpu().numpy()
                    arr = np.array(value)
                    if arr.dtype == object:
                        raise TypeError(f"{name} is not numeric")
                    out[f"{key}/{name}"] = arr
            except BaseException as exc:  # noqa: B036 -- a probe must never stop the others
                out[f"{key}/__error__"] = np.array(f"{type(exc).__name__}: {exc}"[:500])
    return out


def run(assignment, seed, path, ns=None):
    """Probe the caller's IPython namespace (or ``ns``) and write the outputs to ``path``."""
    if ns is None:
        from IPython import get_ipython

        ns = get_ipython().user_ns
    write_npz(path, collect(assignment, seed, ns))
