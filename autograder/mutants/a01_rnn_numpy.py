"""Mutants of notebook 01 (a vanilla RNN from scratch in NumPy).

Bugs a student makes in each graded function, and correct alternatives that must keep full
marks. ``why`` starting with "suspect:" marks a case where the tests may judge the contract
badly (a bug they may miss, or an alternative they may reject).
"""

from autograder.mutants import Mutant

MUTANTS = [
    # --- rnn_step_forward ----------------------------------------------------------------
    Mutant(
        function="rnn_step_forward",
        find="next_h = np.tanh(x @ Wx + prev_h @ Wh + b)",
        replace="next_h = np.tanh(x @ Wx + prev_h @ Wh.T + b)",
        correct=False,
        why="multiplies by Wh.T, the lecture's column-vector W_hh, in the row-vector convention",
    ),
    Mutant(
        function="rnn_step_forward",
        find="next_h = np.tanh(x @ Wx + prev_h @ Wh + b)",
        replace="next_h = np.tanh(x @ Wx + prev_h @ Wh)",
        correct=False,
        why="forgets the bias b",
    ),
    Mutant(
        function="rnn_step_forward",
        find="next_h = np.tanh(x @ Wx + prev_h @ Wh + b)",
        replace="next_h = np.tanh(x @ Wx + prev_h @ Wh) + b",
        correct=False,
        why="adds the bias after the tanh instead of inside it",
    ),
    Mutant(
        function="rnn_step_forward",
        find="cache = (x, prev_h, Wx, Wh, next_h)",
        replace="cache = (x, prev_h, Wx, Wh, x @ Wx + prev_h @ Wh + b)  # the pre-activation",
        correct=False,
        tests=("test_rnn_step_backward",),
        why="caches the pre-activation a where rnn_step_backward expects tanh(a): the forward "
            "output is right, the backward's 1 - next_h**2 is not",
    ),
    Mutant(
        function="rnn_step_forward",
        find="next_h = np.tanh(x @ Wx + prev_h @ Wh + b)",
        replace='next_h = np.tanh(np.einsum("nd,dh->nh", x, Wx) + np.einsum("nk,kh->nh", prev_h, Wh) + b)',
        correct=True,
        why="both products written with np.einsum",
    ),
    Mutant(
        function="rnn_step_forward",
        find="next_h = np.tanh(x @ Wx + prev_h @ Wh + b)",
        replace="next_h = np.tanh(np.concatenate([x, prev_h], axis=1) @ np.concatenate([Wx, Wh], axis=0) + b)",
        correct=True,
        why="the lecture's single matrix: [x, prev_h] @ [[Wx], [Wh]] in one product",
    ),
    # --- rnn_step_backward ---------------------------------------------------------------
    Mutant(
        function="rnn_step_backward",
        find="da = dnext_h * (1 - next_h ** 2)",
        replace="da = dnext_h * (1 - np.tanh(next_h) ** 2)",
        correct=False,
        why="applies tanh again to the cached output: tanh'(h) instead of 1 - h^2",
    ),
    Mutant(
        function="rnn_step_backward",
        find="dprev_h = da @ Wh.T",
        replace="dprev_h = da @ Wh",
        correct=False,
        why="forgets the transpose in dprev_h (Wh is square, so no shape error)",
    ),
    Mutant(
        function="rnn_step_backward",
        find="dWh = prev_h.T @ da",
        replace="dWh = da.T @ prev_h",
        correct=False,
        why="dWh with the factors swapped: the transpose of the right gradient (square, no shape error)",
    ),
    Mutant(
        function="rnn_step_backward",
        find="db = da.sum(axis=0)",
        replace="db = da.mean(axis=0)",
        correct=False,
        why="averages the bias gradient over the batch instead of summing it",
    ),
    Mutant(
        function="rnn_step_backward",
        find="da = dnext_h * (1 - next_h ** 2)",
        replace="dnext_h *= 1 - next_h ** 2  # reuse the buffer\n    da = dnext_h",
        correct=False,
        why="multiplies the caller's upstream gradient in place: the returned gradients are "
            "right, but dnext_h is overwritten",
    ),
    Mutant(
        function="rnn_step_backward",
        find="    dWx = x.T @ da\n    dWh = prev_h.T @ da\n    db = da.sum(axis=0)\n",
        replace='    dWx = np.einsum("nd,nh->dh", x, da)\n'
                '    dWh = np.einsum("nk,nh->kh", prev_h, da)\n'
                '    db = np.einsum("nh->h", da)\n',
        correct=True,
        why="the weight and bias gradients with np.einsum",
    ),
    Mutant(
        function="rnn_step_backward",
        find="da = dnext_h * (1 - next_h ** 2)",
        replace="da = dnext_h * (1 - next_h) * (1 + next_h)",
        correct=True,
        why="the tanh derivative factored as (1 - h)(1 + h)",
    ),
    # --- rnn_forward ---------------------------------------------------------------------
    Mutant(
        function="rnn_forward",
        find="        prev_h = np.tanh(xw[:, t] + prev_h @ Wh)\n        h[:, t] = prev_h\n",
        replace="        h[:, t] = np.tanh(xw[:, t] + prev_h @ Wh)  # prev_h is never updated\n",
        correct=False,
        why="never updates prev_h: every step starts again from h0",
    ),
    Mutant(
        function="rnn_forward",
        find="        prev_h = np.tanh(xw[:, t] + prev_h @ Wh)\n        h[:, t] = prev_h\n",
        replace="        h[:, t] = prev_h\n        prev_h = np.tanh(xw[:, t] + prev_h @ Wh)\n",
        correct=False,
        why="stores the state before the update: h[:, t] is h_{t-1} (h[:, 0] = h0)",
    ),
    Mutant(
        function="rnn_forward",
        find="prev_h = np.tanh(xw[:, t] + prev_h @ Wh)",
        replace="prev_h = np.tanh(xw[t] + prev_h @ Wh)",
        correct=False,
        why="indexes time on the first axis (xw[t]), as in time-major code, with batch-first inputs",
    ),
    Mutant(
        function="rnn_forward",
        find="    prev_h = h0\n    for t in range(T):\n        prev_h = np.tanh(xw[:, t] + prev_h @ Wh)\n",
        replace="    prev_h = h0\n    for t in range(T):\n        prev_h[:] = np.tanh(xw[:, t] + prev_h @ Wh)  # update the state in place\n",
        correct=False,
        why="updates the state in place (prev_h[:] = ...) and so overwrites the caller's h0, "
            "which the cache also holds",
    ),
    Mutant(
        function="rnn_forward",
        find="    for t in range(T):\n        prev_h = np.tanh(xw[:, t] + prev_h @ Wh)\n        h[:, t] = prev_h\n",
        replace="    for n in range(N):  # one sequence at a time\n"
                "        prev_n = h0[n]\n"
                "        for t in range(T):\n"
                "            prev_n = np.tanh(xw[n, t] + prev_n @ Wh)\n"
                "            h[n, t] = prev_n\n",
        correct=True,
        why="style, not graded: loops over the batch, which the task advises against ('Never loop "
            "over the batch'); the tests judge values, speed is measured by make bench",
    ),
    Mutant(
        function="rnn_forward",
        find="    xw = x @ Wx + b  # the input term of every step in one product\n"
             "    h = np.empty((N, T, Wh.shape[0]), dtype=np.result_type(xw, h0, Wh))\n"
             "    prev_h = h0\n"
             "    for t in range(T):\n"
             "        prev_h = np.tanh(xw[:, t] + prev_h @ Wh)\n"
             "        h[:, t] = prev_h\n",
        replace="    h = np.empty((N, T, Wh.shape[0]))\n"
                "    prev_h = h0\n"
                "    for t in range(T):\n"
                "        prev_h, _ = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)\n"
                "        h[:, t] = prev_h\n",
        correct=True,
        why="a loop over rnn_step_forward, as the task allows",
    ),
    Mutant(
        function="rnn_forward",
        find="    h = np.empty((N, T, Wh.shape[0]), dtype=np.result_type(xw, h0, Wh))\n"
             "    prev_h = h0\n"
             "    for t in range(T):\n"
             "        prev_h = np.tanh(xw[:, t] + prev_h @ Wh)\n"
             "        h[:, t] = prev_h\n",
        replace="    states = [h0]\n"
                "    for xw_t in np.moveaxis(xw, 1, 0):  # time-major view of the input term\n"
                "        states.append(np.tanh(xw_t + states[-1] @ Wh))\n"
                "    h = np.stack(states[1:], axis=1)\n",
        correct=True,
        why="collects the states in a list over a time-major view and stacks them on axis 1",
    ),
    # --- rnn_backward --------------------------------------------------------------------
    Mutant(
        function="rnn_backward",
        find="dWh = h_prev.reshape(N * T, H).T @ da_rows",
        replace="dWh = h.reshape(N * T, H).T @ da_rows",
        correct=False,
        why="pairs each step's gradient with its own state h_t instead of h_{t-1} in dWh",
    ),
    Mutant(
        function="rnn_backward",
        find="h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)",
        replace="h_prev = np.concatenate([np.zeros_like(h0)[:, None], h[:, :-1]], axis=1)",
        correct=False,
        why="assumes h0 = 0 for the first step's contribution to dWh",
    ),
    Mutant(
        function="rnn_backward",
        find="for t in reversed(range(T)):",
        replace="for t in range(T):",
        correct=False,
        why="walks forward in time: dprev_h comes from the previous step instead of the next one",
    ),
    Mutant(
        function="rnn_backward",
        find="dh0 = dprev_h",
        replace="dh0 = da[:, 0]",
        correct=False,
        why="returns the gradient of the first pre-activation as dh0 (forgets the last @ Wh.T)",
    ),
    Mutant(
        function="rnn_backward",
        find="da_rows = da.reshape(N * T, H)",
        replace="da_rows = da.transpose(1, 0, 2).reshape(N * T, H)  # time-major rows",
        correct=False,
        why="stacks the gradients time-major but x and h_prev batch-major: rows no longer match",
    ),
    Mutant(
        function="rnn_backward",
        find="    x, h0, Wx, Wh, h = cache\n"
             "    N, T, H = dh.shape\n"
             "    da = np.empty_like(dh)  # gradient of every pre-activation\n"
             "    dprev_h = np.zeros_like(h0)\n"
             "    for t in reversed(range(T)):\n"
             "        da[:, t] = (dh[:, t] + dprev_h) * (1 - h[:, t] ** 2)\n"
             "        dprev_h = da[:, t] @ Wh.T\n"
             "    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # h_{t-1} for every t\n"
             "    da_rows = da.reshape(N * T, H)\n"
             "    dx = da @ Wx.T\n"
             "    dWx = x.reshape(N * T, -1).T @ da_rows\n"
             "    dWh = h_prev.reshape(N * T, H).T @ da_rows\n"
             "    db = da_rows.sum(axis=0)\n"
             "    dh0 = dprev_h\n",
        replace="    x, h0, Wx, Wh, h = cache\n"
                "    N, T, H = dh.shape\n"
                "    dx = np.zeros_like(x)\n"
                "    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)\n"
                "    dprev_h = np.zeros_like(h0)\n"
                "    for t in reversed(range(T)):\n"
                "        step_cache = (x[:, t], h0 if t == 0 else h[:, t - 1], Wx, Wh, h[:, t])\n"
                "        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, step_cache)\n"
                "        dWx += dWx_t\n"
                "        dWh += dWh_t\n"
                "        db += db_t\n"
                "    dh0 = dprev_h\n",
        correct=True,
        why="a loop over rnn_step_backward that adds up the weight gradients of every step",
    ),
    Mutant(
        function="rnn_backward",
        find="    dWx = x.reshape(N * T, -1).T @ da_rows\n"
             "    dWh = h_prev.reshape(N * T, H).T @ da_rows\n"
             "    db = da_rows.sum(axis=0)\n",
        replace='    dWx = np.einsum("ntd,nth->dh", x, da)\n'
                '    dWh = np.einsum("ntk,nth->kh", h_prev, da)\n'
                '    db = da.sum(axis=(0, 1))\n',
        correct=True,
        why="the shared-weight gradients summed over batch and time with np.einsum",
    ),
    # --- embedding_forward ---------------------------------------------------------------
    Mutant(
        function="embedding_forward",
        find="out = W[x]",
        replace="out = np.eye(x.max() + 1)[x] @ W  # one-hot times W",
        correct=False,
        why="sizes the one-hot vectors by the largest id in the batch instead of V: a shape "
            "error whenever the last ids of the vocabulary are absent",
    ),
    Mutant(
        function="embedding_forward",
        find="out = W[x]",
        replace="out = W[x.T]",
        correct=False,
        why="indexes with x.T: out has shape (T, N, D)",
    ),
    Mutant(
        function="embedding_forward",
        find="out = W[x]",
        replace="out = W[x - 1]",
        correct=False,
        why="treats the ids as 1-based: looks up the row before the right one",
    ),
    Mutant(
        function="embedding_forward",
        find="out = W[x]",
        replace="out = np.eye(W.shape[0])[x] @ W  # one-hot vectors times W",
        correct=True,
        why="one-hot vectors of size V times W, the definition the markdown gives",
    ),
    Mutant(
        function="embedding_forward",
        find="out = W[x]",
        replace="out = np.take(W, x, axis=0)",
        correct=True,
        why="np.take along axis 0",
    ),
    # --- embedding_backward --------------------------------------------------------------
    Mutant(
        function="embedding_backward",
        find="np.add.at(dW, x, dout)",
        replace="dW[x] += dout",
        correct=False,
        why="dW[x] += dout: repeated ids keep only one of their contributions",
    ),
    Mutant(
        function="embedding_backward",
        find="np.add.at(dW, x, dout)",
        replace="for n in range(x.shape[0]):\n        dW[x[n]] += dout[n]",
        correct=False,
        why="loops over the batch but still uses += with fancy indexing inside a row: ids "
            "repeated within one sequence are counted once",
    ),
    Mutant(
        function="embedding_backward",
        find="np.add.at(dW, x, dout)",
        replace="dW[x] = dout",
        correct=False,
        why="assigns instead of accumulating",
    ),
    Mutant(
        function="embedding_backward",
        find="dW = np.zeros(W_shape, dtype=dout.dtype)",
        replace="dW = np.zeros((x.max() + 1, dout.shape[-1]), dtype=dout.dtype)",
        correct=False,
        why="sizes dW by the largest id seen instead of V: too few rows when the last ids are unused",
    ),
    Mutant(
        function="embedding_backward",
        find="    dW = np.zeros(W_shape, dtype=dout.dtype)\n    np.add.at(dW, x, dout)\n",
        replace="    V, D = W_shape\n"
                "    onehot = np.eye(V)[x.reshape(-1)]  # (N*T, V)\n"
                "    dW = onehot.T @ dout.reshape(-1, D)\n",
        correct=True,
        why="the transpose of the one-hot matrix times the stacked upstream gradients",
    ),
    Mutant(
        function="embedding_backward",
        find="    dW = np.zeros(W_shape, dtype=dout.dtype)\n    np.add.at(dW, x, dout)\n",
        replace="    V, D = W_shape\n"
                "    ids = x.reshape(-1)\n"
                "    rows = dout.reshape(-1, D)\n"
                "    dW = np.stack([np.bincount(ids, weights=rows[:, d], minlength=V) for d in range(D)], axis=1)\n",
        correct=True,
        why="np.bincount with weights, one column of dW at a time",
    ),
    Mutant(
        function="embedding_backward",
        find="    np.add.at(dW, x, dout)\n",
        replace="    for n, t in np.ndindex(*x.shape):\n        dW[x[n, t]] += dout[n, t]\n",
        correct=True,
        why="an explicit loop over every position, adding one row at a time",
    ),
    # --- temporal_affine_forward ---------------------------------------------------------
    Mutant(
        function="temporal_affine_forward",
        find="out = x @ w + b",
        replace="out = x @ w",
        correct=False,
        why="forgets the bias",
    ),
    Mutant(
        function="temporal_affine_forward",
        find="out = x @ w + b",
        replace="out = x @ w.T + b",
        correct=False,
        why="transposes w (shape error unless H == M)",
    ),
    Mutant(
        function="temporal_affine_forward",
        find="out = x @ w + b",
        replace="out = (x.reshape(-1, x.shape[-1]) @ w + b).reshape(x.shape[1], x.shape[0], -1)",
        correct=False,
        why="flattens the (N, T) rows and reshapes the result back as (T, N, M)",
    ),
    Mutant(
        function="temporal_affine_forward",
        find="out = x @ w + b",
        replace='out = np.einsum("nth,hm->ntm", x, w) + b',
        correct=True,
        why="np.einsum over the hidden axis",
    ),
    Mutant(
        function="temporal_affine_forward",
        find="out = x @ w + b",
        replace="out = (x.reshape(-1, x.shape[-1]) @ w).reshape(x.shape[0], x.shape[1], -1) + b",
        correct=True,
        why="one 2-D product over the stacked N*T rows, reshaped back to (N, T, M)",
    ),
    # --- temporal_affine_backward --------------------------------------------------------
    Mutant(
        function="temporal_affine_backward",
        find="db = dout.sum(axis=(0, 1))",
        replace="db = dout.sum(axis=0)",
        correct=False,
        why="sums the bias gradient over the batch only, not over time: shape (T, M)",
    ),
    Mutant(
        function="temporal_affine_backward",
        find="dw = x.reshape(-1, x.shape[-1]).T @ dout.reshape(-1, w.shape[1])",
        replace="dw = x.reshape(x.shape[-1], -1) @ dout.reshape(-1, w.shape[1])",
        correct=False,
        why="reshapes x to (H, N*T) instead of transposing the (N*T, H) rows: right shape, wrong values",
    ),
    Mutant(
        function="temporal_affine_backward",
        find="dx = dout @ w.T",
        replace="dx = dout @ w",
        correct=False,
        why="forgets the transpose in dx",
    ),
    Mutant(
        function="temporal_affine_backward",
        find="dw = x.reshape(-1, x.shape[-1]).T @ dout.reshape(-1, w.shape[1])",
        replace="dw = x[:, -1].T @ dout[:, -1]",
        correct=False,
        why="takes dw from the last time step only, as for a many-to-one output layer",
    ),
    Mutant(
        function="temporal_affine_backward",
        find="    dx = dout @ w.T\n"
             "    dw = x.reshape(-1, x.shape[-1]).T @ dout.reshape(-1, w.shape[1])\n"
             "    db = dout.sum(axis=(0, 1))\n",
        replace='    dx = np.einsum("ntm,hm->nth", dout, w)\n'
                '    dw = np.einsum("nth,ntm->hm", x, dout)\n'
                '    db = np.einsum("ntm->m", dout)\n',
        correct=True,
        why="all three gradients with np.einsum",
    ),
    Mutant(
        function="temporal_affine_backward",
        find="dw = x.reshape(-1, x.shape[-1]).T @ dout.reshape(-1, w.shape[1])",
        replace="dw = np.tensordot(x, dout, axes=([0, 1], [0, 1]))",
        correct=True,
        why="dw with np.tensordot over the batch and time axes",
    ),
    # --- temporal_softmax_loss -----------------------------------------------------------
    Mutant(
        function="temporal_softmax_loss",
        find="shifted = x - x.max(axis=-1, keepdims=True)",
        replace="shifted = x",
        correct=False,
        why="no max subtraction: np.exp overflows for large scores",
    ),
    Mutant(
        function="temporal_softmax_loss",
        find="log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))",
        replace="log_probs = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True))",
        correct=False,
        why="takes log(p) of the softmax: -inf where p underflows to 0 for large scores",
    ),
    Mutant(
        function="temporal_softmax_loss",
        find="dx *= mask[..., None] / count",
        replace="dx /= count",
        correct=False,
        why="forgets to zero the gradient at masked positions",
    ),
    Mutant(
        function="temporal_softmax_loss",
        find="loss = -(target_log_probs * mask).sum() / count",
        replace="loss = -(target_log_probs * mask).sum() / mask.size",
        correct=False,
        why="divides the loss by all N*T positions (the gradient by the unmasked count)",
    ),
    Mutant(
        function="temporal_softmax_loss",
        find="    dx[np.arange(y.shape[0])[:, None], np.arange(y.shape[1]), y] -= 1\n",
        replace="",
        correct=False,
        why="forgets to subtract the one-hot target from the probabilities in dx",
    ),
    Mutant(
        function="temporal_softmax_loss",
        find="shifted = x - x.max(axis=-1, keepdims=True)",
        replace="x -= x.max(axis=-1, keepdims=True)  # stabilise in place\n    shifted = x",
        correct=False,
        why="subtracts the row maximum from the caller's scores in place (softmax is "
            "shift-invariant, so the returned values are still right; the input is not)",
    ),
    Mutant(
        function="temporal_softmax_loss",
        find="    shifted = x - x.max(axis=-1, keepdims=True)\n"
             "    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))\n"
             "    count = mask.sum()\n"
             "    target_log_probs = np.take_along_axis(log_probs, y[..., None], axis=-1)[..., 0]\n"
             "    loss = -(target_log_probs * mask).sum() / count\n"
             "    dx = np.exp(log_probs)\n"
             "    dx[np.arange(y.shape[0])[:, None], np.arange(y.shape[1]), y] -= 1\n"
             "    dx *= mask[..., None] / count\n",
        replace="    V = x.shape[-1]\n"
                "    m = x.max(axis=-1, keepdims=True)\n"
                "    lse = m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True))  # log-sum-exp\n"
                "    onehot = np.eye(V)[y]\n"
                "    count = np.count_nonzero(mask)\n"
                "    nll = lse[..., 0] - (x * onehot).sum(axis=-1)\n"
                "    loss = float(nll[mask].sum() / count)\n"
                "    dx = (np.exp(x - lse) - onehot) * (mask / count)[..., None]\n",
        correct=True,
        why="log-sum-exp written out, one-hot targets, and the loss summed over x[mask]",
    ),
    Mutant(
        function="temporal_softmax_loss",
        find="    shifted = x - x.max(axis=-1, keepdims=True)\n"
             "    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))\n"
             "    count = mask.sum()\n"
             "    target_log_probs = np.take_along_axis(log_probs, y[..., None], axis=-1)[..., 0]\n"
             "    loss = -(target_log_probs * mask).sum() / count\n"
             "    dx = np.exp(log_probs)\n"
             "    dx[np.arange(y.shape[0])[:, None], np.arange(y.shape[1]), y] -= 1\n"
             "    dx *= mask[..., None] / count\n",
        replace="    scores, targets = x[mask], y[mask]  # (K, V) and (K,): the real positions only\n"
                "    K = len(targets)\n"
                "    shifted = scores - scores.max(axis=1, keepdims=True)\n"
                "    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
                "    loss = -log_probs[np.arange(K), targets].mean()\n"
                "    d_real = np.exp(log_probs)\n"
                "    d_real[np.arange(K), targets] -= 1\n"
                "    dx = np.zeros_like(x)\n"
                "    dx[mask] = d_real / K\n",
        correct=True,
        why="selects the unmasked positions with x[mask], computes a plain mean cross-entropy on "
            "them, and scatters the gradient back into zeros",
    ),
    # --- sample --------------------------------------------------------------------------
    Mutant(
        function="sample",
        find='scores = (h @ params["W_out"] + params["b_out"])[0] / temperature',
        replace='scores = (h @ params["W_out"] + params["b_out"])[0] * temperature',
        correct=False,
        why="multiplies the scores by the temperature instead of dividing",
    ),
    Mutant(
        function="sample",
        find="idx = int(rng.choice(len(probs), p=probs / probs.sum()))",
        replace="idx = int(np.random.choice(len(probs), p=probs / probs.sum()))",
        correct=False,
        why="draws with the global np.random instead of the rng argument",
    ),
    Mutant(
        function="sample",
        find='x = params["W_embed"][[idx]]  # (1, D)',
        replace='x = params["W_embed"][[seed_idx]]  # (1, D)',
        correct=False,
        why="feeds the seed character at every step instead of the previous draw",
    ),
    Mutant(
        function="sample",
        find="idx = int(rng.choice(len(probs), p=probs / probs.sum()))",
        replace="idx = int(np.argmax(probs))",
        correct=False,
        why="always takes the most likely character (greedy) whatever the temperature",
    ),
    Mutant(
        function="sample",
        find='h, _ = rnn_step_forward(x, h, params["Wx"], params["Wh"], params["b"])',
        replace='h[:] = rnn_step_forward(x, h, params["Wx"], params["Wh"], params["b"])[0]  # in place',
        correct=False,
        why="suspect: updates the state in place in a reshaped view of h0, so the caller's h0 is "
            "overwritten; the ids the tests compare hardly depend on h0 (confident output layers), "
            "so later calls with the overwritten h0 still match",
    ),
    Mutant(
        function="sample",
        find="h = np.reshape(h0, (1, -1))",
        replace='h = np.zeros((1, params["Wh"].shape[0]))  # start from a blank state',
        correct=False,
        why="ignores h0 and starts from a zero state",
    ),
    Mutant(
        function="sample",
        find="rng = np.random.default_rng() if rng is None else rng",
        replace="rng = rng or np.random.default_rng(0)",
        correct=False,
        why="suspect: with rng=None uses a generator seeded with 0, so every call gives the same "
            "'random' words, where the docstring asks for a new unseeded one; no test can tell",
    ),
    Mutant(
        function="sample",
        find='    h = np.reshape(h0, (1, -1))\n'
             '    idx = seed_idx\n'
             '    out = []\n'
             '    for _ in range(length):\n'
             '        x = params["W_embed"][[idx]]  # (1, D)\n'
             '        h, _ = rnn_step_forward(x, h, params["Wx"], params["Wh"], params["b"])\n'
             '        scores = (h @ params["W_out"] + params["b_out"])[0] / temperature\n'
             '        probs = np.exp(scores - scores.max())\n'
             '        idx = int(rng.choice(len(probs), p=probs / probs.sum()))\n'
             '        out.append(idx)\n',
        replace='    W_embed, Wx, Wh, b = params["W_embed"], params["Wx"], params["Wh"], params["b"]\n'
                '    W_out, b_out = params["W_out"], params["b_out"]\n'
                '    h = np.asarray(h0, dtype=np.float64).ravel()  # a 1-D state\n'
                '    idx = seed_idx\n'
                '    out = []\n'
                '    while len(out) < length:\n'
                '        h = np.tanh(W_embed[idx] @ Wx + h @ Wh + b)\n'
                '        logits = (h @ W_out + b_out) / temperature\n'
                '        p = np.exp(logits - logits.max())\n'
                '        p /= p.sum()\n'
                '        idx = int(rng.choice(W_out.shape[1], p=p))\n'
                '        out.append(idx)\n',
        correct=True,
        why="the step written out on 1-D vectors (no rnn_step_forward), a while loop, probs "
            "normalised in place",
    ),
    Mutant(
        function="sample",
        find='        probs = np.exp(scores - scores.max())\n'
             '        idx = int(rng.choice(len(probs), p=probs / probs.sum()))\n',
        replace='        log_probs = scores - np.logaddexp.reduce(scores)  # log-softmax, stable\n'
                '        probs = np.exp(log_probs)\n'
                '        idx = int(rng.choice(len(probs), p=probs / probs.sum()))\n',
        correct=True,
        why="a log-softmax with np.logaddexp.reduce, then exp: the same distribution, stable "
            "for tiny temperatures",
    ),
    # --- clip_grad_norm ------------------------------------------------------------------
    Mutant(
        function="clip_grad_norm",
        find="    scale = max_norm / (total_norm + 1e-6) if total_norm > max_norm else 1.0\n"
             "    clipped = {name: g * scale for name, g in grads.items()}\n",
        replace="    clipped = {}\n"
                "    for name, g in grads.items():  # each array clipped by its own norm\n"
                "        norm = np.linalg.norm(g)\n"
                "        clipped[name] = g * (max_norm / norm) if norm > max_norm else g.copy()\n",
        correct=False,
        why="clips every array by its own norm instead of the global norm",
    ),
    Mutant(
        function="clip_grad_norm",
        find="scale = max_norm / (total_norm + 1e-6) if total_norm > max_norm else 1.0",
        replace="scale = max_norm / (total_norm + 1e-6)",
        correct=False,
        why="always rescales to max_norm, also gradients that are below the threshold",
    ),
    Mutant(
        function="clip_grad_norm",
        find="total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))",
        replace="total_norm = float(sum(np.sum(np.abs(g)) for g in grads.values()))",
        correct=False,
        why="uses the L1 norm (sum of absolute values) as the global norm",
    ),
    Mutant(
        function="clip_grad_norm",
        find="    clipped = {name: g * scale for name, g in grads.items()}\n",
        replace="    clipped = {name: g * scale for name, g in grads.items()}\n"
                "    total_norm = min(total_norm, max_norm)  # the norm after clipping\n",
        correct=False,
        why="returns the norm after clipping instead of the norm before",
    ),
    Mutant(
        function="clip_grad_norm",
        find="    clipped = {name: g * scale for name, g in grads.items()}\n",
        replace="    for g in grads.values():\n"
                "        g *= scale  # like torch's clip_grad_norm_, in place\n"
                "    clipped = grads\n",
        correct=False,
        why="suspect: scales the caller's gradient arrays in place and returns the same dict; "
            "every test passes copies, so nothing can see it",
    ),
    Mutant(
        function="clip_grad_norm",
        find="    total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))\n"
             "    scale = max_norm / (total_norm + 1e-6) if total_norm > max_norm else 1.0\n",
        replace="    total_norm = float(np.linalg.norm(np.concatenate([g.ravel() for g in grads.values()])))\n"
                "    scale = min(1.0, max_norm / total_norm) if total_norm > 0 else 1.0\n",
        correct=True,
        why="np.linalg.norm of all gradients concatenated, and min(1, max_norm / norm) without "
            "the 1e-6 (the tests allow either)",
    ),
    Mutant(
        function="clip_grad_norm",
        find="total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))",
        replace="total_norm = float(np.sqrt(sum(np.vdot(g, g) for g in grads.values())))",
        correct=True,
        why="the squared norms as np.vdot(g, g)",
    ),
]
