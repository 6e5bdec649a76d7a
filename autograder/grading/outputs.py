"""What a run leaves for the TA: nbgrader's gradebook, feedback, the CSVs and the report."""

import csv
import shutil
import subprocess
import sys

import nbformat
import numpy as np

from autograder.nbgrader_run import nbgrader

STEP_TIMEOUT = 1800  # seconds for one whole-class step after the jobs (feedback, export)

def write_gradebook(work, results, names):
    """Copy every result's scores into the course gradebook (the only writer: no lock errors)."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session handling
    course = work / "course"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="rnn-course") as gb:
        for r in results:
            gb.update_or_create_student(r.student)
            gb.update_or_create_submission(r.assignment, r.student)
            for grade_id, score in r.scores.items():
                grade = gb.find_grade(grade_id, r.assignment, r.assignment, r.student)
                grade.auto_score = score
                grade.manual_score = None
                grade.extra_credit = None
                grade.needs_manual_grade = False
        gb.db.commit()

def write_feedback(work, results, names):
    """Per-student HTML feedback, with hidden tests stripped, in ``WORK/feedback``."""
    from autograder.feedback import (
        note_failed_dependencies,
        note_trusted_checks,
        without_hidden_tests,
    )

    course = work / "course"
    sources = {name: nbformat.read(course / "solutions" / name / f"{name}.ipynb", as_version=4)
               for name in names}
    releases = {name: nbformat.read(course / "notebooks" / name / f"{name}.ipynb", as_version=4)
                for name in names}
    for r in results:
        src = work / "jobs" / f"{r.student}__{r.assignment}" / "autograded" / r.student / r.assignment
        dest = course / "autograded" / r.student / r.assignment
        if dest.exists():
            shutil.rmtree(dest)
        if (src / f"{r.assignment}.ipynb").is_file():
            dest.mkdir(parents=True)
            nb = nbformat.read(src / f"{r.assignment}.ipynb", as_version=4)
            nb = note_trusted_checks(without_hidden_tests(nb, releases[r.assignment]), r.checks)
            nb = note_failed_dependencies(nb,
                                          sources[r.assignment],
                                          r.scores, r.max_scores)
            nbformat.write(nb, dest / f"{r.assignment}.ipynb")
            shutil.copy(src / "timestamp.txt", dest) if (src / "timestamp.txt").exists() else None
    for name in names:
        try:
            nbgrader(course, "generate_feedback", name, "--force", check=False,
                     timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"feedback for {name} took over {STEP_TIMEOUT} s and was stopped: "
                  "some students have no feedback file", file=sys.stderr)
    out = work / "feedback"
    if out.exists():
        shutil.rmtree(out)
    if (course / "feedback").exists():
        shutil.copytree(course / "feedback", out)

def export_csv(work, results, names):
    """``WORK/grades.csv``: one row per student and assignment, nbgrader's export columns."""
    try:
        nbgrader(work / "course", "export", f"--to={work / 'grades.csv'}", check=False,
                 timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"nbgrader export took over {STEP_TIMEOUT} s and was stopped: grades.csv is "
              "missing (problems.csv has every score)", file=sys.stderr)
    with open(work / "problems.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "assignment", "score", "max_score", "status", "problems"])
        for r in results:
            writer.writerow([r.student, r.assignment, r.score, r.max_score, r.status,
                             "; ".join(r.problems)])

def write_report(work, results, unmatched, reference_failures):
    """Summary table (student x assignment) and one line per problem, printed and saved."""
    names = sorted({r.assignment for r in results})
    by_student = {}
    for r in results:
        by_student.setdefault(r.student, {})[r.assignment] = r
    short = [n.split("_")[0] for n in names]
    lines = ["| student | " + " | ".join(short) + " | total | problems |",
             "|---|" + "---:|" * (len(names) + 1) + "---|"]
    for student, rows in sorted(by_student.items()):
        cells = [f"{rows[n].score:g}/{rows[n].max_score:g}" if n in rows else "-" for n in names]
        total = sum(r.score for r in rows.values())
        possible = sum(r.max_score for r in rows.values())
        n_problems = sum(1 for r in rows.values() if r.problems)
        lines.append(f"| {student} | " + " | ".join(cells) + f" | {total:g}/{possible:g} | "
                     f"{n_problems or ''} |")
    lines += ["", "Problems:"]
    for r in results:
        for p in r.problems:
            lines.append(f"- {r.student} / {r.assignment}: {p}")
    for path, why in unmatched:
        lines.append(f"- (not graded) {path}: {why}")
    for a, r in reference_failures.items():
        lines.append(f"- !! the reference solution of {a} scored {r.score:g}/{r.max_score:g}: "
                     f"{'; '.join(r.problems) or 'see its job folder'}")
    if lines[-1] == "Problems:":
        lines.append("- none")
    seconds = [r.seconds for r in results if r.seconds]
    if seconds:
        lines += ["", f"{len(seconds)} notebooks graded, {np.mean(seconds):.1f} s each on average."]
    text = "\n".join(lines)
    (work / "report.md").write_text(text + "\n")
    print(text)
    return text
