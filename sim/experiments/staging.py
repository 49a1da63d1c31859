"""Writing a folder of outputs all at once: built in a hidden staging folder beside it, then
renamed into place, so a reader never sees a half-written run, report or calibration.

>>> with staged_folder(Path("results/my-report")) as folder:  # doctest: +SKIP
...     (folder / "report.md").write_text("...")
"""

from __future__ import annotations

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
    staging = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
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
