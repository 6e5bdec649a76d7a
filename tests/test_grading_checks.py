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
