"""Verdicts the trusted side computes itself, for test cells that no comparison with the
reference can judge.

06's trained model: two correct solutions train to different weights, so the probe
``hidden_trained_model`` returns only the kernel's trained parameters (plain arrays). Here,
in the grader, they are loaded into the *solution's* model and 300 test words are decoded
with the solution's ``greedy_decode``; the bar is the test cell's own ``WER_BAR``. Nothing
the kernel computes is trusted but the weights, and weights that decode are what training
earns. The solution notebook runs here up to its training cell (data, vocabularies, the
answer cells), once per grading process.
"""

import ast
import contextlib
import functools
import io
import os

import nbformat
import numpy as np

from autograder import SOLUTIONS
from autograder.probes import PARAMETER

G2P = "06_seq2seq_attention"
G2P_WORDS = 300  # test words decoded by the grader (the hidden test's count)
G2P_MAX_LEN = 20  # the longest pronunciation has 15 phonemes


@functools.cache
def _source(name):
    """The solution notebook (read once per grading process; never modified)."""
    return nbformat.read(SOLUTIONS / name / f"{name}.ipynb", as_version=4)


def _calls(source, function):
    return any(isinstance(node, ast.Call) and getattr(node.func, "id", None) == function
               for node in ast.walk(ast.parse(source)))


@functools.cache
def solution_before_training(name):
    """The solution notebook's namespace just before its first call of ``train``: every code
    cell before it but the test cells, run quietly in the notebook's folder."""
    ns = {}
    cwd = os.getcwd()
    os.chdir(SOLUTIONS / name)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for cell in _source(name).cells:
                if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("grade"):
                    continue
                if _calls(cell.source, "train"):
                    break
                exec(compile(cell.source, f"<{name} solution>", "exec"), ns)  # noqa: S102 -- trusted
    finally:
        os.chdir(cwd)
    return ns


def test_cell_constant(name, grade_id, constant):
    """A literal the test cell assigns (``WER_BAR = 0.9``): the bar has one owner, the cell."""
    cell = next(c for c in _source(name).cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [constant]:
            return ast.literal_eval(node.value)
    raise LookupError(f"{grade_id} assigns no {constant}")


def trained_g2p_model(outputs):
    """None if the trained parameters spell the test words well enough, else the reason."""
    import torch

    ns = solution_before_training(G2P)
    bar = test_cell_constant(G2P, "test_trained_model", "WER_BAR")
    state = {k[len(PARAMETER):]: torch.from_numpy(np.array(v)) for k, v in outputs.items()
             if k.startswith(PARAMETER)}
    model = ns["make_model"]()
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        return f"the trained model's parameters do not fit the notebook's model ({first})"
    words = ns["test_pairs"][:G2P_WORDS]
    src, src_lengths, _ = ns["make_batch"](words, ns["letters"], ns["phonemes"])
    model.eval()
    with torch.no_grad():
        decoded = ns["greedy_decode"](model, src, src_lengths, G2P_MAX_LEN)
    wrong = sum([ns["phonemes"].itos[i] for i in ids] != list(phones)
                for ids, (_, phones) in zip(decoded, words))
    wer = wrong / len(words)
    if not wer < bar:
        return (f"a hidden test failed: the trained model, decoded by the grader, gets a WER of "
                f"{wer:.1%} on {len(words)} test words, not below {bar:.0%}")
    return None


# (assignment, test grade_id) -> judge(outputs of the cell's probes, prefix stripped)
JUDGES = {(G2P, "test_trained_model"): trained_g2p_model}
