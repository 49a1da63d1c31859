"""Writing a folder of outputs all at once: built in a hidden staging folder beside it, then
renamed into place, so a reader never sees a half-written run, report or calibration. A staging
folder carries its writer's process id, so the next write into the same place removes what a
killed writer left (and only that: a live writer's folder is left alone).

>>> with staged_folder(Path("results/my-report")) as folder:  # doctest: +SKIP
...     (folder / "report.md").write_text("...")
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``out`` (any previous ``out`` is set
    aside and restored if the swap fails); on any error it is removed and ``out`` is untouched."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(out)
    staging = out.with_name(f".{out.name}.{os.getpid()}-{uuid.uuid4().hex}.tmp")
    staging.mkdir()
    try:
        yield staging
        _move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _move_into_place(staging: Path, out: Path) -> None:
    """Rename ``staging`` to ``out``; an existing ``out`` is set aside first and restored on failure
    (a directory cannot be renamed over a non-empty one)."""
    if not out.exists():
        staging.rename(out)
        return
    previous = staging.with_name(staging.name + ".previous")
    out.rename(previous)
    try:
        staging.rename(out)
    except BaseException:
        previous.rename(out)
        raise
    shutil.rmtree(previous)


def _clear_leftovers(out: Path) -> None:
    """Remove the staging folders of killed writers into ``out``; if one was killed in the middle
    of the swap (``out`` set aside, the new one not yet in place), put the previous ``out`` back."""
    pattern = re.compile(re.escape(f".{out.name}.") + r"(\d+)-[0-9a-f]{32}\.tmp(\.previous)?")
    for leftover in sorted(out.parent.glob(f".{glob.escape(out.name)}.*.tmp*")):
        match = pattern.fullmatch(leftover.name)
        if match is None or pid_alive(int(match[1])):
            continue
        if match[2] and not out.exists():
            leftover.rename(out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OverflowError:
        return False
    return True
