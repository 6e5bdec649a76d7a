"""Probes for notebook 03 (LSTM): the graded functions on fresh random inputs."""


def _weights(rng, D, H):
    return (rng.normal(size=(D, 4 * H)) * 0.5, rng.normal(size=(H, 4 * H)) * 0.5,
            rng.normal(size=4 * H))


def _step_inputs(rng, N=3, D=4, H=5):
    return (rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H)),
            *_weights(rng, D, H))


def step_forward(ns, rng):
    next_h, next_c, _ = ns["lstm_step_forward"](*_step_inputs(rng))
    return {"next_h": next_h, "next_c": next_c}


def step_backward(ns, rng):
    args = _step_inputs(rng, N=2, D=3, H=4)
    next_h, next_c, cache = ns["lstm_step_forward"](*args)
    grads = ns["lstm_step_backward"](rng.normal(size=next_h.shape), rng.normal(size=next_c.shape),
                                     cache)
    return dict(zip(["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"], grads))


def _sequence_inputs(rng, N=2, T=6, D=3, H=4):
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), *_weights(rng, D, H))


def forward(ns, rng):
    h, _ = ns["lstm_forward"](*_sequence_inputs(rng))
    return {"h": h}


def backward(ns, rng):
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


PROBES = {
    "test_lstm_step_forward": [step_forward],
    "test_lstm_step_backward": [step_backward],
    "test_lstm_forward": [forward],
    "test_lstm_backward": [backward],
    "test_to_torch_lstm": [to_torch],
}
