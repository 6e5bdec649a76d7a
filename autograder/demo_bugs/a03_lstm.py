"""Realistic mistakes in notebook 03 (LSTM) for the demo class's buggy student."""

from autograder.demo_bugs import Bug

BUGS = [
    Bug(
        find="    i, f, o = np.split(sigmoid(a[:, :3 * H]), 3, axis=1)\n    g = np.tanh(a[:, 3 * H:])",
        replace="    i, f = np.split(sigmoid(a[:, :2 * H]), 2, axis=1)\n"
                "    g = np.tanh(a[:, 2 * H:3 * H])\n    o = sigmoid(a[:, 3 * H:])",
        breaks=("test_lstm_step_forward", "test_lstm_step_backward", "test_lstm_forward",
                "test_lstm_backward"),
        why="reads the gates in PyTorch's order (i, f, g, o) instead of the course's (i, f, o, g)",
    ),
    Bug(
        find="next_h = o * tanh_c",
        replace="next_h = o * next_c",
        breaks=("test_lstm_step_forward", "test_lstm_step_backward", "test_lstm_forward",
                "test_lstm_backward"),
        why="forgets the tanh on the cell state: h = o * c",
    ),
    Bug(
        find="dprev_c = dc * f",
        replace="dprev_c = dc",
        breaks=("test_lstm_step_backward", "test_lstm_backward"),
        why="passes the cell gradient back without the forget gate's factor f",
    ),
    Bug(
        find="lstm_cell_backward(dh[:, t] + dprev_h, dprev_c, cells[t])",
        replace="lstm_cell_backward(dh[:, t] + dprev_h, np.zeros_like(dprev_c), cells[t])",
        breaks=("test_lstm_backward",),
        why="does not carry dc from one time step to the previous one",
    ),
]
