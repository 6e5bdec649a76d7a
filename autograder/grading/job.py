"""One job: a submission autograded by its own nbgrader run, its kernel in the sandbox."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import nbformat

from autograder.grading.model import Result, job_folder
from autograder.grading.submission import (
    file_digest,
    grade_cells,
    inspect_submission,
    normalize_submission,
)
from autograder.kernel import EXCHANGE_ENV, JOB_ENV, KERNEL_NAME, remove_job_cgroup
from autograder.nbgrader_run import kill_session, nbgrader


def _kill_job_processes(marker):
    """Kill what a job left running outside its sandbox (the launcher, bwrap) and its cgroup.

    Inside, the sandbox's pid namespace ends every process with the kernel.
    """
    needle = f"{JOB_ENV}={marker}".encode()
    me = os.getpid()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            pid = int(proc.name)
            if pid != me and needle in (proc / "environ").read_bytes().split(b"\0"):
                os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            continue
    remove_job_cgroup(marker)

class _ExchangeWatchdog:
    """Stops a job whose kernel fills the exchange folder. Its other writable folders are
    size-capped tmpfs inside the sandbox; this one is on the grader's disk (the grader
    reads it), where only ``RLIMIT_FSIZE`` caps each file, so its total is watched."""

    def __init__(self, folder, max_mb, marker, every_s=0.2):
        self.folder, self.limit, self.marker = folder, max_mb * 2**20, marker
        self.tripped, self.nbgrader_pid = False, None  # set once nbgrader runs
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(every_s,), daemon=True)
        self._thread.start()

    def watch(self, pid):
        """Also stop nbgrader (process ``pid``, its session) if the folder overflows."""
        self.nbgrader_pid = pid

    def _size(self):
        total, stack = 0, [self.folder]
        while stack:
            try:
                with os.scandir(stack.pop()) as entries:
                    for entry in entries:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        else:
                            total += entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
        return total

    def _watch(self, every_s):
        while not self._done.wait(every_s):
            if self._size() > self.limit:
                self.tripped = True
                if self.nbgrader_pid:  # before the kernel: it would restart it
                    kill_session(self.nbgrader_pid)
                _kill_job_processes(self.marker)
                return

    def stop(self):
        self._done.set()
        self._thread.join()


def run_job(work, sub, settings):
    """Autograde one submission in its own course folder; return a :class:`Result`."""
    start, started = time.monotonic(), time.time()
    result = Result(sub.student, sub.assignment, digest=file_digest(sub.path, sub.refused))
    course = work / "course"
    source_nb = nbformat.read(course / "solutions" / sub.assignment / f"{sub.assignment}.ipynb", 4)
    release_nb = nbformat.read(course / "notebooks" / sub.assignment / f"{sub.assignment}.ipynb", 4)
    result.max_scores = grade_cells(source_nb)
    if sub.note:
        result.problems.append(sub.note)
    result.scores = {gid: 0.0 for gid in result.max_scores}
    problem, notes = inspect_submission(sub.path, release_nb, sub.refused)
    result.problems.extend(notes)
    if problem:
        result.status = problem.split(":")[0].split()[0]
        result.problems.insert(0, problem)
        result.seconds = time.monotonic() - start
        return result

    job = job_folder(work, sub.student, sub.assignment)
    if job.exists():
        shutil.rmtree(job)
    (job / "solutions").mkdir(parents=True)
    shutil.copytree(course / "solutions" / sub.assignment, job / "solutions" / sub.assignment)
    shutil.copy(work / "template.db", job / "gradebook.db")
    submitted = job / "submitted" / sub.student / sub.assignment
    submitted.mkdir(parents=True)
    student_nb = nbformat.read(sub.path, as_version=4)
    nbformat.write(normalize_submission(student_nb, release_nb), submitted / f"{sub.assignment}.ipynb")
    marker = f"{os.getpid()}-{sub.student}-{sub.assignment}"
    # the one folder the sandboxed kernel shares with the grader: its unix sockets, its
    # connection file and the probes' output; a short path (socket names are limited
    # to ~100 characters)
    exchange = Path(tempfile.mkdtemp(prefix="rnn-kernel-"))
    env = dict(os.environ, JUPYTER_PATH=str(work / "jupyter"), **{JOB_ENV: marker, EXCHANGE_ENV: str(exchange)})
    env.pop("RNN_COURSE_RECORD_REFERENCES", None)
    events = job / "events.jsonl"
    probe_file = exchange / "probes.npz"
    args = [
        "autograde", sub.assignment, "--student", sub.student, "--force", "--create",
        f"--Execute.timeout={settings.cell_timeout}",
        f"--GuardedExecute.timeout={settings.cell_timeout}",
        f"--GuardedExecute.notebook_timeout={settings.notebook_timeout}",
        f"--GuardedExecute.probe_assignment={sub.assignment}",
        f"--GuardedExecute.probe_seed={settings.seed}",
        f"--GuardedExecute.probe_output={probe_file}",
        f"--GuardedExecute.event_log={events}",
        f"--GuardedExecute.kernel_name={KERNEL_NAME}",
        f"--GuardedExecute.max_output_chars={settings.max_output_chars}",
        f"--GuardedExecute.max_rich_chars={settings.max_rich_chars}",
        f"--GuardedExecute.max_restarts={settings.max_restarts}",
        # unix sockets: the kernel has no network, not even loopback
        "--KernelManager.transport=ipc", f"--KernelManager.ip={exchange / 'ipc'}",
    ]
    log_file = job / "nbgrader.log"
    watchdog = _ExchangeWatchdog(exchange, settings.max_exchange_mb, marker)
    nbgrader_started = time.time()
    try:
        returncode = nbgrader(job, *args, env=env, check=False, log=log_file,
                              timeout=settings.job_timeout, started=watchdog.watch).returncode
    except subprocess.TimeoutExpired:
        returncode = None
    finally:
        watchdog.stop()
        _kill_job_processes(marker)
    nbgrader_finished = time.time()
    log = log_file.read_text(errors="replace") if log_file.exists() else ""
    # the kernel wrote this folder: a link (to the reference job's outputs, say) is not read
    if probe_file.is_file() and not probe_file.is_symlink() and probe_file.lstat().st_size < 64 * 2**20:
        shutil.copy(probe_file, job / "probes.npz")
    shutil.rmtree(exchange, ignore_errors=True)
    autograded = job / "autograded" / sub.student / sub.assignment / f"{sub.assignment}.ipynb"
    if returncode != 0 or not autograded.is_file():
        result.status = "timeout" if returncode is None else "error"
        tail = " | ".join(line for line in log.splitlines()[-200:] if "[ERROR]" in line)[-400:]
        if watchdog.tripped:
            why = (f"the kernel wrote more than {settings.max_exchange_mb} MiB into the folder it "
                   "shares with the grader: the job was stopped")
        elif returncode is None:
            why = f"grading timed out: the notebook ran past {settings.job_timeout} s"
        else:
            why = f"nbgrader could not grade the notebook: {tail or 'see nbgrader.log'}"
        result.problems.insert(0, why)
        result.seconds = time.monotonic() - start
        return result

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{job / 'gradebook.db'}", course_id="rnn-course") as gb:
        nb_sub = gb.find_submission_notebook(sub.assignment, sub.assignment, sub.student)
        for grade in nb_sub.grades:
            if grade.name in result.max_scores:
                # the grader, not a kernel that could write this database, owns the maximum
                result.scores[grade.name] = min(float(grade.score or 0), result.max_scores[grade.name])
    executed = nbformat.read(autograded, as_version=4)
    for gid, earned in _trusted_scores(executed, result.max_scores).items():
        result.scores[gid] = min(result.scores[gid], earned)
    result.problems.extend(_cell_problems(executed, events))
    result.seconds = time.monotonic() - start
    with open(events, "a") as f:  # after the kernel's timing line (see autograder.execute)
        f.write(json.dumps(dict(kind="job", started=started, nbgrader_started=nbgrader_started,
                                nbgrader_finished=nbgrader_finished, finished=time.time())) + "\n")
    return result

def _trusted_scores(nb, max_scores):
    """``{grade_id: points}`` by the course's rule: a test cell earns its points if it raised
    nothing. nbgrader reads an ``execute_result`` that comes before the error as partial
    credit, and student code can emit one; the course grants no partial credit."""
    scores = {}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in max_scores and cell.cell_type == "code":
            failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            scores[gid] = 0.0 if failed else max_scores[gid]
    return scores

def _cell_problems(nb, events):
    """Reasons for failures that are not plain wrong answers: timeouts, dead kernels, memory."""
    problems = []
    if events.exists():
        for line in events.read_text().splitlines():
            ev = json.loads(line)
            where = f"cell {ev.get('grade_id') or '#' + str(ev.get('cell'))}"
            text = {"cell_timeout": f"timeout in {where}",
                    "CellTimeout": f"{where} hung and ignored the interrupt (kernel restarted)",
                    "KernelDied": f"kernel died in {where} (restarted)",
                    "notebook_timeout": f"notebook time limit reached before {where}",
                    "gave_up": f"kernel could not be recovered after {where}"}.get(ev["kind"])
            if text and text not in problems:
                problems.append(text)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") == "MemoryError":
                gid = cell.metadata.get("nbgrader", {}).get("grade_id") or "an unnamed cell"
                problems.append(f"memory limit hit in cell {gid}")
                break
    return problems
