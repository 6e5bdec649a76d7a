"""The whole run: discover, grade every job (the reference first), judge, write the outputs."""

import concurrent.futures
import hashlib
import json
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

from autograder import ROOT, SOLUTIONS, assignments
from autograder.grading.discover import discover, student_id
from autograder.grading.job import run_job
from autograder.grading.late import apply_late_policy, load_policy
from autograder.grading.model import REFERENCE_STUDENT, Result, Submission
from autograder.grading.outputs import (
    export_csv,
    export_lms_csv,
    publish_course,
    read_overrides,
    write_feedback,
    write_gradebook,
    write_report,
)
from autograder.grading.roster import load_roster
from autograder.grading.submission import file_digest
from autograder.grading.verdicts import apply_probes
from autograder.kernel import check_sandbox
from autograder.nbgrader_run import nbgrader
from autograder.settings import Settings


class SandboxUnavailable(RuntimeError):
    """The kernels cannot be sandboxed on this machine: nothing is graded."""

class PartialRegradeRefused(ValueError):
    """A ``--student``/``--assignment`` regrade that would not be a regrade of this run."""

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

def grade(submissions, work, jobs=2, settings=None, feedback=True, progress=True,
          late_policy=None, people=None, students=None, only_assignments=None):
    """Grade every submission in ``submissions``; return ``(results, unmatched)``.
    A ``late_policy`` (:class:`late.LatePolicy`) deducts from the final scores only;
    ``people`` (:func:`roster.load_roster`) names the students in the gradebook.

    With ``students`` and/or ``only_assignments`` (collections of ids and names), only the
    matching submissions are graded again, even if unchanged; every other result, feedback
    file and course file stays as the earlier run of ``work`` left it."""
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
    partial = bool(students or only_assignments)
    if partial:
        chosen = _regrade_selection(subs, students, only_assignments, work)
    used = sorted({s.assignment for s in subs})
    state_file = work / "run.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    digest = _verdict_digest(used, settings)
    if state.get("verdicts") != digest:  # a new run, or something that judges changed
        if partial:
            raise PartialRegradeRefused(
                f"{work} was graded with other grading code, assignments or settings: "
                "regrading some students would mix two versions of the verdicts. Grade the "
                "whole class again (without --student/--assignment)")
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
        forced = partial and (sub.student, sub.assignment) in chosen
        if cached.exists() and not forced:
            data = json.loads(cached.read_text())
            kept = partial and sub.student != REFERENCE_STUDENT  # as the earlier run left it
            if kept or (data.get("digest") == file_digest(sub.path) and data.get("status") != "error"):
                results[(sub.student, sub.assignment)] = Result(**data)
                continue
        if not partial or forced or sub.student == REFERENCE_STUDENT:
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
                                    digest=file_digest(sub.path))
                finish(sub, result)
                bar.update()
    bar.close()

    for result in results.values():  # the reference too: a judged test must pass on it
        if result.status in ("ok", "problem"):
            apply_probes(work, result)
    reference_failures = {a: r for (s, a), r in results.items()
                          if s == REFERENCE_STUDENT and r.score < r.max_score}
    final = [r for (s, _), r in sorted(results.items()) if s != REFERENCE_STUDENT]
    for r in final:
        if r.problems and r.status == "ok":
            r.status = "problem"
    graded = {(s.student, s.assignment) for s in others}
    read_overrides(work, final, graded)  # before the late policy: it deducts from the score
    if late_policy is not None:
        apply_late_policy(late_policy, final, subs)
    fresh = graded if partial else None
    write_gradebook(work, final, used, people, graded)
    publish_course(work, [r for r in final if fresh is None or (r.student, r.assignment) in fresh],
                   used)
    if feedback:
        write_feedback(work, final, used, only=fresh)
    late = late_policy is not None
    export_csv(work, final, used, late=late)
    export_lms_csv(work, final, used, late=late, people=people)
    write_report(work, final, unmatched, reference_failures, late_policy=late_policy)
    return final, unmatched, reference_failures

def _regrade_selection(subs, students, only_assignments, work):
    """``{(student, assignment)}`` of ``subs`` that a partial regrade grades again (the others'
    results are reused); an id or assignment name that matches nothing is an error, not an
    empty run."""
    if not (work / "run.json").exists():
        raise PartialRegradeRefused(f"{work} holds no earlier run: grade the whole class first")
    wanted = {student_id(s) for s in students or ()}
    unknown = wanted - {s.student for s in subs}
    if unknown:
        raise PartialRegradeRefused(f"no submission of {', '.join(sorted(unknown))} was found")
    unknown = set(only_assignments or ()) - set(assignments())
    if unknown:
        raise PartialRegradeRefused(f"no assignment {', '.join(sorted(unknown))} in this course")
    chosen = {(s.student, s.assignment) for s in subs
              if (not wanted or s.student in wanted)
              and (not only_assignments or s.assignment in only_assignments)}
    return chosen

def main_grade(args):
    settings = Settings(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                        memory_mb=args.memory_mb)
    try:
        policy = load_policy(args.late_policy, assignments()) if args.late_policy else None
    except (OSError, ValueError) as exc:  # before any grading: a typo costs nothing
        print(f"error: --late-policy {args.late_policy}: {exc}", file=sys.stderr)
        return 2
    try:
        people = load_roster(args.roster) if args.roster else None
    except (OSError, ValueError) as exc:
        print(f"error: --roster {args.roster}: {exc}", file=sys.stderr)
        return 2
    try:
        results, _, ref_fail = grade(args.submissions, args.work, jobs=args.jobs,
                                     settings=settings, feedback=not args.no_feedback,
                                     late_policy=policy, people=people, students=args.student,
                                     only_assignments=args.assignment)
    except (FileNotFoundError, PartialRegradeRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    work = Path(args.work).resolve()
    print(f"\ngrades: {work / 'grades.csv'} (for an LMS: {work / 'canvas.csv'}, "
          f"{work / 'moodle.csv'})\nproblems: {work / 'problems.csv'}\n"
          f"feedback: {work / 'feedback'}\nreport: {work / 'report.md'}")
    return 1 if ref_fail else 0
