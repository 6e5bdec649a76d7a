"""Grapheme-to-phoneme plumbing for notebook 06: vocabularies, padded batches, masks, plots.

Infrastructure only. The models, the decoders and the metrics are the student's
work and live in the notebook.

Token ids 0, 1 and 2 are reserved in both vocabularies: ``PAD`` fills the end of
short sequences in a batch, ``SOS`` starts every decoder input, ``EOS`` ends every
target (the decoder learns when to stop).
"""

import numpy as np
import torch

PAD, SOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<sos>", "<eos>")


class Vocab:
    """A symbol <-> id table: the three special tokens, then the sorted symbols."""

    def __init__(self, symbols):
        self.itos = list(SPECIALS) + sorted(set(symbols))
        self.stoi = {s: i for i, s in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)

    def encode(self, symbols):
        return [self.stoi[s] for s in symbols]

    def decode(self, ids):
        """Symbols of ``ids``, stopping at the first ``EOS`` and skipping ``PAD``/``SOS``."""
        out = []
        for i in ids:
            if i == EOS:
                break
            if i not in (PAD, SOS):
                out.append(self.itos[i])
        return out


def build_vocabs(pairs):
    """``(letters, phonemes)`` vocabularies of ``(word, phonemes)`` pairs."""
    return (Vocab(c for word, _ in pairs for c in word),
            Vocab(p for _, phones in pairs for p in phones))


def _pad(rows):
    width = max(len(r) for r in rows)
    return torch.tensor([r + [PAD] * (width - len(r)) for r in rows], dtype=torch.long)


def make_batch(pairs, letters, phonemes):
    """Pad a list of ``(word, phonemes)`` pairs into tensors.

    Returns ``src (N, S)`` letter ids, ``src_lengths (N,)`` and ``tgt (N, T)``:
    the phoneme ids followed by ``EOS``, both padded with ``PAD`` to the longest row.
    """
    src = [letters.encode(word) for word, _ in pairs]
    tgt = [phonemes.encode(phones) + [EOS] for _, phones in pairs]
    return _pad(src), torch.tensor([len(s) for s in src]), _pad(tgt)


def padding_mask(src_lengths, max_len):
    """``(N, max_len)`` bool: True at the real letters, False at the padding."""
    return torch.arange(max_len)[None, :] < torch.as_tensor(src_lengths)[:, None]


def batches(pairs, batch_size, rng):
    """One epoch of shuffled batches of words of similar length (little padding, faster steps).

    Words are sorted by length with random tie-breaking, cut into batches, and the
    batches are visited in random order.
    """
    keys = rng.random(len(pairs))
    order = sorted(range(len(pairs)), key=lambda i: (len(pairs[i][0]), keys[i]))
    chunks = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    for k in rng.permutation(len(chunks)):
        yield [pairs[i] for i in chunks[k]]


def plot_attention(ax, weights, letters, phonemes, title=None):
    """Heat map of attention ``weights (T, S)``: output phonemes down, input letters across."""
    weights = np.asarray(weights)
    ax.imshow(weights, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(letters)), list(letters))
    ax.set_yticks(range(len(phonemes)), list(phonemes))
    ax.tick_params(length=0)
    if title:
        ax.set_title(title)
    return ax
