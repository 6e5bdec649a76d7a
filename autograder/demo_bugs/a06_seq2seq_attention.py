"""Realistic mistakes in 06_seq2seq_attention for the demo class's buggy student."""

from autograder.demo_bugs import Bug

BUGS = [
    Bug(
        find='scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) = 0: padding gets no weight\n'
             '        weights = torch.softmax(scores, dim=-1)',
        replace="weights = torch.softmax(scores, dim=-1) * mask  # zero the padding afterwards",
        breaks=("test_AdditiveAttention", "test_Decoder", "test_Seq2Seq", "test_greedy_decode",
                "test_beam_search"),
        why="masks the padding after the softmax: padded weights are 0 but the rest no longer sum to 1",
    ),
    Bug(
        find="        scores = scores / self.W_query.out_features ** 0.5\n",
        replace="",
        breaks=("test_DotProductAttention",),
        why="forgets to divide the dot products by sqrt(d)",
    ),
    Bug(
        find="logits, state, _ = self.decoder(prev, state, keys, mask)\n            steps.append(logits)",
        replace="logits, state, _ = self.decoder(tgt[:, t], state, keys, mask)\n"
                "            steps.append(logits)",
        breaks=("test_Seq2Seq", "test_trained_model"),
        why="feeds step t the phoneme it must predict, tgt[:, t], instead of the previous one: "
            "training learns to copy its input and decoding from SOS fails",
    ),
    Bug(
        find="return sum(edit_distance(p, r) for p, r in zip(preds, refs)) / sum(len(r) for r in refs)",
        replace="return sum(edit_distance(p, r) / len(r) for p, r in zip(preds, refs)) / len(refs)",
        breaks=("test_phoneme_error_rate",),
        why="averages the per-word error rates instead of dividing total edits by total length",
    ),
    Bug(
        find="finished.append((score / (len(hyps[row]) + 1), hyps[row]))",
        replace="finished.append((score, hyps[row]))",
        breaks=("test_beam_search",),
        why="compares finished hypotheses by total log-probability, without length normalisation",
    ),
]
