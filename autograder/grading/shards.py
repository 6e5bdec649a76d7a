"""A class graded as N independent shards, then merged: for batch schedulers (a Slurm array,
a Kubernetes Indexed Job) that run the same command N times without talking to each other.

    python -m autograder grade SUBMISSIONS --work W_K --shard K/N     # K = 1..N, anywhere
    python -m autograder grade --merge W_1 ... W_N --work W           # one gradebook

A student belongs to shard K of N when ``int(sha256(id), 16) % N == K - 1``: all of a
student's notebooks land in one shard, and adding students moves no one else. Every shard
grades the reference solution too (the probes compare each job with it). A shard's
``run.json`` records, beside the seed and the verdict digest of any run::

    "shard": [K, N], "class": digest of the whole class's (student, assignment) list,
    "assignments": [...], "unmatched": [[path, why], ...],
    "submissions": [{"student", "assignment", "digest", "submitted_at", "submitted_from"}]

(its share of the class, with each notebook's digest and submission time, which a merge's
late policy needs: the merge has no submission files). This module reads and checks
those records and copies a shard's files into the merged folder; ``run.merge`` does the
rest with the same verdict and output functions as a local run.
"""

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from autograder.grading.discover import student_id
from autograder.grading.late import TIMESTAMP_FILE, submission_time
from autograder.grading.model import REFERENCE_STUDENT, Result, job_folder
from autograder.grading.submission import file_digest

# what a shard's run.json holds beyond a plain run's (see the module's docstring)
SHARD_KEYS = ("shard", "verdicts", "class", "assignments", "submissions", "unmatched")
MAX_LISTED = 10  # submissions named in one refusal; the rest are counted
RAN = ("ok", "problem")  # statuses of a job that ran: its verdicts need its job folder


class ShardError(ValueError):
    """A ``--shard`` or ``--merge`` that cannot be done as asked; the message says why."""


def parse_shard(text):
    """``(K, N)`` from ``"K/N"`` (shard K of N, 1 <= K <= N)."""
    k, sep, n = str(text).strip().partition("/")
    try:
        k, n = int(k), int(n)
    except ValueError:
        k = n = 0
    if not sep or not 1 <= k <= n:
        raise ShardError(f"--shard takes K/N with 1 <= K <= N (shard K of N), e.g. 2/8; "
                         f"got {text!r}")
    return k, n


def shard_of(student, n):
    """The shard (1..n) that grades ``student``, a student id as ``discover`` gives it."""
    return int(hashlib.sha256(student.encode("utf-8")).hexdigest(), 16) % n + 1


def in_shard(subs, shard):
    """The submissions of ``subs`` that shard ``(K, N)`` grades."""
    k, n = shard
    return [s for s in subs if shard_of(s.student, n) == k]


def class_digest(keys):
    """A digest of a class's ``(student, assignment)`` list, in any order."""
    return hashlib.sha256(json.dumps(sorted(map(list, keys))).encode()).hexdigest()[:16]


def _spec(shard):
    return f"{shard[0]}/{shard[1]}"


def check_work(state, shard, work):
    """Refuse to grade into ``work`` (its ``run.json`` read as ``state``) when it holds another
    kind of run: each shard, and a run of the whole class, needs a work folder of its own,
    and a merged folder has no jobs to resume. ``shard``: ``(K, N)`` or None."""
    if "merged" in state:
        raise ShardError(f"{work} holds a merge of shards, which grades nothing: grade into a "
                         "work folder of its own")
    if not state.get("verdicts"):  # a new folder
        return
    had = tuple(state["shard"]) if state.get("shard") else None
    if had == shard:
        return
    if shard is None:
        raise ShardError(f"{work} holds shard {_spec(had)} of a class: pass --shard {_spec(had)} "
                         "to resume or regrade it, or grade the whole class into another folder")
    if had is None:
        raise ShardError(f"{work} holds a run of the whole class: a shard needs a work folder "
                         "of its own")
    raise ShardError(f"{work} holds shard {_spec(had)}, not {_spec(shard)}: every shard needs a "
                     "work folder of its own")


def check_regrade(subs, students, shard):
    """A ``--student`` regrade in a shard takes only that shard's students: another's is
    refused with the shard that grades them (an unknown id is left to the regrade's check)."""
    k, n = shard
    known = {s.student for s in subs}
    for raw in students or ():
        sid = student_id(raw)
        if sid in known and shard_of(sid, n) != k:
            raise ShardError(f"{raw} is graded by shard {shard_of(sid, n)}/{n}, not {k}/{n}: "
                             f"regrade them with --shard {shard_of(sid, n)}/{n} in that shard's "
                             "work folder")


def shard_record(shard, class_subs, subs, unmatched, names):
    """What a shard run adds to its ``run.json`` for the merge (see the module's docstring).
    The submission times are kept to the microsecond: a late policy compares them with the
    deadline as a local run does."""
    entries = []
    for sub in subs:
        when, source = submission_time(sub)
        entries.append({"student": sub.student, "assignment": sub.assignment,
                        "digest": file_digest(sub.path),
                        "submitted_at": when.isoformat() if when else "",
                        "submitted_from": source})
    return {"shard": list(shard), "assignments": list(names),
            "class": class_digest((s.student, s.assignment) for s in class_subs),
            "submissions": entries, "unmatched": [[str(p), why] for p, why in unmatched]}


@dataclass
class ShardRun:
    """One shard's work folder and its ``run.json``."""

    folder: Path
    state: dict

    @property
    def spec(self):
        return tuple(self.state["shard"])

    @property
    def label(self):
        return f"shard {_spec(self.spec)} ({self.folder})"

    @property
    def keys(self):
        """``(student, assignment)`` of the shard's submissions, as it discovered them."""
        return [(e["student"], e["assignment"]) for e in self.state["submissions"]]

    @property
    def references(self):
        return [(REFERENCE_STUDENT, a) for a in self.state["assignments"]]

    def result_file(self, key):
        return self.folder / "results" / f"{key[0]}__{key[1]}.json"

    def results(self):
        """``{(student, assignment): Result}`` of the shard's submissions and references, as
        its jobs left them (before the verdicts: ``run.judge`` applies those)."""
        return {key: _read_result(self.result_file(key)) for key in self.references + self.keys}


def _read_result(path):
    """The :class:`Result` in ``path``, or None when it is absent or not one."""
    try:
        return Result(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def read_shards(dirs):
    """The :class:`ShardRun` of each folder in ``dirs``, in shard order, once they are checked
    to be shards 1..N of one split of one class, graded with the same verdict digest (the
    same grading code, assignments and settings; each has its own probe seed), no student
    in two of them, each complete. Otherwise :class:`ShardError` says what is wrong."""
    runs = [_read_run(d) for d in dirs]
    _check_specs(runs)
    _check_same(runs, "verdicts", "the shards were graded with different grading code, "
                "assignments or settings: their verdicts cannot be merged. Grade them again "
                "with the same code and settings")
    _check_same(runs, "class", "the shards saw different classes (a submission added or "
                "removed between their runs, or another folder): run every shard again on the "
                "same submissions (notebooks graded before are not graded again)")
    _check_students(runs)
    _check_complete(runs)
    return sorted(runs, key=lambda r: r.spec)


def _read_run(folder):
    folder = Path(folder)
    state_file = folder.resolve() / "run.json"
    if not folder.is_dir():
        raise ShardError(f"no folder at {folder}")
    if not state_file.is_file():
        raise ShardError(f"{folder} is not a shard run (no run.json): give the work folders of "
                         "`grade --shard K/N` runs")
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError) as exc:
        raise ShardError(f"{state_file} cannot be read: {exc}") from None
    if not isinstance(state, dict) or "merged" in state:
        raise ShardError(f"{folder} is not a shard run: it holds a merge of shards")
    if "shard" not in state:
        raise ShardError(f"{folder} is not a shard run: it holds a run of the whole class "
                         "(`grade --shard K/N` makes a shard)")
    lacking = [k for k in SHARD_KEYS if k not in state]
    if lacking:
        raise ShardError(f"{folder} is not a complete shard run: its run.json lacks "
                         f"{', '.join(lacking)}")
    return ShardRun(folder.resolve(), state)


def _check_specs(runs):
    """One N for all, each K once, none missing."""
    counts = {run.spec[1] for run in runs}
    if len(counts) > 1:
        raise ShardError("the folders are shards of different splits: "
                         + ", ".join(f"{run.folder} is {_spec(run.spec)}" for run in runs))
    n = counts.pop()
    seen = {}
    for run in runs:
        if run.spec in seen:
            raise ShardError(f"shard {_spec(run.spec)} is given twice: {seen[run.spec].folder} "
                             f"and {run.folder}")
        seen[run.spec] = run
    missing = sorted(set(range(1, n + 1)) - {k for k, _ in seen})
    if missing:
        raise ShardError(f"missing shard(s) {', '.join(map(str, missing))} of {n}: give the "
                         f"work folders of all {n} shards")


def _check_same(runs, key, why):
    values = {run.state[key] for run in runs}
    if len(values) > 1:
        listed = ", ".join(f"{_spec(run.spec)}: {run.state[key]}" for run in runs)
        raise ShardError(f"{why} ({key}: {listed})")


def _check_students(runs):
    """No student in two shards, each in the shard that grades them, and together the class
    every shard discovered."""
    owner = {}
    for run in runs:
        for student in sorted({s for s, _ in run.keys}):
            if student in owner:
                raise ShardError(f"student {student} is in two shards: {owner[student].label} "
                                 f"and {run.label}")
            owner[student] = run
    for student, run in sorted(owner.items()):
        k, n = run.spec
        if shard_of(student, n) != k:
            raise ShardError(f"student {student} is listed by {run.label}, but shard "
                             f"{shard_of(student, n)}/{n} grades them: that shard's run.json "
                             "was not written by this grader's --shard")
    if class_digest(key for run in runs for key in run.keys) != runs[0].state["class"]:
        raise ShardError("the shards' submissions do not add up to the class they discovered: "
                         "run every shard again on the same submissions")


def _check_complete(runs):
    """Every submission of every shard (and every reference) has a result of the notebook as
    discovered, and a job that ran still has its folder (the probe outputs the verdicts are
    made from). An ``error`` result is a result."""
    gaps = []
    for run in runs:
        digests = {(e["student"], e["assignment"]): e["digest"] for e in run.state["submissions"]}
        for key in run.references + run.keys:
            gap = _gap(run, key, digests.get(key))
            if gap:
                gaps.append(f"{_spec(run.spec)}: {key[0]}/{key[1]} {gap}")
    if gaps:
        more = f" (and {len(gaps) - MAX_LISTED} more)" if len(gaps) > MAX_LISTED else ""
        raise ShardError("incomplete shard(s): " + "; ".join(gaps[:MAX_LISTED]) + more
                         + ". Run those shards again to finish them (what they graded is kept); "
                         "copy a shard's whole work folder, jobs/ included")


def _gap(run, key, digest):
    """Why the result of ``key`` in ``run`` cannot be merged, or None."""
    result = _read_result(run.result_file(key))
    if result is None:
        return "has no result"
    if digest is not None and result.digest != digest:
        return "changed since its result"
    if result.status in RAN and not job_folder(run.folder, *key).is_dir():
        return "has no job folder (its probe outputs)"
    return None


def check_merge_target(work, runs):
    """The merge writes into a folder of its own: not a shard's, not a grading run's."""
    if any(work == run.folder for run in runs):
        raise ShardError(f"{work} is one of the shards: merge into a work folder of its own")
    state_file = work / "run.json"
    if state_file.is_file():
        try:
            state = json.loads(state_file.read_text())
        except (OSError, ValueError):
            state = {}
        if not isinstance(state, dict) or "merged" not in state:
            raise ShardError(f"{work} holds a grading run: merge into a work folder of its own")


def recorded_times(runs):
    """``{(student, assignment): (aware datetime or None, source)}`` as the shards recorded
    them (:func:`late.submission_time` when they discovered the notebooks)."""
    times = {}
    for run in runs:
        for e in run.state["submissions"]:
            when = datetime.fromisoformat(e["submitted_at"]) if e["submitted_at"] else None
            times[(e["student"], e["assignment"])] = (when, e["submitted_from"])
    return times


def _replace_tree(src, dest, ignore=None):
    """``dest`` becomes a copy of ``src``, or absent when ``src`` is."""
    if dest.exists():
        shutil.rmtree(dest)
    if src.is_dir():
        shutil.copytree(src, dest, ignore=ignore)


def copy_results(runs, work):
    """``WORK/results``: the shards' result files (the first shard's references, as a local
    run has one of each). Returns the ``(student, assignment)`` whose result is new or
    changed since an earlier merge into ``work``: those start without a TA's scores."""
    out = work / "results"
    changed = set()
    copies = [(run, key) for run in runs for key in run.keys]
    for run, key in copies:
        earlier = out / run.result_file(key).name
        if not earlier.is_file() or earlier.read_bytes() != run.result_file(key).read_bytes():
            changed.add(key)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for run, key in copies + [(runs[0], key) for key in runs[0].references]:
        shutil.copy(run.result_file(key), out)
    return changed


def copy_course(first, work, keep_gradebook):
    """``WORK/course`` as a local run prepares it (the assignments' sources and release, an
    empty gradebook: the first shard's ``template.db``), without any submission. With
    ``keep_gradebook`` (an earlier merge of the same verdicts), its gradebook stays: a TA's
    scores in it are kept as a local run keeps them."""
    course, src = work / "course", first.folder / "course"
    if not keep_gradebook and course.exists():
        shutil.rmtree(course)
    per_submission = {"submitted", "autograded", "feedback", "gradebook.db"}
    shutil.copytree(src, course, dirs_exist_ok=True,
                    ignore=lambda folder, names: per_submission & set(names)
                    if Path(folder) == src else set())
    shutil.copy(first.folder / "template.db", work / "template.db")
    if not (course / "gradebook.db").is_file():
        shutil.copy(first.folder / "template.db", course / "gradebook.db")


def copy_submissions(runs, work, results):
    """Each shard's ``course/submitted`` and ``course/autograded`` notebooks into
    ``WORK/course``, with the submission time of the merge's late policy, as
    :func:`outputs.publish_course` leaves them."""
    from autograder.grading.outputs import write_submission_time

    submitted_at = {(r.student, r.assignment): r.submitted_at for r in results}
    for run in runs:
        for student, assignment in run.keys:
            for kind in ("submitted", "autograded"):
                rel = Path(kind) / student / assignment
                _replace_tree(run.folder / "course" / rel, work / "course" / rel,
                              ignore=shutil.ignore_patterns(TIMESTAMP_FILE))
            folder = work / "course" / "submitted" / student / assignment
            if folder.is_dir():
                write_submission_time(folder, submitted_at.get((student, assignment)))


def copy_feedback(runs, work):
    """Each shard's ``feedback/<student>/<assignment>/`` into ``WORK/feedback``."""
    for run in runs:
        for student, assignment in run.keys:
            rel = Path(student) / assignment
            _replace_tree(run.folder / "feedback" / rel, work / "feedback" / rel)
