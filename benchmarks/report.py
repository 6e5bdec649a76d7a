"""``benchmarks/RESULTS.md`` from ``results.json``: the headline ratios first, then each section."""

LAYERS = ("RNN", "LSTM", "GRU")
GRADING_GUIDE_S = 15  # CONTRIBUTING.md: a notebook runs in about 15 s when autograded


def seconds(s):
    if s is None:
        return "–"
    if s >= 120:
        return f"{s / 60:.1f} min"
    return f"{s:.1f} s" if s < 10 else f"{s:.0f} s"


def verdict(value, target, at_most=True):
    if value is None:
        return ""
    return "met" if (value <= target if at_most else value >= target) else "**not met**"


def busy_warning(load, cpus):
    if load <= cpus:
        return ""
    return (f" **The machine was busy** (load average {load:.1f} on {cpus} CPUs): times are "
            "inflated, thread-parallel timings and the parallel speed-up most of all.")


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def stamp(entry, cpus):
    load = entry.get("load_average", [0.0])
    return (f"*Measured {entry['measured']} ({entry['mode']} run, {seconds(entry.get('seconds'))}; "
            f"load average {', '.join(f'{x:.1f}' for x in load)} at its start).*"
            + busy_warning(load[0], cpus))


# --- headline ----------------------------------------------------------------------------

def kernel_headline(data):
    rows = []
    small = [r for r in data["rows"] if r["size"] == "small"]
    for layer in LAYERS:
        mine = [r for r in small if r["layer"] == layer]
        ok = [r for r in mine if r["status"] == "ok"]
        figure = f"NumPy / torch time, {layer} forward+backward (N=64, T=50, H=128)"
        if not ok:
            rows.append([figure, mine[0]["status"] if mine else "–", "≤ 1.5×", ""])
            continue
        over = [f"{r['threads']} thread(s)" for r in ok if r["ratio_torch"] > 1.5]
        rows.append([figure, ", ".join(f"{r['ratio_torch']:.2f}× ({r['threads']} thread"
                                       f"{'s' if r['threads'] > 1 else ''})" for r in ok),
                     "≤ 1.5×", f"**not met** ({', '.join(over)})" if over else "met"])
    fast = [f"{r['layer']} {r['vectorized_speedup']:.0f}×" for r in small
            if r["threads"] == 1 and r["status"] == "ok"]
    if fast:
        rows.append(["batched NumPy vs the same function looped over examples (1 thread)",
                     ", ".join(fast) + " faster", "", ""])
    return rows


def notebook_headline(data):
    rows = []
    student = [r for r in data["rows"] if "student_s" in r]
    if student:
        worst = max(student, key=lambda r: r["student_s"] / r["target_s"])
        over = [r["notebook"][:2] for r in student if r["student_s"] > r["target_s"]]
        rows.append(["slowest notebook relative to its target (student run)",
                     f"{worst['notebook'][:2]}: {seconds(worst['student_s'])}",
                     "≤ 3 min (06: ≤ 4 min)",
                     f"**not met** ({', '.join(over)})" if over else "met"])
        total = sum(r["student_s"] for r in student)
        rows.append([f"all {len(student)} notebooks, student run", seconds(total), "≤ 15 min",
                     verdict(total, data["series_target_s"])])
    graded = [r["grading_s"] for r in data["rows"] if "grading_s" in r]
    if graded:
        rows.append([f"all {len(graded)} notebooks under the grading budget (bare execution)",
                     seconds(sum(graded)), "", ""])
    return rows


def grading_headline(data):
    t = data["targets"]
    return [
        ["autograding overhead (autograde ÷ bare execution, grading budget)",
         f"{data['overhead']:.2f}×", f"≤ {t['overhead']}×", verdict(data["overhead"], t["overhead"])],
        ["parallel speed-up, 2 jobs vs 1 (whole demo class)", f"{data['speedup']:.2f}×",
         f"≥ {t['speedup']}×", verdict(data["speedup"], t["speedup"], at_most=False)],
        ["seconds per submission (mean, 1 job)", seconds(data["runs"]["1"]["mean_s"]), "", ""],
        *([["sandbox start-up per kernel (bwrap, median)", f"{data['sandbox']['cost_s']:.3f} s",
            f"≤ {t.get('sandbox', 0.3)} s", verdict(data["sandbox"]["cost_s"], t.get("sandbox", 0.3))]]
          if "sandbox" in data else []),
        [f"one student's whole series autograded ({len(data['rows'])} notebooks, 1 job)",
         seconds(data["series_s"]), "seconds, not minutes", ""],
    ]


def engine_headline(data):
    t, sim, loop = data["targets"], data["simulation"], data["loopback"]
    most = sim.get("cpus") or max(r["workers"] for r in sim["rows"])
    rows = [[f"Dask scheduler overhead per job (worst of 1–{most} worker processes, one per CPU; "
             f"{sim['n_jobs']:,} stand-in jobs)", f"{sim['overhead_s'] * 1e3:.2f} ms",
             f"≤ {t['overhead_s'] * 1e3:.0f} ms", verdict(sim["overhead_s"], t["overhead_s"])]]
    if "efficiency" in loop:
        rows.append(["parallel efficiency, loopback cluster of 2 worker processes vs 1 local job "
                     "(whole demo class, workers' caches made)", f"{loop['efficiency']:.2f}",
                     f"≥ {t['efficiency']}",
                     verdict(loop["efficiency"], t["efficiency"], at_most=False)])
    return rows


def quality_headline(charlm, g2p, long):
    rows = []
    if charlm:
        final = ", ".join(f"{r['cell'].upper()} {r['curve'][-1]['val']:.3f}" for r in charlm["rows"])
        rows.append([f"char-model validation loss after {charlm['cpu_budget_s']} CPU-s (nats/char)",
                     final, "", ""])
    for label, figures in (("notebook budget", g2p), ("long run", long)):
        if figures:
            figures = list({f["decoder"]: f for f in reversed(figures)}.values())[::-1]  # 1st per decoder
            shown = "; ".join(f"{f['per']:.1%} / {f['wer']:.1%} ({f['decoder']}, {f['words']} words)"
                              for f in figures)
            rows.append([f"G2P test PER / WER, {label}", shown, "Yao & Zweig 2015: 7.6% / 28.6%", ""])
    return rows


# --- sections ----------------------------------------------------------------------------

def agreement(rows):
    diffs = [r["max_abs_diff_vs_torch"] for r in rows if r.get("max_abs_diff_vs_torch") is not None]
    return f" Largest |NumPy − torch| output difference: {max(diffs):.1e}." if diffs else ""


def kernels_section(entry, cpus):
    data = entry["data"]
    rows = []
    for r in data["rows"]:
        size = f"N={r['N']} T={r['T']} D={r['D']} H={r['H']}"
        if r["status"] != "ok":
            rows.append([r["layer"], size, r["threads"], r["status"], "", "", "", "", ""])
            continue
        rows.append([r["layer"], size, r["threads"], f"{r['numpy_s'] * 1e3:.1f}",
                     f"{r['torch_s'] * 1e3:.1f}", f"**{r['ratio_torch']:.2f}×**",
                     verdict(r["ratio_torch"], 1.5), f"{r['naive_s'] * 1e3:.0f}",
                     f"{r['vectorized_speedup']:.1f}×"])
    return "\n\n".join([
        "## Kernels: the solutions' NumPy layers vs PyTorch", stamp(entry, cpus),
        table(["layer", "size", "threads", "NumPy ms", "torch ms", "NumPy / torch", "≤ 1.5×",
               "per-example loop ms", "batching speed-up"], rows),
        data["note"] + agreement(data["rows"]) + " The per-example loop calls the same NumPy functions on one example at "
        "a time (timed on 16 examples, scaled to the batch): what vectorizing over the batch buys.",
    ])


def notebooks_section(entry, cpus):
    data = entry["data"]
    rows = []
    for r in data["rows"]:
        student = seconds(r.get("student_s")) if "student_s" in r else "not run (--quick)"
        if "student_error" in r:
            student += f" FAILED: {r['student_error']}"
        graded = seconds(r.get("grading_s")) + (f" FAILED: {r['grading_error']}"
                                                if "grading_error" in r else "")
        ok = verdict(r["student_s"], r["target_s"]) if "student_s" in r else ""
        guide = verdict(r["grading_s"], GRADING_GUIDE_S) if "grading_s" in r else ""
        rows.append([r["notebook"], student, f"≤ {seconds(r['target_s'])}", ok, graded, guide])
    total = lambda key: sum(r[key] for r in data["rows"] if key in r)
    if "student" in data["modes"]:
        rows.append(["**all**", f"**{seconds(total('student_s'))}**",
                     f"≤ {seconds(data['series_target_s'])}",
                     verdict(total("student_s"), data["series_target_s"]),
                     f"**{seconds(total('grading_s'))}**", ""])
    return "\n\n".join([
        "## Notebooks: wall time to execute each solution notebook", stamp(entry, cpus),
        table(["notebook", "student run", "target", "", "grading budget", "≤ 15 s (guide)"], rows),
        "nbclient in a scratch copy of the notebook's folder, from kernel start to the last cell. "
        "*Student run*: what a student and nbval pay; *grading budget*: the same notebook with "
        "`NBGRADER_EXECUTION=autograde` (which shrinks every training loop via `utils.budget`) "
        "and one BLAS thread, as the grading kernel runs it "
        "(CONTRIBUTING.md asks for about 15 s there).",
    ])


def grading_section(entry, cpus):
    data = entry["data"]
    rows = [[r["notebook"], seconds(r["plain_s"]), seconds(r["autograde_s"]),
             f"{r['overhead']:.2f}×", verdict(r["overhead"], data["targets"]["overhead"])]
            for r in data["rows"]]
    runs = [[jobs, run["submissions"], seconds(run["wall_s"]), seconds(run["mean_s"]),
             seconds(run["median_s"]), "as expected" if not run["unexpected_scores"]
             else f"{len(run['unexpected_scores'])} unexpected"]
            for jobs, run in data["runs"].items()]
    return "\n\n".join([
        "## Autograding the demo class", stamp(entry, cpus),
        table(["notebook", "bare execution", "autograded (alice, 1 job)", "overhead", "≤ 1.3×"], rows),
        table(["jobs", "submissions", "wall time (whole class)", "mean per submission",
               "median per submission", "scores"], runs),
        f"Speed-up with 2 jobs: **{data['speedup']:.2f}×** (wall time of the whole `grade()` "
        f"call, including the serial set-up and gradebook). Students: "
        f"{', '.join(data['students'])} on {', '.join(a[:2] for a in data['assignments'])} "
        "(dave's broken notebooks measure the time limits, not grading). Per submission: "
        "`Result.seconds`, nbgrader's whole run in its isolated job including kernel start and "
        "the probes; overhead = that time for the solutions ÷ the bare execution."
        + "".join(f" Left out: {name} ({why})." for name, why in data.get("skipped", {}).items()),
        *(breakdown_table(data["breakdown"]) if data.get("breakdown") else []),
        *(sandbox_table(data["sandbox_notebooks"]) if data.get("sandbox_notebooks") else []),
    ])


def breakdown_table(rows):
    parts = list(rows[0]["parts"])
    cells = [[part] + [f"{r['parts'][part]:.2f}" for r in rows]
             + [f"{sum(r['parts'][part] for r in rows) / len(rows):.2f}"] for part in parts]
    cells.append(["**whole job**"] + [f"**{r['total_s']:.2f}**" for r in rows]
                 + [f"**{sum(r['total_s'] for r in rows) / len(rows):.2f}**"])
    return [table(["seconds", *(r["notebook"][:2] for r in rows), "mean"], cells),
            "Where alice's jobs (1 job) spend their time, from the timing lines each job's "
            "`events.jsonl` gets (`benchmarks.grading.breakdown`); only the cells after the first "
            "are the notebook's own work."]


def engine_section(entry, cpus):
    data = entry["data"]
    sim, loop, proj = data["simulation"], data["loopback"], data["projection"]
    points = [[r["workers"], r["kind"], seconds(r["start_s"]), f"{r['wall_s']:.2f} s",
               f"{r['ideal_s']:.2f} s", f"{r['overhead_s'] * 1e3:.2f} ms",
               f"{r['throughput']:.0f}/s", f"{r['efficiency']:.2f}", f"{r['vs_one_worker']:.2f}×"]
              for r in sim["rows"]]
    out = [
        "## The grading engine (Dask)", stamp(entry, cpus),
        table(["workers", "kind", "cluster start", "wall", "ideal", "overhead per job",
               "throughput", "of linear", "vs 1 worker"], points),
        f"{sim['n_jobs']:,} stand-in jobs of {sim['job_s'] * 1e3:.0f} ms each (a 10 s notebook "
        "scaled down 1,000×) through the grader's own submission loop (`engine._outcomes`) on a "
        "`LocalCluster` of one-thread worker processes; *ideal* = jobs × job ÷ workers; "
        "*overhead per job* = (wall − ideal) × workers ÷ jobs, the time a worker loses per job to "
        "dispatch and collection. It is absolute, so it carries over to full-length jobs. "
        f"With jobs of 0 s on the largest cluster the whole path drains "
        f"**{sim['serial_s'] * 1e3:.2f} ms per job** at most (client, scheduler and workers on "
        f"the same {cpus} CPUs: an upper bound), {1 / sim['serial_s']:.0f} jobs/s. Past one worker "
        f"per CPU the processes take turns on the {cpus} CPUs and the stand-in jobs ask for more "
        "than that rate, so those rows measure this machine, not the scheduler; the headline "
        "takes the rows with a CPU per worker, as on a real cluster.",
    ]
    if "efficiency" in loop:
        out.append(
            f"**Loopback cluster**: `dask scheduler` and {loop['workers']} `dask worker --nthreads 1` "
            f"processes, each in a folder of its own, graded the demo class ({loop['submissions']} "
            f"submissions) in {seconds(loop['wall_s'])} with the workers' caches made "
            + (f"({seconds(loop['cold_wall_s'])} in the cluster's first run, each worker preparing "
               "its course; " if "cold_wall_s" in loop else "(")
            + f"{'scores as expected' if not loop['unexpected_scores'] else 'UNEXPECTED SCORES'}), "
            f"against {seconds(loop['local_wall_s']['1'])} for 1 local job and "
            f"{seconds(loop['local_wall_s']['2'])} for 2: parallel efficiency "
            f"**{loop['efficiency']:.2f}** (local 2 jobs: {loop['local_efficiency']:.2f}).")
    else:
        out.append(f"Loopback cluster: skipped ({loop['skipped']}).")
    cells = [[f"{r['students']:,}", f"{r['notebooks']:,}", r["workers"], seconds(r["wall_s"]),
              r["bound"]] for r in proj["rows"]]
    out += [table(["students", "notebooks", "workers", "projected wall", "bound by"], cells),
            f"Projected from {seconds(proj['mean_s'])} per notebook ({proj['mean_source']}) plus the "
            f"overhead per job, each worker grading its share back to back, capped by the serial "
            "path's rate (`benchmarks.engine.projections`, whose docstring lists what it leaves out: "
            "start-up, transfers, the last wave, slow notebooks)."]
    return "\n\n".join(out)


def sandbox_table(rows):
    cells = [[r["notebook"], seconds(r["plain_s"]), seconds(r["sandboxed_s"]), f"{r['cost_s']:+.2f} s"]
             for r in rows]
    total = [sum(r[k] for r in rows) for k in ("plain_s", "sandboxed_s")]
    cells.append(["all", seconds(total[0]), seconds(total[1]), f"{total[1] - total[0]:+.2f} s"])
    return [table(["notebook", "plain kernel", "sandboxed grading kernel", "difference"], cells),
            "The same notebooks, grading budget, executed alternately in a plain kernel and in the "
            "grading kernel (bubblewrap sandbox, limits, unix sockets) in one run, in both orders "
            "(medians): what the sandbox costs a whole notebook (`benchmarks.grading.sandbox_notebooks`)."]


def quality_section(charlm_entry, notebooks_entry, long_entry, cpus):
    parts = ["## Model quality per CPU-minute"]
    if charlm_entry and "data" in charlm_entry:
        data = charlm_entry["data"]
        marks = [p["cpu_s"] for p in data["rows"][0]["curve"][1:]]
        rows = [[r["cell"].upper(), f"{r['parameters']:,}", r["curve"][-1]["steps"]]
                + [f"{p['val']:.3f}" for p in r["curve"]] for r in data["rows"]]
        parts += [stamp(charlm_entry, cpus), table(["model", "parameters", "steps", "start"]
                  + [f"after {round(m, 1):g} CPU-s" for m in marks], rows),
                  f"Validation loss in nats per character on {data['val_words']} held-out words "
                  f"(`utils.char_models`, hidden size {data['hidden']}, batch {data['batch']}, Adam "
                  f"lr {data['lr']}, one thread; CPU time of the training steps only)."]
    g2p = (notebooks_entry or {}).get("data", {}).get("g2p")
    long = (long_entry or {}).get("data")
    rows = []
    for f in (g2p or {}).get("figures", []):
        rows.append([f"notebook budget, {f['decoder']}", f"{f['per']:.1%}", f"{f['wer']:.1%}",
                     f["words"], "see notebook 06 above"])
    if not (g2p or {}).get("figures"):
        rows.append(["notebook budget", "not found", "", "", "notebook 06 printed no PER/WER table"])
    if long and long.get("figures"):
        for f in long["figures"]:
            rows.append([f"long run (`G2P_LONG=1`), {f['decoder']}", f"{f['per']:.1%}", f"{f['wer']:.1%}",
                         f["words"], f"{seconds(long['seconds'])} ({long_entry['measured'][:10]})"])
    elif long_entry is None:
        rows.append(["long run (`G2P_LONG=1`)", "not measured", "", "",
                     "`python -m benchmarks --only g2p_long`"])
    else:
        why = long_entry.get("error") or (long or {}).get("error") or "no PER/WER table printed"
        rows.append(["long run (`G2P_LONG=1`)", "failed", "", "", why])
    rows.append(["Yao & Zweig 2015, encoder-decoder LSTM", "7.6%", "28.6%", "CMUdict test", ""])
    parts += ["### Grapheme-to-phoneme (notebook 06)",
              table(["", "PER", "WER", "test words", "wall time"], rows),
              f"Notebook-budget figures: {g2p['source'] if g2p else 'notebook 06 not run'}. "
              "Published results use another split and many more epochs; see notebook 06."]
    return "\n\n".join(parts)


# --- claims --------------------------------------------------------------------------------

def figure_range(values):
    lo, hi = min(values), max(values)
    fmt = (lambda v: f"{v:.1e}") if 0 < abs(hi) < 1e-3 or abs(hi) >= 1e4 else (lambda v: f"{v:.3g}")
    return fmt(lo) if lo == hi else f"{fmt(lo)} – {fmt(hi)}"


def claims_headline(data):
    held = sum(not r["failed"] for r in data["rows"])
    return [[f"claims drawn from training that hold on all {len(data['seeds'])} seeds",
             f"{held} of {len(data['rows'])}", "all", verdict(len(data["rows"]) - held, 0)]]


def claims_section(entry, cpus):
    data = entry["data"]
    rows = [[r["notebook"][:2], r["claim"],
             f"{len(r['held'])}/{len(r['held']) + len(r['failed'])}"
             + (f" (fails: seed {', '.join(map(str, r['failed']))})" if r["failed"] else ""),
             "; ".join(f"{k} {figure_range(v)}" for k, v in r["figures"].items())]
            for r in data["rows"]]
    parts = ["## Claims across seeds",
             f"Every claim a notebook's text draws from training is checked in the cell that "
             f"trains (`utils.claims.check_claim`); here each notebook ran as a student runs it "
             f"with the training seed `RNN_COURSE_SEED` = {', '.join(map(str, data['seeds']))} "
             "(data splits fixed). Figures: the range over the seeds.",
             stamp(entry, cpus), table(["nb", "claim", "holds on seeds", "figures (min – max)"], rows)]
    if data["errors"]:
        parts.append("Runs that stopped: " + "; ".join(
            f"{e['notebook']} seed {e['seed']}: `{e['error']}`" for e in data["errors"]))
    return "\n\n".join(parts)


def render(results):
    m, run, sections = results["machine"], results["run"], results["sections"]
    ok = lambda name: sections.get(name, {}).get("data")
    headline = []
    if ok("kernels"):
        headline += kernel_headline(ok("kernels"))
    if ok("notebooks"):
        headline += notebook_headline(ok("notebooks"))
    if ok("grading"):
        headline += grading_headline(ok("grading"))
    if ok("engine"):
        headline += engine_headline(ok("engine"))
    if ok("claims"):
        headline += claims_headline(ok("claims"))
    headline += quality_headline(ok("charlm"), (ok("notebooks") or {}).get("g2p", {}).get("figures"),
                                 (ok("g2p_long") or {}).get("figures"))
    out = [
        "# Benchmarks",
        f"Written by `make bench` (`python -m benchmarks`, {run['mode']} run of "
        f"{', '.join(run['sections'])}) on {run['date']}, commit `{m['commit']}`. Machine: "
        f"{m['cpus']} CPUs ({m['cpu']}), {m['platform']}; Python {m['python']}, NumPy {m['numpy']} "
        f"({m['blas']}), PyTorch {m['torch']}. Load average at the start: "
        f"{', '.join(f'{x:.1f}' for x in run['load_average_at_start'])}.",
        "Absolute times depend on the machine and on whatever else runs on it; the ratios, "
        "measured side by side in the same run, are the headline. Each section says when it "
        "was measured and how busy the machine was.",
        "## Headline", table(["figure", "measured", "target", ""], headline),
    ]
    for name, render_section in (("kernels", kernels_section), ("notebooks", notebooks_section),
                                 ("grading", grading_section), ("engine", engine_section),
                                 ("claims", claims_section)):
        entry = sections.get(name)
        if entry and "data" in entry:
            out.append(render_section(entry, m["cpus"]))
        elif entry:
            out.append(f"## {name}\n\nFailed: `{entry['error']}`")
    out.append(quality_section(sections.get("charlm"), sections.get("notebooks"),
                               sections.get("g2p_long"), m["cpus"]))
    return "\n\n".join(out) + "\n"
