"""The LMS gradebook exports (canvas.csv, moodle.csv) and the late policy, on hand-made results."""

import csv
import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from autograder.grading import outputs
from autograder.grading.late import (
    FROM_MTIME,
    FROM_NBGRADER,
    LatePolicy,
    apply_late_policy,
    load_policy,
    read_nbgrader_timestamp,
)
from autograder.grading.model import Result, Submission

A, B = "00_sequence_data", "01_vanilla_rnn"
DUE = datetime(2026, 10, 5, 23, 59, tzinfo=timezone.utc)


def _result(student, assignment, earned, possible=10.0):
    """A result with two test cells sharing ``earned`` points out of ``possible``."""
    return Result(student, assignment,
                  scores={"test_a": earned / 2, "test_b": earned / 2},
                  max_scores={"test_a": possible / 2, "test_b": possible / 2})


def _class():
    return [_result("alice", A, 10), _result("alice", B, 7.5), _result("bob", A, 0)]


def _policy(**extensions):
    return LatePolicy({A: DUE, B: DUE}, percent_per_day=10, max_percent=30, extensions=extensions)


def test_canvas_rows_have_canvas_columns_and_one_row_per_student():
    assert outputs.canvas_rows(_class(), [A, B]) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A, B],
        ["", "", "", "alice", "", "10", "7.5"],
        ["", "", "", "bob", "", "0", ""],
    ]


def test_moodle_rows_with_and_without_late_columns():
    assert outputs.moodle_rows(_class(), [A, B]) == [
        ["Username", "Email address", A, B],
        ["alice", "", "10", "7.5"],
        ["bob", "", "0", ""],
    ]
    results = _class()
    results[1].late_penalty = 0.75
    assert outputs.moodle_rows(results, [A, B], late=True) == [
        ["Username", "Email address", A, f"{A} late penalty", B, f"{B} late penalty"],
        ["alice", "", "10", "0", "6.75", "0.75"],
        ["bob", "", "0", "0", "", ""],
    ]


def test_export_lms_csv_writes_both_files(tmp_path):
    results = _class()
    results[0].late_penalty = 2.0  # the exports hold the final score
    outputs.export_lms_csv(tmp_path, results, [A, B])
    canvas = (tmp_path / "canvas.csv").read_text()
    assert canvas.splitlines() == [f"Student,ID,SIS User ID,SIS Login ID,Section,{A},{B}",
                                   ",,,alice,,8,7.5", ",,,bob,,0,"]
    with open(tmp_path / "moodle.csv", newline="") as f:
        assert list(csv.reader(f))[1] == ["alice", "", "8", "7.5"]


def test_problems_csv_gains_late_columns_only_with_a_policy(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "nbgrader", lambda *a, **k: None)  # no grades.csv here
    results = _class()[:1]
    outputs.export_csv(tmp_path, results, [A])
    assert (tmp_path / "problems.csv").read_text().splitlines() == [
        "student,assignment,score,max_score,status,problems", f"alice,{A},10.0,10.0,ok,"]
    results[0].late_penalty, results[0].submitted_at = 1.0, "2026-10-06T00:59:00+00:00"
    results[0].submitted_from = FROM_MTIME
    outputs.export_csv(tmp_path, results, [A], late=True)
    rows = list(csv.reader(open(tmp_path / "problems.csv", newline="")))
    assert rows[0][-4:] == ["submitted", "submitted_from", "late_penalty", "final_score"]
    assert rows[1][-4:] == ["2026-10-06T00:59:00+00:00", FROM_MTIME, "1.0", "9.0"]


@pytest.mark.parametrize("late_by, percent", [
    (timedelta(0), 0),  # on time, to the minute
    (-timedelta(days=3), 0),  # early
    (timedelta(hours=1), 10),  # a started day counts as one
    (timedelta(days=1.5), 20),
    (timedelta(days=10), 30),  # capped
])
def test_penalty_per_started_day_with_a_cap(late_by, percent):
    assert _policy().percent("alice", A, DUE + late_by) == percent


def test_extensions_for_every_assignment_or_one():
    policy = _policy(alice=2, bob={B: 1})
    submitted = DUE + timedelta(days=1.5)
    assert policy.percent("alice", A, submitted) == 0
    assert policy.percent("alice", B, submitted) == 0
    assert policy.percent("bob", A, submitted) == 20  # bob's extension is for B only
    assert policy.percent("bob", B, submitted) == 10  # half a day past his own deadline
    assert policy.percent("carol", A, submitted) == 20


def test_no_deadline_no_penalty():
    assert LatePolicy({}, 10).percent("alice", A, DUE + timedelta(days=5)) == 0


def test_reads_nbgrader_timestamp_format(tmp_path):
    # nbgrader's Exchange.timestamp_format is "%Y-%m-%d %H:%M:%S.%f %Z", in UTC by default
    stamp = tmp_path / "timestamp.txt"
    stamp.write_text("2026-10-05 21:03:07.123456 UTC\n")
    assert read_nbgrader_timestamp(stamp) == datetime(2026, 10, 5, 21, 3, 7, 123456,
                                                      tzinfo=timezone.utc)
    stamp.write_text("not a time")
    assert read_nbgrader_timestamp(stamp) is None
    assert read_nbgrader_timestamp(tmp_path / "absent.txt") is None


def _nbgrader_submission(root, student, assignment, stamp=None):
    folder = root / student / assignment
    folder.mkdir(parents=True)
    (folder / f"{assignment}.ipynb").write_text("{}")
    if stamp:
        (folder / "timestamp.txt").write_text(stamp)
    return Submission(student, assignment, folder / f"{assignment}.ipynb", student)


def test_apply_late_policy_takes_the_final_score_only(tmp_path):
    on_time = _nbgrader_submission(tmp_path, "alice", A, "2026-10-05 20:00:00.000000 UTC")
    late = _nbgrader_submission(tmp_path, "bob", A, "2026-10-06 00:59:00.000000 UTC")  # 1 h
    flat = tmp_path / f"carol_1234_{B}.ipynb"
    flat.write_text("{}")
    mtime = (DUE + timedelta(days=1.5)).timestamp()
    os.utime(flat, (mtime, mtime))
    subs = [on_time, late, Submission("carol", B, flat, "carol")]
    results = [_result("alice", A, 8), _result("bob", A, 8), _result("carol", B, 8)]
    apply_late_policy(_policy(), results, subs)
    alice, bob, carol = results
    assert (alice.late_penalty, alice.final_score, alice.late_note) == (0, 8, "")
    assert alice.submitted_from == FROM_NBGRADER
    assert (bob.late_penalty, bob.final_score) == (0.8, 7.2)
    assert bob.scores == {"test_a": 4, "test_b": 4}  # the per-cell scores stay
    assert bob.submitted_at == "2026-10-06T00:59:00+00:00"
    assert FROM_NBGRADER in bob.late_note and "-10 %" in bob.late_note
    assert (carol.submitted_from, carol.late_penalty, carol.final_score) == (FROM_MTIME, 1.6, 6.4)


def test_missing_notebook_gets_no_penalty():
    results = [_result("dave", A, 0)]
    apply_late_policy(_policy(), results, [Submission("dave", A, None, "dave")])
    assert (results[0].late_penalty, results[0].submitted_at, results[0].late_note) == (0, "", "")


def test_load_policy_from_json_and_toml(tmp_path):
    data = {"percent_per_day": 10, "max_percent": 50, "timezone": "Europe/Berlin",
            "deadlines": {A: "2026-10-05T23:59"}, "extensions": {"alice": 2, "bob": {A: 1.5}}}
    (tmp_path / "late.json").write_text(json.dumps(data))
    (tmp_path / "late.toml").write_text(
        f'percent_per_day = 10\nmax_percent = 50\ntimezone = "Europe/Berlin"\n'
        f'[deadlines]\n{A} = "2026-10-05T23:59"\n'
        f'[extensions]\nalice = 2\nbob = {{ {A} = 1.5 }}\n')
    for file in ("late.json", "late.toml"):
        policy = load_policy(tmp_path / file, [A, B])
        assert policy.deadlines[A] == datetime(2026, 10, 5, 21, 59, tzinfo=timezone.utc)  # CEST
        assert (policy.percent_per_day, policy.max_percent) == (10, 50)
        assert policy.deadline("bob", A) == policy.deadlines[A] + timedelta(days=1.5)


@pytest.mark.parametrize("data, message", [
    ({"percent_per_day": 10, "deadlines": {}, "grace": 1}, "unknown key"),
    ({"percent_per_day": 10, "deadlines": {"99_nothing": "2026-10-05"}}, "no such assignment"),
    ({"percent_per_day": 10, "deadlines": {A: "next friday"}}, "ISO 8601"),
    ({"percent_per_day": 10, "deadlines": {}, "extensions": {"bob": "2d"}}, "number of days"),
    ({"percent_per_day": 150, "deadlines": {}}, "0..100"),
    ({"percent_per_day": 10, "deadlines": {}, "timezone": "Mars/Olympus"}, "unknown timezone"),
])
def test_load_policy_says_what_is_wrong(tmp_path, data, message):
    (tmp_path / "late.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match=message):
        load_policy(tmp_path / "late.json", [A, B])


def test_report_unchanged_without_a_policy_and_marks_penalties_with_one(tmp_path):
    results = _class()
    text = outputs.write_report(tmp_path, results, [], {})
    assert text.splitlines()[:4] == ["| student | 00 | 01 | total | problems |",
                                     "|---|---:|---:|---:|---|",
                                     "| alice | 10/10 | 7.5/10 | 17.5/20 |  |",
                                     "| bob | 0/10 | - | 0/10 |  |"]
    assert "Late policy" not in text
    results[1].late_penalty, results[1].submitted_from = 0.75, FROM_NBGRADER
    results[1].late_note = "submitted ... -10 % = -0.75 points"
    text = outputs.write_report(tmp_path, results, [], {}, late_policy=_policy())
    assert "| alice | 10/10 | 6.75*/10 | 16.75/20 |  |" in text
    assert f"- alice / {B}: submitted ... -10 % = -0.75 points (7.5 -> 6.75)" in text
    assert f"- submission times from {FROM_NBGRADER} (1)" in text


def test_gradebook_gets_nbgrader_late_penalty_only_when_deducted(tmp_path, monkeypatch):
    """nbgrader's own export (grades.csv) then shows the penalty and deducts it from "score"."""
    import sys

    from nbgrader.api import Gradebook

    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    (tmp_path / "course").mkdir()
    url = f"sqlite:///{tmp_path / 'course' / 'gradebook.db'}"
    with Gradebook(url, course_id="rnn-course") as gb:  # nbgrader needs alembic on PATH
        gb.add_assignment(A)
        gb.add_notebook(A, A)
        for cell in ("test_a", "test_b"):
            gb.add_grade_cell(cell, A, A, max_score=5, cell_type="code")
    late, on_time = _result("bob", A, 8), _result("alice", A, 8)
    late.late_penalty = 0.8
    outputs.write_gradebook(tmp_path, [late, on_time], [A])
    with Gradebook(url, course_id="rnn-course") as gb:
        assert gb.find_submission(A, "bob").score == 8  # the cells keep their points
        assert gb.find_submission(A, "bob").late_submission_penalty == 0.8
        assert gb.find_submission_notebook(A, A, "alice").late_submission_penalty is None


def test_a_tas_formgrader_score_is_kept_until_the_submission_is_graded_again(tmp_path,
                                                                              monkeypatch):
    import sys

    from nbgrader.api import Gradebook

    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    (tmp_path / "course").mkdir()
    url = f"sqlite:///{tmp_path / 'course' / 'gradebook.db'}"
    with Gradebook(url, course_id="rnn-course") as gb:
        gb.add_assignment(A)
        gb.add_notebook(A, A)
        for cell in ("test_a", "test_b"):
            gb.add_grade_cell(cell, A, A, max_score=5, cell_type="code")
    alice, bob = _result("alice", A, 4), _result("bob", A, 4)
    outputs.write_gradebook(tmp_path, [alice, bob], [A])
    with Gradebook(url, course_id="rnn-course") as gb:  # what formgrader's score box does
        for student in ("alice", "bob"):
            gb.find_grade("test_a", A, A, student).manual_score = 5
        gb.db.commit()
    outputs.read_overrides(tmp_path, [alice, bob], graded={("bob", A)})
    assert alice.overrides == {"test_a": 5.0} and alice.score == 7 and bob.overrides == {}
    outputs.write_gradebook(tmp_path, [alice, bob], [A], graded={("bob", A)})
    with Gradebook(url, course_id="rnn-course") as gb:
        assert gb.find_grade("test_a", A, A, "alice").manual_score == 5
        assert gb.find_grade("test_a", A, A, "bob").manual_score is None  # a new verdict
