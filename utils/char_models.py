"""PyTorch character-level language models on the ``utils.charlm`` corpus.

The baselines that notebooks 03 and 04 compare their NumPy layers with: the same
one-hot input, the same masked loss and the same batches, only the recurrent
cell changes. Notebook 01's graded RNN is not here; ``torch.nn.RNN`` stands in.

    from utils.charlm import load_corpus, char_vocab
    from utils.char_models import CharModel, train_char_model
    train, val, _ = load_corpus()
    stoi, itos = char_vocab(train)
    model = CharModel(len(itos), hidden_size=64, cell="lstm")
    curves = train_char_model(model, train, val[:2000], stoi, steps=500)
    curves["step"], curves["train"], curves["val"], curves["seconds"]
"""

import time

import numpy as np
import torch
from torch import nn

from utils.charlm import BOUNDARY, batches, encode_words
from utils.training import progress

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class CharModel(nn.Module):
    """One-hot characters -> recurrent layer -> linear scores over the vocabulary.

    ``cell`` is ``"rnn"`` (tanh), ``"lstm"`` or ``"gru"``. ``forward(x)`` maps
    ``x (N, T)`` int to scores ``(N, T, V)``.
    """

    def __init__(self, vocab_size, hidden_size, cell="lstm", num_layers=1):
        super().__init__()
        self.vocab_size, self.cell = vocab_size, cell
        self.rnn = CELLS[cell](vocab_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        out, state = self.rnn(nn.functional.one_hot(x, self.vocab_size).float(), state)
        return self.head(out), state


def count_parameters(model):
    """Number of trainable parameters of a torch module."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def masked_loss(scores, y, mask):
    """Mean cross-entropy over the positions where ``mask`` is true."""
    return nn.functional.cross_entropy(scores[mask], y[mask])


@torch.no_grad()
def evaluate(model, words, stoi, batch_size=2048):
    """Mean loss per predicted character (nats) of ``model`` on all of ``words``."""
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(words), batch_size):
        x, y, mask = (torch.as_tensor(a) for a in encode_words(words[start:start + batch_size], stoi))
        scores, _ = model(x)
        total += nn.functional.cross_entropy(scores[mask], y[mask], reduction="sum").item()
        count += int(mask.sum())
    model.train()
    return total / count


def train_char_model(model, train_words, val_words, stoi, steps, *, batch_size=32, lr=1e-2,
                     clip=1.0, eval_every=None, seed=0, desc=None):
    """Train ``model`` with Adam on random batches of ``train_words``; return its curves.

    Returns ``{"step": [...], "train": [...], "val": [...], "seconds": float}``:
    the validation loss (``evaluate`` on ``val_words``) at step 0 and every
    ``eval_every`` steps (default ``steps // 20``) and at the end, the training
    loss averaged over the steps since the previous evaluation (the step-0 value
    is the first batch's loss), and the wall time of the training steps alone.
    Global-norm clipping at ``clip`` (``None``: off). Seeded by ``seed``.
    """
    torch.manual_seed(seed)
    stream = batches(train_words, stoi, batch_size, np.random.default_rng(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    eval_every = eval_every or max(1, steps // 20)
    curves = {"step": [], "train": [], "val": [], "seconds": 0.0}
    recent = []
    for step in progress(range(steps + 1), desc=desc or model.__class__.__name__):
        if step % eval_every == 0 or step == steps:
            curves["step"].append(step)
            curves["val"].append(evaluate(model, val_words, stoi))
        x, y, mask = (torch.as_tensor(a) for a in next(stream))
        tic = time.perf_counter()
        loss = masked_loss(model(x)[0], y, mask)
        if step < steps:
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
        curves["seconds"] += time.perf_counter() - tic
        recent.append(loss.item())
        if len(curves["train"]) < len(curves["step"]):
            curves["train"].append(float(np.mean(recent)))
            recent = []
    return curves


@torch.no_grad()
def sample_words(model, itos, n, seed=0, max_len=20):
    """``n`` words drawn from ``model`` character by character, starting from the boundary."""
    generator = torch.Generator().manual_seed(seed)
    model.eval()
    x = torch.zeros(n, 1, dtype=torch.long)  # the boundary "." starts every word
    state, words, done = None, [""] * n, [False] * n
    for _ in range(max_len):
        scores, state = model(x, state)
        x = torch.multinomial(scores[:, -1].softmax(-1), 1, generator=generator)
        for i, c in enumerate(x[:, 0].tolist()):
            done[i] = done[i] or itos[c] == BOUNDARY
            words[i] += "" if done[i] else itos[c]
        if all(done):
            break
    model.train()
    return words
