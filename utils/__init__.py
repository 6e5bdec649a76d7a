"""Shared helpers for the rnn-course notebooks.

Infrastructure only: data, seeding, gradient checks, grading checks, plotting,
training loops and metrics. A graded function is never implemented here -- the
student release ships this package, so anything in it is visible to students.
"""

from utils.budget import AUTOGRADING, budget
from utils.grading import install_ipython_hints
from utils.seed import set_seed

__all__ = ["AUTOGRADING", "budget", "set_seed"]

# Every setup cell imports utils: from then on, a test line that unpacks a function's
# None says what to do (a no-op outside IPython).
install_ipython_hints()
