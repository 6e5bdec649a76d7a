"""Run nbgrader commands in a course root with the course's configuration."""

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


def nbgrader(root, *args, timeout=None, env=None, check=True, log=None):
    """Run ``nbgrader ARGS`` with ``root`` as course root; return the CompletedProcess.

    nbgrader finds ``alembic`` and ``jupyter`` through PATH, so the environment's
    ``bin`` folder is put first. With ``log`` (a path), the output goes to that file
    instead of a pipe: a process the notebook left behind may hold a pipe open, and
    waiting for its end would wait for that process.
    """
    root = Path(root)
    # replaced whole: another thread's nbgrader may be reading it (parallel feedback)
    staged = root / f".nbgrader_config.{os.getpid()}.{threading.get_ident()}.tmp"
    shutil.copy(CONFIG, staged)
    os.replace(staged, root / "nbgrader_config.py")
    full_env = dict(os.environ if env is None else env)
    full_env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + full_env.get("PATH", "")
    cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={root}"]
    if log is not None:
        with open(log, "w") as out:
            proc = subprocess.run(cmd, cwd=root, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=timeout, start_new_session=True)
        proc.stdout, proc.stderr = Path(log).read_text(errors="replace"), ""
        return proc
    proc = subprocess.run(cmd, cwd=root, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc
