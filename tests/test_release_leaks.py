"""The student release gives no answer away (CONTRIBUTING.md, "What students get").

Everything a student gets is ``notebooks/`` and ``utils/``. For every graded function:

- **text**: no three consecutive significant lines of its solution appear there;
- **behaviour**: no function of ``utils/`` and no function defined in a release notebook
  returns the same outputs as the solution on the assignment's probes
  (``autograder/probes``), the inputs the autograder itself checks with.

PyTorch helpers that compute what a NumPy notebook grades are allowed; the graded NumPy
functions are checked not to call PyTorch (``utils.grading.check_numpy_only``), which
``test_grading_checks.py`` tests.
"""

import ast
import functools
import importlib
import inspect
import pkgutil
import signal
import types

import matplotlib
import nbformat
import numpy as np
import pytest

from autograder import RELEASE, ROOT, SOLUTIONS, assignments
from autograder.bundle import SHINGLE, significant_lines, solution_regions
from autograder.probes import numpy_only_claim, probes_for
from utils.grading import check_numpy_only

matplotlib.use("Agg")


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def _release_texts():
    """``{where: [significant lines]}`` for every release code cell and utils module."""
    texts = {}
    for name in assignments():
        nb = nbformat.read(RELEASE / name / f"{name}.ipynb", as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                texts[f"notebooks/{name} cell {i}"] = significant_lines(cell.source.splitlines())
    for path in sorted((ROOT / "utils").glob("*.py")):
        texts[f"utils/{path.name}"] = significant_lines(path.read_text().splitlines())
    return texts


def test_no_solution_text_in_the_release():
    release = {where: "\n".join(lines) for where, lines in _release_texts().items()}
    copies = []
    for name in assignments():
        nb = nbformat.read(SOLUTIONS / name / f"{name}.ipynb", as_version=4)
        for grade_id, lines in solution_regions(nb).items():
            for k in range(len(lines) - SHINGLE + 1):
                shingle = "\n".join(lines[k:k + SHINGLE])
                copies += [f"{name}/{grade_id} in {where}: {lines[k]!r}..."
                           for where, text in release.items() if shingle in text]
    assert not copies, "solution code in the release:\n" + "\n".join(sorted(set(copies)))


# --- behaviour ---------------------------------------------------------------------------------

def _setup_and_solutions(nb):
    """Namespace of a solution notebook's setup cell and solution cells (definitions only)."""
    ns = {}
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if cell.cell_type == "code" and (meta.get("grade_id") == "setup" or meta.get("solution")):
            exec(compile(cell.source, f"<{meta['grade_id']}>", "exec"), ns)
    return ns


def _release_functions():
    """``{where: function}``: utils' functions and every def of the release notebooks."""
    found = {}
    for info in pkgutil.iter_modules([str(ROOT / "utils")]):
        module = importlib.import_module(f"utils.{info.name}")
        for fname, fn in vars(module).items():
            if isinstance(fn, types.FunctionType) and fn.__module__ == module.__name__:
                found[f"utils.{info.name}.{fname}"] = fn
    for name in assignments():
        nb = nbformat.read(RELEASE / name / f"{name}.ipynb", as_version=4)
        ns = {}
        for cell in nb.cells:
            if cell.cell_type != "code" or _nbgrader(cell).get("solution"):
                continue
            if _nbgrader(cell).get("grade_id") == "setup":
                exec(cell.source, ns)
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.FunctionDef):
                    code = ast.Module(body=[node], type_ignores=[])
                    try:
                        exec(compile(code, f"<{name}>", "exec"), ns)
                    except Exception:
                        continue
                    found[f"notebooks/{name}: {node.name}"] = ns[node.name]
    return found


def _accepts(fn, like):
    """Whether ``fn`` can be called with the arguments ``like`` takes."""
    try:
        params = list(inspect.signature(fn).parameters.values())
        want = list(inspect.signature(like).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    n_like = len([p for p in want if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
    varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
    return len(required) <= n_like and (varargs or len(positional) >= n_like)


def _names_used(code):
    names = {c for c in code.co_consts if isinstance(c, str)} | set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_used(const)
    return names


def _outputs(probe, ns, seed=0):
    def alarm(*_):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(5)
    try:
        out = probe(ns, np.random.default_rng(seed))
        return {k: np.asarray(v.detach() if hasattr(v, "detach") else v) for k, v in out.items()}
    except BaseException:  # noqa: B036 -- a candidate that fails is simply not equal
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _same(a, b):
    if a is None or b is None or a.keys() != b.keys():
        return False
    for key in a:
        x, y = a[key], b[key]
        if x.shape != y.shape or x.dtype.kind != y.dtype.kind:
            return False
        if x.dtype.kind in "biuf" and not np.allclose(x, y, rtol=1e-6, atol=1e-8, equal_nan=True):
            return False
        if x.dtype.kind not in "biuf" and not np.array_equal(x, y):
            return False
    return True


@pytest.fixture(scope="module")
def release_functions():
    return _release_functions()


@pytest.mark.filterwarnings("ignore")  # candidates called with unsuitable inputs may warn
@pytest.mark.parametrize("name", assignments())
def test_no_release_function_computes_a_graded_function(name, release_functions, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # candidates called with unsuitable inputs may write files
    nb = nbformat.read(SOLUTIONS / name / f"{name}.ipynb", as_version=4)
    graded = [_nbgrader(c)["grade_id"] for c in nb.cells if _nbgrader(c).get("solution")]
    solution_ns = _setup_and_solutions(nb)
    probes, _ = probes_for(name)
    all_probes = [p for funcs in probes.values() for p in funcs]
    references = {probe: _outputs(probe, solution_ns) for probe in all_probes}
    # a candidate that computes with PyTorch earns nothing where the tests check NumPy only:
    # in a visible test, or in a hidden test that is a probe
    claimed = {k for out in references.values() if out for k in out}
    numpy_only = {f for f in graded if numpy_only_claim(f) in claimed or
                  any(f"check_numpy_only({f!r}" in c.source for c in nb.cells)}
    checked, leaks = 0, []
    for probe in all_probes:
        reference = references[probe]
        if reference is None:
            continue
        for fname in sorted(_names_used(probe.__code__) & set(graded) & set(solution_ns)):
            for where, candidate in release_functions.items():
                if candidate is solution_ns[fname] or not _accepts(candidate, solution_ns[fname]):
                    continue
                checked += 1
                if fname in numpy_only:
                    candidate = functools.partial(check_numpy_only, fname, candidate)
                if _same(_outputs(probe, dict(solution_ns, **{fname: candidate})), reference):
                    leaks.append(f"{where} computes {name}'s {fname} (probe {probe.__name__})")
    assert checked > 0, f"{name}: no probe ran on the solution, nothing was compared"
    assert not leaks, "\n".join(leaks)
