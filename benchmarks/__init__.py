"""``make bench``: the course's performance figures, measured side by side in one run.

    python -m benchmarks [--quick] [--only kernels,notebooks,grading,charlm] [--g2p-long]

Sections (each its own module):

- ``kernels``: the solution notebooks' NumPy RNN/LSTM/GRU forward+backward against
  ``torch.nn.RNN/LSTM/GRU`` (float64, CPU, same sizes, same thread count) and against a
  per-example Python loop over the same NumPy function;
- ``notebooks``: wall time to execute each solution notebook, as a student (and nbval)
  runs it and under the autograder's budget; notebook 06's PER/WER from its outputs;
- ``grading``: the demo class autograded with 1 and 2 jobs: seconds per submission,
  parallel speed-up, overhead over the bare execution under the grading budget;
- ``charlm``: character-level RNN vs LSTM vs GRU validation loss after the same CPU time.

Results go to ``benchmarks/results.json`` (every section, with when and how it was
measured; a run updates the sections it runs) and ``benchmarks/RESULTS.md``.
Ratios measured in the same run are the headline: absolute times depend on the machine
and on whatever else runs on it.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCRATCH = HERE / ".scratch"  # git-ignored work folders
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"
