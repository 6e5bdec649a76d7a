"""The TA's JupyterLab on a grading run: ``python -m autograder formgrader --work WORK``.

nbgrader's formgrader reads a course folder: the gradebook, ``submitted/``, ``autograded/``
and, for an assignment to show as released, an exchange. A grading run leaves all but the
exchange in ``WORK/course`` (:func:`autograder.grading.outputs.publish_course`); this module
releases the assignments into ``WORK/exchange`` (the TA's own, which no student reaches),
writes the TA's nbgrader configuration into ``WORK/ta`` (a Jupyter configuration folder:
formgrader reads the exchange's place from there, not from the course folder) and starts
JupyterLab on the course. Math renders without a network: formgrader's pages take MathJax
from jupyter_server_mathjax.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.nbgrader_run import CONFIG, nbgrader

EXCHANGE = "exchange"  # WORK/exchange
TA_CONFIG = "ta"  # WORK/ta/nbgrader_config.py, on JUPYTER_CONFIG_PATH
# formgrader's pages call nbconvert's mathjax() macro, which defaults to a CDN; a template
# folder searched before nbconvert's own gives it jupyter_server_mathjax's local copy
MATH_TEMPLATES = Path(__file__).resolve().parent / "templates" / "formgrader"


def _ta_config(work):
    """The TA's nbgrader configuration, beside the course's own (``course/nbgrader_config.py``)."""
    exchange = work / EXCHANGE
    return f'''"""The TA's formgrader on this grading run (written by autograder/formgrader.py)."""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "rnn-course"
c.Exchange.root = {str(exchange)!r}
# formgrader shows students' outputs and markdown in the TA's logged-in Jupyter page: a
# student's script there could drive the server (run code as the TA)
c.HTMLExporter.sanitize_html = True
from nbconvert.exporters import HTMLExporter as _HTMLExporter  # noqa: E402
import nbgrader.server_extensions.formgrader.handlers as _handlers  # noqa: E402

# formgrader replaces extra_template_basedirs with its own: the whole search path is set
c.HTMLExporter.template_paths = _HTMLExporter(
    template_name="formgrade",
    extra_template_basedirs=[_handlers.template_path, {str(MATH_TEMPLATES)!r}]).template_paths
'''


def assignments_graded(course):
    """The assignments of a grading run's gradebook, or a clear error for another folder."""
    from nbgrader.api import Gradebook

    db = course / "gradebook.db"
    if not db.is_file():
        raise FileNotFoundError(f"{course.parent} is not a grading run's work folder (no "
                                "course/gradebook.db): grade first, e.g. `make demo`")
    with Gradebook(f"sqlite:///{db}", course_id="rnn-course") as gb:
        return [a.name for a in gb.assignments]


def prepare(work):
    """Release every graded assignment into the TA's exchange and write the course's
    configuration; return the course folder."""
    work = Path(work).resolve()
    course = work / "course"
    names = assignments_graded(course)
    (work / EXCHANGE).mkdir(exist_ok=True)
    for name in names:
        if not (work / EXCHANGE / "rnn-course" / "outbound" / name).is_dir():
            nbgrader(course, "release_assignment", name, "--force",
                     f"--Exchange.root={work / EXCHANGE}")
    shutil.copy(CONFIG, course / "nbgrader_config.py")
    (work / TA_CONFIG).mkdir(exist_ok=True)
    (work / TA_CONFIG / "nbgrader_config.py").write_text(_ta_config(work))
    return course


def command(course, port=None, browser=True):
    """The JupyterLab command line that serves formgrader on ``course``."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={course}",
           "--ServerApp.default_url=/formgrader"]
    if port:
        cmd.append(f"--ServerApp.port={port}")
    if not browser:
        cmd.append("--no-browser")
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def main_formgrader(args):
    try:
        course = prepare(args.work)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"formgrader on {course} (Ctrl-C stops it)")
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(Path(args.work).resolve() / TA_CONFIG))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.call(command(course, args.port, not args.no_browser), cwd=course, env=env)
