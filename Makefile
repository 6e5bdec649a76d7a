# rnn-course. Every target depends on `env`, so a fresh clone needs nothing else.
# `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WORK := .grading
# pip warns once per package about index folders this machine's pip.conf names but lacks
QUIET_PIP := { grep -v "is ignored: it is neither a file nor a directory" || true; }
NBVAL := -p no:cacheprovider --nbval --nbval-sanitize-with .nbval-sanitize.cfg --nbval-cell-timeout 600 --durations 5 \
         -n 2 --dist loadfile
# A second numeric configuration, as another CPU would compute: MKL's conditional-numerical-
# reproducibility AVX2 path, PyTorch's AVX2 kernels and one thread everywhere each change the last
# digits of trained results. MKL_CBWR=AVX2 rather than COMPATIBLE: COMPATIBLE is SSE2-only, which
# on an Intel CPU made 06's training cell over 6x slower (past nbval's 600 s cell timeout).
# OPENBLAS_CORETYPE is the machine's own setting and stays as it is.
OTHER_CPU := MKL_CBWR=AVX2 ATEN_CPU_CAPABILITY=avx2 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
             OPENBLAS_NUM_THREADS=1

.PHONY: help env lab release references execute demo autograde formgrader similarity test lint unit sync nbval portability \
        grading grading-unprivileged validity bench student-bundle ui-check clean

help:
	@echo "make demo        set up, regenerate the release, grade the demo class (main job)"
	@echo "make test        everything CI checks: lint, unit tests, release sync, nbval (on two"
	@echo "                 numeric configurations), grading"
	@echo "make lab         JupyterLab on the student notebooks"
	@echo "make release     regenerate notebooks/ from solutions/"
	@echo "make references  re-record the reference outputs (solutions/*/references.npz)"
	@echo "make execute     re-run the solution notebooks in place (outputs nbval compares)"
	@echo "make autograde SUBMISSIONS=path [JOBS=2] [LATE=policy.toml] [ROSTER=students.csv]"
	@echo "                 [SCHEDULER=tcp://host:8786]   grade a class (a late policy, the"
	@echo "                 students' names; on a Dask cluster)"
	@echo "make formgrader [RUN=.grading/demo]   the TA's JupyterLab: nbgrader's formgrader on a"
	@echo "                 grading run (submissions, scores, manual grading)"
	@echo "make similarity [RUN=.grading/demo]   RUN/similarity.md: alike solution code, for review"
	@echo "make validity [ONLY=01_rnn_numpy]   mutation suite: bugs caught, alternatives accepted"
	@echo "make bench [QUICK=1]   performance figures -> benchmarks/RESULTS.md"
	@echo "make bench CLAIMS=06_seq2seq_attention   re-measure one notebook's claims over the seeds"
	@echo "make student-bundle   dist/rnn-course-student.zip: release notebooks, utils wheel, set-up;"
	@echo "                 checked to hold no solution text"
	@echo "make ui-check    real-browser check (Playwright, system Chromium): the student's Lab"
	@echo "                 and the formgrader; screenshots in .grading/ui/"
	@echo "make clean       remove grading work folders"

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 | $(QUIET_PIP)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e . 2>&1 | $(QUIET_PIP)
	touch $(STAMP)

# The student's JupyterLab: nbgrader's instructor panels (formgrader, create assignment,
# assignment and course lists) are switched off by lab/student; Validate stays.
STUDENT_LAB := JUPYTER_CONFIG_PATH=$(CURDIR)/lab/student
lab: env
	$(STUDENT_LAB) $(VENV)/bin/jupyter lab notebooks/

release: env
	$(PY) -m autograder release

references: env
	$(PY) -m autograder references

execute: env
	$(PY) -m autograder.authoring solutions/*/*.ipynb

demo: env release
	$(PY) -m autograder demo --work $(WORK)/demo

AUTOGRADE_USAGE := make autograde SUBMISSIONS=path [JOBS=2] [LATE=policy.toml] [ROSTER=students.csv] \
                   [SCHEDULER=tcp://host:8786]
autograde: env
	@test -n "$(SUBMISSIONS)" || (echo "usage: $(AUTOGRADE_USAGE)"; exit 2)
	$(PY) -m autograder grade "$(SUBMISSIONS)" --work $(WORK)/$(notdir $(abspath $(SUBMISSIONS))) \
	    --jobs $(or $(JOBS),2) $(if $(LATE),--late-policy "$(LATE)",) $(if $(ROSTER),--roster "$(ROSTER)",) \
	    $(if $(SCHEDULER),--scheduler "$(SCHEDULER)",)

# The TA's JupyterLab: nbgrader's formgrader on a grading run's course (WORK=.grading/demo
# after `make demo`, or .grading/<submissions folder> after `make autograde`).
formgrader: env
	$(PY) -m autograder formgrader --work $(or $(RUN),$(WORK)/demo)

# Pairs of submissions whose solution cells are alike, for the TA to review (never a penalty).
similarity: env
	$(PY) -m autograder similarity --work $(or $(RUN),$(WORK)/demo)

test: lint unit sync nbval portability grading grading-unprivileged

lint: env
	$(VENV)/bin/ruff check .

unit: env
	$(PY) -m pytest -p no:cacheprovider tests -m "not grading"

sync: env
	$(PY) -m autograder release --check

# nbval re-runs every solution notebook and compares its outputs with the stored ones;
# the same run records the reference outputs, which must equal the committed ones.
nbval: env
	rm -rf $(WORK)/recorded
	RNN_COURSE_RECORD_REFERENCES=$(CURDIR)/$(WORK)/recorded $(PY) -m pytest $(NBVAL) solutions
	$(PY) -m autograder references --check $(WORK)/recorded

# The same check under OTHER_CPU: an output that only holds on this machine's numerics fails
# here before it fails on another machine.
portability: env
	rm -rf $(WORK)/recorded-other-cpu
	$(OTHER_CPU) RNN_COURSE_RECORD_REFERENCES=$(CURDIR)/$(WORK)/recorded-other-cpu \
	    $(PY) -m pytest $(NBVAL) solutions
	$(PY) -m autograder references --check $(WORK)/recorded-other-cpu

grading: env
	$(PY) -m pytest -p no:cacheprovider tests -m grading

# The whole hostile battery with the grader run by an unprivileged user (a TA's laptop); as
# root, `grading` runs only the cases the sandbox decides (autograder.hostile.cases).
grading-unprivileged: env
	bash tests/unprivileged.sh $(CURDIR)/$(PY)

# The mutation suite: realistic bugs must lose their function's points, correct
# alternatives must keep them (autograder/mutants); writes .grading/validity/validity.md.
validity: env release
	$(PY) -m autograder validity --work $(WORK)/validity $(if $(ONLY),--only $(ONLY),)

bench: env
	$(PY) -m benchmarks $(if $(QUICK),--quick,) $(if $(CLAIMS),--only claims --notebooks $(CLAIMS),)

# What an instructor hands out (LMS, git repository): the release as it is in sync with
# solutions/, utils/ as a wheel, the student requirements; the build fails on any solution text.
student-bundle: env sync
	$(PY) -m autograder bundle

# A real browser on the student's Lab (a wrong answer's message, no instructor panel) and on
# the formgrader of a graded class (RNN_COURSE_UI_WORK, default .grading/demo). Playwright comes
# from requirements-ui.txt, the browser is the system's Chromium (never `playwright install`).
CHROMIUM := /usr/bin/chromium
UI_STAMP := $(VENV)/.installed-ui
$(UI_STAMP): requirements-ui.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-ui.txt 2>&1 | $(QUIET_PIP)
	touch $(UI_STAMP)

ui-check: env $(UI_STAMP)
	@test -x $(CHROMIUM) || { echo "ui-check: $(CHROMIUM) not found; install it: apt-get install -y chromium"; exit 2; }
	RNN_COURSE_UI=1 RNN_COURSE_CHROMIUM=$(CHROMIUM) $(PY) -m pytest -p no:cacheprovider tests/ui -v --durations 5

clean:
	rm -rf $(WORK)
