"""Issue 9's battery: hostile and broken submissions, graded in one run beside a clean one.

Each case must get exactly its expected score and problem report, and the clean
``control`` submission must keep full marks. As root, only the cases the sandbox decides
run here: ``make grading-unprivileged`` runs all of them as an unprivileged user.
"""

import os
import subprocess
from pathlib import Path

import pytest

from autograder.grading import grade
from autograder.hostile import ASSIGNMENT, build, cases, graded_id
from autograder.settings import Settings

pytestmark = pytest.mark.grading
SELECTED = cases(sandbox_only=os.geteuid() == 0)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    build(work / "submitted", SELECTED)
    settings = Settings(cell_timeout=10, notebook_timeout=240, memory_mb=3072)
    results, _, reference_failures = grade(work / "submitted", work, jobs=2, settings=settings,
                                           feedback=False, progress=False)
    assert reference_failures == {}
    return work, {r.student: r for r in results if r.assignment == ASSIGNMENT}


@pytest.mark.parametrize("case", SELECTED, ids=lambda c: c.student)
def test_case_gets_its_exact_score_and_reason(graded, case):
    _, results = graded
    result = results[graded_id(case)]
    report = "; ".join(result.problems)
    assert result.score == case.score, f"{case.what}: {result.score} != {case.score} ({report})"
    if case.reason:
        assert case.reason in report, f"{case.what}: {case.reason!r} not in {report!r}"
    else:
        assert not any("tampering" in p for p in result.problems), report
    if case.denial:
        printed = _added_cells_text(graded[0], graded_id(case))
        assert case.denial in printed, f"{case.what}: {case.denial!r} not in {printed[-500:]!r}"
        assert ": allowed" not in printed, f"{case.what}: {printed[-500:]!r}"


def test_no_process_survives_grading(graded):
    leftovers = subprocess.run(["pgrep", "-f", "sleep 777"], capture_output=True, text=True).stdout
    assert leftovers.strip() == ""


def test_gradebook_keeps_only_grader_scores(graded):
    from nbgrader.api import Gradebook

    work, results = graded
    with Gradebook(f"sqlite:///{work / 'course' / 'gradebook.db'}", course_id="rnn-course") as gb:
        for student, result in results.items():
            sub = gb.find_submission(ASSIGNMENT, student)
            assert sub.score == result.score, student
            for notebook in sub.notebooks:
                assert all(not grade.extra_credit for grade in notebook.grades), student


def _test_cell_text(work, student, grade_id):
    import nbformat

    path = work / "jobs" / f"{student}__{ASSIGNMENT}" / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    cell = next(c for c in nbformat.read(path, 4).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "\n".join(o.get("text", "") + str(o.get("evalue", "")) for o in cell.outputs)


def _selected(student):
    if student not in {c.student for c in SELECTED}:
        pytest.skip(f"{student} is graded by `make grading-unprivileged`, not as root")


def test_torch_in_a_numpy_notebook_is_denied_with_its_reason(graded):
    _selected("torch-instead-of-numpy")
    _, results = graded
    result = results["torch-instead-of-numpy"]
    assert result.scores["test_make_windows"] == 0
    assert result.checks["test_make_windows"] == (
        "a hidden test failed: not so that make_windows computes with NumPy only, not PyTorch")
    assert not result.problems  # a wrong answer, not a problem for the TA


def test_a_warning_is_shown_and_costs_nothing(graded):
    _selected("warns-but-correct")
    work, results = graded
    assert results["warns-but-correct"].score == results["control"].score
    assert "[stderr] make_windows: a note on stderr" in _test_cell_text(work, "warns-but-correct",
                                                                       "test_make_windows")


def _added_cells_text(work, student):
    """What the cells the student added (no nbgrader metadata) printed."""
    import nbformat

    path = work / "jobs" / f"{student}__{ASSIGNMENT}" / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return "\n".join(o.get("text", "") for c in nbformat.read(path, 4).cells
                     if c.cell_type == "code" and "nbgrader" not in c.metadata for o in c.outputs)


def test_nothing_a_kernel_wrote_reached_the_grader(graded):
    from autograder.hostile import SITE_PACKAGES

    assert not (Path(SITE_PACKAGES) / "zz_evil.pth").exists()
    assert _course_code_digest() == BEFORE_GRADING["course code"]


def _course_code_digest():
    import hashlib

    root = Path(__file__).resolve().parent.parent
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted((root / "utils").glob("*.py")))).hexdigest()


BEFORE_GRADING = {"course code": _course_code_digest()}
