"""Claims the notebooks draw from training, checked where the training runs.

The last digits of every trained figure depend on the CPU (BLAS and vector kernels
differ between AMD and Intel machines), on the thread count and on the seed. So a
notebook never rests a conclusion on a printed number: the cell that trains states
the claim its text makes and checks it with a margin,

    check_claim("the vanilla RNN solves T = 5 and 10 (test MSE < 0.1 x baseline)",
                lambda: max(ratio[5], ratio[10]) < 0.1, **{f"rnn_T{T}": r for T, r in ratio.items()})

and nbval ignores that cell's printed figures (tag ``nbval-ignore-output``) but still
runs the check. A claim that stops holding -- on another CPU, with another seed, or for
a student whose code differs -- fails loudly instead of leaving a false sentence.

The seed of the training runs is :func:`experiment_seed`: 0 unless ``RNN_COURSE_SEED``
is set; ``make bench`` runs the notebooks with several seeds and, through
``RNN_COURSE_CLAIMS`` (a JSON-lines file), collects every claim's figures for the
seed spread in ``benchmarks/RESULTS.md``. Under the autograder's small budget the runs
are too short for any claim, so nothing is checked or recorded there.
"""

import json
import os

from utils.budget import AUTOGRADING

SEED_ENV = "RNN_COURSE_SEED"
RECORD_ENV = "RNN_COURSE_CLAIMS"


class ClaimError(AssertionError):
    """A claim of the notebook's text does not hold for this training run."""


def experiment_seed():
    """The seed of the notebooks' training runs (model initialisation, batches)."""
    return int(os.environ.get(SEED_ENV, "0"))


def check_claim(claim, holds, **figures):
    """Raise :class:`ClaimError` unless ``holds()``; ``figures`` are the numbers behind it.

    ``claim`` is the sentence of the text, with the margin that is checked. ``holds`` is a
    function (``lambda: ...``), called only when the claim is checked: under the grading
    budget the runs it reads (a lag, a length) may not exist. The figures are shown when
    the claim fails. With ``RNN_COURSE_CLAIMS`` set, the claim and its figures are recorded
    there instead of raising, so that one run measures them all.
    """
    if AUTOGRADING:
        return
    holds = bool(holds())
    if _record(claim, holds, figures):
        return  # make bench collects every claim of the run, failed ones included
    if not holds:
        shown = ", ".join(f"{k} = {_fmt(v)}" for k, v in figures.items())
        raise ClaimError(f"The text claims: {claim}.\nThis run does not show it ({shown}). "
                         "Training results vary a little with the machine and the seed; if your "
                         "functions pass their tests, tell the course staff (this cell is not graded).")


def _fmt(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _record(claim, holds, figures):
    path = os.environ.get(RECORD_ENV)
    if not path:
        return False
    row = dict(seed=experiment_seed(), claim=claim, holds=holds,
               figures={k: float(v) for k, v in figures.items()})
    with open(path, "a") as f:
        f.write(json.dumps(row) + "\n")
    return True
