"""Re-record the reference outputs that the visible tests compare against."""

import os
import shutil
import tempfile
from pathlib import Path

from autograder import SOLUTIONS, assignments
from autograder.authoring import execute
from utils.grading import RECORD_ENV


def record(name, dest=None):
    """Run ``solutions/<name>`` in a scratch copy with recording on; return the new ``.npz``."""
    with tempfile.TemporaryDirectory(prefix="rnn-course-refs-") as tmp:
        copy = Path(tmp) / name
        shutil.copytree(SOLUTIONS / name, copy)
        (copy / "references.npz").unlink(missing_ok=True)
        record_dir = Path(tmp) / "recorded"
        os.environ[RECORD_ENV] = str(record_dir)
        try:
            execute(copy / f"{name}.ipynb")
        finally:
            del os.environ[RECORD_ENV]
        recorded = record_dir / f"{name}.npz"
        if not recorded.exists():
            raise RuntimeError(f"{name}: no check_reference call recorded anything")
        dest = Path(dest or SOLUTIONS / name / "references.npz")
        shutil.copy(recorded, dest)
    return dest


def record_all():
    for name in assignments():
        print(f"recording {name}", flush=True)
        record(name)
    return 0


def differences(recorded_dir, margin=10):
    """Lines describing where ``recorded_dir/<a>.npz`` differs from ``solutions/<a>/references.npz``.

    Each array is compared at the tolerance of the visible test that reads it, divided by
    ``margin``: another CPU's last digits (float32 PyTorch results differ by ~1e-7) are no
    change, and a student's correct result still passes that test against the committed file.
    """
    import numpy as np

    from utils.grading import tolerance_key

    out = []
    for name in assignments():
        committed, recorded = SOLUTIONS / name / "references.npz", Path(recorded_dir) / f"{name}.npz"
        if not committed.exists() and not recorded.exists():
            continue
        if not committed.exists() or not recorded.exists():
            out.append(f"{name}: {'no committed' if recorded.exists() else 'nothing recorded for the'}"
                       " references.npz")
            continue
        with np.load(committed) as a, np.load(recorded) as b:
            for key in sorted(set(a.files) ^ set(b.files)):
                out.append(f"{name}: {key} is only in the {'committed' if key in a.files else 'recorded'} file")
            for key in sorted(set(a.files) & set(b.files)):
                x, y = a[key], b[key]
                if x.shape != y.shape or x.dtype.kind != y.dtype.kind:
                    out.append(f"{name}: {key} changed shape or type")
                elif x.dtype.kind in "biuf" and not np.allclose(
                        x, y, equal_nan=True, **_tolerance(a, tolerance_key(key), key, margin)):
                    out.append(f"{name}: {key} changed by up to {np.nanmax(np.abs(x - y)):.3g}")
                elif x.dtype.kind not in "biuf" and not np.array_equal(x, y):
                    out.append(f"{name}: {key} changed")
    return out


def _tolerance(committed, tol_key, key, margin):
    if tol_key not in committed.files:
        return dict(rtol=0.0, atol=0.0)  # the tolerances themselves: exact
    rtol, atol = committed[tol_key]
    return dict(rtol=rtol / margin, atol=atol / margin)
