"""The demo class: four students generated from the solutions, so it never drifts.

- ``alice``: submits the solutions (full marks expected);
- ``bob``: submits the untouched release (zero on every test, no crash);
- ``carol``: the solutions with the realistic bugs of ``autograder/demo_bugs``
  (zero on exactly the test cells each bug breaks, full marks elsewhere);
- ``dave``: broken work -- notebook 00 is not valid JSON, notebook 01 has a cell that
  never finishes, and the rest is missing. Each is reported with its reason.
"""

import re
import shutil
from pathlib import Path

import nbformat

from autograder import RELEASE, SOLUTIONS, assignments
from autograder.demo_bugs import bugs_for

SOLUTION_REGION = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", re.M)


def solved_notebook(name):
    """The release notebook with every solution cell filled in as the solution has it."""
    release = nbformat.read(RELEASE / name / f"{name}.ipynb", as_version=4)
    source = nbformat.read(SOLUTIONS / name / f"{name}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = SOLUTION_REGION.sub("", answers[meta["grade_id"]])
    return release


def edited_notebook(name, edits, cell=None):
    """The solved notebook with each ``(find, replace, why)`` of ``edits`` applied once.

    ``find`` must occur exactly once in the solution cells (in the cell whose grade_id is
    ``cell``, if given): a mistake made once, where the student writes code.
    """
    nb = solved_notebook(name)
    solution_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")
                      and cell in (None, c.metadata["nbgrader"]["grade_id"])]
    for find, replace, why in edits:
        hits = [c for c in solution_cells if find in c.source]
        if len(hits) != 1 or hits[0].source.count(find) != 1:
            raise ValueError(f"{name}: {why!r} must match exactly once in the solution cells"
                             f"{f' of {cell}' if cell else ''}, matched "
                             f"{sum(c.source.count(find) for c in hits)}")
        hits[0].source = hits[0].source.replace(find, replace)
    return nb


def buggy_notebook(name):
    """The solved notebook with this assignment's demo bugs applied."""
    return edited_notebook(name, [(bug.find, bug.replace, bug.why) for bug in bugs_for(name)])


def hanging_notebook(name):
    """The solved notebook whose first answer cell never finishes."""
    nb = solved_notebook(name)
    first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first.source = "import time\nwhile True:  # forgot to stop\n    time.sleep(0.1)\n" + first.source
    return nb


def expected_scores(name):
    """``{student: {grade_id: points}}`` that the demo class must get for an assignment."""
    source = nbformat.read(SOLUTIONS / name / f"{name}.ipynb", as_version=4)
    points = {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
              for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
    broken = {gid for bug in bugs_for(name) for gid in bug.breaks}
    return {
        "alice": points,
        "bob": {gid: 0.0 for gid in points},
        "carol": {gid: 0.0 if gid in broken else p for gid, p in points.items()},
    }


# the class list an LMS would export, in nbgrader's roster format (see grading.roster)
ROSTER = """id,first_name,last_name,email
alice,Alice,Arden,alice@example.org
bob,Bob,Baker,bob@example.org
carol,Carol,Chen,carol@example.org
dave,Dave,Diaz,dave@example.org
"""


def write_roster(path):
    Path(path).write_text(ROSTER, encoding="utf-8")
    return Path(path)


def build(dest, names=None):
    """Write the demo class in nbgrader's ``submitted/<student>/<assignment>/`` layout."""
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    names = names or assignments()
    for i, name in enumerate(names):
        notebooks = {
            "alice": solved_notebook(name),
            "bob": nbformat.read(RELEASE / name / f"{name}.ipynb", as_version=4),
            "carol": buggy_notebook(name),
        }
        for student, nb in notebooks.items():
            folder = dest / student / name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{name}.ipynb")
        folder = dest / "dave" / name
        folder.mkdir(parents=True)
        if i == 0:
            text = nbformat.writes(solved_notebook(name))
            (folder / f"{name}.ipynb").write_text(text[: len(text) // 2])  # cut mid-download
        elif i == 1:
            nbformat.write(hanging_notebook(name), folder / f"{name}.ipynb")
        # later assignments: dave's folders exist but hold no notebook (missing)
    return dest


def main_demo(args):
    from autograder.grading import grade
    from autograder.grading.roster import load_roster
    from autograder.settings import Settings

    work = Path(args.work).resolve()
    submissions = build(work / "submitted")
    people = load_roster(write_roster(work / "students.csv"))
    settings = Settings(cell_timeout=45, notebook_timeout=300)
    results, _, reference_failures = grade(submissions, work, jobs=args.jobs, settings=settings,
                                           people=people)
    mismatches = check_expectations(results)
    print("\ndemo class: " + ("every score is as expected" if not mismatches else
                              "UNEXPECTED SCORES:\n  " + "\n  ".join(mismatches)))
    print(f"feedback: {work / 'feedback'}\ngrades: {work / 'grades.csv'}\nreport: {work / 'report.md'}\n"
          f"formgrader: make formgrader RUN={work}")
    return 1 if mismatches or reference_failures else 0


def check_expectations(results):
    """Lines describing every demo score that differs from :func:`expected_scores`."""
    out = []
    expected = {name: expected_scores(name) for name in {r.assignment for r in results}}
    for r in results:
        want = expected[r.assignment].get(r.student)
        if want is None:  # dave: must be reported, must score nothing where it broke
            if not r.problems:
                out.append(f"dave/{r.assignment}: no problem was reported")
            continue
        for gid, points in want.items():
            if r.scores.get(gid) != points:
                out.append(f"{r.student}/{r.assignment}/{gid}: expected {points:g}, "
                           f"got {r.scores.get(gid)}")
    return out
