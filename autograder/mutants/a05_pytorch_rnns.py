"""Mutation suite for notebook 05 (PyTorch recurrent layers: names and sunspots).

Bugs of variable-length batches (padding reaching the GRU, enforce_sorted, the padded
output[:, -1], an LSTM's c_n read for its h_n, rows left in length order), of the training
loop (the seed ignored, the last batch's loss, an unweighted mean, Adam re-created every
epoch) and of recursive forecasting; and correct alternatives (pad_sequence, a DataLoader,
masking instead of packing, a time-major layer, a list-based sliding window).
"""

from autograder.mutants import Mutant

MUTANTS = [
    # --- collate_names ---------------------------------------------------------------------
    Mutant(
        function="collate_names",
        find="stoi.get(c, UNK)",
        replace="stoi.get(c, PAD)",
        correct=False,
        why="maps unknown characters to PAD instead of UNK",
    ),
    Mutant(
        function="collate_names",
        find="tokens = torch.full((len(names), int(lengths.max())), PAD)",
        replace="tokens = torch.zeros(len(names), int(lengths.max()))  # PAD is 0",
        correct=False,
        why="allocates the tokens with torch.zeros: a float tensor, not long (nn.Embedding "
            "rejects it)",
    ),
    Mutant(
        function="collate_names",
        find="    names = [name for name, _ in batch]\n",
        replace="    batch = sorted(batch, key=lambda pair: len(pair[0]), reverse=True)  # longest first\n"
                "    names = [name for name, _ in batch]\n",
        correct=False,
        why="sorts the pairs by length (labels kept aligned) although the contract keeps the "
            "batch's order",
    ),
    Mutant(
        function="collate_names",
        find="tokens[n, : len(name)] =",
        replace="tokens[n, -len(name):] =",
        correct=False,
        why="left-pads: the padding comes before the name instead of after its end",
    ),
    Mutant(
        function="collate_names",
        find="int(lengths.max())",
        replace="int(lengths.max()) + 1",
        correct=False,
        why="one padding column too many (room for an end token): T_max must be the longest name",
    ),
    Mutant(
        function="collate_names",
        find="""    tokens = torch.full((len(names), int(lengths.max())), PAD)
    for n, name in enumerate(names):
        tokens[n, : len(name)] = torch.tensor([stoi.get(c, UNK) for c in name])
""",
        replace="""    from torch.nn.utils.rnn import pad_sequence
    tokens = pad_sequence([torch.tensor([stoi.get(c, UNK) for c in name], dtype=torch.long)
                           for name in names], batch_first=True, padding_value=PAD)
""",
        correct=True,
        why="torch.nn.utils.rnn.pad_sequence(batch_first=True, padding_value=PAD)",
    ),
    Mutant(
        function="collate_names",
        find="""    names = [name for name, _ in batch]
    lengths = torch.tensor([len(name) for name in names])
    tokens = torch.full((len(names), int(lengths.max())), PAD)
    for n, name in enumerate(names):
        tokens[n, : len(name)] = torch.tensor([stoi.get(c, UNK) for c in name])
    labels = torch.tensor([label for _, label in batch])
""",
        replace="""    lengths_np = np.array([len(name) for name, _ in batch], dtype=np.int64)
    ids = np.full((len(batch), lengths_np.max()), PAD, dtype=np.int64)
    for n, (name, _) in enumerate(batch):
        for t, c in enumerate(name):
            ids[n, t] = stoi[c] if c in stoi else UNK
    tokens, lengths = torch.from_numpy(ids), torch.from_numpy(lengths_np)
    labels = torch.as_tensor(np.array([label for _, label in batch], dtype=np.int64))
""",
        correct=True,
        why="fills int64 NumPy arrays character by character, then torch.from_numpy",
    ),
    # --- NameClassifier --------------------------------------------------------------------
    Mutant(
        function="NameClassifier",
        find="lengths.cpu(), batch_first=True,\n                                      enforce_sorted=False)",
        replace="lengths.cpu(), batch_first=True)",
        correct=False,
        why="forgets enforce_sorted=False: packing a batch not sorted by length raises",
    ),
    Mutant(
        function="NameClassifier",
        find="""        _, h_n = self.rnn(packed)
        if isinstance(h_n, tuple):  # an LSTM returns (h_n, c_n)
            h_n = h_n[0]
        return self.head(h_n[-1])""",
        replace="""        output, _ = self.rnn(packed)
        output, _ = pad_packed_sequence(output, batch_first=True)
        return self.head(output[:, -1])  # the last step""",
        correct=False,
        why="packs, but classifies output[:, -1] of the re-padded output: for a name shorter "
            "than the batch's longest that is padding (zeros), not its last state",
    ),
    Mutant(
        function="NameClassifier",
        find="h_n = h_n[0]",
        replace="h_n = h_n[1]",
        correct=False,
        why="suspect: for the LSTM classifies the cell state c_n instead of h_n (the markdown: "
            "'an LSTM returns (h_n, c_n): you want h_n'); c_n is padding-free too",
    ),
    Mutant(
        function="NameClassifier",
        find="return self.head(h_n[-1])",
        replace="return self.head(h_n[-1]).softmax(dim=-1)",
        correct=False,
        why="suspect: returns class probabilities instead of the contract's logits "
            "(F.cross_entropy then applies a second softmax)",
    ),
    Mutant(
        function="NameClassifier",
        find="""        packed = pack_padded_sequence(self.embedding(tokens), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
""",
        replace="""        order = lengths.argsort(descending=True)  # pack wants the longest first
        packed = pack_padded_sequence(self.embedding(tokens[order]), lengths[order].cpu(),
                                      batch_first=True)
""",
        correct=False,
        why="sorts the batch by length to pack it and returns the logits in that sorted order",
    ),
    Mutant(
        function="NameClassifier",
        find='self.rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell](emb_dim, hidden, batch_first=True)',
        replace="self.rnn = nn.GRU(emb_dim, hidden, batch_first=True)",
        correct=False,
        why="ignores `cell`: always a GRU",
    ),
    Mutant(
        function="NameClassifier",
        find="""        self.embedding = nn.Embedding(vocab_size, emb_dim, padding_idx=PAD)
        self.rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell](emb_dim, hidden, batch_first=True)
""",
        replace="""        self.embedding = nn.Embedding(vocab_size, emb_dim)
        self.rnn = nn.LSTM(emb_dim, hidden) if cell == "lstm" else nn.GRU(emb_dim, hidden)
""",
        correct=True,
        why="no padding_idx and no batch_first on the layer: the packed input carries its own "
            "layout (pack_padded_sequence is told batch_first) and h_n is (layers, N, H) either way",
    ),
    Mutant(
        function="NameClassifier",
        find="""        packed = pack_padded_sequence(self.embedding(tokens), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, h_n = self.rnn(packed)
        if isinstance(h_n, tuple):  # an LSTM returns (h_n, c_n)
            h_n = h_n[0]
        return self.head(h_n[-1])""",
        replace="""        order = torch.argsort(lengths, descending=True)
        packed = pack_padded_sequence(self.embedding(tokens[order]), lengths[order].cpu(),
                                      batch_first=True, enforce_sorted=True)
        _, h_n = self.rnn(packed)
        if isinstance(self.rnn, nn.LSTM):
            h_n, _ = h_n
        last = torch.empty_like(h_n[-1])
        last[order] = h_n[-1]  # back to the batch's order
        return self.head(last)""",
        correct=True,
        why="sorts by length itself, packs with enforce_sorted=True and scatters h_n back to "
            "the batch's order",
    ),
    Mutant(
        function="NameClassifier",
        find="""        packed = pack_padded_sequence(self.embedding(tokens), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, h_n = self.rnn(packed)
        if isinstance(h_n, tuple):  # an LSTM returns (h_n, c_n)
            h_n = h_n[0]
        return self.head(h_n[-1])""",
        replace="""        output, _ = self.rnn(self.embedding(tokens))  # padded run, one direction
        last = output[torch.arange(len(tokens)), lengths - 1]  # the state after each last letter
        return self.head(last)""",
        correct=True,
        why="masking instead of packing (section 2): runs the padded batch and picks "
            "output[range(N), lengths - 1]; a one-directional layer's state there has not "
            "seen the padding, so the logits equal the packed h_n's",
    ),
    # --- train_classifier ------------------------------------------------------------------
    Mutant(
        function="train_classifier",
        find="torch.randperm(len(pairs), generator=generator)",
        replace="torch.randperm(len(pairs))",
        correct=False,
        why="suspect: ignores the seed: shuffles with the global RNG instead of the Generator "
            "seeded with `seed` (runs do not repeat for a given seed)",
    ),
    Mutant(
        function="train_classifier",
        find="losses.append(total / len(pairs))",
        replace="losses.append(loss.item())",
        correct=False,
        why="suspect: returns the last batch's loss of each epoch instead of the epoch mean",
    ),
    Mutant(
        function="train_classifier",
        find="""            total += loss.item() * len(batch)
        losses.append(total / len(pairs))""",
        replace="""            total += loss.item()
        losses.append(total / -(-len(pairs) // batch_size))  # mean over the batches""",
        correct=False,
        why="suspect: unweighted mean of the batch losses: the smaller last batch counts as "
            "much as a full one (the contract weights batch losses by batch size)",
    ),
    Mutant(
        function="train_classifier",
        find="losses.append(total / len(pairs))",
        replace="losses.append(total)",
        correct=False,
        why="returns the summed loss over the epoch's names instead of the mean",
    ),
    Mutant(
        function="train_classifier",
        find="F.cross_entropy(model(tokens, lengths), labels)",
        replace="F.cross_entropy(model(tokens, lengths).softmax(dim=-1), labels)",
        correct=False,
        why="passes probabilities to F.cross_entropy, which applies its own softmax",
    ),
    Mutant(
        function="train_classifier",
        find="""    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    bar = progress(range(epochs), desc="training")
    for _ in bar:
        total = 0.0
""",
        replace="""    losses = []
    bar = progress(range(epochs), desc="training")
    for _ in bar:
        total = 0.0
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
""",
        correct=False,
        why="creates the Adam optimiser inside the epoch loop: its moments restart every epoch",
    ),
    Mutant(
        function="train_classifier",
        find="            tokens, lengths, labels = collate_names(",
        replace="            if len(batch) < batch_size:\n"
                "                continue  # drop the incomplete last batch\n"
                "            tokens, lengths, labels = collate_names(",
        correct=False,
        why="drops the smaller last batch (the contract: every pair once per epoch, the last "
            "batch may be smaller)",
    ),
    Mutant(
        function="train_classifier",
        find="""    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    bar = progress(range(epochs), desc="training")
    for _ in bar:
        total = 0.0
        for batch in torch.randperm(len(pairs), generator=generator).split(batch_size):
            tokens, lengths, labels = collate_names([pairs[i] for i in batch.tolist()], stoi)
            loss = F.cross_entropy(model(tokens, lengths), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(pairs))
        bar.set_postfix(loss=f"{losses[-1]:.3f}")
    return losses""",
        replace="""    from torch.utils.data import DataLoader
    from tqdm import tqdm
    generator = torch.Generator()
    generator.manual_seed(seed)
    loader = DataLoader(pairs, batch_size=batch_size, shuffle=True, generator=generator,
                        collate_fn=lambda chunk: collate_names(chunk, stoi))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in tqdm(range(epochs), desc="training"):
        seen, total = 0, 0.0
        for tokens, lengths, labels in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(tokens, lengths), labels)
            loss.backward()
            optimizer.step()
            total += float(loss) * len(labels)
            seen += len(labels)
        losses.append(total / seen)
    return losses""",
        correct=True,
        why="a torch.utils.data.DataLoader (shuffle=True with the seeded Generator, "
            "collate_names as collate_fn), float(loss) and a plain tqdm bar",
    ),
    Mutant(
        function="train_classifier",
        find="""    for _ in bar:
        total = 0.0
        for batch in torch.randperm(len(pairs), generator=generator).split(batch_size):
            tokens, lengths, labels = collate_names([pairs[i] for i in batch.tolist()], stoi)
            loss = F.cross_entropy(model(tokens, lengths), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(pairs))""",
        replace="""    for _ in bar:
        order = torch.randperm(len(pairs), generator=generator).tolist()
        batch_losses, sizes = [], []
        for start in range(0, len(order), batch_size):
            chunk = [pairs[i] for i in order[start:start + batch_size]]
            tokens, lengths, labels = collate_names(chunk, stoi)
            summed = F.cross_entropy(model(tokens, lengths), labels, reduction="sum")
            optimizer.zero_grad()
            (summed / len(chunk)).backward()
            optimizer.step()
            batch_losses.append(summed.item() / len(chunk))
            sizes.append(len(chunk))
        losses.append(np.average(batch_losses, weights=sizes))  # a NumPy float64""",
        correct=True,
        why="slices the permutation by hand, sums the loss and divides by the batch size, and "
            "takes np.average weighted by batch size (a np.float64, a subclass of float)",
    ),
    # --- Forecaster ------------------------------------------------------------------------
    Mutant(
        function="Forecaster",
        find="(1, hidden, batch_first=True)",
        replace="(1, hidden)",
        correct=False,
        why="forgets batch_first=True: the layer reads (N, W, 1) as time-major, so the windows "
            "of a batch become one another's time steps",
    ),
    Mutant(
        function="Forecaster",
        find="return self.head(output[:, -1])",
        replace="return self.head(output[:, 0])",
        correct=False,
        why="maps the state after the first value of the window instead of the last",
    ),
    Mutant(
        function="Forecaster",
        find="x.unsqueeze(-1)",
        replace="x.unsqueeze(1)",
        correct=False,
        why="unsqueezes the wrong axis: (N, 1, W) is one step of W features",
    ),
    Mutant(
        function="Forecaster",
        find="""        self.rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell](1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, horizon)""",
        replace="""        self.rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell](1, 32, batch_first=True)
        self.head = nn.Linear(32, horizon)""",
        correct=False,
        why="suspect: hard-codes 32 hidden units and ignores `hidden` (the default happens to be 32)",
    ),
    Mutant(
        function="Forecaster",
        find="""        output, _ = self.rnn(x.unsqueeze(-1))
        return self.head(output[:, -1])""",
        replace="""        _, h_n = self.rnn(x.unsqueeze(-1))
        if isinstance(h_n, tuple):  # an LSTM returns (h_n, c_n)
            h_n = h_n[1]
        return self.head(h_n[-1])""",
        correct=False,
        why="suspect: for the LSTM maps the cell state c_n instead of the last hidden state",
    ),
    Mutant(
        function="Forecaster",
        find="return self.head(output[:, -1])",
        replace="return self.head(output.mean(dim=1))  # summary of the whole window",
        correct=False,
        why="suspect: maps the mean of the states over the window instead of the last hidden state",
    ),
    Mutant(
        function="Forecaster",
        find="""        output, _ = self.rnn(x.unsqueeze(-1))
        return self.head(output[:, -1])""",
        replace="""        _, h_n = self.rnn(x[:, :, None])
        if isinstance(h_n, tuple):  # an LSTM returns (h_n, c_n)
            h_n = h_n[0]
        return self.head(h_n[-1])""",
        correct=True,
        why="maps h_n[-1] (h_n of an LSTM's (h_n, c_n)), the same state as output[:, -1]",
    ),
    Mutant(
        function="Forecaster",
        find="""        self.rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell](1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, horizon)

    def forward(self, x):
        output, _ = self.rnn(x.unsqueeze(-1))
        return self.head(output[:, -1])""",
        replace="""        layer = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = layer(input_size=1, hidden_size=hidden)  # time-major
        self.head = nn.Linear(hidden, horizon)

    def forward(self, x):
        output, _ = self.rnn(x.T.unsqueeze(-1))  # (W, N, 1)
        return self.head(output[-1])""",
        correct=True,
        why="a time-major layer (no batch_first) fed x.T.unsqueeze(-1), (W, N, 1), reading output[-1]",
    ),
    Mutant(
        function="Forecaster",
        find="return self.head(output[:, -1])",
        replace="return self.head(output)[:, -1]",
        correct=True,
        why="applies the linear layer at every step, then keeps the last step's values",
    ),
    # --- forecast --------------------------------------------------------------------------
    Mutant(
        function="forecast",
        find="window = torch.cat([window, new])[-len(history):]",
        replace="window[:] = torch.cat([window, new])[-len(window):]  # slide in place",
        correct=False,
        why="slides the window in place: torch.as_tensor shares memory with a float32 history, "
            "which the function then overwrites",
    ),
    Mutant(
        function="forecast",
        find="return torch.cat(predictions)[:steps]",
        replace="return torch.cat(predictions)",
        correct=False,
        why="returns every value of the last call, more than `steps` when horizon does not divide it",
    ),
    Mutant(
        function="forecast",
        find="new = model(window[None])[0]",
        replace="new = model(window[None])[0, :1]  # one step at a time",
        correct=False,
        why="keeps only the first value of each call, so a direct (horizon > 1) model is used recursively",
    ),
    Mutant(
        function="forecast",
        find="window = torch.as_tensor(history, dtype=torch.float32)",
        replace="window = torch.as_tensor(history)",
        correct=False,
        why="suspect: keeps the history's dtype: a float64 NumPy history gives a float64 result "
            "(the contract: float32) and crashes a float32 model",
    ),
    Mutant(
        function="forecast",
        find="return torch.cat(predictions)[:steps]",
        replace="return torch.cat(predictions)[:steps].numpy()",
        correct=False,
        why="suspect: returns a NumPy array instead of the (steps,) float32 tensor of the contract",
    ),
    Mutant(
        function="forecast",
        find="window = torch.cat([window, new])[-len(history):]",
        replace="window = torch.cat([window, new])[:len(history)]",
        correct=False,
        why="keeps the oldest values when the window slides: the model always sees the same history",
    ),
    Mutant(
        function="forecast",
        find="""    window = torch.as_tensor(history, dtype=torch.float32)
    predictions, made = [], 0
    while made < steps:
        new = model(window[None])[0]
        predictions.append(new)
        made += len(new)
        window = torch.cat([window, new])[-len(history):]
    return torch.cat(predictions)[:steps]""",
        replace="""    window = [float(v) for v in history]
    width, out = len(window), []
    while len(out) < steps:
        new = model(torch.tensor([window], dtype=torch.float32))[0].tolist()
        out += new
        window = (window + new)[-width:]
    return torch.tensor(out[:steps], dtype=torch.float32)""",
        correct=True,
        why="a Python list as the window, one (1, W) tensor per call",
    ),
    Mutant(
        function="forecast",
        find="""    window = torch.as_tensor(history, dtype=torch.float32)
    predictions, made = [], 0
    while made < steps:
        new = model(window[None])[0]
        predictions.append(new)
        made += len(new)
        window = torch.cat([window, new])[-len(history):]
    return torch.cat(predictions)[:steps]""",
        replace="""    import math
    window = torch.tensor(history, dtype=torch.float32)  # a copy (warns for a tensor)
    W = window.shape[0]
    out = torch.empty(0)
    for _ in range(math.ceil(steps / model.horizon)):
        new = model(window.unsqueeze(0)).squeeze(0)
        out = torch.cat([out, new])
        window = torch.cat([window, new])[len(new):] if len(new) < W else new[-W:]
    return out[:steps].float()""",
        correct=True,
        why="torch.tensor(history) (a copy, with a UserWarning for a tensor), the number of "
            "calls computed up front, and an explicit slide",
    ),
]
