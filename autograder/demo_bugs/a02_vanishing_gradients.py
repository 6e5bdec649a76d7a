"""Realistic mistakes in notebook 02 (vanishing and exploding gradients).

test_make_adding_problem is left unbroken on purpose, so the demo's buggy student also
shows full marks on an assignment cell (drawing the second marker anywhere, with
rng.integers(0, T, size=n), is caught by that cell; checked by hand).
"""

from autograder.demo_bugs import Bug

BUGS = [
    Bug(find="J = (1 - next_h**2)[:, :, None] * Wh.T[None, :, :]",
        replace="J = (1 - next_h**2)[:, :, None] * Wh[None, :, :]",
        breaks=("test_step_jacobian",),
        why="copies the column-vector formula diag(1 - h^2) W_hh without transposing Wh "
            "for the row-vector convention"),
    Bug(find="return float(np.max(np.abs(np.linalg.eigvals(W))))",
        replace="return float(np.linalg.norm(W, 2))",
        breaks=("test_spectral_radius", "test_scale_to_spectral_radius"),
        why="takes the largest singular value for the spectral radius (equal only for normal "
            "matrices)"),
    Bug(find="dh = (dh * (1 - hs[:, t] ** 2)) @ Wh.T",
        replace="dh = (dh * (1 - hs[:, t - 1] ** 2)) @ Wh.T",
        breaks=("test_gradient_norms_through_time",),
        why="off by one: uses the tanh derivative of the earlier state instead of the state "
            "the step produced"),
]
