"""Mutants of notebook 00 (sequence data): windows, AR(p), vocabularies, padding.

Bugs a student makes in each graded function, and correct alternatives that must keep full
marks. ``why`` starting with "suspect:" marks a case where the tests may judge the contract
badly (a bug they may miss, or an alternative they may reject).
"""

from autograder.mutants import Mutant

MUTANTS = [
    # --- make_windows ------------------------------------------------------------------
    Mutant(
        function="make_windows",
        find="M = len(series) - window - horizon + 1\n",
        replace="M = len(series) - window - horizon\n",
        correct=False,
        why="off by one in the number of pairs: M = L - w - h drops the last (input, target) pair",
    ),
    Mutant(
        function="make_windows",
        find="y = series[rows + window + np.arange(horizon)]",
        replace="y = series[rows + window - 1 + np.arange(horizon)]",
        correct=False,
        why="targets start one step early: y[i] begins with the last input value x[i + w - 1]",
    ),
    Mutant(
        function="make_windows",
        find="    if window < 1 or horizon < 1:\n"
             "        raise ValueError(f\"window and horizon must be at least 1, got window={window}, \"\n"
             "                         f\"horizon={horizon}\")\n",
        replace="",
        correct=False,
        why="no check of window and horizon: window=0 or horizon=0 returns arrays with an empty "
            "axis instead of raising ValueError",
    ),
    Mutant(
        function="make_windows",
        find="if window < 1 or horizon < 1:",
        replace="if window == 0 or horizon == 0:",
        correct=False,
        why="suspect: checks window == 0 instead of window < 1: a negative window or horizon "
            "(below 1, so a ValueError is required) returns (M, 0) arrays; the tests only try 0",
    ),
    Mutant(
        function="make_windows",
        find="    if M < 1:\n",
        replace="    if M < 0:\n",
        correct=False,
        why="off by one in the length check: a series of exactly window + horizon - 1 values gives "
            "empty X and y instead of a ValueError",
    ),
    Mutant(
        function="make_windows",
        find="    rows = np.arange(M)[:, None]\n"
             "    X = series[rows + np.arange(window)]\n"
             "    y = series[rows + window + np.arange(horizon)]\n",
        replace="    from numpy.lib.stride_tricks import sliding_window_view\n"
                "    pairs = sliding_window_view(series, window + horizon)  # (M, window + horizon)\n"
                "    X, y = pairs[:, :window].copy(), pairs[:, window:].copy()\n",
        correct=True,
        why="sliding_window_view over window + horizon values, split into inputs and targets",
    ),
    Mutant(
        function="make_windows",
        find="    rows = np.arange(M)[:, None]\n"
             "    X = series[rows + np.arange(window)]\n"
             "    y = series[rows + window + np.arange(horizon)]\n",
        replace="    X = np.array([series[i:i + window] for i in range(M)])\n"
                "    y = np.array([series[i + window:i + window + horizon] for i in range(M)])\n",
        correct=True,
        why="a list comprehension of slices, one pair per start index",
    ),
    # --- fit_ar --------------------------------------------------------------------------
    Mutant(
        function="fit_ar",
        find="    A = np.column_stack([X[:, ::-1], np.ones(len(X))])  # most recent value first\n"
             "    theta, *_ = np.linalg.lstsq(A, y[:, 0], rcond=None)\n"
             "    coeffs, intercept = theta[:p], float(theta[p])\n",
        replace="    theta, *_ = np.linalg.lstsq(X[:, ::-1], y[:, 0], rcond=None)\n"
                "    coeffs, intercept = theta, 0.0\n",
        correct=False,
        why="no column of ones in the design matrix: fits an AR model without intercept",
    ),
    Mutant(
        function="fit_ar",
        find="theta, *_ = np.linalg.lstsq(A, y[:, 0], rcond=None)",
        replace="theta, *_ = np.linalg.lstsq(A, y, rcond=None)",
        correct=False,
        why="passes the (M, 1) target matrix to lstsq: coeffs come out with shape (p, 1)",
    ),
    Mutant(
        function="fit_ar",
        find="coeffs, intercept = theta[:p], float(theta[p])",
        replace="coeffs, intercept = theta[:p], theta[p:]",
        correct=False,
        why="slices the intercept as theta[p:]: a (1,) array instead of a float",
    ),
    Mutant(
        function="fit_ar",
        find="theta, *_ = np.linalg.lstsq(A, y[:, 0], rcond=None)",
        replace="theta, *_ = np.linalg.lstsq(A[:-1], y[1:, 0], rcond=None)",
        correct=False,
        why="misaligns inputs and targets by one step: regresses x_{t+1} on the window ending at x_{t-1}",
    ),
    Mutant(
        function="fit_ar",
        find="    A = np.column_stack([X[:, ::-1], np.ones(len(X))])  # most recent value first\n"
             "    theta, *_ = np.linalg.lstsq(A, y[:, 0], rcond=None)\n"
             "    coeffs, intercept = theta[:p], float(theta[p])\n",
        replace="    A = np.column_stack([X, np.ones(len(X))])  # window order: oldest first\n"
                "    theta, *_ = np.linalg.lstsq(A, y[:, 0], rcond=None)\n"
                "    coeffs, intercept = theta[:p][::-1].copy(), float(theta[p])  # most recent first\n",
        correct=True,
        why="fits in window order (oldest first) and reverses the fitted coefficients afterwards",
    ),
    Mutant(
        function="fit_ar",
        find="    A = np.column_stack([X[:, ::-1], np.ones(len(X))])  # most recent value first\n"
             "    theta, *_ = np.linalg.lstsq(A, y[:, 0], rcond=None)\n"
             "    coeffs, intercept = theta[:p], float(theta[p])\n",
        replace="    lagged = X[:, ::-1]\n"
                "    lag_mean, target_mean = lagged.mean(axis=0), y[:, 0].mean()\n"
                "    coeffs, *_ = np.linalg.lstsq(lagged - lag_mean, y[:, 0] - target_mean, rcond=None)\n"
                "    intercept = float(target_mean - coeffs @ lag_mean)\n",
        correct=True,
        why="centres the lagged values and the targets, fits without intercept by lstsq, and "
            "recovers the intercept from the means (the same least-squares solution)",
    ),
    # --- ar_forecast ---------------------------------------------------------------------
    Mutant(
        function="ar_forecast",
        find="recent = list(history[len(history) - p:][::-1])  # most recent first, like coeffs",
        replace="recent = list(history[len(history) - p:])",
        correct=False,
        why="pairs coeffs[0] with the oldest of the last p values (forgets to reverse the window)",
    ),
    Mutant(
        function="ar_forecast",
        find="        recent = [forecast[k]] + recent[:-1]\n",
        replace="",
        correct=False,
        why="never feeds the prediction back: every step repeats the one-step forecast",
    ),
    Mutant(
        function="ar_forecast",
        find="recent = list(history[len(history) - p:][::-1])  # most recent first, like coeffs",
        replace="recent = list(history[len(history) - p - 1:-1][::-1])",
        correct=False,
        why="off-by-one slice: starts the recursion from the p values before the last one",
    ),
    Mutant(
        function="ar_forecast",
        find="    if len(history) < p:\n"
             "        raise ValueError(f\"an AR({p}) forecast needs at least {p} past values, got {len(history)}\")\n",
        replace="",
        correct=False,
        why="suspect: no check of the history length; np.dot then happens to raise a ValueError "
            "for the shape mismatch when steps >= 1, but steps=0 with a short history returns an "
            "empty array instead of raising (the test only tries steps=2)",
    ),
    Mutant(
        function="ar_forecast",
        find="    recent = list(history[len(history) - p:][::-1])  # most recent first, like coeffs\n"
             "    forecast = np.empty(steps)\n"
             "    for k in range(steps):\n"
             "        forecast[k] = np.dot(coeffs, recent) + intercept\n"
             "        recent = [forecast[k]] + recent[:-1]\n",
        replace="    window = history[len(history) - p:]  # a view: the last p values, oldest first\n"
                "    forecast = np.empty(steps)\n"
                "    for k in range(steps):\n"
                "        forecast[k] = np.dot(coeffs, window[::-1]) + intercept\n"
                "        window[:-1] = window[1:]  # slide the window in place\n"
                "        window[-1] = forecast[k]\n",
        correct=False,
        why="suspect: slides a view of history in place, so a float64 history array (the caller's "
            "sunspots) is overwritten with forecasts; the forecasts themselves are right and no "
            "test checks that history is left unchanged",
    ),
    Mutant(
        function="ar_forecast",
        find="    forecast = np.empty(steps)\n"
             "    for k in range(steps):\n"
             "        forecast[k] = np.dot(coeffs, recent) + intercept\n"
             "        recent = [forecast[k]] + recent[:-1]\n"
             "    return forecast",
        replace="    forecast = []\n"
                "    for k in range(steps):\n"
                "        forecast.append(float(np.dot(coeffs, recent) + intercept))\n"
                "        recent = [forecast[-1]] + recent[:-1]\n"
                "    return forecast",
        correct=False,
        why="suspect: returns a Python list of floats, not the array of shape (steps,) the task asks "
            "for; check_array and check_shape convert lists, so the tests may not notice",
    ),
    Mutant(
        function="ar_forecast",
        find="    recent = list(history[len(history) - p:][::-1])  # most recent first, like coeffs\n"
             "    forecast = np.empty(steps)\n"
             "    for k in range(steps):\n"
             "        forecast[k] = np.dot(coeffs, recent) + intercept\n"
             "        recent = [forecast[k]] + recent[:-1]\n"
             "    return forecast",
        replace="    buffer = np.concatenate([history[len(history) - p:], np.zeros(steps)])  # oldest first\n"
                "    for k in range(steps):\n"
                "        buffer[p + k] = coeffs @ buffer[k:p + k][::-1] + intercept\n"
                "    return buffer[p:].copy()",
        correct=True,
        why="one buffer holding the last p values followed by the forecasts, filled in place "
            "(a new array, history untouched)",
    ),
    Mutant(
        function="ar_forecast",
        find="    recent = list(history[len(history) - p:][::-1])  # most recent first, like coeffs\n"
             "    forecast = np.empty(steps)\n"
             "    for k in range(steps):\n"
             "        forecast[k] = np.dot(coeffs, recent) + intercept\n"
             "        recent = [forecast[k]] + recent[:-1]\n",
        replace="    companion = np.zeros((p, p))  # state-space form: state = last p values, newest first\n"
                "    companion[0] = coeffs\n"
                "    companion[1:, :-1] = np.eye(p - 1)\n"
                "    state = history[len(history) - p:][::-1].copy()\n"
                "    forecast = np.zeros(steps)\n"
                "    for k in range(steps):\n"
                "        state = companion @ state\n"
                "        state[0] += intercept\n"
                "        forecast[k] = state[0]\n",
        correct=True,
        why="the companion matrix of the AR(p) recursion applied to the state of the last p values",
    ),
    # --- build_vocab ---------------------------------------------------------------------
    Mutant(
        function="build_vocab",
        find="sorted(counts, key=lambda ch: (-counts[ch], ch))",
        replace="sorted(counts, key=lambda ch: -counts[ch])",
        correct=False,
        why="breaks ties by first appearance in the texts (stable sort on the count only), not by "
            "Python's string order",
    ),
    Mutant(
        function="build_vocab",
        find="        for ch in text:\n",
        replace="        for ch in set(text):\n",
        correct=False,
        why="counts in how many texts a character appears instead of how often it appears",
    ),
    Mutant(
        function="build_vocab",
        find="sorted(counts, key=lambda ch: (-counts[ch], ch))",
        replace="sorted(counts, key=lambda ch: (counts[ch], ch), reverse=True)",
        correct=False,
        why="reverse=True on the whole key: most frequent first, but ties in reverse string order",
    ),
    Mutant(
        function="build_vocab",
        find="        for ch in text:\n",
        replace="        for ch in text.lower():\n",
        correct=False,
        why="lower-cases the texts: 'Ü' and 'ü' become one token, although every distinct "
            "character must get its own id",
    ),
    Mutant(
        function="build_vocab",
        find="stoi = {tok: i for i, tok in enumerate(itos)}",
        replace="stoi = {tok: i for i, tok in enumerate(itos) if tok not in (PAD, UNK)}",
        correct=False,
        why="stoi maps only the characters: the reserved tokens <pad> and <unk> have no entry",
    ),
    Mutant(
        function="build_vocab",
        find="    counts = {}\n"
             "    for text in texts:\n"
             "        for ch in text:\n"
             "            counts[ch] = counts.get(ch, 0) + 1\n"
             "    itos = [PAD, UNK] + sorted(counts, key=lambda ch: (-counts[ch], ch))\n",
        replace="    from collections import Counter\n"
                "    counts = Counter(ch for text in texts for ch in text)\n"
                "    chars = sorted(counts)  # string order first ...\n"
                "    chars.sort(key=lambda ch: counts[ch], reverse=True)  # ... then a stable sort by count\n"
                "    itos = [PAD, UNK] + chars\n",
        correct=True,
        why="collections.Counter, then two stable sorts: by character, then by decreasing count "
            "(reverse=True keeps the order of equal counts)",
    ),
    Mutant(
        function="build_vocab",
        find="    counts = {}\n"
             "    for text in texts:\n"
             "        for ch in text:\n"
             "            counts[ch] = counts.get(ch, 0) + 1\n"
             "    itos = [PAD, UNK] + sorted(counts, key=lambda ch: (-counts[ch], ch))\n",
        replace="    chars, counts = np.unique(np.array(list(\"\".join(texts)), dtype=str), return_counts=True)\n"
                "    order = np.argsort(-counts, kind=\"stable\")  # np.unique sorts by code point\n"
                "    itos = [PAD, UNK] + [str(ch) for ch in chars[order]]\n",
        correct=True,
        why="np.unique with return_counts (sorted by code point), then a stable argsort by "
            "decreasing count; tokens converted back to Python str",
    ),
    Mutant(
        function="build_vocab",
        find="    counts = {}\n"
             "    for text in texts:\n"
             "        for ch in text:\n"
             "            counts[ch] = counts.get(ch, 0) + 1\n"
             "    itos = [PAD, UNK] + sorted(counts, key=lambda ch: (-counts[ch], ch))\n",
        replace="    chars, counts = np.unique(np.array(list(\"\".join(texts)), dtype=str), return_counts=True)\n"
                "    itos = [PAD, UNK] + list(chars[np.argsort(-counts, kind=\"stable\")])\n",
        correct=True,
        why="the np.unique version without converting the tokens back: they are np.str_, a "
            "subclass of str that compares and hashes like the str (encode's stoi.get works)",
    ),
    # --- encode_decode -------------------------------------------------------------------
    Mutant(
        function="encode_decode",
        find="return [stoi.get(ch, unk) for ch in text]",
        replace="return [stoi.get(ch, 0) for ch in text]",
        correct=False,
        why="maps unknown characters to <pad> (id 0) instead of <unk>",
    ),
    Mutant(
        function="encode_decode",
        find='return "".join(itos[i] for i in ids if i != 0)',
        replace='return "".join(itos[i] for i in ids)',
        correct=False,
        why="decode keeps the <pad> tokens",
    ),
    Mutant(
        function="encode_decode",
        find='return "".join(itos[i] for i in ids if i != 0)',
        replace='return "".join(itos[i] for i in ids if i > 1)',
        correct=False,
        why="decode drops <unk> along with <pad>",
    ),
    Mutant(
        function="encode_decode",
        find="return [stoi.get(ch, unk) for ch in text]",
        replace="return np.array([stoi.get(ch, unk) for ch in text])",
        correct=False,
        why="encode returns a NumPy array, not the list of ids its docstring promises",
    ),
    Mutant(
        function="encode_decode",
        find='return "".join(itos[i] for i in ids if i != 0)',
        replace='out = ""\n    for i in ids:\n        if i == 0:\n            break  # padding starts here\n'
                '        out += itos[i]\n    return out',
        correct=False,
        why="decode stops at the first <pad> instead of skipping every <pad>",
    ),
    Mutant(
        function="encode_decode",
        find="return [stoi.get(ch, unk) for ch in text]",
        replace="return [stoi.get(ch, unk) for ch in text.lower()]",
        correct=False,
        why="suspect: encode lower-cases the text, so a capital letter missing from the vocabulary "
            "gets the id of its lower-case letter instead of <unk>; no test encodes a capital",
    ),
    Mutant(
        function="encode_decode",
        find="    unk = stoi[UNK]\n    return [stoi.get(ch, unk) for ch in text]",
        replace="    ids = []\n    for ch in text:\n"
                "        ids.append(stoi[ch] if ch in stoi else stoi[UNK])\n    return ids",
        correct=True,
        why="encode with an explicit loop and a membership test",
    ),
    Mutant(
        function="encode_decode",
        find='return "".join(itos[i] for i in ids if i != 0)',
        replace='ids = np.asarray(ids, dtype=np.int64)\n'
                '    return "".join(np.asarray(itos)[ids[ids != 0]])',
        correct=True,
        why="decode by fancy indexing an array of the tokens with the non-pad ids",
    ),
    # --- pad_sequences -------------------------------------------------------------------
    Mutant(
        function="pad_sequences",
        find="    mask = np.arange(T_max)[None, :] < lengths[:, None]\n",
        replace="    mask = np.arange(T_max)[None, :] >= (T_max - lengths)[:, None]  # pad on the left\n",
        correct=False,
        why="pads on the left (tokens at the end of each row) instead of the right",
    ),
    Mutant(
        function="pad_sequences",
        find="padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)",
        replace="padded = np.zeros((len(seqs), T_max), dtype=np.int64)",
        correct=False,
        why="ignores pad_value: always pads with 0",
    ),
    Mutant(
        function="pad_sequences",
        find="    mask = np.arange(T_max)[None, :] < lengths[:, None]\n",
        replace="    mask = (np.arange(T_max)[None, :] < lengths[:, None]).astype(int)\n",
        correct=False,
        why="returns the mask as 0/1 integers instead of a bool array",
    ),
    Mutant(
        function="pad_sequences",
        find="padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)",
        replace="padded = np.full((len(seqs), T_max), pad_value, dtype=float)",
        correct=False,
        why="np.full with a float dtype: padded holds floats instead of integers",
    ),
    Mutant(
        function="pad_sequences",
        find="    if len(seqs) == 0:\n"
             "        raise ValueError(\"pad_sequences needs at least one sequence\")\n"
             "    lengths = np.array([len(s) for s in seqs])\n"
             "    T_max = lengths.max()\n"
             "    mask = np.arange(T_max)[None, :] < lengths[:, None]\n"
             "    padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)\n"
             "    padded[mask] = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])\n",
        replace="    T_max = max((len(s) for s in seqs), default=0)  # an empty batch has length 0\n"
                "    padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)\n"
                "    mask = np.zeros((len(seqs), T_max), dtype=bool)\n"
                "    for n, s in enumerate(seqs):\n"
                "        padded[n, :len(s)] = s\n"
                "        mask[n, :len(s)] = True\n",
        correct=False,
        why="handles the empty list with max(..., default=0) and returns (0, 0) arrays instead of "
            "raising the required ValueError",
    ),
    Mutant(
        function="pad_sequences",
        find="    padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)\n"
             "    padded[mask] = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])\n",
        replace="    padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)\n"
                "    padded[mask] = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])\n"
                "    mask = padded != pad_value  # real tokens are whatever is not padding\n",
        correct=False,
        why="suspect: derives the mask from the values (padded != pad_value): a real token equal "
            "to pad_value (e.g. a 0 in the data) is marked as padding; no test has such a token",
    ),
    Mutant(
        function="pad_sequences",
        find="    lengths = np.array([len(s) for s in seqs])\n"
             "    T_max = lengths.max()\n"
             "    mask = np.arange(T_max)[None, :] < lengths[:, None]\n"
             "    padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)\n"
             "    padded[mask] = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])\n",
        replace="    T_max = max(len(s) for s in seqs)\n"
                "    padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)\n"
                "    mask = np.zeros((len(seqs), T_max), dtype=bool)\n"
                "    for n, s in enumerate(seqs):\n"
                "        padded[n, :len(s)] = s\n"
                "        mask[n, :len(s)] = True\n",
        correct=True,
        why="a loop over the sequences that copies each one into its row and sets its mask",
    ),
    Mutant(
        function="pad_sequences",
        find="    mask = np.arange(T_max)[None, :] < lengths[:, None]\n"
             "    padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)\n"
             "    padded[mask] = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])\n",
        replace="    rows = np.repeat(np.arange(len(seqs)), lengths)\n"
                "    cols = np.concatenate([np.arange(n) for n in lengths])\n"
                "    padded = np.full((len(seqs), T_max), pad_value, dtype=np.int64)\n"
                "    padded[rows, cols] = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])\n"
                "    mask = np.zeros(padded.shape, dtype=bool)\n"
                "    mask[rows, cols] = True\n",
        correct=True,
        why="scatters the tokens with explicit (row, column) index arrays built by np.repeat",
    ),
]
