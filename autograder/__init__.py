"""The course's nbgrader configuration and grading pipeline (``python -m autograder --help``)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
RELEASE = ROOT / "notebooks"


def assignments():
    """Assignment names in course order (each is ``solutions/<name>/<name>.ipynb``)."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if (p / f"{p.name}.ipynb").is_file())
