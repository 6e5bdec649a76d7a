"""Grade a folder of submissions: one sandboxed nbgrader run per notebook, then one gradebook.

    python -m autograder grade SUBMISSIONS [--work .grading/run] [--jobs 2] [--shard K/N]
    python -m autograder grade SUBMISSIONS --scheduler tcp://host:8786 [--verbose]
    python -m autograder grade --merge DIR... [--work .grading/run]

SUBMISSIONS is nbgrader's ``submitted/<student>/<assignment>/<assignment>.ipynb``
layout, or a flat folder of notebooks as an LMS download gives them
(``<student>_<anything>_<assignment>.ipynb``; see :func:`discover.discover`).

The pipeline, one module per step:

- ``discover``: find the submissions, give every student a distinct id;
- ``submission``: read each notebook as untrusted data (links, devices, huge or broken
  files refused with a reason), compare it with the release, restore locked cells;
- ``job``: autograde one submission with its own ``nbgrader autograde`` process (forked
  from a preloaded nbgrader: ``autograder.nbgrader_run.Preloaded``) in a private course
  folder, its kernel in the sandbox (``autograder.kernel``), bounded in time; a crash, a
  hang or a tampered gradebook there reaches no one else;
- ``engine``: the jobs as Dask tasks, on an embedded cluster or an existing one
  (``--scheduler``): a task carries a submission's bytes to a worker, which grades it
  with ``job`` in a scratch folder and returns the result and the job folder's files
  (into ``WORK/jobs/``) as data;
- ``verdicts``: the trusted side's judgement: the probes' outputs against the
  reference job's, and what counts as evidence of tampering;
- ``outputs``: a single writer copies the scores into ``WORK/course/gradebook.db``
  (nbgrader's gradebook), then the feedback, the CSVs and the report;
- ``run``: the whole run; results land as JSON in ``WORK/results/``, so a stopped run
  resumes where it was. ``model`` holds the data the steps pass on; the settings are
  ``autograder.settings``;
- ``shards``: a class graded as N independent shards (array jobs) and ``run.merge``
  building one run from their work folders.
"""

from autograder.grading.run import SandboxUnavailable, grade, main_grade, merge

__all__ = ["SandboxUnavailable", "grade", "main_grade", "merge"]
