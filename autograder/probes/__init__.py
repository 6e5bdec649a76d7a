"""Out-of-process checks of the graded functions, one module per assignment.

A probe is ``probe(ns, rng) -> {name: array}``: it calls graded functions found
in the namespace ``ns`` on inputs drawn from ``rng`` and returns their outputs.
The autograder runs every probe twice with the same seed -- in the student's
kernel after the notebook, and in a clean process on the reference solution --
and compares the arrays in the clean process. A test cell that passed in the
student's kernel while its probes disagree was defeated from inside the kernel
(a patched ``np.allclose``, a replaced check): it scores zero and is reported.

Each module defines ``PROBES = {test_grade_id: [probe, ...]}`` and may set
``TOLERANCE = dict(rtol=..., atol=...)`` and ``UNPROBED = {test_grade_id: reason}`` for a
test cell that deliberately has no probe.

**Hidden tests as probes.** A module that sets ``HIDDEN_TESTS_ARE_PROBES = True`` carries
its assignment's hidden tests, and the notebook has no hidden region left (a unit test
checks): the student's kernel never holds a hidden test, and they are judged out of
process like every probe. The kernel sees only the probe code,
which holds no expected value: every expectation is the reference solution's output on
the same inputs. An output named ``"holds: <statement>"`` is a property (a bool that is
True on the solution, asserted by the unit tests); the others are compared with the
solution's values. Output names are what the student reads when a hidden test fails.
"""

import importlib

import numpy as np

HOLDS = "holds: "
# an output the grader judges itself rather than compares (autograder/grading/judges.py)
PARAMETER = "parameter "


def raises(exc_type, fn, *args, **kwargs):
    """Whether ``fn(*args, **kwargs)`` raises ``exc_type`` (as a hidden ``check_raises``)."""
    try:
        fn(*args, **kwargs)
    except exc_type:
        return np.array(True)
    except Exception:  # noqa: BLE001 -- another exception is a failed check, not a crash
        return np.array(False)
    return np.array(False)


def output(value):
    """A copy of a graded function's output, as float64 where it is real numbers (a complex or
    non-numeric output stays as it is and fails the comparison with the solution's)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    arr = np.array(value)  # a copy: a later call cannot change what is compared
    return arr.astype(np.float64) if arr.dtype.kind in "biuf" else arr


def numpy_only_claim(name):
    """The output name of a NumPy-only property (the release leak test reads it too)."""
    return f"{HOLDS}{name} computes with NumPy only, not PyTorch"


def numpy_only(fn, *args, **kwargs):
    """Whether ``fn`` computes without PyTorch (``utils.grading.check_numpy_only``)."""
    from utils.grading import check_numpy_only

    try:
        check_numpy_only(getattr(fn, "__name__", "function"), fn, *args, **kwargs)
    except AssertionError:
        return np.array(False)
    return np.array(True)

DEFAULT_TOLERANCE = dict(rtol=1e-6, atol=1e-8)


def probes_for(assignment):
    """``(PROBES, TOLERANCE)`` of an assignment; empty if it has none."""
    try:
        module = importlib.import_module(f"autograder.probes.a{assignment}")
    except ModuleNotFoundError as exc:
        if exc.name != f"autograder.probes.a{assignment}":
            raise  # a module that fails to import must not pass for a missing one
        return {}, DEFAULT_TOLERANCE
    return module.PROBES, getattr(module, "TOLERANCE", DEFAULT_TOLERANCE)


def hidden_tests_are_probes(assignment):
    """Whether the assignment's hidden tests run as probes, out of the student's kernel."""
    try:
        module = importlib.import_module(f"autograder.probes.a{assignment}")
    except ModuleNotFoundError as exc:
        if exc.name != f"autograder.probes.a{assignment}":
            raise
        return False
    return bool(getattr(module, "HIDDEN_TESTS_ARE_PROBES", False))
