"""Mistakes students make in notebook 00."""

from autograder.demo_bugs import Bug

BUGS = [
    Bug(find="A = np.column_stack([X[:, ::-1], np.ones(len(X))])",
        replace="A = np.column_stack([X, np.ones(len(X))])",
        breaks=("test_fit_ar",),
        why="coefficients in window order: coeffs[0] becomes the weight of the oldest value"),
    Bug(find="mask = np.arange(T_max)[None, :] < lengths[:, None]",
        replace="mask = np.arange(T_max)[None, :] <= lengths[:, None]",
        breaks=("test_pad_sequences",),
        why="off-by-one mask that marks the first pad as a real token"),
]
