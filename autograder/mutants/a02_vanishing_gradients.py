"""Mutants of notebook 02 (vanishing and exploding gradients).

Bugs a student makes in each graded function, and correct alternatives that must keep full
marks. ``why`` starting with "suspect:" marks a case where the tests may judge the contract
badly (a bug they may miss, or an alternative they may reject).
"""

from autograder.mutants import Mutant

MUTANTS = [
    # --- step_jacobian -------------------------------------------------------------------
    Mutant(
        function="step_jacobian",
        find="J = (1 - next_h**2)[:, :, None] * Wh.T[None, :, :]",
        replace="J = (1 - next_h**2)[:, None, :] * Wh.T[None, :, :]",
        correct=False,
        why="broadcasts the tanh derivative along the wrong axis: it scales the columns j "
            "(the nudged inputs) instead of the rows i (the outputs)",
    ),
    Mutant(
        function="step_jacobian",
        find="J = (1 - next_h**2)[:, :, None] * Wh.T[None, :, :]",
        replace="J = (1 - np.tanh(next_h)**2)[:, :, None] * Wh.T[None, :, :]",
        correct=False,
        why="applies tanh again to the hidden state: tanh'(h) instead of 1 - h^2",
    ),
    Mutant(
        function="step_jacobian",
        find="J = (1 - next_h**2)[:, :, None] * Wh.T[None, :, :]",
        replace="next_h **= 2  # square in place\n    J = (1 - next_h)[:, :, None] * Wh.T[None, :, :]",
        correct=False,
        why="squares next_h in place to save memory: J is right but the caller's next_h is destroyed",
    ),
    Mutant(
        function="step_jacobian",
        find="J = (1 - next_h**2)[:, :, None] * Wh.T[None, :, :]",
        replace="J = np.diag(1 - next_h[0]**2) @ Wh.T",
        correct=False,
        why="the textbook formula for a single example: uses only the first row, returns (H, H)",
    ),
    Mutant(
        function="step_jacobian",
        find="J = (1 - next_h**2)[:, :, None] * Wh.T[None, :, :]",
        replace="J = np.stack([np.diag(1 - h_n**2) @ Wh.T for h_n in next_h])  # one example at a time",
        correct=True,
        why="style, not graded: a Python loop over the batch, which the task advises against "
            "('Use broadcasting, no loop'); the tests judge values",
    ),
    Mutant(
        function="step_jacobian",
        find="J = (1 - next_h**2)[:, :, None] * Wh.T[None, :, :]",
        replace='J = np.einsum("ni,ji->nij", 1 - next_h**2, Wh)',
        correct=True,
        why="np.einsum with Wh indexed (j, i): no explicit transpose",
    ),
    Mutant(
        function="step_jacobian",
        find="J = (1 - next_h**2)[:, :, None] * Wh.T[None, :, :]",
        replace="J = ((1 - next_h**2)[:, :, None] * np.eye(Wh.shape[0])) @ Wh.T  # diag(1 - h^2) W_h^T",
        correct=True,
        why="builds the batch of diagonal matrices diag(1 - h^2) and multiplies by Wh.T "
            "(a batched matmul, no loop)",
    ),
    # --- spectral_radius -----------------------------------------------------------------
    Mutant(
        function="spectral_radius",
        find="return float(np.max(np.abs(np.linalg.eigvals(W))))",
        replace="return float(np.max(np.abs(np.linalg.eigvals(W).real)))",
        correct=False,
        why="drops the imaginary parts before the modulus: complex eigenvalues count by their real part",
    ),
    Mutant(
        function="spectral_radius",
        find="return float(np.max(np.abs(np.linalg.eigvals(W))))",
        replace="return float(np.max(np.linalg.eigvals(W).real))",
        correct=False,
        why="the largest eigenvalue, not the largest modulus: negative and complex eigenvalues are missed",
    ),
    Mutant(
        function="spectral_radius",
        find="return float(np.max(np.abs(np.linalg.eigvals(W))))",
        replace="return float(np.max(np.abs(np.linalg.eigvalsh(W))))",
        correct=False,
        why="np.linalg.eigvalsh, which assumes a symmetric matrix and reads only its lower triangle",
    ),
    Mutant(
        function="spectral_radius",
        find="return float(np.max(np.abs(np.linalg.eigvals(W))))",
        replace="v = np.ones(len(W))\n"
                "    for _ in range(100):  # power iteration\n"
                "        v = W @ v\n"
                "        v /= np.linalg.norm(v)\n"
                "    return float(np.linalg.norm(W @ v))",
        correct=False,
        why="power iteration: does not converge for a complex or tied dominant pair, and divides "
            "by zero for the zero matrix",
    ),
    Mutant(
        function="spectral_radius",
        find="return float(np.max(np.abs(np.linalg.eigvals(W))))",
        replace="eigenvalues = np.linalg.eig(W)[0]\n"
                "    return float(np.hypot(eigenvalues.real, eigenvalues.imag).max())",
        correct=True,
        why="np.linalg.eig and the modulus as np.hypot of the real and imaginary parts",
    ),
    Mutant(
        function="spectral_radius",
        find="return float(np.max(np.abs(np.linalg.eigvals(W))))",
        replace="return max(abs(complex(lam)) for lam in np.linalg.eigvals(W.T))",
        correct=True,
        why="the eigenvalues of W.T (the same as W's), their moduli with Python's abs, max of a "
            "generator (a Python float)",
    ),
    # --- scale_to_spectral_radius --------------------------------------------------------
    Mutant(
        function="scale_to_spectral_radius",
        find="return W * (rho / spectral_radius(W))",
        replace="W *= rho / spectral_radius(W)\n    return W",
        correct=False,
        why="rescales W in place and returns it, although the task says not to modify W",
    ),
    Mutant(
        function="scale_to_spectral_radius",
        find="return W * (rho / spectral_radius(W))",
        replace="return W * (rho / np.linalg.norm(W, 2))",
        correct=False,
        why="scales by the largest singular value: the spectral norm becomes rho, the spectral "
            "radius does not (non-normal matrices)",
    ),
    Mutant(
        function="scale_to_spectral_radius",
        find="return W * (rho / spectral_radius(W))",
        replace="eigenvalues = np.linalg.eigvals(W)\n"
                "    dominant = eigenvalues[np.argmax(np.abs(eigenvalues))]\n"
                "    return W * (rho / dominant.real)",
        correct=False,
        why="divides by the dominant eigenvalue itself instead of its modulus: a negative "
            "dominant eigenvalue flips the sign of W",
    ),
    Mutant(
        function="scale_to_spectral_radius",
        find="return W * (rho / spectral_radius(W))",
        replace="return W * (rho / np.linalg.norm(W))",
        correct=False,
        why="normalises by the Frobenius norm",
    ),
    Mutant(
        function="scale_to_spectral_radius",
        find="return W * (rho / spectral_radius(W))",
        replace="return W / spectral_radius(W) * rho",
        correct=True,
        why="divides by the radius first, then multiplies by rho",
    ),
    Mutant(
        function="scale_to_spectral_radius",
        find="return W * (rho / spectral_radius(W))",
        replace="factor = rho / np.abs(np.linalg.eigvals(W)).max()\n"
                "    return np.multiply(factor, W)",
        correct=True,
        why="computes the radius inline from np.linalg.eigvals instead of calling spectral_radius",
    ),
    # --- gradient_norms_through_time -----------------------------------------------------
    Mutant(
        function="gradient_norms_through_time",
        find="dh = (dh * (1 - hs[:, t] ** 2)) @ Wh.T",
        replace="dh = (dh * (1 - hs[:, t] ** 2)) @ Wh",
        correct=False,
        why="multiplies by Wh instead of Wh.T going back a step",
    ),
    Mutant(
        function="gradient_norms_through_time",
        find="norms[t] = np.linalg.norm(dh, axis=1).mean()",
        replace="norms[t] = np.linalg.norm(dh)",
        correct=False,
        why="the Frobenius norm of the whole batch instead of the mean of the per-example norms",
    ),
    Mutant(
        function="gradient_norms_through_time",
        find="norms[t] = np.linalg.norm(dh, axis=1).mean()",
        replace="norms[T - 1 - t] = np.linalg.norm(dh, axis=1).mean()",
        correct=False,
        why="indexes the norms by distance from the loss instead of by time",
    ),
    Mutant(
        function="gradient_norms_through_time",
        find="        norms[t] = np.linalg.norm(dh, axis=1).mean()\n"
             "        dh = (dh * (1 - hs[:, t] ** 2)) @ Wh.T  # back through the step that produced hs[:, t]\n",
        replace="        dh = (dh * (1 - hs[:, t] ** 2)) @ Wh.T\n"
                "        norms[t] = np.linalg.norm(dh, axis=1).mean()\n",
        correct=False,
        why="steps back before recording: norms[t] is the gradient of hs[:, t-1]",
    ),
    Mutant(
        function="gradient_norms_through_time",
        find="dh = (dh * (1 - hs[:, t] ** 2)) @ Wh.T",
        replace="dh *= 1 - hs[:, t] ** 2  # in place: the first step writes into dh_T\n        dh = dh @ Wh.T",
        correct=False,
        why="multiplies by the tanh derivative in place: the first step overwrites the caller's dh_T",
    ),
    Mutant(
        function="gradient_norms_through_time",
        find="norms[t] = np.linalg.norm(dh, axis=1).mean()",
        replace="norms[t] = np.sqrt(np.mean(np.sum(dh ** 2, axis=1)))",
        correct=False,
        why="the root mean square of the per-example norms instead of their mean",
    ),
    Mutant(
        function="gradient_norms_through_time",
        find="    norms = np.zeros(T)\n"
             "    dh = dh_T\n"
             "    for t in range(T - 1, -1, -1):\n"
             "        norms[t] = np.linalg.norm(dh, axis=1).mean()\n"
             "        dh = (dh * (1 - hs[:, t] ** 2)) @ Wh.T  # back through the step that produced hs[:, t]\n",
        replace="    backwards = []  # from t = T-1 down to 0\n"
                "    delta = dh_T\n"
                "    for t in reversed(range(T)):\n"
                '        backwards.append(np.sqrt(np.einsum("nh,nh->n", delta, delta)).mean())\n'
                '        delta = np.einsum("ni,ji->nj", delta * (1 - hs[:, t] ** 2), Wh)\n'
                "    norms = np.array(backwards[::-1])\n",
        correct=True,
        why="einsum for the norms and for the step back, collected in a list and reversed",
    ),
    Mutant(
        function="gradient_norms_through_time",
        find="dh = (dh * (1 - hs[:, t] ** 2)) @ Wh.T",
        replace="dh = (dh - dh * hs[:, t] ** 2) @ Wh.T",
        correct=True,
        why="the elementwise product with the derivative expanded as dh - dh * h^2",
    ),
    # --- make_adding_problem -------------------------------------------------------------
    Mutant(
        function="make_adding_problem",
        find="X[:, :, 0] = rng.uniform(0.0, 1.0, size=(n, T))",
        replace="X[:, :, 0] = np.random.uniform(0.0, 1.0, size=(n, T))",
        correct=False,
        why="draws the numbers from the global np.random instead of rng",
    ),
    Mutant(
        function="make_adding_problem",
        find="first = rng.integers(0, T // 2, size=n)",
        replace="first = rng.integers(0, T // 2 + 1, size=n)",
        correct=False,
        why="treats the upper bound of rng.integers as inclusive-exclusive the wrong way: the "
            "first marker can land on position T // 2, in the second half",
    ),
    Mutant(
        function="make_adding_problem",
        find="second = rng.integers(T // 2, T, size=n)",
        replace="second = rng.integers(T // 2, T - 1, size=n)",
        correct=False,
        why="thinks rng.integers includes its upper bound: the last position never holds a "
            "marker (and T = 2 fails)",
    ),
    Mutant(
        function="make_adding_problem",
        find="y = X[rows, first, 0] + X[rows, second, 0]",
        replace="y = X[:, first, 0] + X[:, second, 0]",
        correct=False,
        why="indexes with [:, first] instead of [rows, first]: y becomes an (n, n) matrix",
    ),
    Mutant(
        function="make_adding_problem",
        find="    X = np.zeros((n, T, 2))\n",
        replace="    X = np.zeros((n, T, 2), dtype=np.float32)  # enough precision for a toy task\n",
        correct=False,
        why="builds X in float32 where the task asks for float64",
    ),
    Mutant(
        function="make_adding_problem",
        find="second = rng.integers(T // 2, T, size=n)",
        replace="second = T - 1 - first  # mirror the first marker into the second half",
        correct=False,
        why="mirrors the first marker instead of drawing the second: not independent, and for "
            "odd T the middle position is never marked",
    ),
    Mutant(
        function="make_adding_problem",
        find="    X = np.zeros((n, T, 2))\n"
             "    X[:, :, 0] = rng.uniform(0.0, 1.0, size=(n, T))\n"
             "    rows = np.arange(n)\n"
             "    first = rng.integers(0, T // 2, size=n)\n"
             "    second = rng.integers(T // 2, T, size=n)\n"
             "    X[rows, first, 1] = 1.0\n"
             "    X[rows, second, 1] = 1.0\n"
             "    y = X[rows, first, 0] + X[rows, second, 0]\n",
        replace="    half = T // 2\n"
                "    first = rng.integers(0, half, size=n)  # markers first, then the numbers\n"
                "    second = rng.integers(half, T, size=n)\n"
                "    values = rng.random((n, T))\n"
                "    markers = np.zeros((n, T))\n"
                "    np.put_along_axis(markers, first[:, None], 1.0, axis=1)\n"
                "    np.put_along_axis(markers, second[:, None], 1.0, axis=1)\n"
                "    X = np.stack([values, markers], axis=-1)\n"
                "    y = (values * markers).sum(axis=1)\n",
        correct=True,
        why="draws the markers before the numbers, sets them with np.put_along_axis, stacks the "
            "two channels, and sums values * markers",
    ),
    Mutant(
        function="make_adding_problem",
        find="    X = np.zeros((n, T, 2))\n"
             "    X[:, :, 0] = rng.uniform(0.0, 1.0, size=(n, T))\n"
             "    rows = np.arange(n)\n"
             "    first = rng.integers(0, T // 2, size=n)\n"
             "    second = rng.integers(T // 2, T, size=n)\n"
             "    X[rows, first, 1] = 1.0\n"
             "    X[rows, second, 1] = 1.0\n"
             "    y = X[rows, first, 0] + X[rows, second, 0]\n",
        replace="    values = rng.uniform(size=(T, n)).T  # drawn time-major\n"
                "    first = (rng.random(n) * (T // 2)).astype(np.int64)  # uniform on 0 .. T//2 - 1\n"
                "    second = T // 2 + (rng.random(n) * (T - T // 2)).astype(np.int64)\n"
                "    markers = np.eye(T)[first] + np.eye(T)[second]\n"
                "    X = np.dstack([values, markers])\n"
                "    rows = np.arange(n)\n"
                "    y = values[rows, first] + values[rows, second]\n",
        correct=True,
        why="numbers drawn time-major and transposed, marker positions from floor(u * size), "
            "one-hot rows of np.eye, channels joined with np.dstack",
    ),
]
