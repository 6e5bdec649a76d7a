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
