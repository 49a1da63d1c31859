"""What every importer shares: the row writer, the bot filter, identity merging, the summary.

An importer reads one platform's export record by record and hands each member action to a
``LogWriter``, which

* drops rows of bots (the platform's own bot flag, a built-in list of well-known bot names, and
  the user's ``--bots`` patterns) and counts them with their names;
* counts identities merged (several raw identities, e.g. e-mail addresses or display names, that
  the platform or a mailmap maps to one member);
* keeps each member's first action (joins aside) over the *whole* export, so that ``--since`` keeps the
  members already active before it as founders (no ``join`` row) rather than newcomers;
* writes one ``join`` row per member: the platform's own join record where it has one
  (registration, ``channel_join``, a Telegram join), else the first contribution;
* refuses rows that lie more than ``MAX_GAP_DAYS`` from the rest of the log (a stray timestamp),
  naming the record, as ``sim.calibration.log.read_log`` would, rather than writing a 54-year
  community;
* streams rows to a temporary Parquet file in batches and renames it only when the whole export
  was read without error (all or nothing), with the import's metadata in the file's schema
  metadata under the key ``commsim`` (``sim.importers.read_import_metadata``).

Rows are written in export order (the log reader needs no order). Timestamps are whole seconds in
UTC, built as ``timestamp[s, UTC]``; Parquet has no seconds unit, so the file stores (and pyarrow
reads back) ``timestamp[ms, UTC]`` holding whole seconds.
"""

from __future__ import annotations

import codecs
import fnmatch
import io
import itertools
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sim.importers import METADATA_KEY
from sim.importers.summary import ACTIONS, MAX_SHOWN, ImportFailure, ImportSummary

FORMAT = 1
BATCH_ROWS = 1 << 15
# as sim.calibration.log: a silence longer than this inside a log means a stray timestamp
MAX_GAP_DAYS = 365
SCHEMA = pa.schema(
    [
        ("member", pa.string()),
        ("timestamp", pa.timestamp("s", tz="UTC")),
        ("action", pa.string()),
        ("thread", pa.string()),
        ("topic", pa.string()),
        ("item", pa.string()),
        ("parent", pa.string()),
        ("source", pa.string()),
        ("record", pa.string()),
    ]
)
# Names of well-known automation accounts (matched case-insensitively anywhere in a name or id).
# GitHub marks app accounts "name[bot]"; the rest are CI, dependency and chat bots seen in real
# exports (dependabot, pre-commit-ci, renovate, github-actions, Discord's MEE6/Dyno/Carl-bot).
BUILTIN_BOTS = (
    r"\[bot\]",
    r"\bbot\b",
    r"dependabot",
    r"pre-commit-ci",
    r"github-actions",
    r"renovate",
    r"greenkeeper",
    r"snyk-bot",
    r"allcontributors",
    r"imgbot",
    r"\bmee6\b",
    r"\bdyno\b",
    r"carl-bot",
)


class BotFilter:
    """Decides whether an account is a bot: the platform's flag, ``BUILTIN_BOTS`` (regular
    expressions) and the user's patterns (shell-style globs such as ``'*-ci'``, or any text found
    in the name), all case-insensitive, tested against the display name and the id."""

    def __init__(self, patterns: Iterable[str] = (), builtin: bool = True):
        self.globs = [p.lower() for p in patterns]
        self.regex = re.compile("|".join(BUILTIN_BOTS), re.IGNORECASE) if builtin else None
        self.cache: dict[tuple[str, str], bool] = {}

    def __call__(self, member: str, name: str = "") -> bool:
        key = (member, name)
        found = self.cache.get(key)
        if found is None:
            texts = [t for t in (member, name) if t]
            found = any(
                (self.regex is not None and self.regex.search(t))
                or any(
                    fnmatch.fnmatchcase(t.lower(), g) or (not _is_glob(g) and g in t.lower())
                    for g in self.globs
                )
                for t in texts
            )
            self.cache[key] = found
        return found


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def parse_date(text: str | None, option: str) -> int | None:
    """``--since``/``--until`` as epoch seconds (an ISO date or date-time; UTC if no zone)."""
    if text is None:
        return None
    try:
        return to_epoch(datetime.fromisoformat(text))
    except ValueError:
        raise ImportFailure(
            option, None, f"got {text!r}; expected an ISO date such as 2024-03-01"
        ) from None


def to_epoch(when: datetime) -> int:
    """Whole seconds since the epoch; a time without a zone is UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() // 1)


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> int:
    """Epoch seconds of an ISO 8601 date-time (``Z`` or an offset; UTC if none); ValueError if not."""
    return to_epoch(datetime.fromisoformat(text.strip()))


def open_text(path: Path) -> io.TextIOWrapper:
    """A text stream of ``path`` in its own encoding: UTF-16 (either byte order) or UTF-8 with a
    byte-order mark are recognised by the mark; anything else must be UTF-8."""
    with path.open("rb") as raw:
        head = raw.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    return path.open(encoding=encoding, errors="strict", newline="")


def text_lines(path: Path) -> Iterator[str]:
    """Lines of a text file (see ``open_text``); a byte that is not valid text is an error naming
    the line."""
    number = 0
    try:
        with open_text(path) as stream:
            for number, line in enumerate(stream, 1):  # noqa: B007 (used after the loop)
                yield line
    except UnicodeDecodeError as exc:
        raise ImportFailure(
            path, f"line {number + 1}", f"not UTF-8 or UTF-16 text ({exc.reason})"
        ) from None


class LogWriter:
    """Collects an import's rows and writes them as a Parquet activity log (see the module)."""

    @classmethod
    def for_options(
        cls,
        out: str | Path,
        kind: str,
        source: Path,
        *,
        since: str | None,
        until: str | None,
        bots: tuple[str, ...],
        observed: Iterable[str] = ("join", "post", "reply"),
        join: str = "first_contribution",
    ) -> LogWriter:
        """A writer for an importer's command-line options (dates as given to ``--since`` and
        ``--until``, ``--bots`` patterns); by default the platform observes joins, threads and
        replies only."""
        return cls(
            out,
            kind=kind,
            source=str(source),
            observed=observed,
            join=join,
            since=parse_date(since, "--since"),
            until=parse_date(until, "--until"),
            bots=BotFilter(bots),
        )

    def __init__(
        self,
        out: str | Path,
        *,
        kind: str,
        source: str,
        observed: Iterable[str],
        join: str = "first_contribution",
        since: int | None = None,
        until: int | None = None,
        bots: BotFilter | None = None,
    ):
        self.out, self.kind, self.source = Path(out), kind, source
        self.observed = [a for a in ACTIONS if a in set(observed)]
        self.join_rule, self.since, self.until = join, since, until
        self.bots = bots or BotFilter()
        self.notes: list[str] = []
        token = uuid.uuid4().hex
        self.partial = self.out.with_name(f".{self.out.name}.{token}.rows.partial")
        self.final = self.out.with_name(f".{self.out.name}.{token}.partial")
        self.columns: dict[str, list] = {name: [] for name in SCHEMA.names}
        self.writer: pq.ParquetWriter | None = None
        self.actions: dict[str, int] = {}
        self.rows = 0
        self.first_seen: dict[str, int] = {}  # member -> first contribution, whole export
        self.joined: dict[str, tuple[int, str, str]] = {}  # member -> (time, source, record)
        self.members: set[str] = set()
        self.aliases: dict[str, set[str]] = {}
        self.bot_rows = 0
        self.bot_names: dict[str, None] = {}
        self.days: dict[int, list] = {}  # day -> [rows, first (source, record)]
        self.skipped_window = 0
        self.first_time, self.last_time = 2**62, -(2**62)

    # ---- feeding rows ------------------------------------------------------------------------
    def is_bot(self, member: str, name: str = "", flagged: bool = False) -> bool:
        """True (and counted) for a bot's action: ``flagged`` by the platform or matched by name."""
        if flagged or self.bots(member, name):
            self.bot_rows += 1
            self.bot_names.setdefault(name or member, None)
            return True
        return False

    def alias(self, member: str, raw: str) -> None:
        """Record that the raw identity ``raw`` (an address, a display name) is ``member``."""
        self.aliases.setdefault(member, set()).add(raw)

    def add(
        self,
        member: str,
        when: int,
        action: str,
        *,
        thread: str | None = None,
        topic: str | None = None,
        item: str | None = None,
        parent: str | None = None,
        source: str,
        record: str,
    ) -> None:
        """One member action at ``when`` (epoch seconds, UTC). Joins go through ``join``."""
        if action != "join":
            first = self.first_seen.get(member)
            if first is None or when < first:
                self.first_seen[member] = when
        if action == "join":
            self.join(member, when, source, record)
            return
        if (self.since is not None and when < self.since) or (
            self.until is not None and when >= self.until
        ):
            self.skipped_window += 1
            return
        self._row(member, when, action, thread, topic, item, parent, source, record)

    def join(self, member: str, when: int, source: str, record: str) -> None:
        """The platform's own record of ``member`` joining (the earliest is kept)."""
        known = self.joined.get(member)
        if known is None or when < known[0]:
            self.joined[member] = (when, source, record)

    def _row(self, member, when, action, thread, topic, item, parent, source, record) -> None:
        cols = self.columns
        cols["member"].append(member)
        cols["timestamp"].append(when)
        cols["action"].append(action)
        cols["thread"].append(thread)
        cols["topic"].append(topic)
        cols["item"].append(item)
        cols["parent"].append(parent)
        cols["source"].append(source)
        cols["record"].append(record)
        self.members.add(member)
        self.actions[action] = self.actions.get(action, 0) + 1
        self.rows += 1
        self.first_time = min(self.first_time, when)
        self.last_time = max(self.last_time, when)
        day = when // 86_400
        entry = self.days.get(day)
        if entry is None:
            self.days[day] = [1, (source, record)]
        else:
            entry[0] += 1
        if len(cols["member"]) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self.columns["member"]:
            return
        arrays = [
            pa.array(self.columns[name], pa.int64()).cast(SCHEMA.field(name).type)
            if name == "timestamp"
            else pa.array(self.columns[name], SCHEMA.field(name).type)
            for name in SCHEMA.names
        ]
        table = pa.Table.from_arrays(arrays, schema=SCHEMA)
        if self.writer is None:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(str(self.partial), SCHEMA, compression="zstd")
        self.writer.write_table(table)
        self.columns = {name: [] for name in SCHEMA.names}

    # ---- finishing ---------------------------------------------------------------------------
    def _write_joins(self) -> None:
        """One ``join`` row per member. ``first_contribution``: at the member's first contribution.
        ``registration``: at the platform's join record (registration, ``channel_join``, a
        Telegram join), also for members who never contributed, else at the first contribution.
        None for founders: members who joined or contributed before ``since``."""
        fallback = 0
        candidates = set(self.members)
        if self.join_rule == "registration":
            candidates |= set(self.joined)
        for member in sorted(candidates):
            first = self.first_seen.get(member)
            recorded = self.joined.get(member) if self.join_rule == "registration" else None
            if recorded is not None:
                when, source, record = recorded
            elif first is not None:
                when, source, record = first, "", "first contribution"
                fallback += self.join_rule == "registration"
            else:
                continue
            earliest = when if first is None else min(first, when)
            if self.since is not None and earliest < self.since:
                continue  # a founder: already a member when the window opens
            if self.until is not None and when >= self.until:
                continue
            self._row(member, when, "join", None, None, None, None, source, record)
        if fallback:
            self.notes.append(
                f"{fallback} member(s) without a join record joined at their first contribution"
            )

    def _check_gaps(self) -> None:
        """Refuse rows separated from the bulk of the log by more than ``MAX_GAP_DAYS`` days."""
        order = sorted(self.days)
        cuts = [i + 1 for i, (a, b) in enumerate(itertools.pairwise(order)) if b - a > MAX_GAP_DAYS]
        if not cuts:
            return
        parts = [order[a:b] for a, b in itertools.pairwise([0, *cuts, len(order)])]
        main = max(parts, key=lambda part: sum(self.days[d][0] for d in part))
        stray = [d for part in parts if part is not main for d in part]
        rows = sum(self.days[d][0] for d in stray)
        first_source, first_record = self.days[stray[0]][1]
        shown = "; ".join(
            f"{iso(d * 86_400)[:10]} ({self.days[d][0]} row(s), first: {self.days[d][1][0]}, "
            f"{self.days[d][1][1]})"
            for d in stray[:MAX_SHOWN]
        )
        raise ImportFailure(
            first_source or self.source,
            first_record,
            f"{rows} row(s) lie more than {MAX_GAP_DAYS} days from the rest of the export "
            f"({iso(main[0] * 86_400)[:10]} to {iso(main[-1] * 86_400)[:10]}): {shown}; "
            "a wrong clock or year? Leave them out with --since/--until",
        )

    def close(self) -> ImportSummary:
        """Write the joins, check the dates, store the metadata and rename the file into place."""
        try:
            self._write_joins()
            if self.rows == 0:
                window = " in the --since/--until window" if self.skipped_window else ""
                raise ImportFailure(self.source, None, f"no member actions found{window}")
            self._check_gaps()
            self._flush()
            assert self.writer is not None
            merged = sum(len(raw) - 1 for raw in self.aliases.values() if len(raw) > 1)
            metadata = {
                "format": FORMAT,
                "kind": self.kind,
                "source": self.source,
                "observed": [a for a in ACTIONS if a in self.observed],
                "unobserved": [a for a in ACTIONS if a not in self.observed],
                "join": self.join_rule,
                "founders_before": iso(self.since)[:10] if self.since is not None else None,
                "bots_removed": self.bot_rows,
                "bot_names": sorted(self.bot_names),
                "identities_merged": merged,
                "rows": self.rows,
                "members": len(self.members),
                "first": iso(self.first_time),
                "last": iso(self.last_time),
                "notes": self.notes,
            }
            self.writer.close()
            self.writer = None
            self._with_metadata(json.dumps(metadata))
            os.replace(self.final, self.out)
        except BaseException:
            self.abort()
            raise
        return ImportSummary(self.out, metadata, dict(self.actions))

    def _with_metadata(self, text: str) -> None:
        """Copy the rows, row group by row group, into a file whose schema carries the metadata
        (known only at the end; Arrow readers take schema metadata from the file's start)."""
        rows = pq.ParquetFile(str(self.partial))
        # Parquet has no seconds unit: whole seconds are stored as timestamp[ms, UTC]
        schema = rows.schema_arrow.with_metadata({METADATA_KEY: text.encode()})
        with pq.ParquetWriter(str(self.final), schema, compression="zstd") as writer:
            for group in range(rows.num_row_groups):
                writer.write_table(
                    rows.read_row_group(group).replace_schema_metadata(schema.metadata)
                )
        self.partial.unlink()

    def abort(self) -> None:
        """Drop everything written so far (nothing is left at ``out``)."""
        if self.writer is not None:
            try:
                self.writer.close()
            except Exception:
                pass
            self.writer = None
        self.partial.unlink(missing_ok=True)
        self.final.unlink(missing_ok=True)


class SilenceThreads:
    """Threads for chat without reply ids: in each channel, a message after at least ``gap_hours``
    of silence starts a thread (``post``) and the messages after it, until the next such silence,
    reply to it. An assumption, not a platform fact: chat conversations are bursts separated by
    silences (the session definition used for chat and web logs, e.g. a 30-minute inactivity
    timeout in web analytics; a conversation gap of hours suits community chat channels).
    Explicit replies (a reply id) go to the thread of the message they answer instead."""

    @staticmethod
    def check_gap(gap_hours: float) -> None:
        """Refuse a ``--thread-gap`` that is not a positive number of hours (before any work)."""
        if not gap_hours > 0:
            raise ImportFailure("--thread-gap", None, f"got {gap_hours}; expected hours above 0")

    def __init__(self, gap_hours: float, remember: bool = True):
        self.gap, self.remember = int(gap_hours * 3600), remember
        self.last: dict[str, tuple[int, str]] = {}  # channel -> (last time, current thread)
        self.thread_of: dict[str, str] = {}  # message id -> its thread (for explicit replies)

    def place(self, channel: str, item: str, when: int, replies_to: str | None = None):
        """(action, thread, parent) of message ``item`` in ``channel`` at ``when``."""
        last = self.last.get(channel)
        if replies_to is not None and replies_to in self.thread_of:
            thread, action, parent = self.thread_of[replies_to], "reply", replies_to
        elif last is None or when - last[0] >= self.gap:
            thread, action, parent = f"{channel}/{item}", "post", None
        else:
            thread, action, parent = last[1], "reply", None
        self.last[channel] = (max(when, last[0]) if last else when, thread)
        if self.remember:
            self.thread_of[item] = thread
        return action, thread, parent
