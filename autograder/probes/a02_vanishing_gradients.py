"""Out-of-process checks of notebook 02's graded functions (see autograder/probes/__init__.py)."""

import numpy as np


def _step_jacobian(ns, rng):
    N, H = 3, 5
    next_h = np.tanh(2.0 * rng.normal(size=(N, H)))
    Wh = rng.normal(size=(H, H))
    return {"J": ns["step_jacobian"](next_h, Wh)}


def _gradient_norms(ns, rng):
    N, T, H = 4, 9, 6
    hs = np.tanh(1.5 * rng.normal(size=(N, T, H)))
    Wh = rng.normal(size=(H, H)) / np.sqrt(H)
    dh_T = rng.normal(size=(N, H))
    return {"norms": ns["gradient_norms_through_time"](dh_T, hs, Wh)}


def _spectral_radius(ns, rng):
    W = rng.normal(size=(7, 7)) + np.triu(rng.normal(size=(7, 7)), 1)
    return {"rho": np.array(ns["spectral_radius"](W), dtype=np.float64)}


def _scale(ns, rng):
    W = rng.normal(size=(6, 6)) + np.triu(rng.normal(size=(6, 6)), 1)
    return {"W_scaled": ns["scale_to_spectral_radius"](W, 1.3)}


def _adding(ns, rng):
    # a correct generator may consume rng in its own order: compare only what the contract fixes
    n, T = 200, 11
    X, y = ns["make_adding_problem"](n, T, rng)
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    values, markers = X[:, :, 0], X[:, :, 1]
    return {
        "shape": np.array(X.shape + y.shape),
        "markers_first_half": markers[:, : T // 2].sum(axis=1),
        "markers_second_half": markers[:, T // 2 :].sum(axis=1),
        "marker_values": np.unique(markers),
        "y_minus_marked_sum": y - (values * markers).sum(axis=1),
        "values_in_unit_interval": np.array([values.min() >= 0, values.max() < 1]),
    }


PROBES = {
    "test_step_jacobian": [_step_jacobian],
    "test_gradient_norms_through_time": [_gradient_norms],
    "test_spectral_radius": [_spectral_radius],
    "test_scale_to_spectral_radius": [_scale],
    "test_make_adding_problem": [_adding],
}

# the marker sums and y are exact up to rounding; the rest are plain linear algebra
TOLERANCE = dict(rtol=1e-6, atol=1e-10)
