"""Probes for 06_seq2seq_attention: the graded layers and functions on small float64 models.

The layers' ``__init__`` methods are given in the notebook, so seeding torch before
building a layer gives the student's kernel and the reference the same parameters.
The trained model (``test_trained_model``) is not probed: two correct solutions
train to different weights.
"""

import numpy as np

TOLERANCE = dict(rtol=1e-6, atol=1e-9)


def _torch(rng):
    import torch

    torch.manual_seed(int(rng.integers(2**31)))
    return torch


def _padded(rows, width, fill=-1):
    return np.array([list(r) + [fill] * (width - len(r)) for r in rows], dtype=np.int64)


def _batch(torch, rng, n, s, low, high, pad):
    lengths = rng.integers(1, s + 1, size=n)
    lengths[0] = s  # the longest word sets the width
    src = torch.as_tensor(rng.integers(low, high, size=(n, s)))
    src[torch.arange(s)[None, :] >= torch.as_tensor(lengths)[:, None]] = pad
    return src, torch.as_tensor(lengths)


def _mask(torch, lengths, s):
    return torch.arange(s)[None, :] < lengths[:, None]


def _seq2seq(ns, torch, eos_bias=1.5):
    # sharp random outputs; EOS (id 2) gets a bias so that words end at different steps
    model = ns["Seq2Seq"](ns["Encoder"](9, 4, 6), ns["Decoder"](7, 4, 6, 12, 5)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(3.0)
        model.decoder.out.bias.zero_()
        model.decoder.out.bias[2] = eos_bias
    return model


def probe_attention(ns, rng):
    torch = _torch(rng)
    attn = ns["AdditiveAttention"](3, 4, 5).double()
    with torch.no_grad():
        for p in attn.parameters():
            p.mul_(3.0)  # sharper weights
    query = torch.as_tensor(rng.normal(size=(4, 3)))
    keys = torch.as_tensor(rng.normal(size=(4, 6, 4)))
    mask = _mask(torch, torch.as_tensor([6, 2, 1, 5]), 6)
    with torch.no_grad():
        context, weights = attn(query, keys, mask)
    return {"context": context.numpy(), "weights": weights.numpy()}


def probe_encoder(ns, rng):
    torch = _torch(rng)
    enc = ns["Encoder"](9, 3, 4).double()
    src, lengths = _batch(torch, rng, 4, 5, 3, 9, 0)
    with torch.no_grad():
        keys, state = enc(src, lengths)
    mask = _mask(torch, lengths, 5)
    return {"keys": keys[mask].numpy(), "state": state.numpy()}


def probe_decoder(ns, rng):
    torch = _torch(rng)
    dec = ns["Decoder"](6, 3, 4, 5, 3).double()
    prev = torch.as_tensor(rng.integers(0, 6, size=3))
    state = torch.as_tensor(rng.normal(size=(3, 4)))
    keys = torch.as_tensor(rng.normal(size=(3, 5, 5)))
    mask = _mask(torch, torch.as_tensor([5, 3, 1]), 5)
    with torch.no_grad():
        logits, new_state, weights = dec(prev, state, keys, mask)
    return {"logits": logits.numpy(), "state": new_state.numpy(), "weights": weights.numpy()}


def probe_seq2seq(ns, rng):
    torch = _torch(rng)
    model = _seq2seq(ns, torch)
    src, lengths = _batch(torch, rng, 3, 4, 3, 9, 0)
    tgt = torch.as_tensor(rng.integers(3, 7, size=(3, 5)))
    with torch.no_grad():
        forced = model(src, lengths, tgt, teacher_forcing=1.0)
        free = model(src, lengths, tgt, teacher_forcing=0.0)
    return {"forced": forced.numpy(), "free": free.numpy()}


def probe_greedy(ns, rng):
    torch = _torch(rng)
    out = {}
    for eos_bias in (0.0, 1.0, 2.0):  # outputs of every length, from max_len down to empty
        model = _seq2seq(ns, torch, eos_bias)
        src, lengths = _batch(torch, rng, 5, 4, 3, 9, 0)
        out[f"eos_bias_{eos_bias}"] = _padded(ns["greedy_decode"](model, src, lengths, 7), 7)
    return out


def probe_beam(ns, rng):
    torch = _torch(rng)
    out = {}
    for eos_bias in (0.0, 1.0, 2.0):
        model = _seq2seq(ns, torch, eos_bias)
        src, lengths = _batch(torch, rng, 4, 4, 3, 9, 0)
        out[f"width3_eos_bias_{eos_bias}"] = _padded(ns["beam_search"](model, src, lengths, 3, 6), 6)
        out[f"width1_eos_bias_{eos_bias}"] = _padded(ns["beam_search"](model, src, lengths, 1, 6), 6)
    return out


def _sequences(rng, n, alphabet=3, max_len=6):
    return [list(rng.integers(0, alphabet, size=rng.integers(0, max_len))) for _ in range(n)]


def probe_edit_distance(ns, rng):
    a, b = _sequences(rng, 20), _sequences(rng, 20)
    return {"distances": np.array([ns["edit_distance"](x, y) for x, y in zip(a, b)])}


def probe_per(ns, rng):
    refs = [r + [0] for r in _sequences(rng, 12)]  # no empty reference
    return {"per": np.array(ns["phoneme_error_rate"](_sequences(rng, 12), refs))}


def probe_wer(ns, rng):
    refs = [r + [0] for r in _sequences(rng, 12, alphabet=2, max_len=2)]
    preds = [list(r) if rng.random() < 0.5 else p  # about half the words right
             for r, p in zip(refs, _sequences(rng, 12, alphabet=2, max_len=3))]
    return {"wer": np.array(ns["word_error_rate"](preds, refs))}


PROBES = {
    "test_AdditiveAttention": [probe_attention],
    "test_Encoder": [probe_encoder],
    "test_Decoder": [probe_decoder],
    "test_Seq2Seq": [probe_seq2seq],
    "test_edit_distance": [probe_edit_distance],
    "test_phoneme_error_rate": [probe_per],
    "test_word_error_rate": [probe_wer],
    "test_greedy_decode": [probe_greedy],
    "test_beam_search": [probe_beam],
}

# Test cells without a probe, and why (tests/test_autograder_units.py requires a reason).
UNPROBED = {
    "test_trained_model": "it judges a model trained in the notebook; a probe would have to train one "
                          "(known gap: see the grading-security issue)",
}
