"""Finite-difference gradients: the oracle every backward pass is checked against."""

import numpy as np


def rel_error(x, y):
    """Largest relative difference between two arrays, ``|x - y| / max(1e-8, |x| + |y|)``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)), initial=0.0))


def numerical_gradient(f, x, dout=None, h=1e-5):
    """Centered-difference gradient of ``f`` at ``x`` (modified in place, then restored).

    With ``dout`` None, ``f()`` returns a scalar and the result is ``d f / d x``.
    Otherwise ``f()`` returns an array shaped like ``dout`` and the result is the
    gradient of ``sum(f() * dout)``: the backward pass of ``f`` for upstream ``dout``.
    ``f`` takes no argument and reads ``x`` (a float64 array) itself.
    """
    if x.dtype != np.float64:
        raise TypeError(f"numerical_gradient needs a float64 array, got {x.dtype}: "
                        "float32 is too coarse for finite differences.")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = np.array(f(), dtype=np.float64)
        x[i] = old - h
        minus = np.array(f(), dtype=np.float64)
        x[i] = old
        diff = plus - minus if dout is None else np.sum((plus - minus) * dout)
        grad[i] = diff / (2 * h)
    return grad


def gradient_report(errors, tol=1e-7):
    """Print one line per gradient ``name: rel error`` and whether it is below ``tol``."""
    for name, err in errors.items():
        verdict = "ok" if err <= tol else "TOO LARGE"
        print(f"{name:>8s}  rel error {err:.0e}  {verdict}")
