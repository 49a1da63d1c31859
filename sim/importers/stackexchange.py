"""``stackexchange``: a Stack Exchange data dump (one site's XML tables) as an activity log.

The dump format is Stack Exchange's own (one ``<row .../>`` element per record; the schema is
documented in the dump's readme and on meta.stackexchange.com, "Database schema documentation
for the public data dump and SEDE"). SOURCE is the site's folder or its ``.7z`` archive
(extracted to a temporary folder with ``py7zr``). Tables are streamed with ``defusedxml``'s
``iterparse`` (safe against entity expansion), each element freed once read.

* ``Posts.xml``: a question (``PostTypeId`` 1) is a ``post`` starting thread ``q<Id>``; an answer
  (2) is a ``reply`` in its question's thread (``parent`` = the question). Other post types (tag
  wikis, moderator nominations, ...) are not member activity and are skipped (counted).
* ``Comments.xml``: a ``reply`` in the thread of the question it sits under (``parent`` = the post
  commented on).
* ``Votes.xml``: a vote carrying a ``UserId`` is a ``react`` in the post's thread. The dump
  attributes only some vote types to users (favourites, bounties), so per-member reactions are
  *not observed*: react stays in ``unobserved`` and the notes give the share attributed.
* ``Users.xml``: display names (for bot patterns) and ``CreationDate``, the registration. With
  ``join="registration"`` every registered account joins then (members who never contribute
  included); the default ``first_contribution`` joins a member at their first post or comment.
* ``Badges.xml`` is awarded by the system, not done by members: not read.
* Topic: the question's first tag (answers, comments and votes inherit it).
* Member: ``u<UserId>``; a post or comment by a deleted account keeps only a display name and is
  ``name:<DisplayName>`` (one member per name). The Community user (Id -1) is a bot.
* Dates are UTC (the dump's convention), cut to the second.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import iterparse

from sim.importers.base import (
    ImportFailure,
    ImportSummary,
    LogWriter,
    parse_iso,
)

OBSERVED = ("join", "post", "reply")
JOINS = ("first_contribution", "registration")
QUESTION, ANSWER = "1", "2"


def run(
    source: Path,
    out: Path,
    *,
    since: str | None = None,
    until: str | None = None,
    bots: tuple[str, ...] = (),
    join: str = "first_contribution",
) -> ImportSummary:
    if join not in JOINS:
        raise ImportFailure("--join", None, f"got {join!r}; expected one of {', '.join(JOINS)}")
    writer = LogWriter.for_options(
        out,
        "stackexchange",
        source,
        since=since,
        until=until,
        bots=bots,
        observed=OBSERVED,
        join=join,
    )
    extracted = None
    try:
        folder = source
        if source.is_file():
            if not source.name.lower().endswith(".7z"):
                raise ImportFailure(source, None, "expected a dump folder or a .7z archive")
            extracted = Path(tempfile.mkdtemp(prefix="commsim-se-"))
            folder = _extract(source, extracted)
        _read(folder, writer)
        return writer.close()
    except BaseException:
        writer.abort()
        raise
    finally:
        if extracted is not None:
            shutil.rmtree(extracted, ignore_errors=True)


def _extract(archive: Path, into: Path) -> Path:
    try:
        import py7zr
    except ImportError:
        raise ImportFailure(
            archive, None, "reading .7z needs py7zr: pip install 'commsim[archives]', or extract it"
        ) from None
    try:
        with py7zr.SevenZipFile(archive, "r") as seven:
            seven.extractall(into)
    except (py7zr.exceptions.Bad7zFile, OSError, ValueError) as exc:
        raise ImportFailure(archive, None, f"not a readable .7z archive ({exc})") from None
    found = sorted(into.rglob("Posts.xml"))
    return found[0].parent if found else into


def _rows(path: Path, table: str):
    """(row number, attributes) of each ``<row>`` of a dump table, streamed."""
    number = 0
    try:
        for _, element in iterparse(str(path), events=("end",)):
            if element.tag == "row":
                number += 1
                yield number, element.attrib
                element.clear()
            elif element.tag != table:
                raise ImportFailure(
                    path, f"after row {number}", f"unexpected element <{element.tag}>; "
                    f"expected <row> elements inside <{table}>"
                )  # fmt: skip
    except ParseError as exc:
        line, column = exc.position
        raise ImportFailure(
            path,
            f"line {line}, column {column} (after row {number})",
            f"not well-formed XML: {exc}",
        ) from None


def _need(row: dict, name: str, path: Path, number: int) -> str:
    value = row.get(name)
    if value is None or value == "":
        raise ImportFailure(path, _where(row, number), f"missing attribute {name}")
    return value


def _where(row: dict, number: int) -> str:
    return f"row {number} (Id={row.get('Id', '?')})"


def _time(row: dict, name: str, path: Path, number: int) -> int:
    value = _need(row, name, path, number)
    try:
        return parse_iso(value)
    except ValueError:
        raise ImportFailure(
            path,
            _where(row, number),
            f"{name}={value!r}; expected a date like 2018-02-06T20:19:50.957",
        ) from None


def _first_tag(tags: str) -> str | None:
    """The first of ``<a><b>`` (older dumps) or ``|a|b|`` (dumps since 2023)."""
    for opener, closer in (("<", ">"), ("|", "|")):
        if tags.startswith(opener) and closer in tags[1:]:
            return tags[1 : tags.index(closer, 1)] or None
    return None


def _read(folder: Path, writer: LogWriter) -> None:
    posts = folder / "Posts.xml"
    if not posts.is_file():
        raise ImportFailure(folder, None, "no Posts.xml: expected a Stack Exchange dump folder")
    names: dict[str, str] = {}
    users = folder / "Users.xml"
    if users.is_file():
        for number, row in _rows(users, "users"):
            user = "u" + _need(row, "Id", users, number)
            names[user] = row.get("DisplayName", "")
            if writer.join_rule == "registration":
                when = _time(row, "CreationDate", users, number)
                if not writer.is_bot(user, names[user], flagged=user == "u-1"):
                    writer.join(user, when, "Users.xml", f"Id={row['Id']}")
    elif writer.join_rule == "registration":
        raise ImportFailure(folder, None, "--join registration needs Users.xml")

    def member(row: dict, id_field: str, name_field: str, path: Path, number: int) -> str:
        user = row.get(id_field)
        if user:
            return "u" + user
        name = row.get(name_field)
        if not name:
            raise ImportFailure(path, _where(row, number), f"neither {id_field} nor {name_field}")
        return "name:" + name

    question_of: dict[str, str] = {}  # post id -> its question's id
    topic_of: dict[str, str | None] = {}  # question id -> first tag
    other = 0
    for number, row in _rows(posts, "posts"):
        post = _need(row, "Id", posts, number)
        kind = _need(row, "PostTypeId", posts, number)
        if kind == QUESTION:
            question = post
            topic_of[post] = _first_tag(row.get("Tags", ""))
        elif kind == ANSWER:
            question = _need(row, "ParentId", posts, number)
        else:
            other += 1
            continue
        question_of[post] = question
        who = member(row, "OwnerUserId", "OwnerDisplayName", posts, number)
        when = _time(row, "CreationDate", posts, number)
        if writer.is_bot(who, names.get(who, row.get("OwnerDisplayName", "")), who == "u-1"):
            continue
        writer.add(who, when, "post" if kind == QUESTION else "reply", thread=f"q{question}",
                   topic=topic_of.get(question), item=f"p{post}",
                   parent=None if kind == QUESTION else f"p{question}", source="Posts.xml",
                   record=f"Id={post}")  # fmt: skip
    if other:
        writer.notes.append(f"{other} posts that are neither questions nor answers skipped")
    comments = folder / "Comments.xml"
    orphans = 0
    if comments.is_file():
        for number, row in _rows(comments, "comments"):
            comment = _need(row, "Id", comments, number)
            on = _need(row, "PostId", comments, number)
            question = question_of.get(on)
            if question is None:
                orphans += 1
                continue
            who = member(row, "UserId", "UserDisplayName", comments, number)
            when = _time(row, "CreationDate", comments, number)
            if writer.is_bot(who, names.get(who, ""), who == "u-1"):
                continue
            writer.add(who, when, "reply", thread=f"q{question}", topic=topic_of.get(question),
                       item=f"c{comment}", parent=f"p{on}", source="Comments.xml",
                       record=f"Id={comment}")  # fmt: skip
    votes = folder / "Votes.xml"
    if votes.is_file():
        total = attributed = 0
        for number, row in _rows(votes, "votes"):
            total += 1
            user = row.get("UserId")
            on = _need(row, "PostId", votes, number)
            when = _time(row, "CreationDate", votes, number)
            question = question_of.get(on)
            if not user or question is None:
                continue
            who = "u" + user
            if writer.is_bot(who, names.get(who, ""), who == "u-1"):
                continue
            attributed += 1
            writer.add(who, when, "react", thread=f"q{question}", topic=topic_of.get(question),
                       item=f"v{row['Id']}", parent=f"p{on}", source="Votes.xml",
                       record=f"Id={row['Id']}")  # fmt: skip
        writer.notes.append(
            f"react rows are the {attributed:,} of {total:,} votes the dump attributes to a user "
            "(favourites, bounties): per-member reactions are not observed"
        )
    if orphans:
        writer.notes.append(f"{orphans} comments on posts not in Posts.xml skipped")
    writer.notes.append("Badges.xml (awarded by the system) is not member activity: not read")
