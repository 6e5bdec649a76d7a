"""Issue 9's battery: hostile and broken submissions, graded in one run beside a clean one.

Each case must get exactly its expected score and problem report, and the clean
``control`` submission must keep full marks.
"""

import subprocess

import pytest

from autograder.grade import Settings, grade
from autograder.hostile import ASSIGNMENT, build, cases

pytestmark = pytest.mark.grading


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    build(work / "submitted")
    settings = Settings(cell_timeout=10, notebook_timeout=240, memory_mb=3072)
    results, _, reference_failures = grade(work / "submitted", work, jobs=2, settings=settings,
                                           feedback=False, progress=False)
    assert reference_failures == {}
    return work, {r.student: r for r in results if r.assignment == ASSIGNMENT}


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.student)
def test_case_gets_its_exact_score_and_reason(graded, case):
    _, results = graded
    result = results[case.student]
    report = "; ".join(result.problems)
    assert result.score == case.score, f"{case.what}: {result.score} != {case.score} ({report})"
    if case.reason:
        assert case.reason in report, f"{case.what}: {case.reason!r} not in {report!r}"
    else:
        assert not any("tampering" in p for p in result.problems), report


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
