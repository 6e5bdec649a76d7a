"""Run nbgrader commands in a course root with the course's configuration.

Each command is a process of its own, forked from a *preloaded* nbgrader
(:class:`Preloaded`): a process of the calling thread's own that imported nbgrader and
the course's preprocessors once, which saves every command their import (1.4 s of a
7.3 s grading job on a 2-core Intel Xeon, measured by ``make bench``; a class is
thousands of jobs). The preloaded process never runs a command itself, so each starts from the same
clean state, in its own folder, environment and log, and is killed on timeout: what it
sees is what ``python -m nbgrader`` would see, which is the fallback if the preloaded
process cannot be used.
"""

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


def _stage(root, env=None):
    """Put the course's configuration into ``root``; the environment to run nbgrader in
    (nbgrader finds ``alembic`` and ``jupyter`` through PATH: the environment's ``bin``
    folder first)."""
    # replaced whole: another thread's nbgrader may be reading it (parallel feedback)
    staged = root / f".nbgrader_config.{os.getpid()}.{threading.get_ident()}.tmp"
    shutil.copy(CONFIG, staged)
    os.replace(staged, root / "nbgrader_config.py")
    full_env = dict(os.environ if env is None else env)
    full_env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + full_env.get("PATH", "")
    return full_env


def nbgrader(root, *args, timeout=None, env=None, check=True, log=None, started=None):
    """Run ``nbgrader ARGS`` with ``root`` as course root; return a CompletedProcess
    (``stdout``: the command's output, stderr included). Raises ``TimeoutExpired`` past
    ``timeout`` seconds, the command killed; with ``check``, ``RuntimeError`` if it failed.

    The output goes to a file (``log``, else a temporary one), never a pipe: a process
    the notebook left behind may hold a pipe open, and waiting for its end would wait for
    that process. ``started(pid)`` is called once the command runs.
    """
    root = Path(root)
    argv, full_env, pids = [*args, f"--CourseDirectory.root={root}"], _stage(root, env), []

    def record(pid):
        pids.append(pid)
        if started:
            started(pid)

    with tempfile.TemporaryDirectory(prefix="rnn-nbgrader-") as tmp:
        out = Path(log) if log is not None else Path(tmp) / "nbgrader.log"
        try:
            code = preloaded().run(root, *argv, env=full_env, log=out, timeout=timeout,
                                   started=record)
        except OSError:
            if pids:  # it ran: stop it before the command starts again
                kill_session(pids[-1])
            code = _plain(root, argv, full_env, out, timeout)
        text = out.read_text(errors="replace") if out.is_file() else ""
    if code is None:
        raise subprocess.TimeoutExpired(["nbgrader", *argv], timeout, output=text)
    if check and code != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({code}):\n{text[-6000:]}")
    return subprocess.CompletedProcess(["nbgrader", *argv], code, text, "")


def _plain(root, args, env, log, timeout):
    """``python -m nbgrader ARGS``: its exit status, ``None`` past ``timeout`` (killed)."""
    with open(log, "w") as out:
        try:
            return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                                  stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  timeout=timeout, start_new_session=True).returncode
        except subprocess.TimeoutExpired:
            return None


def kill_session(pid):
    """SIGKILL the session (process group) that process ``pid`` leads, if it is still there."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class Preloaded:
    """A preloaded nbgrader: ``run(...)`` forks it into one ``nbgrader ARGS`` command.

    The process (:func:`serve`) reads one request per line on its stdin, forks, answers
    the child's pid, waits for it (killing its session past the timeout) and answers its
    exit status. One per thread (:func:`preloaded`): requests never interleave.
    """

    def __init__(self):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.nbgrader_run"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     text=True, start_new_session=True)

    def alive(self):
        return self.proc.poll() is None

    def __del__(self):  # its thread ended: the process ends with its stdin
        with contextlib.suppress(Exception):
            self.proc.stdin.close()
            self.proc.wait(timeout=5)

    def run(self, cwd, *args, env, log, timeout, started=None):
        """``nbgrader ARGS`` in folder ``cwd`` with environment ``env``, its output in
        ``log``; return its exit status, or ``None`` if it ran past ``timeout`` seconds (and
        was killed). ``started(pid)`` is called once it runs. Raises ``OSError`` if the
        preloaded process is gone."""
        request = dict(cwd=str(cwd), env=env, log=str(log), timeout=timeout, args=list(args))
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            pid = json.loads(self.proc.stdout.readline())["pid"]
            if started:
                started(pid)
            return json.loads(self.proc.stdout.readline())["returncode"]
        except (OSError, ValueError, KeyError) as exc:  # ValueError: no line, it died
            self.proc.kill()
            raise OSError(f"the preloaded nbgrader stopped: {exc}") from exc


_local = threading.local()


def preloaded():
    """This thread's :class:`Preloaded` nbgrader, started on first use (and again if it died)."""
    if getattr(_local, "nbgrader", None) is None or not _local.nbgrader.alive():
        _local.nbgrader = Preloaded()
    return _local.nbgrader


def serve():
    """The preloaded process: import what every autograde imports, then fork per request."""
    import nbgrader.apps.nbgraderapp  # noqa: F401 (the imports the children skip)
    import nbgrader.converters.autograde  # noqa: F401

    import autograder.execute  # noqa: F401 (loaded by nbgrader_config.py)
    import autograder.feedback  # noqa: F401

    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)  # does not return
        print(json.dumps({"pid": pid}), flush=True)
        print(json.dumps({"returncode": _wait(pid, request["timeout"])}), flush=True)


def _wait(pid, timeout):
    """The exit status of child ``pid``; ``None`` past ``timeout``, its session killed. If
    the grading process goes (its end of stdin closes), the child goes with it, and so does
    this process: a killed Dask worker leaves no job running."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        orphaned = select.select([sys.stdin], [], [], 0.05)[0]  # no request comes meanwhile
        if orphaned or (deadline is not None and time.monotonic() > deadline):
            kill_session(pid)
            os.waitpid(pid, 0)
            if orphaned:
                sys.exit(0)
            return None


def _child(request):
    """In the forked child: become ``nbgrader ARGS`` in the request's folder and environment."""
    code = 1
    try:
        os.setsid()  # its own session: a timeout kills all it started
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        out = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        sys.argv = ["nbgrader", *request["args"]]
        from nbgrader.apps.nbgraderapp import main

        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


if __name__ == "__main__":
    serve()
