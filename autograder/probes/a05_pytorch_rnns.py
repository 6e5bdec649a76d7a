"""Out-of-process checks for notebook 05 (PyTorch recurrent layers).

The classifier and the forecaster may create their parameters in any order, so
their probes return what every correct implementation shares (shapes, and the
gaps between a batched run and runs one sequence at a time, which are ~0) rather
than raw outputs. The training probe uses its own small model, full-batch, so its
losses do not depend on how the student shuffles.

The ``hidden_*`` probes are the assignment's hidden tests (see ``autograder.probes``), in the
same spirit. Each comparison with an oracle (collate_names' padded tensors, a full-batch Adam
run of a bag-of-characters model, recursive forecasts of a fixed stand-in model) is an output
here, computed by the student's function on the probe's inputs (or the probe's own models)
and compared with the reference solution's at ``TOLERANCE``; so are the shapes, dtypes and
layer sizes. What depends on the order in which a student's module creates its parameters
(logits, forecasts, anything trained with several shuffled batches) is never compared raw:
the hidden tests' checks of those are properties, each a comparison between two runs of the
student's own model (batched vs alone, padding holding other tokens, a shuffled batch, the
head applied to h_n, the same seed twice) or a fact of its structure (the default layer
sizes, every parameter getting a gradient). The hidden test that trained a full
NameClassifier and asked for a test accuracy above 0.5 took seconds per student and caught no
bug the other checks miss; it has no probe.
"""

import functools

import numpy as np

from autograder.probes import HOLDS, output

HIDDEN_TESTS_ARE_PROBES = True

# float32 models: the same arithmetic in another order differs in the last bits
TOLERANCE = dict(rtol=1e-4, atol=1e-5)


def _torch_seed(rng):
    import torch

    torch.manual_seed(int(rng.integers(2**31)))
    return torch.Generator().manual_seed(int(rng.integers(2**31)))


def _random_names(rng, n, alphabet="abcdeé"):
    return ["".join(rng.choice(list(alphabet), size=int(rng.integers(1, 9)))) for _ in range(n)]


def probe_collate_names(ns, rng):
    stoi = {"<pad>": 0, "<unk>": 1, "a": 2, "b": 3, "c": 4, "d": 5}  # "e", "é" are unknown
    batch = [(name, int(rng.integers(0, 5))) for name in _random_names(rng, 7)]
    tokens, lengths, labels = ns["collate_names"](batch, stoi)
    return {"tokens": np.asarray(tokens), "lengths": np.asarray(lengths), "labels": np.asarray(labels)}


def _padding_gaps(model, tokens, lengths):
    """Largest change of the logits: batch vs one name alone, and with 3 more padding columns."""
    import torch

    with torch.no_grad():
        logits = model(tokens, lengths)
        alone = torch.cat([model(tokens[n : n + 1, :L], lengths[n : n + 1])
                           for n, L in enumerate(lengths.tolist())])
        padded = model(torch.cat([tokens, torch.zeros(len(tokens), 3, dtype=torch.long)], 1), lengths)
    return logits, float((logits - alone).abs().max()), float((logits - padded).abs().max())


def probe_NameClassifier(ns, rng):
    import torch

    generator = _torch_seed(rng)
    out = {}
    for cell in ["gru", "lstm"]:
        model = ns["NameClassifier"](vocab_size=10, n_classes=4, emb_dim=5, hidden=6, cell=cell)
        lengths = torch.tensor([int(v) for v in rng.integers(1, 7, size=5)])
        tokens = torch.randint(2, 10, (5, int(lengths.max())), generator=generator)
        tokens[torch.arange(tokens.shape[1]) >= lengths[:, None]] = 0
        logits, alone_gap, padding_gap = _padding_gaps(model, tokens, lengths)
        out[f"{cell}: logits shape"] = np.array(logits.shape)
        out[f"{cell}: batch vs alone within 1e-5"] = np.array(alone_gap < 1e-5)
        out[f"{cell}: extra padding within 1e-5"] = np.array(padding_gap < 1e-5)
    return out


def probe_train_classifier(ns, rng):
    CharCounts, _ = _bag_models()
    _torch_seed(rng)
    stoi = {"<pad>": 0, "<unk>": 1, "a": 2, "b": 3, "c": 4, "d": 5, "e": 6}
    pairs = [(name, int(rng.integers(0, 3))) for name in _random_names(rng, 24, "abcde")]
    model = CharCounts(len(stoi), 3)
    losses = ns["train_classifier"](model, pairs, stoi, epochs=3, batch_size=len(pairs), lr=0.05,
                                    seed=int(rng.integers(100)))
    return {"losses": np.array(losses, dtype=np.float64),
            "weight": model.linear.weight.detach().numpy().copy()}


def probe_Forecaster(ns, rng):
    import torch

    _torch_seed(rng)
    out = {}
    for cell, horizon in [("gru", 1), ("lstm", 3)]:
        model = ns["Forecaster"](hidden=4, horizon=horizon, cell=cell)
        x = torch.tensor(rng.normal(size=(4, int(rng.integers(1, 8)))), dtype=torch.float32)
        with torch.no_grad():
            y = model(x)
            alone = torch.cat([model(x[n : n + 1]) for n in range(len(x))])
        out[f"{cell}: output shape"] = np.array(y.shape)
        out[f"{cell}: horizon"] = np.array(model.horizon)
        out[f"{cell}: batch vs alone within 1e-5"] = np.array(float((y - alone).abs().max()) < 1e-5)
    return out


def probe_forecast(ns, rng):
    import torch
    import torch.nn as nn

    class StandIn(nn.Module):
        def __init__(self, horizon, a, b, c):
            super().__init__()
            self.horizon, self.a, self.b, self.c = horizon, a, b, c

        def forward(self, x):
            level = self.a * x[:, -1:] + self.b * x.mean(dim=1, keepdim=True) + self.c
            return level * torch.arange(1, self.horizon + 1) / self.horizon

    out = {}
    for horizon in [1, 3]:
        a, b, c = (float(v) for v in rng.uniform(-1, 1, size=3))
        history = torch.tensor(rng.normal(size=int(rng.integers(1, 6))), dtype=torch.float32)
        steps = int(rng.integers(1, 8))
        out[f"horizon {horizon}"] = np.asarray(ns["forecast"](StandIn(horizon, a, b, c), history, steps))
    return out


# --- the hidden tests -----------------------------------------------------------------------

LOCALES = ["de_DE", "en_GB", "es_ES", "fi_FI", "fr_FR", "hr_HR", "it_IT", "nl_NL"]  # the notebook's


@functools.lru_cache(maxsize=1)
def _surname_data():
    """The notebook's splits and vocabulary, rebuilt here (immutable: probes cannot change them)."""
    from utils.surnames import char_vocab, surname_splits

    train, val, test, _ = surname_splits(LOCALES, per_locale=350)
    stoi = char_vocab([name for name, _ in train])
    return tuple(train), tuple(val), tuple(test), tuple(stoi.items())


def _surnames():
    """``(train_pairs, val_pairs, stoi)`` as fresh lists and a fresh dict."""
    train, val, _, stoi = _surname_data()
    return list(train), list(val), dict(stoi)


def _close(actual, expected, rtol, atol):
    """Whether two outputs of the student's own model agree (as ``check_array``), NumPy-side."""
    actual, expected = output(actual), output(expected)
    return bool(actual.shape == expected.shape
                and np.all(np.abs(actual - expected) <= atol + rtol * np.abs(expected)))


def _cat(parts):
    """The outputs of one-at-a-time runs, stacked as the batched run's rows."""
    return np.concatenate(parts) if all(part.ndim for part in parts) else np.array(parts)


def _dtype(value):
    return np.array(str(getattr(value, "dtype", type(value).__name__)))


def hidden_collate_names(ns, rng):
    collate_names = ns["collate_names"]
    _, val_pairs, stoi = _surnames()
    hidden_stoi = {"<pad>": 0, "<unk>": 1, "b": 2, "a": 3, "c": 4}
    cases = [
        ("one 1-character name", [("q", 4)], hidden_stoi),
        ("three names of the same length (no padding)", [("abc", 1), ("cab", 0), ("bca", 1)],
         hidden_stoi),
        ("five names, with unknown characters", [("ÿ", 0), ("aß", 2), ("b", 1), ("aaaaaaaa", 0),
                                                 ("ba", 3)], hidden_stoi),
        ("35 validation names with the notebook's stoi", val_pairs[5:40], stoi),
    ]
    out = {}
    for label, batch, use in cases:
        tokens, lengths, labels = collate_names(list(batch), dict(use))
        for name, value in [("tokens", tokens), ("lengths", lengths), ("labels", labels)]:
            out[f"{name} of collate_names for {label}"] = output(value)
            out[f"dtype of {name} of collate_names for {label}"] = _dtype(value)
    return out


def _padded_tokens(lengths, vocab_size, T, generator):
    import torch

    tokens = torch.randint(2, vocab_size, (len(lengths), T), generator=generator)
    tokens[torch.arange(T) >= lengths[:, None]] = 0  # PAD
    return tokens


def hidden_NameClassifier(ns, rng):
    import torch
    import torch.nn as nn

    NameClassifier = ns["NameClassifier"]
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(1)
    out = {}
    for cell in ["gru", "lstm"]:
        label = f"NameClassifier(cell={cell!r})"
        m = NameClassifier(vocab_size=9, n_classes=4, emb_dim=3, hidden=11, cell=cell)
        lens = torch.tensor([2, 7, 1, 7, 4, 3])
        toks = _padded_tokens(lens, 9, 7, g)
        garbage = toks.clone()
        beyond = torch.arange(7) >= lens[:, None]
        garbage[beyond] = torch.randint(2, 9, (int(beyond.sum()),), generator=g)
        perm = torch.tensor([3, 0, 5, 2, 1, 4])
        with torch.no_grad():
            one = output(m(torch.tensor([[5]]), torch.tensor([1])))
            logits = output(m(toks.clone(), lens.clone()))
            alone = [output(m(toks[n : n + 1, :L].clone(), lens[n : n + 1].clone()))
                     for n, L in enumerate(lens.tolist())]
            with_garbage = output(m(garbage, lens.clone()))
            shuffled = output(m(toks[perm], lens[perm]))
        out[f"shape of the logits of {label}(vocab_size=9, n_classes=4) for one 1-character name"] = \
            np.array(one.shape)
        out[f"shape of the logits of {label}(vocab_size=9, n_classes=4) for 6 names"] = np.array(logits.shape)
        out[HOLDS + f"{label}: the logits of each name in a padded batch of 6 equal those of the name "
            "run alone, unpadded (within rtol=1e-5, atol=1e-6)"] = np.array(
            _close(logits, _cat(alone), 1e-5, 1e-6))
        out[HOLDS + f"{label}: the logits do not change when the positions past each length hold "
            "other tokens than PAD"] = np.array(_close(with_garbage, logits, 1e-5, 1e-6))
        out[HOLDS + f"{label}: the logits of a shuffled batch are the batch's logits, shuffled the "
            "same way"] = np.array(logits.ndim == 2 and _close(shuffled, logits[perm.numpy()], 1e-5, 1e-6))
        same = logits.ndim == 2 and len(logits) == 6 and _close(logits[0], logits[1], 1e-5, 1e-6) and \
            _close(logits[1], logits[4], 1e-5, 1e-6)
        out[HOLDS + f"{label}: different names get different logits"] = np.array(not same)
        m.zero_grad()
        m(toks, lens).sum().backward()
        grads = [p.grad for p in m.parameters()]
        out[HOLDS + f"{label}: after backward every parameter has a gradient, not all of them zero"] = \
            np.array(bool(grads) and all(gr is not None for gr in grads)
                     and not all(float(gr.abs().sum()) == 0 for gr in grads))
    defaults = NameClassifier(20, 6)
    out[HOLDS + "NameClassifier(20, 6) (the defaults) has an nn.GRU of hidden=64 units"] = np.array(
        any(isinstance(mod, nn.GRU) and mod.hidden_size == 64 for mod in defaults.modules()))
    # the contract's logits: class scores, not probabilities; read from the LSTM's h_n, not c_n
    # (on one unpadded name, where every correct way to read the last state agrees)
    torch.manual_seed(11)
    clf = NameClassifier(12, 5, emb_dim=4, hidden=6, cell="lstm")
    states = []
    lstms = [mod for mod in clf.modules() if isinstance(mod, nn.LSTM)]
    heads = [mod for mod in clf.modules()
             if isinstance(mod, nn.Linear) and (mod.in_features, mod.out_features) == (6, 5)]
    hook = (lstms[0].register_forward_hook(lambda mod, i, o: states.append(o[1][0]))
            if len(lstms) == 1 else None)
    with torch.no_grad():
        logits = clf(torch.tensor([[3, 4, 5, 6]]), torch.tensor([4]))
    if hook is not None:
        hook.remove()
    logits = output(logits)
    probabilities = bool(np.all((logits >= 0) & (logits <= 1))) and _close(logits.sum(-1), np.ones(1), 1e-5, 1e-8)
    out[HOLDS + "NameClassifier returns logits (class scores before the softmax), not probabilities"] = \
        np.array(not probabilities)
    from_h = True
    if len(states) == 1 and len(heads) == 1:
        with torch.no_grad():
            from_h = _close(logits, heads[0](states[0][-1]), 1e-5, 1e-6)
    out[HOLDS + "NameClassifier(cell='lstm'): the logits are the head applied to the last layer's hidden "
        "state h_n (not the cell state c_n)"] = np.array(from_h)
    return out


def _bag_models():
    """Two models without an RNN (the training tests judge the loop alone): character counts,
    and the same without the PAD column (its output does not depend on how a batch is padded)."""
    import torch.nn as nn
    import torch.nn.functional as F

    class CharCounts(nn.Module):
        def __init__(self, vocab_size, n_classes):
            super().__init__()
            self.linear = nn.Linear(vocab_size, n_classes)

        def forward(self, tokens, lengths):
            counts = F.one_hot(tokens, self.linear.in_features).float().sum(1)
            return self.linear(counts / lengths[:, None])

    class Letters(CharCounts):
        def forward(self, tokens, lengths):
            counts = F.one_hot(tokens, self.linear.in_features).float().sum(1)
            counts[:, 0] = 0  # PAD
            return self.linear(counts / lengths[:, None])

    return CharCounts, Letters


def hidden_train_classifier(ns, rng):
    import copy

    import torch

    train_classifier = ns["train_classifier"]
    train_pairs, val_pairs, stoi = _surnames()
    n_classes = len(LOCALES)
    CharCounts, Letters = _bag_models()
    out = {}
    torch.manual_seed(2)
    model = CharCounts(len(stoi), n_classes)
    losses = train_classifier(model, val_pairs[:100], dict(stoi), epochs=4, batch_size=500, lr=0.1, seed=5)
    run = "4 full-batch epochs of train_classifier (100 names, batch_size=500, Adam lr=0.1)"
    out[f"losses of {run}"] = output(losses)
    for name, p in model.named_parameters():
        out[f"{name} of a bag-of-characters model after {run}"] = output(p)
    # the same seed gives the same run, another seed another order (several batches per epoch)
    torch.manual_seed(4)
    first = CharCounts(len(stoi), n_classes)
    second, third = copy.deepcopy(first), copy.deepcopy(first)
    run_a = output(train_classifier(first, train_pairs[:90], dict(stoi), epochs=2, batch_size=16,
                                    lr=0.05, seed=7))
    torch.manual_seed(123)  # the order must come from `seed`, not from torch's global generator
    run_b = output(train_classifier(second, train_pairs[:90], dict(stoi), epochs=2, batch_size=16,
                                    lr=0.05, seed=7))
    run_c = output(train_classifier(third, train_pairs[:90], dict(stoi), epochs=2, batch_size=16,
                                    lr=0.05, seed=8))
    out[HOLDS + "train_classifier gives the same losses for the same seed (7), whatever torch's global "
        "seed (90 names, batches of 16)"] = np.array(_close(run_b, run_a, 1e-6, 1e-8))
    out[HOLDS + "train_classifier gives other losses for seeds 7 and 8 (each epoch's order comes from a "
        "torch.Generator seeded with `seed`)"] = np.array(not _close(run_c, run_a, 1e-9, 0))
    # lr = 0 leaves the model as it is: an epoch's mean loss is the mean over all pairs
    torch.manual_seed(5)
    frozen = Letters(len(stoi), n_classes)
    out["loss of one epoch of train_classifier at lr=0 (100 names in batches of 32, 32, 32 and 4: "
        "the mean over every pair)"] = output(
        train_classifier(frozen, train_pairs[:100], dict(stoi), epochs=1, batch_size=32, lr=0.0, seed=0))
    return out


def hidden_Forecaster(ns, rng):
    import torch
    import torch.nn as nn

    Forecaster = ns["Forecaster"]
    torch.manual_seed(1)
    out = {}
    for cell in ["gru", "lstm"]:
        label = f"Forecaster(hidden=3, horizon=2, cell={cell!r})"
        m = Forecaster(hidden=3, horizon=2, cell=cell)
        short, single, x = torch.randn(4, 1), torch.randn(1, 9), torch.randn(5, 6)
        x2 = x.clone()
        x2[2, -1] += 1.0  # the latest value of window 2 only
        with torch.no_grad():
            out[f"shape of the output of {label} for 4 windows of length 1"] = np.array(output(m(short)).shape)
            out[f"shape of the output of {label} for one window of length 9"] = np.array(output(m(single)).shape)
            y = output(m(x.clone()))
            alone = [output(m(x[n : n + 1].clone())) for n in range(5)]
            y2 = output(m(x2))
        out[HOLDS + f"{label}: each of 5 windows of length 6 gets the forecast it gets alone (within "
            "rtol=1e-5, atol=1e-6)"] = np.array(_close(y, _cat(alone), 1e-5, 1e-6))
        ok = y.shape == (5, 2) and y2.shape == (5, 2)
        out[HOLDS + f"{label}: the forecast of a window changes with the window's latest value"] = \
            np.array(ok and not _close(y2[2], y[2], 1e-5, 1e-7))
        out[HOLDS + f"{label}: changing window 2 leaves the other windows' forecasts as they are"] = \
            np.array(ok and _close(y2[[0, 1, 3, 4]], y[[0, 1, 3, 4]], 1e-5, 1e-6))
        m.zero_grad()
        m(x).sum().backward()
        out[HOLDS + f"{label}: after backward every parameter has a gradient"] = np.array(
            all(p.grad is not None for p in m.parameters()))
    default = Forecaster()
    out["horizon of Forecaster() (the defaults)"] = output(default.horizon)
    out[HOLDS + "Forecaster() (the defaults) has a one-feature nn.GRU of 32 units"] = np.array(
        any(isinstance(mod, nn.GRU) and mod.hidden_size == 32 and mod.input_size == 1
            for mod in default.modules()))
    # `hidden` units, and the head reads the last step's state
    torch.manual_seed(12)
    for cell, layer in [("gru", nn.GRU), ("lstm", nn.LSTM)]:
        label = f"Forecaster(hidden=7, horizon=3, cell={cell!r})"
        f = Forecaster(hidden=7, horizon=3, cell=cell)
        rnns = [mod for mod in f.modules() if isinstance(mod, layer)]
        out[f"hidden_size of each nn.{layer.__name__} in {label}"] = output([mod.hidden_size for mod in rnns])
        states = []  # h_n of the last layer: the state after the last value, however the layer is laid out
        hook = (rnns[0].register_forward_hook(
            lambda mod, i, o: states.append((o[1][0] if isinstance(o[1], tuple) else o[1])[-1]))
            if len(rnns) == 1 else None)
        with torch.no_grad():
            y = f(torch.randn(4, 6))
        if hook is not None:
            hook.remove()
        heads = [mod for mod in f.modules()
                 if isinstance(mod, nn.Linear) and (mod.in_features, mod.out_features) == (7, 3)]
        from_last = True
        if len(heads) == 1 and len(states) == 1:
            with torch.no_grad():
                from_last = _close(y, heads[0](states[0]), 1e-5, 1e-6)
        out[HOLDS + f"{label}: the forecast is the head applied to the state after the window's last "
            "value (h_n of the last layer)"] = np.array(from_last)
    return out


def hidden_forecast(ns, rng):
    import torch
    import torch.nn as nn

    forecast = ns["forecast"]

    class StandIn(nn.Module):
        def __init__(self, horizon, a, b, c):
            super().__init__()
            self.horizon, self.a, self.b, self.c = horizon, a, b, c

        def forward(self, x):
            level = self.a * x[:, -1:] + self.b * x.mean(dim=1, keepdim=True) + self.c
            return level * torch.arange(1, self.horizon + 1) / self.horizon

    hrng = np.random.default_rng(7)
    out = {}
    for W, horizon, steps in [(1, 1, 5), (1, 2, 5), (6, 4, 4), (6, 4, 9), (3, 1, 1), (2, 5, 12), (8, 3, 2)]:
        a, b, c = (float(v) for v in hrng.uniform(-1, 1, size=3))
        history = torch.tensor(hrng.normal(size=W).astype(np.float32))
        out[f"forecast of a fixed stand-in model for W={W}, horizon={horizon}, steps={steps}"] = output(
            forecast(StandIn(horizon, a, b, c), history, steps))
    result = forecast(StandIn(2, 0.9, 0.3, 0.1), np.linspace(0.0, 1.0, 5), 3)
    out[HOLDS + "forecast returns a torch tensor"] = np.array(isinstance(result, torch.Tensor))
    out["dtype of forecast's result for a float64 NumPy history"] = _dtype(result)
    return out


PROBES = {
    "test_collate_names": [probe_collate_names, hidden_collate_names],
    "test_NameClassifier": [probe_NameClassifier, hidden_NameClassifier],
    "test_train_classifier": [probe_train_classifier, hidden_train_classifier],
    "test_Forecaster": [probe_Forecaster, hidden_Forecaster],
    "test_forecast": [probe_forecast, hidden_forecast],
}
