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
