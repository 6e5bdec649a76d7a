"""Real-browser checks (``make ui-check``): collected only when RNN_COURSE_UI=1.

They need Playwright (requirements-ui.txt, not the course's requirements.txt) and the
system Chromium (/usr/bin/chromium), so a plain ``pytest tests`` never imports them.
"""

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS))  # tests/lab_server.py

ENABLED = os.environ.get("RNN_COURSE_UI") == "1"
collect_ignore_glob = [] if ENABLED else ["test_*.py"]

CHROMIUM = os.environ.get("RNN_COURSE_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's services,
# which on a closed network only floods it with failing connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 900}
SCREENSHOTS = TESTS.parent / ".grading" / "ui"


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium driven by Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def new_page(browser, request, screenshot_dir):
    """A factory of pages at 1440x900, each in a fresh context (no cookie, no storage).

    A failed test leaves a screenshot of each of its pages: .grading/ui/failed-<test>-<n>.png.
    """
    contexts = []

    def make():
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    report = getattr(request.node, "report_call", None)
    for n, context in enumerate(contexts):
        if report is not None and report.failed:
            for page in context.pages:
                page.screenshot(path=screenshot_dir / f"failed-{request.node.name}-{n}.png")
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir():
    """.grading/ui/, where the checks leave their screenshots (an earlier run's failures go)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("failed-*.png"):
        old.unlink()
    return SCREENSHOTS
