"""The student's JupyterLab (``make lab``): no instructor panel of nbgrader, Validate kept."""

import json
import re

import pytest
from lab_server import ROOT, student_lab

# the menu would be an empty "Nbgrader" menu: its entries open the other four
INSTRUCTOR_PLUGINS = {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list",
                      "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                      "@jupyter/nbgrader:menu"}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with student_lab(ROOT / "notebooks", tmp_path_factory.mktemp("student-lab")) as server:
        yield server


def test_the_students_lab_has_no_instructor_panels(lab):
    status, page = lab.get("/lab")
    assert status == 200
    config = json.loads(re.search(r'id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))
    assert INSTRUCTOR_PLUGINS <= set(config["disabledExtensions"])
    assert "@jupyter/nbgrader:validate-assignment" not in config["disabledExtensions"]
    assert lab.get("/formgrader")[0] == 404  # the instructor's server side is off too
    assert lab.get("/assignments")[0] == 404


def test_the_students_lab_keeps_validate(lab):
    assert lab.get("/nbgrader_version?version=0.9.6")[0] != 404
