"""``commsim import``: real platform exports to activity logs (sim.importers).

Real exports from ../shared/realdata are used where one exists (subsets, to stay fast), with the
expected figures counted independently of the importer (git log, the XML's rows, a plain CSV
reader); the other platforms use the fixtures in tests/fixtures/import, written from their
documented formats. Every log written is read back by ``sim.calibration.log.read_log``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sim.calibration.log import read_log
from sim.cli import main
from sim.cli.importing import KIND_NAMES
from sim.importers import KINDS, ImportFailure, import_export, read_import_metadata
from sim.importers.base import BotFilter

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
CONLANG = REALDATA / "stackexchange" / "conlang.meta.stackexchange.com"
ASK_JL777 = (
    REALDATA / "discord-komodo" / "before-2019-Dec-05" / "csv" / "komodo-project" / "ask-jl777"
)
real = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not present")


def rows(path: Path):
    return pq.read_table(path).to_pandas()


def counts(path: Path) -> dict[str, int]:
    return rows(path).action.value_counts().to_dict()


def readable(path: Path) -> None:
    """The log is what calibration reads: read_log accepts it, with every row."""
    stats, _ = read_log(path)
    assert stats.rows == pq.ParquetFile(path).metadata.num_rows


def fails(args: list[str], capsys, *expected: str) -> str:
    """The CLI refuses with exit status 2, the message naming each of ``expected``, and writes
    nothing (neither the log nor a partial file)."""
    out = Path(args[args.index("--out") + 1])
    with pytest.raises(SystemExit) as exit_info:
        main(["import", *args])
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    for text in expected:
        assert text in message, message
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".partial")]
    return message


def test_the_cli_lists_every_kind_and_the_actions_are_the_logs():
    from sim.calibration.activity import ACTIONS as LOG_ACTIONS
    from sim.importers.summary import ACTIONS

    assert set(KIND_NAMES) == set(KINDS)
    assert ACTIONS == LOG_ACTIONS  # importers sit below calibration, so they cannot import it


# ---- git ---------------------------------------------------------------------------------------
def git(repo: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
        env={**os.environ, **(env or {})},
    ).stdout  # fmt: skip


def commit(repo: Path, who: str, email: str, when: str, message: str, path: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(message + "\n")
    git(repo, "add", path)
    stamp = f"{when} +0000"
    git(repo, "commit", "-q", "-m", message, env={
        "GIT_AUTHOR_NAME": who, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": who, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": stamp,
    })  # fmt: skip


def test_git_mailmap_merges_identities_and_bots_are_removed(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Ann", "ann@old.example", "2024-01-01T10:00:00", "start", "src/a.py")
    commit(repo, "Bob", "bob@example.org", "2024-01-02T11:30:15", "docs", "docs/index.md")
    commit(repo, "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com",
           "2024-01-03T09:00:00", "Bump x", "requirements.txt")  # fmt: skip
    commit(repo, "Ann B.", "ann@new.example", "2024-01-04T08:00:00",
           "fix\n\nCo-authored-by: Cat <cat@example.net>", "src/b.py")  # fmt: skip
    (repo / ".mailmap").write_text("Ann B. <ann@new.example> <ann@old.example>\n")
    out = tmp_path / "log.parquet"
    summary = import_export("git", repo, out)
    log = rows(out)
    assert sorted(log.member.unique()) == ["ann@new.example", "bob@example.org", "cat@example.net"]
    assert summary.metadata["identities_merged"] == 1  # Ann's two addresses
    assert summary.metadata["bots_removed"] == 1
    assert summary.metadata["bot_names"] == ["dependabot[bot]"]
    assert counts(out) == {"join": 3, "post": 3, "reply": 1}
    reply = log[log.action == "reply"].iloc[0]  # the co-author answers in the commit's thread
    assert reply.member == "cat@example.net" and reply["parent"] == reply["item"]
    bob = log[(log.member == "bob@example.org") & (log.action == "post")].iloc[0]
    assert str(bob.timestamp) == "2024-01-02 11:30:15+00:00"  # to the second
    assert bob.topic == "docs"
    meta = read_import_metadata(out)
    assert meta["unobserved"] == ["visit", "react"] and meta["join"] == "first_contribution"
    readable(out)


def test_git_other_branches_only_with_all(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Ann", "ann@example.org", "2024-01-01T10:00:00", "start", "a.txt")
    git(repo, "checkout", "-q", "-b", "experiment")
    commit(repo, "Bob", "bob@example.org", "2024-01-02T10:00:00", "try", "b.txt")
    git(repo, "checkout", "-q", "main")
    out = tmp_path / "log.parquet"
    assert import_export("git", repo, out).actions == {"post": 1, "join": 1}
    assert import_export("git", repo, out, all_refs=True).actions == {"post": 2, "join": 2}


@real
def test_git_real_repository_since_counts_every_commit(tmp_path):
    from sim.importers.git import _repository

    source = REALDATA / "git" / "attrs.git"
    since = 1735689600  # 2025-01-01
    with _repository(source) as readable_dir:
        listed = subprocess.run(
            ["git", f"--git-dir={readable_dir}", "log", "--use-mailmap", "--no-merges",
             "--format=%H\t%at\t%aN\t%aE", "HEAD", "--glob=refs/pull/*/head"],
            check=True, capture_output=True, text=True,
        ).stdout.splitlines()  # fmt: skip
    expected, bots = set(), BotFilter()
    for line in listed:
        sha, when, name, email = line.split("\t")
        if int(when) >= since and not bots(email.lower(), name):
            expected.add(sha)
    out = tmp_path / "attrs.parquet"
    summary = import_export("git", source, out, since="2025-01-01")
    log = rows(out)
    commits = log[log.action.isin(["post", "reply"]) & log.parent.isna()]
    assert set(commits.item) == expected and len(commits) == len(expected) > 100
    assert summary.metadata["founders_before"] == "2025-01-01"
    assert summary.metadata["bots_removed"] > 0
    assert any("pre-commit-ci" in name for name in summary.metadata["bot_names"])
    assert log.timestamp.min().year == 2025
    # founders (active before 2025) do not join again
    assert log[log.action == "join"].member.nunique() < log.member.nunique()
    assert read_import_metadata(out)["unobserved"] == ["visit", "react"]
    readable(out)


def test_git_since_founders_are_members_active_before_the_window(tmp_path):
    """A maintainer active before ``--since`` whose first commit inside the window comes late is a
    founder, not a newcomer: the importer writes no join row for them and the observation model
    (``founders_known``) counts every member without a join row as a founder."""
    from sim.calibration.log import action_counts
    from sim.calibration.observation import decide

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Ann", "ann@example.org", "2023-06-01T10:00:00", "old 1", "a.txt")
    commit(repo, "Max", "max@example.org", "2023-07-01T10:00:00", "old 2", "m.txt")
    # in the window: Ann on its first day, a newcomer on day 3, Max (a maintainer) only on day 40
    commit(repo, "Ann", "ann@example.org", "2024-01-01T09:00:00", "new 1", "a.txt")
    commit(repo, "Nel", "nel@example.org", "2024-01-04T09:00:00", "new 2", "n.txt")
    commit(repo, "Max", "max@example.org", "2024-02-10T09:00:00", "new 3", "m.txt")
    commit(repo, "Nel", "nel@example.org", "2024-03-01T09:00:00", "new 4", "n.txt")
    out = tmp_path / "log.parquet"
    summary = import_export("git", repo, out, since="2024-01-01")
    joined = rows(out).query("action == 'join'").member.tolist()
    assert joined == ["nel@example.org"]  # Ann and Max were active before the window
    meta = read_import_metadata(out)
    observation, _ = decide(action_counts(out), meta, meta["first"])
    assert observation.founders_known and "however late" in observation.describe()
    scalars = read_log(out, observation)[0].finish().scalars
    assert (scalars["founders"], scalars["newcomers"]) == (2, 1)  # Max is a founder
    # without the history before the window, Max's late first commit made him a newcomer
    blind = dataclasses.replace(observation, founders_known=False)
    scalars = read_log(out, blind)[0].finish().scalars
    assert (scalars["founders"], scalars["newcomers"]) == (1, 2)
    assert summary.metadata["founders_before"] == "2024-01-01"


def test_git_not_a_repository(tmp_path, capsys):
    folder = tmp_path / "plain"
    folder.mkdir()
    fails(["git", str(folder), "--out", str(tmp_path / "x.parquet")], capsys, str(folder),
          "not a git repository")  # fmt: skip


# ---- Stack Exchange ----------------------------------------------------------------------------
def xml_rows(path: Path) -> list[dict[str, str]]:
    """Every <row> line's attributes, read with a regular expression (not the importer's parser)."""
    found = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if line.strip().startswith("<row"):
            found.append(dict(re.findall(r'(\w+)="([^"]*)"', line)))
    return found


@real
@pytest.mark.parametrize("join", ["first_contribution", "registration"])
def test_stackexchange_real_dump(tmp_path, join):
    posts = xml_rows(CONLANG / "Posts.xml")
    human = [p for p in posts if p.get("OwnerUserId") != "-1"]
    questions = sum(p["PostTypeId"] == "1" for p in human)
    answers = sum(p["PostTypeId"] == "2" for p in human)
    kept = {p["Id"] for p in posts if p["PostTypeId"] in ("1", "2")}
    comments = sum(
        c["PostId"] in kept and c.get("UserId") != "-1" for c in xml_rows(CONLANG / "Comments.xml")
    )
    users = [u for u in xml_rows(CONLANG / "Users.xml") if u["Id"] != "-1"]
    out = tmp_path / "se.parquet"
    summary = import_export("stackexchange", CONLANG, out, join=join)
    found = counts(out)
    assert (found["post"], found["reply"]) == (questions, answers + comments)
    assert (questions, answers) == (53, 115)
    assert summary.metadata["bot_names"] == ["Community"]
    meta = read_import_metadata(out)
    assert "react" in meta["unobserved"] and meta["join"] == join
    if join == "registration":  # every registered account joins, lurkers too
        assert found["join"] >= len(users) > found["post"]
    else:
        assert found["join"] == rows(out).member.nunique()
    log = rows(out)
    answer = log[log.item == "p2"].iloc[0]  # an answer replies in its question's thread
    assert answer.action == "reply" and answer.thread == "q1" and answer.topic == "discussion"
    readable(out)


@real
def test_stackexchange_7z_archive(tmp_path):
    py7zr = pytest.importorskip("py7zr")
    archive = tmp_path / "conlang.7z"
    with py7zr.SevenZipFile(archive, "w") as seven:
        for name in ("Posts.xml", "Comments.xml", "Users.xml"):
            seven.write(CONLANG / name, f"conlang/{name}")
    from_archive = import_export("stackexchange", archive, tmp_path / "a.parquet")
    from_folder = import_export("stackexchange", CONLANG, tmp_path / "b.parquet")
    assert from_archive.actions["reply"] == from_folder.actions["reply"]


def test_stackexchange_malformed(tmp_path, capsys):
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "Posts.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
        '  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T10:00:00.000" OwnerUserId="3" />\n'
        '  <row Id="2" PostTypeId="2" ParentId="1" OwnerUserId="4" />\n</posts>\n'
    )
    fails(["stackexchange", str(dump), "--out", str(tmp_path / "x.parquet")], capsys,
          "Posts.xml", "row 2 (Id=2)", "CreationDate")  # fmt: skip
    (dump / "Posts.xml").write_text('<posts>\n  <row Id="1" PostTypeId="1"\n')
    fails(["stackexchange", str(dump), "--out", str(tmp_path / "x.parquet")], capsys,
          "Posts.xml", "line 2", "not well-formed")  # fmt: skip


# ---- Discord -----------------------------------------------------------------------------------
@real
def test_discord_real_csv_channel(tmp_path):
    messages = names = 0
    for path in sorted(ASK_JL777.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as stream:
            records = list(csv.reader(stream, delimiter=";"))[1:]
        messages += len(records)
        names += sum(bool(re.search(r"\bbot\b", r[1], re.I)) for r in records)
    out = tmp_path / "discord.parquet"
    summary = import_export("discord", ASK_JL777, out)
    found = counts(out)
    assert found["post"] + found["reply"] + summary.metadata["bots_removed"] == messages > 9000
    assert summary.metadata["bots_removed"] == names
    log = rows(out)
    assert set(log.topic.dropna()) == {"ask-jl777"}
    assert log.timestamp.min().isoformat() == "2018-06-12T06:30:00+00:00"  # 12-Jun-18 06:30 AM
    meta = read_import_metadata(out)
    assert meta["unobserved"] == ["visit", "react"]
    assert any("reactions counted without who reacted" in n for n in meta["notes"])
    readable(out)


def test_discord_threads_by_silence(tmp_path):
    header = "AuthorID;Author;Date;Content;Attachments;Reactions;\n"
    lines = [
        '"1";"ann#0001";"01-Mar-24 09:00 AM";"question?";"";"";',
        '"2";"bob#0002";"01-Mar-24 09:30 AM";"answer";"";"👍 (2)";',
        '"1";"ann#0001";"01-Mar-24 07:00 PM";"new topic";"";"";',  # 9.5 h later: a new thread
    ]
    path = tmp_path / "general.csv"
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "d.parquet"
    import_export("discord", path, out)
    log = rows(out).query("action != 'join'")
    assert list(log.action) == ["post", "reply", "post"]
    assert log.thread.iloc[0] == log.thread.iloc[1] != log.thread.iloc[2]
    import_export("discord", path, out, thread_gap=12)
    assert list(rows(out).query("action != 'join'").action) == ["post", "reply", "reply"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_discord_csv_utf16_and_bom(tmp_path, encoding):
    text = (
        "AuthorID;Author;Date;Content;Attachments;Reactions;\n"
        '"1";"ann#0001";"01-Mar-24 09:00 AM";"héllo ✓";"";"";\n'
        '"2";"bob#0002";"01-Mar-24 09:05 AM";"multi\nline";"";"";\n'
    )
    path = tmp_path / "chat.csv"
    path.write_bytes(text.encode(encoding))
    out = tmp_path / "d.parquet"
    import_export("discord", path, out)
    assert counts(out) == {"join": 2, "post": 1, "reply": 1}


def test_discord_json_fixture(tmp_path):
    out = tmp_path / "d.parquet"
    summary = import_export("discord", FIXTURES / "discord-channel.json", out)
    log = rows(out)
    # ann joins (GuildMemberJoin) and asks; bob reacts and replies by reference; the bot's
    # message is dropped; cat asks; ann (renamed ann_new) replies to cat by reference
    assert counts(out) == {"join": 3, "post": 2, "reply": 2, "react": 1}
    assert summary.metadata["bot_names"] == ["Helper"]
    assert summary.metadata["identities_merged"] == 1
    assert summary.metadata["join"] == "registration"
    assert "react" in summary.metadata["observed"]
    reply = log[log.item == "700000000000000006"].iloc[0]
    assert reply.parent == "700000000000000005" and reply.thread.endswith("700000000000000005")
    assert set(log.topic.dropna()) == {"Community/help"}
    readable(out)


def test_discord_malformed(tmp_path, capsys):
    folder = tmp_path / "export" / "csv" / "general"
    folder.mkdir(parents=True)
    (folder / "1.csv").write_text(
        "AuthorID;Author;Date;Content;Attachments;Reactions;\n"
        '"1";"ann#0001";"01-Mar-24 09:00 AM";"hi";"";"";\n'
        '"2";"bob#0002";"yesterday";"hi";"";"";\n'
    )
    fails(["discord", str(tmp_path / "export"), "--out", str(tmp_path / "x.parquet")], capsys,
          "1.csv", "line 3", "Date 'yesterday'")  # fmt: skip
    (folder / "1.csv").write_text("Author,When,Text\nann,now,hi\n")
    fails(["discord", str(tmp_path / "export"), "--out", str(tmp_path / "x.parquet")], capsys,
          "1.csv", "line 1", "AuthorID;Author;Date")  # fmt: skip
    bad = tmp_path / "bad.json"
    bad.write_text('{"messages": [{"id": "1", "timestamp": "2024-03-01T09:00:00+00:00"}]}')
    fails(["discord", str(bad), "--out", str(tmp_path / "x.parquet")], capsys,
          "bad.json", "message 1", "author")  # fmt: skip


# ---- Slack -------------------------------------------------------------------------------------
@real
def test_slack_log_real_channel(tmp_path):
    source = REALDATA / "slack-haskell-jp"
    subset = tmp_path / "slack"
    shutil.copytree(source / "json" / "CR2TETE5R", subset / "json" / "CR2TETE5R")
    shutil.copy(source / "json" / ".users.json", subset / "json" / ".users.json")
    shutil.copy(source / "slack-log.yaml", subset / "slack-log.yaml")
    posts = replies = joins = 0
    for page in (subset / "json" / "CR2TETE5R").glob("*.json"):
        for m in json.loads(page.read_text()):
            if m.get("user") and m["user"] != "USLACKBOT":
                joined = re.match(r"<@\w+> has joined the channel", m.get("text") or "")
                joins += bool(joined)
                posts += not joined
    for thread in (subset / "json" / "CR2TETE5R").glob("*/*.json"):
        replies += sum(
            m["ts"] != thread.stem and bool(m.get("user")) and m["user"] != "USLACKBOT"
            for m in json.loads(thread.read_text())
        )
    out = tmp_path / "slack.parquet"
    summary = import_export("slack", subset, out)
    found = counts(out)
    assert (found["post"], found["reply"]) == (posts, replies)
    assert posts > 300 and replies > 10
    assert set(rows(out).topic.dropna()) == {"beginners"}  # the name from slack-log.yaml
    assert summary.metadata["join"] == "registration" and joins > 0
    assert read_import_metadata(out)["unobserved"] == ["visit", "react"]
    readable(out)


@pytest.mark.parametrize("as_zip", [False, True])
def test_slack_workspace_export(tmp_path, as_zip):
    source = FIXTURES / "slack-workspace"
    if as_zip:
        source = Path(shutil.make_archive(str(tmp_path / "export"), "zip", source))
    out = tmp_path / "slack.parquet"
    summary = import_export("slack", source, out)
    log = rows(out)
    # ann: channel_join + thread start; bob: 2 reacts, a thread reply, a new post; cat: joins
    # general and random (the earliest counts), a reply, a post in random; dee: joins only
    assert counts(out) == {"join": 4, "post": 3, "reply": 2, "react": 2}
    assert sorted(summary.metadata["bot_names"]) == ["helper", "standup"]
    assert summary.metadata["observed"] == ["join", "post", "reply", "react"]
    thread = log[log.action == "reply"].thread.unique()
    assert list(thread) == ["general/1709280060.000200"]
    cat_join = log[(log.member == "U03CAT") & (log.action == "join")].timestamp.iloc[0]
    assert cat_join.isoformat() == "2024-03-01T08:16:40+00:00"  # general, before random
    readable(out)


def test_slack_malformed(tmp_path, capsys):
    source = tmp_path / "export"
    shutil.copytree(FIXTURES / "slack-workspace", source)
    day = source / "random" / "2024-03-01.json"
    day.write_text('[{"type": "message", "user": "U01ANN", "text": "x", "ts": "1709281000.1"},'
                   ' {"type": "message", "user": "U01ANN", "text": "y", "ts": "soon"}]')  # fmt: skip
    fails(["slack", str(source), "--out", str(tmp_path / "x.parquet")], capsys,
          "2024-03-01.json", "message 2", "ts 'soon'")  # fmt: skip
    day.write_text('[{"type": "message", "user": "U01ANN", "ts": "17092810')
    fails(["slack", str(source), "--out", str(tmp_path / "x.parquet")], capsys,
          "2024-03-01.json", "line 1", "not JSON")  # fmt: skip


# ---- Telegram ----------------------------------------------------------------------------------
def test_telegram_result_json(tmp_path):
    out = tmp_path / "tg.parquet"
    summary = import_export("telegram", FIXTURES / "telegram-result.json", out)
    log = rows(out)
    # bob joins by link, cat by invitation (resolved by name); ann (the creator) at her first
    # message; Ghost was invited but never posted (no id); "Shop Bot" is a bot
    assert counts(out) == {"join": 3, "post": 2, "reply": 3, "react": 1}
    assert summary.metadata["bot_names"] == ["Shop Bot"]
    answer = log[log.item == "9"].iloc[0]  # a reply by id, a day later, stays in its thread
    assert answer.thread == log[log.item == "6"].thread.iloc[0] and answer.parent == "6"
    assert any("invited member(s) known by name only" in n for n in summary.metadata["notes"])
    readable(out)


def test_telegram_malformed(tmp_path, capsys):
    document = json.loads((FIXTURES / "telegram-result.json").read_text())
    del document["messages"][2]["date"], document["messages"][2]["date_unixtime"]
    path = tmp_path / "result.json"
    path.write_text(json.dumps(document))
    fails(["telegram", str(path), "--out", str(tmp_path / "x.parquet")], capsys,
          "result.json", "message 3 (id=3)", "date")  # fmt: skip


# ---- Discourse ---------------------------------------------------------------------------------
def test_discourse_csv_and_api_json(tmp_path):
    out = tmp_path / "discourse.parquet"
    summary = import_export("discourse", FIXTURES / "discourse", out)
    log = rows(out)
    # CSV: topics 11 (ann; bob, cat reply; ann's small action skipped) and 12 (bob; ann replies;
    # discobot removed); system's topic 10 removed. JSON adds dee's reply in 11 and eve's topic
    # 13; posts 102, 103 and 108 are read twice but count once.
    assert counts(out) == {"join": 5, "post": 3, "reply": 4}
    assert sorted(summary.metadata["bot_names"]) == ["discobot", "system"]
    assert log[log.item == "104"].parent.iloc[0] == "11#2"
    assert set(log[log.thread == "t11"].topic) == {"4"}
    readable(out)


def test_discourse_malformed(tmp_path, capsys):
    path = tmp_path / "posts.csv"
    path.write_text(
        "id,user_id,username,topic_id,post_number,created_at\n"
        "1,5,ann,10,1,2024-03-01T09:00:00Z\n2,6,bob,10,two,2024-03-01T10:00:00Z\n"
    )
    fails(["discourse", str(path), "--out", str(tmp_path / "x.parquet")], capsys,
          "posts.csv", "line 3", "post_number")  # fmt: skip


# ---- any CSV table -----------------------------------------------------------------------------
TABLE = (
    "user,at,kind,topic_id\n"
    "u1,2024-03-01T09:00:00Z,question,t1\n"
    "u2,2024-03-01T10:00:00+02:00,comment,t1\n"
    "u3,1709290800,like,t1\n"
    "u1,1709377200000,question,t2\n"
)
MAPPING = ["--map", "member=user,timestamp=at,action=kind,thread=topic_id"]
ALIASES = ["--alias", "question=post", "--alias", "comment=reply,like=react"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-8-sig"])
def test_csv_table_with_map_and_aliases(tmp_path, capsys, encoding):
    path = tmp_path / "events.csv"
    path.write_bytes(TABLE.encode(encoding))
    out = tmp_path / "log.parquet"
    assert main(["import", "csv", str(path), "--out", str(out), *MAPPING, *ALIASES]) == 0
    printed = capsys.readouterr().out
    assert "rows: 7 (join 3, post 2, reply 1, react 1)" in printed
    assert "no visit rows: calibration will use contribution-based KPIs" in printed
    log = rows(out)
    assert counts(out) == {"join": 3, "post": 2, "reply": 1, "react": 1}
    times = log[log.action != "join"].timestamp.dt.strftime("%Y-%m-%dT%H:%M:%S").tolist()
    assert times == ["2024-03-01T09:00:00", "2024-03-01T08:00:00", "2024-03-01T11:00:00",
                     "2024-03-02T11:00:00"]  # fmt: skip
    assert read_import_metadata(out)["observed"] == ["join", "post", "reply", "react"]
    readable(out)


def test_csv_unknown_actions_are_refused_with_the_list(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text(TABLE)
    message = fails(["csv", str(path), "--out", str(tmp_path / "x.parquet"), *MAPPING],
                    capsys, "events.csv", "'comment' (1 rows, first at line 3)",
                    "'like'", "'question' (2 rows", "join, visit, post, reply, react")  # fmt: skip
    assert "--alias" in message
    fails(["csv", str(path), "--out", str(tmp_path / "x.parquet"), "--map", "member=nobody"],
          capsys, "--map member=nobody", "no such column")  # fmt: skip
    path.write_text("member,timestamp,action\nu1,2024-03-01,post\nu2,not a date,post\n")
    fails(["csv", str(path), "--out", str(tmp_path / "x.parquet")], capsys,
          "events.csv", "line 3", "'not a date'")  # fmt: skip


def test_a_stray_timestamp_is_refused_naming_its_record(tmp_path, capsys):
    lines = ["member,timestamp,action"]
    lines += [f"u{i % 7},2024-0{1 + i % 9}-1{i % 10}T12:00:00Z,post" for i in range(60)]
    lines.insert(30, "u3,0,post")  # an epoch 0: 1970, 54 years before the rest
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "log.parquet"
    fails(["csv", str(path), "--out", str(out)], capsys,
          "events.csv", "line 31", "1970-01-01", "more than 365 days", "--since")  # fmt: skip
    summary = import_export("csv", path, out, since="2023-01-01")
    assert summary.metadata["first"].startswith("2024-01")
    readable(out)


def test_bad_options_name_the_option(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text("member,timestamp,action\nu1,2024-03-01,post\n")
    out = str(tmp_path / "x.parquet")
    fails(["csv", str(path), "--out", out, "--since", "March"], capsys, "--since", "'March'")
    fails(["csv", str(path), "--out", out, "--join", "registration"], capsys,
          "--join is an option of stackexchange imports only")  # fmt: skip
    with pytest.raises(ImportFailure, match="unknown kind"):
        import_export("mbox", path, out)


def test_the_log_is_parquet(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text("member,timestamp,action\nu1,2024-03-01,post\n")
    fails(["csv", str(path), "--out", str(tmp_path / "log.csv")], capsys, "log.csv", ".parquet")


def test_metadata_is_none_for_other_logs(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("member,timestamp,action\nu1,2024-03-01,post\n")
    assert read_import_metadata(path) is None


def test_bot_patterns_from_the_command_line(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("member,timestamp,action,name\n"
                    "u1,2024-03-01,post,Ann\nu2,2024-03-01,post,Release Helper\n"
                    "u3,2024-03-02,post,dependabot[bot]\n")  # fmt: skip
    summary = import_export("csv", path, tmp_path / "a.parquet", bots=("release*",))
    assert summary.metadata["bots_removed"] == 2
    assert summary.metadata["bot_names"] == ["Release Helper", "dependabot[bot]"]
