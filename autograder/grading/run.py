"""The whole run: discover, grade every job (the reference first), judge, write the outputs."""

import json
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

from autograder import SOLUTIONS, assignments
from autograder.grading.discover import discover, student_id
from autograder.grading.engine import (
    ClusterUnavailable,
    check_cluster,
    cluster_client,
    describe,
    run_jobs,
    sandbox_problem,
    seed_cache,
)
from autograder.grading.late import apply_late_policy, apply_late_times, load_policy
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
from autograder.grading.shards import (
    ShardError,
    check_merge_target,
    check_regrade,
    check_work,
    copy_course,
    copy_feedback,
    copy_results,
    copy_submissions,
    in_shard,
    parse_shard,
    read_shards,
    recorded_times,
    shard_record,
)
from autograder.grading.submission import file_digest
from autograder.grading.verdicts import apply_probes, verdict_digest
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

def grade(submissions, work, jobs=2, settings=None, feedback=True, progress=True,
          late_policy=None, people=None, students=None, only_assignments=None, shard=None,
          scheduler=None, scheduler_file=None, verbose=False):
    """Grade every submission in ``submissions``; return ``(results, unmatched,
    reference_failures)``.
    A ``late_policy`` (:class:`late.LatePolicy`) deducts from the final scores only;
    ``people`` (:func:`roster.load_roster`) names the students in the gradebook.

    With ``students`` and/or ``only_assignments`` (collections of ids and names), only the
    matching submissions are graded again, even if unchanged; every other result, feedback
    file and course file stays as the earlier run of ``work`` left it.

    With ``shard`` (``(K, N)``, see :mod:`grading.shards`), only the students of shard K of N
    are graded (the reference solution too), into a ``work`` of that shard's own; its
    ``run.json`` records what :func:`merge` needs. A regrade of some students in a shard
    needs the same ``shard`` and takes only that shard's students. A late policy is the
    merge's: a shard refuses one.

    The jobs run on Dask (:mod:`grading.engine`): by default an embedded cluster of ``jobs``
    workers on this machine; with ``scheduler`` (an address, ``tcp://host:8786``) or
    ``scheduler_file``, the workers of that cluster, which need the course installed but no
    shared file system (``jobs`` is then theirs to decide). This machine then runs no
    kernel and needs no sandbox. With ``verbose``, a line per finished job names its
    worker."""
    from tqdm import tqdm

    from autograder.kernel import install_kernelspec

    if shard is not None and late_policy is not None:
        raise ShardError("a late policy applies to the whole class: give --late-policy to "
                         "`grade --merge`, not to a shard")
    settings = settings or Settings()
    remote = bool(scheduler or scheduler_file)
    if remote:  # its workers check their own sandbox; this machine runs no kernel
        check_cluster(scheduler, scheduler_file)
    problem = None if remote else sandbox_problem()
    if problem:
        raise SandboxUnavailable(f"the grading sandbox (bubblewrap) cannot start here: {problem}. "
                                 "It needs user namespaces (see autograder/SECURITY.md); "
                                 "no notebook was graded")
    work = Path(work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    names = assignments()
    subs, unmatched = discover(submissions, names)
    # of the whole class, in a shard too: every shard grades the same references
    used = sorted({s.assignment for s in subs})
    state_file = work / "run.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    check_work(state, shard, work)
    class_subs = subs
    if shard is not None:
        check_regrade(class_subs, students, shard)
        subs = in_shard(class_subs, shard)
    partial = bool(students or only_assignments)
    if partial:
        chosen = _regrade_selection(subs, students, only_assignments, work)
    digest = verdict_digest(used, settings)
    new = state.get("verdicts") != digest
    if new:  # a new run, or something that judges changed
        if partial:
            raise PartialRegradeRefused(
                f"{work} was graded with other grading code, assignments or settings: "
                "regrading some students would mix two versions of the verdicts. Grade the "
                "whole class again (without --student/--assignment)")
        state = {"seed": int.from_bytes(os.urandom(4), "little"), "verdicts": digest}
        shutil.rmtree(work / "results", ignore_errors=True)
        prepare_course(work, used)
    if shard is not None:  # what a merge checks this shard against
        state.update(shard_record(shard, class_subs, subs, unmatched, used))
    if new or shard is not None:
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

    others = [s for s in pending if s.student != REFERENCE_STUDENT]
    bar = tqdm(total=len(pending), desc="grading", unit="nb", disable=not progress)
    if pending and not remote:  # this machine's workers: the course is the one just made
        seed_cache(work, used, digest, settings)
    if pending:  # a resumed run with nothing left to grade needs no cluster
        with cluster_client(jobs, scheduler, scheduler_file) as client:
            if verbose:
                tqdm.write(describe(client))
            for sub, result, worker in run_jobs(client, work, pending, settings, used, digest):
                finish(sub, result)
                bar.update()
                if verbose:
                    tqdm.write(_job_line(sub, result, worker))
    bar.close()

    final, reference_failures = judge(work, results)
    graded = {(s.student, s.assignment) for s in others}
    read_overrides(work, final, graded)  # before the late policy: it deducts from the score
    if late_policy is not None:
        apply_late_policy(late_policy, final, subs)
    fresh = graded if partial else None

    def publish(final):
        publish_course(work, [r for r in final
                              if fresh is None or (r.student, r.assignment) in fresh], used)
        if feedback:
            write_feedback(work, final, used, only=fresh)

    write_outputs(work, final, used, unmatched, reference_failures, publish,
                  late_policy=late_policy, people=people, graded=graded)
    return final, unmatched, reference_failures

def _job_line(sub, result, worker):
    """``--verbose``'s line for a finished job: what it got, in how long, on which worker."""
    return (f"{sub.student}/{sub.assignment}: {result.status} {result.score:g}/"
            f"{result.max_score:g} in {result.seconds:.1f} s on {worker}")

def judge(work, results):
    """The verdicts on ``results`` (``{(student, assignment): Result}`` as the jobs in
    ``work`` left them, the references included): the probes applied, a problem noted in
    the status. Returns ``(final, reference_failures)``: the students' results sorted by
    student and assignment, and ``{assignment: reference Result}`` that lost points."""
    for result in results.values():  # the reference too: a judged test must pass on it
        if result.status in ("ok", "problem"):
            apply_probes(work, result)
    reference_failures = {a: r for (s, a), r in results.items()
                          if s == REFERENCE_STUDENT and r.score < r.max_score}
    final = [r for (s, _), r in sorted(results.items()) if s != REFERENCE_STUDENT]
    for r in final:
        if r.problems and r.status == "ok":
            r.status = "problem"
    return final, reference_failures

def write_outputs(work, final, names, unmatched, reference_failures, publish, late_policy=None,
                  people=None, graded=None):
    """What a run leaves in ``work``, from its ``final`` results (TA scores and late policy
    applied): the gradebook, then ``publish(final)`` (the course's notebooks and the
    feedback: made from the jobs by a run, copied from the shards by a merge), the CSVs,
    the LMS files and the report. ``graded``: as :func:`outputs.write_gradebook` takes it."""
    write_gradebook(work, final, names, people, graded)
    publish(final)
    late = late_policy is not None
    export_csv(work, final, names, late=late)
    export_lms_csv(work, final, names, late=late, people=people)
    write_report(work, final, unmatched, reference_failures, late_policy=late_policy)

def merge(dirs, work, late_policy=None, people=None, feedback=True):
    """Build in ``work`` the run of a whole class from the work folders ``dirs`` of its
    shards (``grade --shard K/N`` for K = 1..N; checked by :func:`shards.read_shards`):
    ``results/`` (copies), ``course/`` (the shards' notebooks, one gradebook), ``feedback/``
    (the shards' files), the CSVs and the report, as a local run of the class writes them.
    Return ``(results, unmatched, reference_failures)`` as :func:`grade` does.

    Each shard's verdicts are made here from its own jobs (``jobs/``: the probe outputs),
    against its own reference job: the probes' random inputs come from a seed per shard, so
    two shards check with different inputs (as two runs of one class would). A reference
    that failed in any shard is reported. The late policy is applied to the submission
    times the shards recorded; a submission with a late penalty or a TA's score (from
    formgrader on ``work``, kept across merges until its result changes) gets its feedback
    made again here, so that it shows them; the others' are the shards' files."""
    work = Path(work).resolve()
    runs = read_shards(dirs)
    check_merge_target(work, runs)
    names, digest = runs[0].state["assignments"], runs[0].state["verdicts"]
    state_file = work / "run.json"
    earlier = json.loads(state_file.read_text()) if state_file.is_file() else {}
    work.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({"verdicts": digest, "merged": {
        "shards": len(runs), "from": [str(run.folder) for run in runs]}}))
    final, reference_failures = [], {}
    for run in runs:
        shard_final, failures = judge(run.folder, run.results())
        final += shard_final
        for a, r in failures.items():
            reference_failures.setdefault(a, r)
    final.sort(key=lambda r: (r.student, r.assignment))
    unmatched = list(dict.fromkeys(tuple(u) for run in runs for u in run.state["unmatched"]))
    graded = copy_results(runs, work)
    copy_course(runs[0], work, keep_gradebook=earlier.get("verdicts") == digest)
    read_overrides(work, final, graded)
    if late_policy is not None:
        apply_late_times(late_policy, final, recorded_times(runs))

    def publish(final):
        copy_submissions(runs, work, final)
        if feedback:
            copy_feedback(runs, work)
            again = {(r.student, r.assignment) for r in final if r.late_penalty or r.overrides}
            write_feedback(work, final, names, only=again)

    write_outputs(work, final, names, unmatched, reference_failures, publish,
                  late_policy=late_policy, people=people, graded=graded)
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

def _check_command(args):
    """``grade`` either grades SUBMISSIONS (with --shard, a share of them) or merges shards."""
    if args.merge and args.submissions:
        raise ShardError("give either SUBMISSIONS (to grade) or --merge DIR... (to merge shard "
                         "runs), not both")
    if not args.merge and not args.submissions:
        raise ShardError("give SUBMISSIONS (a folder of submissions to grade) or --merge DIR... "
                         "(the work folders of `grade --shard K/N` runs)")
    if args.merge and (args.shard or args.student or args.assignment):
        raise ShardError("--merge takes no --shard, --student or --assignment: regrade in the "
                         "shard's work folder, then merge again")
    if args.merge and (args.scheduler or args.scheduler_file):
        raise ShardError("--merge grades nothing: it takes no --scheduler or --scheduler-file")
    if args.scheduler and args.scheduler_file:
        raise ShardError("give --scheduler ADDRESS or --scheduler-file FILE, not both")

def main_grade(args):
    try:
        _check_command(args)
        shard = parse_shard(args.shard) if args.shard else None
    except ShardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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
        if args.merge:
            results, _, ref_fail = merge(args.merge, args.work, late_policy=policy,
                                         people=people, feedback=not args.no_feedback)
        else:
            results, _, ref_fail = grade(args.submissions, args.work, jobs=args.jobs,
                                         settings=settings, feedback=not args.no_feedback,
                                         late_policy=policy, people=people,
                                         students=args.student,
                                         only_assignments=args.assignment, shard=shard,
                                         scheduler=args.scheduler,
                                         scheduler_file=args.scheduler_file,
                                         verbose=args.verbose)
    except (FileNotFoundError, PartialRegradeRefused, ShardError, ClusterUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    work = Path(args.work).resolve()
    print(f"\ngrades: {work / 'grades.csv'} (for an LMS: {work / 'canvas.csv'}, "
          f"{work / 'moodle.csv'})\nproblems: {work / 'problems.csv'}\n"
          f"feedback: {work / 'feedback'}\nreport: {work / 'report.md'}")
    return 1 if ref_fail else 0
