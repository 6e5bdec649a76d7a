"""Probes for 06_seq2seq_attention: the graded layers and functions on small float64 models.

The layers' ``__init__`` methods are given in the notebook, so seeding torch before
building a layer gives the student's kernel and the reference the same parameters.
The trained model (``test_trained_model``): two correct solutions train to different weights,
so ``hidden_trained_model`` returns the kernel's trained parameters and the grader judges them
itself (``autograder/grading/judges.py``: the solution's model decodes test words with them).

The ``hidden_*`` probes are the assignment's hidden tests (see ``autograder.probes``). Each of
the hidden tests' comparisons with an oracle (the attention, encoder and decoder equations in
NumPy, the decoder stepped by hand, an exhaustive search over every output, a brute-force edit
distance, hard-coded rates) is an output here, compared with the reference solution's (which
agrees with the oracle) at ``TOLERANCE``, so the student's kernel never sees the expectation.
``Seq2Seq``, ``greedy_decode`` and ``beam_search`` are judged on a toy model built here (not the
notebook's architecture, but with the same interface and padding contract), as the hidden tests
judged them against the student's own encoder and decoder: a bug in those layers does not count
against them. Only the checks that need no expected value are properties: exactly zero weight at
the padding, ``edit_distance``'s int, decoding under ``torch.no_grad()``, and how mixed teacher
forcing (0 < p < 1) mixes, judged against the student's own ``Seq2Seq`` at ``teacher_forcing=1.0``.
"""

import numpy as np

from autograder.probes import HOLDS, PARAMETER, output

HIDDEN_TESTS_ARE_PROBES = True

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


def _probe_attention(cls_name, name):
    def probe(ns, rng):
        torch = _torch(rng)
        attn = ns[cls_name](3, 4, 5).double()
        with torch.no_grad():
            for p in attn.parameters():
                p.mul_(3.0)  # sharper weights
        query = torch.as_tensor(rng.normal(size=(4, 3)))
        keys = torch.as_tensor(rng.normal(size=(4, 6, 4)))
        mask = _mask(torch, torch.as_tensor([6, 2, 1, 5]), 6)
        with torch.no_grad():
            context, weights = attn(query, keys, mask)
        return {"context": context.numpy(), "weights": weights.numpy()}

    probe.__name__ = name  # the key of its outputs and the name in its messages
    return probe


probe_attention = _probe_attention("AdditiveAttention", "probe_attention")
probe_dot_attention = _probe_attention("DotProductAttention", "probe_dot_attention")


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


# --- the hidden tests -----------------------------------------------------------------------

_PAD, _EOS = 0, 2  # utils.g2p's PAD and EOS ids


def _import_torch():
    import torch

    return torch


def _sharpened(torch, layer, factor):
    with torch.no_grad():
        for p in layer.parameters():
            p.mul_(factor)
    return layer


def _lengths_of(torch, rows):
    src = torch.tensor(rows)
    return src, (src != _PAD).sum(1)


def _toy(torch, seed, n_letters=8, n_phonemes=7, emb=3, key=6, hidden=4, scale=1.5, eos_bias=1.5):
    """A float64 encoder-decoder with the notebook's interfaces, drawn from ``seed``: ``(encoder,
    decoder)``. Not the notebook's layers (no GRU, no additive attention): the decoding functions
    are judged on it alone, whatever the student's Encoder and Decoder do. Its encoder honours the
    padding contract (a word gets the same keys and state alone and in a padded batch, keys 0 at
    padding) and its decoder gives the padding no weight, as the notebook's layers do."""
    nn = torch.nn

    class ToyEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(n_letters, emb)
            self.proj = nn.Linear(emb, key)
            self.bridge = nn.Linear(key, hidden)

        def forward(self, src, src_lengths):
            lengths = torch.as_tensor(src_lengths)
            real = (torch.arange(src.shape[1])[None, :] < lengths[:, None])[..., None]
            keys = torch.tanh((self.proj(self.embedding(src)) * real).cumsum(1)) * real
            return keys, torch.tanh(self.bridge(keys.sum(1) / lengths[:, None]))

    class ToyDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(n_phonemes, emb)
            self.rnn = nn.Linear(emb + hidden, hidden)
            self.query = nn.Linear(hidden, key)
            self.out = nn.Linear(hidden + key, n_phonemes)

        def forward(self, prev_token, state, keys, mask):
            state = torch.tanh(self.rnn(torch.cat([self.embedding(prev_token), state], dim=-1)))
            scores = torch.einsum("nsk,nk->ns", keys, self.query(state))
            weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
            context = torch.einsum("ns,nsk->nk", weights, keys)
            return self.out(torch.cat([state, context], dim=-1)), state, weights

    encoder, decoder = ToyEncoder().double(), ToyDecoder().double()
    draw = np.random.default_rng(seed)
    with torch.no_grad():
        for p in [*encoder.parameters(), *decoder.parameters()]:
            p.copy_(torch.as_tensor(draw.normal(size=tuple(p.shape)) * scale))
        decoder.out.bias.zero_()
        decoder.out.bias[_EOS] = eos_bias
    return encoder, decoder


def _toy_model(torch, seed, **sizes):
    """The toy encoder and decoder in a container of the notebook's shape (``.encoder``,
    ``.decoder``): what ``greedy_decode`` and ``beam_search`` take as ``model``."""
    encoder, decoder = _toy(torch, seed, **sizes)
    model = torch.nn.Module()
    model.encoder, model.decoder = encoder, decoder
    return model


def _padded_batch(torch, draw, lengths, low, high):
    S = max(lengths)
    src = torch.as_tensor(draw.integers(low, high, size=(len(lengths), S)))
    lengths = torch.tensor(lengths)
    src[torch.arange(S)[None, :] >= lengths[:, None]] = _PAD
    return src, lengths


def _hidden_attention(cls_name, seed, name):
    def hidden(ns, rng):
        return _attention_cases(ns, cls_name, seed)

    hidden.__name__ = name
    return hidden


def _attention_cases(ns, cls_name, seed):
    torch = _import_torch()
    draw = np.random.default_rng(seed)
    out, zero_at_padding = {}, []
    for N, S, Hq, Hk, Ha, lengths in [(1, 1, 3, 2, 4, [1]), (4, 6, 2, 5, 3, [6, 1, 3, 5]),
                                      (2, 5, 4, 4, 2, [5, 5])]:
        torch.manual_seed(N * 100 + S)
        attn = _sharpened(torch, ns[cls_name](Hq, Hk, Ha).double(), 3.0)
        query = torch.as_tensor(draw.normal(size=(N, Hq)))
        keys = torch.as_tensor(draw.normal(size=(N, S, Hk)))
        mask = _mask(torch, torch.tensor(lengths), S)
        noisy = keys.clone()
        noisy[~mask] = 1e4
        with torch.no_grad():
            context, weights = attn(query, keys, mask)
            noisy_context, noisy_weights = attn(query, noisy, mask)
        case = f"N={N}, S={S}, Hq={Hq}, Hk={Hk}, attn_size={Ha}, lengths {lengths}"
        out[f"weights of {cls_name} for {case}"] = output(weights)
        out[f"context of {cls_name} for {case}"] = output(context)
        out[f"context of {cls_name} for {case}, with 1e4 in every padded key (the padding "
            "must not change it)"] = output(noisy_context)
        zero_at_padding.append(bool((noisy_weights[~mask] == 0).all()))
    out[HOLDS + f"{cls_name} gives the padded positions weight exactly 0, also with huge "
        "values (1e4) in the padded keys"] = np.array(all(zero_at_padding))
    return out


hidden_attention = _hidden_attention("AdditiveAttention", 2061, "hidden_attention")
hidden_dot_attention = _hidden_attention("DotProductAttention", 2062, "hidden_dot_attention")


def hidden_encoder(ns, rng):
    torch = _import_torch()
    out = {}
    for V, E, H, rows in [(6, 3, 2, [[4]]), (12, 5, 3, [[3, 4, 5, 6, 7], [8, 9, 0, 0, 0], [10, 0, 0, 0, 0],
                                                       [5, 5, 11, 0, 0]])]:
        torch.manual_seed(V)
        enc = ns["Encoder"](V, E, H).double()
        src, src_lengths = _lengths_of(torch, rows)
        with torch.no_grad():
            keys, state = enc(src, src_lengths)
        case = f"N={len(rows)}, E={E}, H={H}, lengths {src_lengths.tolist()}"
        out[f"keys of Encoder at the real letters for {case}"] = output(keys[_mask(torch, src_lengths, src.shape[1])])
        out[f"state of Encoder for {case}"] = output(state)
    torch.manual_seed(4)
    enc = ns["Encoder"](10, 3, 4).double()
    src = torch.tensor([[3, 4, _PAD, _PAD, _PAD], [5, _PAD, _PAD, _PAD, _PAD]])
    with torch.no_grad():
        keys, _ = enc(src, torch.tensor([2, 1]))
    out["keys of Encoder for a batch whose longest word (2 letters) is shorter than S = 5 (all S "
        "positions, 0 at the padding: shape (2, 5, 8))"] = output(keys)
    return out


def hidden_decoder(ns, rng):
    torch = _import_torch()
    draw = np.random.default_rng(2063)
    out = {}
    for N, S, V, E, H, Hk, Ha, lengths in [(1, 1, 5, 2, 3, 4, 2, [1]), (4, 5, 9, 4, 2, 6, 3, [5, 2, 1, 4])]:
        torch.manual_seed(N + S)
        dec = ns["Decoder"](V, E, H, Hk, Ha).double()
        prev_token = torch.as_tensor(draw.integers(0, V, size=N))
        state = torch.as_tensor(draw.normal(size=(N, H)))
        keys = torch.as_tensor(draw.normal(size=(N, S, Hk)))
        mask = _mask(torch, torch.tensor(lengths), S)
        with torch.no_grad():
            logits, new_state, weights = dec(prev_token, state, keys, mask)
        case = f"N={N}, S={S}, V={V}, H={H}, Hk={Hk}, lengths {lengths} (your AdditiveAttention inside)"
        out[f"attention weights of Decoder for {case} (is the query the PREVIOUS state?)"] = output(weights)
        out[f"new state of Decoder for {case}"] = output(new_state)
        out[f"logits of Decoder for {case} (out sees [new state; context])"] = output(logits)
    return out


def hidden_seq2seq(ns, rng):
    torch = _import_torch()
    Seq2Seq = ns["Seq2Seq"]
    out = {}
    for seed, src, tgt in [(5, [[3]], [[_EOS]]),
                           (6, [[3, 4, 5], [6, 7, _PAD]], [[3, 5, 4, 6, _EOS], [4, 4, _EOS, _PAD, _PAD]])]:
        model = Seq2Seq(*_toy(torch, seed))
        src, src_lengths = _lengths_of(torch, src)
        tgt = torch.tensor(tgt)
        N, T = tgt.shape
        with torch.no_grad():
            forced = model(src, src_lengths, tgt, teacher_forcing=1.0)
            free = model(src, src_lengths, tgt, teacher_forcing=0.0)
            free_other = model(src, src_lengths, torch.full_like(tgt, 3), teacher_forcing=0.0)
        case = f"Seq2Seq (N={N}, T={T}) on a toy encoder and decoder"
        out[f"logits of {case}, teacher_forcing=1.0 (step 0 fed SOS, step t fed tgt[:, t-1])"] = output(forced)
        out[f"logits of {case}, teacher_forcing=0.0 (step t fed its own argmax of step t-1)"] = output(free)
        out[f"logits of {case}, teacher_forcing=0.0, with tgt all 3 (they must not depend on tgt's "
            "values)"] = output(free_other)
    out.update(_mixed_teacher_forcing(torch, Seq2Seq))
    return out


def _mixed_teacher_forcing(torch, Seq2Seq):
    """0 < teacher_forcing < 1: a decision per example and per step. 200 copies of one word: step 1
    is fed the truth t0 or the own argmax a0, step 2 the truth t1 or the own argmax of step 1; each
    example's step-2 logits must be those of one of the four histories (Seq2Seq's own, fed by
    teacher forcing), all four must occur, and about half must have had the truth at step 1."""
    model = Seq2Seq(*_toy(torch, 7))
    V = model.decoder.out.out_features
    one, one_len = torch.tensor([[3, 4, 5]]), torch.tensor([3])
    every = torch.tensor([[first, second, _EOS] for first in range(V) for second in range(V)])
    with torch.no_grad():
        forced = model(one.repeat(len(every), 1), one_len.repeat(len(every)), every,
                       teacher_forcing=1.0).numpy()
    row = lambda first, second: first * V + second  # noqa: E731
    a0 = int(forced[0, 0].argmax())
    own = {first: int(forced[row(first, 0), 1].argmax()) for first in range(V)}
    t0 = next(i for i in range(3, V) if i != a0)
    t1 = next(i for i in range(3, V) if i not in {own[t0], own[a0]})
    histories = {(first, second): forced[row(first, second), 2]
                 for first in (t0, a0) for second in (t1, own[first])}
    N = 200
    torch.manual_seed(0)
    with torch.no_grad():
        mixed = model(one.repeat(N, 1), one_len.repeat(N), torch.tensor([[t0, t1, _EOS]]).repeat(N, 1),
                      teacher_forcing=0.5).numpy()
    seen = [next((h for h, lg in histories.items() if np.allclose(mixed[n, 2], lg, rtol=1e-7, atol=1e-10)),
                 None) for n in range(N)]
    claim = HOLDS + "Seq2Seq with teacher_forcing=0.5 (toy encoder and decoder, 200 copies of one word) "
    return {
        claim + "feeds each step tgt[:, t-1] or the example's own argmax: every example's logits at "
                "step 2 are those of one history of truth or own-argmax inputs":
            np.array(None not in seen),
        claim + "feeds the truth at step 1 to about half of the examples (30% to 70%; each with "
                "probability 0.5)":
            np.array(bool(0.3 < np.mean([h is not None and h[0] == t0 for h in seen]) < 0.7)),
        claim + "gives all four mixes of truth and own argmax at steps 1 and 2 (a decision per "
                "example AND per step: torch.rand(N) < p at every step)":
            np.array(len(set(seen) - {None}) == 4),
    }


def hidden_edit_distance(ns, rng):
    edit_distance = ns["edit_distance"]
    draw = np.random.default_rng(61)
    pairs = [("".join(draw.choice(list("abc"), size=draw.integers(0, 7))),
              "".join(draw.choice(list("abc"), size=draw.integers(0, 7)))) for _ in range(300)]
    distances = [edit_distance(a, b) for a, b in pairs]
    is_int = all(isinstance(d, (int, np.integer)) and not isinstance(d, (bool, np.bool_)) for d in distances)
    return {
        "edit_distance of 300 random pairs of strings over 'abc', lengths 0 to 6": output(distances),
        "edit_distance([1, 2, 3], (3, 1, 2)) (a list and a tuple)": output(edit_distance([1, 2, 3], (3, 1, 2))),
        "edit_distance('x', 'y')": output(edit_distance("x", "y")),
        "edit_distance('', '')": output(edit_distance("", "")),
        HOLDS + "edit_distance returns an int": np.array(is_int),
    }


def hidden_per(ns, rng):
    per = ns["phoneme_error_rate"]
    draw = np.random.default_rng(62)
    out = {}
    for trial in range(20):
        n = int(draw.integers(1, 8))
        refs = [list(draw.choice(["A", "B", "C"], size=draw.integers(1, 6))) for _ in range(n)]
        preds = [list(draw.choice(["A", "B", "C"], size=draw.integers(0, 6))) for _ in range(n)]
        out[f"phoneme_error_rate of random case {trial} (total edits over total reference length)"] = \
            output(per(preds, refs))
    out["phoneme_error_rate([['X'], 9 right phonemes], [['A'], 9 phonemes]) (total edits over total "
        "length, not the mean of per-word rates)"] = output(per([["X"], list("ABCDEFGHI")],
                                                                [["A"], list("ABCDEFGHI")]))
    out["phoneme_error_rate of an empty prediction (all deletions)"] = output(per([[]], [["A", "B"]]))
    out["phoneme_error_rate of a prediction three times too long (it can exceed 1)"] = \
        output(per([["A", "B", "B"]], [["A"]]))
    return out


def hidden_wer(ns, rng):
    wer = ns["word_error_rate"]
    draw = np.random.default_rng(63)
    out = {}
    for trial in range(20):
        n = int(draw.integers(1, 10))
        refs = [list(draw.choice(["A", "B"], size=draw.integers(1, 4))) for _ in range(n)]
        preds = [list(draw.choice(["A", "B"], size=draw.integers(0, 4))) for _ in range(n)]
        out[f"word_error_rate of random case {trial}"] = output(wer(preds, refs))
    out["word_error_rate of a prefix of the reference (wrong)"] = output(wer([["A"]], [["A", "B"]]))
    out["word_error_rate of a longer prediction (wrong)"] = output(wer([["A", "B"]], [["A"]]))
    out["word_error_rate of integer ids"] = output(wer([[3, 4], [5]], [[3, 4], [6]]))
    out["word_error_rate of tuple predictions against list references (a tuple equal to its list "
        "is right)"] = output(wer([("A", "B"), ("C",)], [["A", "B"], ["D"]]))
    return out


def hidden_greedy(ns, rng):
    torch = _import_torch()
    greedy_decode = ns["greedy_decode"]
    draw = np.random.default_rng(2068)
    out = {}
    for seed, max_len in [(7, 1), (8, 9), (9, 4), (10, 12)]:
        model = _toy_model(torch, seed)
        src, src_lengths = _padded_batch(torch, draw, [6, 1, 3, 6, 2], 3, 8)
        case = f"greedy_decode on a toy model (seed {seed}, max_len={max_len})"
        out[f"{case}, a batch of 5 padded words"] = _padded(greedy_decode(model, src, src_lengths, max_len),
                                                           max_len)
        out[f"{case}, one word (N=1)"] = _padded(greedy_decode(model, src[2:3, :3], src_lengths[2:3], max_len),
                                                 max_len)
    model = _toy_model(torch, 3)
    grad_on = []
    hook = model.decoder.register_forward_pre_hook(lambda m, args: grad_on.append(torch.is_grad_enabled()))
    try:
        greedy_decode(model, torch.tensor([[3, 4, 5]]), torch.tensor([3]), 4)
    finally:
        hook.remove()
    out[HOLDS + "greedy_decode runs the decoder with gradients off (under torch.no_grad())"] = \
        np.array(not any(grad_on))
    return out


def hidden_beam(ns, rng):
    torch = _import_torch()
    beam_search = ns["beam_search"]
    out = {}
    for seed in range(6):  # 4 phoneme ids, at most 4 steps: a beam of 4**4 keeps every hypothesis
        model = _toy_model(torch, 100 + seed, n_letters=6, n_phonemes=4, emb=2, key=6, hidden=3)
        L = 1 + seed % 3
        src, src_lengths = torch.tensor([[3, 4, 5][:L]]), torch.tensor([L])
        out[f"beam_search with a beam wider than every hypothesis (4**4, max_len=4) on a toy model with "
            f"4 phoneme ids (seed {seed}): the best length-normalised output of all"] = \
            _padded(beam_search(model, src, src_lengths, 4 ** 4, 4), 4)
    draw = np.random.default_rng(2069)
    for seed, max_len in [(11, 5), (12, 9), (13, 1)]:
        model = _toy_model(torch, seed)
        src, src_lengths = _padded_batch(torch, draw, [5, 2, 1, 4], 3, 8)
        out[f"beam_search with beam_width=1 on a toy model (seed {seed}, max_len={max_len}, a batch of 4 "
            "padded words): it must equal greedy decoding"] = \
            _padded(beam_search(model, src, src_lengths, 1, max_len), max_len)
    return out


def hidden_trained_model(ns, rng):
    """The notebook's trained ``model``: its parameters, which the grader decodes with."""
    return {PARAMETER + name: value.detach().cpu().numpy().astype(np.float32)
            for name, value in ns["model"].state_dict().items()}


PROBES = {
    "test_AdditiveAttention": [probe_attention, hidden_attention],
    "test_DotProductAttention": [probe_dot_attention, hidden_dot_attention],
    "test_Encoder": [probe_encoder, hidden_encoder],
    "test_Decoder": [probe_decoder, hidden_decoder],
    "test_Seq2Seq": [probe_seq2seq, hidden_seq2seq],
    "test_edit_distance": [probe_edit_distance, hidden_edit_distance],
    "test_phoneme_error_rate": [probe_per, hidden_per],
    "test_word_error_rate": [probe_wer, hidden_wer],
    "test_greedy_decode": [probe_greedy, hidden_greedy],
    "test_beam_search": [probe_beam, hidden_beam],
    "test_trained_model": [hidden_trained_model],
}
