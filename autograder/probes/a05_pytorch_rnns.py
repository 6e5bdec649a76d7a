"""Out-of-process checks for notebook 05 (PyTorch recurrent layers).

The classifier and the forecaster may create their parameters in any order, so
their probes return what every correct implementation shares (shapes, and the
gaps between a batched run and runs one sequence at a time, which are ~0) rather
than raw outputs. The training probe uses its own small model, full-batch, so its
losses do not depend on how the student shuffles.
"""

import numpy as np

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
    import torch.nn as nn
    import torch.nn.functional as F

    class CharCounts(nn.Module):
        def __init__(self, vocab_size, n_classes):
            super().__init__()
            self.linear = nn.Linear(vocab_size, n_classes)

        def forward(self, tokens, lengths):
            counts = F.one_hot(tokens, self.linear.in_features).float().sum(1)
            return self.linear(counts / lengths[:, None])

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


PROBES = {
    "test_collate_names": [probe_collate_names],
    "test_NameClassifier": [probe_NameClassifier],
    "test_train_classifier": [probe_train_classifier],
    "test_Forecaster": [probe_Forecaster],
    "test_forecast": [probe_forecast],
}
