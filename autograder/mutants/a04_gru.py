"""Mutation suite for notebook 04 (GRU from scratch, NumPy only).

Bugs a student makes when deriving the GRU (the gate blocks in the wrong order, a missing
transpose, a forgotten term of dprev_h, the reset gate on the wrong side of the product),
and correct alternatives that compute the same numbers another way, in NumPy only.
Forward alternatives keep the solution's cache layout ``(x, prev_h, Wx, Wh, r, z, n)``:
the solution's backward step reads it.
"""

from autograder.mutants import Mutant

MUTANTS = [
    # --- gru_step_forward ------------------------------------------------------------------
    Mutant(
        function="gru_step_forward",
        find="next_h = z * prev_h + (1 - z) * n",
        replace="next_h = (1 - z) * prev_h + z * n",
        correct=False,
        why="swaps z and 1 - z: the update gate keeps the candidate instead of the old state",
    ),
    Mutant(
        function="gru_step_forward",
        find="n = np.tanh(a[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:])",
        replace="n = np.tanh(a[:, 2 * H:] + r * (prev_h @ Wh[:, 2 * H:]))",
        correct=False,
        why="applies the reset gate after the recurrent product (PyTorch's variant) in the "
            "lecture's GRU, whose candidate uses (r * h) W_hn",
    ),
    Mutant(
        function="gru_step_forward",
        find="r, z = gates[:, :H], gates[:, H:]",
        replace="z, r = gates[:, :H], gates[:, H:]",
        correct=False,
        why="reads the blocks in the order (z, r, n) (Keras' order) instead of the notebook's (r, z, n)",
    ),
    Mutant(
        function="gru_step_forward",
        find="n = np.tanh(a[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:])",
        replace="n = np.tanh((x @ Wx)[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:])",
        correct=False,
        why="forgets the candidate's bias b_n (the gates get theirs)",
    ),
    Mutant(
        function="gru_step_forward",
        find="next_h = z * prev_h + (1 - z) * n\n",
        replace="next_h = prev_h  # update the state in place\n"
                "    next_h *= z\n"
                "    next_h += (1 - z) * n\n",
        correct=False,
        why="suspect: updates the state in place: next_h is the caller's prev_h array, "
            "overwritten, so the caller's previous state and the cache's prev_h (which "
            "gru_step_backward needs) are destroyed; the test calls it again on the same, "
            "already overwritten prev_h and compares two aliases of one array",
    ),
    Mutant(
        function="gru_step_forward",
        find="""    a = x @ Wx + b  # input contributions of r, z and n
    gates = sigmoid(a[:, :2 * H] + prev_h @ Wh[:, :2 * H])
    r, z = gates[:, :H], gates[:, H:]
    n = np.tanh(a[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:])
    next_h = z * prev_h + (1 - z) * n
""",
        replace="""    W_xr, W_xz, W_xn = np.split(Wx, 3, axis=1)
    W_hr, W_hz, W_hn = np.split(Wh, 3, axis=1)
    b_r, b_z, b_n = np.split(b, 3)
    logistic = lambda v: 1.0 / (1.0 + np.exp(-v))
    r = logistic(x @ W_xr + prev_h @ W_hr + b_r)
    z = logistic(x @ W_xz + prev_h @ W_hz + b_z)
    n = np.tanh(x @ W_xn + (r * prev_h) @ W_hn + b_n)
    next_h = n + z * (prev_h - n)
""",
        correct=True,
        why="one product per gate block (np.split), its own logistic 1 / (1 + exp(-v)), and "
            "h = n + z (h_prev - n), the same interpolation",
    ),
    Mutant(
        function="gru_step_forward",
        find="    gates = sigmoid(a[:, :2 * H] + prev_h @ Wh[:, :2 * H])\n"
             "    r, z = gates[:, :H], gates[:, H:]\n",
        replace="    from scipy.special import expit\n"
                "    r = expit(np.einsum('nd,dh->nh', x, Wx[:, :H]) + np.einsum('nk,kh->nh', prev_h, Wh[:, :H]) + b[:H])\n"
                "    z = expit(np.einsum('nd,dh->nh', x, Wx[:, H:2 * H]) + np.einsum('nk,kh->nh', prev_h, Wh[:, H:2 * H])"
                " + b[H:2 * H])\n",
        correct=True,
        why="gates with scipy.special.expit and einsum (NumPy/SciPy only, no torch)",
    ),
    # --- gru_step_backward -----------------------------------------------------------------
    Mutant(
        function="gru_step_backward",
        find="dprev_h = dnext_h * z + drh * r + drz @ Wh[:, :2 * H].T",
        replace="dprev_h = dnext_h * z + drz @ Wh[:, :2 * H].T",
        correct=False,
        why="forgets the path of h_{t-1} through the candidate (the drh * r term of dprev_h)",
    ),
    Mutant(
        function="gru_step_backward",
        find="dprev_h = dnext_h * z + drh * r + drz @ Wh[:, :2 * H].T",
        replace="dprev_h = drh * r + drz @ Wh[:, :2 * H].T",
        correct=False,
        why="forgets the carried-over term dnext_h * z of dprev_h (the gradient highway)",
    ),
    Mutant(
        function="gru_step_backward",
        find="dz = dnext_h * (prev_h - n) * z * (1 - z)",
        replace="dz = dnext_h * (n - prev_h) * z * (1 - z)",
        correct=False,
        why="sign error in dz: d h / d z is h_prev - n, not n - h_prev",
    ),
    Mutant(
        function="gru_step_backward",
        find="dn = dnext_h * (1 - z) * (1 - n**2)",
        replace="dn = dnext_h * (1 - z)",
        correct=False,
        why="forgets the tanh derivative 1 - n**2 of the candidate",
    ),
    Mutant(
        function="gru_step_backward",
        find="drh = dn @ Wh[:, 2 * H:].T  # gradient of r * prev_h",
        replace="drh = dn @ Wh[:, 2 * H:]  # gradient of r * prev_h",
        correct=False,
        why="missing transpose of W_hn (square H x H, so the shapes still fit)",
    ),
    Mutant(
        function="gru_step_backward",
        find="db = da.sum(axis=0)",
        replace="db = da.mean(axis=0)",
        correct=False,
        why="averages the bias gradient over the batch instead of summing it",
    ),
    Mutant(
        function="gru_step_backward",
        find="""    drz = np.concatenate([dr, dz], axis=1)
    da = np.concatenate([drz, dn], axis=1)
    dx = da @ Wx.T
    dprev_h = dnext_h * z + drh * r + drz @ Wh[:, :2 * H].T
    dWx = x.T @ da
    dWh = np.concatenate([prev_h.T @ drz, (r * prev_h).T @ dn], axis=1)
    db = da.sum(axis=0)
""",
        replace="""    dx = dr @ Wx[:, :H].T + dz @ Wx[:, H:2 * H].T + dn @ Wx[:, 2 * H:].T
    dprev_h = dnext_h * z + drh * r + dr @ Wh[:, :H].T + dz @ Wh[:, H:2 * H].T
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros(3 * H)
    for k, d in enumerate([dr, dz, dn]):
        block = slice(k * H, (k + 1) * H)
        dWx[:, block] = x.T @ d
        db[block] = d.sum(axis=0)
    dWh[:, :H] = prev_h.T @ dr
    dWh[:, H:2 * H] = prev_h.T @ dz
    dWh[:, 2 * H:] = (r * prev_h).T @ dn
""",
        correct=True,
        why="block by block, without concatenating the pre-activation gradients",
    ),
    Mutant(
        function="gru_step_backward",
        find="    dx = da @ Wx.T\n",
        replace="    dx = np.einsum('nk,dk->nd', da, Wx)\n",
        correct=True,
        why="dx by einsum instead of the product with the transpose",
    ),
    Mutant(
        function="gru_step_backward",
        find="    dWx = x.T @ da\n",
        replace="    dWx = (da.T @ x).T\n",
        correct=True,
        why="dWx as the transpose of da^T x (same matrix)",
    ),
    # --- gru_forward -----------------------------------------------------------------------
    Mutant(
        function="gru_forward",
        find="prev_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, b)\n"
             "        h[:, t] = prev_h",
        replace="next_h, step_cache = gru_step_forward(x[:, t], h0, Wx, Wh, b)\n"
                "        h[:, t] = next_h",
        correct=False,
        why="every step starts from h0 instead of the previous step's state",
    ),
    Mutant(
        function="gru_forward",
        find="prev_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, b)\n"
             "        h[:, t] = prev_h",
        replace="h[:, t] = prev_h\n"
                "        prev_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, b)",
        correct=False,
        why="off by one in time: stores the state before each step (h starts with h0 and "
            "misses the last state)",
    ),
    Mutant(
        function="gru_forward",
        find="h = np.zeros((N, T, h0.shape[1]))",
        replace="h = np.zeros_like(x)",
        correct=False,
        why="allocates h like x, (N, T, D) instead of (N, T, H)",
    ),
    Mutant(
        function="gru_forward",
        find="gru_step_forward(x[:, t], prev_h, Wx, Wh, b)",
        replace="gru_step_forward(x[t], prev_h, Wx, Wh, b)",
        correct=False,
        why="indexes x time-major, x[t], although x is (N, T, D)",
    ),
    Mutant(
        function="gru_forward",
        find="cache.append(step_cache)",
        replace="cache.insert(0, step_cache)  # backward walks from the end",
        correct=False,
        tests=("test_gru_backward",),
        why="stores the step caches in reverse order, so cache[t] is not step t's cache "
            "(h itself is right: only the backward pass that reads the cache can see it)",
    ),
    Mutant(
        function="gru_forward",
        find="""    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    prev_h = h0
    for t in range(T):
        prev_h, step_cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, b)
        h[:, t] = prev_h
        cache.append(step_cache)
""",
        replace="""    states, cache = [], []
    state = h0
    for x_t in np.moveaxis(x, 1, 0):
        state, step_cache = gru_step_forward(x_t, state, Wx, Wh, b)
        states.append(state)
        cache.append(step_cache)
    h = np.stack(states, axis=1)
""",
        correct=True,
        why="iterates over np.moveaxis(x, 1, 0) and stacks the list of states at the end",
    ),
    Mutant(
        function="gru_forward",
        find="    h = np.zeros((N, T, h0.shape[1]))\n",
        replace="    h = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx, Wh, b))\n",
        correct=True,
        why="allocates h with np.empty and the inputs' result dtype (every entry is written)",
    ),
    # --- gru_backward ----------------------------------------------------------------------
    Mutant(
        function="gru_backward",
        find="for t in reversed(range(T)):",
        replace="for t in range(T):",
        correct=False,
        why="walks forward in time: the gradient from step t reaches h_{t-1} after step t-1 "
            "has already been processed",
    ),
    Mutant(
        function="gru_backward",
        find="        dWx += dWx_t\n        dWh += dWh_t\n        db += db_t\n",
        replace="        dWx, dWh, db = dWx_t, dWh_t, db_t\n",
        correct=False,
        why="keeps the weight gradients of the last processed step instead of summing over time",
    ),
    Mutant(
        function="gru_backward",
        find="for t in reversed(range(T)):",
        replace="for t in reversed(range(1, T)):",
        correct=False,
        why="off by one: skips step 0 (dx[:, 0] stays zero, dh0 is the gradient at h_0's "
            "successor)",
    ),
    Mutant(
        function="gru_backward",
        find="""    dprev_h = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = gru_step_backward(dh[:, t] + dprev_h, cache[t])
""",
        replace="""    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = gru_step_backward(dh[:, t], cache[t])
        if t > 0:
            dh[:, t - 1] += dprev_h  # accumulate into the upstream gradient
""",
        correct=False,
        why="accumulates the carried gradient into the caller's dh in place: the gradients are "
            "right, but the input dh is changed",
    ),
    Mutant(
        function="gru_backward",
        find="""    dprev_h = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = gru_step_backward(dh[:, t] + dprev_h, cache[t])
""",
        replace="""    dh = dh.copy()  # accumulate on a copy, not the caller's array
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = gru_step_backward(dh[:, t], cache[t])
        if t > 0:
            dh[:, t - 1] += dprev_h
""",
        correct=True,
        why="adds each step's dprev_h into a copy of dh at t - 1 instead of carrying it in a variable",
    ),
    Mutant(
        function="gru_backward",
        find="""    N, T, H = dh.shape
    x, _, Wx, Wh, *_ = cache[0]
    dx = np.zeros((N, T, x.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(3 * H)
    dprev_h = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = gru_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dprev_h
""",
        replace="""    T = dh.shape[1]
    carry = 0.0
    per_step = [None] * T
    for t in range(T - 1, -1, -1):
        per_step[t] = gru_step_backward(dh[:, t] + carry, cache[t])
        carry = per_step[t][1]
    dx = np.stack([g[0] for g in per_step], axis=1)
    dh0 = carry
    dWx = sum(g[2] for g in per_step)
    dWh = sum(g[3] for g in per_step)
    db = sum(g[4] for g in per_step)
""",
        correct=True,
        why="keeps every step's gradients in a list, stacks dx and sums the weight gradients at the end",
    ),
    # --- gru_step_forward_reset_after ------------------------------------------------------
    Mutant(
        function="gru_step_forward_reset_after",
        find="n = np.tanh(a_x[:, 2 * H:] + r * a_h[:, 2 * H:])",
        replace="n = np.tanh(a_x[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:] + b_h[2 * H:])",
        correct=False,
        why="copies the lecture's candidate, reset before the product, into the PyTorch variant",
    ),
    Mutant(
        function="gru_step_forward_reset_after",
        find="next_h = (1 - z) * n + z * prev_h",
        replace="next_h = z * n + (1 - z) * prev_h",
        correct=False,
        why="swaps z and 1 - z in the interpolation",
    ),
    Mutant(
        function="gru_step_forward_reset_after",
        find="a_h = prev_h @ Wh + b_h  # all three recurrent contributions at once",
        replace="a_h = prev_h @ Wh  # b_h is redundant with b_x",
        correct=False,
        why="drops the recurrent bias b_h as redundant; it is not for the candidate, where "
            "b_hn sits inside the reset",
    ),
    Mutant(
        function="gru_step_forward_reset_after",
        find="r, z = gates[:, :H], gates[:, H:]",
        replace="z, r = gates[:, :H], gates[:, H:]",
        correct=False,
        why="reads the gates in Keras' order (z, r, n) instead of PyTorch's (r, z, n)",
    ),
    Mutant(
        function="gru_step_forward_reset_after",
        find="""    a_x = x @ Wx + b_x
    a_h = prev_h @ Wh + b_h  # all three recurrent contributions at once
    gates = sigmoid(a_x[:, :2 * H] + a_h[:, :2 * H])
    r, z = gates[:, :H], gates[:, H:]
    n = np.tanh(a_x[:, 2 * H:] + r * a_h[:, 2 * H:])
    next_h = (1 - z) * n + z * prev_h
""",
        replace="""    b_gates = b_x[:2 * H] + b_h[:2 * H]  # for r and z only the sum of the biases matters
    r = 1.0 / (1.0 + np.exp(-(x @ Wx[:, :H] + prev_h @ Wh[:, :H] + b_gates[:H])))
    z = 1.0 / (1.0 + np.exp(-(x @ Wx[:, H:2 * H] + prev_h @ Wh[:, H:2 * H] + b_gates[H:])))
    n = np.tanh(x @ Wx[:, 2 * H:] + b_x[2 * H:] + r * (prev_h @ Wh[:, 2 * H:] + b_h[2 * H:]))
    next_h = n + z * (prev_h - n)
""",
        correct=True,
        why="sums the two biases of r and z, computes each gate with its own products, and "
            "h = n + z (h_prev - n)",
    ),
    Mutant(
        function="gru_step_forward_reset_after",
        find="""    gates = sigmoid(a_x[:, :2 * H] + a_h[:, :2 * H])
    r, z = gates[:, :H], gates[:, H:]
    n = np.tanh(a_x[:, 2 * H:] + r * a_h[:, 2 * H:])
""",
        replace="""    x_r, x_z, x_n = np.split(a_x, 3, axis=1)
    h_r, h_z, h_n = np.split(a_h, 3, axis=1)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
""",
        correct=True,
        why="np.split of both pre-activations into their three blocks",
    ),
]
