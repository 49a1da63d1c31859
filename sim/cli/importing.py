"""``commsim import``: a real platform export to the activity log that calibration reads.

    commsim import git ../shared/realdata/git/attrs.git --out attrs.parquet --since 2022-01-01
    commsim import stackexchange dump/ --out site.parquet --join registration
    commsim import discord exports/ --out chat.parquet --bots 'Komodo-Bot*'
    commsim import csv events.csv --out log.parquet --map member=user,timestamp=at,action=type \\
        --alias comment=reply --alias like=react

A bad export exits with status 2, naming the file, the record and what was expected; nothing is
written then (the log is written to a temporary file and renamed).
"""

from __future__ import annotations

import argparse

from sim.cli.experiments import fail, shown

# The kinds are listed here for --help without importing the importers (pyarrow, numpy);
# test_import checks they match sim.importers.KINDS.
KIND_NAMES = ("git", "stackexchange", "discourse", "discord", "slack", "telegram", "csv")


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected hours above 0, got {text!r}")
    return value


def add_import_command(commands) -> None:
    command = commands.add_parser(
        "import",
        help="convert a platform export (git, Stack Exchange, Discord, ...) to an activity log",
        description="Read a real community's export and write the activity log that `commsim "
        "calibrate` reads (Parquet: member, timestamp, action, thread, topic and each row's "
        "provenance), with what the platform can and cannot observe in its metadata. Bots are "
        "removed and counted, identities merged where the platform allows, timestamps kept to "
        "the second, threads, replies and topics kept.\n\nkinds:\n"
        "  git            a local repository (mailmap identities; pull requests as threads)\n"
        "  stackexchange  a data-dump folder (Posts, Comments, Users, Votes XML) or its .7z\n"
        "  discourse      a Data Explorer posts CSV, or /posts.json and /t/ID.json (file/folder)\n"
        "  discord        DiscordChatExporter CSV or JSON exports (a file or a folder tree)\n"
        "  slack          a workspace export (folder or .zip) or slack-log message folders\n"
        "  telegram       Telegram Desktop's result.json\n"
        "  csv            any table: --map FIELD=COLUMN,... and --alias WORD=ACTION",
        epilog="examples:\n"
        "  commsim import git ../shared/realdata/git/attrs.git --out attrs.parquet "
        "--since 2022-01-01\n"
        "  commsim import stackexchange site-dump/ --out site.parquet --join registration\n"
        "  commsim import discord komodo/ --out komodo.parquet --thread-gap 4\n"
        "  commsim import csv events.csv --out log.parquet \\\n"
        "      --map member=user_id,timestamp=created,action=type --alias comment=reply\n"
        "the formats and what each kind means: README, 'Importing your community's data'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("kind", choices=KIND_NAMES, metavar="KIND", help="the export's platform")
    command.add_argument("source", metavar="SOURCE", help="the export: a file or a folder")
    command.add_argument("--out", required=True, metavar="LOG.parquet", help="the log to write")
    command.add_argument("--since", metavar="DATE", help="keep actions from this date (ISO, UTC); "
                         "members active before it are founders")  # fmt: skip
    command.add_argument("--until", metavar="DATE", help="keep actions before this date")
    command.add_argument(
        "--bots",
        nargs="+",
        action="extend",
        default=[],
        metavar="PATTERN",
        help="more bot accounts: shell patterns or text in a name or id (case-insensitive), "
        "besides the platform's flag and the built-in list",
    )
    command.add_argument(
        "--all", action="store_true", help="git: every ref, not only HEAD and pull requests"
    )
    command.add_argument(
        "--join",
        choices=("first_contribution", "registration"),
        help="stackexchange: a member joins at their first contribution (default) or at "
        "registration (Users.CreationDate; members who never post included)",
    )
    command.add_argument(
        "--thread-gap",
        type=_hours,
        metavar="HOURS",
        help="discord, telegram: hours of channel silence after which a message without a "
        "reply id starts a new thread (default 6)",
    )
    command.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN,...",
        help="csv: the column of member, timestamp, action (required unless so named) and "
        "thread, topic, item, parent, name (optional)",
    )
    command.add_argument(
        "--alias",
        action="append",
        metavar="WORD=ACTION",
        help="csv: read this action word as join, visit, post, reply or react (repeatable)",
    )


def _import(args: argparse.Namespace) -> int:
    from sim.importers import ImportFailure, import_export
    from sim.importers.table import parse_pairs

    options: dict = {"since": args.since, "until": args.until, "bots": tuple(args.bots)}
    only = {
        "all": ("git", {"all_refs": args.all} if args.all else {}),
        "join": ("stackexchange", {"join": args.join} if args.join else {}),
        "thread_gap": (
            ("discord", "telegram"),
            {"thread_gap": args.thread_gap} if args.thread_gap else {},
        ),
        "map": ("csv", {}),
        "alias": ("csv", {}),
    }
    for flag, (kinds, extra) in only.items():
        given = getattr(args, flag)
        if given and args.kind not in (kinds if isinstance(kinds, tuple) else (kinds,)):
            shown_kinds = kinds if isinstance(kinds, str) else " and ".join(kinds)
            fail(f"--{flag.replace('_', '-')} is an option of {shown_kinds} imports only")
        options.update(extra)
    try:
        if args.kind == "csv":
            options["mapping"] = parse_pairs(args.map, "--map")
            options["aliases"] = parse_pairs(args.alias, "--alias")
        summary = import_export(args.kind, args.source, args.out, **options)
    except ImportFailure as exc:
        fail(f"cannot import: {exc}")
    print(summary.text().replace(str(summary.out), shown(summary.out), 1))
    return 0


IMPORT_COMMANDS = {"import": _import}
