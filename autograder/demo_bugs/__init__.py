"""Realistic bugs for the demo class's "buggy" student, one module per assignment.

Each module defines ``BUGS``, a list of :class:`Bug`. The buggy student's notebook
is the solution with every ``find`` replaced by its ``replace`` (inside solution
regions); the grading tests then expect zero points on exactly the test cells
listed in ``breaks`` and full marks on all the others.
"""

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Bug:
    find: str  # text that occurs exactly once in the assignment's solution regions
    replace: str
    breaks: tuple  # grade_ids of the test cells that must fail
    why: str  # the mistake, as a student would make it


def bugs_for(assignment):
    """The ``BUGS`` of an assignment, or an empty list if it has none yet."""
    try:
        module = importlib.import_module(f"autograder.demo_bugs.a{assignment}")
    except ModuleNotFoundError as exc:
        if exc.name != f"autograder.demo_bugs.a{assignment}":
            raise  # a module that fails to import must not pass for a missing one
        return []
    return list(module.BUGS)
