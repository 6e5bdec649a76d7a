"""One call seeds every random number generator a notebook uses."""

import random

import numpy as np


def set_seed(seed=0):
    """Seed Python, NumPy and (if installed) PyTorch; return a fresh ``np.random.Generator``."""
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:  # the NumPy notebooks do not need it
        pass
    else:
        torch.manual_seed(seed)
    return np.random.default_rng(seed)
