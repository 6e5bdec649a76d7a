"""Command line of the course's grading tools: ``python -m autograder --help``."""

import argparse
import sys

from autograder.settings import DEFAULTS

EXAMPLES = """examples:
  python -m autograder demo                                  # grade the demo class (.grading/demo)
  python -m autograder grade submitted/ --work .grading/hw   # grade a class
  python -m autograder grade submitted/ --work .grading/hw --late-policy late.toml \\
      --roster students.csv                                  # with a late policy and names
  python -m autograder grade submitted/ --work .grading/hw --student carol \\
      --assignment 01_rnn_numpy                              # regrade one submission
  python -m autograder grade submitted/ --work .grading/hw-2 --shard 2/8   # one of 8 array jobs
  python -m autograder grade --merge .grading/hw-* --work .grading/hw   # ... merged into one run
  python -m autograder grade submitted/ --work .grading/hw --scheduler tcp://head:8786  # on Dask
  python -m autograder formgrader --work .grading/hw         # the TA's formgrader on that run
  python -m autograder similarity --work .grading/hw         # pairs of alike submissions
  python -m autograder bundle                                # what students get (dist/)
`make help` lists the same as make targets."""

GRADE_EXAMPLES = """examples:
  python -m autograder grade submitted/ --work .grading/hw
  python -m autograder grade downloads/ --work .grading/hw --jobs 2   # LMS file names
  python -m autograder grade submitted/ --work .grading/hw --late-policy late.toml
  python -m autograder grade submitted/ --work .grading/hw --student carol --assignment 01_rnn_numpy
  python -m autograder grade submitted/ --work .grading/hw-$K --shard $K/8   # K = 1..8, anywhere
  python -m autograder grade --merge .grading/hw-{1..8} --work .grading/hw --late-policy late.toml
  python -m autograder grade submitted/ --work .grading/hw --scheduler tcp://head:8786 --verbose
  python -m autograder grade submitted/ --work .grading/hw --scheduler-file ~/scheduler.json
  python -m autograder grade submitted/ --work .grading/hw --scheduler tls://head:8786  # TLS
      # (certificates from the dask config: see autograder/SECURITY.md)
Run it again to resume a stopped run or to grade new and changed files only."""


def main(argv=None):
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     epilog=EXAMPLES, formatter_class=raw)
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="autograde a folder of submissions", epilog=GRADE_EXAMPLES,
                       formatter_class=raw)
    g.add_argument("submissions", nargs="?",
                   help="nbgrader submitted/ folder or a flat folder of .ipynb files")
    g.add_argument("--work", default=".grading/run", help="working folder (gradebook, feedback, CSV)")
    g.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (the workers "
                   "of the embedded Dask cluster; with --scheduler, the cluster's own)")
    g.add_argument("--cell-timeout", type=int, default=DEFAULTS.cell_timeout, help="seconds per cell")
    g.add_argument("--notebook-timeout", type=int, default=DEFAULTS.notebook_timeout,
                   help="seconds per notebook")
    g.add_argument("--memory-mb", type=int, default=DEFAULTS.memory_mb, help="address-space cap of a kernel")
    g.add_argument("--no-feedback", action="store_true", help="skip the HTML feedback")
    g.add_argument("--late-policy", metavar="FILE", help="JSON or TOML file: deadlines, percent "
                   "per started day late, cap, extensions (see autograder/grading/late.py)")
    g.add_argument("--roster", metavar="CSV", help="students' names for formgrader and the LMS "
                   "files: nbgrader's columns id,first_name,last_name,email (id required)")
    g.add_argument("--student", action="append", metavar="ID", help="regrade only this student "
                   "(repeatable); the others' results, feedback and files stay as they are")
    g.add_argument("--assignment", action="append", metavar="NAME",
                   help="regrade only this assignment (repeatable; with --student: both must match)")
    g.add_argument("--shard", metavar="K/N", help="grade only shard K of N of the class (its "
                   "students by a hash of their id), into a --work of its own, for a batch "
                   "scheduler's array job; then --merge")
    g.add_argument("--merge", nargs="+", metavar="DIR", help="instead of grading: build the "
                   "gradebook, feedback, CSVs and report in --work from the work folders of "
                   "shards 1..N (--roster and --late-policy apply here)")
    g.add_argument("--scheduler", metavar="ADDRESS", help="grade on the workers of this Dask "
                   "cluster (tcp://host:8786; tls://... with the dask config's certificates), "
                   "which have the course installed; no shared file system needed")
    g.add_argument("--scheduler-file", metavar="FILE", help="the same, the scheduler named by "
                   "the file `dask scheduler --scheduler-file FILE` wrote")
    g.add_argument("--verbose", action="store_true", help="a line per finished job: its "
                   "status, score, time and the worker that graded it")

    t = sub.add_parser("formgrader", help="the TA's JupyterLab with nbgrader's formgrader on a "
                       "grading run (manual grading, submissions, released assignments)")
    t.add_argument("--work", default=".grading/demo", help="a grading run's working folder")
    t.add_argument("--port", type=int, help="port of the server (default: Jupyter's choice)")
    t.add_argument("--no-browser", action="store_true", help="only print the URL")

    d = sub.add_parser("demo", help="generate the demo class and grade it")
    d.add_argument("--work", default=".grading/demo")
    d.add_argument("--jobs", type=int, default=2)

    v = sub.add_parser("validity", help="grade the mutation suite: bugs caught, alternatives accepted")
    v.add_argument("--work", default=".grading/validity")
    v.add_argument("--jobs", type=int, default=2)
    v.add_argument("--only", help="comma-separated assignments (default: all)")

    r = sub.add_parser("release", help="regenerate notebooks/ from solutions/")
    r.add_argument("--check", action="store_true", help="only report differences (exit 1 if any)")

    f = sub.add_parser("references", help="re-record every solutions/<a>/references.npz")
    f.add_argument("--check", metavar="RECORDED", help="only compare a folder of recorded .npz "
                   "files (from a run with RNN_COURSE_RECORD_REFERENCES) with the committed ones")

    b = sub.add_parser("bundle", help="write the student bundle (release notebooks, utils wheel, "
                       "requirements) and check it holds no solution text")
    b.add_argument("--out", help="the archive to write (.zip; default dist/rnn-course-student.zip)")

    m = sub.add_parser(
        "similarity", help="pairs of submissions whose solution cells are alike (for review)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare every pair of a graded run's submissions per assignment (solution\n"
        "cells only, the release's stubs not counted); write WORK/similarity.md and\n"
        "WORK/similarity.csv. For the TA to review, never an automatic penalty.",
        epilog="example:\n  python -m autograder grade submitted/ --work .grading/run\n"
        "  python -m autograder similarity --work .grading/run --threshold 0.8")
    m.add_argument("--work", default=".grading/run", help="the work folder of a grading run")
    # 0.8 is similarity.DEFAULT_THRESHOLD, not imported here: copydetect loads matplotlib
    m.add_argument("--threshold", type=float, default=0.8, help="flag a pair when either "
                   "direction's score reaches it, 0..1 (default: %(default)s)")

    args = parser.parse_args(argv)
    if args.command == "grade":
        from autograder.grading import main_grade

        return main_grade(args)
    if args.command == "demo":
        from autograder.demo import main_demo

        return main_demo(args)
    if args.command == "validity":
        from autograder.validity import main_validity

        return main_validity(args)
    if args.command == "release":
        from autograder import release

        if args.check:
            diffs = release.check()
            for line in diffs:
                print(f"out of sync: {line}")
            print("release is in sync with solutions/" if not diffs else
                  "run `make release` (and `make references` if reference outputs changed)")
            return 1 if diffs else 0
        release.generate(release.RELEASE)
        return 0
    if args.command == "references":
        from autograder import references

        if args.check:
            diffs = references.differences(args.check)
            for line in diffs:
                print(f"reference out of date: {line}")
            print("reference outputs are up to date" if not diffs else "run `make references`")
            return 1 if diffs else 0
        return references.record_all()
    if args.command == "formgrader":
        from autograder.formgrader import main_formgrader

        return main_formgrader(args)
    if args.command == "bundle":
        from autograder.bundle import main_bundle

        return main_bundle(args)
    if args.command == "similarity":
        from autograder.grading.similarity import main_similarity

        return main_similarity(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
