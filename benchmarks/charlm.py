"""Model quality per CPU-minute: character-level RNN vs LSTM vs GRU after the same CPU time.

The models of ``utils.char_models`` (one-hot letters -> recurrent layer -> linear) on the
``utils.charlm`` corpus, same hidden size, batches, optimiser and learning rate; only
the cell changes. Each trains on one thread for a budget of CPU seconds of its own
process (``time.process_time``, so other programs on the machine do not eat into it),
and its validation loss (nats per character) is measured at fixed fractions of it.
"""

import time

HIDDEN, BATCH, LR, CLIP, VAL_WORDS = 128, 32, 1e-2, 1.0, 2000
CELLS = ("rnn", "lstm", "gru")


def train_for(cell, cpu_seconds, marks, data, seed=0):
    """Train one model for ``cpu_seconds``; validation loss at each budget in ``marks``."""
    import numpy as np
    import torch

    from utils.char_models import CharModel, count_parameters, evaluate, masked_loss
    from utils.charlm import batches

    train, val, stoi = data
    torch.manual_seed(seed)
    model = CharModel(len(stoi), HIDDEN, cell)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    stream = batches(train, stoi, BATCH, np.random.default_rng(seed))
    curve = [dict(cpu_s=0.0, steps=0, val=evaluate(model, val, stoi))]
    spent, steps = 0.0, 0
    for mark in marks:
        while spent < mark:
            x, y, mask = (torch.as_tensor(a) for a in next(stream))
            tic = time.process_time()
            loss = masked_loss(model(x)[0], y, mask)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            optimizer.step()
            spent += time.process_time() - tic
            steps += 1
        curve.append(dict(cpu_s=spent, steps=steps, val=evaluate(model, val, stoi)))
    return dict(cell=cell, parameters=count_parameters(model), curve=curve)


def measure(quick=False):
    """The charlm section."""
    import torch

    from utils.charlm import char_vocab, load_corpus

    budget = 6 if quick else 60
    marks = [budget / 4, budget / 2, budget]
    train, val, _ = load_corpus()
    stoi, _ = char_vocab(train)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rows = []
        for cell in CELLS:
            print(f"  training the {cell.upper()} character model for {budget} CPU-s", flush=True)
            rows.append(train_for(cell, budget, marks, (train, val[:VAL_WORDS], stoi)))
            print(f"    validation loss {rows[-1]['curve'][-1]['val']:.3f} nats/char "
                  f"after {rows[-1]['curve'][-1]['steps']} steps", flush=True)
    finally:
        torch.set_num_threads(threads)
    return dict(rows=rows, cpu_budget_s=budget, hidden=HIDDEN, batch=BATCH, lr=LR,
                val_words=VAL_WORDS, threads=1)
