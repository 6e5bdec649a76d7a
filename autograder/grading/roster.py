"""Students' names for the gradebook (formgrader, nbgrader's export): a roster CSV in the
format of ``nbgrader db student import`` -- columns ``id,first_name,last_name,email``, only
``id`` required, the id as the submission's folder or file names the student."""

import csv

from autograder.grading.discover import student_id

ROSTER_FIELDS = ("first_name", "last_name", "email")


def load_roster(path):
    """``{student id: {"first_name", "last_name", "email"}}`` (an empty cell is None); a
    ``ValueError`` names the line of a roster that cannot be read."""
    with open(path, newline="", encoding="utf-8-sig") as f:  # Excel writes a BOM
        reader = csv.DictReader(f)
        if "id" not in (reader.fieldnames or []):
            raise ValueError("the first line must name an 'id' column (nbgrader's roster "
                             "format: id,first_name,last_name,email)")
        people = {}
        for line, row in enumerate(reader, start=2):
            raw = (row.get("id") or "").strip()
            if not raw:
                raise ValueError(f"line {line}: no id")
            sid = student_id(raw)
            if sid in people:
                raise ValueError(f"line {line}: student {raw!r} is listed twice")
            people[sid] = {k: (row.get(k) or "").strip() or None for k in ROSTER_FIELDS}
    return people
