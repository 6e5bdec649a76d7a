"""The character-level language-model corpus shared by notebooks 01, 03 and 04.

Words from the CMU Pronouncing Dictionary, one word per sequence, framed
makemore-style by a boundary character: the model reads ``.word`` and predicts
``word.``. Padding positions are masked out of the loss.
"""

import numpy as np

from utils.data import load_words, split

BOUNDARY = "."


def load_corpus(max_len=10, seed=0):
    """``(train, val, test)`` word lists: alphabetic CMUdict words of 2..max_len letters."""
    return split(load_words(2, max_len), (0.8, 0.1, 0.1), seed=seed)


def char_vocab(words):
    """``(stoi, itos)`` over the letters of ``words``, with the boundary ``"."`` at index 0."""
    itos = [BOUNDARY] + sorted(set("".join(words)) - {BOUNDARY})
    return {c: i for i, c in enumerate(itos)}, itos


def encode_words(words, stoi):
    """Inputs, targets and mask for a batch of words, right-padded with the boundary.

    Returns ``x (N, T)`` int, ``y (N, T)`` int, ``mask (N, T)`` bool with
    ``T = longest word + 1``: ``x[n] = ".word"``, ``y[n] = "word."``.
    """
    T = max(len(w) for w in words) + 1
    x = np.zeros((len(words), T), dtype=np.int64)
    y = np.zeros((len(words), T), dtype=np.int64)
    mask = np.zeros((len(words), T), dtype=bool)
    for n, word in enumerate(words):
        ids = [stoi[c] for c in word]
        x[n, 1 : len(ids) + 1] = ids
        y[n, : len(ids)] = ids
        mask[n, : len(ids) + 1] = True
    return x, y, mask


def batches(words, stoi, batch_size, rng):
    """Endless stream of ``encode_words`` batches of words sampled with ``rng``."""
    while True:
        yield encode_words([words[i] for i in rng.integers(0, len(words), batch_size)], stoi)
