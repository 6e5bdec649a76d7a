"""Out-of-process checks of notebook 02's graded functions (see autograder/probes/__init__.py).

The ``hidden_*`` probes are the assignment's hidden tests (see ``autograder.probes``). Each of
the hidden tests' comparisons with PyTorch (autograd, ``torch.linalg.eigvals``) is an output
here, compared with the reference solution's (which agrees with PyTorch) at ``TOLERANCE``: the
student's kernel never sees the expectation. Only the checks that need none are properties:
NumPy only, inputs left unchanged, ``make_adding_problem``'s contract and its use of ``rng``.
"""

import numpy as np

from autograder.probes import HOLDS, numpy_only, numpy_only_claim, output, raises

HIDDEN_TESTS_ARE_PROBES = True


def _step_jacobian(ns, rng):
    N, H = 3, 5
    next_h = np.tanh(2.0 * rng.normal(size=(N, H)))
    Wh = rng.normal(size=(H, H))
    return {"J": ns["step_jacobian"](next_h, Wh)}


def _gradient_norms(ns, rng):
    N, T, H = 4, 9, 6
    hs = np.tanh(1.5 * rng.normal(size=(N, T, H)))
    Wh = rng.normal(size=(H, H)) / np.sqrt(H)
    dh_T = rng.normal(size=(N, H))
    return {"norms": ns["gradient_norms_through_time"](dh_T, hs, Wh)}


def _spectral_radius(ns, rng):
    W = rng.normal(size=(7, 7)) + np.triu(rng.normal(size=(7, 7)), 1)
    return {"rho": np.array(ns["spectral_radius"](W), dtype=np.float64)}


def _scale(ns, rng):
    W = rng.normal(size=(6, 6)) + np.triu(rng.normal(size=(6, 6)), 1)
    return {"W_scaled": ns["scale_to_spectral_radius"](W, 1.3)}


def _adding(ns, rng):
    # a correct generator may consume rng in its own order: compare only what the contract fixes
    n, T = 200, 11
    X, y = ns["make_adding_problem"](n, T, rng)
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    values, markers = X[:, :, 0], X[:, :, 1]
    return {
        "shape": np.array(X.shape + y.shape),
        "markers_first_half": markers[:, : T // 2].sum(axis=1),
        "markers_second_half": markers[:, T // 2 :].sum(axis=1),
        "marker_values": np.unique(markers),
        "y_minus_marked_sum": y - (values * markers).sum(axis=1),
        "values_in_unit_interval": np.array([values.min() >= 0, values.max() < 1]),
    }


# --- the hidden tests -----------------------------------------------------------------------

def _unchanged(*pairs):
    return np.array(all(bool(np.array_equal(a, b)) for a, b in pairs))


def _rnn_states(x, h0, Wx, Wh, b):
    """The states of the tanh RNN ``h_t = tanh(x_t Wx + h_(t-1) Wh + b)``: (N, T, H), the input hs."""
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        states.append(h)
    return np.stack(states, axis=1)


def hidden_step_jacobian(ns, rng):
    step_jacobian = ns["step_jacobian"]
    rng_test = np.random.default_rng(2)  # the visible test's inputs
    N, D, H = 3, 4, 5
    x, prev_h = rng_test.normal(size=(N, D)), rng_test.normal(size=(N, H))
    Wx, Wh, b = rng_test.normal(size=(D, H)), 0.5 * rng_test.normal(size=(H, H)), rng_test.normal(size=H)
    out = {numpy_only_claim("step_jacobian"):
           numpy_only(step_jacobian, np.tanh(x @ Wx + prev_h @ Wh + b), Wh)}
    rng_hidden = np.random.default_rng(12345)
    unchanged = []
    for N, D, H, scale in [(1, 3, 7, 0.3), (4, 6, 2, 3.0), (5, 2, 6, 1.0), (2, 1, 1, 1.5)]:
        x, prev_h = rng_hidden.normal(size=(N, D)), rng_hidden.normal(size=(N, H))
        Wx, b = scale * rng_hidden.normal(size=(D, H)), rng_hidden.normal(size=H)
        Wh = scale * rng_hidden.normal(size=(H, H))
        next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
        next_h_before, Wh_before = next_h.copy(), Wh.copy()
        out[f"step_jacobian for N={N}, H={H}, weight scale {scale}"] = output(step_jacobian(next_h, Wh))
        unchanged.append((next_h, next_h_before, Wh, Wh_before))
    out[HOLDS + "step_jacobian does not modify next_h"] = _unchanged(*[(a, b) for a, b, _, _ in unchanged])
    out[HOLDS + "step_jacobian does not modify Wh"] = _unchanged(*[(c, d) for _, _, c, d in unchanged])
    return out


def hidden_spectral_radius(ns, rng):
    spectral_radius = ns["spectral_radius"]
    out = {numpy_only_claim("spectral_radius"):
           numpy_only(spectral_radius, np.random.default_rng(3).normal(size=(6, 6)))}
    rng_hidden = np.random.default_rng(54321)
    pairs = []
    for H in [1, 3, 8, 20]:
        W = rng_hidden.normal(size=(H, H)) + 0.5 * np.triu(rng_hidden.normal(size=(H, H)), 1)
        W_before = W.copy()
        out[f"spectral_radius of a random {H}x{H} matrix"] = output(spectral_radius(W))
        pairs.append((W, W_before))
    out[HOLDS + "spectral_radius does not modify W"] = _unchanged(*pairs)
    out["spectral_radius([[-0.7]])"] = spectral_radius(np.array([[-0.7]]))
    out["spectral_radius of the 3x3 zero matrix"] = spectral_radius(np.zeros((3, 3)))
    rotation = 2 * np.array([[np.cos(1.0), -np.sin(1.0)], [np.sin(1.0), np.cos(1.0)]])
    out["spectral_radius of 2 times a rotation by 1 radian (complex eigenvalues of modulus 2)"] = output(
        spectral_radius(rotation))
    return out


def hidden_scale_to_spectral_radius(ns, rng):
    scale_to_spectral_radius = ns["scale_to_spectral_radius"]
    out = {numpy_only_claim("scale_to_spectral_radius"):
           numpy_only(scale_to_spectral_radius, np.random.default_rng(4).normal(size=(8, 8)), 0.9)}
    rng_hidden = np.random.default_rng(999)
    cases = [(np.array([[0.5, 3.0], [0.0, -0.25]]), 1.1, "a non-normal 2x2 matrix (sigma_max is not rho)"),
             (np.diag([-3.0, 1.0, 2.0]), 0.5, "diag(-3, 1, 2) (the dominant eigenvalue is negative)"),
             (np.array([[2.0]]), 1.5, "[[2.0]]"),
             (rng_hidden.normal(size=(12, 12)) + np.triu(rng_hidden.normal(size=(12, 12))), 1.0,
              "a random 12x12 matrix")]
    pairs = []
    for W, target, what in cases:
        W_before = W.copy()
        out[f"scale_to_spectral_radius of {what} to rho={target}"] = output(scale_to_spectral_radius(W, target))
        pairs.append((W, W_before))
    out[HOLDS + "scale_to_spectral_radius does not modify W"] = _unchanged(*pairs)
    return out


def hidden_gradient_norms_through_time(ns, rng):
    gradient_norms_through_time = ns["gradient_norms_through_time"]
    rng_test = np.random.default_rng(5)  # dh_T of the visible test, drawn as it draws it
    N, T, D, H = 2, 4, 3, 3
    for shape in [(N, T, D), (N, H), (D, H), (H, H), (H,)]:
        rng_test.normal(size=shape)
    dh_T = rng_test.normal(size=(N, H))
    out = {numpy_only_claim("gradient_norms_through_time"):
           numpy_only(gradient_norms_through_time, dh_T, np.zeros((N, 6, H)), 0.5 * np.eye(H))}
    rng_hidden = np.random.default_rng(2024)
    pairs = []
    for N, T, D, H, scale in [(1, 1, 2, 3, 1.0), (1, 7, 3, 5, 0.7), (6, 12, 4, 2, 2.0), (3, 30, 2, 8, 1.2)]:
        x, h0 = rng_hidden.normal(size=(N, T, D)), rng_hidden.normal(size=(N, H))
        Wx, b = rng_hidden.normal(size=(D, H)), rng_hidden.normal(size=H)
        Wh = scale * rng_hidden.normal(size=(H, H)) / np.sqrt(H)
        dh_T = rng_hidden.normal(size=(N, H))
        hs = _rnn_states(x, h0, Wx, Wh, b)
        hs_before = hs.copy()
        out[f"gradient_norms_through_time for N={N}, T={T}, H={H}, weight scale {scale}"] = output(
            gradient_norms_through_time(dh_T, hs, Wh))
        pairs.append((hs, hs_before))
    out[HOLDS + "gradient_norms_through_time does not modify hs"] = _unchanged(*pairs)
    return out


def _adding_contract(make_adding_problem, n, T, seed):
    """Every rule of the visible test's ``_check_adding`` on one draw, as one property."""
    X, y = make_adding_problem(n, T, np.random.default_rng(seed))
    X, y = np.asarray(X), np.asarray(y)
    if X.shape != (n, T, 2) or y.shape != (n,) or X.dtype != np.float64 or y.dtype.kind not in "biuf":
        return X, False
    values, markers = X[:, :, 0], X[:, :, 1]
    holds = (values.min() >= 0 and values.max() < 1 and bool(np.all((markers == 0) | (markers == 1)))
             and bool(np.allclose(markers[:, : T // 2].sum(axis=1), np.ones(n), rtol=1e-7, atol=1e-9))
             and bool(np.allclose(markers[:, T // 2 :].sum(axis=1), np.ones(n), rtol=1e-7, atol=1e-9))
             and bool(np.allclose(y, (values * markers).sum(axis=1), rtol=1e-12, atol=1e-9)))
    return X, bool(holds)


def hidden_make_adding_problem(ns, rng):
    make_adding_problem = ns["make_adding_problem"]
    out = {numpy_only_claim("make_adding_problem"):
           numpy_only(make_adding_problem, 20000, 10, np.random.default_rng(0))}
    contract = "(shape, float64, values in [0, 1), markers 0 or 1 with one in each half, y the marked sum)"
    for n, T in [(1, 2), (7, 3), (4, 5), (3, 101)]:
        out[HOLDS + f"make_adding_problem({n}, {T}) keeps the contract {contract}"] = np.array(
            _adding_contract(make_adding_problem, n, T, n + T)[1])
    X, holds = _adding_contract(make_adding_problem, 30000, 5, 7)
    out[HOLDS + f"make_adding_problem(30000, 5) keeps the contract {contract}"] = np.array(holds)
    out[HOLDS + "make_adding_problem(T=5): each position of a half holds the marker equally often "
                "(0.5, 0.5, then 1 in 3 for positions 2, 3, 4), within 0.015"] = np.array(
        holds and bool(np.allclose(X[:, :, 1].mean(axis=0), [0.5, 0.5, 1 / 3, 1 / 3, 1 / 3], rtol=1e-7,
                                   atol=0.015)))
    X, holds = _adding_contract(make_adding_problem, 1, 2, 1)
    out[HOLDS + f"make_adding_problem(1, 2) keeps the contract {contract}"] = np.array(holds)
    out["markers of make_adding_problem(1, 2)"] = X[0, :, 1] if holds else np.array([np.nan])
    state = np.random.get_state()
    try:
        np.random.seed(1)
        Xa, _ = make_adding_problem(50, 8, np.random.default_rng(11))
        np.random.seed(2)
        Xb, _ = make_adding_problem(50, 8, np.random.default_rng(11))
    finally:
        np.random.set_state(state)
    out[HOLDS + "make_adding_problem draws from its rng, not from np.random"] = _unchanged((Xa, Xb))
    Xc, _ = make_adding_problem(50, 8, np.random.default_rng(12))
    out[HOLDS + "make_adding_problem gives different data for different seeds"] = np.array(
        not np.array_equal(Xa, Xc))
    out[HOLDS + "make_adding_problem raises ValueError for T = 0"] = raises(
        ValueError, make_adding_problem, 3, 0, np.random.default_rng(0))
    return out


PROBES = {
    "test_step_jacobian": [_step_jacobian, hidden_step_jacobian],
    "test_gradient_norms_through_time": [_gradient_norms, hidden_gradient_norms_through_time],
    "test_spectral_radius": [_spectral_radius, hidden_spectral_radius],
    "test_scale_to_spectral_radius": [_scale, hidden_scale_to_spectral_radius],
    "test_make_adding_problem": [_adding, hidden_make_adding_problem],
}

# the marker sums and y are exact up to rounding; the rest are plain linear algebra
TOLERANCE = dict(rtol=1e-6, atol=1e-10)
