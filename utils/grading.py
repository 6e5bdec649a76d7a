"""Checks used by the notebooks' tests: each failure says what, where and by how much.

Every check raises :class:`GradingError` (an ``AssertionError``) with a message
naming the quantity, the expected and actual shapes, the largest absolute and
relative errors and the first index that is off, so a student can act on it.

Reference outputs: visible tests compare a student's result on fixed inputs with
the solution's result, stored in ``references.npz`` next to the notebook (see
:func:`check_reference`). ``make references`` re-creates those files by running
the solution notebooks with ``RNN_COURSE_RECORD_REFERENCES`` set to a folder.

Tracebacks: a failing test shows the student the test line and the message, not this
module. Every check sets IPython's (and pytest's) ``__tracebackhide__``, and
:class:`GradingError` leaves those frames out of its IPython traceback altogether
(IPython alone would keep the innermost one, where the error is raised).
:func:`install_ipython_hints` (run by ``import utils``) adds a hint to the error of a test
line that unpacks a function's ``None``.
"""

import ast
import io
import itertools
import linecache
import os
import sys
import types
import zipfile

import numpy as np

# Captured at import so that a notebook that rebinds numpy's functions does not
# change what these checks compute (the autograder re-verifies out of process).
_asarray = np.asarray
_array = np.array
_abs = np.abs
_isfinite = np.isfinite
_isnan = np.isnan
_argmax = np.argmax
_unravel_index = np.unravel_index
_count_nonzero = np.count_nonzero
_maximum = np.maximum
_ndarray = np.ndarray

REFERENCE_FILE = "references.npz"
RECORD_ENV = "RNN_COURSE_RECORD_REFERENCES"


class GradingError(AssertionError):
    """A check failed; the message explains how."""

    def _render_traceback_(self):
        """IPython's hook for an exception's own traceback: a list of formatted strings."""
        return _traceback_without_checks(self)


def _traceback_without_checks(exc):
    """IPython's traceback of ``exc`` without the frames that set ``__tracebackhide__``.

    Never raises: IPython would then print the formatting error instead of ``exc``, and
    nbgrader, seeing no error output, would give the failed test its points.
    """
    try:
        from IPython import get_ipython

        formatter = get_ipython().InteractiveTB
        tb = exc.__traceback__
        if getattr(formatter, "skip_hidden", True):  # IPython's switch for hidden frames
            tb = _without_hidden_frames(tb)
        return formatter.structured_traceback(type(exc), exc, tb)
    except Exception:  # noqa: BLE001 -- the message alone is still the whole story
        return [f"{type(exc).__name__}: {exc}"]


def _without_hidden_frames(tb):
    """A new traceback chain: ``tb``'s entries but those whose frame sets ``__tracebackhide__``.

    ``tb`` itself is left as it is (a debugger still sees every frame).
    """
    kept = []
    while tb is not None:
        if not tb.tb_frame.f_locals.get("__tracebackhide__"):
            kept.append(tb)
        tb = tb.tb_next
    chain = None
    for entry in reversed(kept):
        chain = types.TracebackType(chain, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return chain


def _fail(name, *lines):
    __tracebackhide__ = True
    raise GradingError("\n  ".join([f"{name}: {lines[0]}", *lines[1:]]))


def _plain_array(name, value):
    """``value`` as a plain ndarray (no subclass, no custom ``__eq__``), or a clear failure."""
    __tracebackhide__ = True
    if value is None:
        _fail(name, "got None. Did the function reach its `return` statement?")
    if isinstance(value, tuple) and len(value) > 1 and not all(np.isscalar(v) for v in value):
        _fail(name, f"got a tuple of {len(value)} items where one array was expected. "
                    "Did you return extra values, or forget to unpack them?")
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        out = _array(value, copy=True)
    except Exception as exc:  # ragged lists and other non-arrays
        _fail(name, f"could not be read as an array ({type(value).__name__}: {exc}).")
    if out.dtype == object:
        _fail(name, f"is an array of Python objects ({type(value).__name__}); expected numbers.")
    return out.view(_ndarray)


def check_shape(name, actual, shape):
    """Fail unless ``actual`` has exactly ``shape``."""
    __tracebackhide__ = True
    actual = _plain_array(name, actual)
    shape = tuple(shape)
    if actual.shape != shape:
        hint = ""
        if sorted(actual.shape) == sorted(shape):
            hint = " Same sizes in another order: a transpose or a swapped axis?"
        elif actual.size == int(np.prod(shape)):
            hint = " Same number of entries: a reshape or a missing batch axis?"
        _fail(name, f"expected shape {shape}, got {actual.shape}.{hint}")
    return actual


def check_array(name, actual, expected, *, rtol=1e-7, atol=1e-9):
    """Fail unless ``actual`` equals ``expected`` elementwise within ``atol + rtol * |expected|``.

    Integer and boolean arrays, and arrays of strings, must match exactly.
    """
    __tracebackhide__ = True
    expected = _plain_array(f"{name} (expected)", expected)
    actual = check_shape(name, actual, expected.shape)
    header = f"expected shape {expected.shape} {expected.dtype}, got {actual.shape} {actual.dtype}"
    if expected.dtype.kind in "USb" or actual.dtype.kind in "US":
        if actual.dtype.kind != expected.dtype.kind and not (
            expected.dtype.kind == "b" and actual.dtype.kind in "iu"
        ):
            _fail(name, f"expected values of type {expected.dtype}, got {actual.dtype}.")
        wrong = actual != expected
        if _count_nonzero(wrong):
            first = tuple(int(i) for i in np.argwhere(wrong)[0])
            _fail(name, "values differ.", header,
                  f"{_count_nonzero(wrong)} of {wrong.size} entries differ; first at index "
                  f"{first}: expected {expected[first]!r}, got {actual[first]!r}")
        return
    if actual.dtype.kind not in "biuf":
        _fail(name, f"expected numbers, got dtype {actual.dtype}.")
    scalar = expected.ndim == 0
    actual_f = actual.astype(np.float64).reshape(actual.shape or (1,))
    expected_f = expected.astype(np.float64).reshape(expected.shape or (1,))
    if expected.dtype.kind in "iu" and actual.dtype.kind == "f":
        if not np.all(actual_f == np.round(actual_f)):
            _fail(name, f"expected integers ({expected.dtype}), got non-integer floats.")
    bad = ~_isfinite(actual_f) & _isfinite(expected_f)
    if _count_nonzero(bad):
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        kind = "NaN" if _isnan(actual_f[first]) else "inf"
        _fail(name, f"contains {kind} at {'the value' if scalar else f'index {first}'} (and {_count_nonzero(bad) - 1} more "
                    "non-finite entries). Overflow in exp, or a division by zero?", header)
    if actual_f.size == 0:
        return
    err = _abs(actual_f - expected_f)
    err[_isnan(err)] = 0.0  # nan == nan where both are nan
    allowed = atol + rtol * _abs(expected_f)
    outside = err > allowed
    if _count_nonzero(outside):
        first = _unravel_index(int(_argmax(outside)), err.shape)
        worst = _unravel_index(int(_argmax(err)), err.shape)
        rel = err / _maximum(_abs(expected_f), 1e-300)
        where = lambda idx: "the value" if scalar else f"index {tuple(int(i) for i in idx)}"
        _fail(name, "values differ.", header,
              f"max abs error {err[worst]:.3g} at {where(worst)}: expected "
              f"{expected_f[worst]:.6g}, got {actual_f[worst]:.6g}",
              f"max rel error {rel.max():.3g}; {_count_nonzero(outside)} of {err.size} "
              f"entries outside rtol={rtol:g}, atol={atol:g}; first at {where(first)}")


def check_equal(name, actual, expected):
    """Fail unless ``actual == expected`` exactly (ints, strings, lists, dicts)."""
    __tracebackhide__ = True
    if isinstance(actual, np.generic):
        actual = actual.item()
    if type(expected) in (int, float, str, bool) and type(actual) is not type(expected):
        if not (isinstance(expected, int) and isinstance(actual, int) and not isinstance(actual, bool)):
            _fail(name, f"expected a {type(expected).__name__}, got {type(actual).__name__} "
                        f"({actual!r}).")
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        if len(actual) != len(expected):
            _fail(name, f"expected {len(expected)} items, got {len(actual)}: {_short(actual)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            check_equal(f"{name}[{i}]", a, e)
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing or extra:
            _fail(name, f"keys differ: missing {_short(missing)}, unexpected {_short(extra)}")
        for k in expected:
            check_equal(f"{name}[{k!r}]", actual[k], expected[k])
        return
    if not bool(type(expected).__eq__(expected, actual) is True):
        _fail(name, f"expected {_short(expected)}, got {_short(actual)}")


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_raises(name, exc_type, fn, *args, match=None, **kwargs):
    """Fail unless ``fn(*args, **kwargs)`` raises ``exc_type`` (whose message contains ``match``)."""
    __tracebackhide__ = True
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        if match is not None and match.lower() not in str(exc).lower():
            _fail(name, f"raised {type(exc).__name__} as expected, but its message {str(exc)!r} "
                        f"does not mention {match!r}.")
        return
    except Exception as exc:
        _fail(name, f"expected {exc_type.__name__}, but it raised {type(exc).__name__}: {exc}")
    _fail(name, f"expected {exc_type.__name__}, but nothing was raised.")


def check_gradient(name, analytic, numeric, *, tol=1e-7):
    """Fail unless the relative error between two gradients is at most ``tol``."""
    __tracebackhide__ = True
    from utils.gradcheck import rel_error

    numeric = _plain_array(f"{name} (numeric)", numeric)
    analytic = check_shape(name, analytic, numeric.shape)
    err = rel_error(analytic, numeric)
    if not err <= tol:
        diff = _abs(analytic.astype(np.float64) - numeric)
        worst = tuple(int(i) for i in _unravel_index(int(_argmax(diff)), diff.shape)) if diff.ndim else ()
        _fail(name, f"relative error {err:.2e} against finite differences (allowed {tol:.0e}).",
              f"largest difference at index {worst}: analytic {analytic[worst]:.6g}, "
              f"numeric {numeric[worst]:.6g}")
    return err


# --- reference outputs --------------------------------------------------------------------

_references = {}  # path -> dict of arrays, loaded once per kernel
_recorded = {}


def _torch_module(name):
    return name == "torch" or (name or "").startswith("torch.") or name == "torch._C"


def check_numpy_only(name, fn, *args, **kwargs):
    """Call ``fn(*args, **kwargs)`` and fail if it computes with PyTorch; return its result.

    The NumPy notebooks grade derivations written in NumPy. PyTorch is installed (later
    notebooks use it), so autograd -- called directly or through any helper -- would
    compute the same numbers without the derivation: that loses the test's points.
    """
    __tracebackhide__ = True
    used = []

    def watch(frame, event, arg):
        if event == "call" and _torch_module(frame.f_globals.get("__name__")):
            used.append(frame.f_globals["__name__"])
        elif event == "c_call":
            owner = getattr(arg, "__module__", None) or type(getattr(arg, "__self__", None)).__module__
            if _torch_module(owner):
                used.append(getattr(arg, "__qualname__", owner))

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        result = fn(*args, **kwargs)
    finally:
        removed = sys.getprofile() is not watch
        sys.setprofile(previous)
    if removed:
        _fail(name, "the function replaced the Python profiler that checks it; it must only compute.")
    if used:
        _fail(name, f"computes with PyTorch (it called {used[0]}). Write it in NumPy: this notebook "
                    "grades the derivation, and autograd, directly or through a helper, skips it.")
    return result


def _record_path():
    folder = os.environ.get(RECORD_ENV)
    if not folder:
        return None
    return os.path.join(folder, os.path.basename(os.getcwd()) + ".npz")


def tolerance_key(key):
    """Where a reference file keeps the tolerance of the visible test that reads ``key``."""
    return f"{key} (tolerance)"


def check_reference(key, actual, *, rtol=1e-7, atol=1e-9):
    """Compare ``actual`` with the solution's output stored under ``key`` in ``references.npz``.

    With ``RNN_COURSE_RECORD_REFERENCES`` set, record ``actual`` instead (the
    solution notebooks are run that way by ``make references``).
    """
    __tracebackhide__ = True
    record_path = _record_path()
    if record_path is not None:
        _recorded[key] = _plain_array(key, actual)
        _recorded[tolerance_key(key)] = np.array([rtol, atol])  # `references --check` reads it
        write_npz(record_path, _recorded)
        return
    path = os.path.abspath(REFERENCE_FILE)
    if path not in _references:
        if not os.path.exists(path):
            _fail(key, f"the reference file {REFERENCE_FILE} is missing from {os.getcwd()}. "
                       "It ships next to the notebook: restore it from the course release.")
        with np.load(path, allow_pickle=False) as data:
            _references[path] = {k: data[k] for k in data.files}
    if key not in _references[path]:
        _fail(key, f"no reference output named {key!r} in {REFERENCE_FILE}; "
                   "is the file from another version of the course?")
    check_array(key, actual, _references[path][key], rtol=rtol, atol=atol)


def write_npz(path, arrays):
    """Write ``arrays`` as an ``.npz`` whose bytes depend only on the arrays (stable in git)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.array(arrays[key], order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
    os.replace(tmp, path)


# --- hints for the errors a test line raises before any check ------------------------------

NONE_UNPACKED = "cannot unpack non-iterable NoneType object"  # CPython's message


def install_ipython_hints():
    """In IPython, add a hint to the error of a cell line that unpacks a function's ``None``.

    ``next_h, cache = rnn_step_forward(...)`` fails with a bare ``TypeError`` when the
    function's ``return`` is missing; this adds the note from :func:`unpacked_none_hint`
    under it. Every other error shows exactly as IPython shows it, and the type and
    message stay (nbgrader reads them). Runs on ``import utils``; returns whether the
    handler is installed: not outside IPython, not before Python 3.11 (no exception
    notes), not over someone else's custom exception handler.
    """
    ipython = sys.modules.get("IPython")  # not imported: not in IPython, and no import cost
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(BaseException, "add_note"):
        return False
    if shell.custom_exceptions not in ((), (TypeError,)):
        return False
    shell.set_custom_exc((TypeError,), _show_type_error)
    return True


def _show_type_error(shell, etype, value, tb, tb_offset=None):
    """IPython's custom handler of a cell's ``TypeError``: IPython's own display, plus the hint.

    It makes exactly the call IPython makes without a handler: ``showsyntaxerror`` for an
    error while parsing the cell, ``showtraceback`` for one while running it.
    """
    # IPython drops a handler that raises and then prints the error instead of showing it
    # (no error output: nbgrader would give the test its points), so nothing here raises.
    hint = unpacked_none_hint(value, tb, shell.user_global_ns)
    if hint is not None:
        try:
            if hint not in getattr(value, "__notes__", ()):
                value.add_note(hint)
        except Exception:  # noqa: BLE001 -- an exception with odd notes: shown without the hint
            pass
    if not _runs_cell_code(tb, shell.user_global_ns):
        shell.showsyntaxerror()
    else:
        shell.showtraceback(running_compiled_code=True)


def unpacked_none_hint(exc, tb, user_ns):
    """The hint for ``exc``, or None: ``"Hint: f(...) returned None: ..."`` when a cell's own line
    (code at the top level of a cell, whose globals are ``user_ns``: a test line, not a
    function's body) failed to unpack the result of calling ``f``. Never raises.
    """
    try:
        if not isinstance(exc, TypeError) or str(exc) != NONE_UNPACKED:
            return None
        entry = tb
        while entry.tb_next is not None:
            entry = entry.tb_next
        frame = entry.tb_frame
        if frame.f_code.co_name != "<module>" or frame.f_globals is not user_ns:
            return None
        callee = _unpacked_call(frame.f_code, entry.tb_lasti)
    except Exception:  # noqa: BLE001 -- a hint that cannot be worked out is no hint
        return None
    if callee is None:
        return None
    return f"Hint: {callee}(...) returned None: did you forget its `return`?"


def _unpacked_call(code, lasti):
    """Source text of the function called on the right of the assignment that unpacks at
    instruction ``lasti`` of ``code`` (``f`` in ``a, b = f(x)``), or None if it is no call.

    The unpacking instruction's position is that of its target, so a nested target
    (``(a, b), c = f()``: ``f`` returned a tuple) matches no assignment.
    """
    position = next(itertools.islice(code.co_positions(), lasti // 2, None))
    source = "".join(linecache.getlines(code.co_filename))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for target in node.targets:
                span = (target.lineno, target.end_lineno, target.col_offset, target.end_col_offset)
                if isinstance(target, (ast.Tuple, ast.List)) and span == position:
                    return ast.unparse(node.value.func)
    return None


def _runs_cell_code(tb, user_ns):
    """Whether a frame of ``tb`` runs a cell's code (its globals are ``user_ns``): False for
    an error raised while IPython parses the cell."""
    while tb is not None:
        if tb.tb_frame.f_globals is user_ns:
            return True
        tb = tb.tb_next
    return False
