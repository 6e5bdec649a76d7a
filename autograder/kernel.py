"""The grading kernel: ipykernel started under resource limits.

``install_kernelspec`` writes a kernel spec named ``rnn-course-grader`` whose
launcher (``python -m autograder.kernel``) applies, before starting ipykernel:

- an address-space cap (``RLIMIT_AS``): a 50 GB allocation raises MemoryError;
- a CPU-time cap (``RLIMIT_CPU``) as a backstop to the wall-clock timeouts;
- a file-size cap (``RLIMIT_FSIZE``) and a process cap (``RLIMIT_NPROC``);
- an output cap per cell (``autograder.kernel_guard``), so printing 1 GB sends
  a few kilobytes and a note instead.

What the OS does not allow (e.g. ``RLIMIT_NPROC`` for root) is documented in
``autograder/SECURITY.md``.
"""

import json
import os
import resource
import sys
from pathlib import Path

KERNEL_NAME = "rnn-course-grader"


def install_kernelspec(work, memory_mb=4096, cpu_seconds=1200, max_processes=512,
                       max_file_mb=256, max_output_chars=20000):
    """Write the kernel spec under ``work/jupyter``; return that folder for ``JUPYTER_PATH``."""
    folder = Path(work) / "jupyter"
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "autograder.kernel",
            f"--memory-mb={memory_mb}", f"--cpu-seconds={cpu_seconds}",
            f"--max-processes={max_processes}", f"--max-file-mb={max_file_mb}",
            f"--max-output-chars={max_output_chars}", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "rnn-course grader (limited)", "language": "python",
            "metadata": {"debugger": False}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return folder


def _limit(which, value):
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def main(argv):
    opts = {}
    rest = []
    for arg in argv:
        if arg.startswith("--") and "=" in arg and arg.split("=")[0][2:] in (
                "memory-mb", "cpu-seconds", "max-processes", "max-file-mb", "max-output-chars"):
            key, value = arg[2:].split("=", 1)
            opts[key] = int(value)
        else:
            rest.append(arg)
    mb = 1024 * 1024
    _limit(resource.RLIMIT_AS, opts.get("memory-mb", 4096) * mb)
    _limit(resource.RLIMIT_CPU, opts.get("cpu-seconds", 1200))
    _limit(resource.RLIMIT_FSIZE, opts.get("max-file-mb", 256) * mb)
    _limit(resource.RLIMIT_NPROC, opts.get("max-processes", 512))
    _limit(resource.RLIMIT_CORE, 0)
    os.environ["RNN_COURSE_MAX_OUTPUT"] = str(opts.get("max-output-chars", 20000))
    # the parent sets no limits on threads: keep BLAS from oversubscribing parallel jobs
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    from ipykernel import kernelapp

    sys.argv = [sys.argv[0], *rest, "--IPKernelApp.exec_lines=import autograder.kernel_guard"]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
