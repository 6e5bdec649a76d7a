"""The course model: everything the grader knows about one assignment, in one place.

Its points come from the source notebook's test cells; its probes, tolerance and
deliberately unprobed cells from ``autograder/probes``; its judged cells from
``grading.judges``; its demo bugs and mutants from ``autograder/demo_bugs`` and
``autograder/mutants``. ``problems()`` checks that they all name real cells.
"""

import functools
import importlib
from dataclasses import dataclass

import nbformat

from autograder import SOLUTIONS
from autograder.demo_bugs import bugs_for
from autograder.grading.judges import JUDGES
from autograder.grading.submission import grade_cells
from autograder.mutants import mutants_for
from autograder.probes import hidden_tests_are_probes, probes_for


@dataclass(frozen=True)
class Assignment:
    name: str

    @functools.cached_property
    def source(self):
        return nbformat.read(SOLUTIONS / self.name / f"{self.name}.ipynb", as_version=4)

    @functools.cached_property
    def points(self):
        """``{test grade_id: points}``."""
        return grade_cells(self.source)

    @functools.cached_property
    def answers(self):
        """The grade_ids of the solution cells (one per graded function)."""
        return {c.metadata["nbgrader"]["grade_id"] for c in self.source.cells
                if c.metadata.get("nbgrader", {}).get("solution")}

    @functools.cached_property
    def probes(self):
        return probes_for(self.name)[0]

    @property
    def tolerance(self):
        return probes_for(self.name)[1]

    @property
    def unprobed(self):
        """``{test grade_id: why it has no probe}``."""
        return getattr(importlib.import_module(f"autograder.probes.a{self.name}"), "UNPROBED", {})

    @property
    def judged(self):
        """``{test grade_id: judge}``: cells the grader judges itself (``grading.judges``)."""
        return {gid: judge for (name, gid), judge in JUDGES.items() if name == self.name}

    @property
    def hidden_tests_are_probes(self):
        return hidden_tests_are_probes(self.name)

    @property
    def bugs(self):
        return bugs_for(self.name)

    @property
    def mutants(self):
        return mutants_for(self.name)

    def problems(self):
        """What does not fit: each a sentence (an empty list when all is consistent)."""
        tests, out = set(self.points), []
        if set(self.probes) - tests:
            out.append(f"probes for unknown test cells: {sorted(set(self.probes) - tests)}")
        if tests - set(self.probes) != set(self.unprobed):
            out.append(f"test cells neither probed nor in UNPROBED: {sorted(tests - set(self.probes) - set(self.unprobed))}")
        out += [f"UNPROBED {gid} gives no reason" for gid, why in self.unprobed.items() if not why.strip()]
        out += [f"judged cell {gid} has no probe" for gid in self.judged if gid not in self.probes]
        out += [f"demo bug ({bug.why}) breaks unknown cells {sorted(set(bug.breaks) - tests)}"
                for bug in self.bugs if set(bug.breaks) - tests]
        out += [f"mutant ({m.why}) edits unknown cell {m.function}" for m in self.mutants
                if m.function not in self.answers]
        out += [f"mutant ({m.why}) is judged by unknown cells {sorted(set(m.judged_by) - tests)}"
                for m in self.mutants if set(m.judged_by) - tests]
        return out
