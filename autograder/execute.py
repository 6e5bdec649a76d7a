"""nbgrader's Execute, hardened for untrusted notebooks.

Replaces ``Execute`` in ``Autograde.autograde_preprocessors`` (see
``nbgrader_config.py``). Differences from nbgrader's own:

- a cell that times out and leaves the kernel stuck (it ignores SIGINT), or that
  kills the kernel (``os._exit``, a segfault, the memory limit), no longer fails
  the whole notebook: the cell gets an error output saying what happened, the
  kernel is restarted, the cells before it are replayed silently, and grading
  goes on with the next cell (at most ``max_restarts`` times);
- a whole-notebook deadline: cells after it are not run and get an error output;
- after the last cell, the assignment's probes (``autograder/probes``) run in the
  same kernel and write the graded functions' outputs to ``probe_output``; the
  pipeline compares them with the reference solution's out of process;
- no partial credit: a test cell's ``execute_result`` (which student code can emit) is
  kept as a plain display, so nbgrader cannot read it as a score;
- a warning is not a wrong answer: nbgrader scores a test cell 0 when anything was
  written to stderr, so what correct code prints there (a PyTorch ``UserWarning``, a
  progress bar) is kept as ordinary output, labelled, and costs nothing. Failures
  are exceptions and still score 0.

Every event is also appended as a JSON line to ``event_log`` for the report, and a last
one, ``timing`` (wall clock, ``time.time()``: when the preprocessor started, when the
kernel answered, each code cell's seconds, when the kernel was shut down), for the
benchmark's breakdown of a job's time (``benchmarks.grading.breakdown``). It refuses to
run in any kernel but the course's sandboxed one (``grading.job`` names it): in the course
folder, ``nbgrader autograde`` by hand or formgrader's Autograde button would otherwise run
students' code as the TA.
"""

import asyncio
import json
import time

from jupyter_client.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from autograder.settings import DEFAULTS

PROBE_CELL_TAG = "rnn-course-probes"


class GuardedExecute(Execute):
    notebook_timeout = Integer(DEFAULTS.notebook_timeout, help="Seconds for the whole notebook.").tag(config=True)
    max_restarts = Integer(DEFAULTS.max_restarts, help="Kernel restarts allowed per notebook.").tag(config=True)
    responsive_timeout = Integer(10, help="Seconds a kernel may take to answer after an interrupt.").tag(config=True)
    probe_assignment = Unicode("", help="Assignment whose probes run after the notebook.").tag(config=True)
    probe_seed = Integer(0, help="Seed of the probes' inputs.").tag(config=True)
    probe_output = Unicode("", help="Where the kernel writes the probes' outputs (.npz).").tag(config=True)
    event_log = Unicode("", help="JSON-lines file of execution events.").tag(config=True)
    max_output_chars = Integer(DEFAULTS.max_output_chars, help="Stream characters kept per cell.").tag(config=True)
    max_rich_chars = Integer(DEFAULTS.max_rich_chars, help="Characters of display data (figures, HTML) "
                                                           "kept per cell.").tag(config=True)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.shutdown_kernel = "immediate"  # a stuck kernel must not delay the restart

    def _event(self, quiet=False, **event):
        if not quiet:
            self.log.warning("grading event: %s", event)
        if self.event_log:
            with open(self.event_log, "a") as f:
                f.write(json.dumps(event) + "\n")

    def preprocess(self, nb, resources=None, km=None):
        from autograder.kernel import KERNEL_NAME

        if self.kernel_name != KERNEL_NAME:  # `nbgrader autograde` by hand, formgrader's button
            raise RuntimeError(
                "this course autogrades only in its sandboxed kernel: run `python -m "
                "autograder grade SUBMISSIONS --work WORK [--student S --assignment A]` "
                "(nbgrader's own autograde would run the student's code outside the sandbox)")
        self._check_assign_resources(resources)
        self.nb = nb
        probe_cell = None
        if self.probe_assignment and self.probe_output:
            probe_cell = new_code_cell(
                # the course's modules afresh from their read-only files: the notebook may
                # have imported and patched them (a probe that always agrees)
                "import sys as _rnn_course_sys\n"
                "for _rnn_course_name in [n for n in list(_rnn_course_sys.modules)\n"
                "                         if n == 'autograder' or n.startswith('autograder.')]:\n"
                "    del _rnn_course_sys.modules[_rnn_course_name]\n"
                "import autograder.probe_runner as _rnn_course_probes\n"
                f"_rnn_course_probes.run({self.probe_assignment!r}, {self.probe_seed}, "
                f"{self.probe_output!r})",
                metadata={"tags": [PROBE_CELL_TAG]})
            nb.cells.append(probe_cell)
        try:
            run_sync(self._execute_guarded)()
        finally:
            if probe_cell is not None:
                nb.cells = [c for c in nb.cells if PROBE_CELL_TAG not in c.metadata.get("tags", [])]
        return self.nb, self.resources

    async def _start(self):
        if self.km is None:
            self.km = self.create_kernel_manager()
        await self.async_start_new_kernel(cwd=self.resources["metadata"].get("path") or None)
        await self.async_start_new_kernel_client()

    async def _restart(self, replay):
        await self._async_cleanup_kernel()
        await self._start()
        for index in replay:  # rebuild the state the next cells expect; outputs are discarded
            cell = self.nb.cells[index].copy()
            try:
                await self.async_execute_cell(cell, index, store_history=False)
            except (DeadKernelError, CellTimeoutError):
                return False
        return True

    async def _responsive(self):
        try:
            msg_id = await ensure_async(self.kc.kernel_info())
            reply = await asyncio.wait_for(self.async_wait_for_reply(msg_id), self.responsive_timeout)
            return reply is not None
        except Exception:
            return False

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``max_output_chars`` of a cell's printed text: a cell that prints a
        gigabyte must not hold a gigabyte in the grader's memory. A test cell's stderr
        becomes labelled stdout (see the module's docstring)."""
        if msg["msg_type"] == "stream" and msg["content"].get("name") == "stderr" \
                and self.nb.cells[cell_index].metadata.get("nbgrader", {}).get("grade"):
            msg["content"]["name"] = "stdout"
            msg["content"]["text"] = "".join(f"[stderr] {line}" for line in
                                             msg["content"]["text"].splitlines(keepends=True))
        if msg["msg_type"] == "execute_result" and self.nb.cells[cell_index].metadata.get(
                "nbgrader", {}).get("grade"):
            # nbgrader reads a test cell's execute_result as partial credit (and fails the
            # whole notebook when it exceeds the cell's points); student code can emit one.
            # The course grants no partial credit: it is shown as a plain display.
            content = {k: v for k, v in msg["content"].items() if k != "execution_count"}
            msg = {**msg, "msg_type": "display_data", "content": content,
                   "header": {**msg["header"], "msg_type": "display_data"}}
        if msg["msg_type"] in ("display_data", "execute_result", "update_display_data"):
            size = sum(len(str(v)) for v in msg["content"].get("data", {}).values())
            used = self._shown.get(cell_index, 0)
            self._shown[cell_index] = used + size
            if used + size > self.max_rich_chars:  # figures and HTML count too
                if used <= self.max_rich_chars:
                    note = f"[display output dropped: over {self.max_rich_chars} characters in this cell]\n"
                    msg = {**msg, "msg_type": "stream", "header": {**msg["header"], "msg_type": "stream"},
                           "content": {"name": "stdout", "text": note}}
                else:
                    return None
        if msg["msg_type"] == "stream":
            used = self._printed.get(cell_index, 0)
            text = msg["content"]["text"]
            self._printed[cell_index] = used + len(text)
            if used >= self.max_output_chars:
                return None
            if used + len(text) > self.max_output_chars:
                msg["content"]["text"] = (text[: self.max_output_chars - used] +
                                          f"\n[output truncated after {self.max_output_chars} characters]\n")
        return super().output(outs, msg, display_id, cell_index)

    @staticmethod
    def _fail_cell(cell, ename, evalue):
        cell.outputs.append(new_output("error", ename=ename, evalue=evalue,
                                       traceback=[f"{ename}: {evalue}"]))

    async def _execute_guarded(self):
        self.reset_execution_trackers()
        self._printed = {}
        self._shown = {}
        deadline = time.monotonic() + self.notebook_timeout
        restarts = 0
        replay = []  # cells whose effects later cells may rely on
        timing = dict(kind="timing", started=time.time(), cells=[])
        await self._start()
        try:
            msg_id = await ensure_async(self.kc.kernel_info())
            info = await self.async_wait_for_reply(msg_id)
            timing["kernel_ready"] = time.time()
            if info is not None and "language_info" in info["content"]:
                self.nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                is_probe = PROBE_CELL_TAG in cell.metadata.get("tags", [])
                if time.monotonic() > deadline and not is_probe:
                    cell.outputs = []
                    self._fail_cell(cell, "NotebookTimeout", f"not run: the notebook exceeded its "
                                    f"{self.notebook_timeout} s limit before this cell")
                    self._event(kind="notebook_timeout", cell=index, grade_id=_grade_id(cell))
                    continue
                broken = None
                tic = time.time()
                try:
                    await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
                except DeadKernelError:
                    broken = ("KernelDied", "the kernel died while running this cell (os._exit, "
                                            "a crash, or the memory limit); it was restarted")
                except CellTimeoutError:
                    broken = ("CellTimeout", f"this cell did not finish within {self.timeout} s")
                timing["cells"].append(dict(cell=index, grade_id=_grade_id(cell), probe=is_probe,
                                            s=time.time() - tic))
                timed_out = broken is None and any(
                    o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", []))
                if timed_out:
                    self._event(kind="cell_timeout", cell=index, grade_id=_grade_id(cell))
                    if not await self._responsive():
                        broken = ("CellTimeout", f"this cell did not finish within {self.timeout} s "
                                                 "and ignored the interrupt; the kernel was restarted")
                if broken is None:
                    replay.append(index)
                    continue
                self._fail_cell(cell, *broken)
                self._event(kind=broken[0], cell=index, grade_id=_grade_id(cell))
                restarts += 1
                if restarts > self.max_restarts or not await self._restart(replay):
                    self._event(kind="gave_up", cell=index, restarts=restarts)
                    for later in self.nb.cells[index + 1:]:
                        if later.cell_type == "code" and later.source.strip():
                            later.outputs = []
                            self._fail_cell(later, "NotRun", "not run: the kernel could not be "
                                                             "recovered after an earlier cell")
                    break
        finally:
            timing["cells_done"] = time.time()
            await self._async_cleanup_kernel()
            timing["finished"] = time.time()
            self._event(quiet=True, **timing)


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")
