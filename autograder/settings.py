"""Every setting of a grading run, with its one default (the CLI, nbgrader's config, the
executor and the kernel launcher all read them from here)."""

from dataclasses import dataclass


@dataclass
class Settings:
    cell_timeout: int = 60  # seconds per cell
    notebook_timeout: int = 300  # seconds for the whole notebook
    memory_mb: int = 4096  # address space of one kernel
    max_processes: int = 256  # processes (and threads) of one kernel
    kernel_threads: int = 1  # BLAS, OpenMP and torch threads of one kernel: a job per CPU
    max_file_mb: int = 256  # size of one file a kernel writes
    max_exchange_mb: int = 128  # all a kernel writes into the folder it shares with the grader
    max_output_chars: int = 10_000  # printed characters kept per cell
    max_rich_chars: int = 4_000_000  # characters of display data (figures, HTML) kept per cell
    max_restarts: int = 3  # kernel restarts per notebook
    seed: int = 0  # of the probes' inputs; set per run

    @property
    def cpu_seconds(self):
        """CPU-time cap of a kernel: a backstop to the wall-clock limits."""
        return 4 * self.notebook_timeout

    @property
    def job_timeout(self):
        """Wall-clock limit of one whole nbgrader run (start-up and probes on top)."""
        return self.notebook_timeout + 120


DEFAULTS = Settings()
