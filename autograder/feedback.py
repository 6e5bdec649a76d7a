"""Feedback must not give the hidden tests away."""

import re

from nbgrader.preprocessors import ClearHiddenTests

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def strip_hidden_tests(nb):
    """Remove hidden-test regions from test cells, and tracebacks that would quote them.

    A failing hidden test keeps its error name and message (written for students),
    not the code around it.
    """
    clear = ClearHiddenTests()
    for cell in nb.cells:
        if cell.cell_type != "code" or "BEGIN HIDDEN TESTS" not in cell.source:
            continue
        clear._remove_hidden_test_region(cell)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [f"{out.get('ename')}: {_ANSI.sub('', str(out.get('evalue')))}"]
    return nb


def _graded_names(source_nb):
    return [c.metadata["nbgrader"]["grade_id"] for c in source_nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")]


def test_dependencies(source_nb):
    """``{test grade_id: [other graded functions its code calls]}``, from the source notebook."""
    names = _graded_names(source_nb)
    deps = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            own = meta["grade_id"].removeprefix("test_")
            deps[meta["grade_id"]] = [n for n in names if n != own
                                      and re.search(rf"(?<![\w.]){re.escape(n)}\(", cell.source)]
    return deps


def note_failed_dependencies(nb, source_nb, scores, max_scores):
    """After each failed test that also runs another of the student's graded functions whose
    own test failed, a note saying so: the lost points may come from that function."""
    from nbformat.v4 import new_markdown_cell

    deps = test_dependencies(source_nb)
    failed = {gid for gid, top in max_scores.items() if scores.get(gid, 0.0) < top}
    for index in range(len(nb.cells) - 1, -1, -1):
        gid = nb.cells[index].metadata.get("nbgrader", {}).get("grade_id")
        culprits = [n for n in deps.get(gid, []) if f"test_{n}" in failed] if gid in failed else []
        if culprits:
            listed = ", ".join(f"`{n}` (its test `test_{n}` failed too)" for n in culprits)
            nb.cells.insert(index + 1, new_markdown_cell(
                f"**Note from the autograder:** this test also runs your {listed}. "
                "Fix that first: this test may then pass as it is."))
    return nb
