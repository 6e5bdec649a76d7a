"""``python -m benchmarks [--quick] [--only SECTIONS] [--notebooks NAMES] [--g2p-long]``
(``make bench [QUICK=1]``).

``--quick`` (under 5 minutes): kernels at the small size with one thread, notebooks
under the grading budget only (notebook 06's PER/WER then come from its stored
outputs), the autograder on the first two assignments, the Dask engine's simulation on
500 jobs (no loopback cluster), 6 CPU-seconds per language model, no claims. The full
run (under 50 minutes) does everything, including every notebook once per seed for the
seed spread of the claims drawn from training. ``--g2p-long`` adds notebook
06's long training run (``G2P_LONG=1``, several more minutes); without it, the figures
of an earlier long run are kept in ``results.json``. ``--only claims --notebooks 06_seq2seq_attention``
re-measures one notebook's claims and keeps the other notebooks' rows of the last run.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
import traceback

from benchmarks import RESULTS_JSON, RESULTS_MD, ROOT
from benchmarks.report import render

SECTIONS = ("kernels", "notebooks", "grading", "engine", "charlm", "claims", "g2p_long")


def machine():
    import numpy as np
    import torch

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor()) \
        if os.path.exists("/proc/cpuinfo") else platform.processor()
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    return dict(cpus=os.cpu_count(), cpu=cpu, platform=platform.platform(),
                python=platform.python_version(), numpy=np.__version__,
                blas=f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
                torch=torch.__version__, commit=commit or "unknown")


def run_section(name, quick, done, claim_notebooks=None, earlier=None):
    from benchmarks import charlm, claims, engine, grading, kernels, notebooks

    if name == "kernels":
        return kernels.measure(quick)
    if name == "notebooks":
        return notebooks.measure(quick)
    if name == "grading":
        plain = {r["notebook"]: r["grading_s"] for r in done.get("notebooks", {}).get("rows", [])
                 if "grading_s" in r and "grading_error" not in r}
        return grading.measure(quick, plain_seconds=plain)
    if name == "engine":  # after grading: its local runs are the loopback's baseline
        return engine.measure(quick, done)
    if name == "charlm":
        return charlm.measure(quick)
    if name == "claims":
        return claims.measure(claim_notebooks, earlier=earlier if claim_notebooks else None)
    return notebooks.measure_g2p_long()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the short version (< 5 min)")
    parser.add_argument("--only", help=f"comma-separated sections among {', '.join(SECTIONS)}")
    parser.add_argument("--g2p-long", action="store_true", help="also run notebook 06's long training")
    parser.add_argument("--render", action="store_true", help="only rewrite RESULTS.md from results.json")
    parser.add_argument("--notebooks", help="comma-separated notebooks for the claims section (the "
                        "others' claims are kept from the last run)")
    args = parser.parse_args(argv)
    if args.render:
        RESULTS_MD.write_text(render(json.loads(RESULTS_JSON.read_text())))
        return 0
    default = [s for s in SECTIONS[:-1] if not (args.quick and s == "claims")]  # no claim is checked
    chosen = args.only.split(",") if args.only else default + ["g2p_long"] * args.g2p_long  # under --quick
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}")

    # kernels and subprocesses import utils/ and autograder/ from this checkout, whatever
    # checkout the environment's editable install points at
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    sections = results.setdefault("sections", {})
    mode = "quick" if args.quick else "full"
    start = time.perf_counter()
    results["machine"] = machine()
    results["run"] = dict(date=datetime.datetime.now().isoformat(timespec="seconds"), mode=mode,
                          sections=chosen, load_average_at_start=list(os.getloadavg()))
    done, failed = {}, []
    for name in SECTIONS:
        if name not in chosen:
            continue
        print(f"== {name} ({mode}), {time.perf_counter() - start:.0f} s into the run", flush=True)
        entry = dict(measured=results["run"]["date"], mode=mode, load_average=list(os.getloadavg()))
        tic = time.perf_counter()
        try:
            earlier = sections.get(name, {}).get("data")
            claim_notebooks = args.notebooks.split(",") if args.notebooks else None
            done[name] = entry["data"] = run_section(name, args.quick, done, claim_notebooks, earlier)
        except Exception:
            traceback.print_exc()
            entry["error"] = traceback.format_exc(limit=3).strip().splitlines()[-1]
            failed.append(name)
        entry["seconds"] = time.perf_counter() - tic
        sections[name] = entry
        results["run"]["seconds"] = time.perf_counter() - start
        RESULTS_JSON.write_text(json.dumps(results, indent=1) + "\n")
        RESULTS_MD.write_text(render(results))
    total = time.perf_counter() - start
    print(f"\n{RESULTS_MD.relative_to(ROOT)} and {RESULTS_JSON.relative_to(ROOT)} written "
          f"({mode} run, {total / 60:.1f} min)" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
