"""The grading engine (Dask): scheduler overhead per job, scaling with workers, a real
cluster on loopback against the local run, and the wall time projected for large classes.

- :func:`simulate`: 2,000 synthetic submissions go through the grader's own code path,
  ``engine._outcomes`` (the pacing, the priorities, one future collected per job), on a
  ``LocalCluster`` of 1, 2, 4 and 8 one-thread worker *processes* on loopback (what a real
  cluster has), and once on the embedded default (one process, worker threads). The job is
  a stand-in, :func:`stand_in`, that sleeps ``job_s`` and returns a small dict: a 10 s
  notebook scaled down 1,000 times (0.01 s), so that each point takes under 30 s. The
  overhead is absolute seconds per job, so it carries over to full-length jobs. Per point
  (the cluster started and warmed up first, its start-up timed apart):

  * *overhead per job* = ``(wall - n_jobs * job_s / workers) * workers / n_jobs``: the
    worker time each job holds beyond its own run (dispatch, transport, collection, the
    wait for the next task), i.e. the wall time lost against perfect packing, spread over
    the jobs each worker ran. Goal (issue 15): <= 5 ms;
  * *throughput* = ``n_jobs / wall`` and *efficiency* = throughput / linear, linear being
    ``workers / job_s`` (every worker always busy): ``job_s / (job_s + overhead)``.

  Then the *serial cost per job*: the same jobs with ``job_s = 0`` on the largest cluster,
  ``wall / n_jobs``, the rate that the client, the scheduler and the workers together can
  drain at most, whatever the number of workers. On this machine every process shares its
  few cores, so it is an upper bound of a scheduler on a machine of its own.
- :func:`projections`: the wall time of 300 and 10,000 students x 7 notebooks on 8, 64 and
  512 workers, ``max(notebooks * (mean_s + overhead_s) / workers, notebooks * serial_s)``.
- :func:`loopback_class`: the demo class graded through ``dask scheduler`` and two ``dask
  worker --nthreads 1`` processes (each with a temporary folder of its own, as separate
  machines: each prepares its own course), twice: cold (the preparation included), then
  warm (a new work folder, the workers' caches made), against the grading section's local
  runs: parallel efficiency = ``wall(1 local job) / (2 * wall(loopback, 2 workers, warm))``,
  target >= 0.9.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import namedtuple
from contextlib import redirect_stdout
from pathlib import Path

from benchmarks import RESULTS_JSON, ROOT, SCRATCH

JOB_S = 0.01  # the stand-in job: a 10 s notebook, 1,000 times shorter
WORKERS = (1, 2, 4, 8)
EMBEDDED_WORKERS = 2  # the embedded default (threads in this process), for comparison
OVERHEAD_TARGET_S, EFFICIENCY_TARGET = 0.005, 0.9
STUDENTS, NOTEBOOKS, PROJECTED_WORKERS = (300, 10_000), 7, (8, 64, 512)
FALLBACK_MEAN_S = 9.1  # issue 15's measured seconds per notebook, if no run measured one
START_TIMEOUT_S = 120

Job = namedtuple("Job", "student assignment")  # what _outcomes reads of a submission


def stand_in(payload):
    """The stand-in grading task: sleep as a job grades, return a result-sized dict."""
    time.sleep(payload["seconds"])
    return {"result": {"student": payload["student"], "status": "ok", "score": 1.0},
            "files": {}, "worker": "sim"}


def drain(client, n_jobs, job_s):
    """Seconds for ``n_jobs`` stand-in jobs through ``engine._outcomes`` on ``client``."""
    from autograder.grading.engine import _outcomes

    jobs = [Job(f"s{k:05d}", "sim") for k in range(n_jobs)]
    payload = lambda job: {"student": job.student, "seconds": job_s}
    tic = time.perf_counter()
    outcomes = [outcome for _, outcome in _outcomes(client, jobs, payload, stand_in)]
    wall = time.perf_counter() - tic
    failed = [o for o in outcomes if not isinstance(o, dict)]
    if len(outcomes) != n_jobs or failed:
        raise RuntimeError(f"{len(outcomes)} of {n_jobs} jobs came back, {len(failed)} failed"
                           + (f": {failed[0]!r}" if failed else ""))
    return wall


def point(workers, n_jobs, job_s, processes=True, serial=False):
    """One cluster of ``workers`` one-thread workers: its start-up, then the timed drain
    (and, with ``serial``, the zero-length drain)."""
    from distributed import Client, LocalCluster

    tic = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                      dashboard_address=None, memory_limit=0) as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(workers, timeout=START_TIMEOUT_S)
        drain(client, 4 * workers, 0.0)  # warm-up: connections, the task's import
        start = time.perf_counter() - tic
        wall = drain(client, n_jobs, job_s)
        serial_wall = drain(client, n_jobs, 0.0) if serial else None
    ideal = n_jobs * job_s / workers
    row = dict(workers=workers, kind="processes" if processes else "threads (embedded)",
               n_jobs=n_jobs, start_s=start, wall_s=wall, ideal_s=ideal,
               throughput=n_jobs / wall, linear=workers / job_s, efficiency=ideal / wall,
               overhead_s=(wall - ideal) * workers / n_jobs)
    if serial:
        row["serial_s"] = serial_wall / n_jobs
    print(f"  {workers} worker(s), {row['kind']}: {wall:.2f} s for {n_jobs} jobs "
          f"(ideal {ideal:.2f} s), {row['overhead_s'] * 1e3:.2f} ms overhead per job"
          + (f", serial {row['serial_s'] * 1e3:.2f} ms per job" if serial else ""), flush=True)
    return row


def simulate(n_jobs=2000, job_s=JOB_S, workers=WORKERS, embedded=EMBEDDED_WORKERS):
    """The scaling simulation (see the module's docstring): ``{rows, serial_s, ...}``."""
    rows = [point(w, n_jobs, job_s, serial=w == max(workers)) for w in workers]
    if embedded:
        rows.append(point(embedded, n_jobs, job_s, processes=False))
    for row in rows:
        row["vs_one_worker"] = row["throughput"] / rows[0]["throughput"]
    # a worker per CPU, as on a real cluster; past that, the processes take turns on the
    # CPUs and the figure measures this machine (the rows show it)
    fits = [r for r in rows if r["kind"] == "processes" and r["workers"] <= (os.cpu_count() or 1)]
    return dict(n_jobs=n_jobs, job_s=job_s, rows=rows, cpus=os.cpu_count(),
                serial_s=next(r["serial_s"] for r in rows if "serial_s" in r),
                overhead_s=max(r["overhead_s"] for r in fits or rows[:1]))


def mean_notebook_s(done):
    """Seconds per notebook to project with, and where it comes from: this run's grading
    section (1 job, mean ``Result.seconds``), else the last ``results.json``'s, else
    issue 15's figure."""
    with contextlib.suppress(KeyError, TypeError):
        return done["grading"]["runs"]["1"]["mean_s"], "grading section, this run"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        entry = json.loads(RESULTS_JSON.read_text())["sections"]["grading"]
        return entry["data"]["runs"]["1"]["mean_s"], f"grading section of {entry['measured']}"
    return FALLBACK_MEAN_S, "issue 15's measurement (no grading section measured)"


def projections(mean_notebook_s, overhead_s, serial_s):
    """Projected wall time for each class size and worker count: each worker grades its
    share of the notebooks back to back, ``notebooks * (mean + overhead) / workers``,
    unless the serial path (client, scheduler) caps the rate, ``notebooks * serial_s``.

    Ignored: the cluster's start-up and each worker's course preparation (once per
    assignment), the submitting side's own serial work (discovering, judging, gradebook,
    feedback, CSVs), the transfer of the submissions and of the returned notebooks and
    probes, the tail (the last wave of jobs is not full; a long notebook finishes last),
    retries after a worker's death, and notebooks slower than the mean (06 is)."""
    rows = []
    for students in STUDENTS:
        notebooks = students * NOTEBOOKS
        for workers in PROJECTED_WORKERS:
            compute = notebooks * (mean_notebook_s + overhead_s) / workers
            serial = notebooks * serial_s
            rows.append(dict(students=students, notebooks=notebooks, workers=workers,
                             wall_s=max(compute, serial),
                             bound="scheduler" if serial > compute else "workers"))
    return rows


@contextlib.contextmanager
def loopback_cluster(folder, workers=2, timeout=START_TIMEOUT_S):
    """``dask scheduler`` and ``workers`` ``dask worker --nthreads 1`` processes on
    127.0.0.1 (free ports: the scheduler's is in the scheduler file in ``folder``), each
    its own process group, each worker with a temporary folder of its own as its cwd and
    TMPDIR (short: the sandboxed kernel's unix sockets are named under it). Yields the
    scheduler file; stops them all (SIGTERM, then SIGKILL) and removes the folders."""
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    scheduler_file = Path(folder) / "scheduler.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                               os.environ.get("PYTHONPATH")])))
    procs, temps = [], []

    def start(name, args, cwd):
        with open(Path(folder) / f"{name}.log", "w") as log:
            procs.append(subprocess.Popen([dask, *args], cwd=cwd, stdout=log, stderr=log,
                                          env=dict(env, TMPDIR=str(cwd)), start_new_session=True))

    try:
        start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                            "--scheduler-file", str(scheduler_file)], folder)
        for k in range(workers):
            temps.append(Path(tempfile.mkdtemp(prefix="rnn-bw")))
            start(f"worker{k}", ["worker", "--scheduler-file", str(scheduler_file), "--name",
                                 f"w{k}", "--nthreads", "1", "--no-dashboard", "--host",
                                 "127.0.0.1"], temps[-1])
        deadline = time.monotonic() + timeout
        while not scheduler_file.is_file():
            if time.monotonic() > deadline or procs[0].poll() is not None:
                raise RuntimeError(f"the scheduler did not start: see {folder}/scheduler.log")
            time.sleep(0.1)
        with Client(scheduler_file=str(scheduler_file), timeout=f"{timeout}s") as client:
            client.wait_for_workers(workers, timeout=timeout)
        yield scheduler_file
    finally:
        stop(procs)
        for temp in temps:
            shutil.rmtree(temp, ignore_errors=True)


def stop(procs, grace_s=10):
    """Stop each process group of ``procs`` (workers first, as started in reverse):
    SIGTERM, then SIGKILL for what is still there after ``grace_s``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for proc in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
        deadline = time.monotonic() + grace_s
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        if all(proc.poll() is not None for proc in procs):
            return


def loopback_class(submissions, workers=2):
    """Grade ``submissions`` twice from scratch through one :func:`loopback_cluster`,
    without feedback, as the grading section grades them: ``{cold_wall_s, wall_s,
    submissions, mean_s, unexpected_scores, workers}``. The first (cold) run includes each
    worker's course preparation; the second (``wall_s``, a new work folder) finds the
    workers' caches made, as every run after a cluster's first does."""
    from autograder.demo import check_expectations
    from autograder.grading import grade
    from autograder.settings import Settings

    work = SCRATCH / "engine" / "loopback"
    shutil.rmtree(work.parent, ignore_errors=True)
    (work.parent / "cluster").mkdir(parents=True)
    print(f"  grading the demo class on a loopback cluster of {workers} worker processes",
          flush=True)
    walls, wrong = [], []
    with loopback_cluster(work.parent / "cluster", workers) as scheduler_file, \
            open(work.parent / "grade.log", "w") as log, redirect_stdout(log):
        for run in ("cold", "warm"):
            tic = time.perf_counter()
            results = grade(submissions, work.with_name(f"loopback-{run}"), settings=Settings(),
                            feedback=False, progress=False, scheduler_file=scheduler_file)[0]
            walls.append(time.perf_counter() - tic)
            wrong += check_expectations(results)
    seconds = [r.seconds for r in results]
    return dict(cold_wall_s=walls[0], wall_s=walls[1], workers=workers, submissions=len(results),
                mean_s=sum(seconds) / max(1, len(seconds)), unexpected_scores=wrong)


def measure(quick=False, done=None):
    """The engine section: the simulation (500 jobs under ``quick``), the loopback class
    (not under ``quick``, and only after this run's grading section, which it is compared
    with), the projections."""
    done = done or {}
    data = dict(simulation=simulate(n_jobs=500 if quick else 2000),
                targets=dict(overhead_s=OVERHEAD_TARGET_S, efficiency=EFFICIENCY_TARGET))
    grading = done.get("grading")
    if quick or not grading:
        data["loopback"] = dict(skipped="--quick" if quick else "needs this run's grading section")
    else:
        loop = loopback_class(SCRATCH / "grading" / "submitted")
        local = {jobs: grading["runs"][jobs]["wall_s"] for jobs in ("1", "2")}
        loop["local_wall_s"] = local
        loop["efficiency"] = local["1"] / (loop["workers"] * loop["wall_s"])
        loop["local_efficiency"] = local["1"] / (2 * local["2"])
        data["loopback"] = loop
    mean, source = mean_notebook_s(done)
    sim = data["simulation"]
    data["projection"] = dict(mean_s=mean, mean_source=source, overhead_s=sim["overhead_s"],
                              serial_s=sim["serial_s"],
                              rows=projections(mean, sim["overhead_s"], sim["serial_s"]))
    return data
