"""Grade a folder of submissions: one isolated nbgrader run per notebook, then one gradebook.

    python -m autograder grade SUBMISSIONS [--work .grading/run] [--jobs 2]

SUBMISSIONS is nbgrader's ``submitted/<student>/<assignment>/<assignment>.ipynb``
layout, or a flat folder of notebooks as an LMS download gives them
(``<student>_<anything>_<assignment>.ipynb``; see :func:`discover`).

Each (student, assignment) is autograded by its own ``nbgrader autograde`` in a
private course folder under ``WORK/jobs/``: a crash, a hang or a tampered
gradebook there cannot reach any other submission, and the whole run of one job
is bounded in time. Results land as JSON in ``WORK/results/`` (so a stopped run
resumes where it was), then a single writer copies the scores into
``WORK/course/gradebook.db`` -- nbgrader's gradebook, from which the grades CSV
and the feedback are made as usual.
"""

import concurrent.futures
import copy
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from autograder import ROOT, SOLUTIONS, assignments
from autograder.kernel import EXCHANGE_ENV, JOB_ENV, KERNEL_NAME, check_sandbox, remove_job_cgroup
from autograder.nbgrader_run import nbgrader
from autograder.probe_runner import EVIDENCE_KEY
from autograder.probes import probes_for
from autograder.settings import Settings

# starts with "_", which no student id can (see _student_id): a student cannot take its place
REFERENCE_STUDENT = "_reference-solution"
STUDENT_ID = re.compile(r"[^A-Za-z0-9_.-]+")
MAX_ID = 64  # longer ids are shortened with a hash: file names have limits
MAX_NOTEBOOK_MB = 20  # a solved notebook with its figures is under 2 MB
STEP_TIMEOUT = 1800  # seconds for one whole-class step after the jobs (feedback, export)


class SandboxUnavailable(RuntimeError):
    """The kernels cannot be sandboxed on this machine: nothing is graded."""


@dataclass
class Submission:
    student: str
    assignment: str
    path: Path  # None when the notebook is missing
    name: str = ""  # the student's name as the folder or file gave it
    note: str = ""  # a remark for the report (ids kept apart)


@dataclass
class Result:
    student: str
    assignment: str
    scores: dict = field(default_factory=dict)  # grade_id -> points earned
    max_scores: dict = field(default_factory=dict)  # grade_id -> points possible
    problems: list = field(default_factory=list)  # human-readable reasons
    status: str = "ok"  # ok | problem | invalid | missing | timeout | error
    seconds: float = 0.0
    digest: str = ""

    @property
    def score(self):
        return sum(self.scores.values())

    @property
    def max_score(self):
        return sum(self.max_scores.values())


# --- finding submissions --------------------------------------------------------------------

def _student_id(text):
    """A file-name-safe id (a long name is shortened, with a hash of the whole)."""
    safe = STUDENT_ID.sub("-", text.strip()).strip("-_.") or "unknown"
    return safe if len(safe) <= MAX_ID else f"{safe[:MAX_ID - 11]}-{_name_hash(text)}"


def _name_hash(text):
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:10]


def _keep_students_apart(found):
    """Names that differ only in characters a file name cannot hold (``Jösé``, ``Jåsé``)
    would share an id: each gets a hash of its own name instead, and a note says so."""
    names = {}
    for sub in found:
        names.setdefault(sub.student, set()).add(sub.name)
    for sub in found:
        if len(names[sub.student]) > 1:
            others = sorted(names[sub.student] - {sub.name})
            sub.note = (f"student name {sub.name!r} and {', '.join(map(repr, others))} map to the "
                        f"same id {sub.student!r}: graded apart as {sub.student}-{_name_hash(sub.name)}")
            sub.student = f"{sub.student[:MAX_ID - 11]}-{_name_hash(sub.name)}"
    return found


def discover(folder, names=None):
    """Submissions under ``folder`` and the files that could not be matched to an assignment.

    Layouts: ``<student>/<assignment>/<assignment>.ipynb`` (nbgrader), or flat
    ``*.ipynb`` whose name contains an assignment name; the student is what comes
    before it, up to the first ``_`` (Canvas: ``smithjane_1234_5678_00_sequence_data.ipynb``).
    A student with a folder but no notebook for an assignment is reported missing.
    """
    folder = Path(folder)
    names = names or assignments()
    found, unmatched = [], []
    if not folder.is_dir():
        raise FileNotFoundError(f"no submissions folder at {folder}")
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink() and entry.is_dir():  # could be another student's folder
            unmatched.append((entry, "a symbolic link: only regular files and folders are graded"))
        elif entry.is_dir() and not entry.name.startswith("."):
            student = _student_id(entry.name)
            for name in names:
                nb = entry / name / f"{name}.ipynb"
                if (entry / name).is_symlink():
                    unmatched.append((entry / name, "a symbolic link: only regular files and "
                                                    "folders are graded"))
                elif (entry / name).is_dir():
                    found.append(Submission(student, name, nb if nb.is_file() or nb.is_symlink() else None,
                                            entry.name))
            for sub in sorted(entry.iterdir()):
                if sub.is_dir() and sub.name not in names and not sub.name.startswith("."):
                    unmatched.append((sub, "folder is not an assignment of this course"))
        elif entry.suffix == ".ipynb":
            match = max((n for n in names if n in entry.stem), key=len, default=None)
            if match is None:
                unmatched.append((entry, "file name names no assignment of this course"))
                continue
            prefix = entry.stem.split(match)[0]
            raw = prefix.split("_")[0] or prefix
            found.append(Submission(_student_id(raw), match, entry, raw))
    seen = {}
    found = _keep_students_apart(found)
    for sub in found:  # an LMS may deliver resubmissions: keep the newest file
        key = (sub.student, sub.assignment)
        if key in seen and sub.path and seen[key].path:
            newer = max(seen[key], sub, key=lambda s: s.path.stat().st_mtime)
            older = sub if newer is seen[key] else seen[key]
            unmatched.append((older.path, f"older duplicate of {newer.path.name}"))
            sub = newer
        seen[key] = sub
    return list(seen.values()), unmatched


# --- preparing a run -------------------------------------------------------------------------

def _not_a_regular_file(path):
    """Why ``path`` (a submitted notebook) is not read, or ``None``: only regular files are."""
    if path.is_symlink():
        return "invalid submission: a symbolic link (only regular files are graded)"
    if not stat.S_ISREG(path.stat().st_mode):
        return "invalid submission: not a regular file (a device, pipe or folder)"
    if path.stat().st_size > MAX_NOTEBOOK_MB * 2**20:
        return f"invalid submission: the file is over {MAX_NOTEBOOK_MB} MB (clear the outputs?)"
    return None


def _file_digest(path):
    if not path:
        return "missing"
    if _not_a_regular_file(path):
        return "refused"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def prepare_course(work, names):
    """Create ``WORK/course`` (source copy, release, gradebook with the assignments)."""
    course = work / "course"
    course.mkdir(parents=True, exist_ok=True)
    for name in names:
        dest = course / "solutions" / name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(SOLUTIONS / name, dest, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        nbgrader(course, "generate_assignment", name, "--force")
    shutil.copy(course / "gradebook.db", work / "template.db")
    return course


def _grade_cells(nb):
    """``{grade_id: points}`` of the test cells of a source notebook."""
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            out[meta["grade_id"]] = float(meta.get("points", 0))
    return out


def inspect_submission(path, release_nb):
    """``(problem, notes)``: a reason the file cannot be graded at all, and remarks on it.

    Locked cells are compared with the release the student was given.
    """
    if path is None:
        return "missing: no notebook was submitted", []
    refused = _not_a_regular_file(path)
    if refused:
        return refused, []
    raw = path.read_bytes()
    if not raw.strip():
        return "invalid notebook: the file is empty", []
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if hasattr(exc, "lineno") else ""
        return f"invalid notebook: the file is not valid JSON{where} (truncated or edited by hand?)", []
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return f"invalid notebook: not a readable .ipynb ({reason})", []
    expected = {c.metadata["nbgrader"]["grade_id"]: c for c in release_nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id")}
    present, copies = {}, {}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid:
            present.setdefault(gid, cell)
            copies[gid] = copies.get(gid, 0) + 1
    if expected and not set(expected) & set(present):
        return "wrong assignment: none of this assignment's cells are in the notebook", []
    notes = []
    for gid, ref in expected.items():
        meta = ref.metadata["nbgrader"]
        cell = present.get(gid)
        if not meta.get("locked") and not meta.get("grade"):
            continue
        if cell is None:
            notes.append(f"locked cell {gid} was deleted (restored for grading)")
        elif cell.source.strip() != ref.source.strip():
            notes.append(f"locked cell {gid} was edited (restored for grading)")
        elif any(cell.metadata.get("nbgrader", {}).get(k) != meta.get(k)
                 for k in ("grade", "solution", "locked", "points")):
            notes.append(f"cell {gid} had its grading metadata changed (restored for grading)")
    notes += [f"cell {gid} appears {n} times (only the first is graded)"
              for gid, n in copies.items() if n > 1 and gid in expected]
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel and kernel != release_nb.metadata.get("kernelspec", {}).get("name"):
        notes.append(f"kernelspec changed to {kernel!r} (the course kernel was used)")
    return None, notes


def normalize_submission(nb, release_nb):
    """Put back every locked cell and all grading metadata exactly as the release has them.

    nbgrader refuses a notebook whose cell metadata changed ("Inconsistent
    checksums") and restores a deleted test cell only as a commented-out copy that
    passes by doing nothing. Here a deleted cell is re-inserted after the cell that
    precedes it in the release, and edited locked cells and metadata are reset;
    nbgrader then swaps in the source versions (with the hidden tests) as usual.
    """
    release = [c for c in release_nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")]
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in release}
    kept, seen = [], set()
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid is not None and (gid not in by_id or gid in seen):
            cell.metadata.pop("nbgrader", None)  # invented or duplicated ids grade nothing
            gid = None
        if gid is not None:
            seen.add(gid)
            ref = by_id[gid]
            if cell.cell_type != ref.cell_type:
                continue  # re-inserted below with the right type
            cell.metadata = copy.deepcopy(ref.metadata)
            if not ref.metadata["nbgrader"].get("solution"):
                cell.source = ref.source
        kept.append(cell)
    nb.cells = kept
    present = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)}
    for i, ref in enumerate(release):
        gid = ref.metadata["nbgrader"]["grade_id"]
        if gid in present:
            continue
        after = next((present[r.metadata["nbgrader"]["grade_id"]] for r in reversed(release[:i])
                      if r.metadata["nbgrader"]["grade_id"] in present), -1)
        nb.cells.insert(after + 1, copy.deepcopy(ref))
        present = {c.metadata.get("nbgrader", {}).get("grade_id"): j for j, c in enumerate(nb.cells)}
    nb.metadata["kernelspec"] = copy.deepcopy(release_nb.metadata.get("kernelspec", {}))
    return nb


# --- one job ---------------------------------------------------------------------------------

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


def run_job(work, sub, settings):
    """Autograde one submission in its own course folder; return a :class:`Result`."""
    start = time.monotonic()
    result = Result(sub.student, sub.assignment, digest=_file_digest(sub.path))
    course = work / "course"
    source_nb = nbformat.read(course / "solutions" / sub.assignment / f"{sub.assignment}.ipynb", 4)
    release_nb = nbformat.read(course / "notebooks" / sub.assignment / f"{sub.assignment}.ipynb", 4)
    result.max_scores = _grade_cells(source_nb)
    if sub.note:
        result.problems.append(sub.note)
    result.scores = {gid: 0.0 for gid in result.max_scores}
    problem, notes = inspect_submission(sub.path, release_nb)
    result.problems.extend(notes)
    if problem:
        result.status = problem.split(":")[0].split()[0]
        result.problems.insert(0, problem)
        result.seconds = time.monotonic() - start
        return result

    job = work / "jobs" / f"{sub.student}__{sub.assignment}"
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
    try:
        proc = nbgrader(job, *args, env=env, check=False, log=log_file,
                        timeout=settings.job_timeout)
    except subprocess.TimeoutExpired:
        proc = None
    finally:
        _kill_job_processes(marker)
    log = log_file.read_text(errors="replace") if log_file.exists() else ""
    if probe_file.is_file() and probe_file.stat().st_size < 64 * 2**20:
        shutil.copy(probe_file, job / "probes.npz")
    shutil.rmtree(exchange, ignore_errors=True)
    autograded = job / "autograded" / sub.student / sub.assignment / f"{sub.assignment}.ipynb"
    if proc is None or proc.returncode != 0 or not autograded.is_file():
        result.status = "timeout" if proc is None else "error"
        tail = " | ".join(line for line in log.splitlines()[-200:] if "[ERROR]" in line)[-400:]
        result.problems.insert(0, "grading timed out: the notebook ran past "
                               f"{settings.job_timeout} s" if proc is None else
                               f"nbgrader could not grade the notebook: {tail or 'see nbgrader.log'}")
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


# --- probes ----------------------------------------------------------------------------------

def compare_probes(assignment, reference_file, student_file):
    """``{grade_id: None or reason}``: whether the student's probe outputs match the reference."""
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
            for key in ref_keys:
                name = key[len(prefix):]
                if key not in got:
                    reason = f"{probe.__name__}: no output {name}"
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


# --- the whole run ---------------------------------------------------------------------------

def grade(submissions, work, jobs=2, settings=None, feedback=True, progress=True):
    """Grade every submission in ``submissions``; return ``(results, unmatched)``."""
    from tqdm import tqdm

    from autograder.kernel import install_kernelspec

    settings = settings or Settings()
    problem = check_sandbox()
    if problem:
        raise SandboxUnavailable(f"the grading sandbox (bubblewrap) cannot start here: {problem}. "
                                 "It needs user namespaces (see autograder/SECURITY.md); "
                                 "no notebook was graded")
    work = Path(work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    names = assignments()
    subs, unmatched = discover(submissions, names)
    used = sorted({s.assignment for s in subs})
    state_file = work / "run.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    digest = _verdict_digest(used, settings)
    if state.get("verdicts") != digest:  # a new run, or something that judges changed
        state = {"seed": int.from_bytes(os.urandom(4), "little"), "verdicts": digest}
        shutil.rmtree(work / "results", ignore_errors=True)
        prepare_course(work, used)
        state_file.write_text(json.dumps(state))
    settings.seed = state["seed"]
    install_kernelspec(work, settings)
    results_dir = work / "results"
    results_dir.mkdir(exist_ok=True)

    todo = [Submission(REFERENCE_STUDENT, a, SOLUTIONS / a / f"{a}.ipynb") for a in used] + subs
    results = {}
    pending = []
    for sub in todo:
        cached = results_dir / f"{sub.student}__{sub.assignment}.json"
        if cached.exists():
            data = json.loads(cached.read_text())
            if data.get("digest") == _file_digest(sub.path) and data.get("status") != "error":
                results[(sub.student, sub.assignment)] = Result(**data)
                continue
        pending.append(sub)

    def finish(sub, result):
        results[(sub.student, sub.assignment)] = result
        tmp = results_dir / f".{sub.student}__{sub.assignment}.json"
        tmp.write_text(json.dumps(asdict(result), indent=1))
        os.replace(tmp, results_dir / f"{sub.student}__{sub.assignment}.json")

    refs = [s for s in pending if s.student == REFERENCE_STUDENT]
    others = [s for s in pending if s.student != REFERENCE_STUDENT]
    bar = tqdm(total=len(pending), desc="grading", unit="nb", disable=not progress)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for batch in (refs, others):  # the reference's probe outputs are needed by the others
            futures = {pool.submit(run_job, work, sub, settings): sub for sub in batch}
            for future in concurrent.futures.as_completed(futures):
                sub = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # a bug in the grader must not lose the other grades
                    result = Result(sub.student, sub.assignment, status="error",
                                    problems=[f"grader error: {type(exc).__name__}: {exc}"],
                                    digest=_file_digest(sub.path))
                finish(sub, result)
                bar.update()
    bar.close()

    for (student, _), result in results.items():
        if student != REFERENCE_STUDENT and result.status in ("ok", "problem"):
            _apply_probes(work, result)
    reference_failures = {a: r for (s, a), r in results.items()
                          if s == REFERENCE_STUDENT and r.score < r.max_score}
    final = [r for (s, _), r in sorted(results.items()) if s != REFERENCE_STUDENT]
    for r in final:
        if r.problems and r.status == "ok":
            r.status = "problem"
    write_gradebook(work, final, used)
    if feedback:
        write_feedback(work, final, used)
    export_csv(work, final, used)
    write_report(work, final, unmatched, reference_failures)
    return final, unmatched, reference_failures


def _apply_probes(work, result):
    """Zero the test cells whose passing result the out-of-process probes contradict."""
    job_dir = lambda student: work / "jobs" / f"{student}__{result.assignment}"
    verdicts = compare_probes(result.assignment, job_dir(REFERENCE_STUDENT) / "probes.npz",
                              job_dir(result.student) / "probes.npz")
    student = _load_npz(job_dir(result.student) / "probes.npz") or {}
    evidence = str(student.get(EVIDENCE_KEY, "")) if EVIDENCE_KEY in student else ""
    for grade_id, reason in verdicts.items():
        if reason and result.scores.get(grade_id, 0) > 0:
            result.scores[grade_id] = 0.0
            # a failed probe alone may be an honest bug the tests missed: only replaced
            # checks in the kernel make it tampering
            note = (f"tampering suspected in {grade_id}: its tests passed in the notebook, but "
                    f"{reason} ({evidence})" if evidence else
                    f"{grade_id}: its tests passed, but the grader's check on new random inputs "
                    f"failed ({reason}): a case the notebook's tests do not cover")
            if note not in result.problems:
                result.problems.append(note)
            result.status = "problem"


def _verdict_digest(names, settings):
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


def write_gradebook(work, results, names):
    """Copy every result's scores into the course gradebook (the only writer: no lock errors)."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session handling
    course = work / "course"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="rnn-course") as gb:
        for r in results:
            gb.update_or_create_student(r.student)
            gb.update_or_create_submission(r.assignment, r.student)
            for grade_id, score in r.scores.items():
                grade = gb.find_grade(grade_id, r.assignment, r.assignment, r.student)
                grade.auto_score = score
                grade.manual_score = None
                grade.extra_credit = None
                grade.needs_manual_grade = False
        gb.db.commit()


def write_feedback(work, results, names):
    """Per-student HTML feedback, with hidden tests stripped, in ``WORK/feedback``."""
    from autograder.feedback import note_failed_dependencies, without_hidden_tests

    course = work / "course"
    sources = {name: nbformat.read(course / "solutions" / name / f"{name}.ipynb", as_version=4)
               for name in names}
    releases = {name: nbformat.read(course / "notebooks" / name / f"{name}.ipynb", as_version=4)
                for name in names}
    for r in results:
        src = work / "jobs" / f"{r.student}__{r.assignment}" / "autograded" / r.student / r.assignment
        dest = course / "autograded" / r.student / r.assignment
        if dest.exists():
            shutil.rmtree(dest)
        if (src / f"{r.assignment}.ipynb").is_file():
            dest.mkdir(parents=True)
            nb = nbformat.read(src / f"{r.assignment}.ipynb", as_version=4)
            nb = note_failed_dependencies(without_hidden_tests(nb, releases[r.assignment]),
                                          sources[r.assignment],
                                          r.scores, r.max_scores)
            nbformat.write(nb, dest / f"{r.assignment}.ipynb")
            shutil.copy(src / "timestamp.txt", dest) if (src / "timestamp.txt").exists() else None
    for name in names:
        try:
            nbgrader(course, "generate_feedback", name, "--force", check=False,
                     timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"feedback for {name} took over {STEP_TIMEOUT} s and was stopped: "
                  "some students have no feedback file", file=sys.stderr)
    out = work / "feedback"
    if out.exists():
        shutil.rmtree(out)
    if (course / "feedback").exists():
        shutil.copytree(course / "feedback", out)


def export_csv(work, results, names):
    """``WORK/grades.csv``: one row per student and assignment, nbgrader's export columns."""
    try:
        nbgrader(work / "course", "export", f"--to={work / 'grades.csv'}", check=False,
                 timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"nbgrader export took over {STEP_TIMEOUT} s and was stopped: grades.csv is "
              "missing (problems.csv has every score)", file=sys.stderr)
    with open(work / "problems.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "assignment", "score", "max_score", "status", "problems"])
        for r in results:
            writer.writerow([r.student, r.assignment, r.score, r.max_score, r.status,
                             "; ".join(r.problems)])


def write_report(work, results, unmatched, reference_failures):
    """Summary table (student x assignment) and one line per problem, printed and saved."""
    names = sorted({r.assignment for r in results})
    by_student = {}
    for r in results:
        by_student.setdefault(r.student, {})[r.assignment] = r
    short = [n.split("_")[0] for n in names]
    lines = ["| student | " + " | ".join(short) + " | total | problems |",
             "|---|" + "---:|" * (len(names) + 1) + "---|"]
    for student, rows in sorted(by_student.items()):
        cells = [f"{rows[n].score:g}/{rows[n].max_score:g}" if n in rows else "-" for n in names]
        total = sum(r.score for r in rows.values())
        possible = sum(r.max_score for r in rows.values())
        n_problems = sum(1 for r in rows.values() if r.problems)
        lines.append(f"| {student} | " + " | ".join(cells) + f" | {total:g}/{possible:g} | "
                     f"{n_problems or ''} |")
    lines += ["", "Problems:"]
    for r in results:
        for p in r.problems:
            lines.append(f"- {r.student} / {r.assignment}: {p}")
    for path, why in unmatched:
        lines.append(f"- (not graded) {path}: {why}")
    for a, r in reference_failures.items():
        lines.append(f"- !! the reference solution of {a} scored {r.score:g}/{r.max_score:g}: "
                     f"{'; '.join(r.problems) or 'see its job folder'}")
    if lines[-1] == "Problems:":
        lines.append("- none")
    seconds = [r.seconds for r in results if r.seconds]
    if seconds:
        lines += ["", f"{len(seconds)} notebooks graded, {np.mean(seconds):.1f} s each on average."]
    text = "\n".join(lines)
    (work / "report.md").write_text(text + "\n")
    print(text)
    return text


def main_grade(args):
    settings = Settings(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                        memory_mb=args.memory_mb)
    try:
        results, _, ref_fail = grade(args.submissions, args.work, jobs=args.jobs,
                                     settings=settings, feedback=not args.no_feedback)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    work = Path(args.work).resolve()
    print(f"\ngrades: {work / 'grades.csv'}\nproblems: {work / 'problems.csv'}\n"
          f"feedback: {work / 'feedback'}\nreport: {work / 'report.md'}")
    return 1 if ref_fail else 0
