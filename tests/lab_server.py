"""A Jupyter server for a test: headless, on a free port, behind a token.

``student_lab(root_dir, scratch)`` starts the student's JupyterLab as ``make lab`` does
(``JUPYTER_CONFIG_PATH=lab/student``, so nbgrader's instructor panels are off);
``running_server(argv, env, ...)`` runs any other server command (the formgrader).
Used by tests/test_student_lab.py (HTTP only) and tests/ui/ (a real browser).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDENT_CONFIG = ROOT / "lab" / "student"
START_TIMEOUT_S = 60


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (int)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_request(url, method="GET", timeout=10):
    """(status, body text) of one request; an HTTP error status is returned, not raised."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


@dataclass(frozen=True)
class Server:
    """A running server: ``base`` is ``http://127.0.0.1:PORT``, ``token`` its token."""

    base: str
    token: str

    def url(self, path):
        """``base + path`` with the token as a query parameter (a browser then gets a cookie)."""
        return f"{self.base}{path}{'&' if '?' in path else '?'}token={self.token}"

    def get(self, path):
        """(status, body text) of GET ``path``."""
        return http_request(self.url(path))

    def shut_down_kernels(self):
        """Shut down every kernel of the server (its sessions), so a notebook reopens fresh."""
        status, body = self.get("/api/sessions")
        for session in json.loads(body) if status == 200 else []:
            http_request(self.url(f"/api/sessions/{session['id']}"), method="DELETE")


def _log_tail(log_path, lines=20):
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@contextmanager
def running_server(argv, env, base, token, log_path, name="the server", timeout_s=START_TIMEOUT_S):
    """Run ``argv`` (a Jupyter server command) until the block ends; yields a :class:`Server`.

    ``argv`` may start the server as a child (``python -m autograder formgrader`` does).
    Waits until ``base/api`` answers 200 to the token; raises RuntimeError with the tail of
    its log (``log_path``, stdout and stderr) if it exits or takes over ``timeout_s``.
    """
    server = Server(base, token)
    with open(log_path, "wb") as log:
        # its own process group: the fallback below stops a server started as a child too
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        _wait_until_up(server, proc, log_path, name, timeout_s)
        yield server
    finally:
        # POST /api/shutdown stops the kernels too; SIGTERM to the group is the fallback.
        try:
            http_request(server.url("/api/shutdown"), method="POST")
            proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def _wait_until_up(server, proc, log_path, name, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with status {proc.returncode}:\n{_log_tail(log_path)}")
        try:
            if server.get("/api")[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer within {timeout_s} s:\n{_log_tail(log_path)}")


def student_lab_argv(root_dir, port, token):
    """``make lab``'s command line (``jupyter lab ROOT``), headless on ``port`` with ``token``."""
    return [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
            f"--ServerApp.token={token}", f"--ServerApp.root_dir={root_dir}"]


@contextmanager
def student_lab(root_dir, scratch, token="student-lab-test"):
    """The student's JupyterLab (``make lab``) serving ``root_dir``; yields a :class:`Server`.

    ``scratch`` (a folder) holds the runtime files, Lab workspaces and user settings and the
    server log, so what a browser changes (layout, a dismissed notice) never lands in the
    user's ~/.jupyter.
    """
    scratch = Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(STUDENT_CONFIG),
               JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(scratch / "workspaces"),
               JUPYTERLAB_SETTINGS_DIR=str(scratch / "user-settings"))
    with running_server(student_lab_argv(root_dir, port, token), env, f"http://127.0.0.1:{port}",
                        token, scratch / "lab.log", name="the student's JupyterLab") as server:
        yield server
