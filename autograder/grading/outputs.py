"""What a run leaves for the TA: nbgrader's gradebook, feedback, the CSVs and the report."""

import csv
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import numpy as np

from autograder.feedback import install_offline_math
from autograder.grading.late import TIMESTAMP_FILE, TIMESTAMP_FORMAT
from autograder.grading.model import job_folder
from autograder.nbgrader_run import nbgrader

STEP_TIMEOUT = 1800  # seconds for one whole-class step after the jobs (feedback, export)

def write_gradebook(work, results, names, people=None, graded=None):
    """Copy every result's scores into the course gradebook (the only writer: no lock errors).

    A score a TA entered in formgrader (``manual_score``, extra credit) stays, except on the
    submissions in ``graded`` (``{(student, assignment)}`` run again now; None: all): a new
    verdict replaces an override made on the old one.

    ``people`` maps a student id to ``{"first_name", "last_name", "email"}`` (a roster, see
    :func:`autograder.grading.roster.load_roster`); a student it lacks is named by the id, so
    formgrader lists "alice, " rather than "None, None"."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session handling
    people = people or {}
    course = work / "course"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="rnn-course") as gb:
        for r in results:
            person = people.get(r.student, {"last_name": r.student, "first_name": ""})
            gb.update_or_create_student(r.student, **person)
            gb.update_or_create_submission(r.assignment, r.student)
            if r.late_penalty:  # nbgrader's export then shows it and deducts it from "score"
                notebook = gb.find_submission_notebook(r.assignment, r.assignment, r.student)
                notebook.late_submission_penalty = r.late_penalty
            regraded = graded is None or (r.student, r.assignment) in graded
            for grade_id, score in r.scores.items():
                grade = gb.find_grade(grade_id, r.assignment, r.assignment, r.student)
                grade.auto_score = score
                if regraded:
                    grade.manual_score = None
                    grade.extra_credit = None
                grade.needs_manual_grade = False
        gb.db.commit()

def read_overrides(work, results, graded):
    """Set ``overrides`` of every result not in ``graded`` to the scores a TA entered in
    formgrader (``manual_score`` in the course gradebook), so the CSVs, the LMS files and
    the report carry them; a submission graded again (in ``graded``) starts without."""
    import warnings

    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
    db = work / "course" / "gradebook.db"
    if not db.is_file():
        return
    with Gradebook(f"sqlite:///{db}", course_id="rnn-course") as gb:
        for r in results:
            r.overrides = {}
            if (r.student, r.assignment) in graded:
                continue
            try:
                notebook = gb.find_submission_notebook(r.assignment, r.assignment, r.student)
            except MissingEntry:  # never written to this gradebook
                continue
            r.overrides = {g.name: float(g.manual_score) for g in notebook.grades
                           if g.manual_score is not None and g.name in r.scores}

def publish_course(work, results, names):
    """Fill ``WORK/course`` as nbgrader's formgrader reads a course: each graded notebook in
    ``submitted/`` (as graded: normalized, with its submission time) and in ``autograded/``
    (hidden tests stripped, failed checks and dependencies noted, markdown and HTML outputs
    sanitized), which formgrader shows and feedback is made from.
    A submission that was never run (missing, invalid) is left out: formgrader shows it as
    not submitted."""
    from autograder.feedback import (
        note_failed_dependencies,
        note_trusted_checks,
        sanitized,
        without_hidden_tests,
    )

    course = work / "course"
    sources = {name: nbformat.read(course / "solutions" / name / f"{name}.ipynb", as_version=4)
               for name in names}
    releases = {name: nbformat.read(course / "notebooks" / name / f"{name}.ipynb", as_version=4)
                for name in names}
    for r in results:
        job = job_folder(work, r.student, r.assignment)
        for kind in ("submitted", "autograded"):
            dest = course / kind / r.student / r.assignment
            if dest.exists():
                shutil.rmtree(dest)
        graded = job / "autograded" / r.student / r.assignment / f"{r.assignment}.ipynb"
        if not graded.is_file():
            continue
        submitted = course / "submitted" / r.student / r.assignment
        submitted.mkdir(parents=True)
        shutil.copy(job / "submitted" / r.student / r.assignment / graded.name, submitted)
        write_submission_time(submitted, r.submitted_at)
        nb = nbformat.read(graded, as_version=4)
        nb = note_trusted_checks(without_hidden_tests(nb, releases[r.assignment]), r.checks)
        nb = note_failed_dependencies(nb, sources[r.assignment], r.scores, r.max_scores)
        # formgrader renders markdown cells unsanitized in the TA's logged-in Jupyter page
        nb = sanitized(nb)
        (course / "autograded" / r.student / r.assignment).mkdir(parents=True)
        nbformat.write(nb, course / "autograded" / r.student / r.assignment / graded.name)

def write_submission_time(folder, submitted_at):
    """``folder/timestamp.txt`` with ``submitted_at`` (ISO 8601; set by a late policy) in
    nbgrader's own format, so formgrader and its late check read it; nothing without one."""
    if submitted_at:
        from datetime import datetime

        stamp = datetime.fromisoformat(submitted_at)
        (folder / TIMESTAMP_FILE).write_text(stamp.strftime(TIMESTAMP_FORMAT))

def write_feedback(work, results, names, only=None):
    """Per-student HTML feedback from ``WORK/course/autograded`` (see :func:`publish_course`),
    copied to ``WORK/feedback/<student>/<assignment>/``. With ``only`` (a set of
    ``(student, assignment)``), just those are made again and the others' files stay.
    One ``generate_feedback`` per target, as many at once as there are CPUs: each writes
    its own folders and only reads the gradebook."""
    course = work / "course"
    targets = sorted(only) if only is not None else [(None, name) for name in names]

    def generate(target):
        student, name = target
        args = ["generate_feedback", name, "--force"] + (["--student", student] if student else [])
        try:
            nbgrader(course, *args, check=False, timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"feedback for {name} took over {STEP_TIMEOUT} s and was stopped: "
                  "some students have no feedback file", file=sys.stderr)

    with ThreadPoolExecutor(max(1, min(len(targets), os.cpu_count() or 1))) as pool:
        list(pool.map(generate, targets))
    out = work / "feedback"
    for student, name in targets:
        folders = [course / "feedback" / student / name] if student else \
            sorted((course / "feedback").glob(f"*/{name}"))
        for folder in folders:
            dest = out / folder.relative_to(course / "feedback")
            if dest.exists():
                shutil.rmtree(dest)
            if folder.is_dir():
                shutil.copytree(folder, dest)
    install_offline_math(out)

def export_csv(work, results, names, late=False):
    """``WORK/grades.csv``: one row per student and assignment, nbgrader's export columns;
    ``WORK/problems.csv``: the same rows with our status and reasons (and, with a late
    policy, ``late``, the submission time, its source, the penalty and the final score)."""
    try:
        nbgrader(work / "course", "export", f"--to={work / 'grades.csv'}", check=False,
                 timeout=STEP_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"nbgrader export took over {STEP_TIMEOUT} s and was stopped: grades.csv is "
              "missing (problems.csv has every score)", file=sys.stderr)
    with open(work / "problems.csv", "w", newline="") as f:
        writer = csv.writer(f)
        late_columns = ["submitted", "submitted_from", "late_penalty", "final_score"] if late else []
        writer.writerow(["student", "assignment", "score", "max_score", "status", "problems"]
                        + late_columns)
        for r in results:
            late_values = [r.submitted_at, r.submitted_from, r.late_penalty, r.final_score]
            writer.writerow([r.student, r.assignment, r.score, r.max_score, r.status,
                             "; ".join(r.problems)] + (late_values if late else []))

# Canvas's gradebook import, as its guides document it: the columns Student, ID, SIS User ID,
# SIS Login ID and Section, then one column per assignment (points); a student is matched by
# any one of them, and a column that names no existing assignment creates a new one. Followed:
# https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Moodle's CSV grade import: the TA maps one column to a user field ("Map from" Username,
# "Map to" username, or Email address to useremail) and each other column to a grade item;
# columns left unmapped are ignored. Followed: https://docs.moodle.org/311/en/Grade_import
MOODLE_COLUMNS = ["Username", "Email address"]

def _points(value):
    """Points as an LMS reads them: ``7.5``, ``10``, ``6.83`` (two decimals at most)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")

def _final_scores(results):
    """``{student: {assignment: final score}}``, the late penalty deducted."""
    table = {}
    for r in results:
        table.setdefault(r.student, {})[r.assignment] = r.final_score
    return table

def _display_name(person):
    """"Last, First" as Canvas lists students, from a roster entry (``""`` without one)."""
    parts = [person.get("last_name"), person.get("first_name")] if person else []
    return ", ".join(p for p in parts if p)

def canvas_rows(results, names, people=None):
    """Canvas's import table: a header, then one row per student (sorted), the id as the
    SIS Login ID, the name from the roster, the columns we do not know empty, ``""`` for an
    assignment not submitted. No late-penalty column: Canvas would import it as a new
    assignment."""
    people = people or {}
    rows = [CANVAS_COLUMNS + list(names)]
    for student, scores in sorted(_final_scores(results).items()):
        rows.append([_display_name(people.get(student)), "", "", student, ""]
                    + [_points(scores[n]) if n in scores else "" for n in names])
    return rows

def moodle_rows(results, names, late=False, people=None):
    """Moodle's import table: a header, then one row per student (sorted), the id as the
    username, the email empty; with a late policy, a ``<assignment> late penalty`` column
    (points) after each assignment, which the TA leaves unmapped or maps to a grade item.
    The email comes from the roster."""
    people = people or {}
    header = list(MOODLE_COLUMNS)
    for n in names:
        header += [n, f"{n} late penalty"] if late else [n]
    rows = [header]
    by_key = {(r.student, r.assignment): r for r in results}
    for student in sorted({r.student for r in results}):
        row = [student, (people.get(student) or {}).get("email") or ""]
        for n in names:
            r = by_key.get((student, n))
            row.append(_points(r.final_score) if r else "")
            if late:
                row.append(_points(r.late_penalty) if r else "")
        rows.append(row)
    return rows

def export_lms_csv(work, results, names, late=False, people=None):
    """``WORK/canvas.csv`` and ``WORK/moodle.csv``: one row per student, one column per
    assignment (final scores, in points), for the LMSs' gradebook imports."""
    for file, rows in (("canvas.csv", canvas_rows(results, names, people)),
                       ("moodle.csv", moodle_rows(results, names, late, people))):
        with open(work / file, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)

def write_report(work, results, unmatched, reference_failures, late_policy=None):
    """Summary table (student x assignment) and one line per problem, printed and saved.
    With a late policy the table holds the final scores (penalty deducted, marked ``*``) and
    a section lists every late submission and where the submission times came from."""
    names = sorted({r.assignment for r in results})
    by_student = {}
    for r in results:
        by_student.setdefault(r.student, {})[r.assignment] = r
    short = [n.split("_")[0] for n in names]
    lines = ["| student | " + " | ".join(short) + " | total | problems |",
             "|---|" + "---:|" * (len(names) + 1) + "---|"]
    for student, rows in sorted(by_student.items()):
        cells = [_report_cell(rows[n]) if n in rows else "-" for n in names]
        total = sum(r.final_score for r in rows.values())
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
    overridden = [r for r in results if r.overrides]
    if overridden:
        lines += ["", f"† a TA's score from formgrader replaces the autograder's on "
                      f"{sum(len(r.overrides) for r in overridden)} test cell(s) of "
                      f"{len(overridden)} submission(s)."]
    if late_policy is not None:
        lines += ["", *_late_section(results, late_policy)]
    seconds = [r.seconds for r in results if r.seconds]
    if seconds:
        lines += ["", f"{len(seconds)} notebooks graded, {np.mean(seconds):.1f} s each on average."]
    text = "\n".join(lines)
    (work / "report.md").write_text(text + "\n")
    print(text)
    return text

def _report_cell(r):
    mark = ("*" if r.late_penalty else "") + ("†" if r.overrides else "")
    return f"{r.final_score:g}{mark}/{r.max_score:g}"

def _late_section(results, policy):
    """Lines for the report: the policy, where the times came from, every late submission."""
    from collections import Counter

    sources = Counter(r.submitted_from for r in results if r.submitted_from)
    lines = [f"Late policy ({policy.describe()}; * = penalty deducted):",
             "- submission times from " + (", ".join(f"{src} ({n})" for src, n in
                                                      sorted(sources.items())) or "nowhere")]
    late = [r for r in results if r.late_note]
    for r in late:
        lines.append(f"- {r.student} / {r.assignment}: {r.late_note} "
                     f"({r.score:g} -> {r.final_score:g})")
    if not late:
        lines.append("- no late submission")
    return lines
