"""Feedback must not give the hidden tests away, nor carry script."""

import re

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def without_hidden_tests(nb, release_nb):
    """The autograded notebook with every locked cell's source taken from the release.

    The release was generated without the hidden tests, so they are absent by
    construction: nothing here parses the notebook for nbgrader's markers (a student's
    comment that looks like one is just text). A failing test keeps its error name and
    message (written for students), not the traceback that would quote the code.
    """
    release = {c.metadata["nbgrader"]["grade_id"]: c for c in release_nb.cells
               if c.metadata.get("nbgrader", {}).get("grade_id")}
    for cell in nb.cells:
        ref = release.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if ref is None or not ref.metadata["nbgrader"].get("locked"):
            continue
        cell.source = ref.source
        if ref.metadata["nbgrader"].get("grade"):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename')}: {_ANSI.sub('', str(out.get('evalue')))}"]
    return nb


def _graded_names(source_nb):
    return [c.metadata["nbgrader"]["grade_id"] for c in source_nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")]


def test_dependencies(source_nb):
    """``{test grade_id: [other graded functions its code calls]}``, from the source notebook."""
    names = _graded_names(source_nb)
    deps = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            own = meta["grade_id"].removeprefix("test_")
            deps[meta["grade_id"]] = [n for n in names if n != own
                                      and re.search(rf"(?<![\w.]){re.escape(n)}\(", cell.source)]
    return deps


def note_trusted_checks(nb, checks):
    """After each test cell that the grader's out-of-notebook checks zeroed, what failed:
    the visible tests passed there, so the notebook itself shows no reason."""
    from nbformat.v4 import new_markdown_cell

    for index in range(len(nb.cells) - 1, -1, -1):
        reason = checks.get(nb.cells[index].metadata.get("nbgrader", {}).get("grade_id"))
        if reason:
            nb.cells.insert(index + 1, new_markdown_cell(
                "**Note from the autograder:** the visible tests of this cell passed, but a check "
                f"the grader runs outside your notebook did not: {_escape_markdown(reason)}."))
    return nb


def _escape_markdown(text):
    return re.sub(r"([\\`*_{}\[\]<>#|$])", r"\\\1", text)


def note_failed_dependencies(nb, source_nb, scores, max_scores):
    """After each failed test that also runs another of the student's graded functions whose
    own test failed, a note saying so: the lost points may come from that function."""
    from nbformat.v4 import new_markdown_cell

    deps = test_dependencies(source_nb)
    failed = {gid for gid, top in max_scores.items() if scores.get(gid, 0.0) < top}
    for index in range(len(nb.cells) - 1, -1, -1):
        gid = nb.cells[index].metadata.get("nbgrader", {}).get("grade_id")
        culprits = [n for n in deps.get(gid, []) if f"test_{n}" in failed] if gid in failed else []
        if culprits:
            listed = ", ".join(f"`{n}` (its test `test_{n}` failed too)" for n in culprits)
            nb.cells.insert(index + 1, new_markdown_cell(
                f"**Note from the autograder:** this test also runs your {listed}. "
                "Fix that first: this test may then pass as it is."))
    return nb


def _safe_html_preprocessor():
    """nbconvert's ``SanitizeHTML`` (bleach), applied to markdown *after* it is rendered:
    on the source, markdown's own syntax (``[x](javascript:...)``) would pass the filter."""
    from bleach import ALLOWED_TAGS
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    class SafeHTML(SanitizeHTML):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.tags = [*ALLOWED_TAGS, "p", "br", "hr", "pre", "code", "span", "div", "img", "del",
                         "sub", "sup", "table", "thead", "tbody", "tr", "th", "td",
                         "h1", "h2", "h3", "h4", "h5", "h6"]
            self.attributes = {"a": ["href", "title"], "img": ["src", "alt", "title"],
                               "*": ["class", "align"]}

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type == "markdown":
                cell.source = self.sanitize_html_tags(markdown2html_mistune(cell.source))
                return cell, resources
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "text/markdown" in data:
                    data["text/html"] = markdown2html_mistune(data.pop("text/markdown"))
            return super().preprocess_cell(cell, resources, index)

    return SafeHTML


SafeHTML = _safe_html_preprocessor()
