"""A battery of hostile and broken submissions of notebook 00, generated from the solution.

Each :class:`Case` is one student: a notebook (or file) built from the solved
notebook, the exact score the grader must give it, and a phrase its problem
report must contain. ``tests/test_hostile.py`` grades them all in one run, next to
a clean ``control`` submission whose full marks prove that nothing leaked between
jobs. Most attacks go in a cell the student added, so that the graded functions are
correct and any lost point is the grader's doing.
"""

import copy
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import ROOT, SOLUTIONS
from autograder.demo import solved_notebook

ASSIGNMENT = "00_sequence_data"
FULL = 13.0  # points of notebook 00
POINTS = {"make_windows": 2, "fit_ar": 3, "ar_forecast": 2, "build_vocab": 2,
          "encode_decode": 2, "pad_sequences": 2}
# tests of encode/decode and pad_sequences build a vocabulary: losing build_vocab loses them too
WITHOUT_BUILD_VOCAB = FULL - POINTS["build_vocab"] - POINTS["encode_decode"] - POINTS["pad_sequences"]
# fit_ar uses make_windows
WITHOUT_MAKE_WINDOWS = FULL - POINTS["make_windows"] - POINTS["fit_ar"]


@dataclass
class Case:
    student: str
    what: str
    score: float
    reason: str  # "" when the report must say nothing
    denial: str = ""  # what the attacking cell must print: the sandbox said no
    layout: str = "folder"  # how the submission is handed in (see build)


def _nb():
    return solved_notebook(ASSIGNMENT)


def _answer(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _added_cell(source, after="setup"):
    def build():
        nb = _nb()
        index = nb.cells.index(_answer(nb, after)) + 1
        nb.cells.insert(index, nbformat.v4.new_code_cell(source))
        return nb
    return build


def _prefix_answer(grade_id, source):
    def build():
        nb = _nb()
        cell = _answer(nb, grade_id)
        cell.source = source + "\n" + cell.source
        return nb
    return build


def _replace_answer(grade_id, source):
    def build():
        nb = _nb()
        _answer(nb, grade_id).source = source
        return nb
    return build


WRONG_WINDOWS = '''
def make_windows(series, window, horizon=1):
    series = np.asarray(series)
    M = len(series) - window - horizon + 1
    return np.zeros((M, window)), np.zeros((M, horizon))
'''

NO_OP_CHECKS = '''
# defeat every check the tests use
check_array = check_reference = check_shape = check_raises = check_equal = lambda *a, **k: None
'''


def _edit_test(grade_id, source, wrong_answer=None):
    def build():
        nb = _nb()
        _answer(nb, grade_id).source = source
        if wrong_answer:
            _answer(nb, wrong_answer[0]).source = wrong_answer[1]
        return nb
    return build


def _delete_test(grade_id):
    def build():
        nb = _nb()
        nb.cells.remove(_answer(nb, grade_id))
        return nb
    return build


def _change_metadata():
    nb = _nb()
    meta = _answer(nb, "test_fit_ar").metadata["nbgrader"]
    meta["grade"] = False
    meta["points"] = 100
    return nb


def _kernelspec():
    nb = _nb()
    nb.metadata["kernelspec"] = {"name": "evil", "display_name": "evil", "language": "python"}
    return nb


def _duplicate_test(grade_id):
    def build():
        nb = _nb()
        nb.cells.append(copy.deepcopy(_answer(nb, grade_id)))
        return nb
    return build


def _exit_after_cheating():
    nb = _added_cell(NO_OP_CHECKS + WRONG_WINDOWS, after="make_windows")()
    index = nb.cells.index(_answer(nb, "test_pad_sequences")) + 1
    nb.cells.insert(index, nbformat.v4.new_code_cell("import os\nos._exit(0)  # skip whatever runs last"))
    return nb


def _attempt(label, code):
    """An added cell that tries ``code`` and prints ``label: allowed ...`` or ``label: denied ...``."""
    return _added_cell(
        f"# attempt: {label}\ntry:\n" + "".join(f"    {line}\n" for line in code.splitlines()) +
        f"    print({label!r} + ': allowed', repr(_result)[:200])\n"
        f"except Exception as exc:\n    print({label!r} + ': denied', type(exc).__name__)")


SITE_PACKAGES = next(p for p in __import__("sys").path if p.endswith("site-packages"))
MARKER_COMMENT = "### BEGIN HIDDEN TESTS\n# (a student's note that looks like nbgrader's marker)\n"

BUILDERS = {
    "control": _nb,
    "loop-forever": _prefix_answer("make_windows", "while True:\n    pass"),
    "loop-ignoring-sigint": _prefix_answer(
        "make_windows", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"),
    "os-exit": _prefix_answer("build_vocab", "import os\nos._exit(1)"),
    "sys-exit": _prefix_answer("build_vocab", "import sys\nsys.exit(3)"),
    "kill-own-kernel": _added_cell("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
    "allocate-50gb": _prefix_answer("build_vocab", "hog = bytearray(50 * 2**30)"),
    "fork-many": _added_cell(
        "import os, time\nfor _ in range(200):\n    if os.fork() == 0:\n        time.sleep(600)\n        os._exit(0)"),
    "daemon-survivor": _added_cell(
        "import subprocess\nsubprocess.Popen(['sleep', '777'], start_new_session=True)"),
    "print-1gb": _added_cell("import sys\nchunk = 'x' * 2**20\nfor _ in range(1024):\n    sys.stdout.write(chunk)"),
    "no-op-checks": _added_cell(NO_OP_CHECKS + WRONG_WINDOWS, after="make_windows"),
    "patch-numpy-allclose": _added_cell(
        "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n" + WRONG_WINDOWS,
        after="make_windows"),
    "array-subclass-eq": _added_cell(WRONG_WINDOWS.replace(
        "    return np.zeros((M, window)), np.zeros((M, horizon))",
        "    class Liar(np.ndarray):\n        def __eq__(self, other):\n            return np.ones(self.shape, bool)\n"
        "    return np.zeros((M, window)).view(Liar), np.zeros((M, horizon)).view(Liar)"),
        after="make_windows"),
    "edit-test-cell": _edit_test("test_pad_sequences", "print('all good')",
                                 ("pad_sequences", "def pad_sequences(seqs, pad_value=0):\n    return None, None")),
    "delete-test-cell": _delete_test("test_ar_forecast"),
    "change-metadata": _change_metadata,
    "change-kernelspec": _kernelspec,
    "write-gradebook": _added_cell(
        "import glob, sqlite3\nfor path in glob.glob('../../../*.db') + glob.glob('../../../../*.db'):\n"
        "    db = sqlite3.connect(path)\n    db.execute('UPDATE grade SET extra_credit = 30')\n    db.commit()"),
    "read-hidden-tests": _attempt("read the job's source", "_result = open('../../../solutions/"
                                  "00_sequence_data/00_sequence_data.ipynb').read()"),
    "read-solutions": _attempt("read solutions/", f"_result = open({str(SOLUTIONS / ASSIGNMENT / (ASSIGNMENT + '.ipynb'))!r}).read()"),
    "list-other-jobs": _attempt("list other jobs", "import os\n_result = [j for j in os.listdir('../../../..') "
                                "if not j.startswith('list-other-jobs')]\nassert _result, 'no other job visible'"),
    "write-virtualenv": _attempt("write a .pth", f"_result = open({SITE_PACKAGES + '/zz_evil.pth'!r}, 'w').write('import os')"),
    "edit-course-code": _attempt("edit utils/grading.py", f"_result = open({str(ROOT / 'utils' / 'grading.py')!r}, 'a').write('#')"),
    "see-other-processes": _attempt("see other processes", "import os\n_result = [p for p in os.listdir('/proc') "
                                    "if p.isdigit() and int(p) > 2]\nassert _result, 'only the sandbox'"),
    "read-grader-home": _attempt("read the grader's home", "import os, pwd\nhome = pwd.getpwuid(0).pw_dir\n"
                                 "_result = [f for f in os.listdir(home) if f != '.pyenv']\n"
                                 "assert _result, 'nothing but the Python it runs'"),
    "fork-300": _attempt("fork 300 processes", "import os, signal, time\nkids = []\ntry:\n"
                         "    for _ in range(300):\n        pid = os.fork()\n        if pid == 0:\n"
                         "            time.sleep(600)\n            os._exit(0)\n        kids.append(pid)\n"
                         "finally:\n    for pid in kids:\n        os.kill(pid, signal.SIGKILL)\n"
                         "        os.waitpid(pid, 0)\n_result = len(kids)"),
    "fill-the-disk": _attempt("write 2 GiB", "chunk = b'x' * 200 * 2**20\nfor i in range(10):\n"
                              "    with open(f'/tmp/big{i}', 'wb') as f:\n        f.write(chunk)\n_result = 10"),
    "fill-the-exchange": _added_cell(
        "import os, sys\nexchange = os.path.dirname(sys.argv[sys.argv.index('-f') + 1])\n"
        "chunk = b'x' * 100 * 2**20\nfor i in range(20):\n"
        "    with open(os.path.join(exchange, f'big{i}'), 'wb') as f:\n        f.write(chunk)"),
    "network": _attempt("open a connection", "import socket\n_result = socket.create_connection(('pypi.org', 443), timeout=5)"),
    "loopback": _attempt("reach the grader's loopback", "import socket\n_result = socket.create_connection(('127.0.0.1', 22), timeout=5)"),
    "read-grader-environment": _attempt("read the grader's environment", "import os\n"
                                        "_result = os.environ['RNN_COURSE_JOB'], os.environ['JUPYTER_PATH']"),
    "rewrite-references": _attempt("rewrite references.npz", "_result = open('references.npz', 'wb').write(b'x')"),
    "remove-references": _attempt("remove references.npz", "import os\n_result = os.remove('references.npz')"),
    "become-root": _attempt("become root", "import os\n_result = os.setuid(0)"),
    "new-namespace": _attempt("open a new user namespace", "import ctypes, os\n"
                              "libc = ctypes.CDLL(None, use_errno=True)\n"
                              "if libc.unshare(0x10000000) != 0:\n"
                              "    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))\n_result = 0"),
    "duplicate-test-cell": _duplicate_test("test_build_vocab"),
    "huge-notebook": _nb,
    "fifo-submission": _nb,
    "marker-comment": _prefix_answer("make_windows", MARKER_COMMENT),
    "early-execute-result": _added_cell(WRONG_WINDOWS.replace(
        "    series = np.asarray(series)",
        "    get_ipython().displayhook(100.0)  # read by nbgrader as partial credit\n"
        "    series = np.asarray(series)"), after="make_windows"),
    "flood-display": _added_cell("from IPython.display import HTML, display\nfor _ in range(50):\n"
                                 "    display(HTML('<p>' + 'x' * 2**20 + '</p>'))"),
    "symlink-to-solution": _nb,
    "reference-solution": _nb,
    "x" * 250: _nb,
    "exit-after-cheating": _exit_after_cheating,
    "torch-instead-of-numpy": _added_cell(
        "import torch\n"
        "def make_windows(series, window, horizon=1):\n"
        "    s = torch.as_tensor(np.asarray(series, dtype=float))\n"
        "    if window < 1 or horizon < 1 or len(s) < window + horizon:\n"
        "        raise ValueError('series too short')\n"
        "    frames = s.unfold(0, window + horizon, 1).numpy()\n"
        "    return frames[:, :window].copy(), frames[:, window:].copy()", after="make_windows"),
    "link-reference-probes": _added_cell(NO_OP_CHECKS + WRONG_WINDOWS + (
        "\nimport os, sys\n"
        "exchange = os.path.dirname(sys.argv[sys.argv.index('-f') + 1])\n"
        "work = os.path.abspath('../../../../..')\n"
        "os.symlink(os.path.join(work, 'jobs', '_reference-solution__00_sequence_data', 'probes.npz'),\n"
        "           os.path.join(exchange, 'probes.npz'))\n"
        "os.mkdir(os.path.join(exchange, 'probes.npz.tmp'))  # the grader's own write then fails"),
        after="make_windows"),
    "patch-the-probes": _added_cell(
        "import autograder.probes as _p, autograder.probes.a00_sequence_data as _m, torch\n"
        "_p.numpy_only = _m.numpy_only = lambda *a, **k: np.array(True)  # the NumPy-only check always passes\n"
        "def make_windows(series, window, horizon=1):\n"
        "    s = torch.as_tensor(np.asarray(series, dtype=float))\n"
        "    if window < 1 or horizon < 1 or len(s) < window + horizon:\n"
        "        raise ValueError('series too short')\n"
        "    frames = s.unfold(0, window + horizon, 1).numpy()\n"
        "    return frames[:, :window].copy(), frames[:, window:].copy()", after="make_windows"),
    "warns-but-correct": _added_cell(
        "import sys, warnings\n_quiet_make_windows = make_windows\n"
        "def make_windows(*args, **kwargs):\n"
        "    warnings.warn('make_windows: a harmless warning')\n"
        "    print('make_windows: a note on stderr', file=sys.stderr)\n"
        "    return _quiet_make_windows(*args, **kwargs)", after="make_windows"),
}


CASES = [
    Case("control", "the solutions, graded beside the others", FULL, ""),
    Case("loop-forever", "an answer cell that never finishes", WITHOUT_MAKE_WINDOWS, "timeout in cell make_windows"),
    Case("loop-ignoring-sigint", "a loop that ignores the interrupt", WITHOUT_MAKE_WINDOWS,
         "make_windows hung and ignored the interrupt"),
    Case("os-exit", "os._exit in an answer cell", WITHOUT_BUILD_VOCAB, "kernel died in cell build_vocab"),
    Case("sys-exit", "sys.exit in an answer cell", WITHOUT_BUILD_VOCAB, ""),
    Case("kill-own-kernel", "SIGKILL to its own kernel in an added cell", FULL, "kernel died in cell #"),
    Case("allocate-50gb", "a 50 GB allocation", WITHOUT_BUILD_VOCAB, "memory limit hit in cell build_vocab"),
    Case("fork-many", "200 forks that sleep", FULL, ""),
    Case("daemon-survivor", "a process in its own session", FULL, ""),
    Case("print-1gb", "prints 1 GiB", FULL, ""),
    Case("no-op-checks", "replaces the test helpers and submits a wrong make_windows",
         WITHOUT_MAKE_WINDOWS, "tampering suspected in test_make_windows"),
    Case("patch-numpy-allclose", "patches numpy's comparisons, wrong make_windows",
         WITHOUT_MAKE_WINDOWS, ""),
    Case("array-subclass-eq", "returns arrays whose == is always True", WITHOUT_MAKE_WINDOWS, ""),
    Case("edit-test-cell", "rewrites a test cell to pass a wrong pad_sequences",
         FULL - POINTS["pad_sequences"], "locked cell test_pad_sequences was edited"),
    Case("delete-test-cell", "deletes a test cell", FULL, "locked cell test_ar_forecast is missing"),
    Case("change-metadata", "turns a test cell into a non-graded one worth 100", FULL,
         "cell test_fit_ar had its grading metadata changed"),
    Case("change-kernelspec", "asks for another kernel", FULL, "kernelspec changed to 'evil'"),
    Case("write-gradebook", "writes extra credit into any gradebook it can reach", FULL, ""),
    Case("read-hidden-tests", "reads the job's source notebook with the hidden tests", FULL, "",
         denial="read the job's source: denied FileNotFoundError"),
    Case("read-solutions", "reads the instructor's solutions/ by absolute path", FULL, "",
         denial="read solutions/: denied FileNotFoundError"),
    Case("list-other-jobs", "lists the run's other job folders", FULL, "",
         denial="list other jobs: denied AssertionError"),
    Case("write-virtualenv", "writes a .pth file that would run in the grader", FULL, "",
         denial="write a .pth: denied"),  # read-only (OSError) or not ours (PermissionError)
    Case("edit-course-code", "edits utils/grading.py for the students after it", FULL, "",
         denial="edit utils/grading.py: denied"),
    Case("see-other-processes", "looks for other kernels to kill", FULL, "",
         denial="see other processes: denied AssertionError"),
    Case("read-grader-home", "lists the grader's home folder", FULL, "",
         denial="read the grader's home: denied"),
    Case("fork-300", "300 forks (the cap is 256 processes, also as root)", FULL, "",
         denial="fork 300 processes: denied BlockingIOError"),
    Case("fill-the-disk", "writes 2 GiB to its private /tmp (512 MiB)", FULL, "",
         denial="write 2 GiB: denied OSError"),
    Case("fill-the-exchange", "writes 2 GiB into the folder it shares with the grader (on the grader's disk)",
         0.0, "wrote more than 128 MiB into the folder it shares with the grader"),
    Case("network", "opens a network connection", FULL, "", denial="open a connection: denied"),
    Case("loopback", "connects to the host's loopback", FULL, "", denial="reach the grader's loopback: denied"),
    Case("early-execute-result", "a wrong make_windows that emits a score before the test fails",
         WITHOUT_MAKE_WINDOWS, ""),
    Case("read-grader-environment", "reads the grader's environment variables", FULL, "",
         denial="read the grader's environment: denied KeyError"),
    Case("rewrite-references", "rewrites the references its visible tests compare with", FULL, "",
         denial="rewrite references.npz: denied"),
    Case("remove-references", "removes references.npz to plant its own", FULL, "",
         denial="remove references.npz: denied"),
    Case("become-root", "calls setuid(0)", FULL, "", denial="become root: denied"),  # EPERM or EINVAL
    Case("new-namespace", "opens a user namespace of its own", FULL, "",
         denial="open a new user namespace: denied"),
    Case("duplicate-test-cell", "hands in a test cell twice", FULL,
         "cell test_build_vocab appears 2 times"),
    Case("huge-notebook", "a 25 MB notebook", 0.0, "over 20 MB", layout="huge"),
    Case("fifo-submission", "a named pipe where the notebook should be", 0.0,
         "not a regular file", layout="fifo"),
    Case("marker-comment", "a comment like nbgrader's hidden-test marker in an answer", FULL, ""),
    Case("flood-display", "displays 50 MB of HTML", FULL, "",
         denial="[display output dropped: over 4000000 characters in this cell]"),
    Case("symlink-to-solution", "hands in a symbolic link to the solution notebook", 0.0,
         "symbolic link", layout="symlink"),
    Case("reference-solution", "a student named like the grader's reference job", FULL, ""),
    Case("x" * 250, "a 250-character student folder name", FULL, ""),
    Case("exit-after-cheating", "defeats the checks, then kills the kernel at the end",
         WITHOUT_MAKE_WINDOWS, "tampering suspected in test_make_windows"),
    Case("torch-instead-of-numpy", "a correct make_windows computed with torch (fit_ar uses it)",
         WITHOUT_MAKE_WINDOWS, ""),
    Case("link-reference-probes", "defeats the checks and links its probe output to the reference job's",
         0.0, "checks outside the notebook could not run"),
    Case("patch-the-probes", "patches the grader's NumPy-only probe, then computes with torch",
         WITHOUT_MAKE_WINDOWS, ""),
    Case("warns-but-correct", "correct answers that write a warning to stderr in the tests", FULL, ""),
    Case("invalid-json", "a notebook cut in half", 0.0, "not valid JSON"),
    Case("empty-file", "a file of zero bytes", 0.0, "the file is empty"),
    Case("wrong-assignment", "another notebook under this assignment's name", 0.0, "wrong assignment"),
    Case("missing", "a folder without the notebook", 0.0, "missing: no notebook was submitted"),
]


# Without a denial to print, these cases too are decided by the sandbox (its limits, what it
# hides); the others test the grader's own logic, which is the same for every user.
SANDBOX_LIMITS = {"control", "kill-own-kernel", "allocate-50gb", "fork-many", "daemon-survivor",
                  "write-gradebook", "fill-the-exchange", "link-reference-probes"}


def cases(sandbox_only=False):
    """Every case, or (``sandbox_only``) those the sandbox decides: the ones with a denial
    and ``SANDBOX_LIMITS``. As root, ``make grading`` runs these, and ``make
    grading-unprivileged`` runs every case as an unprivileged user."""
    return [c for c in CASES if not sandbox_only or c.denial or c.student in SANDBOX_LIMITS]


def graded_id(case):
    """The student id the grader gives a case's folder."""
    from autograder.grading.discover import student_id

    return student_id(case.student)


def build(dest, selected=None):
    """Write the submission of every case (or of the ``selected`` ones) in nbgrader's layout
    under ``dest``."""
    dest = Path(dest)
    for case in selected or cases():
        folder = dest / case.student / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{ASSIGNMENT}.ipynb"
        if case.student == "invalid-json":
            text = nbformat.writes(_nb())
            path.write_text(text[: len(text) // 2])
        elif case.student == "empty-file":
            path.write_bytes(b"")
        elif case.student == "wrong-assignment":
            other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Homework 9"),
                                                    nbformat.v4.new_code_cell("print('hi')")])
            nbformat.write(other, path)
        elif case.layout == "huge":
            nb = _nb()
            nb.cells.append(nbformat.v4.new_markdown_cell("x" * 25 * 2**20))
            nbformat.write(nb, path)
        elif case.layout == "fifo":
            os.mkfifo(path)
        elif case.layout == "symlink":
            path.symlink_to(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        elif case.student != "missing":
            nbformat.write(BUILDERS[case.student](), path)
    return dest
