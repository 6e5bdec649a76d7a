"""What the pipeline passes around: a submission to grade and the result of grading it."""

from dataclasses import dataclass, field
from pathlib import Path

# starts with "_", which no student id can (see student_id): a student cannot take its place
REFERENCE_STUDENT = "_reference-solution"

@dataclass
class Submission:
    student: str
    assignment: str
    path: Path  # None when the notebook is missing
    name: str = ""  # the student's name as the folder or file gave it
    note: str = ""  # a remark for the report (ids kept apart)

@dataclass
class Result:
    student: str
    assignment: str
    scores: dict = field(default_factory=dict)  # grade_id -> points earned
    max_scores: dict = field(default_factory=dict)  # grade_id -> points possible
    problems: list = field(default_factory=list)  # human-readable reasons
    status: str = "ok"  # ok | problem | invalid | missing | timeout | error
    seconds: float = 0.0
    digest: str = ""
    checks: dict = field(default_factory=dict)  # grade_id -> why the trusted side zeroed it

    @property
    def score(self):
        return sum(self.scores.values())

    @property
    def max_score(self):
        return sum(self.max_scores.values())
