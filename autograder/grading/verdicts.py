"""The trusted side's verdicts: the probes' outputs of a job against the reference job's."""

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from autograder import ROOT, SOLUTIONS
from autograder.grading.judges import JUDGES
from autograder.grading.model import REFERENCE_STUDENT, job_folder
from autograder.probe_runner import EVIDENCE_KEY
from autograder.probes import HOLDS, probes_for


def verdict_digest(names, settings):
    """A digest of everything that can change a verdict: the assignments' sources, the
    grading code (``autograder/``, probes included), the shared checks (``utils/``) and
    the settings. A change to any of them regrades everything."""
    h = hashlib.sha256(json.dumps({k: v for k, v in asdict(settings).items() if k != "seed"},
                                  sort_keys=True).encode())
    trees = [SOLUTIONS / name for name in names] + [ROOT / "autograder", ROOT / "utils"]
    for tree in trees:
        for path in sorted(tree.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def compare_probes(assignment, reference_file, student_file):
    """``{grade_id: None or reason}``: whether the student's probe outputs match the reference
    (or, for a test cell in ``JUDGES``, pass the trusted side's own judgement)."""
    probes, tol = probes_for(assignment)
    if not probes:
        return {}
    ref = _load_npz(reference_file)
    if ref is None:  # no reference outputs, nothing to judge by: no verdict, never an accusation
        return {}
    got = _load_npz(student_file)
    verdicts = {}
    for grade_id, funcs in probes.items():
        reason = None
        for probe in funcs:
            prefix = f"{grade_id}/{probe.__name__}/"
            if prefix + "__error__" in ref:  # the probe failed on the reference itself
                continue
            ref_keys = sorted(k for k in ref if k.startswith(prefix))
            if got is None:
                reason = "the grader's independent check could not run in the kernel"
                break
            if prefix + "__error__" in got:
                reason = f"{probe.__name__}: {got[prefix + '__error__']}"
                break
            judge = JUDGES.get((assignment, grade_id))
            if judge:  # judged here on the kernel's outputs, not compared with the reference's
                try:
                    reason = judge({k[len(prefix):]: v for k, v in got.items() if k.startswith(prefix)})
                except Exception as exc:  # noqa: BLE001 -- one job's outputs must not end the run
                    reason = f"the grader could not judge {grade_id} ({type(exc).__name__}: {exc})"[:500]
                if reason:
                    break
                continue
            for key in ref_keys:
                name = key[len(prefix):]
                if key not in got:
                    reason = f"{probe.__name__}: no output {name}"
                elif name.startswith(HOLDS) and not _matches(got[key], ref[key], tol):
                    reason = f"a hidden test failed: not so that {name[len(HOLDS):]}"
                elif not _matches(got[key], ref[key], tol):
                    reason = f"{probe.__name__}: {name} differs from the reference"
                if reason:
                    break
            if reason:
                break
        verdicts[grade_id] = reason
    return verdicts

def _load_npz(path):
    if path is None or not Path(path).is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception:
        return None

def _matches(actual, expected, tol):
    if actual.shape != expected.shape:
        return False
    if expected.dtype.kind in "USb" or actual.dtype.kind in "US":
        return actual.dtype.kind == expected.dtype.kind and bool(np.all(actual == expected))
    if actual.dtype.kind not in "biuf":
        return False
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    same_nan = np.isnan(a) == np.isnan(e)
    close = np.abs(a - e) <= tol["atol"] + tol["rtol"] * np.abs(e)
    return bool(np.all(same_nan & (close | np.isnan(e))))

def apply_probes(work, result):
    """Zero the test cells whose passing result the out-of-process probes contradict (the
    hidden tests of an assignment whose hidden tests are probes, the random-input checks of
    every assignment); record why in ``result.checks`` for the student's feedback."""
    job_dir = lambda student: job_folder(work, student, result.assignment)
    verdicts = compare_probes(result.assignment, job_dir(REFERENCE_STUDENT) / "probes.npz",
                              job_dir(result.student) / "probes.npz")
    student = _load_npz(job_dir(result.student) / "probes.npz") or {}
    evidence = str(student.get(EVIDENCE_KEY, "")) if EVIDENCE_KEY in student else ""
    if not student and any(verdicts.values()):
        result.problems.append("the grader's checks outside the notebook could not run (the kernel "
                               "wrote no probe outputs): every checked test cell scores 0")
        result.status = "problem"
    for grade_id, reason in verdicts.items():
        if reason and result.scores.get(grade_id, 0) > 0:
            result.scores[grade_id] = 0.0
            # a failed probe alone is a wrong answer the visible tests missed (or a hidden
            # test): the student's feedback says what failed. Only replaced checks in the
            # kernel make it tampering, which the TA's report lists.
            result.checks[grade_id] = reason
            if evidence:
                note = (f"tampering suspected in {grade_id}: its tests passed in the notebook, "
                        f"but {reason} ({evidence})")
                if note not in result.problems:
                    result.problems.append(note)
                result.status = "problem"
