"""How much work a notebook does: the full course run, or a small grading budget.

nbgrader sets ``NBGRADER_EXECUTION`` (to ``autograde`` or ``validate``) while it
runs a notebook. Training cells ask :func:`budget` for their sizes, so a student
and nbval see the real experiment while the autograder, which grades hundreds of
submissions, runs a few steps only. Graded functions never depend on this flag.
"""

import os

AUTOGRADING = bool(os.environ.get("NBGRADER_EXECUTION"))


def budget(full, grading):
    """Return ``grading`` when nbgrader runs the notebook, else ``full``."""
    return grading if AUTOGRADING else full
