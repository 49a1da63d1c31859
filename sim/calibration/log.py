"""Activity logs: reading a community's log in a streaming pass, and writing a simulated run as one.

An activity log is a CSV or Parquet file with one row per thing a member did:

=========== ========= =====================================================================
column      required  meaning
=========== ========= =====================================================================
member      yes       the member's id (any text or number)
timestamp   yes       when: ISO 8601 with or without a zone (``2024-03-01T12:30:00Z``,
                      ``2024-03-01T12:30:00+02:00``, ``2024-03-01 12:30:00``, ``2024-03-01``)
                      or epoch seconds or milliseconds (numbers above 10^11 are milliseconds)
action      yes       ``join``, ``visit``, ``post`` (starts a thread), ``reply`` or ``react``
thread      no        for ``post``: the id of the thread it starts; for ``reply``: the id of the
                      thread it answers (lets calibration measure replies to first posts)
topic       no        the topic of a post or reply (written by ``export-log``, not used)
=========== ========= =====================================================================

A log is a ``.csv`` file (UTF-8; ``.csv.gz``, ``.csv.bz2``, ``.csv.zst`` and ``.csv.lz4`` are
decompressed) or a ``.parquet`` (``.pq``) file; other kinds (``.xlsx``, ``.json``) are refused.
Other columns are ignored. Actions are read case-insensitively. Days are calendar days in UTC
(timestamps without a zone are taken as UTC); the log's first day is day 0 (see ``sim.calibration.activity``
for how KPIs are defined). A bad row is reported with the file, its row and line, the column and
what was expected; every unknown action is listed with its count. A few rows far from the rest
in time (a stray ``0`` timestamp in a 2024 log, more than ``MAX_GAP_DAYS`` from the others) are
refused with their lines, rather than read as decades of silence.

``read_log`` streams the file in record batches (``pyarrow.csv.open_csv``, or Parquet row groups),
so a log is never held whole in memory; ``ActivityObserver`` steps a model day by day and derives
each day's events from the population's counters (no change to the model's daily loop);
``write_log`` writes them as a log in the same format.
"""

from __future__ import annotations

import codecs
import itertools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sim.calibration.activity import (
    ACTIONS,
    HOURS,
    JOIN,
    NO_HOUR,
    NO_THREAD,
    POST,
    REACT,
    REPLY,
    VISIT,
    ActivityStats,
    Observation,
)
from sim.model import CommunityModel

REQUIRED = ("member", "timestamp", "action")
OPTIONAL = ("thread", "topic")
TIMESTAMP_FORMATS = (
    "ISO 8601 with or without a zone (2024-03-01T12:30:00Z, 2024-03-01 12:30:00, 2024-03-01) "
    "or epoch seconds / milliseconds"
)
EPOCH_MILLIS_ABOVE = 1e11  # an epoch number above this is milliseconds (1e11 s is the year 5138)
NS_PER_DAY = 86_400 * 10**9
NS_PER_HOUR = 3_600 * 10**9
FAST_LAYOUTS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S")  # else pandas' ISO 8601 parser
BATCH_ROWS = 1 << 19  # rows checked and summarised at a time
# CSV blocks are small: the reader reads many blocks ahead, so its memory is a multiple of this
CSV_BLOCK_BYTES = 1 << 20
MAX_PROBLEMS = 20  # problems listed per column before the rest are only counted
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zst", ".csv.lz4")
PARQUET_SUFFIXES = (".parquet", ".pq")
# A silence longer than this inside a log means rows far from the rest: a stray timestamp.
MAX_GAP_DAYS = 365


class LogError(Exception):
    """An activity log that cannot be used; the message lists every problem found, one per line."""

    def __init__(self, source: str, problems: list[str]):
        self.source, self.problems = source, problems
        super().__init__("\n  ".join([f"invalid activity log {source}:", *problems]))


# ---- reading ---------------------------------------------------------------------------------
def read_log(
    path: str | Path, observation: Observation | None = None
) -> tuple[ActivityStats, str | None]:
    """Read and check an activity log in one streaming pass; returns its ``ActivityStats`` (call
    ``finish()`` for the KPIs, measured under ``observation``) and the date of day 0. Raises
    ``LogError`` for a bad log.

    >>> stats, start = read_log("tests/data/tiny-log.csv")  # doctest: +SKIP
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise LogError(source, ["file not found"])
    _check_kind(path)
    checker = _Checker(source, "line" if _is_csv(path) else "row")
    stats = ActivityStats(observation)
    days: dict[int, list[int]] = {}  # day -> [rows, first row]
    try:
        for offset, batch in _batches(path, checker):
            events = checker.check(batch, offset)
            if events is None:
                continue
            member, day, action, thread, hour = events
            stats.add(member, day, action, thread, hour)
            found, first, count = np.unique(day, return_index=True, return_counts=True)
            for d, row, n in zip(found.tolist(), first.tolist(), count.tolist(), strict=True):
                entry = days.setdefault(d, [0, offset + row])
                entry[0] += n
    except pa.ArrowException as exc:  # e.g. a column of a type no reader converts
        raise LogError(source, [f"cannot read the file: {exc}"]) from None
    except ValueError as exc:  # ActivityStats: a day past what a log can span
        raise LogError(source, [f"column timestamp: {exc}"]) from None
    checker.raise_if_bad()
    if stats.rows == 0:
        raise LogError(source, ["no rows: expected at least one row after the header"])
    _check_gaps(days, checker)
    return stats, str(np.datetime64(min(days), "D"))


def action_counts(path: str | Path) -> dict[str, int]:
    """Rows per action (trimmed, lower case) read from the ``action`` column alone, to choose the
    observation model before the full pass; an unreadable log gives ``{}`` (``read_log`` then
    names its problems)."""
    path = Path(path)
    counts: dict[str, int] = {}
    try:
        # what is not UTF-8 text is left to read_log to name: pyarrow's handler of a bad row
        # cannot decode such a row, and its error escapes as an unraisable exception
        _check_kind(path)
    except LogError:
        return {}
    try:
        if _is_csv(path):
            table = pacsv.read_csv(
                str(path),
                parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"),
                convert_options=pacsv.ConvertOptions(
                    include_columns=["action"], column_types={"action": pa.string()}
                ),
            )
            column = table.column("action")
        else:
            column = pq.read_table(path, columns=["action"]).column("action")
        text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(column, pa.string())))
        for entry in pc.value_counts(text).to_pylist():
            if entry["values"] is not None:
                counts[entry["values"]] = counts.get(entry["values"], 0) + entry["counts"]
    except (pa.ArrowException, OSError, KeyError):
        return {}
    return counts


def _is_csv(path: Path) -> bool:
    return not path.name.lower().endswith(PARQUET_SUFFIXES)


def _check_kind(path: Path) -> None:
    """Refuse what is not a UTF-8 CSV or a Parquet file, before reading a row of it."""
    name, source = path.name.lower(), str(path)
    if not name.endswith(CSV_SUFFIXES + PARQUET_SUFFIXES):
        kind = "".join(path.suffixes[-2:]) or "no suffix"
        raise LogError(
            source,
            [
                f"unknown kind of file ({kind}): expected a CSV file ({', '.join(CSV_SUFFIXES)}) "
                f"or a Parquet file ({', '.join(PARQUET_SUFFIXES)}); save a spreadsheet as CSV"
            ],
        )
    if name.endswith(".csv"):
        _check_utf8(path)


def _check_utf8(path: Path) -> None:
    """Refuse a CSV that is not UTF-8 text (UTF-16, a spreadsheet or Parquet file renamed .csv),
    naming the line of the first bad byte. One streaming pass, a megabyte at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, where = 1, str(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
            stream.seek(0)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise LogError(where, ["UTF-16 text: save the log as UTF-8 CSV"])
            if head.startswith((b"PAR1", b"PK\x03\x04")):
                kind = "a Parquet" if head == b"PAR1" else "a zip (e.g. .xlsx)"
                raise LogError(where, [f"{kind} file named .csv: give it its own suffix"])
            while chunk := stream.read(CSV_BLOCK_BYTES):
                nul = chunk.find(b"\0")
                if nul >= 0:
                    line += chunk.count(b"\n", 0, nul)
                    raise LogError(where, [f"line {line}: a NUL byte: not UTF-8 text (UTF-16?)"])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line += chunk.count(b"\n", 0, max(exc.start, 0))
                    raise LogError(
                        where, [f"line {line}: not UTF-8 text ({exc.reason}); save it as UTF-8"]
                    ) from None
                line += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise LogError(where, ["the file ends inside a character: not UTF-8 text"]) from None
    except OSError as exc:
        raise LogError(where, [f"cannot read the file: {exc.strerror or exc}"]) from None


def _check_gaps(days: dict[int, list[int]], checker: _Checker) -> None:
    """Refuse rows separated from the bulk of the log by more than ``MAX_GAP_DAYS`` of silence."""
    order = sorted(days)
    cuts = [i + 1 for i, (a, b) in enumerate(itertools.pairwise(order)) if b - a > MAX_GAP_DAYS]
    if not cuts:
        return
    parts = [order[a:b] for a, b in itertools.pairwise([0, *cuts, len(order)])]
    main = max(parts, key=lambda part: sum(days[d][0] for d in part))
    stray = [d for part in parts if part is not main for d in part]
    rows = sum(days[d][0] for d in stray)
    shown = "; ".join(
        f"{np.datetime64(d, 'D')} ({days[d][0]} row{'s' * (days[d][0] > 1)}, first at "
        f"{checker.where(days[d][1])})"
        for d in sorted(stray, key=lambda d: days[d][1])[:MAX_PROBLEMS]
    )
    raise LogError(
        checker.source,
        [
            f"column timestamp: {rows} row(s) lie more than {MAX_GAP_DAYS} days from the rest of "
            f"the log ({np.datetime64(main[0], 'D')} to {np.datetime64(main[-1], 'D')}): {shown}; "
            "fix or remove them (a stray 0 or a wrong year?)"
        ],
    )


def _batches(path: Path, checker: _Checker) -> Iterator[tuple[int, pa.RecordBatch]]:
    """(row offset, batch) of the needed columns, every value as text, streamed."""
    source = str(path)
    try:
        if _is_csv(path):
            yield from _csv_batches(path, checker)
            return
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        checker.columns(names)
        nested = [
            f"column {name}: a {parquet.schema_arrow.field(name).type} column; expected text, "
            "numbers or (timestamp) dates"
            for name in checker.present
            if pa.types.is_nested(parquet.schema_arrow.field(name).type)
        ]
        if nested:
            raise LogError(source, nested)
        offset = 0
        for batch in parquet.iter_batches(BATCH_ROWS, columns=checker.present):
            yield offset, batch
            offset += batch.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        raise LogError(source, [f"cannot read the file: {exc}"]) from None


def _csv_batches(path: Path, checker: _Checker) -> Iterator[tuple[int, pa.RecordBatch]]:
    # a path, not a stream: pyarrow then reads the file fastest (and still decompresses .gz)
    header = pacsv.open_csv(
        str(path),
        read_options=pacsv.ReadOptions(block_size=1 << 16),
        parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"),
    )
    checker.columns(header.schema.names)
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in checker.present},
        include_columns=checker.present,
        strings_can_be_null=True,
    )
    reader = pacsv.open_csv(
        str(path),
        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(invalid_row_handler=checker.invalid_row),
        convert_options=options,
    )
    offset, pending, rows = 0, [], 0
    for batch in reader:
        pending.append(batch)
        rows += batch.num_rows
        if rows >= BATCH_ROWS:
            yield offset, _combined(pending)
            offset, pending, rows = offset + rows, [], 0
    if pending:
        yield offset, _combined(pending)
    if checker.unnumbered_rows:
        # a parallel reader does not know the line of a bad row: find them with a serial one
        checker.forget_invalid_rows()
        serial = pacsv.open_csv(
            str(path),
            read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES, use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=checker.invalid_row),
            convert_options=options,
        )
        for _ in serial:
            pass


def _combined(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


class _Checker:
    """Checks rows batch by batch and turns them into events; collects every problem."""

    def __init__(self, source: str, unit: str):
        self.source, self.unit = source, unit
        self.present: list[str] = []
        self.problems: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}
        self.unknown: dict[str, list[int]] = {}  # action -> [rows, first row]

    def columns(self, names: list[str]) -> None:
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise LogError(
                self.source,
                [
                    f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)}; the header "
                    f"has {', '.join(names) or 'no columns'}; expected columns "
                    f"{', '.join(REQUIRED)} (and optionally {', '.join(OPTIONAL)})"
                ],
            )
        self.present = [c for c in (*REQUIRED, "thread") if c in names]

    def where(self, row: int) -> str:
        """Row ``row`` (0-based data row) as a reader finds it: a CSV line (the header is line 1),
        or a Parquet row (1-based)."""
        return f"line {row + 2}" if self.unit == "line" else f"row {row + 1}"

    def problem(self, column: str, text: str) -> None:
        self.counts[column] = self.counts.get(column, 0) + 1
        listed = self.problems.setdefault(column, [])
        if len(listed) < MAX_PROBLEMS:
            listed.append(text)

    unnumbered_rows = 0

    def invalid_row(self, row) -> str:
        line = f"line {row.number}" if row.number is not None else "a line"
        self.unnumbered_rows += row.number is None
        self.problem(
            "(row)",
            f"{line}: expected {row.expected_columns} columns, got {row.actual_columns}: "
            f"{row.text[:80]!r}",
        )
        return "skip"

    def forget_invalid_rows(self) -> None:
        self.problems.pop("(row)", None)
        self.counts.pop("(row)", None)
        self.unnumbered_rows = 0

    def check(self, batch: pa.RecordBatch, offset: int):
        member = batch.column("member")
        bad_member = pc.is_null(member)
        if pc.any(bad_member).as_py():
            for row in np.flatnonzero(bad_member.to_numpy(zero_copy_only=False)):
                self.problem("member", f"{self.where(offset + row)}, column member: empty")
        action_text = pc.utf8_lower(
            pc.utf8_trim_whitespace(pc.cast(batch.column("action"), pa.string()))
        )
        action = pc.index_in(action_text, value_set=pa.array(ACTIONS))
        bad_action = pc.is_null(action).to_numpy(zero_copy_only=False)
        for row in np.flatnonzero(bad_action):
            value = batch.column("action")[row].as_py()
            entry = self.unknown.setdefault(str(value), [0, offset + row])
            entry[0] += 1
        epoch_ns, bad_time = _timestamps(batch.column("timestamp"))
        for row in np.flatnonzero(bad_time):
            value = batch.column("timestamp")[row].as_py()
            shown = "empty" if value is None else f"got {value!r}"
            self.problem(
                "timestamp",
                f"{self.where(offset + row)}, column timestamp: {shown}; expected "
                + TIMESTAMP_FORMATS
                + " (from 1970 on)",
            )
        if self.counts or self.unknown:
            return None  # the log is bad: keep reading only to report every problem
        member_keys = _keys(pc.cast(member, pa.string()))
        thread = None
        if "thread" in self.present:
            column = pc.cast(batch.column("thread"), pa.string())
            keys = _keys(column).view(np.int64)
            thread = np.where(pc.is_null(column).to_numpy(zero_copy_only=False), NO_THREAD, keys)
        day = epoch_ns // NS_PER_DAY
        hour = event_hours(epoch_ns)
        action = action.to_numpy(zero_copy_only=False).astype(np.int8)
        return member_keys, day, action, thread, hour

    def raise_if_bad(self) -> None:
        lines = []
        for column, listed in self.problems.items():
            lines.extend(listed)
            more = self.counts[column] - len(listed)
            if more > 0:
                lines.append(f"... and {more} more problems in column {column}")
        if self.unknown:
            allowed = ", ".join(ACTIONS)
            found = "; ".join(
                f"{value!r} ({count} row{'s' * (count > 1)}, first at {self.where(first)})"
                for value, (count, first) in sorted(self.unknown.items())
            )
            lines.append(f"column action: unknown actions {found}; expected one of {allowed}")
        if lines:
            raise LogError(self.source, lines)


def _keys(column: pa.Array) -> np.ndarray:
    """A 64-bit key per value: a hash of its text (collisions are vanishingly rare below 10^8 ids)."""
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    words = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    hashes = pd.util.hash_array(words) if words.size else np.empty(0, np.uint64)
    indices = encoded.indices.fill_null(0).to_numpy(zero_copy_only=False)
    return hashes[indices] if hashes.size else np.zeros(len(column), np.uint64)


def event_hours(epoch_ns: np.ndarray) -> np.ndarray:
    """Each timestamp's hour of day in UTC (int8), ``NO_HOUR`` for one at exactly midnight: such a
    row carries a date, not a time (a Stack Exchange dump keeps only the day of a vote; a real
    action falls at 00:00:00 once in 86,400 seconds), as ``sim.calibration.hours`` decides."""
    epoch_ns = np.asarray(epoch_ns, np.int64)
    hour = (epoch_ns // NS_PER_HOUR) % HOURS
    return np.where(epoch_ns % NS_PER_DAY == 0, NO_HOUR, hour).astype(np.int8)


def _timestamps(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(nanoseconds since the epoch in UTC, bad) for a column of timestamps in any accepted form."""
    size = len(column)
    if pa.types.is_timestamp(column.type):
        ns = pc.cast(column, pa.timestamp("ns", tz=column.type.tz)).cast(pa.int64())
        values = ns.to_numpy(zero_copy_only=False)
        bad = pc.is_null(column).to_numpy(zero_copy_only=False)
        return np.where(bad, 0, values).astype(np.int64), bad | (values < 0)
    if pa.types.is_date(column.type):
        days = pc.cast(pc.cast(column, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False)
        bad = pc.is_null(column).to_numpy(zero_copy_only=False)
        return np.where(bad, 0, days).astype(np.int64) * NS_PER_DAY, bad | (days < 0)
    text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
    ns = np.zeros(size, np.int64)
    bad = pc.is_null(text).to_numpy(zero_copy_only=False).copy()
    numeric = pc.fill_null(pc.match_substring_regex(text, r"^\d+(\.\d+)?$"), False)
    numeric = numeric.to_numpy(zero_copy_only=False)
    if numeric.any():
        number = pc.cast(pc.filter(text, pa.array(numeric)), pa.float64()).to_numpy()
        seconds = np.where(number > EPOCH_MILLIS_ABOVE, number / 1000.0, number)
        ns[numeric] = (seconds * 1e9).astype(np.int64)
    written = ~numeric & ~bad
    for layout in FAST_LAYOUTS:  # a strict parser for the common layouts first: ~10x faster
        if not written.any():
            break
        subset = pc.filter(text, pa.array(written))
        seconds = pc.strptime(subset, format=layout, unit="s", error_is_null=True)
        ok = pc.is_valid(seconds).to_numpy(zero_copy_only=False)
        if ok.any():
            where = np.flatnonzero(written)[ok]
            values = pc.filter(seconds, pa.array(ok)).cast(pa.int64()).to_numpy()
            ns[where] = values * 10**9
            written[where] = False
    if written.any():
        strings = pc.filter(text, pa.array(written)).to_pandas()
        parsed = pd.to_datetime(strings, format="ISO8601", utc=True, errors="coerce")
        failed = parsed.isna().to_numpy()
        values = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64)
        ns[written] = np.where(failed, 0, values)
        bad[np.flatnonzero(written)[failed]] = True
    return ns, bad | (ns < 0)


# ---- a simulated run as a log ----------------------------------------------------------------
@dataclass(frozen=True)
class DayEvents:
    """One day's events, in log order (joins, visits, posts, replies, reactions)."""

    day: int
    member: np.ndarray  # slot
    action: np.ndarray  # ACTIONS code
    thread: np.ndarray  # thread number, NO_THREAD for none
    topic: np.ndarray  # -1 for none
    hour: np.ndarray | None = None  # hour of day (active hours on), NO_HOUR for none; else None


_COUNTERS = (
    "visits", "threads", "replies", "reactions", "replies_received", "followups", "continuations"
)  # fmt: skip


class ActivityObserver:
    """Steps a model day by day and derives each day's log events from the population's arrays.

    Joins are the new slots, visits the rise in ``visits``, threads and their topics today's feed
    (``model.feed``: the threads written today, one per post row), replies and reactions the rise in
    each member's counters. A reply's thread is one of yesterday's threads of a member whose
    ``replies_received`` rose (spread over that member's threads in turn; replies to operator
    posts have no thread), paired so that nobody answers their own thread, so which members got
    replies, and how many, is exact; a follow-up (``Rules.followup``, the rise in ``followups``)
    is a reply in one of its own author's threads of yesterday, a continuation
    (``Rules.continuation``, the rise in ``continuations``) one in its author's threads of today.
    Only counters are read: the model's daily loop is untouched.

    With active hours on (``model.clock``; ``sim.world.hours``) each event carries its hour of
    day (``DayEvents.hour``): a visit, reply or reaction its member's visit hour today
    (``Population.hour_today``: a member visits once a day, and replies and reacts on that visit),
    a thread the hour it was posted (the feed's ``hour``: its author's visit hour, or the hour the
    operator posted it), a join the newcomer's visit hour if it visited on its first day, else
    ``NO_HOUR``. In the day-only model ``hour`` is None and nothing changes.

    >>> model = CommunityModel(members=100, rng=1)
    >>> observer = ActivityObserver(model)
    >>> founders = observer.start()
    >>> int((founders.action == JOIN).sum())
    100
    >>> observer.step().day
    1
    """

    def __init__(self, model: CommunityModel):
        self.model = model
        self._next_thread = 0
        self._yesterday = (np.empty(0, np.int64), np.empty(0, np.int64))  # (author, thread)
        self._yesterday_topic = np.empty(0, np.int64)
        # threads held open for days (Rules.reply_window): the model's thread number -> ours, topic
        self._number_of = np.empty(0, np.int64)
        self._topic_of = np.empty(0, np.int64)

    def _counters(self) -> dict[str, np.ndarray]:
        pop = self.model.population
        return {name: pop.view(name).astype(np.int64) for name in _COUNTERS}

    def start(self) -> DayEvents:
        """Day 0: the founders join."""
        slots = np.arange(self.model.population.n, dtype=np.int64)
        none = np.full(slots.size, -1, np.int64)
        return DayEvents(self.model.day, slots, np.full(slots.size, JOIN, np.int8), none, none)

    def step(self) -> DayEvents:
        before, n_before = self._counters(), self.model.population.n
        self.model.step()
        after, n = self._counters(), self.model.population.n

        def rise(name: str) -> np.ndarray:
            grown = np.zeros(n, np.int64)
            grown[:n_before] = before[name]
            return after[name] - grown

        feed = self.model.feed.threads()
        authors = feed.author.astype(np.int64)
        order = np.argsort(authors, kind="stable")
        authors, topics = authors[order], feed.topic.astype(np.int64)[order]
        posted = feed.hour.astype(np.int64)[order]
        threads = self._next_thread + np.arange(authors.size, dtype=np.int64)
        self._next_thread += authors.size
        continuations = rise("continuations")
        continuing = np.repeat(np.arange(n, dtype=np.int64), continuations)
        going_on, going_on_topic = _own(continuing, authors, threads, topics)
        if self.model.population.threads_stay_open:
            self._number(feed.ident[order], threads, topics)
            responders, answered, answered_topic, answering, own, own_topic = self._pairs()
        else:
            followups = rise("followups")
            others = rise("replies") - followups - continuations
            responders = np.repeat(np.arange(n, dtype=np.int64), others)
            answered, answered_topic = self._answered(rise("replies_received"), responders)
            answering = np.repeat(np.arange(n, dtype=np.int64), followups)
            own, own_topic = _own(answering, *self._yesterday, self._yesterday_topic)
        self._yesterday = (authors, threads)
        self._yesterday_topic = topics
        parts = [
            (np.arange(n_before, n, dtype=np.int64), JOIN, None, None),
            (np.flatnonzero(rise("visits") > 0), VISIT, None, None),
            (authors, POST, threads, topics),
            (responders, REPLY, answered, answered_topic),
            (answering, REPLY, own, own_topic),
            (continuing, REPLY, going_on, going_on_topic),
            (np.repeat(np.arange(n, dtype=np.int64), rise("reactions")), REACT, None, None),
        ]
        member = np.concatenate([p[0] for p in parts])
        action = np.concatenate([np.full(p[0].size, p[1], np.int8) for p in parts])

        def column(i: int) -> np.ndarray:
            return np.concatenate(
                [p[i] if p[i] is not None else np.full(p[0].size, -1, np.int64) for p in parts]
            )

        hour = None
        if self.model.clock is not None:
            hour = self._hours(member, action, rise("visits") > 0, posted)
        return DayEvents(self.model.day, member, action, column(2), column(3), hour)

    def _hours(
        self, member: np.ndarray, action: np.ndarray, visited: np.ndarray, posted: np.ndarray
    ) -> np.ndarray:
        """Each of today's events' hour of day (int8; class docstring): the member's visit hour
        today, the posting hour for a thread, ``NO_HOUR`` for a join without a visit."""
        today = self.model.population.hour_today
        hour = np.full(member.size, NO_HOUR, np.int64)
        known = (member >= 0) & (member < (0 if today is None else today.size))
        if today is not None:
            hour[known] = today[member[known]]
        joins = np.flatnonzero(action == JOIN)
        stranger = member[joins] >= visited.size
        visitor = np.zeros(joins.size, bool)
        visitor[~stranger] = visited[member[joins][~stranger]]
        hour[joins[~visitor]] = NO_HOUR
        hour[action == POST] = posted
        return hour.astype(np.int8)

    def _number(self, ident: np.ndarray, threads: np.ndarray, topics: np.ndarray) -> None:
        """Today's threads, as the model numbers them (``Items.ident``), get our numbers (the
        operator's threads have no number)."""
        mine = ident >= 0
        ident, threads, topics = ident[mine], threads[mine], topics[mine]
        if ident.size == 0:
            return
        size = int(ident.max()) + 1
        if size > self._number_of.size:
            grown = max(size, 2 * self._number_of.size)
            self._number_of = np.concatenate(
                [self._number_of, np.full(grown - self._number_of.size, NO_THREAD, np.int64)]
            )
            self._topic_of = np.concatenate(
                [self._topic_of, np.full(grown - self._topic_of.size, -1, np.int64)]
            )
        self._number_of[ident], self._topic_of[ident] = threads, topics

    def _pairs(self):
        """With threads open for days (``Rules.reply_window``) a reply's thread may be any open
        one, not only yesterday's, so it is read from the model's day (``reply_pairs``: each
        reply's writer, the model's number of its thread, whether it is a follow-up) rather
        than derived from counters. Returns the other members' replies (writers ordered, their
        threads and topics), then the follow-ups' likewise."""
        empty = np.empty(0, np.int64)
        if self.model.reply_pairs is None:
            return empty, empty, empty, empty, empty, empty
        who, ident, followup = self.model.reply_pairs
        self.model.reply_pairs = None  # read once: a day without replies leaves none
        known = ident >= 0  # operator threads have no number: their replies carry no thread
        thread = np.full(who.size, NO_THREAD, np.int64)
        topic = np.full(who.size, -1, np.int64)
        thread[known], topic[known] = self._number_of[ident[known]], self._topic_of[ident[known]]
        parts = []
        for mine in (~followup, followup):
            order = np.argsort(who[mine], kind="stable")
            parts += [who[mine][order].astype(np.int64), thread[mine][order], topic[mine][order]]
        return tuple(parts)

    def _answered(self, received: np.ndarray, responders: np.ndarray):
        """The thread (and its topic) each of today's replies answers, aligned with ``responders``."""
        y_author, y_thread = self._yesterday
        thread = np.full(responders.size, NO_THREAD, np.int64)
        topic = np.full(responders.size, -1, np.int64)
        targets = np.repeat(np.arange(received.size, dtype=np.int64), np.maximum(received, 0))
        if targets.size == 0 or y_author.size == 0:
            return thread, topic
        start = np.searchsorted(y_author, targets, "left")
        count = np.searchsorted(y_author, targets, "right") - start
        rank = np.arange(targets.size) - np.searchsorted(targets, targets, "left")
        has = count > 0
        index = np.where(has, start + rank % np.maximum(count, 1), 0)
        # authors descending against responders ascending: few members meet themselves
        targets = targets[::-1]
        chosen = np.where(has, y_thread[index], NO_THREAD)[::-1]
        chosen_topic = np.where(has, self._yesterday_topic[index], -1)[::-1]
        size = min(targets.size, responders.size)
        who, owner = responders[:size], targets[:size].copy()
        chosen, chosen_topic = chosen[:size], chosen_topic[:size]
        for i in np.flatnonzero(who == owner):  # nobody answers their own thread
            for j in range(size):
                if owner[j] != who[i] and owner[i] != who[j]:
                    owner[[i, j]], chosen[[i, j]] = owner[[j, i]], chosen[[j, i]]
                    chosen_topic[[i, j]] = chosen_topic[[j, i]]
                    break
        thread[:size], topic[:size] = chosen, chosen_topic
        return thread, topic

    def run(self, days: int) -> Iterator[DayEvents]:
        """Day 0 (the founders), then ``days`` simulated days."""
        yield self.start()
        for _ in range(days):
            yield self.step()


def _own(
    writers: np.ndarray, authors: np.ndarray, threads: np.ndarray, topics: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The thread (and topic) of each reply its writer makes in its own thread: the first of the
    threads (``authors`` sorted, ``threads`` and ``topics`` aligned) it started; yesterday's for a
    follow-up (``Rules.followup``), today's for a continuation (``Rules.continuation``)."""
    thread = np.full(writers.size, NO_THREAD, np.int64)
    topic = np.full(writers.size, -1, np.int64)
    if writers.size == 0 or authors.size == 0:
        return thread, topic
    index = np.minimum(np.searchsorted(authors, writers, "left"), authors.size - 1)
    has = authors[index] == writers
    thread[has], topic[has] = threads[index[has]], topics[index[has]]
    return thread, topic


# days of a run's events handed to ActivityStats at once (add_days): one call a day cost about a
# sixth of a small community's run (a 119-member calibrated conlang.meta scenario, 931 days)
CHUNK_DAYS = 32


def add_days(stats: ActivityStats, days: list[DayEvents]) -> None:
    """Hand several days' events to ``stats`` as one chunk. The KPIs are those of one call a day:
    ``ActivityStats`` takes chunks in any order and codes members and threads in order of first
    appearance, which concatenating the days in order keeps."""
    if not days:
        return
    hour = None  # day 0's founders carry no hour, a run with active hours' later days do
    if any(e.hour is not None for e in days):
        hours = [np.full(e.member.size, NO_HOUR) if e.hour is None else e.hour for e in days]
        hour = np.concatenate(hours)
    stats.add(
        np.concatenate([e.member for e in days]).astype(np.uint64),
        np.concatenate([np.full(e.member.size, e.day) for e in days]),
        np.concatenate([e.action for e in days]),
        np.concatenate([e.thread for e in days]),
        hour,
    )


class DayChunks:
    """Takes a run's days of events one at a time (``add``) and hands them to ``stats``
    ``CHUNK_DAYS`` at a time (``add_days``); ``flush`` hands over the rest."""

    def __init__(self, stats: ActivityStats):
        self.stats = stats
        self._pending: list[DayEvents] = []

    def add(self, events: DayEvents) -> None:
        self._pending.append(events)
        if len(self._pending) == CHUNK_DAYS:
            self.flush()

    def flush(self) -> None:
        add_days(self.stats, self._pending)
        self._pending = []


def simulated_stats(
    model: CommunityModel, days: int, observation: Observation | None = None
) -> ActivityStats:
    """Run ``model`` for ``days`` days and summarise its activity exactly as a log would be seen
    under ``observation`` (default: every action)."""
    chunks = DayChunks(ActivityStats(observation))
    for events in ActivityObserver(model).run(days):
        chunks.add(events)
    chunks.flush()
    return chunks.stats


def write_log(model: CommunityModel, days: int, path: str | Path, start: str = "2024-01-01") -> int:
    """Run ``model`` for ``days`` days and write its activity log to ``path`` (``.csv``, ``.csv.gz``
    or ``.parquet``) atomically; returns the number of rows. Day ``d`` is ``start`` + d days; a
    row is at midnight of its day (a date without a time: the day-only model has none) or, with
    active hours on, within its hour (``DayEvents.hour``; ``_seconds``); members are ``m<slot>``,
    threads ``t<number>``."""
    path = Path(path)
    origin = np.datetime64(start, "s")
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    schema = pa.schema(
        [
            ("member", pa.string()),
            ("timestamp", pa.string() if _is_csv(path) else pa.timestamp("s", tz="UTC")),
            ("action", pa.string()),
            ("thread", pa.string()),
            ("topic", pa.int64()),
        ]
    )
    rows = 0
    try:
        if _is_csv(path):
            sink = pa.output_stream(str(partial), compression="detect")
            writer = pacsv.CSVWriter(sink, schema)
        else:
            sink, writer = None, pq.ParquetWriter(str(partial), schema, compression="zstd")
        try:
            for events in ActivityObserver(model).run(days):
                table = _log_table(events, origin, schema)
                writer.write_table(table)
                rows += table.num_rows
        finally:
            writer.close()
            if sink is not None:
                sink.close()
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return rows


def _seconds(events: DayEvents) -> np.ndarray:
    """Each row's second of its day. A row without a time of day (every row of the day-only
    model, whose step is a day; with active hours a join without a visit, and day 0's founders)
    lies at midnight, which a reader takes for a date without a time (``event_hours``), so
    calibrating such a log keeps the day-only model (until the hour check, rows were spread over
    the day in log order: a made-up time of day, joins at night and reactions in the evening,
    that a calibration read as the community's hours). With active hours a row's second lies
    inside its hour: the ``c`` rows of an hour, in log order, at ``1 + r * 3599 // c`` seconds
    into it (never at exactly midnight)."""
    seconds = np.zeros(events.member.size, np.int64)
    if events.hour is None:
        return seconds
    hour = events.hour.astype(np.int64)
    timed = np.flatnonzero(hour >= 0)
    order = timed[np.argsort(hour[timed], kind="stable")]
    grouped = hour[order]
    first = np.searchsorted(grouped, grouped, "left")
    count = np.searchsorted(grouped, grouped, "right") - first
    rank = np.arange(order.size) - first
    seconds[order] = grouped * 3_600 + 1 + (rank * 3_599) // np.maximum(count, 1)
    return seconds


def _log_table(events: DayEvents, origin: np.datetime64, schema: pa.Schema) -> pa.Table:
    size = events.member.size
    seconds = _seconds(events)
    when = origin + np.timedelta64(events.day * 86_400, "s") + seconds.astype("timedelta64[s]")
    if pa.types.is_string(schema.field("timestamp").type):
        stamp = pa.array(np.datetime_as_string(when, unit="s")).cast(pa.string())
        stamp = pc.binary_join_element_wise(stamp, "Z", "")
    else:
        stamp = pa.array(when.astype("datetime64[s]"), pa.timestamp("s")).cast(
            pa.timestamp("s", tz="UTC")
        )
    member = pc.binary_join_element_wise("m", pa.array(events.member.astype(str)), "")
    has_thread = events.thread != NO_THREAD
    thread = pc.if_else(
        pa.array(has_thread),
        pc.binary_join_element_wise("t", pa.array(events.thread.astype(str)), ""),
        pa.nulls(size, pa.string()),
    )
    topic = pa.array(events.topic, pa.int64(), mask=events.topic < 0)
    action = pa.array(np.array(ACTIONS)[events.action])
    return pa.Table.from_arrays([member, stamp, action, thread, topic], schema=schema)
