"""Out-of-process checks of notebook 04's graded functions (see autograder/probes/__init__.py).

The ``hidden_*`` probes are the assignment's hidden tests (see ``autograder.probes``). Each of
the hidden tests' comparisons with PyTorch (a GRU written in torch, autograd,
``torch.nn.GRUCell`` and ``torch.nn.GRU``) is an output here, and so is each "does not depend
on" check (both next_h): they are compared with the reference solution's (which agrees with
PyTorch) at ``TOLERANCE``, so the student's kernel never sees the expectation. Only the checks
that need none are properties: NumPy only, and prev_h left unchanged.
"""

import numpy as np

from autograder.probes import HOLDS, numpy_only, numpy_only_claim, output

HIDDEN_TESTS_ARE_PROBES = True


def _weights(rng, D, H):
    return (rng.normal(size=(D, 3 * H)) * 0.5, rng.normal(size=(H, 3 * H)) * 0.5,
            rng.normal(size=3 * H) * 0.5)


def _step_forward(ns, rng):
    N, D, H = 3, 4, 5
    x, prev_h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    next_h, _ = ns["gru_step_forward"](x, prev_h, *_weights(rng, D, H))
    return {"next_h": next_h}


def _step_backward(ns, rng):
    N, D, H = 2, 3, 6
    x, prev_h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    _, cache = ns["gru_step_forward"](x, prev_h, *_weights(rng, D, H))
    grads = ns["gru_step_backward"](rng.normal(size=(N, H)), cache)
    return dict(zip(["dx", "dprev_h", "dWx", "dWh", "db"], grads))


def _forward(ns, rng):
    N, T, D, H = 2, 5, 3, 4
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    h, _ = ns["gru_forward"](x, h0, *_weights(rng, D, H))
    return {"h": h}


def _backward(ns, rng):
    N, T, D, H = 3, 4, 2, 5
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    _, cache = ns["gru_forward"](x, h0, *_weights(rng, D, H))
    grads = ns["gru_backward"](rng.normal(size=(N, T, H)), cache)
    return dict(zip(["dx", "dh0", "dWx", "dWh", "db"], grads))


def _reset_after(ns, rng):
    N, D, H = 4, 3, 5
    x, prev_h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    Wx, Wh, b_x = _weights(rng, D, H)
    b_h = rng.normal(size=3 * H) * 0.5
    return {"next_h": ns["gru_step_forward_reset_after"](x, prev_h, Wx, Wh, b_x, b_h)}



# --- the hidden tests -----------------------------------------------------------------------

_GRADS = ["dx", "dprev_h", "dWx", "dWh", "db"]
_SEQ_GRADS = ["dx", "dh0", "dWx", "dWh", "db"]


def _draw(rng, shapes):
    return [rng.normal(size=s) for s in shapes]


def _step_shapes(N, D, H, biases=1):
    return [(N, D), (N, H), (D, 3 * H), (H, 3 * H)] + [(3 * H,)] * biases


def _seq_shapes(N, T, D, H):
    return [(N, T, D), (N, H), (D, 3 * H), (H, 3 * H), (3 * H,)]


def _visible_inputs(seed, first_shape, N, H, D):
    """The inputs of a visible test (x, h, Wx, Wh, b), drawn as it draws them."""
    rng = np.random.default_rng(seed)
    x, h = rng.normal(size=first_shape), rng.normal(size=(N, H))
    Wx, Wh = rng.normal(size=(D, 3 * H)) * 0.5, rng.normal(size=(H, 3 * H)) * 0.5
    return rng, [x, h, Wx, Wh, rng.normal(size=3 * H) * 0.5]


def hidden_gru_step_forward(ns, rng):
    gru_step_forward = ns["gru_step_forward"]
    _, (x, prev_h, Wx, Wh, b) = _visible_inputs(1, (3, 4), 3, 5, 4)
    b_keep = b.copy()
    b_keep[5:10] = 50.0
    out = {numpy_only_claim("gru_step_forward"):
           numpy_only(gru_step_forward, x, prev_h, Wx, Wh, b_keep)}
    hidden_rng = np.random.default_rng(2024)
    for N, D, H in [(1, 2, 7), (6, 5, 3), (4, 3, 3)]:
        args = _draw(hidden_rng, _step_shapes(N, D, H))
        out[f"next_h of gru_step_forward for N={N}, D={D}, H={H}"] = output(gru_step_forward(*args)[0])
    N, D, H = 2, 3, 4
    args = _draw(hidden_rng, _step_shapes(N, D, H))
    args[4][:H] = -50.0  # r = 0
    changed_Wh = args[3].copy()
    changed_Wh[:, 2 * H:] += 1.0
    out["next_h of gru_step_forward with r = 0 and W_hn changed (it does not depend on W_hn: the reset "
        "gate multiplies prev_h before the product with W_hn)"] = output(
        gru_step_forward(args[0], args[1], args[2], changed_Wh, args[4])[0])
    out["next_h of gru_step_forward with r = 0 (b_r = -50)"] = output(gru_step_forward(*args)[0])
    rng_inplace = np.random.default_rng(404)
    prev = rng_inplace.normal(size=(2, 3))
    prev_before = prev.copy()
    gru_step_forward(rng_inplace.normal(size=(2, 4)), prev, rng_inplace.normal(size=(4, 9)),
                     rng_inplace.normal(size=(3, 9)), np.zeros(9))
    out[HOLDS + "gru_step_forward does not modify prev_h"] = np.array(bool(np.array_equal(prev, prev_before)))
    return out


def hidden_gru_step_backward(ns, rng):
    gru_step_forward, gru_step_backward = ns["gru_step_forward"], ns["gru_step_backward"]
    grad_rng, args = _visible_inputs(10, (2, 3), 2, 4, 3)
    dnext_h = grad_rng.normal(size=(2, 4))
    _, cache = gru_step_forward(*args)
    out = {numpy_only_claim("gru_step_backward"):
           numpy_only(gru_step_backward, dnext_h, cache)}
    hidden_rng = np.random.default_rng(2025)
    for N, D, H in [(1, 2, 7), (5, 6, 3), (3, 4, 4)]:
        args = _draw(hidden_rng, _step_shapes(N, D, H))
        upstream = hidden_rng.normal(size=(N, H))
        _, cache = gru_step_forward(*args)
        for name, grad in zip(_GRADS, gru_step_backward(upstream, cache)):
            out[f"{name} of gru_step_backward for N={N}, D={D}, H={H}"] = output(grad)
    return out


def hidden_gru_forward(ns, rng):
    gru_forward = ns["gru_forward"]
    _, args = _visible_inputs(5, (2, 4, 3), 2, 5, 3)
    out = {numpy_only_claim("gru_forward"): numpy_only(gru_forward, *args)}
    hidden_rng = np.random.default_rng(2026)
    for N, T, D, H in [(1, 1, 2, 3), (3, 7, 4, 2), (2, 5, 3, 3)]:
        args = _draw(hidden_rng, _seq_shapes(N, T, D, H))
        out[f"h of gru_forward for N={N}, T={T}, D={D}, H={H}"] = output(gru_forward(*args)[0])
    return out


def hidden_gru_backward(ns, rng):
    gru_forward, gru_backward = ns["gru_forward"], ns["gru_backward"]
    seq_rng, args = _visible_inputs(6, (2, 3, 2), 2, 3, 2)
    dh = seq_rng.normal(size=(2, 3, 3))
    _, cache = gru_forward(*args)
    out = {numpy_only_claim("gru_backward"): numpy_only(gru_backward, dh, cache)}
    hidden_rng = np.random.default_rng(2027)
    for N, T, D, H, last_only in [(1, 1, 2, 3, False), (3, 6, 4, 2, True), (2, 8, 3, 5, False)]:
        args = _draw(hidden_rng, _seq_shapes(N, T, D, H))
        upstream = hidden_rng.normal(size=(N, T, H))
        if last_only:  # a loss on the last state only: everything earlier must flow through h
            upstream[:, :-1] = 0.0
        _, cache = gru_forward(*args)
        loss = ", a loss on the last state only" if last_only else ""
        for name, grad in zip(_SEQ_GRADS, gru_backward(upstream, cache)):
            out[f"{name} of gru_backward for N={N}, T={T}, D={D}, H={H}{loss}"] = output(grad)
    return out


def hidden_gru_step_forward_reset_after(ns, rng):
    step = ns["gru_step_forward_reset_after"]
    args = _draw(np.random.default_rng(8), _step_shapes(3, 4, 5, biases=2))
    out = {numpy_only_claim("gru_step_forward_reset_after"): numpy_only(step, *args)}
    hidden_rng = np.random.default_rng(2028)
    for N, D, H in [(1, 2, 7), (6, 5, 3), (4, 3, 3)]:
        args = _draw(hidden_rng, _step_shapes(N, D, H, biases=2))
        out[f"next_h of gru_step_forward_reset_after for N={N}, D={D}, H={H}"] = output(step(*args))
    N, T, D, H = 2, 6, 3, 4  # a whole sequence, one student step at a time (torch.nn.GRU's states)
    x = hidden_rng.normal(size=(N, T, D))
    h = hidden_rng.normal(size=(N, H))
    Wx, Wh = hidden_rng.normal(size=(D, 3 * H)), hidden_rng.normal(size=(H, 3 * H))
    b_x, b_h = hidden_rng.normal(size=3 * H), hidden_rng.normal(size=3 * H)
    states = []
    for t in range(T):
        h = step(x[:, t], h, Wx, Wh, b_x, b_h)
        states.append(output(h))
    out[f"next_h of gru_step_forward_reset_after at each step of a sequence of {T}, each fed back as "
        "prev_h (as torch.nn.GRU), stacked to (N, T, H)"] = np.stack(states, axis=1)
    N, D, H = 2, 3, 4  # b_hn belongs inside the reset: with r = 0 the recurrent side must vanish
    args = _draw(hidden_rng, _step_shapes(N, D, H, biases=2))
    args[4][:H] = -50.0  # r = 0
    moved = args[5].copy()
    moved[2 * H:] += 1.0
    out["next_h of gru_step_forward_reset_after with r = 0 and b_hn changed (it does not depend on b_hn: "
        "r multiplies prev_h @ W_hn + b_hn)"] = output(step(*args[:5], moved))
    out["next_h of gru_step_forward_reset_after with r = 0 (b_r = -50)"] = output(step(*args))
    return out


PROBES = {
    "test_gru_step_forward": [_step_forward, hidden_gru_step_forward],
    "test_gru_step_backward": [_step_backward, hidden_gru_step_backward],
    "test_gru_forward": [_forward, hidden_gru_forward],
    "test_gru_backward": [_backward, hidden_gru_backward],
    "test_gru_step_forward_reset_after": [_reset_after, hidden_gru_step_forward_reset_after],
}
