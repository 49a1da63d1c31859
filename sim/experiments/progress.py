"""Progress of long jobs: a bar on a terminal, plain lines in a log or a pipe.

tqdm draws a bar that a log file cannot show, so where standard error is not a terminal (``nohup``,
CI, ``> log 2>&1``) the same job prints a line at every tenth of the work, and at least every
``LINE_SECONDS``, with the time spent and the time left::

    incentive-rules: 16/80 runs (20%), 31 s so far, about 2 min left
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

LINE_SECONDS = 30.0


class LineProgress:
    """tqdm's ``update``/``close`` interface, writing a plain line now and then."""

    def __init__(self, total: int, desc: str, unit: str, file: TextIO | None = None):
        self.total, self.desc, self.unit = total, desc, unit
        self.file = file or sys.stderr
        self.done = 0
        self.start = self.last_time = time.monotonic()
        self.last_tenth = 0

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        tenth = int(10 * self.done / self.total) if self.total else 10
        if tenth > self.last_tenth or now - self.last_time >= LINE_SECONDS:
            self.last_tenth, self.last_time = tenth, now
            self._line(now)

    def _line(self, now: float) -> None:
        spent = now - self.start
        share = self.done / self.total if self.total else 1.0
        text = f"{self.desc}: {self.done}/{self.total} {self.unit}s ({100 * share:.0f}%), "
        text += f"{_duration(spent)} so far"
        if 0 < share < 1:
            text += f", about {_duration(spent * (1 - share) / share)} left"
        print(text, file=self.file, flush=True)

    def close(self) -> None:
        pass

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress_bar(total: int, desc: str, unit: str, show: bool | None = None):
    """A tqdm bar on a terminal, ``LineProgress`` elsewhere; ``show``: None decides by whether
    standard error is a terminal, True always draws the bar, False shows nothing."""
    if show is None and not _is_terminal(sys.stderr):
        return LineProgress(total, desc, unit)
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=show is False)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
