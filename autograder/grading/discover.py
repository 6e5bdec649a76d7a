"""Finding the submissions in a folder: nbgrader's layout or a flat LMS download."""

import hashlib
import os
import re
from pathlib import Path

from autograder import assignments
from autograder.grading.model import Submission

STUDENT_ID = re.compile(r"[^A-Za-z0-9_.-]+")

MAX_ID = 64  # longer ids are shortened with a hash: file names have limits

def student_id(text):
    """A file-name-safe id (a long name is shortened, with a hash of the whole)."""
    safe = STUDENT_ID.sub("-", text.strip()).strip("-_.") or "unknown"
    return safe if len(safe) <= MAX_ID else f"{safe[:MAX_ID - 11]}-{_name_hash(text)}"

def _name_hash(text):
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:10]

def _keep_students_apart(found):
    """Names that differ only in characters a file name cannot hold (``Jösé``, ``Jåsé``)
    would share an id: each gets a hash of its own name instead, and a note says so."""
    names = {}
    for sub in found:
        names.setdefault(sub.student, set()).add(sub.name)
    for sub in found:
        if len(names[sub.student]) > 1:
            others = sorted(names[sub.student] - {sub.name})
            sub.note = (f"student name {sub.name!r} and {', '.join(map(repr, others))} map to the "
                        f"same id {sub.student!r}: graded apart as {sub.student}-{_name_hash(sub.name)}")
            sub.student = f"{sub.student[:MAX_ID - 11]}-{_name_hash(sub.name)}"
    return found

def discover(folder, names=None):
    """Submissions under ``folder`` and the files that could not be matched to an assignment.

    Layouts: ``<student>/<assignment>/<assignment>.ipynb`` (nbgrader), or flat
    ``*.ipynb`` whose name contains an assignment name; the student is what comes
    before it, up to the first ``_`` (Canvas: ``smithjane_1234_5678_00_sequence_data.ipynb``).
    A student with a folder but no notebook for an assignment is reported missing.
    """
    folder = Path(folder)
    names = names or assignments()
    found, unmatched = [], []
    if not folder.is_dir():
        raise FileNotFoundError(f"no submissions folder at {folder}")
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink() and entry.is_dir():  # could be another student's folder
            unmatched.append((entry, "a symbolic link: only regular files and folders are graded"))
        elif entry.is_dir() and not entry.name.startswith("."):
            student = student_id(entry.name)
            for name in names:
                nb = entry / name / f"{name}.ipynb"
                if (entry / name).is_symlink():
                    unmatched.append((entry / name, "a symbolic link: only regular files and "
                                                    "folders are graded"))
                elif (entry / name).is_dir():
                    found.append(Submission(student, name, nb if os.path.lexists(nb) else None,
                                            entry.name))
            for sub in sorted(entry.iterdir()):
                if sub.is_dir() and sub.name not in names and not sub.name.startswith("."):
                    unmatched.append((sub, "folder is not an assignment of this course"))
        elif entry.suffix == ".ipynb":
            match = max((n for n in names if n in entry.stem), key=len, default=None)
            if match is None:
                unmatched.append((entry, "file name names no assignment of this course"))
                continue
            prefix = entry.stem.split(match)[0]
            raw = prefix.split("_")[0] or prefix
            found.append(Submission(student_id(raw), match, entry, raw))
    seen = {}
    found = _keep_students_apart(found)
    for sub in found:  # an LMS may deliver resubmissions: keep the newest file
        key = (sub.student, sub.assignment)
        if key in seen and sub.path and seen[key].path:
            newer = max(seen[key], sub, key=lambda s: s.path.stat().st_mtime)
            older = sub if newer is seen[key] else seen[key]
            unmatched.append((older.path, f"older duplicate of {newer.path.name}"))
            sub = newer
        seen[key] = sub
    return list(seen.values()), unmatched
