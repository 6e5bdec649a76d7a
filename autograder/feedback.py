"""Feedback must not give the hidden tests away, nor carry script."""

import re

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def without_hidden_tests(nb, release_nb):
    """The autograded notebook with every locked cell's source taken from the release.

    The release was generated without the hidden tests, so they are absent by
    construction: nothing here parses the notebook for nbgrader's markers (a student's
    comment that looks like one is just text). A failing test keeps its error name and
    message (written for students) and the notes under it (the hint of
    ``utils.install_ipython_hints``), not the frames that would quote the code.
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
                    out["traceback"] = _message_and_notes(out)
    return nb


def _message_and_notes(error):
    """An error output's ``ename: evalue`` line and the lines IPython prints under it (the
    exception's notes), without colour codes."""
    lines = [_ANSI.sub("", str(line)) for line in error.get("traceback", [])]
    head = f"{error.get('ename')}:"
    starts = [i for i, line in enumerate(lines) if line.startswith(head)]
    message = [f"{error.get('ename')}: {_ANSI.sub('', str(error.get('evalue')))}"]
    return message + lines[starts[-1] + 1:] if starts else message


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


def sanitized(nb):
    """The notebook with its markdown and HTML outputs as :class:`SafeHTML` leaves them: what
    a TA's or a student's browser may render without running a student's script."""
    return SafeHTML().preprocess(nb, {})[0]


# Math in feedback and in formgrader without a network: nbgrader's templates load MathJax 2
# from a CDN. jupyter_server_mathjax ships MathJax 2 (the same major version) as package data.
# nbconvert's default, which nbgrader's templates use as it is
MATHJAX_CDN = ("https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js"
               "?config=TeX-AMS_CHTML-full,Safe")
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"  # the configuration that package ships
MATHJAX_FOLDER = "_mathjax"  # beside the student folders of WORK/feedback
# nbgrader writes feedback/<student>/<assignment>/<notebook>.html
MATHJAX_FROM_FEEDBACK = f"../../{MATHJAX_FOLDER}/MathJax.js?config={MATHJAX_CONFIG}"


def mathjax_files():
    """The folder holding ``MathJax.js`` and its fonts and extensions."""
    import jupyter_server_mathjax

    return jupyter_server_mathjax.app.STATIC_ASSETS_PATH


def offline_math_script(local_url):
    """A script tag that loads MathJax from ``local_url`` and, if that fails (a feedback
    file sent on its own), from the CDN."""
    fallback = ("var s=document.createElement('script');"
                f"s.src='{MATHJAX_CDN}';document.head.appendChild(s)")
    return f'<script src="{local_url}" onerror="{fallback}"></script>'


def _html_exporter():
    from nbconvert.exporters import HTMLExporter

    class OfflineMathHTMLExporter(HTMLExporter):
        """nbgrader's feedback page with MathJax taken from ``WORK/feedback/_mathjax``
        (:func:`install_offline_math`), the CDN only as a fallback."""

        def from_notebook_node(self, nb, resources=None, **kw):
            output, resources = super().from_notebook_node(nb, resources, **kw)
            cdn_tag = f'<script src="{MATHJAX_CDN}"> </script>'
            return output.replace(cdn_tag, offline_math_script(MATHJAX_FROM_FEEDBACK)), resources

    return OfflineMathHTMLExporter


OfflineMathHTMLExporter = _html_exporter()


def install_offline_math(feedback):
    """Copy MathJax into ``feedback/_mathjax`` once (about 12 MB), where every feedback page
    of that folder looks first."""
    import shutil
    from pathlib import Path

    dest = Path(feedback) / MATHJAX_FOLDER
    if Path(feedback).is_dir() and not (dest / "MathJax.js").is_file():
        shutil.copytree(mathjax_files(), dest, dirs_exist_ok=True)
