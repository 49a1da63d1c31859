"""The ``commsim`` command line.

    commsim run                                   # the packaged default scenario
    commsim run my-scenario.yaml --days 90 --out results/my-run
    commsim schema --out scenario.schema.json     # the JSON Schema of scenario files
    commsim schema --markdown                     # the scenario reference (docs/)
    commsim dashboard --port 8765                 # the trainers' dashboard in a browser
    commsim export-log --out log.csv              # a simulated run as an activity log
    commsim calibrate log.csv --out results/fit   # fit a scenario to an activity log
    commsim import git repo.git --out log.parquet # a real platform export as an activity log
    commsim ops-report results/my-run             # the weekly operations report of a run or log

Flags override the scenario file and are validated by the same rules (``sim.config.schema``), so
``--members 0`` is reported exactly as ``community: {members: 0}`` in the file would be. Bad input
exits with status 2 before anything is simulated or written (DESIGN.md, Reliability).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import sim
from sim.cli.atlas import ATLAS_COMMANDS, add_atlas_command
from sim.cli.calibrate import CALIBRATION_COMMANDS, add_calibration_commands
from sim.cli.experiments import EXPERIMENT_COMMANDS, add_experiment_commands
from sim.cli.flags import FLAG_FIELDS
from sim.cli.importing import IMPORT_COMMANDS, add_import_command
from sim.cli.reports import REPORT_COMMANDS, add_report_commands

# The model, the scenario schema and the plotting stack load inside the commands that use them,
# so `commsim --help` answers at once. The docs' paths, written here for the same reason, are
# checked against sim.config.docs by test_cli.
REFERENCE_FILE = "docs/scenario-reference.md"
SCHEMA_FILE = "docs/scenario.schema.json"

# (summary key, label) of the KPIs printed after a run
HEADLINE = (
    ("members_start", "members at start"),
    ("members_end", "members at end"),
    ("joins", "joins"),
    ("leaves", "leaves"),
    ("returned", "came back after leaving"),
    ("dau_last30", "daily actives (mean of last 30 days)"),
    ("stickiness_last30", "stickiness DAU/MAU (last 30 days)"),
    ("active_contributor_share", "active contributors (last day)"),
    ("posts_gini", "Gini of posts per member"),
    ("retention_30", "newcomer retention at 30 days"),
    ("retention_90", "newcomer retention at 90 days"),
    ("mean_loyalty", "mean loyalty (last day)"),
)
# added when the scenario has a strategy (an operator)
OPERATOR_HEADLINE = (
    ("money_spent", "money spent (total)"),
    ("hours_used", "staff hours used (total)"),
    ("hours_short", "staff hours short (total)"),
    ("staff_cost", "staff cost (hours x hourly_rate, or a team's pay)"),
    ("total_cost", "total cost (money + staff cost)"),
    ("cost_per_retained_member", "cost per retained member"),
)
# added when points redeem for money (a tangible incentive scheme): only then are they a debt
LIABILITY_HEADLINE = (("points_liability_end", "points liability (last day)"),)


class _Parser(argparse.ArgumentParser):
    """Usage errors read ``commsim: error: ...`` and exit with status 2, as a bad scenario does."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        _fail(message)


def _fail(message: str, status: int = 2) -> NoReturn:
    print(f"commsim: error: {message}", file=sys.stderr)
    raise SystemExit(status)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="commsim",
        description="Simulate an online community and the team that runs it: member agents with "
        "interest and loyalty respond to content, ties and each other; each run writes daily "
        "series, cohort retention, summary KPIs and a figure.",
        epilog="Run `commsim COMMAND --help` for the options and examples of each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {sim.__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    run = commands.add_parser(
        "run",
        help="simulate one scenario and write its outputs",
        description="Simulate one scenario for a number of days and write its outputs: the "
        "daily series,\ncohort retention, summary KPIs, the resolved scenario and a figure.\n"
        "Flags override the scenario's fields and are checked by the same rules.",
        epilog="examples:\n"
        "  commsim run --members 5000 --days 90\n"
        "  commsim run my-scenario.yaml --seed 7 --out results/seed7\n"
        "to write a scenario, start from a copy of sim/scenarios/default.yaml\n"
        "(every field, its default and a comment).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="scenario YAML file (default: the packaged default scenario)",
    )
    run.add_argument(
        "--days", type=int, metavar="N", help="days to simulate (default: the scenario's run.days)"
    )
    run.add_argument(
        "--members",
        type=int,
        metavar="N",
        help="members on day 0 (default: the scenario's community.members)",
    )
    run.add_argument(
        "--seed", type=int, metavar="N", help="root random seed (default: the scenario's run.seed)"
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        help="output directory (default: results/run-<timestamp>); an existing "
        "directory is replaced only if it holds a previous run",
    )
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of scenario files (or their Markdown reference)",
        description="Print the JSON Schema of scenario files: every field with its description, "
        "default, bounds and allowed values. Editors use it to complete and check scenario "
        "files (VS Code's YAML extension: put `# yaml-language-server: $schema=FILE` at the top "
        "of a scenario).",
        epilog="to regenerate every committed page of docs/ (the JSON Schema, the scenario "
        "reference and the member states), from the repository root:\n"
        "  commsim schema --docs",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema.add_argument(
        "--markdown",
        action="store_true",
        help=f"print the reference of every field as Markdown instead ({REFERENCE_FILE})",
    )
    schema.add_argument(
        "--sweep",
        action="store_true",
        help="of sweep files instead (docs/sweep.schema.json, docs/sweep-reference.md)",
    )
    schema.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    schema.add_argument(
        "--docs",
        action="store_true",
        help="write every generated page of docs/ (run from the repository root)",
    )
    add_experiment_commands(commands)
    add_calibration_commands(commands)
    add_import_command(commands)
    add_atlas_command(commands)
    add_report_commands(commands)
    dashboard = commands.add_parser(
        "dashboard",
        help="serve the trainers' dashboard (strategy A versus B, lessons) to a browser",
        description="Serve the trainers' dashboard: sliders for the community and the levers, "
        "Step/Play/Reset, live charts, strategy A beside strategy B on the same community and "
        "seed, and one-click lessons. Listens on this computer only unless --host says otherwise.",
        epilog="example:\n  commsim dashboard --port 8765   # then open http://127.0.0.1:8765/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dashboard.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    dashboard.add_argument(
        "--port", type=int, default=8765, metavar="N", help="port to listen on (default: 8765)"
    )
    dashboard.add_argument(
        "--scenario",
        metavar="FILE",
        help="start from this scenario's community (arrivals, member mix, behaviour), e.g. "
        "`commsim calibrate`'s calibrated.yaml",
    )
    dashboard.add_argument(
        "--sweep",
        metavar="FILE",
        help="offer this sweep file's strategies as choices for A and B, on its base scenario's "
        "community and its seed (A: its baseline)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``commsim`` console script; returns 0, or raises ``SystemExit(2)`` on bad
    input (as argparse does for bad arguments)."""
    args = build_parser().parse_args(argv)
    if args.command in EXPERIMENT_COMMANDS:
        return EXPERIMENT_COMMANDS[args.command](args)
    if args.command in CALIBRATION_COMMANDS:
        return CALIBRATION_COMMANDS[args.command](args)
    if args.command in IMPORT_COMMANDS:
        return IMPORT_COMMANDS[args.command](args)
    if args.command in ATLAS_COMMANDS:
        return ATLAS_COMMANDS[args.command](args)
    if args.command in REPORT_COMMANDS:
        return REPORT_COMMANDS[args.command](args)
    if args.command == "dashboard":
        return _dashboard(args)
    return _schema(args) if args.command == "schema" else _run(args)


def _dashboard(args: argparse.Namespace) -> int:
    """Replace this process with Solara's server for ``sim.ui.app`` (so stopping it stops the server)."""
    if not 1 <= args.port <= 65535:
        _fail(f"--port: got {args.port}; must be between 1 and 65535")
    if not _loopback(args.host):
        print(
            f"commsim: warning: --host {args.host} listens beyond this computer: anyone who can "
            "reach it on the network can use the dashboard, which has no password "
            "(the default, 127.0.0.1, listens on this computer only)",
            file=sys.stderr,
        )
    try:
        with socket.create_server((args.host, args.port)):
            pass  # free: say so now rather than after the server has started
    except OSError as exc:
        _fail(f"cannot listen on {args.host} port {args.port}: {exc.strerror or exc}")
    if args.scenario is not None and args.sweep is not None:
        _fail("--scenario and --sweep: give one (a sweep file names its own base scenario)")
    env = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false", **os.environ}  # no usage reports
    if args.scenario is not None:
        from sim.config import ScenarioError, load_scenario

        try:
            load_scenario(args.scenario)
        except ScenarioError as exc:
            _fail(str(exc))
        env["COMMSIM_DASHBOARD_SCENARIO"] = str(Path(args.scenario).resolve())
    if args.sweep is not None:
        from sim.experiments.sweep import SweepError, load_sweep

        try:
            load_sweep(args.sweep)
        except SweepError as exc:
            _fail(str(exc))
        env["COMMSIM_DASHBOARD_SWEEP"] = str(Path(args.sweep).resolve())
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"commsim dashboard: open http://{host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    command = [sys.executable, "-m", "solara", "run", "sim.ui.app:Page", "--production",
               "--no-open", "--host", args.host, "--port", str(args.port)]  # fmt: skip
    os.execve(sys.executable, command, env)


def _loopback(host: str) -> bool:
    """Whether ``host`` is this computer only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _schema(args: argparse.Namespace) -> int:
    if args.docs:
        if not Path("docs").is_dir():
            _fail("--docs writes into docs/: run it from the repository root", status=2)
        from sim.config.docs import write_docs
        from sim.experiments.sweepdocs import write_sweep_docs

        for path in [*write_docs(), *write_sweep_docs()]:
            print(f"wrote {path}")
        return 0
    if args.sweep:
        from sim.experiments.sweepdocs import render_sweep_reference, sweep_json_schema

        render, schema = render_sweep_reference, sweep_json_schema
    else:
        from sim.config import json_schema
        from sim.config.docs import render_reference

        render, schema = render_reference, json_schema
    text = render() if args.markdown else json.dumps(schema(), indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {args.out}: {exc.strerror or exc}", status=1)
    print(f"wrote {args.out}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from sim.config import ScenarioError, load_scenario
    from sim.experiments.outputs import (
        RUN_FILES,
        OutputError,
        check_out_dir,
        run_summary,
        top_topics,
        write_run,
    )
    from sim.experiments.progress import progress_bar
    from sim.model import CommunityModel

    overrides = {
        field: getattr(args, flag)
        for flag, field in FLAG_FIELDS.items()
        if getattr(args, flag) is not None
    }
    out = args.out or f"results/run-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        scenario = load_scenario(args.scenario, overrides)
        out_dir = check_out_dir(out)
    except (ScenarioError, OutputError) as exc:
        _fail(str(exc))
    model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
    try:
        # a bar on a terminal, a line every tenth of the run in logs and pipes
        with progress_bar(scenario.run.days, "simulating", "day") as bar:
            model.run(scenario.run.days, progress=bar.update)
        write_run(model, out_dir, scenario)
    except KeyboardInterrupt:
        _fail("interrupted; nothing written", status=130)
    except (OSError, OutputError) as exc:
        _fail(f"cannot write the outputs to {out_dir}: {exc}", status=1)
    written = RUN_FILES + (("groups.parquet",) if model.groups is not None else ())
    written += ("hours.parquet",) if model.clock is not None else ()
    print(f"wrote {', '.join(written)} to {_shown(out_dir)}")
    headline = HEADLINE
    if scenario.strategy is not None:
        headline += OPERATOR_HEADLINE
        incentives = scenario.strategy.incentives
        headline += LIABILITY_HEADLINE if incentives is not None and incentives.tangible else ()
    print(_kpi_table(run_summary(model, scenario), headline))
    print(_hot_topics(top_topics(model.topics())["last_7_days"]))
    if model.groups is not None:
        print(_groups_table(model.summary()))
    return 0


def _groups_table(summary: dict) -> str:
    """Per group: its kind, cap, members at the end and its last 30 days' activity a day."""
    lines = [
        f"groups ({summary['groups_open']} open; {summary['joins_refused']:,} would-be "
        "newcomers refused, groups full):",
        f"  {'group':<20} {'kind':<11} {'cap':>6} {'members':>8} {'active':>7} {'posts':>6} "
        f"{'replies':>7}  (a day, last 30 days)",
    ]
    for g in summary["groups"]:
        cap = "-" if g["cap"] is None else f"{g['cap']:,}"
        state = "" if g["open"] else "  (merged)"
        lines.append(
            f"  {g['name'][:20]:<20} {g['kind']:<11} {cap:>6} {g['members_end']:>8,} "
            f"{g['active_last30']:>7.1f} {g['posts_last30']:>6.1f} {g['replies_last30']:>7.1f}"
            + state
        )
    return "\n".join(lines)


def _hot_topics(ranked: list[dict]) -> str:
    """The last week's hot topics on one line: topic index and its replies and reactions."""
    shown = ", ".join(f"topic {t['topic']} ({t['responses']:,} responses)" for t in ranked)
    return f"hot topics (last 7 days): {shown or 'none'}"


def _shown(path: Path) -> str:
    """The path relative to the working directory when it is below it (shorter to read)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _kpi_table(summary: dict, headline: tuple[tuple[str, str], ...]) -> str:
    """The KPIs in the reports' units: shares in percent, counts and money with separators."""
    from sim.experiments.sweep import KPIS
    from sim.experiments.verdict import fmt_value

    width = max(len(label) for _, label in headline)
    rows = [
        f"{label:<{width}}  {fmt_value(summary.get(key), key in KPIS and KPIS[key].share)}"
        for key, label in headline
    ]
    return "\n".join(rows)
