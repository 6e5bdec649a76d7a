"""Generate the student release (``notebooks/``) from ``solutions/``, or check it is in sync."""

import concurrent.futures
import filecmp
import os
import shutil
import tempfile
from pathlib import Path

from autograder import RELEASE, SOLUTIONS, assignments
from autograder.nbgrader_run import nbgrader


def _generate_one(name, dest):
    # a private course root per assignment: parallel runs share no gradebook
    with tempfile.TemporaryDirectory(prefix="rnn-course-release-") as tmp:
        root = Path(tmp)
        (root / "solutions").mkdir()
        (root / "solutions" / name).symlink_to(SOLUTIONS / name)
        nbgrader(root, "generate_assignment", name, "--force")
        out = Path(dest) / name
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(root / "notebooks" / name, out)


def generate(dest, names=None):
    """Write the release of ``names`` (default: all assignments) into ``dest``/<assignment>/."""
    Path(dest).mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(lambda name: _generate_one(name, dest), names or assignments()))
    return Path(dest)


def differences(expected_root, actual_root, names):
    """Paths that differ between two release trees (missing, extra or changed files)."""
    diffs = []
    for name in names:
        a, b = Path(expected_root) / name, Path(actual_root) / name
        files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()} if a.exists() else set()
        files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()} if b.exists() else set()
        for rel in sorted(files_a ^ files_b):
            diffs.append(f"notebooks/{name}/{rel}: {'missing' if rel in files_a else 'not generated'}")
        for rel in sorted(files_a & files_b):
            if not filecmp.cmp(a / rel, b / rel, shallow=False):
                diffs.append(f"notebooks/{name}/{rel}: differs from what solutions/ generates")
    return diffs


def check():
    """Regenerate into a temporary folder and list what differs from ``notebooks/``."""
    names = assignments()
    with tempfile.TemporaryDirectory(prefix="rnn-course-release-check-") as tmp:
        generate(tmp, names)
        diffs = differences(tmp, RELEASE, names)
    extra = sorted(p.name for p in RELEASE.iterdir() if p.is_dir() and p.name not in names) \
        if RELEASE.exists() else []
    return diffs + [f"notebooks/{name}: has no source in solutions/" for name in extra]
