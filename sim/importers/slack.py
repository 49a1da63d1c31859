"""``slack``: a Slack workspace export, or folders of raw Slack message objects.

Two layouts are recognised:

* **Workspace export** (Slack's "Export data", a folder or its ``.zip``, documented at
  slack.com/help/articles/220556107): ``users.json``, ``channels.json`` and one folder per
  channel holding a JSON array of messages per day (``general/2024-03-01.json``). No real export
  of a public community was available: the tests use a fixture written from that documented
  format.
* **Raw message objects**, as published community logs keep them (the slack-log tool,
  github.com/haskell-jp/slack-log): ``json/<CHANNEL_ID>/<N>.json`` pages of
  ``conversations.history``, ``json/<CHANNEL_ID>/<N>/<thread_ts>.json`` thread replies of
  ``conversations.replies`` (whose first message is the parent, already on a page),
  ``json/.users.json`` (id -> name) and the channel names in ``slack-log.yaml``
  (``targetChannels``).

Messages (Slack's message object, api.slack.com/events/message): ``ts`` (Unix seconds, UTC; cut
to the second), ``user``, ``thread_ts`` for a thread. A message outside a thread, or a thread's
parent (``ts == thread_ts``), is a ``post`` starting thread ``<channel>/<ts>``; a message with
another ``thread_ts`` is a ``reply`` in it. The channel is the topic.
Joins: ``subtype: channel_join`` (or, in slack-log, where subtypes are dropped, the text
``<@U..> has joined the channel``) is the member's join (the earliest channel joined); members
without one join at their first contribution. Other subtypes that are not member messages
(``channel_leave``, topic and purpose changes, ``bot_message``...) are skipped.
Reactions: a workspace export lists ``reactions: [{name, users, count}]``; each user is a
``react`` at the message's time (Slack does not export when a reaction was made). Slack-log keeps
no reactions: ``react`` is then unobserved.
Bots: ``subtype: bot_message``, a ``bot_id``, ``is_bot`` in ``users.json``, ``USLACKBOT``, and
``BUILTIN_BOTS`` / ``--bots`` on the name. The member is the user id (stable); a user's names are
its display name and real name.
JSON files are documents: each day file or page is read whole (they are small by design).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import yaml

from sim.importers.base import ImportFailure, ImportSummary, LogWriter

SKIPPED = ("channel_leave", "channel_topic", "channel_purpose", "channel_name", "channel_archive",
           "channel_unarchive", "pinned_item", "unpinned_item", "group_join", "group_leave",
           "tombstone", "message_deleted", "message_changed", "reminder_add", "bot_add",
           "bot_remove")  # fmt: skip
JOINED_TEXT = re.compile(r"^<@(\w+)(\|[^>]*)?> has joined the channel")
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
PAGE_FILE = re.compile(r"^(\d+)\.json$")


class _Tree:
    """A folder or a ZIP read the same way: relative POSIX names -> bytes."""

    def __init__(self, source: Path):
        self.source = source
        self.zip = None
        if source.is_file():
            if not zipfile.is_zipfile(source):
                raise ImportFailure(source, None, "expected a folder or a .zip workspace export")
            self.zip = zipfile.ZipFile(source)
            names = [n for n in self.zip.namelist() if not n.endswith("/")]
            # a ZIP may wrap everything in one top folder
            tops = {PurePosixPath(n).parts[0] for n in names}
            self.prefix = ""
            if len(tops) == 1 and not any("/" not in n for n in names):
                self.prefix = next(iter(tops)) + "/"
            self.names = sorted(n[len(self.prefix) :] for n in names)
        else:
            self.names = sorted(
                str(p.relative_to(source).as_posix()) for p in source.rglob("*") if p.is_file()
            )

    def exists(self, name: str) -> bool:
        return name in set(self.names)

    def load(self, name: str):
        try:
            data = (
                self.zip.read(self.prefix + name) if self.zip else (self.source / name).read_bytes()
            )
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise ImportFailure(
                self.where(name), f"line {exc.lineno}", f"not JSON ({exc.msg})"
            ) from None
        except UnicodeDecodeError as exc:
            raise ImportFailure(self.where(name), None, f"not UTF-8 JSON ({exc.reason})") from None

    def where(self, name: str) -> str:
        return f"{self.source}!{name}" if self.zip else str(self.source / name)


def run(
    source: Path,
    out: Path,
    *,
    since: str | None = None,
    until: str | None = None,
    bots: tuple[str, ...] = (),
) -> ImportSummary:
    writer = LogWriter.for_options(out, "slack", source, since=since, until=until, bots=bots)
    try:
        tree = _Tree(source)
        raw_root = next((n.rsplit(".users.json", 1)[0] for n in tree.names
                         if n.endswith(".users.json")), None)  # fmt: skip
        if raw_root is not None:
            _read_slack_log(tree, raw_root, writer)
        elif any(DAY_FILE.match(PurePosixPath(n).name) for n in tree.names):
            _read_workspace(tree, writer)
        else:
            raise ImportFailure(
                source, None, "expected a Slack workspace export (channel folders of "
                "YYYY-MM-DD.json, users.json) or slack-log folders (.users.json, <channel>/N.json)"
            )  # fmt: skip
        if writer.joined:
            writer.join_rule = "registration"
        return writer.close()
    except BaseException:
        writer.abort()
        raise


def _messages(tree: _Tree, name: str) -> Iterator[tuple[int, dict]]:
    data = tree.load(name)
    if not isinstance(data, list):
        raise ImportFailure(tree.where(name), None, "expected a JSON array of messages")
    for index, message in enumerate(data, 1):
        if not isinstance(message, dict):
            raise ImportFailure(tree.where(name), f"message {index}", "expected a JSON object")
        yield index, message


class _Messages:
    """Turns Slack message objects into rows (shared by both layouts)."""

    def __init__(self, tree: _Tree, writer: LogWriter, names: dict[str, str], bots: set[str]):
        self.tree, self.writer, self.names, self.bot_users = tree, writer, names, bots
        self.reactions = self.anonymous = 0

    def finish(self) -> None:
        if self.anonymous:
            self.writer.notes.append(
                f"{self.anonymous} messages without a user (file comments, system) skipped"
            )

    def add(
        self, file: str, index: int, message: dict, channel: str, thread_file: str | None = None
    ):
        writer, record = self.writer, f"message {index}"
        ts, user = message.get("ts"), message.get("user") or message.get("bot_id")
        try:
            when = int(float(ts))
        except (TypeError, ValueError):
            raise ImportFailure(
                self.tree.where(file),
                record,
                f"ts {ts!r}; expected Unix seconds like 1509361120.000261",
            ) from None
        subtype = message.get("subtype")
        if subtype in SKIPPED:
            return
        if not user:
            self.anonymous += 1  # e.g. old file_comment messages, whose user is null
            return
        name = self.names.get(user, message.get("username", ""))
        flagged = (subtype == "bot_message" or "bot_id" in message or user in self.bot_users
                   or user == "USLACKBOT")  # fmt: skip
        if writer.is_bot(user, name, flagged):
            return
        if name:
            writer.alias(user, name)
        text = message.get("text") or ""
        if subtype == "channel_join" or (subtype is None and JOINED_TEXT.match(text)):
            writer.add(user, when, "join", source=file, record=record)
            return
        thread_ts = message.get("thread_ts") or thread_file
        if thread_ts and thread_ts != ts:
            action, thread, parent = "reply", f"{channel}/{thread_ts}", thread_ts
        else:
            action, thread, parent = "post", f"{channel}/{ts}", None
        writer.add(user, when, action, thread=thread, topic=channel, item=ts, parent=parent,
                   source=file, record=record)  # fmt: skip
        for reaction in message.get("reactions") or ():
            for who in reaction.get("users") or ():
                if writer.is_bot(who, self.names.get(who, ""), who in self.bot_users):
                    continue
                self.reactions += 1
                writer.add(who, when, "react", thread=thread, topic=channel, item=None,
                           parent=ts, source=file, record=record)  # fmt: skip


def _read_workspace(tree: _Tree, writer: LogWriter) -> None:
    names: dict[str, str] = {}
    bots: set[str] = set()
    if tree.exists("users.json"):
        for index, user in _messages(tree, "users.json"):
            uid = user.get("id")
            if not uid:
                raise ImportFailure(tree.where("users.json"), f"user {index}", "no id")
            profile = user.get("profile") or {}
            names[uid] = (
                profile.get("display_name") or user.get("real_name") or user.get("name", "")
            )
            if user.get("is_bot") or user.get("is_app_user"):
                bots.add(uid)
    else:
        writer.notes.append("no users.json: names unknown, bots found by subtype and bot_id only")
    handler = _Messages(tree, writer, names, bots)
    days = [n for n in tree.names if DAY_FILE.match(PurePosixPath(n).name) and "/" in n]
    for name in sorted(
        days, key=lambda n: (PurePosixPath(n).parent.as_posix(), PurePosixPath(n).name)
    ):
        channel = PurePosixPath(name).parent.as_posix()
        for index, message in _messages(tree, name):
            handler.add(name, index, message, channel)
    handler.finish()
    if handler.reactions:
        writer.observed.append("react")
    else:
        writer.notes.append("no reactions with users in the export: react not observed")


def _read_slack_log(tree: _Tree, root: str, writer: LogWriter) -> None:
    users_file = root + ".users.json"
    names = tree.load(users_file)
    if not isinstance(names, dict):
        raise ImportFailure(tree.where(users_file), None, "expected a JSON object: user id -> name")
    channel_names: dict[str, str] = {}
    config = tree.source / "slack-log.yaml" if tree.zip is None else None
    if config is not None and config.is_file():
        try:
            settings = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ImportFailure(config, None, f"not YAML ({exc})") from None
        channel_names = {str(k): str(v) for k, v in (settings.get("targetChannels") or {}).items()}
    handler = _Messages(tree, writer, {str(k): str(v) for k, v in names.items()}, set())
    pages, threads = [], []
    for name in tree.names:
        if not name.startswith(root):
            continue
        parts = PurePosixPath(name[len(root) :]).parts
        if len(parts) == 2 and PAGE_FILE.match(parts[1]):
            pages.append((parts[0], int(parts[1][:-5]), name))
        elif len(parts) == 3 and parts[2].endswith(".json"):
            threads.append((parts[0], parts[1], parts[2][:-5], name))
    for channel_id, _, name in sorted(pages):
        channel = channel_names.get(channel_id, channel_id)
        for index, message in _messages(tree, name):
            handler.add(name, index, message, channel)
    for channel_id, _, thread_ts, name in sorted(threads):
        channel = channel_names.get(channel_id, channel_id)
        for index, message in _messages(tree, name):
            if message.get("ts") == thread_ts:
                continue  # the parent: already read from its page
            handler.add(name, index, message, channel, thread_file=thread_ts)
    handler.finish()
    writer.notes.append(
        "slack-log keeps ts, user, text and type only: no reactions (react not observed), no "
        "subtypes (joins from 'has joined the channel' texts)"
    )
