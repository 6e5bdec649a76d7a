"""Mutants of notebook 03 (the LSTM in NumPy, and its torch.nn.LSTM twin).

Bugs a student makes in each graded function, and correct alternatives that must keep full
marks. The solution cells of the two step functions also define the helpers
``lstm_cell_forward`` / ``lstm_cell_backward`` that ``lstm_forward`` / ``lstm_backward``
call, so a bug in a helper is judged by the sequence tests as well (``tests``), and every
alternative keeps the helpers' interface. ``why`` starting with "suspect:" marks a case where
the tests may judge the contract badly (a bug they may miss, or an alternative they may
reject).
"""

from autograder.mutants import Mutant

FORWARD_TESTS = ("test_lstm_step_forward", "test_lstm_forward")
BACKWARD_TESTS = ("test_lstm_step_backward", "test_lstm_backward")

MUTANTS = [
    # --- lstm_step_forward (and its helper lstm_cell_forward) ---------------------------
    Mutant(
        function="lstm_step_forward",
        find="i, f, o = np.split(sigmoid(a[:, :3 * H]), 3, axis=1)",
        replace="f, i, o = np.split(sigmoid(a[:, :3 * H]), 3, axis=1)",
        correct=False,
        tests=FORWARD_TESTS,
        why="swaps the input and forget gates: reads the first block as f",
    ),
    Mutant(
        function="lstm_step_forward",
        find="g = np.tanh(a[:, 3 * H:])",
        replace="g = sigmoid(a[:, 3 * H:])",
        correct=False,
        tests=FORWARD_TESTS,
        why="a sigmoid for the candidate g as for the three gates (g must be in (-1, 1): tanh)",
    ),
    Mutant(
        function="lstm_step_forward",
        find="next_c = f * prev_c + i * g",
        replace="next_c = f * prev_c + g",
        correct=False,
        tests=FORWARD_TESTS,
        why="forgets the input gate: adds the whole candidate to the cell",
    ),
    Mutant(
        function="lstm_step_forward",
        find="lstm_cell_forward(x @ Wx + prev_h @ Wh + b, prev_c)",
        replace="lstm_cell_forward(x @ Wx + prev_h @ Wh, prev_c)",
        correct=False,
        why="forgets the bias in the step's pre-activation",
    ),
    Mutant(
        function="lstm_step_forward",
        find="return next_h, next_c, (prev_c, i, f, o, g, tanh_c)",
        replace="return next_h, next_c, (prev_c, i, f, o, g, next_c)",
        correct=False,
        tests=BACKWARD_TESTS,
        why="caches c_t where the backward pass expects tanh(c_t): the forward is right, every "
            "gradient is wrong",
    ),
    Mutant(
        function="lstm_step_forward",
        find="    next_c = f * prev_c + i * g\n",
        replace="    prev_c *= f  # forget in place\n    next_c = prev_c + i * g\n",
        correct=False,
        why="applies the forget gate to prev_c in place: overwrites the caller's cell state "
            "(and the c_{t-1} the cache keeps for df)",
    ),
    Mutant(
        function="lstm_step_forward",
        find="next_h, next_c, cell = lstm_cell_forward(x @ Wx + prev_h @ Wh + b, prev_c)",
        replace="H = prev_h.shape[1]\n"
                "    blocks = [slice(k * H, (k + 1) * H) for k in range(4)]\n"
                "    a = np.concatenate([x @ Wx[:, s] + prev_h @ Wh[:, s] + b[s] for s in blocks], axis=1)\n"
                "    next_h, next_c, cell = lstm_cell_forward(a, prev_c)",
        correct=True,
        why="style, not graded: one pair of products per gate (eight matrix products) where the "
            "task asks for one product per source; the tests judge values, speed is make bench's",
    ),
    Mutant(
        function="lstm_step_forward",
        find="    H = prev_c.shape[1]\n"
             "    i, f, o = np.split(sigmoid(a[:, :3 * H]), 3, axis=1)\n"
             "    g = np.tanh(a[:, 3 * H:])\n",
        replace="    N, H = prev_c.shape\n"
                "    gates = a.reshape(N, 4, H)  # blocks (i, f, o, g) on axis 1\n"
                "    i, f, o = sigmoid(gates[:, 0]), sigmoid(gates[:, 1]), sigmoid(gates[:, 2])\n"
                "    g = np.tanh(gates[:, 3])\n",
        correct=True,
        why="cuts the gates by reshaping a to (N, 4, H) instead of slicing columns",
    ),
    Mutant(
        function="lstm_step_forward",
        find="next_h, next_c, cell = lstm_cell_forward(x @ Wx + prev_h @ Wh + b, prev_c)",
        replace='a = np.einsum("nd,dk->nk", x, Wx) + np.einsum("nh,hk->nk", prev_h, Wh) + b\n'
                "    next_h, next_c, cell = lstm_cell_forward(a, prev_c)",
        correct=True,
        why="the two products with np.einsum (one per source, all four gates at once)",
    ),
    # --- lstm_step_backward (and its helper lstm_cell_backward) -------------------------
    Mutant(
        function="lstm_step_backward",
        find="dc = dnext_c + dnext_h * o * (1 - tanh_c**2)",
        replace="dc = dnext_c",
        correct=False,
        tests=BACKWARD_TESTS,
        why="forgets that c_t also reaches the loss through h_t = o * tanh(c_t)",
    ),
    Mutant(
        function="lstm_step_backward",
        find="dprev_c = dc * f",
        replace="dprev_c = dnext_c * f",
        correct=False,
        tests=BACKWARD_TESTS,
        why="passes back f * dnext_c, the upstream cell gradient without the path through h_t",
    ),
    Mutant(
        function="lstm_step_backward",
        find="dc = dnext_c + dnext_h * o * (1 - tanh_c**2)",
        replace="dc = dnext_c + dnext_h * o * (1 - tanh_c)",
        correct=False,
        tests=BACKWARD_TESTS,
        why="writes the tanh derivative as 1 - tanh(c) instead of 1 - tanh(c)^2",
    ),
    Mutant(
        function="lstm_step_backward",
        find="da = np.concatenate([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g**2)],",
        replace="da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)],",
        correct=False,
        tests=BACKWARD_TESTS,
        why="stacks the gate gradients in PyTorch's order (i, f, g, o) instead of the forward's (i, f, o, g)",
    ),
    Mutant(
        function="lstm_step_backward",
        find="return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)",
        replace="return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, da.T @ prev_h, da.sum(axis=0)",
        correct=False,
        why="dWh as da.T @ prev_h: shape (4H, H) instead of (H, 4H)",
    ),
    Mutant(
        function="lstm_step_backward",
        find="    do = dnext_h * tanh_c\n    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)\n",
        replace="    do = dnext_h * tanh_c\n    dc = dnext_c\n    dc += dnext_h * o * (1 - tanh_c**2)  # accumulate in place\n",
        correct=False,
        why="accumulates the cell gradient into the caller's dnext_c in place",
    ),
    Mutant(
        function="lstm_step_backward",
        find="    do = dnext_h * tanh_c\n"
             "    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)\n"
             "    di, df, dg = dc * g, dc * prev_c, dc * i\n"
             "    dprev_c = dc * f\n"
             "    da = np.concatenate([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g**2)],\n"
             "                        axis=1)\n",
        replace="    N, H = prev_c.shape\n"
                "    dc = dnext_c + dnext_h * o * (1 - tanh_c) * (1 + tanh_c)\n"
                "    da = np.empty((N, 4 * H))\n"
                "    da[:, :H] = dc * g * i * (1 - i)\n"
                "    da[:, H:2 * H] = dc * prev_c * f * (1 - f)\n"
                "    da[:, 2 * H:3 * H] = dnext_h * tanh_c * o * (1 - o)\n"
                "    da[:, 3 * H:] = dc * i * (1 - g * g)\n"
                "    dprev_c = f * dc\n",
        correct=True,
        why="fills the four blocks of da in place in a preallocated array, tanh' as (1 - t)(1 + t)",
    ),
    Mutant(
        function="lstm_step_backward",
        find="return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)",
        replace='return (np.einsum("nk,dk->nd", da, Wx), np.einsum("nk,hk->nh", da, Wh), dprev_c,\n'
                '            np.einsum("nd,nk->dk", x, da), np.einsum("nh,nk->hk", prev_h, da), da.sum(axis=0))',
        correct=True,
        why="the affine map's backward with np.einsum",
    ),
    # --- lstm_forward --------------------------------------------------------------------
    Mutant(
        function="lstm_forward",
        find="prev_h, prev_c = h0, np.zeros_like(h0)",
        replace="prev_h, prev_c = h0, h0.copy()",
        correct=False,
        why="starts the cell state from h0 instead of c0 = 0",
    ),
    Mutant(
        function="lstm_forward",
        find="prev_h, prev_c, cell = lstm_cell_forward(xw[:, t] + prev_h @ Wh, prev_c)",
        replace="prev_h, prev_c, cell = lstm_cell_forward(xw[:, t] + prev_h @ Wh, np.zeros_like(h0))",
        correct=False,
        why="resets the cell state to zero at every step",
    ),
    Mutant(
        function="lstm_forward",
        find="h[:, t] = prev_h",
        replace="h[:, t] = prev_c",
        correct=False,
        why="returns the cell states instead of the hidden states",
    ),
    Mutant(
        function="lstm_forward",
        find="prev_h, prev_c, cell = lstm_cell_forward(xw[:, t] + prev_h @ Wh, prev_c)",
        replace="prev_h, prev_c, cell = lstm_cell_forward(xw[:, t] + prev_h @ Wh + b, prev_c)",
        correct=False,
        why="adds the bias again inside the loop, although the input projection already holds it",
    ),
    Mutant(
        function="lstm_forward",
        find="    xw = x @ Wx + b  # (N, T, 4H): the input projection of every step in one product\n"
             "    h = np.empty((N, T, h0.shape[1]))\n"
             "    prev_h, prev_c = h0, np.zeros_like(h0)\n"
             "    cells = []\n"
             "    for t in range(T):\n"
             "        prev_h, prev_c, cell = lstm_cell_forward(xw[:, t] + prev_h @ Wh, prev_c)\n"
             "        h[:, t] = prev_h\n"
             "        cells.append(cell)\n",
        replace="    hs, cells = [], []\n"
                "    prev_h, prev_c = h0, np.zeros_like(h0)\n"
                "    for t in range(T):\n"
                "        prev_h, prev_c, step_cache = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)\n"
                "        hs.append(prev_h)\n"
                "        cells.append(step_cache[-1])\n"
                "    h = np.stack(hs, axis=1)\n",
        correct=True,
        why="a loop over lstm_step_forward (the task allows it), states stacked on axis 1",
    ),
    Mutant(
        function="lstm_forward",
        find="xw = x @ Wx + b  # (N, T, 4H): the input projection of every step in one product",
        replace="xw = (x.reshape(N * T, -1) @ Wx + b).reshape(N, T, -1)  # one 2-D product",
        correct=True,
        why="the input projection as one 2-D product over the stacked N*T rows",
    ),
    # --- lstm_backward -------------------------------------------------------------------
    Mutant(
        function="lstm_backward",
        find="lstm_cell_backward(dh[:, t] + dprev_h, dprev_c, cells[t])",
        replace="lstm_cell_backward(dh[:, t], dprev_c, cells[t])",
        correct=False,
        why="drops the gradient that reaches h_t from step t + 1",
    ),
    Mutant(
        function="lstm_backward",
        find="prev_h = np.concatenate([h0[:, None], h[:, :-1]], axis=1).reshape(N * T, -1)",
        replace="prev_h = h.reshape(N * T, -1)",
        correct=False,
        why="uses h_t instead of h_{t-1} for dWh",
    ),
    Mutant(
        function="lstm_backward",
        find="for t in reversed(range(T)):",
        replace="for t in range(T):",
        correct=False,
        why="walks forward in time through the backward pass",
    ),
    Mutant(
        function="lstm_backward",
        find="        dprev_h = da[:, t] @ Wh.T\n"
             "    # the input side of all steps in one product each, as in the forward pass\n"
             "    da = da.reshape(N * T, -1)\n"
             "    prev_h = np.concatenate([h0[:, None], h[:, :-1]], axis=1).reshape(N * T, -1)\n"
             "    dx = (da @ Wx.T).reshape(N, T, D)\n"
             "    return dx, dprev_h, x.reshape(N * T, D).T @ da, prev_h.T @ da, da.sum(axis=0)",
        replace="        dprev_h = da[:, t] @ Wh.T\n"
                "        dWh = (h0 if t == 0 else h[:, t - 1]).T @ da[:, t]  # overwritten at every step\n"
                "    da = da.reshape(N * T, -1)\n"
                "    dx = (da @ Wx.T).reshape(N, T, D)\n"
                "    return dx, dprev_h, x.reshape(N * T, D).T @ da, dWh, da.sum(axis=0)",
        correct=False,
        why="assigns dWh at every step instead of adding: only the first step's contribution is left",
    ),
    Mutant(
        function="lstm_backward",
        find="        da[:, t], dprev_c = lstm_cell_backward(dh[:, t] + dprev_h, dprev_c, cells[t])\n",
        replace="        dh[:, t] += dprev_h  # add the gradient from step t + 1\n"
                "        da[:, t], dprev_c = lstm_cell_backward(dh[:, t], dprev_c, cells[t])\n",
        correct=False,
        why="adds the carried gradient into the caller's dh in place (dh[:, t] += dprev_h)",
    ),
    Mutant(
        function="lstm_backward",
        find="    da = np.empty((N, T, Wh.shape[1]))\n"
             "    dprev_h, dprev_c = np.zeros_like(h0), np.zeros_like(h0)\n"
             "    for t in reversed(range(T)):\n"
             "        da[:, t], dprev_c = lstm_cell_backward(dh[:, t] + dprev_h, dprev_c, cells[t])\n"
             "        dprev_h = da[:, t] @ Wh.T\n"
             "    # the input side of all steps in one product each, as in the forward pass\n"
             "    da = da.reshape(N * T, -1)\n"
             "    prev_h = np.concatenate([h0[:, None], h[:, :-1]], axis=1).reshape(N * T, -1)\n"
             "    dx = (da @ Wx.T).reshape(N, T, D)\n"
             "    return dx, dprev_h, x.reshape(N * T, D).T @ da, prev_h.T @ da, da.sum(axis=0)",
        replace="    dx = np.zeros_like(x)\n"
                "    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[1])\n"
                "    dprev_h, dprev_c = np.zeros_like(h0), np.zeros_like(h0)\n"
                "    for t in reversed(range(T)):\n"
                "        step_cache = (x[:, t], h0 if t == 0 else h[:, t - 1], Wx, Wh, cells[t])\n"
                "        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(\n"
                "            dh[:, t] + dprev_h, dprev_c, step_cache)\n"
                "        dWx += dWx_t\n"
                "        dWh += dWh_t\n"
                "        db += db_t\n"
                "    return dx, dprev_h, dWx, dWh, db",
        correct=True,
        why="a loop over lstm_step_backward that adds up the weight gradients of every step",
    ),
    Mutant(
        function="lstm_backward",
        find="    da = da.reshape(N * T, -1)\n"
             "    prev_h = np.concatenate([h0[:, None], h[:, :-1]], axis=1).reshape(N * T, -1)\n"
             "    dx = (da @ Wx.T).reshape(N, T, D)\n"
             "    return dx, dprev_h, x.reshape(N * T, D).T @ da, prev_h.T @ da, da.sum(axis=0)",
        replace="    prev_h = np.concatenate([h0[:, None], h[:, :-1]], axis=1)\n"
                '    dx = np.einsum("ntk,dk->ntd", da, Wx)\n'
                '    dWx = np.einsum("ntd,ntk->dk", x, da)\n'
                '    dWh = np.einsum("nth,ntk->hk", prev_h, da)\n'
                "    return dx, dprev_h, dWx, dWh, da.sum(axis=(0, 1))",
        correct=True,
        why="the input-side gradients and dWh with np.einsum over batch and time",
    ),
    # --- to_torch_lstm -------------------------------------------------------------------
    Mutant(
        function="to_torch_lstm",
        find="        lstm.weight_ih_l0.copy_(torch.from_numpy(Wx[:, torch_order].T.copy()))\n"
             "        lstm.weight_hh_l0.copy_(torch.from_numpy(Wh[:, torch_order].T.copy()))\n"
             "        lstm.bias_ih_l0.copy_(torch.from_numpy(b[torch_order].copy()))\n",
        replace="        lstm.weight_ih_l0.copy_(torch.from_numpy(Wx.T.copy()))\n"
                "        lstm.weight_hh_l0.copy_(torch.from_numpy(Wh.T.copy()))\n"
                "        lstm.bias_ih_l0.copy_(torch.from_numpy(b.copy()))\n",
        correct=False,
        why="forgets to reorder the gate blocks from (i, f, o, g) to PyTorch's (i, f, g, o)",
    ),
    Mutant(
        function="to_torch_lstm",
        find="lstm.bias_hh_l0.zero_()",
        replace="lstm.bias_hh_l0.copy_(torch.from_numpy(b[torch_order].copy()))",
        correct=False,
        why="copies b into both biases: the bias counts twice",
    ),
    Mutant(
        function="to_torch_lstm",
        find="        lstm.bias_hh_l0.zero_()\n",
        replace="",
        correct=False,
        why="leaves bias_hh_l0 at its random initialisation",
    ),
    Mutant(
        function="to_torch_lstm",
        find="lstm.bias_ih_l0.copy_(torch.from_numpy(b[torch_order].copy()))",
        replace="lstm.bias_ih_l0.copy_(torch.from_numpy(b.copy()))",
        correct=False,
        why="reorders the weights but not the bias",
    ),
    Mutant(
        function="to_torch_lstm",
        find="lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)",
        replace="lstm = torch.nn.LSTM(D, H, dtype=torch.float64)",
        correct=False,
        why="forgets batch_first=True: the layer reads (T, N, D)",
    ),
    Mutant(
        function="to_torch_lstm",
        find="lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)",
        replace="lstm = torch.nn.LSTM(D, H, batch_first=True)",
        correct=False,
        why="builds the default float32 layer: copy_ silently rounds the weights",
    ),
    Mutant(
        function="to_torch_lstm",
        find="    torch_order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]  # (i, f, o, g) -> (i, f, g, o)\n",
        replace="    for W in (Wx, Wh):  # swap the o and g blocks in place\n"
                "        W[:, 2 * H:] = np.concatenate([W[:, 3 * H:], W[:, 2 * H:3 * H]], axis=1)\n"
                "    b[2 * H:] = np.concatenate([b[3 * H:], b[2 * H:3 * H]])\n"
                "    torch_order = np.arange(4 * H)  # already in PyTorch's order\n",
        correct=False,
        why="reorders the caller's Wx, Wh and b in place: the returned LSTM is right, the NumPy "
            "weights now hold the gates in the wrong order",
    ),
    Mutant(
        function="to_torch_lstm",
        find="    torch_order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]  # (i, f, o, g) -> (i, f, g, o)\n"
             "    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)\n"
             "    with torch.no_grad():\n"
             "        lstm.weight_ih_l0.copy_(torch.from_numpy(Wx[:, torch_order].T.copy()))\n"
             "        lstm.weight_hh_l0.copy_(torch.from_numpy(Wh[:, torch_order].T.copy()))\n"
             "        lstm.bias_ih_l0.copy_(torch.from_numpy(b[torch_order].copy()))\n"
             "        lstm.bias_hh_l0.zero_()\n",
        replace="    def torch_layout(W):  # (..., 4H) with gates (i, f, o, g) -> (4H, ...) with (i, f, g, o)\n"
                "        i, f, o, g = torch.from_numpy(np.ascontiguousarray(W.T)).chunk(4, dim=0)\n"
                "        return torch.cat([i, f, g, o], dim=0)\n"
                "\n"
                "    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)\n"
                "    with torch.no_grad():\n"
                "        lstm.weight_ih_l0.copy_(torch_layout(Wx))\n"
                "        lstm.weight_hh_l0.copy_(torch_layout(Wh))\n"
                "        half = torch_layout(b[None, :])[:, 0] / 2  # only the sum of the two biases matters\n"
                "        lstm.bias_ih_l0.copy_(half)\n"
                "        lstm.bias_hh_l0.copy_(half)\n",
        correct=True,
        why="reorders with torch.chunk / torch.cat, and puts half of b in each of the two biases",
    ),
    Mutant(
        function="to_torch_lstm",
        find="    torch_order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]  # (i, f, o, g) -> (i, f, g, o)\n"
             "    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)\n"
             "    with torch.no_grad():\n"
             "        lstm.weight_ih_l0.copy_(torch.from_numpy(Wx[:, torch_order].T.copy()))\n"
             "        lstm.weight_hh_l0.copy_(torch.from_numpy(Wh[:, torch_order].T.copy()))\n"
             "        lstm.bias_ih_l0.copy_(torch.from_numpy(b[torch_order].copy()))\n"
             "        lstm.bias_hh_l0.zero_()\n",
        replace="    blocks = [slice(0, H), slice(H, 2 * H), slice(3 * H, 4 * H), slice(2 * H, 3 * H)]  # i, f, g, o\n"
                "    reorder = lambda W: np.concatenate([W[..., s] for s in blocks], axis=-1)\n"
                "    lstm = torch.nn.LSTM(D, H, batch_first=True).double()\n"
                "    lstm.load_state_dict({\n"
                '        "weight_ih_l0": torch.tensor(reorder(Wx).T), "weight_hh_l0": torch.tensor(reorder(Wh).T),\n'
                '        "bias_ih_l0": torch.zeros(4 * H, dtype=torch.float64), "bias_hh_l0": torch.tensor(reorder(b)),\n'
                "    })\n",
        correct=True,
        why="a float32 layer converted with .double(), weights loaded with load_state_dict, the "
            "bias in bias_hh_l0 and zeros in bias_ih_l0",
    ),
]
