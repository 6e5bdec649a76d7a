"""utils.grading and utils.gradcheck: the checks every notebook test relies on."""

import numpy as np
import pytest

from utils import grading
from utils.gradcheck import numerical_gradient, rel_error
from utils.grading import GradingError, check_array, check_equal, check_gradient, check_raises


def test_check_array_passes_within_tolerance():
    check_array("x", np.array([1.0, 2.0]) + 1e-12, [1.0, 2.0])


def test_check_array_message_names_quantity_error_and_index():
    expected = np.zeros((3, 4))
    actual = expected.copy()
    actual[1, 2] = 0.5
    with pytest.raises(GradingError) as err:
        check_array("rnn_step_forward: next_h", actual, expected)
    msg = str(err.value)
    assert msg.startswith("rnn_step_forward: next_h: values differ")
    assert "expected shape (3, 4) float64, got (3, 4) float64" in msg
    assert "max abs error 0.5 at index (1, 2)" in msg
    assert "1 of 12 entries" in msg


def test_check_array_shape_hints():
    with pytest.raises(GradingError, match=r"expected shape \(2, 3\), got \(3, 2\).*transpose"):
        check_array("h", np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(GradingError, match="got None"):
        check_array("h", None, np.zeros(2))
    with pytest.raises(GradingError, match="tuple of 2 items"):
        check_array("h", (np.zeros(2), np.zeros(2)), np.zeros(2))


def test_check_array_reports_nan():
    with pytest.raises(GradingError, match=r"contains NaN at index \(1,\)"):
        check_array("loss", [0.0, np.nan], [0.0, 1.0])


def test_check_array_scalar_and_integers():
    check_array("x", 3.0, 3.0)
    with pytest.raises(GradingError, match="the value"):
        check_array("x", 3.5, 3.0)
    with pytest.raises(GradingError, match="non-integer"):
        check_array("ids", [1.5], np.array([1]))
    with pytest.raises(GradingError, match="1 of 2 entries differ"):
        check_array("mask", np.array([True, True]), np.array([True, False]))


class _AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)


def test_check_array_ignores_subclass_eq_and_patched_numpy(monkeypatch):
    fake = np.zeros(3).view(_AlwaysEqual)
    with pytest.raises(GradingError):
        check_array("h", fake, np.ones(3))
    monkeypatch.setattr(np, "abs", lambda x: np.zeros_like(x))
    with pytest.raises(GradingError):
        check_array("h", np.zeros(3), np.ones(3))


def test_check_equal_and_raises():
    check_equal("itos", ["a", "b"], ["a", "b"])
    check_equal("n", np.int64(3), 3)
    with pytest.raises(GradingError, match=r"itos\[1\]: expected 'b', got 'c'"):
        check_equal("itos", ["a", "c"], ["a", "b"])
    with pytest.raises(GradingError, match="keys differ"):
        check_equal("stoi", {"a": 1}, {"a": 1, "b": 2})
    check_raises("f", ValueError, lambda: int("x"))
    with pytest.raises(GradingError, match="nothing was raised"):
        check_raises("f", ValueError, lambda: 1)
    with pytest.raises(GradingError, match="it raised TypeError"):
        check_raises("f", ValueError, lambda: None + 1)


def test_numerical_gradient_matches_analytic():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    W = rng.standard_normal((4, 2))
    dout = rng.standard_normal((3, 2))
    numeric = numerical_gradient(lambda: np.tanh(x @ W), x, dout)
    analytic = ((1 - np.tanh(x @ W) ** 2) * dout) @ W.T
    assert rel_error(numeric, analytic) < 1e-8
    assert check_gradient("dx", analytic, numeric) < 1e-8
    with pytest.raises(GradingError, match="relative error"):
        check_gradient("dx", analytic * 1.01, numeric)
    scalar = numerical_gradient(lambda: np.sum(x**2), x)
    assert rel_error(scalar, 2 * x) < 1e-8


def test_numerical_gradient_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: 0.0, np.zeros(2, dtype=np.float32))


def test_references_record_then_compare(tmp_path, monkeypatch):
    folder = tmp_path / "07_demo"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setattr(grading, "_recorded", {})
    monkeypatch.setattr(grading, "_references", {})
    monkeypatch.setenv(grading.RECORD_ENV, str(tmp_path / "rec"))
    grading.check_reference("f.out", np.arange(3.0))
    grading.check_reference("f.scalar", 2.5)
    recorded = tmp_path / "rec" / "07_demo.npz"
    first = recorded.read_bytes()
    grading.write_npz(str(recorded), dict(np.load(recorded)))
    assert recorded.read_bytes() == first  # stable bytes: no churn in git
    monkeypatch.delenv(grading.RECORD_ENV)
    (folder / "references.npz").write_bytes(first)
    grading.check_reference("f.out", [0.0, 1.0, 2.0])
    grading.check_reference("f.scalar", 2.5)
    with pytest.raises(GradingError, match="values differ"):
        grading.check_reference("f.out", [0.0, 1.0, 2.5])
    with pytest.raises(GradingError, match="no reference output named 'g'"):
        grading.check_reference("g", 1.0)


def test_missing_reference_file_is_explained(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(grading, "_references", {})
    monkeypatch.delenv(grading.RECORD_ENV, raising=False)
    with pytest.raises(GradingError, match="references.npz is missing"):
        grading.check_reference("f", 1.0)


def test_check_numpy_only_passes_numpy_and_returns_the_result():
    from utils.grading import check_numpy_only

    assert check_numpy_only("f", lambda x: float(np.tanh(x).sum()), np.zeros(3)) == 0.0


def test_check_numpy_only_denies_torch_directly_and_through_a_helper():
    torch = pytest.importorskip("torch")
    from utils.grading import check_numpy_only
    from utils.training import softmax_head

    with pytest.raises(GradingError, match=r"^f: computes with PyTorch \(it called .*as_tensor\)"):
        check_numpy_only("f", lambda x: torch.tanh(torch.as_tensor(x)).numpy(), np.zeros(3))
    # utils' torch helpers are no shortcut either: softmax_head with an identity readout
    # computes notebook 01's temporal_softmax_loss
    V = 3
    with pytest.raises(GradingError, match="computes with PyTorch"):
        check_numpy_only("temporal_softmax_loss", softmax_head, np.zeros((1, 2, V)), np.eye(V),
                         np.zeros(V), np.zeros((1, 2), dtype=int), np.ones((1, 2), dtype=bool))


def test_check_numpy_only_denies_removing_its_profiler():
    import sys

    from utils.grading import check_numpy_only

    before = sys.getprofile()
    with pytest.raises(GradingError, match="replaced the Python profiler"):
        check_numpy_only("f", lambda: sys.setprofile(None))
    assert sys.getprofile() is before


# --- what a student sees in IPython: the test line and the message, not utils/grading.py -----

IPYTHON_CELLS = r"""
import json, re, sys

from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

config = Config()
config.HistoryManager.hist_file = ":memory:"
shell = InteractiveShell.instance(config=config)
shown = []  # what a kernel would publish as the cell's error output
shell._showtraceback = lambda etype, evalue, stb: shown.append(
    {"ename": etype.__name__, "evalue": str(evalue), "text": re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(stb))})
results = []
for cell in json.load(sys.stdin):
    shown.clear()
    shell.run_cell(cell)
    results.append(shown[-1] if shown else None)
print(json.dumps(results))
"""


def _run_in_ipython(cells, tmp_path):
    """Run ``cells`` in one fresh IPython shell; for each, its error output or None.

    An error output is ``{"ename", "evalue", "text"}``, ``text`` IPython's formatted
    traceback without colours. A subprocess: the shell is a process-wide singleton.
    """
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython")}
    done = subprocess.run([sys.executable, "-c", IPYTHON_CELLS], input=json.dumps(cells), env=env,
                          capture_output=True, text=True, timeout=60, cwd=grading.__file__.rsplit("/utils/", 1)[0])
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


SETUP_CELL = "import numpy as np\nimport utils\nfrom utils.grading import check_array, check_raises"


def test_failed_check_in_ipython_shows_the_test_line_and_message_only(tmp_path):
    actual = "np.arange(15.0).reshape(3, 5)"
    with pytest.raises(GradingError) as err:
        check_array("rnn_step_forward: next_h", np.arange(15.0).reshape(3, 5), np.zeros((3, 5)))
    cells = [SETUP_CELL,
             f"check_array('rnn_step_forward: next_h', {actual}, np.zeros((3, 5)))",
             "check_raises('f', ValueError, lambda: None + 1)",
             # IPython's switch for hidden frames brings them back
             f"get_ipython().InteractiveTB.skip_hidden = False\ncheck_array('h', {actual}, np.zeros((3, 5)))"]
    setup, failed, raised, shown_all = _run_in_ipython(cells, tmp_path)
    assert setup is None
    assert failed["ename"] == "GradingError" and failed["evalue"] == str(err.value)
    assert "grading.py" not in failed["text"]
    assert f"----> 1 check_array('rnn_step_forward: next_h', {actual}" in failed["text"]
    assert failed["text"].rstrip().endswith(f"GradingError: {err.value}")
    # a check that calls the student's code: the student's frame stays, the check's goes
    assert raised["evalue"] == ("f: expected ValueError, but it raised TypeError: "
                                "unsupported operand type(s) for +: 'NoneType' and 'int'")
    assert "grading.py" not in raised["text"] and "in <lambda>()" in raised["text"]
    assert "utils/grading.py" in shown_all["text"] and shown_all["ename"] == "GradingError"


def test_unpacking_a_functions_none_in_a_cell_gets_a_hint_and_nothing_else_changes(tmp_path):
    others = ["a, b = None",  # no call: nothing returned None
              "def h():\n    a, b = step(1)\nh()",  # in a function's body, not a test line
              "(a, b), c = pair()",  # pair returned a tuple: its first item is None
              "1 + None",
              "step(1) + 1"]
    cells = [SETUP_CELL, "def step(x):\n    x + 1  # its return was deleted\ndef pair():\n    return None, 2",
             "x = 1\nnext_h, cache = step(\n    x)", *others,
             "get_ipython().set_custom_exc((), None)",  # IPython as it is without utils
             "next_h, cache = step(1)", *others]
    results = _run_in_ipython(cells, tmp_path)
    hinted, with_handler = results[2], results[3:3 + len(others)]
    unhinted, without_handler = results[-len(others) - 1], results[-len(others):]
    assert hinted["ename"] == "TypeError" and hinted["evalue"] == "cannot unpack non-iterable NoneType object"
    assert hinted["text"].rstrip().endswith(
        "TypeError: cannot unpack non-iterable NoneType object\n"
        "Hint: step(...) returned None: did you forget its `return`?")
    assert "Hint" not in unhinted["text"] and unhinted["evalue"] == hinted["evalue"]
    assert all(r is not None for r in with_handler)
    assert with_handler == without_handler


def test_release_stub_says_what_to_do():
    import ast
    import textwrap
    from pathlib import Path

    config = Path(grading.__file__).parent.parent / "autograder" / "nbgrader_config.py"
    stub = next(ast.literal_eval(node.value)["python"] for node in ast.walk(ast.parse(config.read_text()))
                if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "c.ClearSolutions.code_stub")
    assert stub.splitlines()[0] == "# YOUR CODE HERE" and len(stub.splitlines()) == 2
    namespace = {}
    exec("def f():\n" + textwrap.indent(stub, "    "), namespace)  # as nbgrader puts it in a body
    with pytest.raises(NotImplementedError, match="replace this line with your code"):
        namespace["f"]()
