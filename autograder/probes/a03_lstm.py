"""Probes for notebook 03 (LSTM): the graded functions on fresh random inputs.

The ``hidden_*`` probes are the assignment's hidden tests (see ``autograder.probes``). Each of
the hidden tests' comparisons with PyTorch (autograd, or the LSTM equations for
``to_torch_lstm``) is an output here, compared with the reference solution's (which agrees
with them) at ``TOLERANCE``: the student's kernel never sees the expectation. Only the checks
that need none are properties: NumPy only, and ``to_torch_lstm``'s ``batch_first``.
"""

import numpy as np

from autograder.probes import HOLDS, numpy_only, numpy_only_claim, output

HIDDEN_TESTS_ARE_PROBES = True


def _sigmoid(x):
    # the notebook's locked cell ``sigmoid``, which the graded functions call
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _with_locked_cells(ns):
    """``ns``, with the notebook's locked helper ``sigmoid`` where it lacks one.

    A kernel that ran the notebook has it (the cell is locked, restored on submission) and
    keeps its own; a namespace of the setup and answer cells only (the unit tests') has not.
    """
    ns.setdefault("sigmoid", _sigmoid)
    return ns


def _weights(rng, D, H):
    return (rng.normal(size=(D, 4 * H)) * 0.5, rng.normal(size=(H, 4 * H)) * 0.5,
            rng.normal(size=4 * H))


def _step_inputs(rng, N=3, D=4, H=5):
    return (rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H)),
            *_weights(rng, D, H))


def step_forward(ns, rng):
    ns = _with_locked_cells(ns)
    next_h, next_c, _ = ns["lstm_step_forward"](*_step_inputs(rng))
    return {"next_h": next_h, "next_c": next_c}


def step_backward(ns, rng):
    ns = _with_locked_cells(ns)
    args = _step_inputs(rng, N=2, D=3, H=4)
    next_h, next_c, cache = ns["lstm_step_forward"](*args)
    grads = ns["lstm_step_backward"](rng.normal(size=next_h.shape), rng.normal(size=next_c.shape),
                                     cache)
    return dict(zip(["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"], grads))


def _sequence_inputs(rng, N=2, T=6, D=3, H=4):
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), *_weights(rng, D, H))


def forward(ns, rng):
    ns = _with_locked_cells(ns)
    h, _ = ns["lstm_forward"](*_sequence_inputs(rng))
    return {"h": h}


def backward(ns, rng):
    ns = _with_locked_cells(ns)
    h, cache = ns["lstm_forward"](*_sequence_inputs(rng, N=3, T=5, D=2, H=3))
    grads = ns["lstm_backward"](rng.normal(size=h.shape), cache)
    return dict(zip(["dx", "dh0", "dWx", "dWh", "db"], grads))


def to_torch(ns, rng):
    import torch

    x, h0, Wx, Wh, b = _sequence_inputs(rng, N=2, T=4, D=3, H=5)
    lstm = ns["to_torch_lstm"](Wx, Wh, b)
    with torch.no_grad():
        h0_t = torch.from_numpy(h0)[None]
        out, _ = lstm(torch.from_numpy(x), (h0_t, torch.zeros_like(h0_t)))
    return {"output": out.numpy()}


# --- the hidden tests -----------------------------------------------------------------------

def _step_shapes(N, D, H):
    return [(N, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,)]


def hidden_lstm_step_forward(ns, rng):
    ns = _with_locked_cells(ns)
    lstm_step_forward = ns["lstm_step_forward"]
    step_rng = np.random.default_rng(3)  # the visible test's inputs
    N, D, H = 3, 5, 4
    visible = [step_rng.normal(size=s) for s in _step_shapes(N, D, H)]
    out = {numpy_only_claim("lstm_step_forward"):
           numpy_only(lstm_step_forward, *visible)}
    hidden_rng = np.random.default_rng(2024)
    for N, D, H in [(1, 3, 5), (4, 7, 2), (2, 1, 1)]:
        args = [hidden_rng.normal(size=s) for s in _step_shapes(N, D, H)]
        got_h, got_c, _ = lstm_step_forward(*args)
        for name, got in [("next_c", got_c), ("next_h", got_h)]:
            out[f"{name} of lstm_step_forward (N={N}, D={D}, H={H})"] = output(got)
    return out


STEP_GRADS = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]


def hidden_lstm_step_backward(ns, rng):
    ns = _with_locked_cells(ns)
    lstm_step_forward, lstm_step_backward = ns["lstm_step_forward"], ns["lstm_step_backward"]
    step_rng = np.random.default_rng(4)  # the visible test's inputs
    N, D, H = 3, 4, 5
    x, prev_h, prev_c = (step_rng.normal(size=s) for s in [(N, D), (N, H), (N, H)])
    Wx, Wh = step_rng.normal(size=(D, 4 * H)) * 0.5, step_rng.normal(size=(H, 4 * H)) * 0.5
    b, _, dnext_c = step_rng.normal(size=4 * H), step_rng.normal(size=(N, H)), step_rng.normal(size=(N, H))
    _, _, cache = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    out = {numpy_only_claim("lstm_step_backward"):
           numpy_only(lstm_step_backward, np.zeros((N, H)), dnext_c, cache)}
    hidden_rng = np.random.default_rng(77)
    for N, D, H in [(1, 3, 5), (4, 6, 2), (2, 2, 3)]:
        args = [hidden_rng.normal(size=s) for s in _step_shapes(N, D, H)]
        for case, (dnh, dnc) in {"random": (hidden_rng.normal(size=(N, H)), hidden_rng.normal(size=(N, H))),
                                 "dnext_c = 0": (hidden_rng.normal(size=(N, H)), np.zeros((N, H))),
                                 "dnext_h = 0": (np.zeros((N, H)), hidden_rng.normal(size=(N, H)))}.items():
            _, _, cache = lstm_step_forward(*args)
            got = lstm_step_backward(dnh, dnc, cache)
            for name, g_ in zip(STEP_GRADS, got):
                out[f"{name} of lstm_step_backward (N={N}, D={D}, H={H}, upstream {case})"] = output(g_)
    return out


def _sequence_shapes(N, T, D, H):
    return [(N, T, D), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,)]


def _visible_sequence(seed, N=2, T=4, D=3, H=5):
    """The inputs x, h0, Wx, Wh, b of the visible test of lstm_forward (seed 5) or lstm_backward (6)."""
    seq_rng = np.random.default_rng(seed)
    x, h0 = seq_rng.normal(size=(N, T, D)), seq_rng.normal(size=(N, H))
    Wx, Wh = seq_rng.normal(size=(D, 4 * H)) * 0.5, seq_rng.normal(size=(H, 4 * H)) * 0.5
    return (x, h0, Wx, Wh, seq_rng.normal(size=4 * H)), seq_rng


def hidden_lstm_forward(ns, rng):
    ns = _with_locked_cells(ns)
    lstm_forward = ns["lstm_forward"]
    visible, _ = _visible_sequence(5)
    out = {numpy_only_claim("lstm_forward"): numpy_only(lstm_forward, *visible)}
    hidden_rng = np.random.default_rng(99)
    for N, T, D, H in [(1, 1, 3, 5), (3, 7, 2, 4), (1, 12, 4, 3), (5, 2, 6, 1)]:
        args = [hidden_rng.normal(size=s) for s in _sequence_shapes(N, T, D, H)]
        got, _ = lstm_forward(*args)
        out[f"h of lstm_forward (N={N}, T={T}, D={D}, H={H})"] = output(got)
    return out


def hidden_lstm_backward(ns, rng):
    ns = _with_locked_cells(ns)
    lstm_forward, lstm_backward = ns["lstm_forward"], ns["lstm_backward"]
    visible, seq_rng = _visible_sequence(6)
    dh_last = np.zeros((2, 4, 5))
    dh_last[:, -1] = seq_rng.normal(size=(2, 4, 5))[:, -1]
    _, cache = lstm_forward(*visible)
    out = {numpy_only_claim("lstm_backward"):
           numpy_only(lstm_backward, dh_last, cache)}
    hidden_rng = np.random.default_rng(123)
    for N, T, D, H in [(1, 1, 3, 5), (3, 6, 2, 4), (1, 15, 4, 3), (4, 3, 5, 2)]:
        args = [hidden_rng.normal(size=s) for s in _sequence_shapes(N, T, D, H)]
        args[2] *= 0.5
        args[3] *= 0.5
        for case in ["every step", "last step only"]:
            dh = hidden_rng.normal(size=(N, T, H))
            if case == "last step only":
                dh[:, :-1] = 0.0
            _, cache = lstm_forward(*args)
            got = lstm_backward(dh, cache)
            for name, g_ in zip(["dx", "dh0", "dWx", "dWh", "db"], got):
                out[f"{name} of lstm_backward (N={N}, T={T}, D={D}, H={H}, loss on {case})"] = output(g_)
    return out


def hidden_to_torch_lstm(ns, rng):
    import torch

    to_torch_lstm = ns["to_torch_lstm"]
    out = {}
    hidden_rng = np.random.default_rng(31)
    for N, T, D, H in [(1, 1, 3, 5), (3, 6, 5, 2), (2, 4, 1, 3)]:
        x, h0 = hidden_rng.normal(size=(N, T, D)), hidden_rng.normal(size=(N, H))
        Wx, Wh = hidden_rng.normal(size=(D, 4 * H)), hidden_rng.normal(size=(H, 4 * H))
        b = hidden_rng.normal(size=4 * H)
        lstm = to_torch_lstm(Wx, Wh, b)
        out[HOLDS + f"to_torch_lstm (D={D}, H={H}) returns a batch_first LSTM"] = np.array(
            lstm.batch_first is True)
        with torch.no_grad():
            states, _ = lstm(torch.from_numpy(x), (torch.from_numpy(h0)[None],
                                                   torch.zeros(1, N, H, dtype=torch.float64)))
        out[f"output of the LSTM from to_torch_lstm (N={N}, T={T}, D={D}, H={H}), from h0 and c0 = 0"] = (
            output(states))
        for name, weights in (("Wx", Wx), ("Wh", Wh), ("b", b)):  # the caller's arrays, untouched
            out[f"the caller's {name} after to_torch_lstm (D={D}, H={H})"] = output(weights)
    return out


PROBES = {
    "test_lstm_step_forward": [step_forward, hidden_lstm_step_forward],
    "test_lstm_step_backward": [step_backward, hidden_lstm_step_backward],
    "test_lstm_forward": [forward, hidden_lstm_forward],
    "test_lstm_backward": [backward, hidden_lstm_backward],
    "test_to_torch_lstm": [to_torch, hidden_to_torch_lstm],
}
