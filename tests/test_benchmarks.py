"""The benchmark's claims table: re-measuring one notebook keeps the others' rows."""

from benchmarks.claims import summarize


def _run(notebook, seed, holds, figure):
    return dict(notebook=notebook, seed=seed, seconds=1.0, error=None,
                claims=[dict(claim=f"{notebook} claim", holds=holds, figures=dict(x=figure))])


def test_one_notebooks_claims_replace_its_rows_and_keep_the_others():
    earlier = summarize([_run(name, seed, True, seed) for name in ("01_rnn_numpy", "06_seq2seq_attention")
                         for seed in (0, 1)], (0, 1))
    again = summarize([_run("06_seq2seq_attention", 0, True, 5.0),
                       _run("06_seq2seq_attention", 1, False, 6.0)], (0, 1), earlier)
    rows = {row["notebook"]: row for row in again["rows"]}
    assert [row["notebook"] for row in again["rows"]] == ["01_rnn_numpy", "06_seq2seq_attention"]
    assert rows["01_rnn_numpy"] == earlier["rows"][0]
    assert rows["06_seq2seq_attention"]["held"] == [0] and rows["06_seq2seq_attention"]["failed"] == [1]
    assert rows["06_seq2seq_attention"]["figures"] == {"x": [5.0, 6.0]}


def test_rows_of_other_seeds_are_not_mixed_in():
    earlier = summarize([_run("01_rnn_numpy", 0, True, 1.0)], (0,))
    again = summarize([_run("06_seq2seq_attention", 0, True, 5.0)], (0, 1, 2), earlier)
    assert [row["notebook"] for row in again["rows"]] == ["06_seq2seq_attention"]


def test_projection_is_bound_by_the_workers_until_the_scheduler_caps_it():
    from benchmarks.engine import projections

    rows = {(r["students"], r["workers"]): r for r in projections(9.0, 0.001, 0.002)}
    small = rows[(300, 8)]
    assert small["notebooks"] == 2100 and small["bound"] == "workers"
    assert abs(small["wall_s"] - 2100 * 9.001 / 8) < 1e-9
    # 70,000 notebooks at 2 ms each through the scheduler: 140 s, less than 9 s x 70,000 / 512
    big = rows[(10_000, 512)]
    assert big["wall_s"] == max(70_000 * 9.001 / 512, 70_000 * 0.002) and big["bound"] == "workers"
    capped = {(r["students"], r["workers"]): r for r in projections(0.1, 0.0, 0.01)}[(10_000, 512)]
    assert capped["bound"] == "scheduler" and abs(capped["wall_s"] - 700.0) < 1e-9


def test_engine_section_renders_its_headline_figures():
    from benchmarks.engine import projections
    from benchmarks.report import engine_headline, engine_section

    row = dict(workers=2, kind="processes", start_s=1.5, wall_s=10.4, ideal_s=10.0,
               overhead_s=0.0004, throughput=192.0, efficiency=0.96, vs_one_worker=1.9)
    data = dict(simulation=dict(n_jobs=2000, job_s=0.01, rows=[row], serial_s=0.003,
                                overhead_s=0.0004),
                targets=dict(overhead_s=0.005, efficiency=0.9),
                loopback=dict(wall_s=55.0, cold_wall_s=80.0, workers=2, submissions=18, mean_s=5.0,
                              unexpected_scores=[], local_wall_s={"1": 100.0, "2": 60.0},
                              efficiency=100.0 / 110.0, local_efficiency=100.0 / 120.0),
                projection=dict(mean_s=9.0, mean_source="test", overhead_s=0.0004,
                                serial_s=0.003, rows=projections(9.0, 0.0004, 0.003)))
    headline = engine_headline(data)
    assert headline[0][1:] == ["0.40 ms", "≤ 5 ms", "met"]
    assert headline[1][1:] == ["0.91", "≥ 0.9", "met"]
    text = engine_section(dict(data=data, measured="today", mode="full", seconds=60.0,
                               load_average=[1.0]), cpus=2)
    assert "**0.91**" in text and "| 10,000 | 70,000 | 512 |" in text
    assert "55 s with the workers' caches made (80 s in the cluster's first run" in text


def test_breakdown_splits_a_job_into_parts_that_add_up(tmp_path):
    import json

    from autograder.grading.model import job_folder
    from benchmarks.grading import PARTS, breakdown

    folder = job_folder(tmp_path, "alice", "01_x")
    folder.mkdir(parents=True)
    cells = [dict(cell=1, grade_id=None, probe=False, s=1.5), dict(cell=3, grade_id="t", probe=False, s=2.0),
             dict(cell=4, grade_id="u", probe=False, s=0.5), dict(cell=9, grade_id=None, probe=True, s=0.75)]
    lines = [dict(kind="cell_timeout", cell=3, grade_id="t"),
             dict(kind="timing", started=102.0, kernel_ready=104.5, cells=cells, cells_done=109.25,
                  finished=109.5),
             dict(kind="job", started=100.0, nbgrader_started=100.5, nbgrader_finished=110.25,
                  finished=110.5)]
    (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines))
    (row,) = breakdown(tmp_path, ["01_x"])
    parts = [row["parts"][name] for name, _, _ in PARTS]
    assert parts == [0.5, 1.5, 2.5, 1.5, 2.5, 0.75, 0.25, 0.75, 0.25]
    assert row["total_s"] == 10.5 == sum(parts)
