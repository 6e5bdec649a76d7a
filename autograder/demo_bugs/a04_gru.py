"""Realistic mistakes in notebook 04 (GRU)."""

from autograder.demo_bugs import Bug

BUGS = [
    Bug(find="dWh = np.concatenate([prev_h.T @ drz, (r * prev_h).T @ dn], axis=1)",
        replace="dWh = np.concatenate([prev_h.T @ drz, prev_h.T @ dn], axis=1)",
        breaks=("test_gru_step_backward", "test_gru_backward"),
        why="dWh of the candidate block misses the reset path: uses prev_h instead of "
            "r * prev_h, the vector that W_hn actually multiplies"),
    Bug(find="n = np.tanh(a_x[:, 2 * H:] + r * a_h[:, 2 * H:])",
        replace="n = np.tanh(a_x[:, 2 * H:] + r * (prev_h @ Wh[:, 2 * H:]) + b_h[2 * H:])",
        breaks=("test_gru_step_forward_reset_after",),
        why="reset-after variant with b_hn outside the reset gate (torch.nn.GRU has it inside, "
            "r * (W_hn h + b_hn))"),
    Bug(find="gru_step_backward(dh[:, t] + dprev_h, cache[t])",
        replace="gru_step_backward(dh[:, t], cache[t])",
        breaks=("test_gru_backward",),
        why="drops the gradient that flows into h_{t-1} from step t: each step only sees its "
            "own upstream dh"),
]
