"""Real platform exports to activity logs: ``commsim import KIND SOURCE --out LOG.parquet``.

One module per kind of export (``git``, ``stackexchange``, ``discourse``, ``discord``, ``slack``,
``telegram``, ``csv``); ``sim.importers.base`` holds what they share (the row writer, the bot
filter, identity merging and the summary). Every importer writes the same Parquet log, which
``sim.calibration.log.read_log`` reads:

``member`` (merged identity), ``timestamp`` (``timestamp[s, UTC]``), ``action`` (``join``,
``visit``, ``post`` = starts a thread, ``reply``, ``react``), ``thread``, ``topic``, and the row's
provenance: ``item`` (the record's own id), ``parent`` (the id it answers), ``source`` (the file
relative to SOURCE, or the git ref) and ``record`` (line, row, XML row id or commit).

The file's schema metadata key ``commsim`` holds what calibration must know about the export:
which actions the platform can and cannot observe, how joins are defined, bots removed,
identities merged, the period and notes (``read_import_metadata``).

>>> from sim.importers import KINDS
>>> sorted(KINDS)
['csv', 'discord', 'discourse', 'git', 'slack', 'stackexchange', 'telegram']
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from sim.importers.summary import ImportFailure, ImportSummary

METADATA_KEY = b"commsim"  # the Parquet schema metadata key of an import's metadata

# kind -> (module, one-line description for --help)
KINDS = {
    "git": ("sim.importers.git", "a local git repository (bare or not)"),
    "stackexchange": ("sim.importers.stackexchange", "a Stack Exchange data-dump folder or .7z"),
    "discourse": ("sim.importers.discourse", "Data Explorer posts CSV or API JSON (file/folder)"),
    "discord": ("sim.importers.discord", "DiscordChatExporter CSV or JSON (file or folder)"),
    "slack": ("sim.importers.slack", "a Slack workspace export (folder or ZIP) or slack-log"),
    "telegram": ("sim.importers.telegram", "Telegram Desktop's result.json"),
    "csv": ("sim.importers.table", "any CSV table, with --map and --alias"),
}

__all__ = ["KINDS", "ImportFailure", "ImportSummary", "import_export", "read_import_metadata"]


def import_export(kind: str, source: str | Path, out: str | Path, **options) -> ImportSummary:
    """Import the export ``source`` of platform ``kind`` and write its activity log to ``out``
    (Parquet, written atomically). Options: ``since``/``until`` (ISO dates), ``bots`` (extra
    bot name patterns) and the kind's own (see ``commsim import --help``). Raises
    ``ImportFailure`` naming the file and the record for a bad export; nothing is written then.

    >>> summary = import_export("git", "../shared/realdata/git/attrs.git", "/tmp/attrs.parquet",
    ...                         since="2025-01-01")  # doctest: +SKIP
    """
    if kind not in KINDS:
        raise ImportFailure(kind, None, f"unknown kind; expected one of {', '.join(KINDS)}")
    if not str(out).lower().endswith((".parquet", ".pq")):
        raise ImportFailure(out, None, "the log is written as Parquet: name it .parquet (or .pq)")
    source = Path(source)
    if not source.exists():
        raise ImportFailure(source, None, "not found")
    module = importlib.import_module(KINDS[kind][0])
    return module.run(source, Path(out), **options)


def read_import_metadata(path: str | Path) -> dict | None:
    """The ``commsim`` metadata of a log written by ``commsim import``, or None (a CSV log, or a
    Parquet log written otherwise)."""
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.name.lower().endswith((".parquet", ".pq")):
        return None
    metadata = pq.read_schema(path).metadata or {}  # the schema's metadata
    raw = metadata.get(METADATA_KEY)
    return None if raw is None else json.loads(raw)
