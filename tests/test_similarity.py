"""The similarity report (autograder.grading.similarity) on a tiny class built from 00's
release and solution: a renamed copy is flagged with an excerpt, an independent answer is
not, untouched releases are skipped, the reference never appears."""

import csv
import json
import re
import shutil
from dataclasses import asdict

import nbformat
import numpy as np
import pytest

from autograder import RELEASE
from autograder.__main__ import main
from autograder.demo import solved_notebook
from autograder.grading import similarity
from autograder.grading.model import REFERENCE_STUDENT, Result
from autograder.grading.submission import normalize_submission

A = "00_sequence_data"
STUB_LINE = '    # YOUR CODE HERE\n    raise NotImplementedError("not written yet: replace this line with your code")\n'
# the copier's disguise: other names, other comments, other layout
RENAMES = {"series": "seq", "window": "width", "horizon": "ahead", "rows": "starts", "M": "count",
           "coeffs": "weights", "intercept": "bias", "history": "past", "recent": "latest",
           "forecast": "preds", "counts": "freq", "texts": "corpus", "ch": "c", "tok": "t",
           "lengths": "sizes", "T_max": "longest", "padded": "out", "mask": "valid"}
# an independent, correct answer to two of 00's functions (the bodies replace the stub line)
INDEPENDENT = {
    "make_windows": """\
    if window < 1 or horizon < 1:
        raise ValueError("window and horizon must both be positive")
    n_pairs = len(series) - (window + horizon) + 1
    if n_pairs <= 0:
        raise ValueError("the series is too short for this window and horizon")
    X = np.stack([series[start:start + window] for start in range(n_pairs)])
    y = np.stack([series[start + window:start + window + horizon] for start in range(n_pairs)])
""",
    "build_vocab": """\
    from collections import Counter

    tally = Counter()
    for line in texts:
        tally.update(line)
    ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    itos = ["<pad>", "<unk>"]
    itos.extend(character for character, _ in ranked)
    stoi = dict(zip(itos, range(len(itos))))
""",
}


def _release():
    return nbformat.read(RELEASE / A / f"{A}.ipynb", as_version=4)


def _cells(nb):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def disguised_copy(nb):
    """``nb`` with its solution cells renamed, re-commented and re-indented (2 spaces)."""
    for cell in _cells(nb).values():
        source = re.sub(r"#[^\n\"']*$", "", cell.source, flags=re.M)  # comments out
        for old, new in RENAMES.items():
            source = re.sub(rf"\b{old}\b", new, source)
        source = source.replace("    ", "  ").replace("\n  return", "\n  # done\n\n  return")
        cell.source = "# my own work\n" + source
    return nb


def independent_notebook():
    """The release with INDEPENDENT's answers filled in (the other stubs untouched)."""
    nb = _release()
    for gid, body in INDEPENDENT.items():
        cell = _cells(nb)[gid]
        assert STUB_LINE in cell.source
        cell.source = cell.source.replace(STUB_LINE, body)
    return nb


def comment_only_notebook():
    """The release where the student only added comments: no code of their own."""
    nb = _release()
    for cell in _cells(nb).values():
        cell.source = "# I did not get this one\n" + cell.source
    return nb


CLASS = {  # student -> notebook
    "alice": solved_notebook(A),
    "bob": disguised_copy(solved_notebook(A)),
    "carol": independent_notebook(),
    "dora": _release(),
    "erin": _release(),
    "fay": comment_only_notebook(),
    REFERENCE_STUDENT: solved_notebook(A),
}


def lay_out_work(work, notebooks, missing=("gus",), stale=("hal",)):
    """A work folder as a run leaves it: the release in course/, each graded notebook where
    :func:`similarity.submitted_notebook` looks, results/*.json; returns the results.
    ``missing`` students submitted nothing; ``stale`` ones a notebook refused as invalid,
    their job folder holding the solution graded by an earlier run."""
    release_dir = work / "course" / "notebooks" / A
    release_dir.mkdir(parents=True)
    shutil.copy(RELEASE / A / f"{A}.ipynb", release_dir)
    results = []
    for student, nb in notebooks.items():
        result = Result(student, A)
        path = similarity.submitted_notebook(work, result)
        path.parent.mkdir(parents=True)
        nbformat.write(normalize_submission(nb, _release()), path)
        results.append(result)
    results += [Result(student, A, status="missing") for student in missing]
    for student in stale:
        results.append(Result(student, A, status="invalid"))
        path = similarity.submitted_notebook(work, results[-1])
        path.parent.mkdir(parents=True)
        nbformat.write(solved_notebook(A), path)
    (work / "results").mkdir()
    for r in results:
        (work / "results" / f"{r.student}__{A}.json").write_text(json.dumps(asdict(r)))
    return results


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """``(work, {(a, b): Pair}, md text, csv rows)`` of the class at the default threshold."""
    work = tmp_path_factory.mktemp("similarity") / "work"
    results = lay_out_work(work, CLASS)
    pairs = similarity.write_similarity_report(work, results, [A], progress=False)
    with open(work / "similarity.csv", newline="") as f:
        rows = list(csv.reader(f))
    return work, {(p.a, p.b): p for p in pairs}, (work / "similarity.md").read_text(), rows


def test_a_disguised_copy_is_flagged_with_an_excerpt(report):
    _, pairs, md, _ = report
    copy = pairs[("alice", "bob")]
    assert copy.score_ab > 0.95 and copy.score_ba > 0.95, copy
    assert copy.score >= similarity.DEFAULT_THRESHOLD
    assert "### alice / bob" in md
    excerpt = md.split("### alice / bob", 1)[1].split("```text\n", 1)[1].split("\n```", 1)[0]
    assert excerpt == copy.excerpt
    header, rule, *lines = excerpt.splitlines()
    assert header.startswith("alice (cell ") and " | bob (cell " in header
    assert len(lines) <= similarity.EXCERPT_LINES
    # the same code on both sides of the line, under the copier's names
    left = "\n".join(line.split(" | ")[0] for line in lines)
    right = "\n".join(line.split(" | ", 1)[1] for line in lines if " | " in line)
    words = {w for w in re.findall(r"\w+", left) if w in RENAMES}
    assert words and all(RENAMES[w] in re.findall(r"\w+", right) for w in words), excerpt
    # it starts at the student's code, not at the stub lines a match can begin in
    stub_lines = {line.strip() for c in _cells(_release()).values() for line in c.source.splitlines()}
    assert lines[0].split(" | ")[0].strip() not in stub_lines, excerpt


def test_an_independent_answer_scores_clearly_lower(report):
    _, pairs, md, _ = report
    copy = pairs[("alice", "bob")].score
    for other in ("alice", "bob"):
        pair = pairs[(other, "carol")]
        assert pair.score < 0.35 and pair.score < copy - 0.5, pair
        assert not pair.excerpt and f"### {other} / carol" not in md


def test_the_independent_answer_is_correct():
    """(the alternative of the test above really answers the exercise)"""
    def run(nb, gid, *args):
        space = {"np": np, "PAD": "<pad>", "UNK": "<unk>"}
        exec(_cells(nb)[gid].source, space)
        return space[gid](*args)

    series = np.arange(10.0) ** 2
    for want, got in zip(run(solved_notebook(A), "make_windows", series, 3, 2),
                         run(independent_notebook(), "make_windows", series, 3, 2)):
        np.testing.assert_array_equal(got, want)
    texts = ["hello world", "abba", "Über"]
    assert run(independent_notebook(), "build_vocab", texts) == \
        run(solved_notebook(A), "build_vocab", texts)


def test_untouched_and_missing_submissions_are_skipped_not_flagged(report):
    _, pairs, md, rows = report
    assert set(pairs) == {("alice", "bob"), ("alice", "carol"), ("bob", "carol")}
    assert {r[1] for r in rows[1:]} | {r[2] for r in rows[1:]} == {"alice", "bob", "carol"}
    skipped = md.split("Not compared:", 1)[1]
    assert f"- dora: {similarity.NO_CODE}" in skipped
    assert f"- erin: {similarity.NO_CODE}" in skipped
    assert f"- fay: {similarity.ONLY_STUB}" in skipped
    assert f"- gus: {similarity.NO_NOTEBOOK} (missing)" in skipped
    assert f"- hal: {similarity.NO_NOTEBOOK} (invalid)" in skipped


def test_the_reference_never_appears(report):
    work, pairs, md, rows = report
    assert REFERENCE_STUDENT not in md
    assert REFERENCE_STUDENT not in (work / "similarity.csv").read_text()
    assert all(REFERENCE_STUDENT not in pair for pair in pairs)


def test_csv_has_every_pair_and_the_md_table_shows_the_same_rows(report):
    _, pairs, md, rows = report
    assert rows[0] == ["assignment", "student_a", "student_b", "score_ab", "score_ba",
                       "tokens_overlap"]
    assert rows[1][:3] == [A, "alice", "bob"]  # the highest score first
    scores = [max(float(r[3]), float(r[4])) for r in rows[1:]]
    assert scores == sorted(scores, reverse=True)
    table = [line for line in md.splitlines() if line.startswith("| ")][1:]  # no header
    md_rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table]
    assert [[A] + r[:5] for r in md_rows] == rows[1:]  # 3 pairs: all are shown
    assert [r[5] for r in md_rows] == ["yes", "", ""]
    assert "1 at or above 0.8" in md and "never an automatic penalty" in md
    assert rows[1][5] == str(pairs[("alice", "bob")].tokens_overlap)


def test_threshold_decides_what_is_flagged(tmp_path):
    results = lay_out_work(tmp_path / "work", {s: CLASS[s] for s in ("alice", "carol")},
                           missing=(), stale=())
    pairs = similarity.write_similarity_report(tmp_path / "work", results, [A], threshold=0.0,
                                               progress=False)
    assert len(pairs) == 1 and pairs[0].excerpt  # everything flagged at 0
    assert "### alice / carol" in (tmp_path / "work" / "similarity.md").read_text()
    with pytest.raises(ValueError, match="between 0 and 1"):
        similarity.write_similarity_report(tmp_path / "work", results, [A], threshold=80)


def test_cli_reads_the_run_and_reports(report, tmp_path, capsys):
    work = tmp_path / "work"
    lay_out_work(work, {s: CLASS[s] for s in ("alice", "bob", "dora")})
    assert main(["similarity", "--work", str(work)]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 pairs at or above 0.8" in out and "similarity.md" in out
    assert (work / "similarity.csv").read_text().splitlines()[1].startswith(f"{A},alice,bob,")
    assert main(["similarity", "--work", str(tmp_path / "nowhere")]) == 2
    assert "no results/ folder" in capsys.readouterr().err
    assert main(["similarity", "--work", str(work), "--threshold", "1.5"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
