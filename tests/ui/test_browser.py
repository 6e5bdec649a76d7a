"""What a student and a TA see in a real browser (``make ui-check``; RNN_COURSE_UI=1).

Student: the student's JupyterLab (``make lab``) on a scratch copy of notebooks/01_rnn_numpy.
A wrong ``rnn_step_forward`` (the solution without its tanh) must fail its visible test with
the clean message (no frame of utils/grading.py), readable at 1440x900 without scrolling
sideways; the solution must pass it. No instructor panel of nbgrader, the Validate button kept.

TA: the formgrader (``make formgrader RUN=...``) on the demo class graded on 00_sequence_data
only (about a minute), or on a scratch copy of RNN_COURSE_UI_WORK's graded class:
00_sequence_data is listed as released with submissions, students by name, and a manual score
typed into the grading view reaches the gradebook.

Screenshots land in .grading/ui/. Cells are run through the UI, but the student's code is
written into the notebook file beforehand: typing into a cell through the UI is slow and flaky.
"""

import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from lab_server import ROOT, Server, free_port, running_server, student_lab
from playwright.sync_api import expect

ASSIGNMENT = "01_rnn_numpy"
FUNCTION = "rnn_step_forward"
NOTEBOOK_URL = f"/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
TANH_LINE = ("next_h = np.tanh(x @ Wx + prev_h @ Wh + b)", "next_h = x @ Wx + prev_h @ Wh + b")
STUB = re.compile(r"^[ \t]*# YOUR CODE HERE\n[ \t]*raise NotImplementedError\(.*\)\n", re.M)
SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n", re.M | re.S)
INSTRUCTOR_WORDS = ("Formgrader", "Assignment List", "Course List", "Create Assignment")
STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]'
ACTIVE = re.compile(r"\bjp-mod-active\b")
RUN_TIMEOUT_MS = 120_000  # the setup cell imports NumPy, Matplotlib and the course's utils


# --- the student's notebook, written before the browser opens it ---------------------------

def _cell_index(nb, grade_id):
    """Index (int) of the cell whose nbgrader grade_id is ``grade_id``."""
    for index, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise LookupError(f"no cell with grade_id {grade_id!r}")


def solution_body(function):
    """The solution's lines of ``function`` (str, indented as in the cell), from solutions/."""
    nb = nbformat.read(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return SOLUTION.search(nb.cells[_cell_index(nb, function)].source).group(1)


def wrong_body(function):
    """The solution of rnn_step_forward without its tanh: right shapes, wrong values."""
    body = solution_body(function)
    assert TANH_LINE[0] in body, f"the solution of {function} no longer has {TANH_LINE[0]!r}"
    return body.replace(*TANH_LINE)


def write_student_notebook(path, function, body):
    """The release notebook with ``body`` in place of ``function``'s stub, at ``path``.

    Returns the index (int) of the function's test cell.
    """
    nb = nbformat.read(ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    cell = nb.cells[_cell_index(nb, function)]
    assert STUB.search(cell.source), f"the release's {function} cell has no stub to replace"
    cell.source = STUB.sub(lambda _: body, cell.source, count=1)
    nbformat.write(nb, path)
    return _cell_index(nb, f"test_{function}")


# --- driving JupyterLab ---------------------------------------------------------------------

@dataclass(frozen=True)
class StudentLab:
    """The student's running Lab and the notebook (its scratch copy) it serves."""

    server: Server
    notebook: Path


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The student's JupyterLab on a scratch copy of notebooks/ holding only 01_rnn_numpy."""
    root = tmp_path_factory.mktemp("student") / "notebooks"
    shutil.copytree(ROOT / "notebooks" / ASSIGNMENT, root / ASSIGNMENT)
    with student_lab(root, tmp_path_factory.mktemp("student-lab")) as server:
        yield StudentLab(server, root / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def kernel_connected(server, path):
    """Whether the server holds an idle kernel for ``path`` with a browser connected to it."""
    status, body = server.get("/api/sessions")
    return status == 200 and any(
        session["path"] == path and session["kernel"]["execution_state"] == "idle"
        and session["kernel"].get("connections", 0) > 0 for session in json.loads(body))


def open_notebook(page, lab):
    """Open the assignment in Lab and wait until its kernel is ready for Shift+Enter.

    Lab's execution indicator says "idle" before the kernel even exists (then
    "initializing", "connecting", "idle"): keys pressed then run nothing. So first the
    server must hold the kernel with the page connected, then the indicator must be idle.
    """
    page.goto(lab.server.url(NOTEBOOK_URL))
    path = NOTEBOOK_URL.removeprefix("/lab/tree/")
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    while not kernel_connected(lab.server, path):
        assert time.monotonic() < deadline, f"no kernel connected to {path} in time"
        time.sleep(0.2)
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_be_attached(
        timeout=RUN_TIMEOUT_MS)
    dismiss_notices(page)


def dismiss_notices(page):
    """Close Lab's toasts ("get notified about Jupyter news?"): they cover the outputs."""
    for close in page.locator(".jp-Notification-Toast-Close").all():
        close.click()


def cell(page, index):
    """The notebook's cell number ``index`` (a locator; Lab keeps every cell in the DOM)."""
    return page.locator(f".jp-NotebookPanel .jp-Cell[data-windowed-list-index='{index}']")


def run_cells_through(page, last):
    """Run cells 0..``last`` with Shift+Enter, as a student would; wait until ``last`` ran."""
    cell(page, 0).locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")  # command mode: Shift+Enter runs and moves on
    for index in range(last + 1):
        expect(cell(page, index)).to_have_class(ACTIVE)  # the key goes to the right cell
        page.keyboard.press("Shift+Enter")
    expect(cell(page, last + 1)).to_have_class(ACTIVE)  # the last key was taken too
    expect(cell(page, last).locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"),
                                                                     timeout=RUN_TIMEOUT_MS)


def run_students_code(page, lab, body):
    """Write ``body`` into the student's function, open the notebook fresh, run through its test.

    Returns the test cell's output area (a Playwright locator).
    """
    lab.server.shut_down_kernels()  # a kernel of an earlier test would keep its definitions
    test_cell = write_student_notebook(lab.notebook, FUNCTION, body)
    open_notebook(page, lab)
    run_cells_through(page, test_cell)
    cell(page, test_cell).evaluate("e => e.scrollIntoView({block: 'start'})")  # code and output
    return cell(page, test_cell).locator(".jp-OutputArea")


def _overflow(locator, what):
    """A problem (str) if ``locator``'s element scrolls sideways, else None."""
    scroll, client = locator.evaluate("e => [e.scrollWidth, e.clientWidth]")
    return f"{what} scrolls sideways ({scroll} px in {client} px)" if scroll > client + 1 else None


# Each line of a <pre> laid out unwrapped in the <pre>'s font: [line, width in px, room in px].
LINE_WIDTHS_JS = """pre => {
    const style = getComputedStyle(pre);
    const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const probe = document.createElement("span");
    Object.assign(probe.style, {font: style.font, whiteSpace: "pre", position: "absolute",
                                visibility: "hidden"});
    document.body.appendChild(probe);
    const widths = pre.textContent.split("\\n").map(line => {
        probe.textContent = line;
        return [line, probe.getBoundingClientRect().width, room];
    });
    probe.remove();
    return widths;
}"""


def unreadable_at_this_width(page, output, message_start):
    """Why ``output`` cannot be read at the page's width (list of str; [] when it can).

    It must lie inside the viewport, nothing may scroll sideways, and no line of the
    message (from the line containing ``message_start`` on) may wrap. Lab wraps output
    text (``pre-wrap``), so a line too long for the page is broken, not hidden.
    """
    width = page.viewport_size["width"]
    box = output.bounding_box()
    problems = []
    if box["x"] < 0 or box["x"] + box["width"] > width:
        problems.append(f"output spans x = {box['x']:.0f}..{box['x'] + box['width']:.0f}, "
                        f"viewport is {width} px wide")
    overflows = [_overflow(element, "an output") for element in
                 output.locator(".jp-OutputArea-output, .jp-OutputArea-output pre").all()]
    overflows.append(_overflow(page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").first,
                               "the notebook"))
    problems += [problem for problem in overflows if problem]
    lines = [entry for pre in output.locator("pre").all() for entry in pre.evaluate(LINE_WIDTHS_JS)]
    starts = [i for i, (line, _, _) in enumerate(lines) if message_start in line]
    for line, line_width, room in lines[starts[0] if starts else 0:]:
        if line_width > room + 1:
            problems.append(f"wraps ({line_width:.0f} px in {room:.0f} px): {line}")
    return problems


# --- the student ----------------------------------------------------------------------------

def test_a_wrong_answer_shows_the_clean_message(lab, new_page, screenshot_dir):
    page = new_page()
    output = run_students_code(page, lab, wrong_body(FUNCTION))
    page.screenshot(path=screenshot_dir / "student-wrong.png")

    error = output.locator(STDERR)
    expect(error).to_have_count(1)
    text = error.inner_text()
    assert "GradingError" in text, text
    for part in [f"{FUNCTION}: next_h", "max abs error", "at index"]:
        assert part in text, f"{part!r} missing from the student's message:\n{text}"
    assert "grading.py" not in text, f"the traceback shows utils/grading.py:\n{text}"
    assert unreadable_at_this_width(page, output, "GradingError:") == []


def test_the_solution_passes_its_visible_test(lab, new_page, screenshot_dir):
    page = new_page()
    output = run_students_code(page, lab, solution_body(FUNCTION))
    page.screenshot(path=screenshot_dir / "student-right.png")

    expect(output).to_contain_text(f"{FUNCTION}: all visible tests passed")
    errors = page.locator(f".jp-NotebookPanel {STDERR}")
    assert errors.count() == 0, errors.all_inner_texts()


def menu_texts(page):
    """{menu bar title: text of its open menu} for every menu of Lab's menu bar."""
    menus = {}
    for item in page.locator(".lm-MenuBar-item").all():
        item.click()
        menus[item.inner_text()] = "\n".join(page.locator(".lm-Menu").all_inner_texts())
        page.keyboard.press("Escape")
    return menus


def command_palette_labels(page):
    """Labels (list of str) of every command Lab's command palette offers."""
    page.keyboard.press("Control+Shift+C")
    expect(page.locator(".lm-CommandPalette-input")).to_be_focused()
    labels = page.locator(".lm-CommandPalette-item").evaluate_all(
        "items => items.map(item => item.textContent)")
    page.keyboard.press("Escape")
    return labels


def instructor_words_in(texts):
    """(word, text) pairs for each instructor-panel name found in ``texts`` (iterable of str)."""
    return [(word, text) for text in texts for word in INSTRUCTOR_WORDS
            if word.lower() in text.lower()]  # nbgrader's menu says "Create assignment"


def test_the_students_lab_has_no_instructor_panels_but_validate(lab, new_page, screenshot_dir):
    lab.server.shut_down_kernels()
    write_student_notebook(lab.notebook, FUNCTION, solution_body(FUNCTION))
    page = new_page()
    open_notebook(page, lab)

    menus = menu_texts(page)
    assert {"File", "Run", "Kernel"} <= set(menus)  # the menus were read
    sidebar_tabs = page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
        "tabs => tabs.map(tab => tab.title + ' ' + tab.innerText)")
    palette = command_palette_labels(page)
    assert len(palette) > 50  # the palette was read
    assert instructor_words_in([*menus, *menus.values()]) == []
    assert instructor_words_in(sidebar_tabs) == []
    assert instructor_words_in(palette) == []
    assert instructor_words_in([page.locator("#main").inner_text()]) == []

    validate = page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True)
    expect(validate).to_be_visible()
    page.screenshot(path=screenshot_dir / "student-lab.png")


# --- the TA ---------------------------------------------------------------------------------

TA_ASSIGNMENT = "00_sequence_data"
MANUAL_SCORE = "0.5"
FORMGRADER_START_S = 180  # it may first release every assignment into the copy's exchange


def graded_class(scratch):
    """A graded class for the TA check: a scratch copy of RNN_COURSE_UI_WORK's, or the demo
    class graded on TA_ASSIGNMENT alone (the real pipeline, sandbox and all)."""
    from autograder.demo import build, write_roster
    from autograder.grading import grade
    from autograder.grading.roster import load_roster
    from autograder.settings import Settings

    given = os.environ.get("RNN_COURSE_UI_WORK")
    if given:
        work = (ROOT / given).resolve()
        if not (work / "course" / "gradebook.db").exists():
            pytest.fail(f"RNN_COURSE_UI_WORK={given} holds no graded class (no course/gradebook.db)")
        shutil.copytree(work, scratch / work.name, symlinks=True)
        return scratch / work.name
    work = scratch / "demo"
    build(work / "submitted", names=[TA_ASSIGNMENT])
    grade(work / "submitted", work, jobs=2, settings=Settings(cell_timeout=45), progress=False,
          people=load_roster(write_roster(work / "students.csv")))
    return work


def formgrader_argv(work, port):
    """``make formgrader RUN=work``'s command, headless on ``port``."""
    return [sys.executable, "-m", "autograder", "formgrader", "--work", str(work),
            "--port", str(port), "--no-browser"]


@dataclass(frozen=True)
class Formgrader:
    """The running formgrader and the work folder (a scratch copy) it serves."""

    server: Server
    work: Path


@pytest.fixture(scope="module")
def formgrader(tmp_path_factory):
    """The formgrader on a graded class in a scratch folder (no real gradebook touched).

    ``autograder formgrader`` releases into the class's exchange and writes its TA
    configuration; the server's token comes from JUPYTER_TOKEN, which it passes on.
    """
    copy = graded_class(tmp_path_factory.mktemp("ta"))
    port, token = free_port(), "formgrader-test"
    scratch = tmp_path_factory.mktemp("formgrader")
    env = dict(os.environ, JUPYTER_TOKEN=token, JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"),
               JUPYTERLAB_SETTINGS_DIR=str(scratch / "user-settings"))
    with running_server(formgrader_argv(copy, port), env, f"http://127.0.0.1:{port}", token,
                        scratch / "formgrader.log", name="the formgrader",
                        timeout_s=FORMGRADER_START_S) as server:
        yield Formgrader(server, copy)


def manual_score_in_gradebook(work, submission_id, grade_id):
    """The manual score (float or None) the gradebook of ``work`` holds for one grade cell."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{work / 'course' / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook_by_id(submission_id)
        return next(grade.manual_score for grade in notebook.grades if grade.name == grade_id)


def ta_page(new_page, formgrader):
    """A page logged in to the formgrader (its cookie then covers formgrader's API calls).

    The token goes to ``/``: jupyter_server scopes the login cookie to the folder of the URL
    that carried the token, so a token on a deeper page leaves the API calls unauthorised.
    """
    page = new_page()
    page.goto(formgrader.server.url("/"))
    return page


def test_the_ta_sees_the_class_in_manage_assignments(formgrader, new_page, screenshot_dir):
    page = ta_page(new_page, formgrader)
    page.goto(formgrader.server.base + "/formgrader/manage_assignments")
    row = page.locator("tr", has=page.locator("td.name", has_text=TA_ASSIGNMENT))
    expect(row).to_have_count(1)
    expect(row.locator("td.status")).to_have_text("released")
    submissions = row.locator("td.num-submissions").inner_text().strip()
    page.screenshot(path=screenshot_dir / "ta-manage-assignments.png")
    assert submissions.isdigit() and int(submissions) > 0, f"# submissions: {submissions!r}"
    page.goto(formgrader.server.base + "/formgrader/manage_students")
    expect(page.locator("td.name", has_text="Arden, Alice")).to_have_count(1)  # the roster's


def test_a_manual_score_reaches_the_gradebook(formgrader, new_page, screenshot_dir):
    page = ta_page(new_page, formgrader)
    page.goto(f"{formgrader.server.base}/formgrader/gradebook/{TA_ASSIGNMENT}/{TA_ASSIGNMENT}")
    first = page.locator("td.name a[href*='/formgrader/submissions/']").first
    submission_id = first.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
    page.goto(f"{formgrader.server.base}/formgrader/submissions/{submission_id}")

    score = page.locator("input.score").first
    # formgrade.js sets the placeholder (the autograder's score) once it handles the box
    expect(score).to_have_attribute("placeholder", re.compile(r"\d"))
    grade_id = score.get_attribute("id")
    score.fill(MANUAL_SCORE)
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url
                              and r.request.method == "PUT") as saved:
        # leaving the box fires "change", which saves (formgrade_models.js); Tab would
        # move on to the next box, which formgrader scrolls to
        score.evaluate("e => e.blur()")
    assert saved.value.ok, f"saving the score answered {saved.value.status}"
    # the graded cell alone: formgrader scrolls the page back to its last selected box
    graded_cell = page.locator(".nbgrader_cell", has=page.locator(f"input.score[id='{grade_id}']"))
    graded_cell.screenshot(path=screenshot_dir / "ta-grading.png")

    page.reload()
    expect(page.locator(f"input.score[id='{grade_id}']")).to_have_value(MANUAL_SCORE)
    assert manual_score_in_gradebook(formgrader.work, submission_id, grade_id) == float(MANUAL_SCORE)

