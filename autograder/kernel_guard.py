"""Imported first in every grading kernel: caps what one cell may print.

Beyond ``RNN_COURSE_MAX_OUTPUT`` characters per cell, further output of that cell
is dropped with a single note, so a cell that prints a gigabyte costs the grader
nothing. It guards against accidents, not against a determined student (see
SECURITY.md); the grader truncates stored outputs again afterwards.
"""

import os
import sys

_LIMIT = int(os.environ.get("RNN_COURSE_MAX_OUTPUT", "20000"))


class _CappedStream:
    def __init__(self, stream):
        self._stream = stream
        self._written = 0
        self._cell = None

    def write(self, text):
        from IPython import get_ipython

        shell = get_ipython()
        cell = shell.execution_count if shell is not None else None
        if cell != self._cell:
            self._cell, self._written = cell, 0
        if self._written >= _LIMIT:
            return len(text)
        room = _LIMIT - self._written
        self._written += len(text)
        if len(text) > room:
            self._stream.write(text[:room] + f"\n[output truncated after {_LIMIT} characters]\n")
            return len(text)
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


sys.stdout = _CappedStream(sys.stdout)
sys.stderr = _CappedStream(sys.stderr)
