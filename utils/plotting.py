"""Plots the notebooks share. Each returns its ``Axes`` so a cell can adjust it."""

import matplotlib.pyplot as plt


def plot_curves(curves, xlabel="step", ylabel="loss", title=None, logy=False, ax=None):
    """Plot ``{label: values}`` (or ``{label: (xs, ys)}``) as lines on one axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6))
    for label, values in curves.items():
        if isinstance(values, tuple) and len(values) == 2:
            ax.plot(*values, label=label)
        else:
            ax.plot(values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    ax.grid(alpha=0.3)
    return ax
