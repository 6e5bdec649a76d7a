"""Out-of-process checks of notebook 04's graded functions (see autograder/probes/__init__.py)."""


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


PROBES = {
    "test_gru_step_forward": [_step_forward],
    "test_gru_step_backward": [_step_backward],
    "test_gru_forward": [_forward],
    "test_gru_backward": [_backward],
    "test_gru_step_forward_reset_after": [_reset_after],
}
