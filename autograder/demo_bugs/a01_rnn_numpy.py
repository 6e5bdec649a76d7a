"""Realistic mistakes in notebook 01 (a vanilla RNN from scratch in NumPy)."""

from autograder.demo_bugs import Bug

BUGS = [
    Bug(
        find="da = dnext_h * (1 - next_h ** 2)",
        replace="da = dnext_h",
        breaks=("test_rnn_step_backward",),
        why="forgets the tanh derivative in the single-step backward pass",
    ),
    Bug(
        find="da[:, t] = (dh[:, t] + dprev_h) * (1 - h[:, t] ** 2)",
        replace="da[:, t] = dh[:, t] * (1 - h[:, t] ** 2)",
        breaks=("test_rnn_backward",),
        why="drops the gradient that flows back through h_{t-1} in BPTT",
    ),
    Bug(
        find="count = mask.sum()",
        replace="count = mask.shape[0]",
        breaks=("test_temporal_softmax_loss",),
        why="divides the masked loss by the batch size instead of the number of unmasked positions",
    ),
    Bug(
        find="total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))",
        replace="total_norm = float(sum(np.sum(g * g) for g in grads.values()))",
        breaks=("test_clip_grad_norm",),
        why="uses the lecture's np.sum(grad * grad), the squared norm, as the norm",
    ),
]
