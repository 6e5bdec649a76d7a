"""The grading kernel: ipykernel started under resource limits, as an unprivileged user.

``install_kernelspec`` writes a kernel spec named ``rnn-course-grader`` whose
launcher (``python -m autograder.kernel``) does, before starting ipykernel:

- caps the address space (``RLIMIT_AS``: a 50 GB allocation raises MemoryError),
  CPU time (a backstop to the wall-clock timeouts), file size, core dumps and the
  number of processes;
- when the grader runs as root: moves the kernel into a network namespace of its
  own (no network at all; the grader talks to it over unix sockets) and switches
  to the job's own numeric user id, so the kernel cannot read or write the
  gradebooks, the results or any other job's files, and every process it leaves
  behind can be found and killed by that uid.

Not root (a TA's laptop): the limits apply, the user switch and the network
namespace do not; root with a Python that other users cannot read (installed
under ``/root``): no user switch. See ``autograder/SECURITY.md``.
"""

import ctypes
import json
import os
import resource
import sys
from pathlib import Path

KERNEL_NAME = "rnn-course-grader"
UID_ENV = "RNN_COURSE_KERNEL_UID"
HOME_ENV = "RNN_COURSE_KERNEL_HOME"
CLONE_NEWNET = 0x40000000


def install_kernelspec(work, memory_mb=4096, cpu_seconds=1200, max_processes=256,
                       max_file_mb=256):
    """Write the kernel spec under ``work/jupyter``; return that folder for ``JUPYTER_PATH``."""
    folder = Path(work) / "jupyter"
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    limits = {"memory_mb": memory_mb, "cpu_seconds": cpu_seconds,
              "max_processes": max_processes, "max_file_mb": max_file_mb}
    argv = [sys.executable, "-m", "autograder.kernel", json.dumps(limits), "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "rnn-course grader (limited)", "language": "python",
            "metadata": {"debugger": False}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return folder


def network_isolation_available():
    """Root can give the kernel a network namespace of its own."""
    return os.geteuid() == 0


def user_switch_available():
    """Root, and the Python installation readable by other users (often not under /root)."""
    if os.geteuid() != 0:
        return False
    for tree in {sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))}:
        path = Path(tree).resolve()
        for folder in [path, *path.parents]:
            if not folder.stat().st_mode & 0o001:  # others cannot traverse it
                return False
    return True


def _limit(which, value):
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def _leave_network():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        print(f"grading kernel: no network namespace ({os.strerror(ctypes.get_errno())}); "
              "the network stays reachable", file=sys.stderr)


def _drop_privileges(uid, home, connection_file):
    """Switch to the job's uid; return a copy of the connection file that it can read."""
    private = Path(home) / "connection.json"
    private.write_text(Path(connection_file).read_text())
    os.chown(private, uid, uid)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    return str(private)


def main(argv):
    limits = json.loads(argv[0])
    args = argv[1:]
    mb = 1024 * 1024
    _limit(resource.RLIMIT_AS, limits["memory_mb"] * mb)
    _limit(resource.RLIMIT_CPU, limits["cpu_seconds"])
    _limit(resource.RLIMIT_FSIZE, limits["max_file_mb"] * mb)
    _limit(resource.RLIMIT_NPROC, limits["max_processes"])
    _limit(resource.RLIMIT_CORE, 0)
    uid, home = os.environ.get(UID_ENV), os.environ.get(HOME_ENV)
    if home and network_isolation_available():
        _leave_network()
    if uid and home and user_switch_available():
        i = args.index("-f")
        args[i + 1] = _drop_privileges(int(uid), home, args[i + 1])
        os.chdir(os.getcwd())  # fails loudly here, not later, if the job folder is unreadable
    if home:
        for var in ("HOME", "MPLCONFIGDIR", "IPYTHONDIR"):
            os.environ[var] = home
    # parallel jobs share the cores: one BLAS/OpenMP thread per kernel
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from ipykernel import kernelapp

    sys.argv = [sys.argv[0], *args]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
