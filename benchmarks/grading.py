"""The autograder on the demo class: seconds per submission, parallel speed-up, overhead.

The demo class (``autograder.demo.build``) is graded twice from scratch, with 1 and with
2 jobs, without feedback. ``dave`` is left out: his notebooks measure the time limits
(one hangs until the cell timeout), not grading. The overhead of a notebook is the
autograder's time for ``alice`` (the solutions; one job, ``Result.seconds``: nbgrader,
the isolated kernel, the probes) divided by the bare nbclient execution of the same
notebook under the grading budget (``NBGRADER_EXECUTION=autograde``). Where each of
alice's jobs spends its time: :func:`breakdown`.
"""

import shutil
import time
from contextlib import redirect_stdout

from benchmarks import SCRATCH

OVERHEAD_TARGET, SPEEDUP_TARGET, SANDBOX_TARGET = 1.3, 1.7, 0.3
QUICK_ASSIGNMENTS = 2  # --quick grades the first two assignments only


def grade_class(submissions, jobs):
    """Grade ``submissions`` from scratch with ``jobs`` jobs: ``(wall seconds, results, wrong)``.

    ``wrong`` lists the scores that differ from the demo class's expectations.
    """
    from autograder.demo import check_expectations
    from autograder.grading import grade
    from autograder.settings import Settings

    work = SCRATCH / "grading" / f"jobs-{jobs}"
    shutil.rmtree(work, ignore_errors=True)
    print(f"  grading the demo class with {jobs} job(s)", flush=True)
    work.mkdir(parents=True)
    with open(work.parent / f"jobs-{jobs}.log", "w") as log, redirect_stdout(log):  # its report
        tic = time.perf_counter()
        results = grade(submissions, work, jobs=jobs, settings=Settings(), feedback=False)[0]
        wall = time.perf_counter() - tic
    wrong = check_expectations(results)
    if wrong:
        print("  UNEXPECTED SCORES (timings below are of a broken run):\n    " + "\n    ".join(wrong))
    return wall, results, wrong


# the parts of one job, in order, from the timing lines of its events.jsonl
# (autograder.execute's "timing", grading.job's "job"); their sum is Result.seconds
PARTS = (
    ("job set-up (copy, normalize)", "job.started", "job.nbgrader_started"),
    ("nbgrader start-up (fork, configuration, preprocessors)", "job.nbgrader_started", "timing.started"),
    ("kernel start (sandbox, ipykernel)", "timing.started", "timing.kernel_ready"),
    ("first cell (imports, set-up)", None, None),
    ("the notebook's other cells (student code, tests)", None, None),
    ("probes", None, None),
    ("kernel shut-down", "timing.cells_done", "timing.finished"),
    ("nbgrader after execution (writing, gradebook, exit)", "timing.finished", "job.nbgrader_finished"),
    ("scores read back", "job.nbgrader_finished", "job.finished"),
)


def breakdown(work, names, student="alice"):
    """Seconds per part of each of ``student``'s jobs in the graded ``work`` folder:
    ``[{notebook, total_s, parts: {part: s}}]`` (see ``PARTS``)."""
    import json

    from autograder.grading.model import job_folder

    rows = []
    for name in names:
        events = job_folder(work, student, name) / "events.jsonl"
        lines = [json.loads(line) for line in events.read_text().splitlines()]
        stamps = {kind: next(e for e in lines if e["kind"] == kind) for kind in ("timing", "job")}
        at = lambda key: stamps[key.split(".")[0]][key.split(".")[1]]
        cells = [c for c in stamps["timing"]["cells"] if not c["probe"]]
        by_cell = {PARTS[3][0]: cells[0]["s"] if cells else 0.0,
                   PARTS[4][0]: sum(c["s"] for c in cells[1:]),
                   PARTS[5][0]: sum(c["s"] for c in stamps["timing"]["cells"] if c["probe"])}
        parts = {part: by_cell[part] if begin is None else at(end) - at(begin)
                 for part, begin, end in PARTS}
        rows.append(dict(notebook=name, total_s=at("job.finished") - at("job.started"), parts=parts))
    return rows


def sandbox_cost(repeats=7):
    """Seconds the sandbox adds to starting a kernel's interpreter: the median time of
    ``python -c "import numpy, torch"`` inside bwrap (as a grading kernel gets it) minus
    the same command outside, alternated so that both see the same machine load."""
    import os
    import subprocess
    import sys
    import tempfile

    import numpy as np

    from autograder.kernel import sandbox_argv

    command = [sys.executable, "-c", "import numpy, torch"]
    times = {"plain": [], "sandboxed": []}
    with tempfile.TemporaryDirectory() as folder:
        sandboxed = sandbox_argv(command, folder, folder, os.environ)
        for _ in range(repeats):
            for kind, argv in (("plain", command), ("sandboxed", sandboxed)):
                tic = time.perf_counter()
                subprocess.run(argv, check=True, capture_output=True)
                times[kind].append(time.perf_counter() - tic)
    plain, boxed = (float(np.median(times[k])) for k in ("plain", "sandboxed"))
    return dict(plain_s=plain, sandboxed_s=boxed, cost_s=boxed - plain, repeats=repeats)


def sandbox_notebooks(names, repeats=2):
    """Seconds to execute each solution notebook under the grading budget in a plain kernel
    and in the sandboxed grading kernel, alternated in one run (same machine load) and in
    both orders (the first run of a notebook warms the file cache for the second):
    ``[{notebook, plain_s, sandboxed_s, cost_s}]``, medians of ``repeats``."""
    import numpy as np

    from benchmarks.notebooks import execute

    rows = []
    for name in names:
        times = {False: [], True: []}
        for k in range(repeats):
            for sandboxed in ((False, True) if k % 2 == 0 else (True, False)):
                seconds, error, _ = execute(name, "grading", sandboxed=sandboxed)
                if error:
                    raise RuntimeError(f"{name} ({'sandboxed' if sandboxed else 'plain'}): {error}")
                times[sandboxed].append(seconds)
        plain, boxed = float(np.median(times[False])), float(np.median(times[True]))
        rows.append(dict(notebook=name, plain_s=plain, sandboxed_s=boxed, cost_s=boxed - plain))
    return rows


def measure(quick=False, plain_seconds=None):
    """The grading section. ``plain_seconds``: ``{notebook: s}`` of the bare grading-budget runs."""
    import numpy as np

    from autograder import assignments
    from autograder.demo import build
    from benchmarks.notebooks import execute

    names, skipped = [], {}
    for name in assignments():
        try:  # a notebook without a release, or whose demo bugs no longer match, is left out
            build(SCRATCH / "grading" / "check", [name])
            names.append(name)
        except Exception as exc:
            skipped[name] = f"{type(exc).__name__}: {exc}"[:200]
    names = names[:QUICK_ASSIGNMENTS] if quick else names
    submissions = build(SCRATCH / "grading" / "submitted", names)
    shutil.rmtree(submissions / "dave")
    runs = {}
    for jobs in (1, 2):
        wall, results, wrong = grade_class(submissions, jobs)
        seconds = [r.seconds for r in results]
        runs[str(jobs)] = dict(
            wall_s=wall, submissions=len(results), mean_s=float(np.mean(seconds)),
            median_s=float(np.median(seconds)), unexpected_scores=wrong,
            by_job={f"{r.student}/{r.assignment}": r.seconds for r in results})
    rows = []
    for name in names:
        plain = (plain_seconds or {}).get(name)
        if plain is None:
            plain = execute(name, "grading")[0]
        graded = runs["1"]["by_job"][f"alice/{name}"]
        rows.append(dict(notebook=name, plain_s=plain, autograde_s=graded, overhead=graded / plain))
    return dict(
        assignments=names, skipped=skipped, students=["alice", "bob", "carol"], runs=runs, rows=rows,
        breakdown=breakdown(SCRATCH / "grading" / "jobs-1", names),
        sandbox=sandbox_cost(), sandbox_notebooks=sandbox_notebooks(names),
        speedup=runs["1"]["wall_s"] / runs["2"]["wall_s"],
        series_s=sum(r["autograde_s"] for r in rows),
        overhead=sum(r["autograde_s"] for r in rows) / sum(r["plain_s"] for r in rows),
        targets=dict(overhead=OVERHEAD_TARGET, speedup=SPEEDUP_TARGET, sandbox=SANDBOX_TARGET))
