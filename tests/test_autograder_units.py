"""Pieces of the grading pipeline that need no kernel."""

import copy
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import RELEASE, SOLUTIONS, assignments
from autograder.demo import buggy_notebook, expected_scores, solved_notebook
from autograder.feedback import without_hidden_tests
from autograder.grading.discover import discover
from autograder.grading.submission import inspect_submission
from autograder.grading.verdicts import _matches, compare_probes
from autograder.probe_runner import collect
from autograder.probes import HOLDS, hidden_tests_are_probes
from utils.grading import write_npz

FIRST = assignments()[0]


def _release():
    return nbformat.read(RELEASE / FIRST / f"{FIRST}.ipynb", as_version=4)


def test_discover_nbgrader_layout_and_missing(tmp_path):
    (tmp_path / "ann" / FIRST).mkdir(parents=True)
    nbformat.write(_release(), tmp_path / "ann" / FIRST / f"{FIRST}.ipynb")
    (tmp_path / "ben" / FIRST).mkdir(parents=True)  # folder without a notebook
    (tmp_path / "ben" / "homework9").mkdir()
    subs, unmatched = discover(tmp_path, [FIRST])
    assert [(s.student, s.assignment, s.path is None) for s in subs] == [
        ("ann", FIRST, False), ("ben", FIRST, True)]
    assert [why for _, why in unmatched] == ["folder is not an assignment of this course"]


def test_discover_flat_lms_download(tmp_path):
    for name in [f"smithjane_1234_5678_{FIRST}.ipynb", f"doe john_{FIRST}-1.ipynb", "notes.ipynb"]:
        (tmp_path / name).write_text("{}")
    subs, unmatched = discover(tmp_path, [FIRST])
    assert sorted(s.student for s in subs) == ["doe-john", "smithjane"]
    assert [p.name for p, _ in unmatched] == ["notes.ipynb"]


def test_discover_reports_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no submissions folder"):
        discover(tmp_path / "nope", [FIRST])


@pytest.mark.parametrize("content, reason", [
    (b"", "the file is empty"),
    (b'{"cells": [', "not valid JSON at line 1"),
    (b"\xff\xfe", "not valid JSON"),
    (b'{"cells": 3}', "not a readable .ipynb"),
])
def test_inspect_rejects_broken_files(tmp_path, content, reason):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    problem, _ = inspect_submission(path, _release())
    assert problem.startswith("invalid notebook") and reason in problem


def test_inspect_flags_wrong_assignment_and_edits(tmp_path):
    path = tmp_path / "x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), path)
    assert inspect_submission(path, _release())[0].startswith("wrong assignment")
    nb = _release()
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    tests[0].source = "pass"
    nb.cells.remove(tests[1])
    tests[2].metadata["nbgrader"]["points"] = 100
    nb.metadata["kernelspec"]["name"] = "evil"
    nbformat.write(nb, path)
    problem, notes = inspect_submission(path, _release())
    assert problem is None
    gids = [c.metadata["nbgrader"]["grade_id"] for c in tests[:3]]
    assert notes == [f"locked cell {gids[0]} was edited (restored for grading)",
                     f"locked cell {gids[1]} is missing (deleted, or the notebook is from an older "
                     "release): restored for grading",
                     f"cell {gids[2]} had its grading metadata changed (restored for grading)",
                     "kernelspec changed to 'evil' (the course kernel was used)"]
    assert inspect_submission(None, _release())[0].startswith("missing")


def test_feedback_has_no_hidden_tests_by_construction():
    # what the kernel ran: the source's test cells, with their hidden tests, and a student
    # cell whose comment looks like an nbgrader marker (it must not crash anything)
    ran = nbformat.read(SOLUTIONS / FIRST / f"{FIRST}.ipynb", as_version=4)
    hidden = [c for c in ran.cells if c.metadata.get("nbgrader", {}).get("grade")]
    secret = "\nsecret_oracle = compare_with_the_instructors_own_implementation(x)\n"
    hidden[0].source += f"\n### BEGIN HIDDEN TESTS{secret}### END HIDDEN TESTS"
    hidden[0].outputs = [nbformat.v4.new_output(
        "error", ename="GradingError", evalue="f: wrong", traceback=[secret])]
    answer = next(c for c in ran.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source = "### BEGIN HIDDEN TESTS\n# my notes\n" + answer.source
    out = without_hidden_tests(ran, _release())
    text = json.dumps([c for c in out.cells if c.metadata.get("nbgrader", {}).get("locked")])
    assert "END HIDDEN TESTS" not in text
    assert all(line.strip() not in text for line in secret.splitlines() if len(line.strip()) > 20)
    assert hidden[0].outputs[0]["traceback"] == ["GradingError: f: wrong"]
    assert answer.source.startswith("### BEGIN HIDDEN TESTS\n# my notes")  # the student's own text


def test_feedback_keeps_the_error_message_and_its_hint_not_the_frames():
    """IPython's traceback of ``next_h, cache = f(...)`` with ``f`` missing its return: the
    feedback shows the message and the hint of utils.install_ipython_hints under it."""
    ran = nbformat.read(SOLUTIONS / FIRST / f"{FIRST}.ipynb", as_version=4)
    test = next(c for c in ran.cells if c.metadata.get("nbgrader", {}).get("grade"))
    frame = "\x1b[32m----> \x1b[39m\x1b[32m4\x1b[39m next_h, cache = rnn_step_forward(x)\n"
    hint = "Hint: rnn_step_forward(...) returned None: did you forget its `return`?"
    test.outputs = [nbformat.v4.new_output(
        "error", ename="TypeError", evalue="cannot unpack non-iterable NoneType object",
        traceback=["\x1b[31m----\x1b[39m", "\x1b[31mTypeError\x1b[39m   Traceback (most recent call last)",
                   frame, "\x1b[31mTypeError\x1b[39m: cannot unpack non-iterable NoneType object", hint])]
    without_hidden_tests(ran, _release())
    assert test.outputs[0]["traceback"] == ["TypeError: cannot unpack non-iterable NoneType object",
                                            hint]


def test_demo_notebooks_fill_solutions_and_apply_bugs():
    solved = solved_notebook(FIRST)
    text = nbformat.writes(solved)
    assert "BEGIN SOLUTION" not in text and "NotImplementedError" not in text
    assert "BEGIN HIDDEN TESTS" not in text  # test cells are the release's
    buggy = nbformat.writes(buggy_notebook(FIRST))
    assert buggy != text
    expected = expected_scores(FIRST)
    assert sum(expected["alice"].values()) > 0 and not any(expected["bob"].values())
    assert sum(expected["carol"].values()) < sum(expected["alice"].values())


def test_probes_compare_detects_differences(tmp_path):
    ref = collect(FIRST, 5, _namespace_of_solution())
    assert ref and not any(k.endswith("__error__") for k in ref)
    write_npz(str(tmp_path / "ref.npz"), ref)
    write_npz(str(tmp_path / "same.npz"), collect(FIRST, 5, _namespace_of_solution()))
    verdicts = compare_probes(FIRST, tmp_path / "ref.npz", tmp_path / "same.npz")
    assert verdicts and not any(verdicts.values())
    broken = {k: (v + 1 if v.dtype.kind == "f" else v) for k, v in ref.items()}
    write_npz(str(tmp_path / "broken.npz"), broken)
    verdicts = compare_probes(FIRST, tmp_path / "ref.npz", tmp_path / "broken.npz")
    assert any(verdicts.values())
    missing = compare_probes(FIRST, tmp_path / "ref.npz", tmp_path / "absent.npz")
    assert all(v and "could not run" in v for v in missing.values())


def test_probes_without_a_reference_accuse_nobody(tmp_path):
    ref = collect(FIRST, 5, _namespace_of_solution())
    write_npz(str(tmp_path / "student.npz"), ref)
    assert compare_probes(FIRST, tmp_path / "absent.npz", tmp_path / "student.npz") == {}
    # a probe that failed on the reference judges no student, even one whose output differs
    first = sorted(ref)[0].rsplit("/", 1)[0]
    failed_ref = {k: v for k, v in ref.items() if not k.startswith(first + "/")}
    failed_ref[first + "/__error__"] = np.array("ValueError: reference failed")
    write_npz(str(tmp_path / "failed_ref.npz"), failed_ref)
    broken = {k: (v + 1 if v.dtype.kind == "f" else v) for k, v in ref.items()}
    write_npz(str(tmp_path / "broken.npz"), broken)
    verdicts = compare_probes(FIRST, tmp_path / "failed_ref.npz", tmp_path / "broken.npz")
    grade_id = first.split("/")[0]
    others = [p for p in verdicts if p != grade_id]
    assert verdicts[grade_id] is None or not verdicts[grade_id].startswith(first.split("/")[1] + ":")
    assert any(verdicts[g] for g in others)  # the other probes still judge


def test_matches_is_strict_about_shape_and_type():
    tol = dict(rtol=1e-6, atol=1e-8)
    assert _matches(np.array([1.0, np.nan]), np.array([1.0, np.nan]), tol)
    assert not _matches(np.array([1.0]), np.array([1.0, 1.0]), tol)
    assert not _matches(np.array(["a"]), np.array([1.0]), tol)
    assert not _matches(np.array([1.0, 2.0]), np.array([1.0, np.nan]), tol)


def _namespace_of_solution(name=FIRST):
    """Run the setup and answer cells (not the tests) of a solution notebook, as the grader would."""
    import os

    from autograder import SOLUTIONS

    nb = nbformat.read(SOLUTIONS / name / f"{name}.ipynb", as_version=4)
    ns = {}
    cwd = os.getcwd()
    os.chdir(SOLUTIONS / name)
    try:
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade_id") == "setup"):
                exec(cell.source, ns)
    finally:
        os.chdir(cwd)
    return ns


def test_normalize_restores_deleted_edited_and_relabelled_cells():
    from autograder.grading.submission import normalize_submission

    release = _release()
    ids = lambda nb: [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    nb = _release()
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    nb.cells.remove(tests[0])
    tests[1].source = "pass"
    tests[2].metadata["nbgrader"].update(grade=False, points=100)
    extra = nbformat.v4.new_code_cell("x = 1")
    extra.metadata["nbgrader"] = dict(tests[3].metadata["nbgrader"])  # a duplicated id
    nb.cells.append(extra)
    nb.metadata["kernelspec"]["name"] = "evil"
    fixed = normalize_submission(nb, release)
    assert [i for i in ids(fixed) if i] == [i for i in ids(release) if i]
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in fixed.cells if "nbgrader" in c.metadata}
    for ref in release.cells:
        gid = ref.metadata.get("nbgrader", {}).get("grade_id")
        if gid and ref.metadata["nbgrader"].get("locked"):
            assert by_id[gid].source == ref.source and by_id[gid].metadata == ref.metadata
    assert fixed.cells[-1].source == "x = 1" and "nbgrader" not in fixed.cells[-1].metadata
    assert fixed.metadata["kernelspec"] == release.metadata["kernelspec"]


def test_feedback_names_a_failed_dependency_and_only_then():
    from autograder.authoring import solution, tests
    from autograder.feedback import note_failed_dependencies

    source = nbformat.v4.new_notebook(cells=[
        solution("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION", "f"),
        tests("assert f(1) == 1", "test_f", 1),
        solution("def g(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION", "g"),
        tests("assert g(f(1)) == 2", "test_g", 1),
    ])
    max_scores = {"test_f": 1.0, "test_g": 1.0}
    noted = note_failed_dependencies(copy.deepcopy(source), source, {"test_f": 0.0, "test_g": 0.0}, max_scores)
    notes = [c.source for c in noted.cells if c.cell_type == "markdown"]
    assert len(notes) == 1 and "`f` (its test `test_f` failed too)" in notes[0]
    assert noted.cells[4].source == notes[0]  # right after test_g
    clean = note_failed_dependencies(copy.deepcopy(source), source, {"test_f": 1.0, "test_g": 0.0}, max_scores)
    assert not [c for c in clean.cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("name", assignments())
def test_course_model_is_consistent(name):
    """Probes, judges, demo bugs and mutants name real cells of the source notebook, and
    every test cell is probed or listed in UNPROBED with a reason."""
    from autograder.grading.course import Assignment

    assignment = Assignment(name)
    assert assignment.points and assignment.probes
    assert assignment.problems() == []


def test_course_model_reports_what_does_not_fit(monkeypatch):
    import autograder.grading.course as course

    assignment = course.Assignment(FIRST)
    probes = dict(assignment.probes)
    first = sorted(probes)[0]
    probes["test_no_such_cell"] = probes.pop(first)
    monkeypatch.setattr(course, "probes_for", lambda name: (probes, {}))
    problems = course.Assignment(FIRST).problems()
    assert any("unknown test cells: ['test_no_such_cell']" in p for p in problems), problems
    assert any(f"neither probed nor in UNPROBED: ['{first}']" in p for p in problems), problems


def test_reference_check_uses_each_visible_tests_tolerance(tmp_path, monkeypatch):
    from autograder import references
    from utils.grading import tolerance_key

    monkeypatch.setattr(references, "SOLUTIONS", tmp_path / "solutions")
    monkeypatch.setattr(references, "assignments", lambda: ["nb"])
    (tmp_path / "solutions" / "nb").mkdir(parents=True)
    (tmp_path / "recorded").mkdir()
    committed = {"float32 logits": np.array([0.5, 1.0], dtype=np.float32),
                 tolerance_key("float32 logits"): np.array([1e-5, 1e-6]),
                 "float64 J": np.array([1.0, 2.0]), tolerance_key("float64 J"): np.array([1e-7, 1e-9])}
    write_npz(str(tmp_path / "solutions" / "nb" / "references.npz"), committed)
    other_cpu = dict(committed)
    other_cpu["float32 logits"] = committed["float32 logits"] + np.float32(6e-8)  # last digits
    write_npz(str(tmp_path / "recorded" / "nb.npz"), other_cpu)
    assert references.differences(tmp_path / "recorded") == []
    changed = dict(committed)
    changed["float64 J"] = committed["float64 J"] * (1 + 1e-7)  # would fail a visible test
    write_npz(str(tmp_path / "recorded" / "nb.npz"), changed)
    assert references.differences(tmp_path / "recorded") == ["nb: float64 J changed by up to 2e-07"]


def test_feedback_html_carries_no_live_script():
    """The feedback preprocessors of the course's nbgrader config, on a hostile notebook."""
    from importlib import import_module

    from nbconvert.exporters import HTMLExporter
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.nbgrader_run import CONFIG

    cfg = PyFileConfigLoader(str(CONFIG)).load_config()
    exporter = HTMLExporter(config=cfg)
    for path in cfg.GenerateFeedback.preprocessors:
        module, name = path.rsplit(".", 1)
        if name != "GetGrades":  # needs a gradebook; grades carry no student HTML
            exporter.register_preprocessor(getattr(import_module(module), name), enabled=True)
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Title\n**bold** $x^2$ <script>alert(1)</script> "
                             "<img src=x onerror=alert(2)> [x](javascript:alert(3)) "
                             "<a href='javascript:alert(4)'>a</a> [ok](https://example.org)"),
        v4.new_code_cell("1", outputs=[
            v4.new_output("display_data", data={"text/html": "<b onmouseover=alert(5)>b</b>"
                                                             "<script>alert(6)</script>"}),
            v4.new_output("display_data", data={"application/javascript": "alert(7)"}),
            v4.new_output("display_data", data={"text/markdown": "[y](javascript:alert(8))"}),
        ])])
    html, _ = exporter.from_notebook_node(nb)
    for live in ("<script>alert", "onerror", "onmouseover", "javascript:", "alert(7)"):
        assert live not in html, live
    assert "<strong>bold</strong>" in html and "$x^2$" in html  # markdown still renders
    assert '<a href="https://example.org">ok</a>' in html


def test_discover_keeps_students_apart_and_refuses_links(tmp_path):
    for name in [f"Jösé_1_{FIRST}.ipynb", f"Jåsé_1_{FIRST}.ipynb", f"{'y' * 200}_{FIRST}.ipynb"]:
        (tmp_path / name).write_text("{}")
    (tmp_path / f"linked_1_{FIRST}.ipynb").symlink_to(SOLUTIONS / FIRST / f"{FIRST}.ipynb")
    (tmp_path / "alias").symlink_to(tmp_path)  # a student folder that is a link
    subs, unmatched = discover(tmp_path, [FIRST])
    ids = {s.name: s.student for s in subs}
    assert ids["Jösé"] != ids["Jåsé"] and all("J-s" in ids[n] for n in ("Jösé", "Jåsé"))
    assert all("map to the same id 'J-s'" in s.note for s in subs if s.name.startswith("J"))
    assert len(ids["y" * 200]) <= 64
    assert [(p.name, "symbolic link" in why) for p, why in unmatched] == [("alias", True)]
    linked = next(s for s in subs if s.name == "linked")
    problem, _ = inspect_submission(linked.path, _release())
    assert problem == "invalid submission: a symbolic link (only regular files are graded)"


def test_inspect_refuses_devices_and_huge_files(tmp_path):
    assert inspect_submission(Path("/dev/zero"), _release())[0].startswith(
        "invalid submission: not a regular file")
    huge = tmp_path / "huge.ipynb"
    with open(huge, "wb") as f:
        f.truncate(21 * 2**20)
    assert "over 20 MB" in inspect_submission(huge, _release())[0]


def test_no_partial_credit_from_an_early_execute_result():
    from autograder.grading.job import _trusted_scores

    v4 = nbformat.v4
    cheat = v4.new_code_cell("test()", outputs=[
        v4.new_output("execute_result", data={"text/plain": "100.0"}, execution_count=1),
        v4.new_output("error", ename="GradingError", evalue="f: wrong", traceback=[])])
    honest = v4.new_code_cell("test()", outputs=[v4.new_output("stream", name="stdout", text="ok")])
    for cell, gid in ((cheat, "test_a"), (honest, "test_b")):
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "points": 2}
    nb = v4.new_notebook(cells=[cheat, honest])
    assert _trusted_scores(nb, {"test_a": 2.0, "test_b": 2.0}) == {"test_a": 0.0, "test_b": 2.0}


def test_inspect_reports_duplicated_cells(tmp_path):
    nb = _release()
    test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    nb.cells.append(copy.deepcopy(test_cell))
    nbformat.write(nb, tmp_path / "dup.ipynb")
    _, notes = inspect_submission(tmp_path / "dup.ipynb", _release())
    gid = test_cell.metadata["nbgrader"]["grade_id"]
    assert f"cell {gid} appears 2 times (only the first is graded)" in notes


@pytest.mark.parametrize("name", assignments())
def test_hidden_tests_run_as_probes_and_hold_on_the_solution(name):
    """Every assignment's hidden tests are probes and its notebook has none left (nothing
    hidden ever reaches the student's kernel); each probe runs on the solution without
    error, and each property holds there."""
    assert hidden_tests_are_probes(name)
    text = (SOLUTIONS / name / f"{name}.ipynb").read_text()
    assert "HIDDEN TESTS" not in text, "a hidden region in a notebook whose hidden tests are probes"
    from autograder.grading.judges import JUDGES

    out = collect(name, 11, _namespace_of_solution(name))
    judged = tuple(f"{grade_id}/" for a, grade_id in JUDGES if a == name)  # need a trained model
    assert not [k for k in out if k.endswith("__error__") and not k.startswith(judged)], out
    properties = {k: v for k, v in out.items() if k.split("/")[-1].startswith(HOLDS)}
    assert properties and all(v.dtype == bool and v.all() for v in properties.values()), \
        [k for k, v in properties.items() if not v.all()]


def test_trained_model_is_judged_by_the_grader_on_its_weights():
    """06's trained model: the grader decodes with the kernel's parameters in the solution's
    model; untrained or misfitting parameters fail with the reason."""
    from autograder.grading.judges import G2P, solution_before_training, trained_g2p_model
    from autograder.probes import PARAMETER
    from autograder.probes.a06_seq2seq_attention import hidden_trained_model

    untrained = solution_before_training(G2P)["make_model"]()
    outputs = hidden_trained_model({"model": untrained}, None)  # what the kernel's probe writes
    assert outputs and all(k.startswith(PARAMETER) for k in outputs)
    reason = trained_g2p_model(outputs)
    assert reason and "WER of" in reason and "not below 90%" in reason
    del outputs[sorted(outputs)[0]]
    assert "do not fit" in trained_g2p_model(outputs)
    assert "do not fit" in trained_g2p_model({})


def test_a_sandboxed_kernel_gets_the_graders_font_list_and_matplotlib_uses_it(tmp_path):
    import os
    import subprocess
    import sys

    from autograder.kernel import build_font_cache, check_sandbox, sandbox_argv

    if check_sandbox():
        pytest.skip(f"no sandbox here: {check_sandbox()}")
    cache = build_font_cache(tmp_path / "fonts")
    (built,) = cache.glob("fontlist-*.json")
    # one font only: a kernel that rebuilt the list would find them all
    font_list = json.loads(built.read_text())
    font_list["ttflist"] = font_list["ttflist"][:1]
    built.write_text(json.dumps(font_list))
    code = ("from autograder.kernel import seed_font_cache; seed_font_cache()\n"
            "import os, matplotlib.font_manager as fm\n"
            "print(sorted(os.listdir(os.environ['MPLCONFIGDIR'])), len(fm.fontManager.ttflist))")
    (tmp_path / "cwd").mkdir()
    argv = sandbox_argv([sys.executable, "-c", code], tmp_path / "cwd", tmp_path / "cwd",
                        os.environ, font_cache=cache)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr  # no rebuild, no warning
    names, fonts = proc.stdout.split("] ")
    assert names == f"['{built.name}'" and int(fonts) == 1


def _preloaded_run(tmp_path, name, config, timeout=60, pids=None, **env):
    """``(exit status, output, [pid])`` of an nbgrader command (``nbgrader_run.nbgrader``:
    forked from this thread's preloaded nbgrader) in its own folder, with ``config`` as the
    user's configuration, found through the command's own environment."""
    import os

    from autograder.nbgrader_run import nbgrader

    folder, pids = tmp_path / name, [] if pids is None else pids
    (folder / "user").mkdir(parents=True)
    (folder / "user" / "nbgrader_config.py").write_text(config)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(folder / "user"), **env)
    proc = nbgrader(folder, "db", "student", "list", env=env, timeout=timeout, check=False,
                    started=pids.append)
    return proc.returncode, proc.stdout, pids


def test_preloaded_nbgrader_runs_each_command_in_its_own_folder_and_environment(tmp_path):
    config = "import os\nprint('RUN', os.environ.get('JOB_TAG'), os.getcwd())\n"
    first = _preloaded_run(tmp_path, "a", config, JOB_TAG="first")
    second = _preloaded_run(tmp_path, "b", config, JOB_TAG="second")
    for (code, log, pids), tag, name in ((first, "first", "a"), (second, "second", "b")):
        assert code == 0, log
        assert f"RUN {tag} {tmp_path / name}" in log  # the config ran in the job's own state
        assert len(pids) == 1
    assert first[2] != second[2]  # a process per command
    code, _, _ = _preloaded_run(tmp_path, "c", "raise SystemExit(3)\n")
    assert code == 3  # the command's own exit status


def test_preloaded_nbgrader_kills_a_command_past_its_timeout(tmp_path):
    import os
    import subprocess
    import time

    pids = []
    tic = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        _preloaded_run(tmp_path, "hang", "import time\ntime.sleep(120)\n", timeout=3,
                       pids=pids)
    assert time.monotonic() - tic < 30
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(pids[0], 0)


def test_a_kernel_runs_with_the_runs_thread_counts_whatever_the_graders_environment(tmp_path):
    import os
    import subprocess
    import sys

    from autograder.kernel import THREAD_ENV, check_sandbox, kernel_env, sandbox_argv
    from autograder.settings import DEFAULTS

    if check_sandbox():
        pytest.skip(f"no sandbox here: {check_sandbox()}")

    code = ("import os, torch\n"
            f"print(*[os.environ[v] for v in {THREAD_ENV!r}], torch.get_num_threads())")
    counts = set()
    for outside in ("8", None):  # a TA's shell that asks for 8, a Dask worker that sets none
        environ = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
        if outside:
            environ.update(OMP_NUM_THREADS=outside, OPENBLAS_NUM_THREADS=outside)
        (tmp_path / "cwd").mkdir(exist_ok=True)
        argv = sandbox_argv([sys.executable, "-c", code], tmp_path / "cwd", tmp_path / "cwd",
                            kernel_env(environ, DEFAULTS.kernel_threads))
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        counts.add(proc.stdout.strip())
    assert counts == {" ".join([str(DEFAULTS.kernel_threads)] * (len(THREAD_ENV) + 1))}
