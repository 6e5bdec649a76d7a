"""Out-of-process probes of notebook 01's graded functions (see autograder/probes).

The ``hidden_*`` probes are the assignment's hidden tests (see ``autograder.probes``). Each of
the hidden tests' comparisons with PyTorch (the RNN step and sequence written in torch,
autograd, ``torch.nn.functional.embedding`` and ``cross_entropy``, a torch oracle of ``sample``,
``torch.nn.utils.clip_grad_norm_``) is an output here, compared with the reference solution's
(which agrees with PyTorch) at ``TOLERANCE``, so the student's kernel never sees the
expectation. ``sample``'s outputs are its ids for a given generator, which every correct
implementation shares (the docstring fixes ``rng.choice(V, p=probs)``); greedy ids (temperature
1e-8) are compared with the solution's greedy ids. As in the hidden tests, the backward probes
run on the cache of the student's own forward function (its layout is the student's choice).
Only the checks that need no expected value are properties: NumPy only, ``sample`` leaving h0
unchanged, drawing near-uniform ids at temperature 1000 and a new generator per call for
``rng=None``, and ``clip_grad_norm`` leaving the caller's arrays unchanged.

One case differs from the hidden test it replaces: ``clip_grad_norm``'s second case (norm 0.503
against max_norm 0.5) has its gradients and max_norm scaled by 100. Clipping scales with them,
and the +1e-6 that PyTorch adds to the norm (which the solution adds and a correct student may
not) then stays within ``TOLERANCE``; at a norm of 0.5 it is 2e-6 relative, where the hidden
test allowed 1e-5.
"""

import numpy as np

from autograder.probes import HOLDS, numpy_only, numpy_only_claim, output

HIDDEN_TESTS_ARE_PROBES = True


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


# --- the hidden tests -----------------------------------------------------------------------

_STEP_GRADS = ["dx", "dprev_h", "dWx", "dWh", "db"]
_SEQ_GRADS = ["dx", "dh0", "dWx", "dWh", "db"]


def _copies(arrays):
    return [a.copy() for a in arrays]


def _unchanged(*pairs):
    return np.array(all(bool(np.array_equal(a, b)) for a, b in pairs))


def _visible_rnn_inputs(seed, x_shape, H):
    """The inputs of a visible RNN test (x, h, Wx, Wh, b) and its generator, drawn as it draws them."""
    rng = np.random.default_rng(seed)
    x, h = rng.standard_normal(x_shape), rng.standard_normal((x_shape[0], H))
    D = x_shape[-1]
    Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)), rng.standard_normal(H)
    return rng, [x, h, Wx, Wh, b]


def _init_params(V, D, H, rng):
    """The notebook's locked ``init_params`` (the model cell), drawn as it draws them."""
    return {
        "W_embed": rng.standard_normal((V, D)),
        "Wx": rng.standard_normal((D, H)) / np.sqrt(D),
        "Wh": rng.standard_normal((H, H)) / np.sqrt(H) * 0.5,
        "b": np.zeros(H),
        "W_out": rng.standard_normal((H, V)) / np.sqrt(H) * 0.1,
        "b_out": np.zeros(V),
    }


def _ids(ids):
    return output(np.asarray(list(ids)))


def hidden_rnn_step_forward(ns, rng):
    rnn_step_forward = ns["rnn_step_forward"]
    _, (x, prev_h, Wx, Wh, b) = _visible_rnn_inputs(1, (3, 4), 5)
    out = {numpy_only_claim("rnn_step_forward"):
           numpy_only(rnn_step_forward, x, prev_h, 0 * Wx, 0 * Wh, b)}
    for N, D, H in [(1, 3, 7), (5, 6, 2), (2, 1, 4)]:
        g = np.random.default_rng(100 + 7 * N + 11 * D + 13 * H)
        arrays = [2 * g.standard_normal(s) for s in [(N, D), (N, H), (D, H), (H, H), (H,)]]
        out[f"next_h of rnn_step_forward for N={N}, D={D}, H={H}"] = output(
            rnn_step_forward(*_copies(arrays))[0])
    return out


def hidden_rnn_step_backward(ns, rng):
    rnn_step_forward, rnn_step_backward = ns["rnn_step_forward"], ns["rnn_step_backward"]
    visible_rng, args = _visible_rnn_inputs(2, (4, 3), 5)
    dnext_h = visible_rng.standard_normal((4, 5))
    _, cache = rnn_step_forward(*args)
    out = {numpy_only_claim("rnn_step_backward"): numpy_only(rnn_step_backward, dnext_h, cache)}
    for N, D, H in [(1, 3, 7), (5, 6, 2), (3, 1, 4)]:
        g = np.random.default_rng(200 + 7 * N + 11 * D + 13 * H)
        arrays = [g.standard_normal(s) for s in [(N, D), (N, H), (D, H), (H, H), (H,)]]
        dnext_h = g.standard_normal((N, H))
        _, cache = rnn_step_forward(*_copies(arrays))
        grads = rnn_step_backward(dnext_h.copy(), cache)
        where = f"for N={N}, D={D}, H={H}"
        out[f"number of gradients rnn_step_backward returns {where}"] = output(len(grads))
        for name, grad in zip(_STEP_GRADS, grads):
            out[f"{name} of rnn_step_backward {where}"] = output(grad)
    return out


def hidden_rnn_forward(ns, rng):
    rnn_forward = ns["rnn_forward"]
    _, args = _visible_rnn_inputs(3, (2, 4, 3), 5)
    out = {numpy_only_claim("rnn_forward"): numpy_only(rnn_forward, *args)}
    for N, T, D, H in [(1, 1, 3, 4), (3, 6, 5, 2), (2, 9, 1, 7), (4, 3, 4, 4)]:
        g = np.random.default_rng(300 + N + 10 * T + 100 * D + 1000 * H)
        arrays = [g.standard_normal(s) for s in [(N, T, D), (N, H), (D, H), (H, H), (H,)]]
        out[f"h of rnn_forward for N={N}, T={T}, D={D}, H={H}"] = output(rnn_forward(*_copies(arrays))[0])
    return out


def hidden_rnn_backward(ns, rng):
    rnn_forward, rnn_backward = ns["rnn_forward"], ns["rnn_backward"]
    visible_rng, args = _visible_rnn_inputs(4, (2, 3, 4), 5)
    dh = visible_rng.standard_normal((2, 3, 5))
    _, cache = rnn_forward(*args)
    dh_last = np.zeros_like(dh)
    dh_last[:, -1] = dh[:, -1]
    out = {numpy_only_claim("rnn_backward"): numpy_only(rnn_backward, dh_last, cache)}
    for N, T, D, H in [(1, 1, 3, 4), (3, 6, 5, 2), (2, 9, 1, 7), (1, 12, 4, 4)]:
        g = np.random.default_rng(400 + N + 10 * T + 100 * D + 1000 * H)
        arrays = [g.standard_normal(s) for s in [(N, T, D), (N, H), (D, H), (H, H), (H,)]]
        dh = g.standard_normal((N, T, H))
        last_only = N == 1 and T == 12  # gradient from the last step only: it must travel back in time
        if last_only:
            dh[:, :-1] = 0
        _, cache = rnn_forward(*_copies(arrays))
        grads = rnn_backward(dh.copy(), cache)
        where = f"for N={N}, T={T}, D={D}, H={H}" + (", an upstream gradient at the last step only"
                                                     if last_only else "")
        out[f"number of gradients rnn_backward returns {where}"] = output(len(grads))
        for name, grad in zip(_SEQ_GRADS, grads):
            out[f"{name} of rnn_backward {where}"] = output(grad)
    return out


_VISIBLE_IDS = np.array([[0, 3, 3, 5], [1, 1, 2, 0]])  # the visible embedding tests' x


def hidden_embedding_forward(ns, rng):
    embedding_forward = ns["embedding_forward"]
    W = np.random.default_rng(6).standard_normal((6, 3))
    out = {numpy_only_claim("embedding_forward"): numpy_only(embedding_forward, _VISIBLE_IDS.copy(), W)}
    for N, T, V, D in [(1, 1, 5, 2), (3, 7, 4, 6), (2, 5, 9, 1)]:
        g = np.random.default_rng(600 + N + 10 * T + 100 * V + 1000 * D)
        x, W = g.integers(0, V, (N, T)), g.standard_normal((V, D))
        out[f"out of embedding_forward for N={N}, T={T}, V={V}, D={D}"] = output(
            embedding_forward(x.copy(), W.copy())[0])
    return out


def hidden_embedding_backward(ns, rng):
    embedding_forward, embedding_backward = ns["embedding_forward"], ns["embedding_backward"]
    visible_rng = np.random.default_rng(7)
    W = visible_rng.standard_normal((6, 3))
    dout = visible_rng.standard_normal((2, 4, 3))
    _, cache = embedding_forward(_VISIBLE_IDS.copy(), W)
    out = {numpy_only_claim("embedding_backward"): numpy_only(embedding_backward, dout, cache)}
    for N, T, V, D in [(1, 1, 5, 2), (3, 7, 4, 6), (2, 5, 9, 1), (4, 6, 2, 3)]:
        g = np.random.default_rng(700 + N + 10 * T + 100 * V + 1000 * D)
        x, W = g.integers(0, V, (N, T)), g.standard_normal((V, D))
        dout = g.standard_normal((N, T, D))
        _, cache = embedding_forward(x.copy(), W.copy())
        out[f"dW of embedding_backward for N={N}, T={T}, V={V}, D={D}"] = output(
            embedding_backward(dout.copy(), cache))
    return out


def hidden_temporal_affine_forward(ns, rng):
    temporal_affine_forward = ns["temporal_affine_forward"]
    visible_rng = np.random.default_rng(8)
    args = [visible_rng.standard_normal(s) for s in [(2, 3, 4), (4, 5), (5,)]]
    out = {numpy_only_claim("temporal_affine_forward"): numpy_only(temporal_affine_forward, *args)}
    for N, T, H, M in [(1, 1, 3, 4), (3, 6, 5, 2), (2, 4, 1, 7)]:
        g = np.random.default_rng(800 + N + 10 * T + 100 * H + 1000 * M)
        arrays = [g.standard_normal(s) for s in [(N, T, H), (H, M), (M,)]]
        out[f"out of temporal_affine_forward for N={N}, T={T}, H={H}, M={M}"] = output(
            temporal_affine_forward(*_copies(arrays))[0])
    return out


def hidden_temporal_affine_backward(ns, rng):
    temporal_affine_forward = ns["temporal_affine_forward"]
    temporal_affine_backward = ns["temporal_affine_backward"]
    visible_rng = np.random.default_rng(9)
    args = [visible_rng.standard_normal(s) for s in [(2, 3, 4), (4, 5), (5,)]]
    dout = visible_rng.standard_normal((2, 3, 5))
    _, cache = temporal_affine_forward(*args)
    out = {numpy_only_claim("temporal_affine_backward"): numpy_only(temporal_affine_backward, dout, cache)}
    for N, T, H, M in [(1, 1, 3, 4), (3, 6, 5, 2), (2, 4, 1, 7)]:
        g = np.random.default_rng(900 + N + 10 * T + 100 * H + 1000 * M)
        arrays = [g.standard_normal(s) for s in [(N, T, H), (H, M), (M,)]]
        dout = g.standard_normal((N, T, M))
        _, cache = temporal_affine_forward(*_copies(arrays))
        grads = temporal_affine_backward(dout.copy(), cache)
        where = f"for N={N}, T={T}, H={H}, M={M}"
        out[f"number of gradients temporal_affine_backward returns {where}"] = output(len(grads))
        for name, grad in zip(["dx", "dw", "db"], grads):
            out[f"{name} of temporal_affine_backward {where}"] = output(grad)
    return out


def hidden_temporal_softmax_loss(ns, rng):
    temporal_softmax_loss = ns["temporal_softmax_loss"]
    visible_rng = np.random.default_rng(10)
    x, y = visible_rng.standard_normal((3, 4, 5)), visible_rng.integers(0, 5, (3, 4))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]], dtype=bool)
    out = {numpy_only_claim("temporal_softmax_loss"): numpy_only(temporal_softmax_loss, 1e4 * x, y, mask)}
    cases = [(1, 1, 3, 1.0, 1.0), (4, 6, 7, 2.0, 0.5), (2, 9, 2, 1.0, 0.7), (3, 5, 6, 1e4, 0.6),
             (5, 3, 4, 3.0, 0.2)]
    for N, T, V, scale, keep in cases:
        g = np.random.default_rng(1000 + N + 10 * T + 100 * V)
        x, y = scale * g.standard_normal((N, T, V)), g.integers(0, V, (N, T))
        mask = g.random((N, T)) < keep
        mask[0, 0] = True  # at least one position counts
        loss, dx = temporal_softmax_loss(x.copy(), y.copy(), mask.copy())
        where = (f"for N={N}, T={T}, V={V}, {int(mask.sum())} of {mask.size} positions unmasked, "
                 f"scores x{scale:g}")
        out[f"loss of temporal_softmax_loss {where}"] = output(loss)
        out[f"dx of temporal_softmax_loss {where}"] = output(dx)
    return out


def hidden_sample(ns, rng):
    sample = ns["sample"]
    hello_params = _init_params(4, 4, 8, np.random.default_rng(11))  # the hello model's shapes
    out = {numpy_only_claim("sample"): numpy_only(sample, hello_params, 0, np.zeros(8), 4, 1e-6)}
    for V, D, H, length, temperature in [(5, 2, 3, 1, 1.0), (9, 4, 6, 20, 0.7), (3, 5, 2, 15, 2.0)]:
        g = np.random.default_rng(1200 + V + 10 * D + 100 * H)
        params = _init_params(V, D, H, g)
        params["W_out"] *= 20
        h0 = g.standard_normal(H)
        where = f"V={V}, D={D}, H={H}, length={length}"
        out[f"ids of sample at temperature {temperature} with np.random.default_rng(7) ({where})"] = _ids(
            sample({k: v.copy() for k, v in params.items()}, 1, h0.copy(), length, temperature,
                   np.random.default_rng(7)))
        out[f"ids of sample at temperature 1e-8, which must be greedy ({where})"] = _ids(
            sample(params, 1, h0, length, 1e-8, np.random.default_rng(8)))
    params = _init_params(6, 3, 4, np.random.default_rng(1299))
    params["W_out"] *= 20
    counts = np.bincount(np.asarray(list(sample(params, 0, np.zeros(4), 3000, 1e3,
                                                np.random.default_rng(9))), dtype=np.int64), minlength=6)
    out[HOLDS + "sample at temperature 1000 draws every one of 6 ids at least 350 times in 3000 draws "
                "(about 500: dividing the scores by the temperature flattens the distribution)"] = np.array(
        bool(counts.size == 6 and counts.min() >= 350))
    visible_rng = np.random.default_rng(12)  # the visible test's test_params and test_h0
    test_params = _init_params(7, 3, 5, visible_rng)
    test_params["W_out"] *= 30
    test_h0 = visible_rng.standard_normal(5)
    h0 = np.full(test_h0.shape, 0.3)
    sample(test_params, 2, h0, 5, temperature=1.0, rng=np.random.default_rng(1))
    out[HOLDS + "sample does not modify h0"] = _unchanged((h0, np.full(test_h0.shape, 0.3)))
    flat = {k: 0.0 * v for k, v in test_params.items()}  # a uniform model: every id equally likely
    out[HOLDS + "sample with rng=None draws from a new unseeded generator per call (two calls on a "
                "uniform model give different ids)"] = np.array(
        list(sample(flat, 2, test_h0, 40)) != list(sample(flat, 2, test_h0, 40)))
    return out


def hidden_clip_grad_norm(ns, rng):
    clip_grad_norm = ns["clip_grad_norm"]
    visible_rng = np.random.default_rng(15)
    test_grads = {"W": visible_rng.standard_normal((4, 3)) * 5, "b": visible_rng.standard_normal(3) * 5}
    out = {numpy_only_claim("clip_grad_norm"):
           numpy_only(clip_grad_norm, {k: g.copy() for k, g in test_grads.items()}, max_norm=100.0)}
    # the second case is the hidden test's (0.1, 0.5) scaled by 100: see the module's docstring
    cases = [([(3, 3), (3,)], 1.0, 2.0), ([(5, 2), (2,), (7, 4)], 10.0, 50.0), ([(1,)], 3.0, 1.0),
             ([(4, 4), (4,)], 1.0, 100.0), ([(6,), (2, 3), (3, 1)], 10.0, 12.0)]
    for i, (shapes, scale, max_norm) in enumerate(cases):
        g = np.random.default_rng(1500 + i)
        grads = {f"p{j}": scale * g.standard_normal(s) for j, s in enumerate(shapes)}
        clipped, total_norm = clip_grad_norm({k: v.copy() for k, v in grads.items()}, max_norm)
        where = f"({len(shapes)} arrays, max_norm={max_norm:g})"
        out[f"total_norm of clip_grad_norm {where}"] = output(total_norm)
        out[f"sorted keys of clip_grad_norm's clipped {where}"] = np.array(sorted(clipped))
        for name in grads:
            out[f"clipped[{name!r}] of clip_grad_norm {where}"] = output(clipped[name])
    grads = {"W": np.full((2, 2), 3.0), "b": np.full(3, 4.0)}
    clip_grad_norm(grads, max_norm=1.0)
    out[HOLDS + "clip_grad_norm does not modify the arrays of grads"] = _unchanged(
        (grads["W"], np.full((2, 2), 3.0)), (grads["b"], np.full(3, 4.0)))
    return out


PROBES = {
    "test_rnn_step_forward": [rnn_step_forward, hidden_rnn_step_forward],
    "test_rnn_step_backward": [rnn_step_backward, hidden_rnn_step_backward],
    "test_rnn_forward": [rnn_forward, hidden_rnn_forward],
    "test_rnn_backward": [rnn_backward, hidden_rnn_backward],
    "test_embedding_forward": [embedding_forward, hidden_embedding_forward],
    "test_embedding_backward": [embedding_backward, hidden_embedding_backward],
    "test_temporal_affine_forward": [temporal_affine_forward, hidden_temporal_affine_forward],
    "test_temporal_affine_backward": [temporal_affine_backward, hidden_temporal_affine_backward],
    "test_temporal_softmax_loss": [temporal_softmax_loss, hidden_temporal_softmax_loss],
    "test_sample": [sample, hidden_sample],
    "test_clip_grad_norm": [clip_grad_norm, hidden_clip_grad_norm],
}
# clip_grad_norm may divide by total_norm + 1e-6 (like PyTorch) or not: 1e-6 relative at norm ~10
TOLERANCE = dict(rtol=1e-6, atol=1e-8)
