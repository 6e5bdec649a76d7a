"""Build and execute nbgrader source notebooks from Python.

Instructors can edit ``solutions/`` in JupyterLab with nbgrader's "Create
Assignment" toolbar; these helpers make the same cells from a script, which is
handy when a notebook is drafted in code. The notebook is the source of truth
either way: a drafting script is not kept.

    from autograder.authoring import markdown, code, solution, tests, write_notebook
    write_notebook("solutions/07_x/07_x.ipynb", [markdown("# Title"), code("import numpy as np"), ...])
    python -m autograder.authoring solutions/07_x/07_x.ipynb   # execute in place
"""

import sys
from pathlib import Path

import nbformat


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "solution": solution, "locked": locked,
            "grade_id": grade_id, "schema_version": 3, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(text, grade_id=None):
    """A markdown cell (locked when it has a ``grade_id``)."""
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    if grade_id:
        cell.metadata.update(_meta(grade_id, locked=True))
    return cell


def code(source, grade_id=None):
    """A code cell; with ``grade_id`` it is read-only (nbgrader restores it at grading time)."""
    cell = nbformat.v4.new_code_cell(source.strip("\n"))
    if grade_id:
        cell.metadata.update(_meta(grade_id, locked=True))
    return cell


def solution(source, grade_id):
    """A cell the student fills in: the code between ``### BEGIN/END SOLUTION`` is removed."""
    if "### BEGIN SOLUTION" not in source:
        raise ValueError(f"{grade_id}: a solution cell needs ### BEGIN SOLUTION / ### END SOLUTION")
    cell = nbformat.v4.new_code_cell(source.strip("\n"))
    cell.metadata.update(_meta(grade_id, solution=True))
    return cell


def tests(source, grade_id, points):
    """A graded, locked test cell; ``### BEGIN/END HIDDEN TESTS`` regions stay autograder-side."""
    cell = nbformat.v4.new_code_cell(source.strip("\n"))
    cell.metadata.update(_meta(grade_id, grade=True, locked=True, points=points))
    return cell


def write_notebook(path, cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.update({
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
    })
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def execute(path, timeout=900):
    """Run a notebook top to bottom in its own folder and store its outputs in place."""
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:  # ids stay, execution metadata (timestamps) would churn git
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"executing {arg}", flush=True)
        execute(arg)
