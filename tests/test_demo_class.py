"""The autograder on the demo class: full marks, zeros, partial credit, and broken work reported.

Runs the real pipeline (nbgrader, kernels, probes, feedback, CSV) once for the module.
"""

import csv

import pytest

from autograder import assignments
from autograder.demo import build, check_expectations, expected_scores
from autograder.grading import grade
from autograder.settings import Settings

pytestmark = pytest.mark.grading


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    build(work / "submitted")
    results, unmatched, reference_failures = grade(
        work / "submitted", work, jobs=2, settings=Settings(cell_timeout=45), progress=False)
    return work, {(r.student, r.assignment): r for r in results}, unmatched, reference_failures


def test_reference_solutions_get_full_marks(graded):
    _, _, _, reference_failures = graded
    assert reference_failures == {}


def test_every_demo_score_is_as_expected(graded):
    _, results, _, _ = graded
    assert check_expectations(list(results.values())) == []


def test_solutions_full_blank_zero_buggy_partial(graded):
    _, results, _, _ = graded
    for name in assignments():
        alice, bob, carol = (results[(s, name)] for s in ("alice", "bob", "carol"))
        assert alice.score == alice.max_score > 0, (name, alice.problems)
        assert bob.score == 0 and bob.max_score == alice.max_score
        broken = [g for g, p in expected_scores(name)["carol"].items() if p == 0]
        assert broken, f"{name} has no demo bug"
        assert 0 < carol.score < carol.max_score
        assert not alice.problems and not carol.problems, (alice.problems, carol.problems)


def test_broken_submissions_are_reported_and_stop_nothing(graded):
    _, results, _, _ = graded
    names = assignments()
    invalid = results[("dave", names[0])]
    assert invalid.status == "invalid" and invalid.score == 0
    assert "not valid JSON" in invalid.problems[0]
    if len(names) > 1:
        hanging = results[("dave", names[1])]
        assert any("timeout in cell" in p for p in hanging.problems), hanging.problems
        assert hanging.score < hanging.max_score
    for name in names[2:]:
        assert results[("dave", name)].status == "missing"
        assert results[("dave", name)].problems == ["missing: no notebook was submitted"]


def test_outputs_csv_feedback_and_report(graded):
    work, results, _, _ = graded
    with open(work / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    students = {row["student_id"] for row in rows}
    assert {"alice", "bob", "carol", "dave"} <= students
    assert "reference-solution" not in students
    alice_rows = [r for r in rows if r["student_id"] == "alice"]
    assert all(float(r["score"]) == float(r["max_score"]) for r in alice_rows)
    for name in assignments():
        html = work / "feedback" / "alice" / name / f"{name}.html"
        assert html.is_file()
        text = html.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "HIDDEN" not in text
    report = (work / "report.md").read_text()
    assert "| alice |" in report and "dave" in report and "not valid JSON" in report
