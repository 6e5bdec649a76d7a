"""nbgrader configuration of the course (loaded by the Makefile and the grading pipeline).

Paths are relative to the course root that nbgrader runs in: the repository for
``make release``, a private working folder for each graded submission.
"""

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "rnn-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Reference data and notebooks travel with an assignment; caches do not.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# A student cannot fill in a locked test cell nor delete one: restore them all.
c.OverwriteCells.add_missing_cells = True
# What a student finds in place of each solution; its message says what to do when a test
# reaches it.
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("not written yet: replace this line with your code")'
}

# Per-cell limit (autograder/settings.py owns it); the pipeline adds a whole-notebook limit.
from autograder.settings import DEFAULTS  # noqa: E402

c.Execute.timeout = DEFAULTS.cell_timeout
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120

# Feedback must not reveal hidden tests (see autograder/feedback.py), nor run a student's
# script in the browser of whoever opens it: markdown and HTML outputs are sanitized
# (no script, no event handlers, no javascript: URLs), other active outputs dropped.
c.GenerateFeedback.force = True
c.GenerateFeedback.exporter_class = "autograder.feedback.OfflineMathHTMLExporter"
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "autograder.feedback.SafeHTML",
]

# Autograding runs the course's hardened executor instead of nbgrader's Execute
# (kernel restarts after a hang or crash, a notebook deadline, probes).
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)
from nbgrader.preprocessors.latesubmissions import AssignLatePenalties  # noqa: E402

from autograder.execute import GuardedExecute  # noqa: E402

c.Autograde.autograde_preprocessors = [
    GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
c.GuardedExecute.timeout = DEFAULTS.cell_timeout
c.GuardedExecute.interrupt_on_timeout = True
c.GuardedExecute.startup_timeout = 120
