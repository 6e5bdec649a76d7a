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


def collect(assignment, seed, ns):
    """``{"<grade_id>/<probe>/<output>": array}``, plus ``".../__error__"`` entries for failures."""
    probes, _ = probes_for(assignment)
    out = {}
    for grade_id, funcs in probes.items():
        for probe in funcs:
            key = f"{grade_id}/{probe.__name__}"
            try:
                result = probe(ns, np.random.default_rng(probe_seed(seed, key)))
                for name, value in result.items():
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
