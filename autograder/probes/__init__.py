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
"""

import importlib

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
