"""Mutation suite for notebook 06 (seq2seq with additive attention, grapheme to phoneme).

Bugs of attention (softmax over the batch, padding not masked, the tanh outside v), of the
bidirectional encoder (no packing, the padded last position, the directions swapped,
total_length forgotten), of the decoder step (the new state as the query, the inputs
concatenated out of order, probabilities for logits), of teacher forcing (one coin per
batch or per word instead of per example and step), of the metrics (normalised by the wrong
count) and of decoding (EOS kept, off by one, no length normalisation); and correct
alternatives (einsum/bmm, a masked renormalisation, h_n reshaped, a hand-written GRU cell,
a recursive edit distance, NumPy floats for the rates, sorted() instead of topk).
"""

from autograder.mutants import Mutant

_ATTENTION = '''        scores = self.v(torch.tanh(self.W_query(query)[:, None, :] + self.W_key(keys))).squeeze(-1)
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) = 0: padding gets no weight
        weights = torch.softmax(scores, dim=-1)
        context = torch.bmm(weights[:, None, :], keys).squeeze(1)
'''

_ENCODER = '''        packed = pack_padded_sequence(self.embedding(src), src_lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        outputs, h_n = self.rnn(packed)
        keys, _ = pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])
        state = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], dim=-1)))
'''

_DECODER = '''        context, weights = self.attention(state, keys, mask)
        state = self.rnn(torch.cat([self.embedding(prev_token), context], dim=-1), state)
        logits = self.out(torch.cat([state, context], dim=-1))
'''

_SEQ2SEQ_LOOP = '''        steps = []
        for t in range(tgt.shape[1]):
            logits, state, _ = self.decoder(prev, state, keys, mask)
            steps.append(logits)
            use_truth = torch.rand(src.shape[0]) < teacher_forcing
            prev = torch.where(use_truth, tgt[:, t], logits.argmax(-1))
'''

_EDIT = '''    row = list(range(len(b) + 1))  # D[0, j]
    for i in range(1, len(a) + 1):
        diag, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            diag, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1]))
    return row[-1]'''

_PER = "return sum(edit_distance(p, r) for p, r in zip(preds, refs)) / sum(len(r) for r in refs)"
_WER = "return sum(list(p) != list(r) for p, r in zip(preds, refs)) / len(refs)"

_GREEDY = '''    with torch.no_grad():
        keys, state = model.encoder(src, src_lengths)
        mask = padding_mask(src_lengths, src.shape[1])
        prev = torch.full((src.shape[0],), SOS, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        steps = []
        for _ in range(max_len):
            logits, state, _ = model.decoder(prev, state, keys, mask)
            prev = logits.argmax(-1)
            steps.append(prev)
            done |= prev == EOS
            if done.all():
                break
    rows = torch.stack(steps, dim=1).tolist()
    return [row[:row.index(EOS)] if EOS in row else row for row in rows]'''

_BEAM_STEP = '''        total = (scores[:, None] + torch.log_softmax(logits, dim=-1)).flatten()
        top = total.topk(min(beam_width, total.numel()))
        alive, rows = [], []
        for score, index in zip(top.values.tolist(), top.indices.tolist()):
            row, token = divmod(index, logits.shape[-1])
'''

_BEAM_ONE_BODY = '''    hyps, scores = [[]], torch.zeros(1, dtype=keys.dtype)  # alive hypotheses, total log-probs
    finished = []  # (log-prob per token, ids)
    for _ in range(max_len):
        k = len(hyps)
        prev = torch.tensor([h[-1] if h else SOS for h in hyps])
        logits, state, _ = decoder(prev, state, keys.expand(k, -1, -1), mask.expand(k, -1))
        total = (scores[:, None] + torch.log_softmax(logits, dim=-1)).flatten()
        top = total.topk(min(beam_width, total.numel()))
        alive, rows = [], []
        for score, index in zip(top.values.tolist(), top.indices.tolist()):
            row, token = divmod(index, logits.shape[-1])
            if token == EOS:
                finished.append((score / (len(hyps[row]) + 1), hyps[row]))
            else:
                alive.append((score, hyps[row] + [token]))
                rows.append(row)
        if not alive:
            break
        hyps = [h for _, h in alive]
        scores = torch.tensor([s for s, _ in alive], dtype=keys.dtype)
        state = state[rows]
    else:  # max_len reached: the unfinished hypotheses compete too
        finished += [(s / len(h), h) for s, h in zip(scores.tolist(), hyps)]
    return max(finished, key=lambda f: f[0])[1]'''

MUTANTS = [
    # --- AdditiveAttention -----------------------------------------------------------------
    Mutant(
        function="AdditiveAttention",
        find="weights = torch.softmax(scores, dim=-1)",
        replace="weights = torch.softmax(scores, dim=0)",
        correct=False,
        why="softmax over the batch axis instead of the positions",
    ),
    Mutant(
        function="AdditiveAttention",
        find='        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) = 0: padding gets no weight\n',
        replace="",
        correct=False,
        why="does not mask the padding: padded positions get attention weight",
    ),
    Mutant(
        function="AdditiveAttention",
        find='scores.masked_fill(~mask, float("-inf"))',
        replace='scores.masked_fill(mask, float("-inf"))',
        correct=False,
        why="inverts the mask: fills the real letters with -inf and attends to the padding",
    ),
    Mutant(
        function="AdditiveAttention",
        find="scores = self.v(torch.tanh(self.W_query(query)[:, None, :] + self.W_key(keys))).squeeze(-1)",
        replace="scores = torch.tanh(self.v(self.W_query(query)[:, None, :] + self.W_key(keys))).squeeze(-1)",
        correct=False,
        why="puts the tanh outside v: e = tanh(v^T (W_q s + W_k h + b_k))",
    ),
    Mutant(
        function="AdditiveAttention",
        find="context = torch.bmm(weights[:, None, :], keys).squeeze(1)",
        replace="context = torch.bmm(weights[:, None, :], keys).squeeze()",
        correct=False,
        why="squeeze() without a dim: a batch of one word loses its batch axis, context (Hk,)",
    ),
    Mutant(
        function="AdditiveAttention",
        find=_ATTENTION,
        replace='''        energy = torch.tanh(self.W_query(query).unsqueeze(1) + self.W_key(keys))
        scores = self.v(energy)[..., 0]
        weights = torch.softmax(scores, dim=-1) * mask  # zero the padding ...
        weights = weights / weights.sum(dim=-1, keepdim=True)  # ... and renormalise
        context = torch.einsum("ns,nsk->nk", weights, keys)
''',
        correct=True,
        why="a masked renormalisation (softmax, zero the padding, divide by the sum: the same "
            "distribution, exactly 0 at padding) and einsum for the weighted sum",
    ),
    Mutant(
        function="AdditiveAttention",
        find=_ATTENTION,
        replace='''        scores = self.v(torch.tanh(self.W_query(query)[:, None, :] + self.W_key(keys))).squeeze(-1)
        scores = torch.where(mask, scores, torch.full_like(scores, float("-inf")))
        exp = torch.exp(scores - scores.max(dim=-1, keepdim=True).values)
        weights = exp / exp.sum(dim=-1, keepdim=True)
        context = (weights.unsqueeze(-1) * keys).sum(dim=1)
''',
        correct=True,
        why="torch.where for the mask, the softmax written out (max subtracted), and a "
            "broadcast weighted sum instead of bmm",
    ),
    Mutant(
        function="AdditiveAttention",
        find='scores.masked_fill(~mask, float("-inf"))',
        replace="scores.masked_fill(~mask, -1e9)",
        correct=True,
        why="masks with -1e9 instead of -inf: exp(-1e9 - max) underflows to exactly 0 in float32 "
            "and float64, so padded weights are still exactly 0",
    ),
    # --- DotProductAttention ---------------------------------------------------------------
    Mutant(
        function="DotProductAttention",
        find="        scores = scores / self.W_query.out_features ** 0.5\n",
        replace="",
        correct=False,
        why="forgets the 1/sqrt(d) scaling: the unscaled dot products",
    ),
    Mutant(
        function="DotProductAttention",
        find="scores = scores / self.W_query.out_features ** 0.5",
        replace="scores = scores / self.W_query.out_features",
        correct=False,
        why="divides by d instead of sqrt(d)",
    ),
    Mutant(
        function="DotProductAttention",
        find="scores = scores / self.W_query.out_features ** 0.5",
        replace="scores = scores / keys.shape[-1] ** 0.5",
        correct=False,
        why="scales by the keys' width Hk instead of the projected width d = attn_size",
    ),
    Mutant(
        function="DotProductAttention",
        find='        scores = scores.masked_fill(~mask, float("-inf"))\n',
        replace="",
        correct=False,
        why="does not mask the padding",
    ),
    Mutant(
        function="DotProductAttention",
        find="scores = torch.bmm(self.W_key(keys), self.W_query(query)[:, :, None]).squeeze(-1)",
        replace="scores = torch.bmm(keys, self.W_query(query)[:, :, None]).squeeze(-1)",
        correct=False,
        why="scores against the raw keys, without W_key (only runs when Hk = attn_size)",
    ),
    Mutant(
        function="DotProductAttention",
        find="scores = torch.bmm(self.W_key(keys), self.W_query(query)[:, :, None]).squeeze(-1)\n"
             "        scores = scores / self.W_query.out_features ** 0.5\n"
             '        scores = scores.masked_fill(~mask, float("-inf"))',
        replace="scores = torch.einsum(\"nd,nsd->ns\", self.W_query(query), self.W_key(keys))\n"
                '        scores = scores.masked_fill(~mask, float("-inf"))\n'
                "        scores = scores / self.W_key.out_features ** 0.5",
        correct=True,
        why="einsum for the scores, and the scaling after the mask (-inf / 2 is still -inf) by "
            "W_key's width, which is d too",
    ),
    Mutant(
        function="DotProductAttention",
        find="scores = torch.bmm(self.W_key(keys), self.W_query(query)[:, :, None]).squeeze(-1)",
        replace="scores = (self.W_key(keys) * self.W_query(query).unsqueeze(1)).sum(-1)",
        correct=True,
        why="a broadcast product summed over the last axis instead of bmm",
    ),
    # --- Encoder ---------------------------------------------------------------------------
    Mutant(
        function="Encoder",
        find="src_lengths.cpu(), batch_first=True,\n                                      enforce_sorted=False)",
        replace="src_lengths.cpu(), batch_first=True)",
        correct=False,
        why="forgets enforce_sorted=False: a batch not sorted by length cannot be packed",
    ),
    Mutant(
        function="Encoder",
        find='''        packed = pack_padded_sequence(self.embedding(src), src_lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        outputs, h_n = self.rnn(packed)
        keys, _ = pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])
''',
        replace="        keys, h_n = self.rnn(self.embedding(src))  # padded batch, no packing\n",
        correct=False,
        why="runs the bidirectional GRU over the padded batch: the backward direction reads the "
            "padding before a short word's last letter",
    ),
    Mutant(
        function="Encoder",
        find="state = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], dim=-1)))",
        replace="state = torch.tanh(self.bridge(keys[:, -1]))  # the last position",
        correct=False,
        why="takes keys[:, -1], the padded output at the last column, instead of h_n: zeros for "
            "short words, and the backward half has seen one letter only",
    ),
    Mutant(
        function="Encoder",
        find="torch.cat([h_n[0], h_n[1]], dim=-1)",
        replace="torch.cat([h_n[1], h_n[0]], dim=-1)",
        correct=False,
        why="concatenates the directions as [backward; forward]",
    ),
    Mutant(
        function="Encoder",
        find="pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])",
        replace="pad_packed_sequence(outputs, batch_first=True)",
        correct=False,
        why="suspect: forgets total_length=S: keys are only as wide as the longest word, not "
            "(N, S, 2H), when src has more padding columns (and then do not fit the (N, S) mask)",
    ),
    Mutant(
        function="Encoder",
        find="torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], dim=-1)))",
        replace="self.bridge(torch.cat([h_n[0], h_n[1]], dim=-1))",
        correct=False,
        why="forgets the tanh of the bridge",
    ),
    Mutant(
        function="Encoder",
        find="state = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], dim=-1)))",
        replace="state = torch.tanh(self.bridge(keys[torch.arange(len(src)), src_lengths - 1]))",
        correct=False,
        why="wrong direction: both halves of the keys at the last letter, where the backward GRU "
            "has seen one letter only (its final state is at the first letter)",
    ),
    Mutant(
        function="Encoder",
        find="state = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], dim=-1)))",
        replace='''H = keys.shape[-1] // 2
        forward_last = keys[torch.arange(len(src)), src_lengths - 1, :H]
        backward_first = keys[:, 0, H:]
        state = torch.tanh(self.bridge(torch.cat([forward_last, backward_first], dim=-1)))''',
        correct=True,
        why="reads the two final states off the keys: forward at the last letter, backward at "
            "the first",
    ),
    Mutant(
        function="Encoder",
        find="torch.cat([h_n[0], h_n[1]], dim=-1)",
        replace="h_n.transpose(0, 1).reshape(src.shape[0], -1)",
        correct=True,
        why="h_n (2, N, H) transposed and reshaped to (N, 2H): [forward; backward] per word",
    ),
    Mutant(
        function="Encoder",
        find=_ENCODER,
        replace='''        order = torch.argsort(src_lengths, descending=True)
        undo = torch.argsort(order)
        packed = pack_padded_sequence(self.embedding(src[order]), src_lengths[order],
                                      batch_first=True, enforce_sorted=True)
        outputs, h_n = self.rnn(packed)
        keys, _ = pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])
        keys, h_n = keys[undo], h_n[:, undo]
        state = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], dim=-1)))
''',
        correct=True,
        why="sorts the words by length itself, packs with enforce_sorted=True and undoes the "
            "permutation on the keys and h_n",
    ),
    # --- Decoder ---------------------------------------------------------------------------
    Mutant(
        function="Decoder",
        find="        logits = self.out(torch.cat([state, context], dim=-1))\n",
        replace="        context, weights = self.attention(state, keys, mask)  # attend with the new state\n"
                "        logits = self.out(torch.cat([state, context], dim=-1))\n",
        correct=False,
        why="attends again with the new state s_i (Luong style) and returns those weights: the "
            "query must be the previous state",
    ),
    Mutant(
        function="Decoder",
        find="torch.cat([self.embedding(prev_token), context], dim=-1)",
        replace="torch.cat([context, self.embedding(prev_token)], dim=-1)",
        correct=False,
        why="concatenates [context; embedding] instead of the equations' [E y; c]",
    ),
    Mutant(
        function="Decoder",
        find=_DECODER,
        replace='''        context, weights = self.attention(state, keys, mask)
        logits = self.out(torch.cat([state, context], dim=-1))  # scores from s_{i-1}
        state = self.rnn(torch.cat([self.embedding(prev_token), context], dim=-1), state)
''',
        correct=False,
        why="scores the phonemes from the previous state s_{i-1} instead of the new state s_i",
    ),
    Mutant(
        function="Decoder",
        find="logits = self.out(torch.cat([state, context], dim=-1))",
        replace="logits = self.out(torch.cat([state, context], dim=-1)).softmax(dim=-1)",
        correct=False,
        why="returns probabilities instead of the contract's logits",
    ),
    Mutant(
        function="Decoder",
        find="context], dim=-1), state)",
        replace="context], dim=-1))  # the GRUCell's state defaults to zeros",
        correct=False,
        why="calls the GRUCell without the previous state, so every step starts from zeros",
    ),
    Mutant(
        function="Decoder",
        find=_DECODER,
        replace='''        context, weights = self.attention(state, keys, mask)
        x = torch.cat([self.embedding(prev_token), context], dim=-1)
        cell = self.rnn
        gi = F.linear(x, cell.weight_ih, cell.bias_ih)
        gh = F.linear(state, cell.weight_hh, cell.bias_hh)
        i_r, i_z, i_n = gi.chunk(3, dim=-1)
        h_r, h_z, h_n = gh.chunk(3, dim=-1)
        r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        state = (1 - z) * n + z * state
        logits = self.out(torch.cat([state, context], dim=-1))
''',
        correct=True,
        why="writes the GRUCell's equations out with self.rnn's own parameters (F.linear, r z n)",
    ),
    Mutant(
        function="Decoder",
        find=_DECODER,
        replace='''        context, weights = self.attention(state, keys, mask)
        embedded = F.embedding(prev_token, self.embedding.weight, padding_idx=PAD)
        state = self.rnn(torch.hstack((embedded, context)), state)
        logits = self.out(torch.hstack((state, context)))
''',
        correct=True,
        why="F.embedding on self.embedding's weight and torch.hstack for the concatenations",
    ),
    # --- Seq2Seq ---------------------------------------------------------------------------
    Mutant(
        function="Seq2Seq",
        find="use_truth = torch.rand(src.shape[0]) < teacher_forcing",
        replace="use_truth = torch.rand(()) < teacher_forcing  # one coin for the batch",
        correct=False,
        why="one teacher-forcing coin per batch and step instead of per example and step "
            "(identical at 0.0 and 1.0; only a test at 0 < p < 1 sees it)",
    ),
    Mutant(
        function="Seq2Seq",
        find=_SEQ2SEQ_LOOP,
        replace='''        steps = []
        use_truth = torch.rand(src.shape[0]) < teacher_forcing  # one coin per word
        for t in range(tgt.shape[1]):
            logits, state, _ = self.decoder(prev, state, keys, mask)
            steps.append(logits)
            prev = torch.where(use_truth, tgt[:, t], logits.argmax(-1))
''',
        correct=False,
        why="draws the teacher-forcing coin once per word for the whole sequence instead of per "
            "example and step (only a test at 0 < p < 1 sees it)",
    ),
    Mutant(
        function="Seq2Seq",
        find="prev = torch.full((src.shape[0],), SOS, dtype=torch.long)",
        replace="prev = tgt[:, 0]  # start from the first phoneme",
        correct=False,
        why="feeds step 0 the first target phoneme instead of SOS",
    ),
    Mutant(
        function="Seq2Seq",
        find="mask = padding_mask(src_lengths, src.shape[1])",
        replace="mask = torch.ones_like(src, dtype=torch.bool)",
        correct=False,
        why="attends over the padding: an all-True mask",
    ),
    Mutant(
        function="Seq2Seq",
        find="torch.rand(src.shape[0]) < teacher_forcing",
        replace="torch.rand(src.shape[0]) > teacher_forcing",
        correct=False,
        why="inverts the coin: teacher_forcing=1.0 never feeds the truth",
    ),
    Mutant(
        function="Seq2Seq",
        find=_SEQ2SEQ_LOOP,
        replace='''        N, T = tgt.shape
        truth_inputs = torch.cat([torch.full((N, 1), SOS, dtype=torch.long), tgt[:, :-1]], dim=1)
        steps = []
        for t in range(T):
            if t > 0:
                coin = torch.bernoulli(torch.full((N,), float(teacher_forcing))).bool()
                prev = torch.where(coin, truth_inputs[:, t], steps[-1].argmax(dim=-1))
            logits, state, _ = self.decoder(prev, state, keys, mask)
            steps.append(logits)
''',
        correct=True,
        why="shifts tgt right behind SOS once, and draws each step's coins with torch.bernoulli "
            "(per example and step) from step 1 on",
    ),
    Mutant(
        function="Seq2Seq",
        find="            use_truth = torch.rand(src.shape[0]) < teacher_forcing\n"
             "            prev = torch.where(use_truth, tgt[:, t], logits.argmax(-1))\n",
        replace="            if teacher_forcing >= 1.0:\n"
                "                prev = tgt[:, t]\n"
                "            elif teacher_forcing <= 0.0:\n"
                "                prev = logits.argmax(-1)\n"
                "            else:\n"
                "                use_truth = torch.rand(len(src)) < teacher_forcing\n"
                "                prev = torch.where(use_truth, tgt[:, t], logits.argmax(-1))\n",
        correct=True,
        why="short-cuts the two pure cases and draws per-example coins only in between",
    ),
    # --- edit_distance ---------------------------------------------------------------------
    Mutant(
        function="edit_distance",
        find="diag + (a[i - 1] != b[j - 1])",
        replace="diag + 2 * (a[i - 1] != b[j - 1])",
        correct=False,
        why="a substitution costs 2 (a deletion plus an insertion) instead of 1",
    ),
    Mutant(
        function="edit_distance",
        find="row = list(range(len(b) + 1))  # D[0, j]",
        replace="row = [0] * (len(b) + 1)  # D[0, j]",
        correct=False,
        why="initialises the first row with zeros instead of D[0, j] = j",
    ),
    Mutant(
        function="edit_distance",
        find="diag, row[0] = row[0], i",
        replace="diag = row[0]",
        correct=False,
        why="forgets D[i, 0] = i: the first column stays 0",
    ),
    Mutant(
        function="edit_distance",
        find=_EDIT,
        replace='''    D = np.zeros((len(a) + 1, len(b) + 1))
    D[:, 0], D[0, :] = np.arange(len(a) + 1), np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            D[i, j] = min(D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return D[-1, -1]''',
        correct=False,
        why="a float NumPy table: returns a NumPy float, not the contract's int",
    ),
    Mutant(
        function="edit_distance",
        find=_EDIT,
        replace="    return sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))",
        correct=False,
        why="compares position by position (plus the length difference) instead of aligning",
    ),
    Mutant(
        function="edit_distance",
        find=_EDIT,
        replace='''    import functools

    @functools.lru_cache(maxsize=None)
    def dist(i, j):  # distance between a[:i] and b[:j]
        if i == 0 or j == 0:
            return i + j
        return min(dist(i - 1, j) + 1, dist(i, j - 1) + 1,
                   dist(i - 1, j - 1) + (0 if a[i - 1] == b[j - 1] else 1))

    return dist(len(a), len(b))''',
        correct=True,
        why="memoised recursion over prefix lengths",
    ),
    Mutant(
        function="edit_distance",
        find=_EDIT,
        replace='''    D = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
    D[:, 0] = np.arange(len(a) + 1)
    D[0, :] = np.arange(len(b) + 1)
    for i, x in enumerate(a, start=1):
        for j, y in enumerate(b, start=1):
            D[i, j] = min(D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + int(x != y))
    return int(D[len(a), len(b)])''',
        correct=True,
        why="the full table in an int64 NumPy array, converted with int() at the end",
    ),
    # --- phoneme_error_rate ----------------------------------------------------------------
    Mutant(
        function="phoneme_error_rate",
        find="sum(len(r) for r in refs)",
        replace="sum(len(p) for p in preds)",
        correct=False,
        why="divides by the total predicted length instead of the reference length",
    ),
    Mutant(
        function="phoneme_error_rate",
        find="/ sum(len(r) for r in refs)",
        replace="/ len(refs)",
        correct=False,
        why="divides the total edits by the number of words instead of reference phonemes",
    ),
    Mutant(
        function="phoneme_error_rate",
        find="/ sum(len(r) for r in refs)",
        replace="// sum(len(r) for r in refs)",
        correct=False,
        why="integer division: the rate rounds down to 0",
    ),
    Mutant(
        function="phoneme_error_rate",
        find=_PER,
        replace="return min(1.0, sum(edit_distance(p, r) for p, r in zip(preds, refs)) "
                "/ sum(len(r) for r in refs))",
        correct=False,
        why="caps the rate at 1 (the markdown: PER can exceed 1)",
    ),
    Mutant(
        function="phoneme_error_rate",
        find=_PER,
        replace="edits = np.array([edit_distance(p, r) for p, r in zip(preds, refs)])\n"
                "    return edits.sum() / np.sum([len(r) for r in refs])",
        correct=True,
        why="NumPy sums: returns a np.float64, which is a float (a subclass); a test checking "
            "type(...).__name__ == 'float' would reject it",
    ),
    Mutant(
        function="phoneme_error_rate",
        find=_PER,
        replace='''edits = length = 0
    for pred, ref in zip(preds, refs):
        edits += edit_distance(pred, ref)
        length += len(ref)
    return float(edits) / float(length)''',
        correct=True,
        why="an explicit loop over the words, float division at the end",
    ),
    # --- word_error_rate -------------------------------------------------------------------
    Mutant(
        function="word_error_rate",
        find=_WER,
        replace="return sum(any(x != y for x, y in zip(p, r)) for p, r in zip(preds, refs)) / len(refs)",
        correct=False,
        why="compares only up to the shorter sequence (zip): a prefix of the reference counts as right",
    ),
    Mutant(
        function="word_error_rate",
        find=_WER,
        replace="return sum(list(p) != list(r) for p, r in zip(preds, refs))",
        correct=False,
        why="returns the number of wrong words instead of the fraction",
    ),
    Mutant(
        function="word_error_rate",
        find=_WER,
        replace="return 1 - sum(list(p) != list(r) for p, r in zip(preds, refs)) / len(refs)",
        correct=False,
        why="returns the word accuracy instead of the error rate",
    ),
    Mutant(
        function="word_error_rate",
        find="/ len(refs)",
        replace="/ sum(len(r) for r in refs)",
        correct=False,
        why="normalises by the number of reference phonemes instead of words",
    ),
    Mutant(
        function="word_error_rate",
        find=_WER,
        replace="return sum(edit_distance(p, r) > 1 for p, r in zip(preds, refs)) / len(refs)",
        correct=False,
        why="counts a word one edit away as right (edit_distance > 1 instead of any difference)",
    ),
    Mutant(
        function="word_error_rate",
        find="list(p) != list(r)",
        replace="p != r",
        correct=False,
        why="suspect: compares the sequences with != directly: a tuple or string prediction never "
            "equals a list reference with the same items (the contract: sequences of any "
            "hashable items); the tests only pass lists",
    ),
    Mutant(
        function="word_error_rate",
        find=_WER,
        replace="return np.mean([list(p) != list(r) for p, r in zip(preds, refs)])",
        correct=True,
        why="np.mean of the booleans: a np.float64, which is a float (a subclass); a test "
            "checking type(...).__name__ == 'float' would reject it",
    ),
    Mutant(
        function="word_error_rate",
        find=_WER,
        replace='''wrong = 0
    for pred, ref in zip(preds, refs):
        if tuple(pred) != tuple(ref):
            wrong += 1
    return wrong / float(len(refs))''',
        correct=True,
        why="counts the wrong words in a loop, comparing tuples",
    ),
    # --- greedy_decode ---------------------------------------------------------------------
    Mutant(
        function="greedy_decode",
        find="row[:row.index(EOS)]",
        replace="row[:row.index(EOS) + 1]",
        correct=False,
        why="keeps the EOS at the end of each word's ids",
    ),
    Mutant(
        function="greedy_decode",
        find="for _ in range(max_len):",
        replace="for _ in range(max_len - 1):",
        correct=False,
        why="off by one: at most max_len - 1 ids",
    ),
    Mutant(
        function="greedy_decode",
        find="[row[:row.index(EOS)] if EOS in row else row for row in rows]",
        replace="[[t for t in row if t != EOS] for row in rows]",
        correct=False,
        why="drops the EOS tokens but keeps what a word decodes after its EOS",
    ),
    Mutant(
        function="greedy_decode",
        find="mask = padding_mask(src_lengths, src.shape[1])",
        replace="mask = torch.ones_like(src, dtype=torch.bool)",
        correct=False,
        why="does not mask the padding in attention while decoding a padded batch",
    ),
    Mutant(
        function="greedy_decode",
        find="if done.all():",
        replace="if done.any():",
        correct=False,
        why="stops as soon as one word has produced EOS",
    ),
    Mutant(
        function="greedy_decode",
        find="    with torch.no_grad():\n",
        replace="    if True:  # (no torch.no_grad())\n",
        correct=False,
        why="suspect: does not work under torch.no_grad() as the instructions require: every step "
            "builds an autograd graph (the notebook's attention-map cell then fails on "
            ".numpy() of a tensor that requires grad); the ids are the same, and the test only "
            "looks at the ids",
    ),
    Mutant(
        function="greedy_decode",
        find=_GREEDY,
        replace='''    out = []
    with torch.no_grad():
        for n in range(src.shape[0]):
            L = int(src_lengths[n])
            keys, state = model.encoder(src[n:n + 1, :L], src_lengths[n:n + 1])
            mask = torch.ones(1, L, dtype=torch.bool)
            prev, ids = torch.tensor([SOS]), []
            while len(ids) < max_len:
                logits, state, _ = model.decoder(prev, state, keys, mask)
                prev = logits.argmax(dim=-1)
                if int(prev) == EOS:
                    break
                ids.append(int(prev))
            out.append(ids)
    return out''',
        correct=True,
        why="decodes one word at a time, unpadded, stopping at its own EOS",
    ),
    Mutant(
        function="greedy_decode",
        find=_GREEDY,
        replace='''    N = src.shape[0]
    out, finished = [[] for _ in range(N)], [False] * N
    with torch.inference_mode():
        keys, state = model.encoder(src, src_lengths)
        mask = padding_mask(src_lengths, src.shape[1])
        prev = torch.full((N,), SOS, dtype=torch.long)
        for _ in range(max_len):
            logits, state, _ = model.decoder(prev, state, keys, mask)
            prev = logits.argmax(-1)
            for n, token in enumerate(prev.tolist()):
                if not finished[n]:
                    if token == EOS:
                        finished[n] = True
                    else:
                        out[n].append(token)
            if all(finished):
                break
    return out''',
        correct=True,
        why="torch.inference_mode() and per-word Python lists that stop growing at the word's EOS",
    ),
    # --- beam_search -----------------------------------------------------------------------
    Mutant(
        function="beam_search",
        find="finished.append((score / (len(hyps[row]) + 1), hyps[row]))",
        replace="finished.append((score / max(len(hyps[row]), 1), hyps[row]))",
        correct=False,
        why="length-normalises by the phonemes without counting the EOS",
    ),
    Mutant(
        function="beam_search",
        find="        if not alive:\n            break\n",
        replace="        if not alive or finished:\n            break  # a hypothesis has finished\n",
        correct=False,
        why="stops at the first finished hypothesis (the variant described never stops early)",
    ),
    Mutant(
        function="beam_search",
        find="for _ in range(max_len):",
        replace="for _ in range(max_len + 1):",
        correct=False,
        why="off by one: max_len + 1 decoder steps, hypotheses of max_len + 1 ids",
    ),
    Mutant(
        function="beam_search",
        find="mask[n:n + 1],",
        replace="torch.ones_like(mask[n:n + 1]),",
        correct=False,
        why="drops the padding mask when it cuts one word out of the padded batch",
    ),
    Mutant(
        function="beam_search",
        find="finished += [(s / len(h), h) for s, h in zip(scores.tolist(), hyps)]",
        replace="finished += [(s / (len(h) + 1), h) for s, h in zip(scores.tolist(), hyps)]",
        correct=False,
        why="divides a hypothesis cut off at max_len by its length + 1, as if it had an EOS (the "
            "markdown: divided by its length)",
    ),
    Mutant(
        function="beam_search",
        find=_BEAM_STEP,
        replace='''        total = scores[:, None] + torch.log_softmax(logits, dim=-1)
        per_hyp = total.topk(min(beam_width, total.shape[1]), dim=-1)  # each hypothesis' best
        V = logits.shape[-1]
        candidates = [(s, r * V + i) for r in range(k)
                      for s, i in zip(per_hyp.values[r].tolist(), per_hyp.indices[r].tolist())]
        alive, rows = [], []
        for score, index in candidates[:beam_width]:
            row, token = divmod(index, logits.shape[-1])
''',
        correct=False,
        why="takes each hypothesis' own top beam_width extensions and keeps the first beam_width "
            "in hypothesis order, not the best beam_width of all ranked together",
    ),
    Mutant(
        function="beam_search",
        find="        state = state[rows]\n",
        replace="",
        correct=False,
        why="does not reorder the decoder states after pruning: a hypothesis continues from "
            "another hypothesis' state",
    ),
    Mutant(
        function="beam_search",
        find=_BEAM_STEP,
        replace='''        log_probs = scores[:, None] + torch.log_softmax(logits, dim=-1)
        V = log_probs.shape[1]
        ranked = sorted(((log_probs[r, v].item(), r * V + v) for r in range(k) for v in range(V)),
                        reverse=True)[:beam_width]
        alive, rows = [], []
        for score, index in ranked:
            row, token = divmod(index, V)
''',
        correct=True,
        why="ranks all extensions with sorted() instead of topk",
    ),
    Mutant(
        function="beam_search",
        find=_BEAM_ONE_BODY,
        replace='''    import heapq
    beam = [(0.0, [], state)]  # (total log-prob, ids, decoder state), alive hypotheses
    finished = []
    for _ in range(max_len):
        candidates = []
        for total, ids, h in beam:  # one decoder call per hypothesis
            prev = torch.tensor([ids[-1] if ids else SOS])
            logits, h_new, _ = decoder(prev, h, keys, mask)
            for token, lp in enumerate(torch.log_softmax(logits, dim=-1)[0].tolist()):
                candidates.append((total + lp, ids, token, h_new))
        beam = []
        for total, ids, token, h_new in heapq.nlargest(beam_width, candidates, key=lambda c: c[0]):
            if token == EOS:
                finished.append((total / (len(ids) + 1), ids))
            else:
                beam.append((total, ids + [token], h_new))
        if not beam:
            break
    finished += [(total / len(ids), ids) for total, ids, _ in beam]
    return max(finished, key=lambda f: f[0])[1]''',
        correct=True,
        why="one decoder call per hypothesis, each carrying its own state, heapq.nlargest over "
            "Python floats for the ranking",
    ),
]
