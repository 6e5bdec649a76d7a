"""What the pipeline passes around: a submission to grade and the result of grading it."""

from dataclasses import dataclass, field
from pathlib import Path

# starts with "_", which no student id can (see student_id): a student cannot take its place
REFERENCE_STUDENT = "_reference-solution"

def job_folder(work, student, assignment):
    """Where one submission is graded (:func:`autograder.grading.job.run_job`) and its
    notebooks, logs and probe outputs stay."""
    return Path(work) / "jobs" / f"{student}__{assignment}"

@dataclass
class Submission:
    student: str
    assignment: str
    path: Path  # None when the notebook is missing
    name: str = ""  # the student's name as the folder or file gave it
    note: str = ""  # a remark for the report (ids kept apart)
    # why the file was not read where it was found (a link, a device, too big), for a job
    # graded away from it (grading.engine): its path is then None, as nothing travelled
    refused: str = ""

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
    # set by a late policy (grading.late), after grading: the per-cell scores stay as they are
    submitted_at: str = ""  # ISO 8601, UTC
    submitted_from: str = ""  # where that time came from
    late_penalty: float = 0.0  # points taken from the final score
    late_note: str = ""  # why, for the report
    # grade_id -> points a TA entered in formgrader over the autograder's (read from the
    # gradebook each run, dropped when the submission is graded again)
    overrides: dict = field(default_factory=dict)

    @property
    def score(self):
        """Points earned: the autograder's, or the TA's where one was entered."""
        return sum(self.overrides.get(gid, points) for gid, points in self.scores.items())

    @property
    def final_score(self):
        """The score after the late penalty (the score itself without a policy)."""
        return max(0.0, self.score - self.late_penalty) if self.late_penalty else self.score

    @property
    def max_score(self):
        return sum(self.max_scores.values())
