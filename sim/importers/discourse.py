"""``discourse``: a Discourse forum's posts, from a Data Explorer CSV or the JSON of its API.

No real export was available: the tests use fixtures written from the documented formats.

* **Data Explorer CSV**: the result of a query over the ``posts`` table (the Data Explorer
  plugin, meta.discourse.org/t/data-explorer-plugin/32566, exports a result as CSV with the
  query's column names as the header), for example::

      SELECT p.id, p.user_id, u.username, p.topic_id, p.post_number, p.reply_to_post_number,
             p.created_at, t.category_id, p.post_type
      FROM posts p JOIN topics t ON t.id = p.topic_id JOIN users u ON u.id = p.user_id
      WHERE p.deleted_at IS NULL

  Required columns: ``topic_id``, ``post_number``, ``created_at`` and ``user_id`` or
  ``username``; optional: ``id`` (or ``post_id``), ``reply_to_post_number``, ``category_id``
  (or ``category``), ``post_type``.
* **API JSON** (docs.discourse.org): ``/posts.json`` (``{"latest_posts": [...]}``) and
  ``/t/{id}.json`` (``{"id", "category_id", "post_stream": {"posts": [...]}}``), saved as files;
  post objects carry ``id``, ``username``, ``user_id``, ``created_at``, ``topic_id``,
  ``post_number``, ``reply_to_post_number``, ``post_type`` and ``category_id`` (latest posts).

A topic is a thread ``t<topic_id>``: its post number 1 is the ``post``, the others ``reply``
(``parent`` = the post replied to, else the topic's first post). Small actions (``post_type`` 3:
"closed", "pinned"...) are the system's, not members': skipped. The same post read twice (a
topic file and ``posts.json``) counts once. The topic is the category. Bots: Discourse's
``system`` (user id -1) and ``discobot`` (-2), any user id <= 0, and ``BUILTIN_BOTS``/``--bots``.
The member is ``user_id`` (else the username). Likes are counts without users in these exports:
``react`` is not observed; nor are visits. Joins are first contributions.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sim.importers.base import (
    ImportFailure,
    ImportSummary,
    LogWriter,
    parse_iso,
    text_lines,
)

SMALL_ACTION = "3"
ALIASES = {"post_id": "id", "category": "category_id", "category_name": "category_id"}


def run(
    source: Path,
    out: Path,
    *,
    since: str | None = None,
    until: str | None = None,
    bots: tuple[str, ...] = (),
) -> ImportSummary:
    writer = LogWriter.for_options(out, "discourse", source, since=since, until=until, bots=bots)
    try:
        files = [source] if source.is_file() else sorted(
            p for p in source.rglob("*") if p.suffix.lower() in (".csv", ".json")
        )  # fmt: skip
        if not files:
            raise ImportFailure(source, None, "no .csv or .json files found")
        reader = _Posts(writer)
        for path in files:
            relative = path.name if source.is_file() else str(path.relative_to(source))
            if path.suffix.lower() == ".csv":
                reader.csv(path, relative)
            else:
                reader.json(path, relative)
        if reader.small_actions:
            writer.notes.append(f"{reader.small_actions} small-action posts (system) skipped")
        return writer.close()
    except BaseException:
        writer.abort()
        raise


def _time(text: str) -> int:
    text = str(text).strip()
    if text.endswith(" UTC"):
        text = text[:-4]
    return parse_iso(text)


class _Posts:
    def __init__(self, writer: LogWriter):
        self.writer = writer
        self.seen: set[str] = set()
        self.small_actions = 0

    def add(self, post: dict, path: Path, relative: str, record: str, category=None) -> None:
        try:
            topic_id, number = str(post["topic_id"]).strip(), int(post["post_number"])
            when = _time(post["created_at"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ImportFailure(
                path, record, f"unreadable post ({type(exc).__name__}: {exc}); expected topic_id, "
                "post_number (a number) and created_at (ISO 8601)"
            ) from None  # fmt: skip
        user = str(post.get("user_id") or "").strip()
        name = str(post.get("username") or "").strip()
        if not user and not name:
            raise ImportFailure(path, record, "neither user_id nor username")
        item = str(post.get("id") or f"{topic_id}#{number}")
        if item in self.seen:
            return
        self.seen.add(item)
        if str(post.get("post_type") or "") == SMALL_ACTION:
            self.small_actions += 1
            return
        member = f"u{user}" if user else f"name:{name}"
        try:
            flagged = bool(user) and int(user) <= 0
        except ValueError:
            flagged = False
        if self.writer.is_bot(member, name, flagged):
            return
        if name:
            self.writer.alias(member, name)
        reply_to = str(post.get("reply_to_post_number") or "").strip()
        category = post.get("category_id") or category
        self.writer.add(
            member, when, "post" if number == 1 else "reply", thread=f"t{topic_id}",
            topic=None if category in (None, "") else str(category), item=item,
            parent=None if number == 1 else f"{topic_id}#{reply_to or 1}", source=relative,
            record=record,
        )  # fmt: skip

    def csv(self, path: Path, relative: str) -> None:
        lines = text_lines(path)
        reader = csv.reader(lines)
        header = next(reader, None)
        if header is None:
            raise ImportFailure(path, "line 1", "empty file: expected a header row")
        header = [ALIASES.get(h.strip(), h.strip()) for h in header]
        missing = [c for c in ("topic_id", "post_number", "created_at") if c not in header]
        if missing or not {"user_id", "username"} & set(header):
            raise ImportFailure(
                path, "line 1", f"header {', '.join(header)}; expected columns topic_id, "
                "post_number, created_at and user_id or username (a Data Explorer posts query)"
            )  # fmt: skip
        for record in reader:
            if not any(record):
                continue
            line = reader.line_num
            if len(record) != len(header):
                raise ImportFailure(
                    path, f"line {line}", f"{len(record)} fields; the header has {len(header)}"
                )
            self.add(dict(zip(header, record, strict=True)), path, relative, f"line {line}")

    def json(self, path: Path, relative: str) -> None:
        try:
            with path.open("rb") as stream:
                document = json.load(stream)
        except json.JSONDecodeError as exc:
            raise ImportFailure(path, f"line {exc.lineno}", f"not JSON ({exc.msg})") from None
        except UnicodeDecodeError as exc:
            raise ImportFailure(path, None, f"not UTF-8 JSON ({exc.reason})") from None
        if isinstance(document, dict) and isinstance(document.get("latest_posts"), list):
            posts, category = document["latest_posts"], None
        elif isinstance(document, dict) and isinstance(
            (document.get("post_stream") or {}).get("posts"), list
        ):
            posts, category = document["post_stream"]["posts"], document.get("category_id")
        else:
            raise ImportFailure(
                path, None, 'expected Discourse API JSON: /posts.json {"latest_posts": [...]} or '
                '/t/{id}.json {"post_stream": {"posts": [...]}}'
            )  # fmt: skip
        for index, post in enumerate(posts, 1):
            if not isinstance(post, dict):
                raise ImportFailure(path, f"post {index}", "expected a post object")
            self.add(post, path, relative, f"post {index} (id={post.get('id', '?')})", category)
