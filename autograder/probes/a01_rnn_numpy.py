"""Out-of-process probes of notebook 01's graded functions (see autograder/probes)."""

import numpy as np


def _normal(rng, *shape):
    return rng.standard_normal(shape)


def _rnn_inputs(rng, N=3, T=5, D=4, H=6):
    return (_normal(rng, N, T, D), _normal(rng, N, H), _normal(rng, D, H), _normal(rng, H, H),
            _normal(rng, H))


def rnn_step_forward(ns, rng):
    x, prev_h, Wx, Wh, b = (_normal(rng, 2, 3), _normal(rng, 2, 4), _normal(rng, 3, 4),
                            _normal(rng, 4, 4), _normal(rng, 4))
    return {"next_h": ns["rnn_step_forward"](x, prev_h, Wx, Wh, b)[0]}


def rnn_step_backward(ns, rng):
    x, prev_h, Wx, Wh, b = (_normal(rng, 2, 3), _normal(rng, 2, 4), _normal(rng, 3, 4),
                            _normal(rng, 4, 4), _normal(rng, 4))
    _, cache = ns["rnn_step_forward"](x, prev_h, Wx, Wh, b)
    grads = ns["rnn_step_backward"](_normal(rng, 2, 4), cache)
    return dict(zip(["dx", "dprev_h", "dWx", "dWh", "db"], grads))


def rnn_forward(ns, rng):
    return {"h": ns["rnn_forward"](*_rnn_inputs(rng))[0]}


def rnn_backward(ns, rng):
    _, cache = ns["rnn_forward"](*_rnn_inputs(rng))
    grads = ns["rnn_backward"](_normal(rng, 3, 5, 6), cache)
    return dict(zip(["dx", "dh0", "dWx", "dWh", "db"], grads))


def embedding_forward(ns, rng):
    x, W = rng.integers(0, 5, (3, 4)), _normal(rng, 5, 2)
    return {"out": ns["embedding_forward"](x, W)[0]}


def embedding_backward(ns, rng):
    x, W = rng.integers(0, 5, (3, 4)), _normal(rng, 5, 2)  # 12 ids from 5: repeats
    _, cache = ns["embedding_forward"](x, W)
    return {"dW": ns["embedding_backward"](_normal(rng, 3, 4, 2), cache)}


def temporal_affine_forward(ns, rng):
    return {"out": ns["temporal_affine_forward"](_normal(rng, 2, 3, 4), _normal(rng, 4, 5),
                                                 _normal(rng, 5))[0]}


def temporal_affine_backward(ns, rng):
    _, cache = ns["temporal_affine_forward"](_normal(rng, 2, 3, 4), _normal(rng, 4, 5),
                                             _normal(rng, 5))
    grads = ns["temporal_affine_backward"](_normal(rng, 2, 3, 5), cache)
    return dict(zip(["dx", "dw", "db"], grads))


def temporal_softmax_loss(ns, rng):
    x, y = 3 * _normal(rng, 3, 4, 6), rng.integers(0, 6, (3, 4))
    mask = rng.random((3, 4)) < 0.6
    mask[0, 0] = True
    loss, dx = ns["temporal_softmax_loss"](x, y, mask)
    return {"loss": np.asarray(loss, dtype=np.float64), "dx": dx}


def sample(ns, rng):
    V, D, H = 6, 3, 5
    params = {"W_embed": _normal(rng, V, D), "Wx": _normal(rng, D, H) / np.sqrt(D),
              "Wh": _normal(rng, H, H) / np.sqrt(H), "b": _normal(rng, H),
              "W_out": 5 * _normal(rng, H, V), "b_out": _normal(rng, V)}
    h0 = _normal(rng, H)
    seed = int(rng.integers(2**31))
    ids = ns["sample"](params, 1, h0, 10, 0.8, np.random.default_rng(seed))
    greedy = ns["sample"](params, 2, h0, 10, 1e-8, np.random.default_rng(seed + 1))
    return {"ids": np.asarray(ids, dtype=np.int64), "greedy": np.asarray(greedy, dtype=np.int64)}


def clip_grad_norm(ns, rng):
    grads = {"W": 4 * _normal(rng, 3, 4), "b": 4 * _normal(rng, 4)}
    clipped, total = ns["clip_grad_norm"]({k: v.copy() for k, v in grads.items()}, 2.0)
    kept, _ = ns["clip_grad_norm"]({k: v.copy() for k, v in grads.items()}, 1e6)
    return {"total_norm": np.asarray(total, dtype=np.float64), "clipped_W": clipped["W"],
            "clipped_b": clipped["b"], "unclipped_W": kept["W"]}


PROBES = {
    "test_rnn_step_forward": [rnn_step_forward],
    "test_rnn_step_backward": [rnn_step_backward],
    "test_rnn_forward": [rnn_forward],
    "test_rnn_backward": [rnn_backward],
    "test_embedding_forward": [embedding_forward],
    "test_embedding_backward": [embedding_backward],
    "test_temporal_affine_forward": [temporal_affine_forward],
    "test_temporal_affine_backward": [temporal_affine_backward],
    "test_temporal_softmax_loss": [temporal_softmax_loss],
    "test_sample": [sample],
    "test_clip_grad_norm": [clip_grad_norm],
}
# clip_grad_norm may divide by total_norm + 1e-6 (like PyTorch) or not: 1e-6 relative at norm ~10
TOLERANCE = dict(rtol=1e-6, atol=1e-8)
