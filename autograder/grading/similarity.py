"""Similarity report: pairs of submissions whose solution cells are suspiciously alike.

For the TA to review, never an automatic penalty. The detector is copydetect's
(winnowing over pygments tokens: identifiers, strings, comments and whitespace are
normalised away), run in memory on each student's solution cells, with the release's
stubs subtracted as boilerplate so the shared skeleton counts for nothing.

    python -m autograder similarity --work WORK [--threshold 0.8]

writes ``WORK/similarity.md`` (per assignment: the pairs at or above the threshold with
a side-by-side excerpt, and the closest ones below it) and ``WORK/similarity.csv``
(every pair compared).
"""

import csv
import io
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
from copydetect import CodeFingerprint, compare_files, defaults

from autograder.grading.model import REFERENCE_STUDENT, Result

DEFAULT_THRESHOLD = 0.8  # a pair is flagged when either direction's score reaches it
# copydetect's defaults: a match counts from 25 characters of normalised code (a line or
# two), and every such match is found (guarantee = noise: a winnowing window of 1)
NOISE_CHARS = defaults.NOISE_THRESHOLD
GUARANTEE_CHARS = defaults.GUARANTEE_THRESHOLD
BELOW_THRESHOLD_ROWS = 5  # pairs under the threshold still listed, to show the margin
MAX_TABLE_ROWS = 200  # flagged pairs listed per assignment (every pair is in the CSV)
MAX_EXCERPTS = 30  # flagged pairs per assignment shown side by side, the highest first
CROWDED_SHARE = 0.25  # above this share of pairs flagged, the report suggests a higher threshold
EXCERPT_LINES = 10  # lines of each side of a flagged pair's excerpt
EXCERPT_WIDTH = 56  # characters of a line in a column of the excerpt
CSV_COLUMNS = ["assignment", "student_a", "student_b", "score_ab", "score_ba", "tokens_overlap"]
# each cell's code goes under this comment: the tokenizer drops it, the excerpt shows it
CELL_PREFIX = "# --- cell "
CELL_HEADER = CELL_PREFIX + "{} ---"
NO_NOTEBOOK = "no graded notebook"
# statuses of a submission refused before its job ran: a notebook in its job folder would
# be left from an earlier run (see job.run_job and submission.inspect_submission)
NOT_GRADED = {"missing", "invalid", "wrong"}
NO_CODE = "no solution code (release stubs unchanged)"
ONLY_STUB = "no code beyond the release stubs"


@dataclass
class Pair:
    """Two students' solution code for one assignment, compared (``a`` < ``b``)."""

    assignment: str
    a: str
    b: str
    score_ab: float  # share of a's code (beyond the stubs) that is also in b's, in [0, 1]
    score_ba: float  # share of b's code that is also in a's
    tokens_overlap: int  # copydetect's tokens of a's code that match b's (characters of the
    # normalised code, where a name is one character)
    excerpt: str = ""  # side-by-side text, filled in for the highest flagged pairs

    @property
    def score(self):
        return max(self.score_ab, self.score_ba)

    def row(self):
        """The CSV row; the Markdown table shows the same formatted values."""
        return [self.assignment, self.a, self.b, f"{self.score_ab:.3f}", f"{self.score_ba:.3f}",
                str(self.tokens_overlap)]


def submitted_notebook(work, result):
    """Path of the notebook graded for ``result``: the normalised copy that
    :func:`autograder.grading.outputs.publish_course` leaves in the run's course."""
    a, s = result.assignment, result.student
    return Path(work) / "course" / "submitted" / s / a / f"{a}.ipynb"


def release_notebook(work, assignment):
    """Path of the release notebook (the stubs) of ``assignment`` in the run's course."""
    return work / "course" / "notebooks" / assignment / f"{assignment}.ipynb"


def solution_cells(nb):
    """``{grade_id: source}`` of the notebook's solution code cells (first copy of an id)."""
    cells = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code" and meta.get("grade_id"):
            cells.setdefault(meta["grade_id"], cell.source)
    return cells


def joined_code(cells, order):
    """One Python text of ``cells`` (``{grade_id: source}``) in the release's ``order``,
    each under a comment naming its cell; cells the notebook lacks are left out."""
    parts = [f"{CELL_HEADER.format(gid)}\n{cells[gid].rstrip()}\n" for gid in order if gid in cells]
    return "\n".join(parts)


def fingerprint(code, boilerplate=None, name="solution.py"):
    """copydetect's fingerprint of ``code`` (a Python text), ``boilerplate`` hashes removed."""
    return CodeFingerprint(name, NOISE_CHARS, GUARANTEE_CHARS - NOISE_CHARS + 1,
                           boilerplate=boilerplate, language="python", fp=io.StringIO(code))


def stub_hashes(stub_code):
    """Every fingerprint of the release's stubs (window 1, as copydetect takes boilerplate)."""
    return np.unique(np.array(sorted(fingerprint(stub_code.replace("\r", ""), None).hashes)))


def _longest(slices):
    """``(start, end)`` of the longest ``2 x N`` slice, and its index."""
    lengths = slices[1] - slices[0]
    i = int(lengths.argmax())
    return int(slices[0, i]), int(slices[1, i]), i


def _excerpt_lines(code, start, end, stub_lines):
    """``(lines, cell)``: the whole lines of ``code`` around ``code[start:end]`` (at most
    EXCERPT_LINES) and the cell they start in. Leading lines the stubs have too (``stub_lines``,
    stripped) are left out: a match starts up to NOISE_CHARS before the student's own code,
    which can be a whole docstring."""
    first = code.rfind("\n", 0, start) + 1
    last = code.find("\n", end)
    lines = code[first: len(code) if last < 0 else last].split("\n")
    while len(lines) > 1 and lines[0].strip() in stub_lines:
        first += len(lines.pop(0)) + 1
    if len(lines) > EXCERPT_LINES:
        lines = lines[:EXCERPT_LINES - 1] + ["..."]
    header = code.rfind(CELL_PREFIX, 0, first + len(CELL_PREFIX))
    if header < 0:
        return lines, "?"
    return lines, code[header:].split("\n", 1)[0].removeprefix(CELL_PREFIX).removesuffix(" ---")


def _clip(line):
    line = line.replace("\t", "    ")
    return line if len(line) <= EXCERPT_WIDTH else line[:EXCERPT_WIDTH - 1] + "…"


def side_by_side(pair, code_a, code_b, slices_a, slices_b, stub_lines=frozenset()):
    """Text of the longest matched region of each side in two columns.

    ``slices_*``: copydetect's ``2 x N`` (start, end) character offsets into each code;
    ``stub_lines``: the release's stub lines, stripped (see :func:`_excerpt_lines`).
    copydetect does not pair the regions of the two sides; when both have as many, the
    i-th of one matches the i-th of the other (copied code keeps its order).
    """
    start_a, end_a, i = _longest(slices_a)
    if slices_b.shape[1] == slices_a.shape[1]:
        start_b, end_b = int(slices_b[0, i]), int(slices_b[1, i])
    else:
        start_b, end_b, _ = _longest(slices_b)
    lines_a, cell_a = _excerpt_lines(code_a, start_a, end_a, stub_lines)
    lines_b, cell_b = _excerpt_lines(code_b, start_b, end_b, stub_lines)
    out = [f"{_clip(f'{pair.a} (cell {cell_a})'):<{EXCERPT_WIDTH}} | {pair.b} (cell {cell_b})",
           f"{'-' * EXCERPT_WIDTH}-+-{'-' * EXCERPT_WIDTH}"]
    for left, right in itertools.zip_longest(lines_a, lines_b, fillvalue=""):
        out.append(f"{_clip(left):<{EXCERPT_WIDTH}} | {_clip(right)}".rstrip())
    return "\n".join(out)


def student_codes(work, results, assignment, order):
    """``(codes, skipped)``: ``{student: solution code}`` of the assignment's graded
    notebooks, and ``{student: why not compared}``. The reference is never read."""
    codes, skipped = {}, {}
    release = solution_cells(nbformat.read(release_notebook(work, assignment), as_version=4))
    for r in sorted(results, key=lambda r: r.student):
        if r.assignment != assignment or r.student == REFERENCE_STUDENT:
            continue
        path = submitted_notebook(work, r)
        if r.status in NOT_GRADED or not path.is_file():
            skipped[r.student] = f"{NO_NOTEBOOK} ({r.status})"
            continue
        try:
            cells = solution_cells(nbformat.read(path, as_version=4))
        except Exception as exc:  # graded copies are well-formed; a damaged one is skipped
            skipped[r.student] = f"{NO_NOTEBOOK} (unreadable: {type(exc).__name__})"
            continue
        if all(cells.get(gid, "").strip() in ("", release[gid].strip()) for gid in order):
            skipped[r.student] = NO_CODE
            continue
        codes[r.student] = joined_code(cells, order).replace("\r", "")
    return codes, skipped


def compare_assignment(assignment, codes, stub_code, threshold, progress=False):
    """``(pairs, skipped)``: every pair of ``codes`` (``{student: code}``) compared, sorted
    by score (highest first), the first MAX_EXCERPTS flagged ones with an excerpt; and
    ``{student: why}`` for those whose code is all stub. Fingerprints once per student
    (pygments, the slow part), then O(n^2) set intersections."""
    from tqdm import tqdm

    boilerplate = stub_hashes(stub_code)
    prints, skipped = {}, {}
    for student, code in tqdm(codes.items(), desc=f"fingerprints {assignment}", unit="nb",
                              disable=not progress):
        fp = fingerprint(code, boilerplate, name=f"{student}.py")
        if fp.token_coverage == 0:
            skipped[student] = ONLY_STUB
        else:
            prints[student] = fp
    students = sorted(prints)
    n_pairs = len(students) * (len(students) - 1) // 2
    pairs, matched = [], {}
    for a, b in tqdm(itertools.combinations(students, 2), total=n_pairs,
                     desc=f"pairs {assignment}", unit="pair", disable=not progress):
        overlap, (sim_ab, sim_ba), slices = compare_files(prints[a], prints[b])
        pair = Pair(assignment, a, b, float(sim_ab), float(sim_ba), int(overlap))
        if pair.score >= threshold and overlap > 0:
            matched[a, b] = slices
        pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    stub_lines = {line.strip() for line in stub_code.splitlines()} | {""}
    for pair in [p for p in pairs if (p.a, p.b) in matched][:MAX_EXCERPTS]:
        pair.excerpt = side_by_side(pair, codes[pair.a], codes[pair.b], *matched[pair.a, pair.b],
                                    stub_lines)
    return pairs, skipped


def _markdown_section(assignment, pairs, skipped, n_students, threshold):
    """Lines of the report for one assignment."""
    lines = [f"## {assignment}", ""]
    flagged = [p for p in pairs if p.score >= threshold]
    if n_students < 2:
        lines += [f"{n_students} submission with solution code: nothing to compare.", ""]
    else:
        lines += [f"{n_students} submissions with solution code, {len(pairs)} "
                  f"pair{'s' * (len(pairs) > 1)} compared, **{len(flagged)} at or above "
                  f"{threshold:g}**.", ""]
    if len(pairs) >= 10 and len(flagged) > CROWDED_SHARE * len(pairs):
        lines += [f"{len(flagged) / len(pairs):.0%} of the pairs are flagged: this exercise "
                  "leaves little room for variation, a higher threshold may separate copies "
                  "better.", ""]
    if len(flagged) > MAX_TABLE_ROWS:
        shown = flagged[:MAX_TABLE_ROWS]
        lines += [f"The {MAX_TABLE_ROWS} highest are listed; the other "
                  f"{len(flagged) - MAX_TABLE_ROWS} flagged pairs are in similarity.csv.", ""]
    else:
        shown = flagged + [p for p in pairs if p.score < threshold][:BELOW_THRESHOLD_ROWS]
    if len(shown) > len(flagged):
        lines += [f"The {len(shown) - len(flagged)} closest pairs below the threshold are "
                  "listed too (not flagged).", ""]
    if shown:
        lines += ["| student A | student B | score A->B | score B->A | overlapping tokens | flagged |",
                  "|---|---|---|---|---|---|"]
        for p in shown:
            _, a, b, ab, ba, tokens = p.row()
            lines.append(f"| {a} | {b} | {ab} | {ba} | {tokens} | "
                         f"{'yes' if p.score >= threshold else ''} |")
        lines.append("")
    if len(flagged) > MAX_EXCERPTS:
        lines += [f"Excerpts of the {MAX_EXCERPTS} highest flagged pairs:", ""]
    for p in [p for p in flagged if p.excerpt]:
        lines += [f"### {p.a} / {p.b} ({p.score_ab:.2f} / {p.score_ba:.2f})", "",
                  "Longest matched region of each side:", "", "```text", p.excerpt, "```", ""]
    if skipped:
        lines += ["Not compared:", ""]
        lines += [f"- {student}: {why}" for student, why in sorted(skipped.items())]
        lines.append("")
    return lines


def write_similarity_report(work, results, names, threshold=DEFAULT_THRESHOLD, progress=True):
    """Write ``WORK/similarity.md`` and ``WORK/similarity.csv``; return every :class:`Pair`.

    ``results``: the run's :class:`~autograder.grading.model.Result` list (the reference's
    is ignored); ``names``: the assignments to report, in order. Each result's notebook is
    found by :func:`submitted_notebook`, each release in ``WORK/course/notebooks/``.
    Raises ``ValueError`` (one line) for a threshold outside [0, 1], ``FileNotFoundError``
    for a missing release notebook.
    """
    work = Path(work)
    if not 0 <= threshold <= 1:
        raise ValueError(f"the threshold is a share of the code, between 0 and 1: got {threshold}")
    every_pair = []
    lines = ["# Similarity of solution code", "",
             "**For the TA to review, never an automatic penalty.** A high score means two "
             "submissions' solution cells share most of their code once identifiers, strings, "
             "comments and whitespace are normalised (copydetect: winnowing over tokens, "
             f"matches of at least {NOISE_CHARS} normalised characters), the release's stubs "
             "not counted. Short or heavily guided exercises can match by chance: read the "
             "code before drawing conclusions.", "",
             f"Threshold: {threshold:g} (a pair is flagged when either direction reaches it). "
             "Score A->B is the share of A's code also found in B's. Every pair compared is "
             "in similarity.csv.", ""]
    for assignment in names:
        release_path = release_notebook(work, assignment)
        if not release_path.is_file():
            raise FileNotFoundError(f"no release notebook for {assignment}: {release_path}")
        release = solution_cells(nbformat.read(release_path, as_version=4))
        order = list(release)
        codes, skipped = student_codes(work, results, assignment, order)
        pairs, stub_only = compare_assignment(assignment, codes, joined_code(release, order),
                                              threshold, progress)
        skipped.update(stub_only)
        lines += _markdown_section(assignment, pairs, skipped, len(codes) - len(stub_only),
                                   threshold)
        every_pair += pairs
    (work / "similarity.md").write_text("\n".join(lines))
    with open(work / "similarity.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(p.row() for p in every_pair)
    return every_pair


def load_results(work):
    """The :class:`Result` of every ``WORK/results/*.json`` of a grading run."""
    folder = Path(work) / "results"
    if not folder.is_dir():
        raise FileNotFoundError(f"{work} holds no grading run (no results/ folder): "
                                "grade with `python -m autograder grade` first")
    results = []
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith("."):  # a result being written
            continue
        try:
            results.append(Result(**json.loads(path.read_text())))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path} is not a result of this grader: "
                             f"{str(exc).splitlines()[0][:200]}") from None
    return results


def main_similarity(args):
    """``python -m autograder similarity``: the report of an existing run's work folder."""
    work = Path(args.work).resolve()
    try:
        if not 0 <= args.threshold <= 1:
            raise ValueError(f"--threshold is a share between 0 and 1, got {args.threshold}")
        results = load_results(work)
        names = sorted({r.assignment for r in results})
        pairs = write_similarity_report(work, results, names, threshold=args.threshold)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    flagged = sum(p.score >= args.threshold for p in pairs)
    print(f"{flagged} of {len(pairs)} pairs at or above {args.threshold:g} "
          "(for review, never a penalty)\n"
          f"report: {work / 'similarity.md'}\nevery pair: {work / 'similarity.csv'}")
    return 0
