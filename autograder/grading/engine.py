"""The engine that runs the jobs: Dask distributed, on an embedded cluster or an existing one.

    grade(...)                                  # a LocalCluster of --jobs one-thread workers
    grade(..., scheduler="tcp://host:8786")     # an existing cluster (or scheduler_file=...)

No shared file system: one job is one task, :func:`grade_task`, and what it needs travels
as data. To the worker (:func:`task_payload`): the student id, the assignment, the
submission's bytes (or why its file was not read: missing, a link, a device, too big), the
note discovery made, the settings as a dict (the run's probe seed included), the run's
assignments and its verdict digest. Back (:func:`grade_task`): the :class:`Result` as a
dict, the job folder's files as bytes (``submitted/``, ``autograded/``, ``probes.npz``,
``events.jsonl``, ``nbgrader.log``, ``gradebook.db``; not ``solutions/``, a copy of the
course's own source) and the worker's address. The submitting side writes those files into
``WORK/jobs/S__A/`` (:func:`write_job`) as a local job leaves them, and stays the one writer
of the results, the gradebook, the feedback and the reports.

On the worker, :func:`grade_task` checks that its grading code, assignments and settings
are the submitting side's (the verdict digest) and that its sandbox starts; prepares each
assignment once into a cache of its own (``<tempdir>/rnn-course-worker/<digest>/<name>/``:
``generate_assignment`` and the kernel spec, under a file lock, reused by later runs of
the same digest; the embedded cluster's workers take the run's own course, see
:func:`seed_cache`); and grades in a scratch work folder with :func:`job.run_job`, as a local
job is graded. Student code runs only in the sandboxed kernel that nbgrader starts from
there, never in the worker process.

Fault tolerance is Dask's: a task whose worker dies is run again on another, up to the
scheduler's ``distributed.scheduler.allowed-failures`` (3 by default), then ends as
``KilledWorker``, an error result that a rerun grades again. Each future is collected once,
so each result is written once.
"""

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import socket
import stat
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from pathlib import Path, PurePosixPath

from autograder import ROOT
from autograder.grading.model import REFERENCE_STUDENT, Result, Submission, job_folder
from autograder.grading.submission import file_digest, not_a_regular_file
from autograder.grading.verdicts import verdict_digest
from autograder.settings import Settings

CACHE = "rnn-course-worker"  # under the worker's temporary folder
NOT_SHIPPED = {"solutions"}  # of a job folder: the course's source, which the submitter has
MIN_IN_FLIGHT = 32  # tasks handed to the scheduler at once, at least (see _outcomes)
THREADS_REFRESH_S = 1.0  # how often _outcomes asks the cluster for its thread count
CONNECT_TIMEOUT = "30s"
SANDBOX_RECHECK_S = 600  # a worker trusts a passed sandbox check this long
# this interpreter and course checkout, which a prepared cache's kernel spec runs
INSTALLATION = hashlib.sha256(f"{sys.executable}\n{ROOT}".encode()).hexdigest()[:12]


class ClusterUnavailable(RuntimeError):
    """The Dask scheduler given to ``grade`` cannot be reached; nothing was graded."""


# --- the submitting side --------------------------------------------------------------

@contextlib.contextmanager
def cluster_client(jobs=2, scheduler=None, scheduler_file=None):
    """A ``distributed.Client``: to the cluster at ``scheduler`` (``tcp://host:8786``;
    ``tls://`` takes its certificates from the dask configuration) or named by
    ``scheduler_file``; without either, to an embedded ``LocalCluster`` of ``jobs``
    one-thread workers in this process (threads are enough: the work is in nbgrader's
    subprocess and the sandboxed kernel, not in the worker)."""
    from distributed import Client, LocalCluster

    if scheduler or scheduler_file:
        where = scheduler or scheduler_file
        if scheduler_file and not Path(scheduler_file).is_file():
            raise ClusterUnavailable(f"no scheduler file at {scheduler_file} (`dask scheduler "
                                     "--scheduler-file FILE` writes it)")
        try:
            client = Client(scheduler, scheduler_file=scheduler_file, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError) as exc:  # a timeout, a bad address, no TLS set-up
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {where}: {exc}") from None
        with client:
            yield client
        return
    # memory_limit=0: a job's memory is its kernel's (RLIMIT_AS), not this process's
    with LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=False,
                      dashboard_address=None, memory_limit=0) as cluster, Client(cluster) as client:
        yield client


def check_cluster(scheduler=None, scheduler_file=None):
    """Raise :class:`ClusterUnavailable` unless the scheduler answers: a run asks before its
    set-up, so that a typo in an address costs nothing."""
    with cluster_client(0, scheduler, scheduler_file):
        pass


def describe(client):
    """One line for ``--verbose``: where the jobs go."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    threads = sum(w.get("nthreads", 1) for w in workers.values())
    return (f"grading on {len(workers)} Dask worker(s), {threads} thread(s), scheduler "
            f"{client.scheduler.address}")


def task_payload(sub, settings, names, verdicts):
    """What travels to a worker to grade ``sub`` (a :class:`Submission`): see the module's
    docstring. The bytes are read here, once the file is known to be a regular one: a link
    is never followed."""
    notebook, refused = None, ""
    if sub.path is not None:
        refused = not_a_regular_file(sub.path) or ""
        if not refused:
            try:
                notebook = sub.path.read_bytes()
            except OSError as exc:
                refused = f"invalid submission: the file cannot be read ({exc.strerror})"
    return {"student": sub.student, "assignment": sub.assignment, "note": sub.note,
            "notebook": notebook, "refused": refused,
            "digest": file_digest(sub.path, refused),
            "settings": asdict(settings), "assignments": list(names), "verdicts": verdicts}


def write_job(work, student, assignment, files):
    """Write a job's ``files`` (``{relative path: bytes}``, as :func:`pack_job` made them)
    into ``WORK/jobs/<student>__<assignment>/``, replacing what an earlier job left there.
    A job that ran nothing (a missing or invalid notebook) has none: its folder stays, as a
    local job leaves it."""
    if not files:
        return
    paths = {_inside(rel): data for rel, data in files.items()}  # all checked before writing
    job = job_folder(work, student, assignment)
    if job.exists():
        shutil.rmtree(job)
    for rel, data in paths.items():
        path = job / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _inside(rel):
    """``rel`` as a relative path that stays inside a job folder, else ValueError."""
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise ValueError(f"a job file outside its folder: {rel!r}")
    return Path(*path.parts)


def outcome_result(work, sub, outcome):
    """The :class:`Result` of a finished task (its files written into ``work``), or an error
    result when the task raised (a bug in the grader, or ``KilledWorker``): one job's failure
    must not lose the other grades, and a rerun grades an error again."""
    if not isinstance(outcome, Exception):
        try:
            write_job(work, sub.student, sub.assignment, outcome["files"])
            return Result(**outcome["result"])
        except (OSError, ValueError, TypeError, KeyError) as exc:
            outcome = exc
    return Result(sub.student, sub.assignment, status="error",
                  problems=[f"grader error: {type(outcome).__name__}: {outcome}"],
                  digest=file_digest(sub.path))


def run_jobs(client, work, subs, settings, names, verdicts, task=None):
    """Grade ``subs`` on ``client``'s cluster; yield ``(sub, Result, worker)`` as each job
    finishes, its job folder already written into ``work``. The references run first (a
    higher priority); judging, which needs their probe outputs, comes after all jobs."""
    payload = lambda sub: task_payload(sub, settings, names, verdicts)
    for sub, outcome in _outcomes(client, subs, payload, task or grade_task):
        worker = outcome.get("worker", "?") if isinstance(outcome, dict) else "?"
        yield sub, outcome_result(work, sub, outcome), worker


def _outcomes(client, items, payload, task):
    """``(item, task's return value or the exception it raised)`` for every item, in the
    order they finish. Dask schedules, moves and retries the tasks; only the reading of
    the payloads (the submissions' bytes) is paced here: at most twice the cluster's
    threads (counted once a second; ``MIN_IN_FLIGHT`` at least, for a cluster still
    starting its workers) are handed over at once, so a class of 10,000 notebooks is never
    all in memory."""
    from distributed import as_completed

    pending, owner, done = iter(items), {}, as_completed()
    threads = {"count": 0, "at": -THREADS_REFRESH_S}

    def top_up():
        if time.monotonic() - threads["at"] >= THREADS_REFRESH_S:  # a round trip to the scheduler
            threads.update(count=sum(client.nthreads().values()), at=time.monotonic())
        room = max(MIN_IN_FLIGHT, 2 * threads["count"]) - len(owner)
        for item in (next(pending, None) for _ in range(max(0, room))):
            if item is None:
                return
            key = f"grade-{item.student}__{item.assignment}-{uuid.uuid4().hex[:8]}"
            future = client.submit(task, payload(item), key=key, pure=False,
                                   priority=1 if item.student == REFERENCE_STUDENT else 0)
            owner[future] = item
            done.add(future)

    top_up()
    for future in done:
        item = owner.pop(future)
        try:
            outcome = future.result()
        except Exception as exc:  # the task's own exception, or KilledWorker
            outcome = exc
        future.release()
        top_up()
        yield item, outcome


# --- the worker side ------------------------------------------------------------------

def grade_task(payload):
    """On a Dask worker: grade the job ``payload`` describes (:func:`task_payload`); return
    ``{"result": Result as a dict, "files": {path in the job folder: bytes}, "worker":
    address}``. A worker that cannot grade as the submitting side would (other code,
    assignments or settings; no sandbox) returns an error result saying why."""
    from autograder.grading.job import run_job

    worker = _worker_name()
    problem = _worker_problem(payload)
    if problem:
        result = Result(payload["student"], payload["assignment"], status="error",
                        problems=[f"worker {worker}: {problem}"], digest=payload["digest"])
        return {"result": asdict(result), "files": {}, "worker": worker}
    settings = Settings(**payload["settings"])
    prepared = prepared_assignment(payload["verdicts"], payload["assignment"], settings)
    with scratch_work(prepared) as work:
        sub = received_submission(payload, work)
        result = run_job(work, sub, settings)
        files = pack_job(job_folder(work, sub.student, sub.assignment))
    return {"result": asdict(result), "files": files, "worker": worker}


def received_submission(payload, work):
    """The :class:`Submission` of ``payload``, its bytes written into ``work/received/``
    (outside the job folder, which ``run_job`` replaces)."""
    sub = Submission(payload["student"], payload["assignment"], None, note=payload["note"],
                     refused=payload["refused"])
    if payload["notebook"] is not None:
        sub.path = work / "received" / f"{sub.assignment}.ipynb"
        sub.path.parent.mkdir()
        sub.path.write_bytes(payload["notebook"])
    return sub


def pack_job(folder):
    """``{relative path: bytes}`` of the regular files in a job folder (links not followed),
    but for ``NOT_SHIPPED``: what the submitting side writes back with :func:`write_job`."""
    files = {}
    for top, dirs, names in os.walk(folder):
        rel_top = Path(top).relative_to(folder)
        if rel_top == Path("."):
            dirs[:] = [d for d in dirs if d not in NOT_SHIPPED]
        for name in names:
            path = Path(top) / name
            if stat.S_ISREG(path.lstat().st_mode):
                files[(rel_top / name).as_posix()] = path.read_bytes()
    return files


def _worker_name():
    from distributed import get_worker

    try:
        return get_worker().address
    except ValueError:  # called outside a worker (a test)
        return f"{socket.gethostname()}:{os.getpid()}"


def _worker_problem(payload):
    """Why this worker must not grade ``payload``'s job, or None."""
    mine = _verdict_digest(tuple(payload["assignments"]), json.dumps(payload["settings"],
                                                                     sort_keys=True))
    if mine != payload["verdicts"]:
        return (f"its grading code, assignments or settings differ from the submitting side's "
                f"(verdict digest {mine}, not {payload['verdicts']}): install the same commit "
                "of the course on every worker (`make env`); not graded")
    problem = sandbox_problem()
    if problem:
        return (f"the grading sandbox (bubblewrap) cannot start here: {problem}. It needs user "
                "namespaces (see autograder/SECURITY.md); not graded")
    return None


@functools.lru_cache(maxsize=16)
def _verdict_digest(names, settings_json):
    """This worker's own :func:`verdicts.verdict_digest`, computed once per run's settings."""
    return verdict_digest(list(names), Settings(**json.loads(settings_json)))


_sandbox_passed_at = None  # time.monotonic() of this process's last passed check


def sandbox_problem():
    """``kernel.check_sandbox()``, trusted for ``SANDBOX_RECHECK_S`` once it passed (it takes
    a few seconds: a local run checks before its first job, and its in-process workers then
    need not); a long-lived worker checks again after that, and a failure is checked again
    next time."""
    global _sandbox_passed_at
    if _sandbox_passed_at is not None and time.monotonic() - _sandbox_passed_at < SANDBOX_RECHECK_S:
        return None
    from autograder.kernel import check_sandbox

    problem = check_sandbox()
    _sandbox_passed_at = None if problem else time.monotonic()
    return problem


def worker_root():
    """``<tempdir>/rnn-course-worker``, this user's only (mode 0700): the kernel spec in its
    cache names the launcher that sandboxes student code, so no one else may write there.
    Held by another user, ``rnn-course-worker-<uid>`` serves instead."""
    for name in (CACHE, f"{CACHE}-{os.getuid()}"):
        root = Path(tempfile.gettempdir()) / name
        with contextlib.suppress(FileExistsError):
            root.mkdir(mode=0o700)
        info = root.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077:
            return root
    raise RuntimeError(f"{root} is not a private folder of this user: remove it or set TMPDIR")


def prepared_assignment(verdicts, name, settings, prepare=None):
    """The folder of assignment ``name`` prepared for grading on this worker (``course/``
    with its source and release, ``template.db``, the kernel spec in ``jupyter/``), made
    once per verdict digest under a file lock (worker threads and worker processes of one
    machine share it) and reused after. Its kernel spec names this installation's
    interpreter, which runs this installation's launcher: a cache is also per installation
    (``INSTALLATION``), so two checkouts of one commit on a machine never share one.
    ``prepare(folder, name, settings)`` makes it; by default as a local run prepares its
    course."""
    folder = worker_root() / f"{verdicts}-{INSTALLATION}" / name
    if folder.is_dir():
        return folder
    folder.parent.mkdir(exist_ok=True)
    with open(folder.parent / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed, or when the process dies
        if not folder.is_dir():  # another thread or process may have made it meanwhile
            partial = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=folder.parent))
            try:
                (prepare or _prepare)(partial, name, settings)
                partial.rename(folder)  # whole or not at all: nothing half-made is ever used
            finally:
                shutil.rmtree(partial, ignore_errors=True)  # gone if renamed
    return folder


def seed_cache(work, names, verdicts, settings):
    """Fill this machine's worker cache for ``names`` from ``work``, a run's course prepared
    under ``verdicts``, where it lacks them: the embedded cluster's workers then grade with
    the course the run has just made instead of making it again (a remote worker prepares
    its own)."""
    def copy(folder, name, settings):
        for kind in ("solutions", "notebooks"):
            shutil.copytree(work / "course" / kind / name, folder / "course" / kind / name)
        shutil.copy(work / "template.db", folder / "template.db")
        install_kernelspec(folder, settings)

    from autograder.kernel import install_kernelspec

    for name in names:
        prepared_assignment(verdicts, name, settings, prepare=copy)


def _prepare(folder, name, settings):
    from autograder.grading.run import prepare_course  # run imports this module
    from autograder.kernel import install_kernelspec

    prepare_course(folder, [name])
    install_kernelspec(folder, settings)


@contextlib.contextmanager
def scratch_work(prepared):
    """A work folder for one job, removed after it: links to ``prepared``'s course, template
    gradebook and kernel spec (read, never written, by ``run_job``) beside the job folder
    that ``run_job`` makes. Named after this process, so that the folders of a worker that
    was killed are removed by the next job on this machine."""
    root = worker_root() / "scratch"
    root.mkdir(exist_ok=True)
    _remove_orphans(root)
    work = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))
    try:
        for name in ("course", "template.db", "jupyter"):
            (work / name).symlink_to(prepared / name)
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _remove_orphans(root):
    """Remove the scratch folders whose process has ended."""
    for folder in root.iterdir():
        pid = folder.name.split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's: alive
        return True
    return True
