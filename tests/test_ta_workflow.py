"""The TA's side without grading: the roster, which submissions a partial regrade takes,
and the course configuration formgrader loads (the graded end-to-end is in test_demo_class)."""

from pathlib import Path

import pytest

from autograder.feedback import MATHJAX_CDN, OfflineMathHTMLExporter, offline_math_script
from autograder.grading.model import Submission
from autograder.grading.roster import load_roster
from autograder.grading.run import PartialRegradeRefused, _regrade_selection

A, B = "00_sequence_data", "01_rnn_numpy"


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_roster_reads_nbgrader_columns_and_maps_ids_as_discover_does(tmp_path):
    roster = _write(tmp_path / "r.csv", "\ufeffid,first_name,last_name,email\n"
                    "alice,Alice,Arden,alice@example.org\nJosé Nuñez,José,,\n")
    people = load_roster(roster)
    assert people["alice"] == {"first_name": "Alice", "last_name": "Arden",
                               "email": "alice@example.org"}
    assert people["Jos-Nu-ez"] == {"first_name": "José", "last_name": None, "email": None}


@pytest.mark.parametrize("text, message", [
    ("name,email\nalice,a@b\n", "must name an 'id' column"),
    ("id,last_name\nalice,A\nalice,B\n", "line 3: student 'alice' is listed twice"),
    ("id,last_name\n,A\n", "line 2: no id"),
])
def test_a_bad_roster_is_refused_with_its_line(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_roster(_write(tmp_path / "r.csv", text))


def _subs():
    return [Submission(s, a, Path(f"{s}/{a}/{a}.ipynb")) for s in ("alice", "bob") for a in (A, B)]


def test_partial_regrade_takes_the_matching_submissions_and_keeps_the_rest(tmp_path):
    (tmp_path / "run.json").write_text("{}")
    chosen = _regrade_selection(_subs(), ["bob"], None, tmp_path)
    assert chosen == {("bob", A), ("bob", B)}
    chosen = _regrade_selection(_subs(), ["bob"], [B], tmp_path)
    assert chosen == {("bob", B)}
    chosen = _regrade_selection(_subs(), None, [A], tmp_path)
    assert chosen == {("alice", A), ("bob", A)}


@pytest.mark.parametrize("students, names, message", [
    (["carol"], None, "no submission of carol was found"),
    (None, ["99_missing"], "no assignment 99_missing in this course"),
])
def test_partial_regrade_of_nothing_is_an_error(tmp_path, students, names, message):
    (tmp_path / "run.json").write_text("{}")
    with pytest.raises(PartialRegradeRefused, match=message):
        _regrade_selection(_subs(), students, names, tmp_path)


def test_partial_regrade_needs_an_earlier_run(tmp_path):
    with pytest.raises(PartialRegradeRefused, match="holds no earlier run"):
        _regrade_selection(_subs(), ["bob"], None, tmp_path)


def test_feedback_pages_load_mathjax_from_the_feedback_folder_first():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("$h_t = \\tanh(a_t)$")])
    html, _ = OfflineMathHTMLExporter(template_name="classic").from_notebook_node(nb)
    assert offline_math_script("../../_mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe") \
        in html
    assert f'<script src="{MATHJAX_CDN}">' not in html  # only as the fallback's URL


def test_lms_exports_take_names_and_emails_from_the_roster():
    from autograder.grading.model import Result
    from autograder.grading.outputs import canvas_rows, moodle_rows

    results = [Result("alice", A, scores={"t": 3.0}, max_scores={"t": 3.0}),
               Result("bob", A, scores={"t": 0.0}, max_scores={"t": 3.0})]
    people = {"alice": {"first_name": "Alice", "last_name": "Arden", "email": "a@example.org"}}
    canvas = canvas_rows(results, [A], people)
    assert canvas[1][:4] == ["Arden, Alice", "", "", "alice"] and canvas[2][0] == ""
    moodle = moodle_rows(results, [A], people=people)
    assert moodle[1] == ["alice", "a@example.org", "3"] and moodle[2] == ["bob", "", "0"]


def test_formgrader_pages_carry_no_live_script_and_take_math_locally(tmp_path):
    """A hostile notebook as publish_course leaves it (sanitized), rendered by formgrader's
    exporter with the TA's configuration (``formgrader._ta_config``)."""
    import re

    import nbformat
    from nbconvert.exporters import HTMLExporter
    from traitlets.config.loader import PyFileConfigLoader

    from autograder import formgrader
    from autograder.feedback import sanitized

    (tmp_path / "nbgrader_config.py").write_text(formgrader._ta_config(tmp_path))
    cfg = PyFileConfigLoader(str(tmp_path / "nbgrader_config.py")).load_config()
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("$h_t$ <img src=x onerror=alert(1)> [x](javascript:alert(2))"),
        v4.new_code_cell("1", outputs=[v4.new_output(
            "display_data", data={"text/html": "<script>alert(3)</script><b>ok</b>"})])])
    resources = {"assignment_id": "a", "notebook_id": "a", "submission_id": "x", "index": 0,
                 "total": 1, "base_url": "", "student": "s", "last_name": "", "first_name": "",
                 "notebook_path": "a.ipynb"}
    page, _ = HTMLExporter(config=cfg, template_name="formgrade").from_notebook_node(
        sanitized(nb), resources=resources)
    assert not re.search(r"<[^>]*(onerror|javascript:)", page)
    assert "<script>alert" not in page and "<b>ok</b>" in page and "$h_t$" in page
    assert '<script src="/static/jupyter_server_mathjax/MathJax.js' in page
    assert "cdnjs" not in page
