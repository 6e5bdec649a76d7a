"""The surname-nationality data set of notebook 05, and a confusion-matrix plot.

Surnames come from faker's locale providers (see :func:`utils.data.load_surnames`),
lower-cased. A surname listed by two or more of the chosen locales ("berger" is
both German and French) has no single right answer, so it is left out of every
split and returned separately. Each locale then contributes the same number of
names (a balanced task), split train/val/test per locale with a fixed seed.
"""

from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

from utils.data import load_surnames, split

PAD, UNK = 0, 1  # token ids: padding, and characters never seen in training
SPECIALS = ["<pad>", "<unk>"]


def surname_splits(locales, per_locale=350, fractions=(0.8, 0.1, 0.1), seed=0):
    """``(train, val, test, shared)``: lists of ``(surname, label)`` pairs and the dropped names.

    ``label`` is the locale's index in ``locales``. ``shared`` is the sorted list
    of surnames that appear in more than one locale (excluded everywhere).
    """
    names = {loc: sorted({n.lower() for n in ns}) for loc, ns in load_surnames(locales).items()}
    count = Counter(n for loc in locales for n in names[loc])
    parts = ([], [], [])
    for label, loc in enumerate(locales):
        own = [n for n in names[loc] if count[n] == 1]
        keep = np.sort(np.random.default_rng(seed).permutation(len(own))[:per_locale])
        for part, chunk in zip(parts, split([own[i] for i in keep], fractions, seed=seed)):
            part.extend((name, label) for name in chunk)
    shared = sorted(n for n, c in count.items() if c > 1)
    return (*parts, shared)


def char_vocab(names):
    """``stoi``: ``<pad>`` -> 0, ``<unk>`` -> 1, then the characters of ``names`` in sorted order."""
    chars = sorted(set("".join(names)))
    return {c: i for i, c in enumerate(SPECIALS + chars)}


def plot_confusion(matrix, labels, ax=None, title=None):
    """Row-normalised confusion matrix: row = true class, column = predicted class."""
    matrix = np.asarray(matrix, dtype=float)
    rates = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 4.8))
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if rates[i, j] >= 0.005:
                ax.text(j, i, f"{rates[i, j]:.2f}".lstrip("0"), ha="center", va="center",
                        fontsize=8, color="white" if rates[i, j] > 0.5 else "black")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, label="fraction of the true class")
    if title:
        ax.set_title(title)
    return ax
