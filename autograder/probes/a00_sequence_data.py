"""Probes of notebook 00: windows, AR fit and forecast, vocabulary, padding.

The ``hidden_*`` probes are the assignment's hidden tests (see ``autograder.probes``).
"""

import numpy as np

from autograder.probes import HOLDS, numpy_only, numpy_only_claim, raises
from utils.data import load_sunspots, load_words

HIDDEN_TESTS_ARE_PROBES = True


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


def _vocab_of(letters):
    """A vocabulary built here, not by the student's build_vocab: a probe of encode and
    decode must not depend on another graded function."""
    itos = ["<pad>", "<unk>", *letters]
    return {t: i for i, t in enumerate(itos)}, itos


def round_trip(ns, rng):
    stoi, itos = _vocab_of(rng.permutation(list("abcdefghij")).tolist())
    text = "".join(_random_words(rng, 5)) + "xyz"  # x, y, z are unknown
    ids = ns["encode"](text, stoi)
    return {"ids": np.array(ids, dtype=np.int64), "decoded": np.array(ns["decode"](ids + [0], itos))}


def padding(ns, rng):
    seqs = [list(rng.integers(1, 9, int(rng.integers(0, 6)))) for _ in range(5)] + [[1]]
    padded, mask = ns["pad_sequences"](seqs, pad_value=-1)
    return {"padded": padded, "mask": mask}


# --- the hidden tests -----------------------------------------------------------------------

def hidden_make_windows(ns, rng):
    make_windows = ns["make_windows"]
    series = np.random.default_rng(1).standard_normal(23)
    out = {numpy_only_claim("make_windows"):
           numpy_only(make_windows, load_sunspots()[1], window=5)}
    for window, horizon in [(1, 1), (4, 3), (20, 3), (7, 1)]:
        X, y = make_windows(series, window, horizon)
        out[f"X of make_windows(window={window}, horizon={horizon})"] = X
        out[f"y of make_windows(window={window}, horizon={horizon})"] = y
    for args, what in [((series, 0), "window=0"), ((series, 3, 0), "horizon=0"),
                       ((series, 21, 3), "window + horizon > length"),
                       ((np.arange(10), -2), "window=-2")]:
        out[HOLDS + f"make_windows raises ValueError for {what}"] = raises(ValueError, make_windows, *args)
    return out


def hidden_fit_ar(ns, rng):
    fit_ar = ns["fit_ar"]
    out = {numpy_only_claim("fit_ar"): numpy_only(fit_ar, load_sunspots()[1], p=3)}
    true = np.array([0.6, -0.3])  # a long simulated AR(2): the fit must recover it
    noise = np.random.default_rng(7).standard_normal(20000)
    x = np.zeros_like(noise)
    for t in range(2, len(x)):
        x[t] = true[0] * x[t - 1] + true[1] * x[t - 2] + 0.5 + noise[t]
    coeffs, intercept = fit_ar(x, 2)
    out[HOLDS + "fit_ar recovers a simulated AR(2) (coeffs[0] weighs x[t-1]) within 0.03"] = np.array(
        np.shape(coeffs) == (2,) and bool(np.allclose(coeffs, true, rtol=0, atol=0.03)))
    out[HOLDS + "fit_ar recovers a simulated AR(2)'s intercept within 0.05"] = np.array(
        bool(np.allclose(intercept, 0.5, rtol=0, atol=0.05)))
    s = np.random.default_rng(3).standard_normal(40)
    for p in (1, 4):
        coeffs, intercept = fit_ar(s, p)
        out[f"coeffs of fit_ar(p={p}) on a short random series"] = np.asarray(coeffs, dtype=float)
        out[f"intercept of fit_ar(p={p}) on a short random series"] = np.float64(intercept)
    out[HOLDS + "fit_ar raises ValueError for p = 0"] = raises(ValueError, fit_ar, s, 0)
    out[HOLDS + "fit_ar raises ValueError for p > len(series)"] = raises(ValueError, fit_ar, s[:3], 7)
    return out


def hidden_ar_forecast(ns, rng):
    ar_forecast = ns["ar_forecast"]
    sunspots = load_sunspots()[1]
    out = {numpy_only_claim("ar_forecast"):
           numpy_only(ar_forecast, sunspots[:-20], [1.2, -0.5, 0.05], 12.0, steps=20)}
    out["shape of ar_forecast(steps=0)"] = np.array(np.shape(ar_forecast([1.0, 2.0], [0.5], 1.0, steps=0)))
    out["ar_forecast of an AR(2) with intercept"] = ar_forecast(np.array([9.0, 1.0, 2.0]), [0.5, -0.25], 1.0,
                                                                steps=3)
    out[HOLDS + "ar_forecast raises ValueError for a history shorter than p"] = raises(
        ValueError, ar_forecast, [1.0], [0.1, 0.2], 0.0, 2)
    out[HOLDS + "ar_forecast raises ValueError for a history shorter than p, even for steps=0"] = raises(
        ValueError, ar_forecast, [1.0], [0.1, 0.2], 0.0, 0)
    history = np.array([1.0, 2.0, 3.0, 4.0])
    forecast = ar_forecast(history, [0.5, 0.25], 1.0, 3)
    out[HOLDS + "ar_forecast leaves its history unchanged"] = np.array(
        bool(np.array_equal(history, [1.0, 2.0, 3.0, 4.0])))
    out[HOLDS + "ar_forecast returns a NumPy array"] = np.array(isinstance(forecast, np.ndarray))
    return out


def _stoi_as_arrays(stoi):
    keys = sorted(stoi)
    return np.array(keys), np.array([stoi[k] for k in keys], dtype=np.int64)


def hidden_build_vocab(ns, rng):
    build_vocab = ns["build_vocab"]
    out = {numpy_only_claim("build_vocab"):
           numpy_only(build_vocab, load_words()[::50])}
    out["itos of build_vocab([])"] = np.array(build_vocab([])[1])
    stoi, itos = build_vocab(["zzz", "yy", "x", "ab", "ba", "Ü ü"])
    out["itos of build_vocab with ties and non-ASCII characters"] = np.array(itos)
    out[HOLDS + "build_vocab: stoi is the inverse of itos"] = np.array(
        dict(stoi) == {t: i for i, t in enumerate(itos)})
    return out


def hidden_encode_decode(ns, rng):
    encode, decode = ns["encode"], ns["decode"]
    stoi, itos = _vocab_of(sorted(set("hello world low")))
    out = {numpy_only_claim("encode"): numpy_only(encode, "müller", stoi),
           numpy_only_claim("decode"): numpy_only(decode, encode("low", stoi), itos)}
    out["encode('')"] = np.array(encode("", stoi), dtype=np.int64)
    out["decode([])"] = np.array(decode([], itos))
    out["encode('hello')"] = np.array(encode("hello", stoi), dtype=np.int64)
    out["encode of unknown characters ('hex!')"] = np.array(encode("hex!", stoi), dtype=np.int64)
    out["decode skips <pad>"] = np.array(decode([0, stoi["l"], 0, stoi["o"], 0], itos))
    out["decode keeps <unk>"] = np.array(decode([stoi["w"], 1], itos))
    small, _ = _vocab_of(["a", "b"])
    out["encode of a character not in the vocabulary (an upper-case A)"] = np.array(
        encode("Ab", small), dtype=np.int64)
    return out


def hidden_pad_sequences(ns, rng):
    pad_sequences = ns["pad_sequences"]
    stoi, _ = _vocab_of(sorted(set("".join(load_words()[:1000:100]))))
    words = [[stoi[c] for c in w] for w in load_words()[:1000:100]]
    out = {numpy_only_claim("pad_sequences"): numpy_only(pad_sequences, words)}
    padded, mask = pad_sequences([np.array([1, 2]), np.array([], dtype=int), np.array([5, 6, 7, 8])],
                                 pad_value=-1)
    out["padded of pad_sequences(pad_value=-1) with an empty sequence"] = np.asarray(padded)
    out["mask of pad_sequences with an empty sequence"] = np.asarray(mask)
    out[HOLDS + "pad_sequences: mask is a bool array"] = np.array(np.asarray(mask).dtype == bool)
    out[HOLDS + "pad_sequences: padded is an integer array"] = np.array(
        bool(np.issubdtype(np.asarray(padded).dtype, np.integer)))
    out["pad_sequences of one sequence"] = np.asarray(pad_sequences([[9]])[0])
    out["mask of pad_sequences when a real token equals pad_value"] = np.asarray(
        pad_sequences([[0, 5], [7]], pad_value=0)[1])
    return out


PROBES = {
    "test_make_windows": [windows, hidden_make_windows],
    "test_fit_ar": [ar_fit, hidden_fit_ar],
    "test_ar_forecast": [ar_forecast, hidden_ar_forecast],
    "test_build_vocab": [vocab, hidden_build_vocab],
    "test_encode_decode": [round_trip, hidden_encode_decode],
    "test_pad_sequences": [padding, hidden_pad_sequences],
}
