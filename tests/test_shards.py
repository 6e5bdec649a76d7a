"""``grade --shard K/N`` and ``grade --merge`` without grading: which shard grades whom, and
what a merge refuses (fake shard folders: a run.json and result files). The graded
end-to-end (shards merged equal a local run) is in test_demo_class."""

import copy
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder import ROOT
from autograder.__main__ import main
from autograder.grading.late import apply_late_policy, apply_late_times, policy_from_dict
from autograder.grading.model import REFERENCE_STUDENT, Result, Submission, job_folder
from autograder.grading.shards import (
    ShardError,
    ShardRun,
    check_merge_target,
    check_regrade,
    check_work,
    class_digest,
    copy_results,
    in_shard,
    parse_shard,
    read_shards,
    recorded_times,
    shard_of,
    shard_record,
)

A, B = "00_sequence_data", "01_rnn_numpy"
STUDENTS = [f"student{i:03d}" for i in range(100)]
CLASS = [(s, a) for s in ("alice", "bob", "carol", "dave", "erin", "frank") for a in (A, B)]


def _subs(students):
    return [Submission(s, a, Path(f"{s}/{a}/{a}.ipynb")) for s in students for a in (A, B)]


def test_shard_of_is_the_ids_sha256_mod_n_the_same_in_every_process():
    assert shard_of("alice", 7) == int(hashlib.sha256(b"alice").hexdigest(), 16) % 7 + 1
    here = [shard_of(s, 7) for s in STUDENTS]
    code = ("from autograder.grading.shards import shard_of; "
            f"print([shard_of(s, 7) for s in {STUDENTS!r}])")
    for seed in ("1", "2"):  # Python's own hash() would differ between these two
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                             text=True, check=True, env=dict(os.environ, PYTHONHASHSEED=seed))
        assert json.loads(out.stdout) == here


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_every_student_is_in_exactly_one_shard_with_all_their_notebooks(n):
    subs = _subs(STUDENTS)
    shards = [in_shard(subs, (k, n)) for k in range(1, n + 1)]
    keys = [{(s.student, s.assignment) for s in shard} for shard in shards]
    assert sum(len(k) for k in keys) == len(subs)
    assert set().union(*keys) == {(s.student, s.assignment) for s in subs}
    for shard in keys:
        students = {s for s, _ in shard}
        assert shard == {(s, a) for s in students for a in (A, B)}  # a student is never split
        assert students  # 100 students fill every one of at most 7 shards
        assert not any(students & {s for s, _ in other} for other in keys if other is not shard)


def test_adding_students_moves_no_one():
    before = {s: shard_of(s, 3) for s in STUDENTS[:50]}
    after = {s.student: k for k in (1, 2, 3) for s in in_shard(_subs(STUDENTS), (k, 3))}
    assert {s: after[s] for s in before} == before


@pytest.mark.parametrize("text, spec", [("1/1", (1, 1)), ("2/8", (2, 8)), (" 8/8 ", (8, 8))])
def test_parse_shard(text, spec):
    assert parse_shard(text) == spec


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "2", "a/b", "1/2/3", "-1/2", ""])
def test_parse_shard_refuses_what_is_not_k_of_n(text):
    with pytest.raises(ShardError, match="--shard takes K/N with 1 <= K <= N"):
        parse_shard(text)


def _shard(root, k, n, keys=CLASS, verdicts="v1", folder=None, extra=()):
    """A shard's work folder as `grade --shard K/N` leaves it (the parts a merge reads)."""
    folder = root / (folder or f"w{k}of{n}")
    mine = [key for key in keys if shard_of(key[0], n) == k] + list(extra)
    entries = [{"student": s, "assignment": a, "digest": f"{s}-{a}", "submitted_at": "",
                "submitted_from": ""} for s, a in mine]
    (folder / "results").mkdir(parents=True)
    for s, a in mine + [(REFERENCE_STUDENT, A), (REFERENCE_STUDENT, B)]:
        result = Result(s, a, scores={"t": 1.0}, max_scores={"t": 1.0}, digest=f"{s}-{a}")
        (folder / "results" / f"{s}__{a}.json").write_text(json.dumps(asdict(result)))
        job_folder(folder, s, a).mkdir(parents=True)
    state = {"seed": k, "verdicts": verdicts, "shard": [k, n], "class": class_digest(keys),
             "assignments": [A, B], "submissions": entries, "unmatched": []}
    (folder / "run.json").write_text(json.dumps(state))
    return folder


def test_complete_shards_are_read_in_shard_order(tmp_path):
    dirs = [_shard(tmp_path, k, 3) for k in (3, 1, 2)]
    runs = read_shards(dirs)
    assert [run.spec for run in runs] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(key for run in runs for key in run.keys) == sorted(CLASS)
    assert all(all(run.results().values()) for run in runs)


def test_missing_shards_are_named(tmp_path):
    with pytest.raises(ShardError, match=r"missing shard\(s\) 2, 4 of 4"):
        read_shards([_shard(tmp_path, 1, 4), _shard(tmp_path, 3, 4)])


def test_a_shard_given_twice_is_refused(tmp_path):
    one = _shard(tmp_path, 1, 2)
    again = _shard(tmp_path, 1, 2, folder="copy")
    with pytest.raises(ShardError, match="shard 1/2 is given twice"):
        read_shards([one, again, _shard(tmp_path, 2, 2)])


def test_shards_of_different_splits_are_refused(tmp_path):
    with pytest.raises(ShardError, match="shards of different splits"):
        read_shards([_shard(tmp_path, 1, 2), _shard(tmp_path, 2, 3)])


def test_shards_graded_by_other_code_or_settings_are_refused(tmp_path):
    dirs = [_shard(tmp_path, 1, 2), _shard(tmp_path, 2, 2, verdicts="v2")]
    with pytest.raises(ShardError, match=r"different grading code.*verdicts: 1/2: v1, 2/2: v2"):
        read_shards(dirs)


def test_shards_of_different_classes_are_refused(tmp_path):
    grown = CLASS + [("zoe", A)]
    dirs = [_shard(tmp_path, 1, 2), _shard(tmp_path, 2, 2, keys=grown)]
    with pytest.raises(ShardError, match="saw different classes"):
        read_shards(dirs)


def test_a_student_in_two_shards_is_refused(tmp_path):
    n = 2
    stray = next(key for key in CLASS if shard_of(key[0], n) == 1)
    dirs = [_shard(tmp_path, 1, n), _shard(tmp_path, 2, n, extra=[stray])]
    with pytest.raises(ShardError, match=f"student {stray[0]} is in two shards: shard 1/2"):
        read_shards(dirs)


@pytest.mark.parametrize("damage, message", [
    (lambda f, s, a: (f / "results" / f"{s}__{a}.json").unlink(), "has no result"),
    (lambda f, s, a: (f / "results" / f"{s}__{a}.json").write_text("{"), "has no result"),
    (lambda f, s, a: job_folder(f, s, a).rmdir(), r"has no job folder \(its probe outputs\)"),
])
def test_an_incomplete_shard_names_its_submissions(tmp_path, damage, message):
    dirs = [_shard(tmp_path, 1, 2), _shard(tmp_path, 2, 2)]
    student, assignment = next(key for key in CLASS if shard_of(key[0], 2) == 2)
    damage(dirs[1], student, assignment)
    with pytest.raises(ShardError, match=rf"incomplete shard\(s\): 2/2: {student}/{assignment} "
                                         + message):
        read_shards(dirs)


def test_a_result_of_an_older_notebook_is_incomplete(tmp_path):
    dirs = [_shard(tmp_path, 1, 2), _shard(tmp_path, 2, 2)]
    state = json.loads((dirs[0] / "run.json").read_text())
    state["submissions"][0]["digest"] = "a-newer-file"
    (dirs[0] / "run.json").write_text(json.dumps(state))
    first = state["submissions"][0]
    with pytest.raises(ShardError, match=f"{first['student']}/{first['assignment']} changed "
                                         "since its result"):
        read_shards(dirs)


def test_an_error_result_is_a_result(tmp_path):
    dirs = [_shard(tmp_path, 1, 2), _shard(tmp_path, 2, 2)]
    student, assignment = next(key for key in CLASS if shard_of(key[0], 2) == 1)
    path = dirs[0] / "results" / f"{student}__{assignment}.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "status": "error"}))
    job_folder(dirs[0], student, assignment).rmdir()  # a job that failed judges nothing
    assert len(read_shards(dirs)) == 2


@pytest.mark.parametrize("state, message", [
    (None, r"not a shard run \(no run.json\)"),
    ({"seed": 1, "verdicts": "v1"}, "holds a run of the whole class"),
    ({"verdicts": "v1", "merged": {}}, "holds a merge of shards"),
    ({"seed": 1, "verdicts": "v1", "shard": [1, 2]}, "lacks class, assignments"),
])
def test_a_folder_that_is_not_a_shard_run_is_refused(tmp_path, state, message):
    other = tmp_path / "other"
    other.mkdir()
    if state is not None:
        (other / "run.json").write_text(json.dumps(state))
    with pytest.raises(ShardError, match=message):
        read_shards([_shard(tmp_path, 1, 2), other])
    with pytest.raises(ShardError, match="no folder at"):
        read_shards([tmp_path / "absent"])


def test_the_merge_writes_into_a_folder_of_its_own(tmp_path):
    runs = read_shards([_shard(tmp_path, 1, 2), _shard(tmp_path, 2, 2)])
    with pytest.raises(ShardError, match="is one of the shards"):
        check_merge_target(runs[0].folder, runs)
    graded = tmp_path / "graded"
    graded.mkdir()
    (graded / "run.json").write_text(json.dumps({"seed": 1, "verdicts": "v1"}))
    with pytest.raises(ShardError, match="holds a grading run"):
        check_merge_target(graded, runs)
    (graded / "run.json").write_text(json.dumps({"verdicts": "v1", "merged": {}}))
    check_merge_target(graded, runs)  # an earlier merge is merged again
    check_merge_target(tmp_path / "new", runs)


@pytest.mark.parametrize("state, shard, message", [
    ({"seed": 1, "verdicts": "v"}, (1, 2), "holds a run of the whole class"),
    ({"seed": 1, "verdicts": "v", "shard": [1, 2]}, (2, 2), "holds shard 1/2, not 2/2"),
    ({"seed": 1, "verdicts": "v", "shard": [1, 2]}, (1, 3), "holds shard 1/2, not 1/3"),
    ({"seed": 1, "verdicts": "v", "shard": [1, 2]}, None, "pass --shard 1/2 to resume"),
    ({"verdicts": "v", "merged": {}}, None, "holds a merge of shards"),
    ({"verdicts": "v", "merged": {}}, (1, 2), "holds a merge of shards"),
])
def test_a_work_folder_holds_one_kind_of_run(state, shard, message):
    with pytest.raises(ShardError, match=message):
        check_work(state, shard, Path("W"))


@pytest.mark.parametrize("state, shard", [
    ({}, (1, 2)), ({}, None), ({"seed": 1, "verdicts": "v"}, None),
    ({"seed": 1, "verdicts": "v", "shard": [1, 2]}, (1, 2)),
])
def test_a_new_folder_or_the_same_kind_of_run_is_graded(state, shard):
    check_work(state, shard, Path("W"))


def test_a_regrade_in_a_shard_takes_that_shards_students_only():
    subs = _subs(STUDENTS)
    mine = next(s for s in STUDENTS if shard_of(s, 3) == 1)
    theirs = next(s for s in STUDENTS if shard_of(s, 3) == 2)
    check_regrade(subs, [mine, "nobody"], (1, 3))  # an unknown id: the regrade's own error
    with pytest.raises(ShardError, match=f"{theirs} is graded by shard 2/3, not 1/3: regrade "
                                         "them with --shard 2/3"):
        check_regrade(subs, [mine, theirs], (1, 3))


DUE = datetime(2026, 10, 5, 23, 59, tzinfo=timezone.utc)


def test_the_merges_late_policy_on_recorded_times_is_the_local_runs(tmp_path):
    """The same penalties, notes and sources from the times a shard recorded as from the
    files: nbgrader's timestamp.txt, the mtime (0.4 s late is one day late), none."""
    def notebook(student, late_by):
        folder = tmp_path / student / A
        folder.mkdir(parents=True)
        (folder / f"{A}.ipynb").write_text("{}")
        when = (DUE + late_by).timestamp()
        os.utime(folder / f"{A}.ipynb", (when, when))
        return Submission(student, A, folder / f"{A}.ipynb", student)

    subs = [notebook("alice", timedelta(days=-1)), notebook("bob", timedelta(days=2.5)),
            notebook("carol", timedelta(seconds=0.4)), Submission("dave", A, None, "dave")]
    (tmp_path / "alice" / A / "timestamp.txt").write_text("2026-10-07 10:00:00.500000 UTC")
    policy = policy_from_dict({"percent_per_day": 10, "max_percent": 50,
                               "deadlines": {A: "2026-10-05T23:59"}, "extensions": {"bob": 0.5}})
    results = [Result(s.student, A, scores={"t": 7.0}, max_scores={"t": 10.0}) for s in subs]
    local = apply_late_policy(policy, copy.deepcopy(results), subs)
    state = shard_record((1, 1), subs, subs, [], [A])
    merged = apply_late_times(policy, copy.deepcopy(results),
                              recorded_times([ShardRun(tmp_path, state)]))
    assert [asdict(r) for r in merged] == [asdict(r) for r in local]
    assert [r.late_penalty for r in local] == [1.4, 1.4, 0.7, 0.0]  # the cases are covered


def test_copy_results_says_which_results_changed_since_the_last_merge(tmp_path):
    runs = read_shards([_shard(tmp_path, 1, 2), _shard(tmp_path, 2, 2)])
    work = tmp_path / "merged"
    assert copy_results(runs, work) == set(CLASS)
    assert copy_results(runs, work) == set()
    key = runs[1].keys[0]
    path = runs[1].result_file(key)
    path.write_text(json.dumps({**json.loads(path.read_text()), "seconds": 9.0}))
    assert copy_results(runs, work) == {key}
    assert sorted(p.name for p in (work / "results").glob(f"{REFERENCE_STUDENT}__*")) == \
        [f"{REFERENCE_STUDENT}__{A}.json", f"{REFERENCE_STUDENT}__{B}.json"]


@pytest.mark.parametrize("argv, message", [
    (["grade"], "give SUBMISSIONS"),
    (["grade", "subs", "--merge", "w1"], "not both"),
    (["grade", "--merge", "w1", "--shard", "1/2"], "--merge takes no --shard"),
    (["grade", "--merge", "w1", "--student", "carol"], "--merge takes no --shard, --student"),
    (["grade", "subs", "--shard", "3/2"], "--shard takes K/N"),
])
def test_the_command_line_says_what_is_wrong(tmp_path, capsys, argv, message):
    assert main(argv + ["--work", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_a_merge_refusal_is_an_error_line_not_a_traceback(tmp_path, capsys):
    one = _shard(tmp_path, 1, 3)
    assert main(["grade", "--merge", str(one), "--work", str(tmp_path / "w")]) == 2
    assert capsys.readouterr().err == "error: missing shard(s) 2, 3 of 3: give the work " \
                                      "folders of all 3 shards\n"
    assert not (tmp_path / "w").exists()  # refused before writing anything


def test_a_shard_refuses_a_late_policy(tmp_path, capsys):
    policy = tmp_path / "late.json"
    policy.write_text(json.dumps({"percent_per_day": 10, "deadlines": {A: "2026-10-05T23:59"}}))
    assert main(["grade", str(tmp_path), "--shard", "1/2", "--work", str(tmp_path / "w"),
                 "--late-policy", str(policy)]) == 2
    assert "give --late-policy to `grade --merge`" in capsys.readouterr().err
