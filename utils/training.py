"""Training-loop plumbing shared by the notebooks: progress bars and optimisers' bookkeeping."""

import sys

from tqdm import tqdm

from utils.budget import AUTOGRADING


def progress(iterable=None, desc=None, total=None, **kwargs):
    """A tqdm progress bar that renders the same in JupyterLab, a terminal and nbval.

    It is silent while the autograder runs (nothing to watch there). nbval masks
    the bar itself (timings vary), see ``.nbval-sanitize.cfg``. It writes to stdout:
    JupyterLab shows stderr on the red background of an error.
    """
    kwargs.setdefault("file", sys.stdout)
    kwargs.setdefault("ascii", True)
    kwargs.setdefault("ncols", 90)
    kwargs.setdefault("mininterval", 1.0)
    return tqdm(iterable, desc=desc, total=total, disable=AUTOGRADING, **kwargs)


class Adam:
    """Adam (Kingma & Ba, 2015) for a dict of NumPy parameters, updated in place."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        import numpy as np

        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads):
        import numpy as np

        self.t += 1
        b1, b2 = self.betas
        for k, g in grads.items():
            self.m[k] = b1 * self.m[k] + (1 - b1) * g
            self.v[k] = b2 * self.v[k] + (1 - b2) * g * g
            m_hat = self.m[k] / (1 - b1**self.t)  # bias correction: m and v start at 0
            v_hat = self.v[k] / (1 - b2**self.t)
            self.params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def softmax_head(h, W, b, y, mask):
    """Loss and gradients of a linear + masked softmax cross-entropy head, by PyTorch autograd.

    Lets a notebook train its NumPy recurrent layer without re-deriving the
    output layer (notebook 01 writes that one by hand). ``h (N, T, H)``,
    ``W (H, V)``, ``b (V,)``, ``y (N, T)`` int, ``mask (N, T)`` bool.
    Returns ``(loss, dh, dW, db)`` as NumPy, loss averaged over unmasked positions.
    """
    import torch

    h_t, W_t, b_t = (torch.tensor(a, requires_grad=True) for a in (h, W, b))
    keep = torch.as_tensor(mask, dtype=torch.bool)
    scores = h_t @ W_t + b_t
    loss = torch.nn.functional.cross_entropy(scores[keep], torch.as_tensor(y)[keep])
    loss.backward()
    return loss.item(), h_t.grad.numpy(), W_t.grad.numpy(), b_t.grad.numpy()
