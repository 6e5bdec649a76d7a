"""The long-range experiment of notebooks 02-04: can a recurrent net carry information over a lag?

A task is a data generator ``make_data(n, T, rng) -> (X (n, T, D), y (n,))``.
Notebook 02 has students write the adding problem in NumPy (graded there); the
later notebooks use :func:`adding_problem`, the same task drawn by PyTorch's
generator. It is no shortcut for notebook 02: its numbers differ from those of
``rng``, and the graded function is checked to compute without PyTorch. Training:

    model = SequenceRegressor("lstm", hidden_size=32)
    result = train_long_range(model, make_adding_problem, T=50, steps=1500)
    result["test_mse"], result["baseline_mse"], result["solved"]

    sweep = lag_sweep(["rnn", "lstm"], [5, 20, 50, 100], make_adding_problem)
    plot_lag_sweep(sweep)

A run counts as *solved* when its test MSE is below ``solved_ratio`` (default 0.1)
times the trivial baseline: the MSE of always predicting the mean target
(for the adding problem, predicting 1.0 gives Var(u1 + u2) = 1/6 = 0.167).
"""

import numpy as np
import torch
from torch import nn

from utils.training import progress

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def adding_problem(n, T, rng):
    """The adding problem of notebook 02 (Hochreiter & Schmidhuber, 1997), drawn with PyTorch.

    ``rng`` (a NumPy generator) only seeds a ``torch.Generator``. Returns ``X (n, T, 2)``
    float64 (channel 0 uniform in [0, 1), channel 1 a 1.0 at one position of the first
    half and one of the second) and ``y (n,)``, the sum of the two marked values.
    """
    if T < 2:
        raise ValueError(f"the adding problem needs T >= 2 (one marker per half), got T={T}")
    gen = torch.Generator().manual_seed(int(rng.integers(2**62)))
    values = torch.rand(n, T, generator=gen, dtype=torch.float64)
    marks = torch.stack([torch.randint(0, T // 2, (n,), generator=gen),
                         torch.randint(T // 2, T, (n,), generator=gen)], dim=1)
    markers = torch.zeros(n, T, dtype=torch.float64).scatter_(1, marks, 1.0)
    return torch.stack([values, markers], dim=-1).numpy(), (values * markers).sum(dim=1).numpy()


class SequenceRegressor(nn.Module):
    """A recurrent layer read out by a linear map at the last step: ``X (n, T, D) -> y (n,)``.

    ``cell`` is ``"rnn"`` (tanh), ``"lstm"``, ``"gru"``, or any module called as
    ``cell(X)`` with ``X (n, T, D)`` that returns ``(outputs (n, T, H), state)``
    like ``nn.RNN(..., batch_first=True)``; ``hidden_size`` must then be its ``H``.
    """

    def __init__(self, cell="rnn", hidden_size=32, input_size=2):
        super().__init__()
        if isinstance(cell, str):
            cell = CELLS[cell](input_size, hidden_size, batch_first=True)
        self.cell = cell
        self.readout = nn.Linear(hidden_size, 1)

    def forward(self, X):
        outputs, _ = self.cell(X)
        return self.readout(outputs[:, -1]).squeeze(-1)


def train_long_range(model, make_data, T, steps=1000, batch_size=64, lr=1e-3, clip=None,
                     seed=0, optimizer="adam", n_test=1000, solved_ratio=0.1,
                     monitor=None, monitor_every=50, desc=None):
    """Train ``model`` on fresh batches of ``make_data(batch_size, T, rng)`` for ``steps`` steps.

    ``clip``: global gradient-norm clipping threshold (None: no clipping).
    ``optimizer``: ``"adam"`` or ``"sgd"``. ``seed`` fixes the batches and the test
    set (the model's initial weights are the caller's: seed torch before building it).
    ``monitor(step, model)``, if given, is called before step 0, every ``monitor_every``
    steps and after the last one; its return values are collected.

    Returns a dict: ``losses (steps,)`` training MSE per step (NaN once diverged),
    ``grad_norms (steps,)`` global gradient norm before clipping, ``test_mse``,
    ``baseline_mse`` (predicting the mean target), ``solved`` (bool), ``diverged``
    (bool), ``T``, and ``monitor`` (a list of ``(step, value)``) when a monitor is given.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: extra threads only wait on each other
    try:
        return _train(model, make_data, T, steps, batch_size, lr, clip, seed, optimizer,
                      n_test, solved_ratio, monitor, monitor_every, desc)
    finally:
        torch.set_num_threads(threads)


def _train(model, make_data, T, steps, batch_size, lr, clip, seed, optimizer, n_test,
           solved_ratio, monitor, monitor_every, desc):
    rng = np.random.default_rng(seed)
    X_test, y_test = (torch.as_tensor(a, dtype=torch.float32)
                      for a in make_data(n_test, T, np.random.default_rng(seed + 10_000)))
    params = list(model.parameters())
    opt = (torch.optim.Adam(params, lr=lr) if optimizer == "adam"
           else torch.optim.SGD(params, lr=lr))
    losses = np.full(steps, np.nan)
    grad_norms = np.full(steps, np.nan)
    watched = []
    diverged = False
    for step in progress(range(steps), desc=desc or f"T={T}"):
        if monitor is not None and step % monitor_every == 0:
            watched.append((step, monitor(step, model)))
        X, y = (torch.as_tensor(a, dtype=torch.float32) for a in make_data(batch_size, T, rng))
        loss = torch.mean((model(X) - y) ** 2)
        opt.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, clip if clip is not None else float("inf"))
        if not (torch.isfinite(loss) and torch.isfinite(norm)):
            diverged = True  # the weights are about to become NaN: stop here
            break
        losses[step], grad_norms[step] = loss.item(), norm.item()
        opt.step()
    if monitor is not None and not diverged:
        watched.append((steps, monitor(steps, model)))
    with torch.no_grad():
        test_mse = float(torch.mean((model(X_test) - y_test) ** 2)) if not diverged else np.nan
    baseline_mse = float(torch.mean((y_test - y_test.mean()) ** 2))
    result = dict(losses=losses, grad_norms=grad_norms, test_mse=test_mse,
                  baseline_mse=baseline_mse, diverged=diverged, T=T,
                  solved=bool(test_mse < solved_ratio * baseline_mse))
    if monitor is not None:
        result["monitor"] = watched
    return result


def lag_sweep(cells, lags, make_data, hidden_size=32, steps=1000, seed=0, **train_kwargs):
    """Train a fresh ``SequenceRegressor(cell)`` per cell type and lag ``T``.

    ``cells`` holds names (``"rnn"``, ``"lstm"``, ``"gru"``) or zero-argument
    factories returning a recurrent module (named by their ``__name__``). Each model
    is initialised with ``torch.manual_seed(seed)``. Other keywords go to
    :func:`train_long_range`. Returns ``{cell name: {T: result dict}}``.
    """
    results = {}
    for cell in cells:
        name = cell if isinstance(cell, str) else cell.__name__
        results[name] = {}
        for T in lags:
            torch.manual_seed(seed)
            model = SequenceRegressor(cell if isinstance(cell, str) else cell(),
                                      hidden_size=hidden_size)
            results[name][T] = train_long_range(model, make_data, T, steps=steps, seed=seed,
                                                desc=f"{name} T={T}", **train_kwargs)
    return results


def summary(sweep):
    """One line per cell type: test MSE / baseline at each lag, and the lags it solved."""
    lines = []
    for name, runs in sweep.items():
        cells = "  ".join(f"T={T}: {r['test_mse'] / r['baseline_mse']:.3f}" for T, r in runs.items())
        solved = [T for T, r in runs.items() if r["solved"]]
        lines.append(f"{name:>5s}  test MSE / baseline  {cells}   solved: {solved}")
    return "\n".join(lines)


def plot_lag_sweep(sweep, smooth=25, axes=None):
    """Left: training loss curves per lag (one colour per lag, one line style per cell).
    Right: final test MSE relative to the baseline against the lag, with the solved line.
    Returns the two ``Axes``."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    ax_curve, ax_lag = axes
    lags = sorted({T for runs in sweep.values() for T in runs})
    colours = {T: plt.cm.viridis(i / max(1, len(lags) - 1) * 0.9) for i, T in enumerate(lags)}
    styles = ["-", "--", ":", "-."]
    baseline = np.mean([r["baseline_mse"] for runs in sweep.values() for r in runs.values()])
    for k, (name, runs) in enumerate(sweep.items()):
        for T, r in runs.items():
            kernel = np.ones(smooth) / smooth
            curve = np.convolve(r["losses"], kernel, mode="valid")  # NaN after divergence
            ax_curve.plot(np.arange(len(curve)) + smooth - 1, curve, styles[k % 4],
                          color=colours[T])
        ratios = [runs[T]["test_mse"] / runs[T]["baseline_mse"] for T in runs]
        ax_lag.plot(list(runs), ratios, styles[k % 4] + "o", label=name)
    ax_curve.axhline(baseline, color="grey", lw=1, ls="--")
    ax_curve.set(xlabel="training step", ylabel="training MSE (smoothed)", yscale="log",
                 title="Learning curves")
    # one legend entry per lag (colour) and per cell (line style), not one per curve
    key = [Line2D([], [], color=colours[T], label=f"T = {T}") for T in lags]
    key += [Line2D([], [], color="black", ls=styles[k % 4], label=name)
            for k, name in enumerate(sweep)]
    key.append(Line2D([], [], color="grey", lw=1, ls="--", label="predict the mean"))
    ax_curve.legend(handles=key, fontsize=8, ncol=2, framealpha=0.9)
    ax_lag.axhline(1.0, color="grey", lw=1, ls="--", label="predict the mean")
    ax_lag.axhline(0.1, color="green", lw=1, ls=":", label="solved below")
    ax_lag.set(xlabel="sequence length T (the lag to bridge)", ylabel="test MSE / baseline",
               yscale="log", xscale="log", title="Which lags are learned?")
    ax_lag.set_xticks(lags, [str(T) for T in lags])
    ax_lag.minorticks_off()
    ax_lag.legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    return axes
