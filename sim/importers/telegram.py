"""``telegram``: Telegram Desktop's chat export, ``result.json`` (Export chat history, JSON).

No real export of a public group was available: the tests use a fixture written from the format
Telegram Desktop writes (its export code, ``export_output_json.cpp``, and its documentation of
the export): ``{"name", "type", "id", "messages": [...]}``, each message with ``id``, ``type``
(``message`` or ``service``), ``date`` (local time, no zone) and ``date_unixtime`` (UTC epoch
seconds, since 2022; used when present), ``from``/``from_id`` (``user123``, ``channel123``) for
messages or ``actor``/``actor_id`` for service messages, ``reply_to_message_id``, ``action`` and
``reactions`` (``[{"type", "count", "emoji", "recent": [{"from", "from_id", "date"}]}]``).

* A message replying to another (``reply_to_message_id``) is a ``reply`` in that message's
  thread; other messages are placed by silence (``SilenceThreads``, ``--thread-gap`` hours,
  default 6: Telegram groups have no threads outside forum topics).
* Joins: a service message ``join_group_by_link`` or ``join_group_by_request`` is the actor's
  join; ``invite_members`` joins the invited members, who are listed by *name* only: a name that
  also appears as a sender (``from``) is joined under that sender's id, others are counted in the
  notes. Members without a join record join at their first message.
* Reactions: the ``recent`` users of a reaction are ``react`` rows at their own ``date``; the
  rest of a reaction's ``count`` has no user (counted in the notes).
* Bots: ``via_bot`` messages and ``BUILTIN_BOTS`` / ``--bots`` on the name; the member is
  ``from_id``. The topic is the chat's name (a single chat per export).
The export is one JSON document and is read whole.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.importers.base import (
    ImportFailure,
    ImportSummary,
    LogWriter,
    SilenceThreads,
    parse_iso,
)

JOIN_ACTIONS = ("join_group_by_link", "join_group_by_request")


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
    path = source / "result.json" if source.is_dir() else source
    writer = LogWriter.for_options(out, "telegram", source, since=since, until=until, bots=bots)
    try:
        _read(path, writer, SilenceThreads(thread_gap))
        if writer.joined:
            writer.join_rule = "registration"
        return writer.close()
    except BaseException:
        writer.abort()
        raise


def _time(message: dict, path: Path, record: str, local: list[str]) -> int:
    """Epoch seconds: ``date_unixtime`` (UTC), else ``date`` (the exporting computer's local
    time, read as UTC: noted, with ``local`` collecting the records)."""
    if message.get("date_unixtime"):
        try:
            return int(message["date_unixtime"])
        except (TypeError, ValueError):
            pass
    local.append(record)
    try:
        return parse_iso(message["date"])
    except (KeyError, TypeError, ValueError):
        raise ImportFailure(
            path, record, f"date {message.get('date')!r}; expected date_unixtime or an ISO date"
        ) from None


def _read(path: Path, writer: LogWriter, threads: SilenceThreads) -> None:
    if not path.is_file():
        raise ImportFailure(path, None, "not found: expected Telegram Desktop's result.json")
    try:
        with path.open("rb") as stream:
            document = json.load(stream)
    except json.JSONDecodeError as exc:
        raise ImportFailure(path, f"line {exc.lineno}", f"not JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise ImportFailure(path, None, f"not UTF-8 JSON ({exc.reason})") from None
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        raise ImportFailure(path, None, 'expected Telegram\'s result.json: {"messages": [...]}')
    chat = str(document.get("name") or document.get("id") or "chat")
    relative = path.name
    by_name: dict[str, str] = {}
    invited: list[tuple[str, int, str]] = []
    partial_reactions = 0
    local: list[str] = []
    for index, message in enumerate(document["messages"], 1):
        record = (
            f"message {index} (id={message.get('id', '?')})"
            if isinstance(message, dict)
            else f"message {index}"
        )
        if not isinstance(message, dict) or "id" not in message:
            raise ImportFailure(path, record, "expected a message object with an id")
        when = _time(message, path, record, local)
        item = str(message["id"])
        if message.get("type") == "service":
            action, actor = message.get("action"), message.get("actor_id")
            if action in JOIN_ACTIONS and actor:
                if not writer.is_bot(str(actor), str(message.get("actor") or "")):
                    writer.add(str(actor), when, "join", source=relative, record=record)
            elif action == "invite_members":
                invited += [(str(name), when, record) for name in message.get("members") or ()]
            continue
        if message.get("type") != "message":
            continue
        member, name = message.get("from_id"), str(message.get("from") or "")
        if not member:
            raise ImportFailure(path, record, "a message without from_id")
        member = str(member)
        if writer.is_bot(member, name, bool(message.get("via_bot"))):
            continue
        if name:
            writer.alias(member, name)
            by_name.setdefault(name, member)
        reply_to = message.get("reply_to_message_id")
        action, thread, parent = threads.place(
            chat, item, when, None if reply_to is None else str(reply_to)
        )
        if reply_to is not None and parent is None:
            parent = str(reply_to)  # the answered message is outside the export
        writer.add(member, when, action, thread=thread, topic=chat, item=item, parent=parent,
                   source=relative, record=record)  # fmt: skip
        for reaction in message.get("reactions") or ():
            recent = reaction.get("recent") or ()
            partial_reactions += max(int(reaction.get("count", 0)) - len(recent), 0)
            for who in recent:
                if not who.get("from_id") or writer.is_bot(
                    str(who["from_id"]), str(who.get("from") or "")
                ):
                    continue
                if "react" not in writer.observed:
                    writer.observed.append("react")
                writer.add(str(who["from_id"]), _time(who, path, record, local) if who.get("date") else when,
                           "react", thread=thread, topic=chat, parent=item, source=relative,
                           record=record)  # fmt: skip
    unresolved = 0
    for name, when, record in invited:
        if name in by_name:
            writer.add(by_name[name], when, "join", source=relative, record=record)
        else:
            unresolved += 1
    if unresolved:
        writer.notes.append(
            f"{unresolved} invited member(s) known by name only and never seen posting: not joined"
        )
    if local:
        writer.notes.append(
            f"{len(local)} date(s) without date_unixtime (first: {local[0]}): local time read as UTC"
        )
    if partial_reactions:
        writer.notes.append(
            f"{partial_reactions} reactions without who reacted (beyond 'recent'): not rows"
        )
    writer.notes.append(
        "threads: replies by reply_to_message_id, else a message after the thread gap starts one"
    )
