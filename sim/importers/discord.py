"""``discord``: DiscordChatExporter (DCE, github.com/Tyrrrz/DiscordChatExporter) exports.

SOURCE is one exported file or a folder tree of them (``.csv`` and ``.json``; other files are
ignored). Both formats are DCE's own:

* **CSV** (``-f Csv``): ``AuthorID;Author;Date;Content;Attachments;Reactions;`` (DCE writes
  ``,`` in newer versions; both are read), every field quoted, contents may span lines. ``Date``
  is ``12-Jun-18 06:30 AM`` (DCE's short layout, no zone: read as UTC, to the *minute*) or ISO
  8601. There are no reply ids: threads are placed by silence (``SilenceThreads``: a message
  after ``--thread-gap`` hours, default 6, of channel silence starts a thread). ``Reactions``
  holds counts (``👍 (9)``) without who reacted: per-member reactions are *not observed* (their
  total is given in the notes). Partitioned exports (``-p 100``: ``1.csv``, ``2.csv``, ...) and
  incremental exports of the same channel in dated folders are one channel: the channel is the
  file's folder below the last folder named ``csv``/``json`` (``category/channel``), else the
  folder relative to SOURCE, or the file's name for a lone file.
* **JSON** (``-f Json``): ``{"channel": {"category", "name", ...}, "messages": [{"id", "type",
  "timestamp", "author": {"id", "name", "isBot"}, "reference": {"messageId"}, "reactions":
  [{"count", "users": [...]}]}]}``. A message with a ``reference`` replies in the thread of the
  message it answers; others are placed by silence as in CSV. A ``GuildMemberJoin`` message is
  the member's join. Reactions with their ``users`` (DCE 2.40 and later) are ``react`` rows at
  the message's time (the time of a reaction is not exported). A JSON file is one document: it
  is read whole (DCE partitions large channels with ``-p``).

Files are read channel by channel in time order (each file's first message), so partitions and
daily folders need no naming convention. The member is the author's id (``AuthorID``); display
names (``name#discriminator``) that changed are merged identities. The channel is the topic.
Bots: the ``isBot`` flag (JSON) and ``BUILTIN_BOTS`` / ``--bots`` on the name.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path

from sim.importers.base import (
    ImportFailure,
    ImportSummary,
    LogWriter,
    SilenceThreads,
    parse_iso,
    text_lines,
    to_epoch,
)

HEADER = ["AuthorID", "Author", "Date", "Content", "Attachments", "Reactions"]
DATE_LAYOUT = "%d-%b-%y %I:%M %p"
REACTION = re.compile(r"\((\d+)\)")
CHANNEL_ROOTS = ("csv", "json")
JOIN_TYPES = ("GuildMemberJoin",)
SKIPPED_TYPES = ("ChannelPinnedMessage", "RecipientAdd", "RecipientRemove", "ChannelNameChange",
                 "ChannelIconChange", "Call")  # fmt: skip


def run(
    source: Path,
    out: Path,
    *,
    since: str | None = None,
    until: str | None = None,
    bots: tuple[str, ...] = (),
    thread_gap: float = 6.0,
) -> ImportSummary:
    SilenceThreads.check_gap(thread_gap)
    writer = LogWriter.for_options(out, "discord", source, since=since, until=until, bots=bots)
    try:
        files = _files(source)
        threads = SilenceThreads(thread_gap, remember=any(f.suffix == ".json" for _, _, f in files))
        counted = {"reactions": 0, "json_reactions": 0, "joins": 0}
        for _, channel, path in files:
            relative = str(path.relative_to(source)) if source.is_dir() else path.name
            if path.suffix == ".csv":
                _read_csv(path, relative, channel, writer, threads, counted)
            else:
                _read_json(path, relative, channel, writer, threads, counted, source)
        if counted["json_reactions"]:
            writer.observed.append("react")
        if counted["joins"]:
            writer.join_rule = "registration"
        writer.notes.append(
            f"threads: a message after {thread_gap:g} h of channel silence starts one (replies "
            "by id where the export has them)"
        )
        if counted["reactions"]:
            writer.notes.append(
                f"{counted['reactions']:,} reactions counted without who reacted: not rows"
            )
        if any(f.suffix == ".csv" for _, _, f in files):
            writer.notes.append("CSV dates are to the minute (DCE's layout), read as UTC")
        return writer.close()
    except BaseException:
        writer.abort()
        raise


def _channel(source: Path, path: Path) -> str:
    if source.is_file():
        return re.sub(r"\s*\[\d+\]$", "", path.stem)  # DCE names files "Guild - channel [id]"
    parts = path.relative_to(source).parent.parts
    roots = [i for i, part in enumerate(parts) if part.lower() in CHANNEL_ROOTS]
    if roots:
        parts = parts[roots[-1] + 1 :]
    return "/".join(parts) or source.name  # files right in SOURCE: the folder is the channel


def _files(source: Path) -> list[tuple[int, str, Path]]:
    """(first time, channel, path) of every export file, ordered by channel then time."""
    paths = [source] if source.is_file() else sorted(
        p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".json")
    )  # fmt: skip
    if not paths:
        raise ImportFailure(source, None, "no .csv or .json DiscordChatExporter files found")
    found = []
    for path in paths:
        channel = _channel(source, path)
        found.append((_first_time(path), channel, path))
    found.sort(key=lambda f: (f[1], f[0], _natural(f[2])))
    return found


def _natural(path: Path) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(path))]


def _first_time(path: Path) -> int:
    """The time of a file's first message (0 if it cannot be told: the file is read in order)."""
    if path.suffix.lower() == ".json":
        return 0
    lines = text_lines(path)
    next(lines, None)
    for record in csv.reader(lines, delimiter=_delimiter(path)):
        if len(record) > 2:
            try:
                return _date(record[2])
            except ValueError:
                return 0
    return 0


def _delimiter(path: Path) -> str:
    first = next(text_lines(path), "")
    return ";" if first.count(";") >= first.count(",") else ","


def _date(text: str) -> int:
    text = text.strip()
    try:
        return to_epoch(datetime.strptime(text, DATE_LAYOUT))
    except ValueError:
        return parse_iso(text)


def _read_csv(path, relative, channel, writer: LogWriter, threads, counted) -> None:
    lines = text_lines(path)
    header_line = next(lines, None)
    if header_line is None:
        return  # DCE writes an empty file for a day without messages
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    header = next(csv.reader([header_line], delimiter=delimiter))
    if [h.strip() for h in header[: len(HEADER)]] != HEADER:
        raise ImportFailure(
            path, "line 1", f"header {header_line.strip()!r}; expected DiscordChatExporter's "
            f"{';'.join(HEADER)}; (or with commas)"
        )  # fmt: skip
    reader = csv.reader(lines, delimiter=delimiter)
    for record in reader:
        line = reader.line_num + 1
        if not any(record):
            continue
        if len(record) < len(HEADER):
            raise ImportFailure(
                path, f"line {line}", f"{len(record)} fields; expected {len(HEADER)} "
                f"({', '.join(HEADER)}) separated by {delimiter!r}"
            )  # fmt: skip
        author, name, date = record[0].strip(), record[1].strip(), record[2]
        if not author:
            raise ImportFailure(path, f"line {line}", "empty AuthorID")
        try:
            when = _date(date)
        except ValueError:
            raise ImportFailure(
                path, f"line {line}", f"Date {date!r}; expected like 12-Jun-18 06:30 AM or ISO 8601"
            ) from None
        counted["reactions"] += sum(int(n) for n in REACTION.findall(record[5]))
        item = f"{relative}:{line}"
        if writer.is_bot(author, name):
            continue
        writer.alias(author, name)
        action, thread, parent = threads.place(channel, item, when)
        writer.add(author, when, action, thread=thread, topic=channel, item=item, parent=parent,
                   source=relative, record=f"line {line}")  # fmt: skip


def _read_json(path, relative, channel, writer: LogWriter, threads, counted, source) -> None:
    try:
        with path.open("rb") as stream:
            document = json.load(stream)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else None
        raise ImportFailure(path, where, f"not JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        if isinstance(document, dict) and "guild" not in document and path != source:
            writer.notes.append(f"{relative}: not a DiscordChatExporter export, skipped")
            return
        raise ImportFailure(
            path, None, 'expected a DiscordChatExporter JSON export: {"messages": [...]}'
        )
    meta = document.get("channel") or {}
    if meta.get("name"):
        channel = "/".join(p for p in (meta.get("category"), meta["name"]) if p)
    for index, message in enumerate(document["messages"], 1):
        record = f"message {index}"
        try:
            item, author = str(message["id"]), message["author"]
            member, name = str(author["id"]), str(author.get("name", ""))
            when = parse_iso(message["timestamp"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ImportFailure(
                path, record, f"unreadable message ({type(exc).__name__}: {exc}); expected id, "
                "timestamp (ISO 8601) and author {id, name}"
            ) from None  # fmt: skip
        kind = message.get("type", "Default")
        if writer.is_bot(member, name, bool(author.get("isBot"))):
            continue
        writer.alias(member, name)
        if kind in JOIN_TYPES:
            counted["joins"] += 1
            writer.add(member, when, "join", source=relative, record=f"id={item}")
            continue
        if kind in SKIPPED_TYPES:
            continue
        reference = (message.get("reference") or {}).get("messageId")
        action, thread, parent = threads.place(channel, item, when, reference and str(reference))
        writer.add(member, when, action, thread=thread, topic=channel, item=item, parent=parent,
                   source=relative, record=f"id={item}")  # fmt: skip
        for reaction in message.get("reactions") or ():
            users = reaction.get("users") if isinstance(reaction, dict) else None
            if not users:
                counted["reactions"] += (
                    int(reaction.get("count", 0)) if isinstance(reaction, dict) else 0
                )
                continue
            for user in users:
                who = str(user.get("id", ""))
                if not who or writer.is_bot(
                    who, str(user.get("name", "")), bool(user.get("isBot"))
                ):
                    continue
                counted["json_reactions"] += 1
                writer.add(who, when, "react", thread=thread, topic=channel, item=None,
                           parent=item, source=relative, record=f"id={item}")  # fmt: skip
