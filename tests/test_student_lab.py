"""The student's JupyterLab (``make lab``): no instructor panel of nbgrader, Validate kept."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTRUCTOR_PLUGINS = {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list",
                      "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader"}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    port, token = _free_port(), "student-lab-test"
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(ROOT / "lab" / "student"),
               JUPYTER_RUNTIME_DIR=str(tmp_path_factory.mktemp("runtime")))
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
                             f"--port={port}", f"--ServerApp.token={token}",
                             f"--ServerApp.root_dir={ROOT / 'notebooks'}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if _status(f"{base}/api?token={token}")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the student's JupyterLab did not start within 60 s")
        yield lambda path: _status(f"{base}{path}{'&' if '?' in path else '?'}token={token}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_students_lab_has_no_instructor_panels(student_lab):
    status, page = student_lab("/lab")
    assert status == 200
    config = json.loads(re.search(r'id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))
    assert INSTRUCTOR_PLUGINS <= set(config["disabledExtensions"])
    assert "@jupyter/nbgrader:validate-assignment" not in config["disabledExtensions"]
    assert student_lab("/formgrader")[0] == 404  # the instructor's server side is off too
    assert student_lab("/assignments")[0] == 404


def test_the_students_lab_keeps_validate(student_lab):
    assert student_lab("/nbgrader_version?version=0.9.6")[0] != 404
