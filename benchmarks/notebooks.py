"""Wall time to execute each solution notebook, and notebook 06's PER/WER from its outputs.

Each notebook runs top to bottom with nbclient in a scratch copy of its folder, timed
from kernel start to the last cell, in one of three modes:

- ``student``: what a student and nbval pay (no grading budget);
- ``grading``: ``NBGRADER_EXECUTION=autograde``, the small budget the autograder runs, and
  one BLAS/OpenMP thread as in the grading kernel (``autograder/kernel.py``): the bare
  execution that the autograder's overhead is measured against;
- ``long``: notebook 06 with ``G2P_LONG=1`` (its long training run).
"""

import re
import shutil
import time

import nbformat

from benchmarks import SCRATCH
from benchmarks.solutions import SOLUTIONS, environment

MODES = {
    "student": dict(NBGRADER_EXECUTION=None, G2P_LONG=None),
    "grading": dict(NBGRADER_EXECUTION="autograde", G2P_LONG=None, OMP_NUM_THREADS="1",
                    OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1"),
    "long": dict(NBGRADER_EXECUTION=None, G2P_LONG="1"),
}
TARGET_S = {"06_seq2seq_attention": 240}  # the capstone may take 4 minutes
DEFAULT_TARGET_S, SERIES_TARGET_S = 180, 900
G2P = "06_seq2seq_attention"
PUBLISHED_G2P = dict(source="Yao & Zweig 2015, encoder-decoder LSTM on CMUdict", per=0.076, wer=0.286)
G2P_LINE = re.compile(r"this notebook, (greedy|beam \d+), ((?:all |first )?\d+) test words"
                      r"\s+([\d.]+)%\s+([\d.]+)%")


def execute(name, mode, folder=None, sandboxed=False, **env):
    """Run ``solutions/<name>`` in a scratch copy; return ``(seconds, error or None, notebook)``.

    ``folder`` (default: one per mode) is the scratch copy; ``sandboxed``: in the grading
    kernel (``autograder/kernel.py``: bubblewrap, limits, unix sockets) instead of a plain
    one; ``env`` adds to the mode's variables.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    folder = folder or SCRATCH / "notebooks" / (mode + "-sandboxed" * sandboxed) / name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SOLUTIONS / name, folder, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    options = dict(kernel_name="python3")
    if sandboxed:
        from jupyter_client import KernelManager

        from autograder.kernel import EXCHANGE_ENV, JOB_ENV, KERNEL_NAME, install_kernelspec
        from autograder.settings import DEFAULTS

        exchange = folder.parent / f".{name}-exchange"
        shutil.rmtree(exchange, ignore_errors=True)
        exchange.mkdir()
        env.update(JUPYTER_PATH=str(install_kernelspec(folder.parent / ".jupyter", DEFAULTS)),
                   **{EXCHANGE_ENV: str(exchange), JOB_ENV: f"bench-{name}"})
        options = dict(km=KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(exchange / "ipc")))
    client = NotebookClient(nb, timeout=1200, resources={"metadata": {"path": str(folder)}}, **options)
    error = None
    with environment(RNN_COURSE_RECORD_REFERENCES=None, **{**MODES[mode], **env}):
        tic = time.perf_counter()
        try:
            client.execute()
        except CellExecutionError as exc:
            error = str(exc).strip().splitlines()[-1][:300]
        except Exception as exc:  # a dead kernel, a timeout: reported, the run goes on
            error = f"{type(exc).__name__}: {exc}"[:300]
        seconds = time.perf_counter() - tic
    if sandboxed:
        from autograder.kernel import remove_job_cgroup

        remove_job_cgroup(f"bench-{name}")
    nbformat.write(nb, folder / f"{name}.ipynb")  # its outputs, to look at
    return seconds, error, nb


def g2p_figures(nb):
    """The rows of the PER/WER table that notebook 06 prints: decoder, test words, PER, WER."""
    out = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for match in G2P_LINE.finditer(output.get("text", "")):
                decoder, words, per, wer = match.groups()
                out.append(dict(decoder=decoder, words=words, per=float(per) / 100,
                                wer=float(wer) / 100))
    return out


def measure(quick=False, names=None):
    """The notebooks section. ``--quick`` times the grading budget only."""
    from autograder import assignments

    modes = ["grading"] if quick else ["student", "grading"]
    rows = []
    for name in names or assignments():
        row = dict(notebook=name, target_s=TARGET_S.get(name, DEFAULT_TARGET_S))
        for mode in modes:
            print(f"  executing {name} ({mode})", flush=True)
            seconds, error, nb = execute(name, mode)
            row[f"{mode}_s"] = seconds
            if error:
                row[f"{mode}_error"] = error
            if name == G2P and mode == "student" and not error:
                row["g2p"] = g2p_figures(nb)
            print(f"    {seconds:.1f} s" + (f", FAILED: {error}" if error else ""), flush=True)
        rows.append(row)
    g2p = next((r["g2p"] for r in rows if r.get("g2p")), None)
    source = "this run (student mode)"
    if g2p is None and (SOLUTIONS / G2P / f"{G2P}.ipynb").is_file():  # --quick: the stored outputs
        g2p = g2p_figures(nbformat.read(SOLUTIONS / G2P / f"{G2P}.ipynb", as_version=4))
        source = f"stored outputs of solutions/{G2P} (not re-run)"
    return dict(rows=rows, modes=modes, series_target_s=SERIES_TARGET_S,
                g2p=dict(figures=g2p or [], source=source, published=PUBLISHED_G2P))


def measure_g2p_long():
    """Notebook 06 with its long training run (``G2P_LONG=1``): wall time and PER/WER."""
    print(f"  executing {G2P} (G2P_LONG=1)", flush=True)
    seconds, error, nb = execute(G2P, "long")
    return dict(seconds=seconds, error=error, figures=g2p_figures(nb) if not error else [],
                published=PUBLISHED_G2P)
