"""The reference implementations, loaded from the solution notebooks themselves.

The benchmark never keeps a copy of a solution: it executes the notebook's setup
cell and its solution cells (plus the function and class definitions of its other
non-test code cells, which solutions may use) into a fresh namespace, in the
notebook's folder, under the autograder's budget. Experiments and tests are not run.
"""

import ast
import os
from contextlib import contextmanager

import nbformat

from benchmarks import ROOT

SOLUTIONS = ROOT / "solutions"
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)


class NotAvailable(Exception):
    """A notebook or a function the benchmark needs is not there (yet)."""


def _set_env(values):
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@contextmanager
def environment(cwd=None, **env):
    """Temporarily change the working folder and environment variables (None unsets them).

    Kernels started meanwhile inherit this environment.
    """
    old_cwd, old_env = os.getcwd(), {k: os.environ.get(k) for k in env}
    try:
        _set_env(env)
        if cwd:
            os.chdir(cwd)
        yield
    finally:
        os.chdir(old_cwd)
        _set_env(old_env)


def _definitions_only(source):
    """The imports, defs, classes and constant assignments of a cell, nothing that runs work."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    keep = []
    for node in tree.body:
        constant = (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                    and all(isinstance(t, ast.Name) for t in node.targets))  # MAX_LEN = 20
        if isinstance(node, DEFINITIONS) or constant:
            keep.append(ast.get_source_segment(source, node))
    return "\n".join(keep)


def load(name, needed=()):
    """Namespace of solution notebook ``name`` holding its graded functions.

    Raises :class:`NotAvailable` when the notebook or one of ``needed`` is missing.
    """
    path = SOLUTIONS / name / f"{name}.ipynb"
    if not path.is_file():
        raise NotAvailable(f"solutions/{name} is not written yet")
    ns = {"__name__": f"solution_{name}"}
    with environment(cwd=path.parent, NBGRADER_EXECUTION="autograde"):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or meta.get("grade"):
                continue
            whole = meta.get("solution") or meta.get("grade_id") == "setup"
            try:
                exec(compile(cell.source if whole else _definitions_only(cell.source),
                             str(path), "exec"), ns)
            except Exception as exc:
                where = meta.get("grade_id") or "a code cell"
                reason = f"solutions/{name}: {where} fails: {type(exc).__name__}: {exc}"
                raise NotAvailable(reason) from exc
    missing = [f for f in needed if f not in ns]
    if missing:
        raise NotAvailable(f"solutions/{name} has no {', '.join(missing)}")
    return ns
