"""The autograder on the demo class: full marks, zeros, partial credit, and broken work reported.

Runs the real pipeline (nbgrader, kernels, probes, feedback, CSV) once for the module.
"""

import concurrent.futures
import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder import assignments
from autograder.demo import build, check_expectations, expected_scores, write_roster
from autograder.grading import grade
from autograder.grading.roster import load_roster
from autograder.grading.run import PartialRegradeRefused
from autograder.settings import Settings

pytestmark = pytest.mark.grading


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    build(work / "submitted")
    people = load_roster(write_roster(work / "students.csv"))
    results, unmatched, reference_failures = grade(
        work / "submitted", work, jobs=2, settings=Settings(cell_timeout=45), progress=False,
        people=people)
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
        assert '<script src="../../_mathjax/MathJax.js' in text  # math without a network
    assert (work / "feedback" / "_mathjax" / "MathJax.js").is_file()
    report = (work / "report.md").read_text()
    assert "| alice |" in report and "dave" in report and "not valid JSON" in report


def test_formgrader_sees_the_run_submissions_names_and_released_assignments(graded, monkeypatch):
    """What formgrader shows, asked through nbgrader's own API with the configuration that
    ``python -m autograder formgrader`` gives it."""
    from nbgrader.apps import NbGrader
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from autograder import formgrader

    work, results, _, _ = graded
    course = formgrader.prepare(work)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(work / formgrader.TA_CONFIG))
    monkeypatch.chdir(course)
    app = NbGrader()
    app.load_config_file()
    api = NbGraderAPI(CourseDirectory(config=app.config, root=str(course)), config=app.config)
    ran = {a: {s for (s, a2), r in results.items() if a2 == a and r.status not in
               ("missing", "invalid")} for a in assignments()}
    for assignment in api.get_assignments():
        assert assignment["status"] == "released", assignment
        assert assignment["num_submissions"] == len(ran[assignment["name"]]) >= 3
    alice = next(s for s in api.get_students() if s["id"] == "alice")
    assert (alice["first_name"], alice["last_name"]) == ("Alice", "Arden")
    assert alice["score"] == alice["max_score"] > 0

    # its Autograde button would run student code outside the sandbox: refused (by
    # execute.GuardedExecute), and the course's grader puts back the copy nbgrader removed
    first = assignments()[0]
    refused = api.autograde(first, "alice")
    assert not refused["success"], refused
    assert "autogrades only in its sandboxed kernel" in (refused.get("log", "")
                                                         + refused.get("error", "")), refused
    from autograder.grading.outputs import publish_course

    publish_course(work, [results[("alice", first)]], [first])
    assert (course / "autograded" / "alice" / first / f"{first}.ipynb").is_file()


def _first_assignment_class(work, dest):
    """Copy the module's submissions of the first assignment (all four students) to
    ``dest``; return the assignment's name."""
    first = assignments()[0]
    for folder in sorted((work / "submitted").glob(f"*/{first}")):
        shutil.copytree(folder, dest / folder.parent.name / first)
    return first


def _rows(folder, name, key, first):
    """The rows of CSV ``name`` in ``folder`` for assignment ``first``, sorted by ``key``."""
    with open(folder / name) as f:
        return sorted((r for r in csv.DictReader(f) if r.get("assignment", first) == first),
                      key=lambda r: r[key])


def _report(folder, first):
    """``({student: cell of the assignment}, [its problem lines])`` of report.md. The rest
    differs by design: the local table has every assignment (so other totals), its
    problems name the other assignments too, and the last line averages the seconds each
    notebook took, which differ from run to run."""
    lines = (folder / "report.md").read_text().splitlines()
    column = [c.strip() for c in lines[0].strip("|").split("|")].index(first.split("_")[0])
    table = [[c.strip() for c in line.strip("|").split("|")]
             for line in lines[2:lines.index("")]]
    return ({row[0]: row[column] for row in table},
            [line for line in lines if line.startswith("- ") and f" / {first}: " in line])


def _assert_first_assignment_as_local(work, other, first):
    """The rows of grades.csv, problems.csv and canvas.csv and the report's cells and problem
    lines of assignment ``first`` in the run ``other`` are the local run's (``work``, the
    module's), and ``other`` has the feedback and formgrader's notebooks of the students
    whose notebooks ran."""
    for name, key in (("grades.csv", "student_id"), ("problems.csv", "student")):
        assert _rows(other, name, key, first) == _rows(work, name, key, first), name
    assert len(_rows(other, "grades.csv", "student_id", first)) == 4
    canvas = [{k: r[k] for k in ("SIS Login ID", "Student", first)}
              for r in _rows(work, "canvas.csv", "SIS Login ID", first)]
    assert [{k: r[k] for k in canvas[0]}
            for r in _rows(other, "canvas.csv", "SIS Login ID", first)] == canvas
    assert _report(other, first) == _report(work, first)
    assert len(_report(other, first)[0]) == 4 and _report(other, first)[1]  # dave's problem
    for student in ("alice", "bob", "carol"):
        assert (other / "feedback" / student / first / f"{first}.html").is_file()
        assert (other / "course" / "autograded" / student / first / f"{first}.ipynb").is_file()
    assert (other / "feedback" / "_mathjax" / "MathJax.js").is_file()


def test_shards_merged_are_the_local_run(graded, tmp_path):
    """The demo class's first assignment graded as ``--shard 1/2`` and ``--shard 2/2``, then
    ``--merge``d: the rows of grades.csv, problems.csv and canvas.csv and the report's cells
    and problem lines of that assignment are the local run's (the module's). Before the
    regrade test below, which changes the local run's grades."""
    from autograder.grading import merge
    from autograder.grading.shards import shard_of

    work, _, _, _ = graded
    submitted = tmp_path / "submitted"
    first = _first_assignment_class(work, submitted)
    assert {shard_of(s.name, 2) for s in submitted.iterdir()} == {1, 2}  # both grade someone
    shards = [tmp_path / f"shard{k}" for k in (1, 2)]
    for k, shard in enumerate(shards, start=1):
        grade(submitted, shard, jobs=2, settings=Settings(cell_timeout=45), progress=False,
              shard=(k, 2))
    merged = tmp_path / "merged"
    merge(shards, merged, people=load_roster(work / "students.csv"))
    _assert_first_assignment_as_local(work, merged, first)


@contextlib.contextmanager
def _dask_cluster(folder, workers=2):
    """``dask scheduler`` and ``workers`` one-thread ``dask worker``s on loopback, each a
    process group of its own, each worker with its own temporary folder (its course cache
    and scratch jobs: nothing of the work folder) as its cwd. Yields the scheduler file and
    ``{worker name: (process, temporary folder)}``; kills them all at the end."""
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    scheduler_file = folder / "scheduler.json"
    procs, temps = {}, {}

    def start(name, args, cwd):
        log = open(folder / f"{name}.log", "w")
        procs[name] = subprocess.Popen([dask, *args], cwd=cwd, stdout=log, stderr=log,
                                       env=dict(os.environ, TMPDIR=str(cwd)),
                                       start_new_session=True)
        log.close()

    try:
        start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                            "--scheduler-file", str(scheduler_file)], folder)
        for k in range(workers):
            # short: the sandboxed kernel's unix sockets are named under it (~100 characters)
            temps[f"w{k}"] = Path(tempfile.mkdtemp(prefix="rnn-w"))
            start(f"w{k}", ["worker", "--scheduler-file", str(scheduler_file), "--name", f"w{k}",
                            "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host",
                            "127.0.0.1"], temps[f"w{k}"])
        deadline = time.monotonic() + 120
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        with Client(scheduler_file=str(scheduler_file), timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
        yield scheduler_file, {name: (procs[name], temps[name]) for name in temps}
    finally:
        for proc in procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for temp in temps.values():
            shutil.rmtree(temp, ignore_errors=True)


def _kill_a_worker_mid_job(scheduler_file, workers, timeout=300):
    """SIGKILL the process group of the first worker seen running nbgrader on a job that the
    scheduler has it processing; return its name, the job's ``(student, assignment)`` and
    ``{worker name: address}``.
    nbgrader runs in a session of its own and would finish that job (into the dead worker's
    scratch folder, which nothing reads): ended too, to spare the CI's cores."""
    from distributed import Client

    from autograder.grading.engine import CACHE
    from autograder.grading.job import _kill_job_processes

    with Client(scheduler_file=str(scheduler_file), timeout="60s") as client:
        names = {addr: w["name"] for addr, w in client.scheduler_info()["workers"].items()}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            processing = {names[addr]: keys for addr, keys in client.processing().items()}
            for name, (proc, temp) in workers.items():
                for log in (temp / CACHE / "scratch").glob("*/jobs/*/nbgrader.log"):
                    student, assignment = log.parent.name.split("__")
                    if not any(f"grade-{student}__{assignment}-" in str(key)
                               for key in processing.get(name, ())):
                        continue
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    _kill_job_processes(f"{proc.pid}-{student}-{assignment}")
                    return name, (student, assignment), {n: a for a, n in names.items()}
            time.sleep(0.1)
    raise AssertionError("no worker was seen grading a job")


def test_a_dask_cluster_grades_as_the_local_run_a_killed_worker_lost_nothing(
        graded, tmp_path, capsys):
    """The demo class's first assignment graded by a real cluster of processes on loopback
    (a scheduler, two workers, no folder shared with the work folder) while one worker is
    killed in the middle of a job: its job is graded again by the other, every submission
    has one result, and the CSV rows and report cells are the local run's. Before the
    regrade test below, which changes the local run's grades."""
    work, _, _, _ = graded
    submitted = tmp_path / "submitted"
    first = _first_assignment_class(work, submitted)
    out = tmp_path / "dask"
    (tmp_path / "cluster").mkdir()
    with _dask_cluster(tmp_path / "cluster") as (scheduler_file, workers), \
            concurrent.futures.ThreadPoolExecutor(1) as pool:
        run = pool.submit(grade, submitted, out, settings=Settings(cell_timeout=45),
                          progress=False, people=load_roster(work / "students.csv"),
                          scheduler_file=scheduler_file, verbose=True)
        killed, job, addresses = _kill_a_worker_mid_job(scheduler_file, workers)
        results, _, reference_failures = run.result(timeout=900)
    assert reference_failures == {}
    _assert_first_assignment_as_local(work, out, first)
    assert sorted((r.student, r.assignment) for r in results) == \
        [(s, first) for s in ("alice", "bob", "carol", "dave")]
    assert sorted(p.name for p in (out / "results").iterdir()) == sorted(
        f"{s}__{first}.json" for s in ("_reference-solution", "alice", "bob", "carol", "dave"))
    lines = [line for line in capsys.readouterr().out.splitlines()
             if line.startswith(f"{job[0]}/{job[1]}: ")]
    assert len(lines) == 1, lines  # collected once, graded by the surviving worker
    (survivor,) = set(workers) - {killed}
    assert lines[0].endswith(f" on {addresses[survivor]}"), (lines, addresses)


def test_regrading_one_student_changes_that_grade_only(graded):
    """``grade --student carol --assignment A`` after carol's file was replaced (she sent the
    right one): her result, feedback and rows change, every other file stays as it was."""
    work, results, _, _ = graded
    first = assignments()[0]
    others = {p: (p.read_bytes(), p.stat().st_mtime_ns)
              for p in [*(work / "results").glob("*.json"), *(work / "feedback").glob("*/*/*.html")]
              if "carol" not in p.name and "carol" not in p.parts}
    assert others
    from nbgrader.api import Gradebook

    db = f"sqlite:///{work / 'course' / 'gradebook.db'}"
    with Gradebook(db, course_id="rnn-course") as gb:  # a TA's override in formgrader
        override = gb.find_submission_notebook(first, first, "alice").grades[0]
        cell, override.manual_score = override.name, 0.5
        gb.db.commit()
    carol_nb = work / "submitted" / "carol" / first / f"{first}.ipynb"
    shutil.copy(work / "submitted" / "alice" / first / f"{first}.ipynb", carol_nb)
    people = load_roster(work / "students.csv")
    regraded, _, _ = grade(work / "submitted", work, jobs=2, settings=Settings(cell_timeout=45),
                           progress=False, people=people, students=["carol"],
                           only_assignments=[first])
    carol = next(r for r in regraded if (r.student, r.assignment) == ("carol", first))
    assert carol.score == carol.max_score > results[("carol", first)].score
    saved = json.loads((work / "results" / f"carol__{first}.json").read_text())
    assert sum(saved["scores"].values()) == carol.max_score
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in others} == others
    with open(work / "grades.csv") as f:
        row = next(r for r in csv.DictReader(f) if (r["student_id"], r["assignment"]) ==
                   ("carol", first))
    assert float(row["score"]) == carol.max_score
    assert {(r.student, r.assignment) for r in regraded} == {k for k in results}
    with Gradebook(db, course_id="rnn-course") as gb:
        assert gb.find_grade(cell, first, first, "alice").manual_score == 0.5
    alice = next(r for r in regraded if (r.student, r.assignment) == ("alice", first))
    assert alice.overrides == {cell: 0.5}  # and so in the LMS files and the report
    expected = alice.max_score - alice.max_scores[cell] + 0.5
    assert alice.score == expected
    with open(work / "canvas.csv") as f:
        canvas = next(r for r in csv.DictReader(f) if r["SIS Login ID"] == "alice")
    assert float(canvas[first]) == expected
    assert f"{expected:g}†/" in (work / "report.md").read_text()

    state = (work / "run.json").read_text()
    (work / "run.json").write_text(json.dumps({**json.loads(state), "verdicts": "other code"}))
    try:  # a partial regrade after the grading code changed would mix two verdicts
        with pytest.raises(PartialRegradeRefused, match="Grade the whole class again"):
            grade(work / "submitted", work, progress=False, students=["carol"])
    finally:
        (work / "run.json").write_text(state)
