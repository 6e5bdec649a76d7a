"""Probes of notebook 00: windows, AR fit and forecast, vocabulary, padding."""

import numpy as np


def windows(ns, rng):
    series = rng.standard_normal(int(rng.integers(12, 30)))
    X, y = ns["make_windows"](series, int(rng.integers(1, 6)), int(rng.integers(1, 4)))
    return {"X": X, "y": y}


def ar_fit(ns, rng):
    series = rng.standard_normal(60).cumsum()
    coeffs, intercept = ns["fit_ar"](series, 3)
    return {"coeffs": coeffs, "intercept": np.float64(intercept)}


def ar_forecast(ns, rng):
    history = rng.standard_normal(8)
    return {"forecast": ns["ar_forecast"](history, rng.uniform(-0.5, 0.5, 3), 0.3, 6)}


def _random_words(rng, n):
    letters = np.array(list("abcdefghij"))
    return ["".join(rng.choice(letters, int(rng.integers(0, 7)))) for _ in range(n)]


def vocab(ns, rng):
    _, itos = ns["build_vocab"](_random_words(rng, 30))
    return {"itos": np.array(itos)}


def round_trip(ns, rng):
    stoi, itos = ns["build_vocab"](_random_words(rng, 30))
    text = "".join(_random_words(rng, 5)) + "xyz"  # x, y, z are unknown
    ids = ns["encode"](text, stoi)
    return {"ids": np.array(ids, dtype=np.int64), "decoded": np.array(ns["decode"](ids + [0], itos))}


def padding(ns, rng):
    seqs = [list(rng.integers(1, 9, int(rng.integers(0, 6)))) for _ in range(5)] + [[1]]
    padded, mask = ns["pad_sequences"](seqs, pad_value=-1)
    return {"padded": padded, "mask": mask}


PROBES = {
    "test_make_windows": [windows],
    "test_fit_ar": [ar_fit],
    "test_ar_forecast": [ar_forecast],
    "test_build_vocab": [vocab],
    "test_encode_decode": [round_trip],
    "test_pad_sequences": [padding],
}
