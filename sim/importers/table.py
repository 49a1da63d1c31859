"""``csv``: any table of member actions, with a column mapping and action aliases.

    commsim import csv events.csv --out log.parquet \\
        --map member=user_id,timestamp=created,action=type,thread=topic_id \\
        --alias comment=reply --alias like=react --alias question=post

``--map FIELD=COLUMN,...`` names the table's column for each log field (``member``, ``timestamp``
and ``action`` are required unless the table already has columns of those names; ``thread``,
``topic``, ``item``, ``parent`` and ``name``, a display name for bot patterns, are optional).
``--alias VALUE=ACTION`` maps the table's action words to the log's actions (``join``, ``visit``,
``post``, ``reply``, ``react``); an action word that is neither is refused, listing each unknown
word with its count and first line. Timestamps are ISO 8601 (UTC if no zone) or epoch seconds or
milliseconds (above 10^11). Comma, semicolon, tab or ``|`` separated; UTF-8, UTF-8 with a BOM or
UTF-16 text. Observed actions are those the table holds (a table says nothing of others).
"""

from __future__ import annotations

import csv
from pathlib import Path

from sim.importers.base import (
    ACTIONS,
    ImportFailure,
    ImportSummary,
    LogWriter,
    parse_iso,
    text_lines,
)

FIELDS = ("member", "timestamp", "action", "thread", "topic", "item", "parent", "name")
REQUIRED = ("member", "timestamp", "action")
EPOCH_MILLIS_ABOVE = 1e11
MAX_SHOWN = 10


def parse_pairs(values, option: str, keys: tuple[str, ...] | None = None) -> dict[str, str]:
    """``a=b,c=d`` (repeatable) as a dict; a key outside ``keys`` is refused, naming the option."""
    pairs: dict[str, str] = {}
    for value in values or ():
        for pair in filter(None, (p.strip() for p in value.split(","))):
            key, sep, target = pair.partition("=")
            key, target = key.strip(), target.strip()
            if not sep or not key or not target:
                raise ImportFailure(option, None, f"got {pair!r}; expected NAME=VALUE")
            if keys is not None and key not in keys:
                raise ImportFailure(
                    option, None, f"unknown field {key!r}; expected one of {', '.join(keys)}"
                )
            pairs[key] = target
    return pairs


def epoch_or_iso(text: str) -> int:
    """Epoch seconds of an ISO date-time or an epoch number (milliseconds above 10^11)."""
    text = text.strip()
    if text.replace(".", "", 1).isdigit():
        number = float(text)
        return int(number / 1000 if number > EPOCH_MILLIS_ABOVE else number)
    return parse_iso(text)


def run(
    source: Path,
    out: Path,
    *,
    since: str | None = None,
    until: str | None = None,
    bots: tuple[str, ...] = (),
    mapping: dict[str, str] | None = None,
    aliases: dict[str, str] | None = None,
) -> ImportSummary:
    mapping = dict(mapping or {})
    aliases = {k.lower(): v.lower() for k, v in (aliases or {}).items()}
    for field in mapping:
        if field not in FIELDS:
            raise ImportFailure(
                "--map", None, f"unknown field {field!r}; expected one of {', '.join(FIELDS)}"
            )
    bad = {k: v for k, v in aliases.items() if v not in ACTIONS}
    if bad:
        raise ImportFailure(
            "--alias", None, f"{bad}: an alias must name one of {', '.join(ACTIONS)}"
        )
    if source.is_dir():
        raise ImportFailure(source, None, "expected a CSV file")
    writer = LogWriter.for_options(
        out, "csv", source, since=since, until=until, bots=bots, observed=()
    )
    try:
        _read(source, writer, mapping, aliases)
        if writer.joined:  # the table has its own join rows: they define joining
            writer.join_rule = "registration"
        # joins are always in the log: the table's own, else first contributions
        writer.observed = ["join", *(a for a in ACTIONS if writer.actions.get(a) and a != "join")]
        return writer.close()
    except BaseException:
        writer.abort()
        raise


def _read(path: Path, writer: LogWriter, mapping: dict[str, str], aliases: dict[str, str]):
    lines = text_lines(path)
    header_line = next(lines, None)
    if header_line is None:
        raise ImportFailure(path, "line 1", "empty file: expected a header row")
    dialect = csv.Sniffer().sniff(header_line, delimiters=",;\t|") if any(
        d in header_line for d in ",;\t|") else csv.excel  # fmt: skip
    header = next(csv.reader([header_line], dialect))
    columns = {}
    for field in FIELDS:
        column = mapping.get(field, field if field in header else None)
        if column is None:
            if field in REQUIRED:
                raise ImportFailure(
                    path, "line 1", f"no column for {field}: the header has "
                    f"{', '.join(header)}; name it with --map {field}=COLUMN"
                )  # fmt: skip
            continue
        if column not in header:
            raise ImportFailure(
                path, "line 1", f"--map {field}={column}: no such column; the header has "
                f"{', '.join(header)}"
            )  # fmt: skip
        columns[field] = header.index(column)
    unknown: dict[str, list[int]] = {}
    reader = csv.reader(lines, dialect)
    for record in reader:
        line = reader.line_num + 1
        if not record:
            continue
        if len(record) < len(header):
            raise ImportFailure(
                path, f"line {line}", f"{len(record)} fields; the header has {len(header)}"
            )
        value = {field: record[index].strip() for field, index in columns.items()}
        word = value["action"].lower()
        action = aliases.get(word, word)
        if action not in ACTIONS:
            entry = unknown.setdefault(value["action"], [0, line])
            entry[0] += 1
            continue
        if not value["member"]:
            raise ImportFailure(path, f"line {line}", "empty member")
        try:
            when = epoch_or_iso(value["timestamp"])
        except ValueError:
            raise ImportFailure(
                path, f"line {line}", f"timestamp {value['timestamp']!r}; expected ISO 8601 "
                "(2024-03-01T12:30:00Z) or epoch seconds / milliseconds"
            ) from None  # fmt: skip
        member = value["member"]
        if writer.is_bot(member, value.get("name", "")):
            continue
        if value.get("name"):
            writer.alias(member, value["name"])
        writer.add(member, when, action, thread=value.get("thread") or None,
                   topic=value.get("topic") or None, item=value.get("item") or None,
                   parent=value.get("parent") or None, source=path.name, record=f"line {line}")  # fmt: skip
    if unknown:
        found = "; ".join(
            f"{word!r} ({count} rows, first at line {first})"
            for word, (count, first) in sorted(unknown.items())[:MAX_SHOWN]
        )
        raise ImportFailure(
            path, f"line {min(first for _, first in unknown.values())}",
            f"unknown actions {found}; expected one of {', '.join(ACTIONS)} or an alias "
            "(--alias WORD=ACTION)"
        )  # fmt: skip
