"""The seed spread of every claim the notebooks draw from training.

Each solution notebook runs as a student runs it, once per seed in :data:`SEEDS`
(``RNN_COURSE_SEED``, the seed of the training runs; data splits stay fixed). Every
``utils.claims.check_claim`` call records whether its claim held and the figures behind
it (``RNN_COURSE_CLAIMS``), so the table shows, for each claim, on how many seeds it held
and the range of each figure. Two notebooks run at a time (the machine has 2 cores).
``make bench QUICK=1`` skips this section: under the grading budget no claim is checked.
"""

import json
import os
from concurrent.futures import ProcessPoolExecutor

from benchmarks import SCRATCH

SEEDS = (0, 1, 2)


def _run(name, seed):
    """One notebook with one seed, in a worker process; returns its recorded claims."""
    from benchmarks.notebooks import execute
    from utils.claims import RECORD_ENV, SEED_ENV

    folder = SCRATCH / "claims" / f"seed{seed}" / name
    record = SCRATCH / "claims" / f"{name}-seed{seed}.jsonl"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.unlink(missing_ok=True)
    seconds, error, _ = execute(name, "student", folder=folder,
                                **{SEED_ENV: str(seed), RECORD_ENV: str(record)})
    rows = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    return dict(notebook=name, seed=seed, seconds=seconds, error=error, claims=rows)


def measure(names=None, seeds=SEEDS, earlier=None):
    """Run ``names`` (default: every notebook) once per seed and summarise their claims; the
    rows of the notebooks not run are kept from ``earlier`` (a previous run's data)."""
    from autograder import assignments

    names = names or assignments()
    jobs = [(name, seed) for seed in seeds for name in names]
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        runs = list(pool.map(_run, *zip(*jobs)))
    return summarize(runs, seeds, earlier)


def summarize(runs, seeds, earlier=None):
    """The claims table of ``runs`` (of :func:`_run`), with ``earlier``'s rows and errors for the
    notebooks that did not run, in course order."""
    from autograder import assignments

    claims = {}
    for run in runs:
        print(f"  {run['notebook']} seed {run['seed']}: {run['seconds']:.0f} s, "
              f"{len(run['claims'])} claims" + (f", FAILED: {run['error']}" if run["error"] else ""),
              flush=True)
        for row in run["claims"]:
            entry = claims.setdefault((run["notebook"], row["claim"]),
                                      dict(notebook=run["notebook"], claim=row["claim"], held=[],
                                           failed=[], figures={}))
            (entry["held"] if row["holds"] else entry["failed"]).append(run["seed"])
            for key, value in row["figures"].items():
                entry["figures"].setdefault(key, []).append(value)
    errors = [dict(notebook=r["notebook"], seed=r["seed"], error=r["error"]) for r in runs if r["error"]]
    ran = {run["notebook"] for run in runs}
    if earlier and earlier.get("seeds") == list(seeds):
        claims.update({(row["notebook"], row["claim"]): row for row in earlier["rows"]
                       if row["notebook"] not in ran})
        errors += [e for e in earlier.get("errors", []) if e["notebook"] not in ran]
    order = {name: i for i, name in enumerate(assignments())}
    rows = sorted(claims.values(), key=lambda row: order.get(row["notebook"], len(order)))
    return dict(seeds=list(seeds), rows=rows, errors=errors)
