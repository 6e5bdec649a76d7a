"""The Dask engine's parts without grading: what a task carries to a worker and back, the
worker's cache and scratch folders, and the collection of results (a stand-in task on an
embedded cluster). The real thing, a cluster of processes grading the demo class with a
worker killed, is in ``test_demo_class.py``."""

import os
import subprocess
import threading
import time
from dataclasses import asdict

import pytest

from autograder.__main__ import main
from autograder.grading import engine
from autograder.grading.engine import (
    pack_job,
    prepared_assignment,
    received_submission,
    task_payload,
    write_job,
)
from autograder.grading.model import REFERENCE_STUDENT, Result, Submission, job_folder
from autograder.grading.submission import file_digest
from autograder.settings import Settings

A = "00_sequence_data"


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """The worker's temporary folder (its cache, its scratch) inside the test's."""
    folder = tmp_path / "worker-tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def test_payload_carries_the_bytes_settings_and_note(tmp_path):
    nb = tmp_path / "alice.ipynb"
    nb.write_bytes(b'{"cells": [], "nbformat": 4}')
    settings = Settings(cell_timeout=45, seed=1234)
    sub = Submission("alice", A, nb, note="ids kept apart")
    payload = task_payload(sub, settings, [A], "d" * 16)
    assert payload["notebook"] == nb.read_bytes() and payload["refused"] == ""
    assert Settings(**payload["settings"]) == settings  # the probe seed travels too
    assert (payload["assignments"], payload["verdicts"], payload["digest"]) == \
        ([A], "d" * 16, file_digest(nb))
    work = tmp_path / "scratch"
    work.mkdir()
    received = received_submission(payload, work)
    assert (received.student, received.assignment, received.note) == ("alice", A, sub.note)
    assert received.path.read_bytes() == nb.read_bytes()
    assert file_digest(received.path) == file_digest(nb)  # the result's digest is the same


def test_links_and_missing_notebooks_travel_without_bytes(tmp_path):
    secret = tmp_path / "solution.ipynb"
    secret.write_text("{}")
    link = tmp_path / "link.ipynb"
    link.symlink_to(secret)
    for sub, refused, digest in ((Submission("eve", A, link), "a symbolic link", "refused"),
                                 (Submission("dave", A, None), "", "missing")):
        payload = task_payload(sub, Settings(), [A], "d" * 16)
        assert payload["notebook"] is None and refused in payload["refused"]
        assert payload["digest"] == digest
        received = received_submission(payload, tmp_path)
        assert received.path is None and received.refused == payload["refused"]


def _job(folder):
    """A job folder as ``run_job`` leaves it, a link planted in it."""
    files = {"probes.npz": b"npz", "events.jsonl": b'{"kind": "x"}\n', "nbgrader.log": b"log",
             "gradebook.db": b"sqlite", f"submitted/alice/{A}/{A}.ipynb": b"{}",
             f"autograded/alice/{A}/{A}.ipynb": b'{"graded": 1}'}
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    (folder / "solutions" / A).mkdir(parents=True)
    (folder / "solutions" / A / f"{A}.ipynb").write_text("the solution")
    (folder / "linked.npz").symlink_to(folder / "probes.npz")
    return files


def test_job_files_travel_back_as_the_job_left_them(tmp_path):
    files = _job(tmp_path / "worker" / "job")
    packed = pack_job(tmp_path / "worker" / "job")
    assert packed == files  # no solution, no link
    work = tmp_path / "work"
    stale = job_folder(work, "alice", A) / "stale.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("an earlier job's")
    write_job(work, "alice", A, packed)
    job = job_folder(work, "alice", A)
    assert {p.relative_to(job).as_posix(): p.read_bytes()
            for p in job.rglob("*") if p.is_file()} == files
    write_job(work, "alice", A, {})  # a job that ran nothing leaves the folder as it is
    assert (job / "probes.npz").is_file()


@pytest.mark.parametrize("rel", ["../escaped", "/tmp/escaped", "a/../../escaped", ""])
def test_job_files_outside_the_job_folder_are_refused(tmp_path, rel):
    with pytest.raises(ValueError, match="outside its folder"):
        write_job(tmp_path, "alice", A, {"probes.npz": b"x", rel: b"x"})
    assert not (tmp_path / "jobs").exists() and not (tmp_path.parent / "escaped").exists()


def test_a_worker_with_other_grading_code_grades_nothing(own_tmp):
    payload = task_payload(Submission("alice", A, None), Settings(), [A], "0" * 16)
    outcome = engine.grade_task(payload)
    result = Result(**outcome["result"])
    assert result.status == "error" and outcome["files"] == {}
    assert "verdict digest" in result.problems[0] and "0" * 16 in result.problems[0]
    assert not (own_tmp / engine.CACHE / "scratch").exists()  # refused before any set-up


def test_each_assignment_is_prepared_once_per_digest(own_tmp):
    calls = []

    def prepare(folder, name, settings):
        calls.append(name)
        time.sleep(0.2)  # long enough for the other threads to wait on the lock
        (folder / "template.db").write_text(name)

    threads = [threading.Thread(target=prepared_assignment, args=("d" * 16, A, Settings()),
                                kwargs={"prepare": prepare}) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    folder = prepared_assignment("d" * 16, A, Settings(), prepare=prepare)
    assert calls == [A] and (folder / "template.db").read_text() == A
    assert folder == own_tmp / engine.CACHE / f"{'d' * 16}-{engine.INSTALLATION}" / A
    assert oct((own_tmp / engine.CACHE).stat().st_mode & 0o777) == oct(0o700)

    def broken(folder, name, settings):
        (folder / "half").write_text("made")
        raise RuntimeError("generate_assignment failed")

    with pytest.raises(RuntimeError):
        prepared_assignment("d" * 16, "01_other", Settings(), prepare=broken)
    assert sorted(p.name for p in folder.parent.iterdir()) == [f".{A}.lock", ".01_other.lock", A]


def test_another_checkout_of_the_same_commit_prepares_its_own_cache(own_tmp, monkeypatch):
    """A cache's kernel spec runs the launcher of the checkout that made it: a second
    checkout (same digest, another interpreter) must not grade with the first's."""
    made = []

    def prepare(folder, name, settings):
        made.append(folder.parent.name)
        (folder / "template.db").write_text(name)

    first = prepared_assignment("d" * 16, A, Settings(), prepare=prepare)
    monkeypatch.setattr(engine, "INSTALLATION", "0" * 12)
    second = prepared_assignment("d" * 16, A, Settings(), prepare=prepare)
    assert first != second and len(made) == 2


def test_the_embedded_clusters_cache_is_the_runs_own_course(own_tmp, tmp_path):
    work = tmp_path / "work"
    for kind in ("solutions", "notebooks"):
        (work / "course" / kind / A).mkdir(parents=True)
        (work / "course" / kind / A / f"{A}.ipynb").write_text(kind)
    (work / "template.db").write_text("gradebook")
    engine.seed_cache(work, [A], "d" * 16, Settings(memory_mb=1234))

    def never(folder, name, settings):
        raise AssertionError("prepared again")

    folder = prepared_assignment("d" * 16, A, Settings(), prepare=never)
    assert (folder / "course" / "notebooks" / A / f"{A}.ipynb").read_text() == "notebooks"
    assert (folder / "template.db").read_text() == "gradebook"
    assert "1234" in (folder / "jupyter" / "kernels" / "rnn-course-grader" /
                      "kernel.json").read_text()  # the run's limits


def test_a_cache_others_can_write_is_not_used(own_tmp):
    shared = own_tmp / engine.CACHE
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    assert engine.worker_root() == own_tmp / f"{engine.CACHE}-{os.getuid()}"


def test_scratch_folders_of_ended_processes_are_removed(own_tmp):
    ended = subprocess.Popen(["true"])
    ended.wait()
    root = engine.worker_root() / "scratch"
    (root / f"{ended.pid}-left-by-a-killed-worker").mkdir(parents=True)
    prepared = own_tmp / "prepared"
    for name in ("course", "jupyter"):
        (prepared / name).mkdir(parents=True)
    (prepared / "template.db").write_text("db")
    with engine.scratch_work(prepared) as work:
        assert (work / "template.db").read_text() == "db"
        assert [p.name for p in root.iterdir()] == [work.name]
    assert list(root.iterdir()) == []


def _stand_in(payload):
    """A task that grades nothing: full marks, one job file; ``bob`` hits a grader bug."""
    if payload["student"] == "bob":
        raise RuntimeError("a bug in the grader")
    result = Result(payload["student"], payload["assignment"], scores={"t": 1.0},
                    max_scores={"t": 1.0}, digest=payload["digest"])
    return {"result": asdict(result), "files": {"probes.npz": payload["student"].encode()},
            "worker": "stand-in"}


def test_every_job_is_collected_once_on_the_embedded_cluster(tmp_path):
    subs = [Submission(REFERENCE_STUDENT, A, None)] + \
        [Submission(f"s{i:02d}", A, None) for i in range(2 * engine.MIN_IN_FLIGHT)] + \
        [Submission("bob", A, None)]
    with engine.cluster_client(jobs=2) as client:
        assert len(client.nthreads()) == 2
        out = list(engine.run_jobs(client, tmp_path, subs, Settings(), [A], "d" * 16,
                                   task=_stand_in))
    assert sorted(sub.student for sub, _, _ in out) == sorted(s.student for s in subs)
    results = {sub.student: (result, worker) for sub, result, worker in out}
    assert results["s07"][0].score == 1 and results["s07"][1] == "stand-in"
    assert (job_folder(tmp_path, "s07", A) / "probes.npz").read_bytes() == b"s07"
    bob = results["bob"][0]
    assert bob.status == "error" and bob.problems == [
        "grader error: RuntimeError: a bug in the grader"]


def test_cli_refuses_scheduler_options_it_cannot_use(tmp_path, capsys):
    assert main(["grade", "--merge", str(tmp_path), "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "--merge grades nothing" in capsys.readouterr().err
    assert main(["grade", str(tmp_path), "--work", str(tmp_path / "w"),
                 "--scheduler-file", str(tmp_path / "none.json")]) == 2
    assert "no scheduler file" in capsys.readouterr().err
    assert not (tmp_path / "w").exists()  # refused before any set-up
