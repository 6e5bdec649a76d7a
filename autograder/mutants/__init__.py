"""The mutation suite: does each test judge its function's contract?

For every graded function, realistic **bugs** that must lose that function's points, and
correct **alternative** implementations that must get full marks (``python -m autograder
validity``, ``make validity``). Each module ``a<assignment>.py`` defines ``MUTANTS``, a
list of :class:`Mutant`; a mutant is the solution with one ``find`` replaced by its
``replace`` inside the solution cell ``function`` (the demo bugs' mechanism, one mistake
per student). The suite also counts the points a bug costs on *other* functions' tests.
"""

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    function: str  # grade_id of the solution cell it edits
    find: str  # text that occurs exactly once in that cell
    replace: str
    correct: bool  # True: a correct alternative (full marks expected); False: a bug
    why: str  # the mistake or the alternative, as a student would write it
    tests: tuple = ()  # test cells that must fail for a bug; default ("test_<function>",)

    @property
    def judged_by(self):
        return self.tests or (f"test_{self.function}",)


def mutants_for(assignment):
    """The ``MUTANTS`` of an assignment (an assignment without a module has none)."""
    try:
        module = importlib.import_module(f"autograder.mutants.a{assignment}")
    except ModuleNotFoundError as exc:
        if exc.name != f"autograder.mutants.a{assignment}":
            raise  # a broken module must not pass for a missing one
        return []
    return list(module.MUTANTS)
