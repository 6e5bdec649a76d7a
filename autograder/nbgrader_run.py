"""Run nbgrader commands in a course root with the course's configuration."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


def nbgrader(root, *args, timeout=None, env=None, check=True):
    """Run ``nbgrader ARGS`` with ``root`` as course root; return the CompletedProcess.

    nbgrader finds ``alembic`` and ``jupyter`` through PATH, so the environment's
    ``bin`` folder is put first.
    """
    root = Path(root)
    shutil.copy(CONFIG, root / "nbgrader_config.py")
    full_env = dict(os.environ if env is None else env)
    full_env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + full_env.get("PATH", "")
    cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={root}"]
    proc = subprocess.run(cmd, cwd=root, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc
