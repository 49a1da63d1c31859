"""``commsim ops-report``: the weekly operations report of a run or an activity log.

    commsim ops-report results/my-run                     # the last complete week of a run
    commsim ops-report results/my-run --week 3            # days 15-21
    commsim ops-report komodo.parquet --week-ending 2019-11-24 --out reports/week47

Bad input (a path that is neither a run folder nor a log, a week outside the data) exits with
status 2, naming the path or option and the allowed values; nothing is written then (the report
is built in a staging folder and renamed into place).
"""

from __future__ import annotations

import argparse

from sim.cli.experiments import fail, shown


def _week(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole week number, got {text!r}") from None


def add_report_commands(commands) -> None:
    command = commands.add_parser(
        "ops-report",
        help="write the weekly operations report of a run or an activity log (Markdown, HTML)",
        description="Write the report a community manager sends each week, from a run folder "
        "(`commsim run`) or an activity log (`commsim import`, `commsim export-log`, or any "
        "CSV/Parquet log): growth and joins by channel; DAU / WAU / MAU and stickiness; "
        "interaction rate; cohort retention; churn by reason; hot topics; the active-hours "
        "heatmap; top contributors by role; operator spend and hours against budget; what "
        "changed since last week. Each section gives this week, last week and the change, with "
        "figures; a section the input cannot show says what is missing instead.\n\n"
        "weeks: a run's days are numbered from 1 and week N is days 7N-6..7N (default: the last "
        "complete week); a log's days are calendar days in UTC from its first day, week N is its "
        "days 7N-7..7N-1, and the default is the last Monday-Sunday week ending before the log's "
        "last day. Week 1 has no week before it, so weeks start at 2.",
        epilog="examples:\n"
        "  commsim run --members 500 --days 90 --out results/my-run\n"
        "  commsim ops-report results/my-run                  # -> results/my-run/ops-report/\n"
        "  commsim ops-report results/my-run --week 6         # days 36-42 against 29-35\n"
        "  commsim ops-report results/my-run --week-ending 60 # days 54-60 against 47-53\n"
        "  commsim import discord komodo/ --out komodo.parquet\n"
        "  commsim ops-report komodo.parquet --week-ending 2019-11-24 --out reports/week47\n"
        "writes ops-report.md, ops-report.html and figures/*.png (README, 'The weekly "
        "operations report')",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "path",
        metavar="PATH",
        help="a run folder (holding daily.parquet) or an activity log (.csv or .parquet)",
    )
    which = command.add_mutually_exclusive_group()
    which.add_argument(
        "--week", type=_week, metavar="N", help="report week N (see 'weeks' above; from 2)"
    )
    which.add_argument(
        "--week-ending",
        metavar="DATE/DAY",
        help="report the 7 days ending on this day: a day number for a run, a date "
        "(YYYY-MM-DD, UTC) for a log",
    )
    command.add_argument(
        "--out",
        metavar="DIR",
        help="folder to write (default: PATH/ops-report for a run, NAME-ops-report beside a "
        "log); an existing folder is replaced only if it holds a previous ops report",
    )


def _ops_report(args: argparse.Namespace) -> int:
    from sim.reports.ops import OpsReportError, ops_report

    try:
        out, report = ops_report(args.path, args.out, args.week, args.week_ending)
    except OpsReportError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write the report: {exc}", status=1)
    src = report.source
    print(
        f"wrote ops-report.md, ops-report.html and {len(report.figures)} figures to {shown(out)} "
        f"(this week: {src.span(*report.this_week)}; last week: {src.span(*report.last_week)})"
    )
    return 0


REPORT_COMMANDS = {"ops-report": _ops_report}
