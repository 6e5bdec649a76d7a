"""The solutions' NumPy recurrent layers against PyTorch's, forward + backward, float64, CPU.

For each layer and size: the median time of ``*_forward`` + ``*_backward`` from the
solution notebook, of ``torch.nn.RNN/LSTM/GRU`` forward + backward on the same
sizes (gradients of the input, the initial state and the weights), and of a naive
loop calling the same NumPy functions on one example at a time. The NumPy and torch
runs alternate, so a burst of load from elsewhere hits both alike.

Each thread count runs in its own process (``python -m benchmarks.kernels``), because
OpenBLAS fixes its thread count when NumPy is imported; torch gets the same count.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from benchmarks import ROOT

LAYERS = {  # name: (notebook, forward, backward, torch class, gates)
    "RNN": ("01_rnn_numpy", "rnn_forward", "rnn_backward", "RNN", 1),
    "LSTM": ("03_lstm", "lstm_forward", "lstm_backward", "LSTM", 4),
    "GRU": ("04_gru", "gru_forward", "gru_backward", "GRU", 3),
}
SIZES = {"small": dict(N=64, T=50, D=64, H=128), "large": dict(N=64, T=200, D=64, H=256)}
NAIVE_EXAMPLES = 16  # the per-example loop is timed on this many examples of the batch
LSTM_TO_TORCH = [0, 1, 3, 2]  # gate blocks: ours (i, f, o, g) -> torch (i, f, g, o)


def medians(functions, repeats, warmup=1):
    """Median seconds per call of each function, called in turns."""
    import numpy as np

    for f in functions:
        for _ in range(warmup):
            f()
    times = [[] for _ in functions]
    for _ in range(repeats):
        for f, t in zip(functions, times):
            tic = time.perf_counter()
            f()
            t.append(time.perf_counter() - tic)
    return [float(np.median(t)) for t in times]


def torch_layer(kind, Wx, Wh, b):
    """``torch.nn.<kind>`` (float64, batch first) holding our weights where the layouts agree.

    RNN and LSTM then compute exactly our function (checked by the caller); torch's GRU
    is the reset-after variant, a different function of the same cost, left at its init.
    """
    import torch

    D, G = Wx.shape
    H = Wh.shape[0]
    layer = getattr(torch.nn, kind)(D, H, batch_first=True).double()
    if kind == "GRU":
        return layer
    order = [k * H + i for k in (LSTM_TO_TORCH if kind == "LSTM" else [0]) for i in range(H)]
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.from_numpy(Wx[:, order].T))
        layer.weight_hh_l0.copy_(torch.from_numpy(Wh[:, order].T))
        layer.bias_ih_l0.copy_(torch.from_numpy(b[order]))
        layer.bias_hh_l0.zero_()
    return layer


def bench_layer(name, size, repeats, ns):
    """One row of the table: seconds of NumPy, torch and the per-example loop, and ratios."""
    import numpy as np
    import torch

    _, fwd_name, bwd_name, kind, gates = LAYERS[name]
    forward, backward = ns[fwd_name], ns[bwd_name]
    N, T, D, H = (SIZES[size][k] for k in "NTDH")
    rng = np.random.default_rng(0)
    x, h0, dh = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, T, H))
    scale = H ** -0.5
    Wx, Wh = rng.uniform(-scale, scale, (D, gates * H)), rng.uniform(-scale, scale, (H, gates * H))
    b = rng.uniform(-scale, scale, gates * H)

    def numpy_run():
        h, cache = forward(x, h0, Wx, Wh, b)
        backward(dh, cache)
        return h

    def naive_run():  # what vectorizing over the batch saves; NAIVE_EXAMPLES of N, scaled below
        for n in range(NAIVE_EXAMPLES):
            _, cache = forward(x[n:n + 1], h0[n:n + 1], Wx, Wh, b)
            backward(dh[n:n + 1], cache)

    layer = torch_layer(kind, Wx, Wh, b)
    xt, h0t = torch.tensor(x, requires_grad=True), torch.tensor(h0[None], requires_grad=True)
    state = (h0t, torch.zeros_like(h0t)) if kind == "LSTM" else h0t
    dht = torch.tensor(dh)

    def torch_run():
        layer.zero_grad(set_to_none=True)
        xt.grad = h0t.grad = None
        out, _ = layer(xt, state)
        out.backward(dht)
        return out

    same = None if kind == "GRU" else float(np.abs(numpy_run() - torch_run().detach().numpy()).max())
    numpy_s, torch_s = medians([numpy_run, torch_run], repeats)
    (naive_s,) = medians([naive_run], 3, warmup=0)
    naive_s *= N / NAIVE_EXAMPLES  # the examples are independent: the time is linear in their count
    return dict(numpy_s=numpy_s, torch_s=torch_s, naive_s=naive_s, ratio_torch=numpy_s / torch_s,
                vectorized_speedup=naive_s / numpy_s, max_abs_diff_vs_torch=same)


def run(threads, sizes, repeats):
    """All rows for one thread count, in this process (NumPy's threads were set by the caller)."""
    import torch

    from benchmarks.solutions import NotAvailable, load

    rows = []
    for name, (notebook, fwd, bwd, *_) in LAYERS.items():
        try:
            ns, reason = load(notebook, (fwd, bwd)), None
        except NotAvailable as exc:
            ns, reason = None, str(exc)
        torch.set_num_threads(threads)  # a setup cell may have changed it
        for size in sizes:
            row = dict(layer=name, size=size, **SIZES[size], threads=threads, notebook=notebook)
            if ns is None:
                row["status"] = f"not available: {reason}"
            else:
                try:
                    n = repeats if size == "small" else max(3, repeats // 3)  # large: slow
                    row.update(bench_layer(name, size, n, ns), status="ok")
                except Exception as exc:  # a broken kernel is reported, not fatal
                    row["status"] = f"failed: {type(exc).__name__}: {exc}"
            print(f"  {name:4s} {size:5s} {threads} thread(s): " + (
                f"numpy/torch {row['ratio_torch']:.2f}x, vectorized {row['vectorized_speedup']:.0f}x "
                f"faster than per-example" if row["status"] == "ok" else row["status"]), flush=True)
            rows.append(row)
    return rows


def measure(quick=False):
    """The kernels section: one subprocess per thread count."""
    # 2 threads at the small size only: on a busy machine OpenBLAS threads spin-wait for a
    # core, and the large size can then take minutes per call
    plan = {1: ["small"]} if quick else {1: ["small", "large"], 2: ["small"]}
    rows = []
    for n, sizes in plan.items():
        out = ROOT / "benchmarks" / ".scratch" / f"kernels-{n}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, NBGRADER_EXECUTION="autograde", OPENBLAS_NUM_THREADS=str(n),
                   OMP_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n))
        env.pop("RNN_COURSE_RECORD_REFERENCES", None)
        subprocess.run([sys.executable, "-m", "benchmarks.kernels", "--threads", str(n),
                        "--sizes", ",".join(sizes), "--repeats", str(9 if quick else 15),
                        "--out", str(out)], cwd=ROOT, env=env, check=True)
        rows += json.loads(out.read_text())
    return dict(rows=rows, sizes=SIZES, threads=list(plan),
                note="NumPy (OpenBLAS) and torch limited to the same number of threads; "
                     "float64; forward + backward incl. gradients of x, h0 and the weights; "
                     "medians over alternating repeats. RNN/LSTM: torch holds the same weights "
                     "(outputs agree); GRU: torch's reset-after variant vs the lecture's GRU.")


def main(argv=None):
    parser = argparse.ArgumentParser(description="time the kernels with a fixed thread count")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    rows = run(args.threads, args.sizes.split(","), args.repeats)
    with open(args.out, "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
