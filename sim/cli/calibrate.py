"""The calibration commands of ``commsim``: ``calibrate`` and ``export-log``.

    commsim export-log --members 2000 --days 365 --seed 7 --out my-log.csv   # a simulated log
    commsim calibrate my-log.csv --out results/calibrated                     # fit a scenario to it
    commsim calibrate log.parquet --scenario base.yaml --param behaviour.quit_rate=0.05:0.5:log

A bad log, scenario or parameter exits with status 2 before anything is simulated or written;
outputs are written atomically (all or nothing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.experiments import (
    _positive,
    add_backend_arguments,
    fail,
    run_options,
    shown,
    whole_number,
)

LOG_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")


def add_calibration_commands(commands) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    calibrate = commands.add_parser(
        "calibrate",
        help="fit a scenario to a community's activity log (ABC-SMC; resumes)",
        description="Read an activity log (CSV or Parquet: member, timestamp, action "
        "join/visit/post/reply/react, optional thread and topic), compute its KPIs (daily joins "
        "and actives, newcomer retention at 1/7/30/90 days, posts per member and the top 1%'s "
        "share, replies to first posts) as the log observes them (a log without visits or "
        "reactions: contributions only, on both sides), derive priors from the log and fit "
        "scenario parameters by ABC-SMC, one sweep per generation (parallel, resumable). Writes "
        "calibrated.yaml, report.md, fit.png, posterior.csv, samples.csv and observed.json.",
        epilog="examples:\n"
        "  commsim calibrate log.csv --out results/calibrated\n"
        "  commsim calibrate log.parquet --scenario base.yaml --particles 96 --workers 8\n"
        "  commsim calibrate log.csv --param behaviour.quit_rate=0.001:0.01 --only\n"
        "the log format: README, 'Calibrating to your community'",
        formatter_class=raw,
    )
    calibrate.add_argument("log", metavar="LOG", help="activity log (.csv, .csv.gz, .parquet)")
    calibrate.add_argument(
        "--scenario", metavar="FILE", help="base scenario (default: the packaged default)"
    )
    calibrate.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="PATH=LOW:HIGH[:log][:int]",
        help="fit this scenario field over this range (repeatable; adds to or replaces a default)",
    )
    calibrate.add_argument(
        "--only", action="store_true", help="fit only the --param fields, not the default set"
    )
    calibrate.add_argument(
        "--particles",
        "--samples",
        dest="particles",
        type=whole_number(2),  # a generation's two halves move each other (smc.halves)
        default=32,
        metavar="N",
        help="ABC-SMC particles (runs) per generation, at least 2 (default 32)",
    )
    calibrate.add_argument(
        "--seeds",
        type=_positive,
        default=None,
        metavar="N",
        help="seeds each particle runs on, its distance the mean of theirs (default 2: "
        "sim.calibration.fit.SEEDS)",
    )
    calibrate.add_argument(
        "--generations",
        "--rounds",
        dest="generations",
        type=_positive,
        default=3,
        metavar="N",
        help="ABC-SMC generations (default 3)",
    )
    calibrate.add_argument(
        "--quantile",
        type=float,
        default=0.5,
        metavar="Q",
        help="each generation's tolerance: this quantile of its distances (default 0.5)",
    )
    calibrate.add_argument(
        "--point",
        choices=("best", "mean"),
        default="best",
        help="the calibrated scenario: the closest run's values (best, default) or the "
        "posterior means (mean)",
    )
    calibrate.add_argument(
        "--top",
        type=_count,
        default=4,
        metavar="N",
        help="--point best: rerun the N closest particles with more seeds and take the one "
        "with the fewest runs stopped, then steady (its seeds within 10 times of each other), "
        "then closest on average (default 4; 0: the single closest run)",
    )
    calibrate.add_argument(
        "--replicate",
        type=_count,
        default=8,
        metavar="N",
        help="--point best: seeds each of the --top particles is rerun with (default 8: with "
        "its own 2, a tail of one seed in four shows with probability 0.94)",
    )
    calibrate.add_argument(
        "--pilot",
        type=_count,
        default=8,
        metavar="N",
        help="runs at most of the volume pilot that centres the contribution rates, market and "
        "founders priors on the log's volume before generation 1 (default 8; 0: off)",
    )
    calibrate.add_argument(
        "--check", type=_positive, default=4, metavar="N", help="seeds of the final check (4)"
    )
    calibrate.add_argument("--seed", type=int, default=1, metavar="N", help="root seed (1)")
    calibrate.add_argument("--out", metavar="DIR", help="default: results/calibrate-<log name>")
    calibrate.add_argument(
        "--runs", metavar="DIR", help="where simulated runs are stored (default: OUT.runs)"
    )
    add_backend_arguments(calibrate, address=False)
    calibrate.add_argument("--quiet", action="store_true", help="no progress bars")

    export = commands.add_parser(
        "export-log",
        help="simulate a scenario and write its activity log (CSV or Parquet)",
        description="Simulate a scenario (like `commsim run`) and write what its members did as "
        "an activity log in the format `commsim calibrate` reads: one row per join, visit, "
        "post, reply and reaction, with member, timestamp, action, thread and topic.",
        epilog="example:\n  commsim export-log my-scenario.yaml --seed 3 --out log.parquet",
        formatter_class=raw,
    )
    export.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario YAML file")
    export.add_argument("--days", type=int, metavar="N", help="override run.days")
    export.add_argument("--members", type=int, metavar="N", help="override community.members")
    export.add_argument("--seed", type=int, metavar="N", help="override run.seed")
    export.add_argument(
        "--start",
        metavar="DATE",
        help="date of day 0 (default 2024-01-01; with active hours the day before the first "
        "date from 2024-01-01 on whose weekday is the scenario's hours.first_weekday, so the "
        "log's weekdays are the model's)",
    )
    export.add_argument("--out", required=True, metavar="FILE", help=".csv, .csv.gz or .parquet")


def _count(text: str) -> int:
    """A whole number, 0 or more (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"got {value}; must be 0 or more")
    return value


def _calibrate(args: argparse.Namespace) -> int:
    from sim.calibration.fit import calibrate, check_parameters, derive_priors, parse_parameter
    from sim.calibration.hours import calibration_base
    from sim.calibration.log import LogError, action_counts, read_log
    from sim.calibration.observation import MetadataError, decide, import_metadata
    from sim.calibration.report import OUTPUT_FILES, check_out, kpi_table, write_fit
    from sim.config import ScenarioError, load_scenario
    from sim.experiments.sweep import SweepError

    if not 0 < args.quantile < 1:
        fail(f"--quantile: got {args.quantile}; must be above 0 and below 1")
    if args.only and not args.param:
        fail("--only needs at least one --param")
    log = Path(args.log)
    name = log.name.split(".")[0]
    out = Path(args.out or Path("results") / f"calibrate-{name}").expanduser().resolve()
    runs = Path(args.runs) if args.runs else out.with_name(out.name + ".runs")
    try:
        check_out(out)
    except OSError as exc:
        fail(str(exc))
    try:
        named = [parse_parameter(text) for text in args.param]
    except ValueError as exc:
        fail(str(exc))
    try:
        base = load_scenario(args.scenario).model_dump()
        check_parameters(named, base)  # before reading the log: a typo fails at once
    except ScenarioError as exc:
        fail(str(exc))
    try:
        metadata = import_metadata(log)
        observation, warnings = decide(action_counts(log), metadata, (metadata or {}).get("first"))
        stats, start = read_log(log, observation)
        observed = stats.finish()
    except (LogError, MetadataError) as exc:
        fail(str(exc))
    except ValueError:  # every row of a kind the observation model leaves out
        fail(
            f"invalid activity log {log}:\n  column action: no post or reply rows, and the log "
            f"has no visits or reactions ({', '.join(observation.observed) or 'nothing'} seen): "
            "such a log shows members by their contributions; expected at least one post or "
            "reply row"
        )
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"read {stats.rows:,} rows of {log.name}: {observed.scalars['members']:,} members over "
        f"{observed.days} days from {start}"
    )
    print(f"observation model: {observation.describe()}")
    # active hours before the fit: every run of it uses this base (sim.calibration.hours)
    base, hours = calibration_base(base, log, stats.origin)
    print(hours)
    parameters = named if args.only else None
    try:
        check_parameters(
            named + ([] if args.only else derive_priors(observed, base).parameters), base, observed
        )
    except ScenarioError as exc:
        fail(str(exc))
    try:
        fit = calibrate(
            observed,
            base,
            runs,
            parameters=parameters,
            extra=named,
            observation=observation,
            particles=args.particles,
            generations=args.generations,
            quantile=args.quantile,
            check=args.check,
            seed=args.seed,
            point=args.point,
            top=args.top,
            replications=args.replicate,
            pilot=args.pilot,
            **({} if args.seeds is None else {"seeds": args.seeds}),
            **run_options(args),
        )
        fit.warnings[:0] = warnings
        fit.hours = hours
        folder = write_fit(fit, out, log.name, runs)
    except (ScenarioError, SweepError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail(f"interrupted; finished runs are kept in {shown(runs)}: rerun to resume", 130)
    except (OSError, RuntimeError) as exc:
        fail(f"cannot calibrate: {exc}", 1)
    for warning in fit.warnings[len(warnings) :]:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {shown(folder)}: {', '.join(OUTPUT_FILES)}")
    print(fit.posterior[["mean", "q05", "q95"]].to_string(float_format=lambda v: f"{v:.4g}"))
    table = kpi_table(fit)[["kpi", "observed", "calibrated", "band_low", "band_high",
                            "relative_error"]]  # fmt: skip
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0


def _export_log(args: argparse.Namespace) -> int:
    from sim.calibration.log import write_log
    from sim.cli.flags import FLAG_FIELDS
    from sim.config import ScenarioError, load_scenario
    from sim.model import CommunityModel

    out = Path(args.out)
    if not out.name.lower().endswith(LOG_SUFFIXES):
        fail(f"--out {args.out}: expected a file ending in {', '.join(LOG_SUFFIXES)}")
    if out.is_dir():
        fail(f"--out {args.out}: is a directory; expected a file")
    if not out.parent.resolve().is_dir():
        fail(f"--out {args.out}: the folder {out.parent} does not exist")
    import numpy as np

    try:
        np.datetime64(args.start or "2024-01-01", "D")
    except ValueError:
        fail(f"--start: got {args.start!r}; expected a date such as 2024-01-01")
    overrides = {
        field: getattr(args, flag)
        for flag, field in FLAG_FIELDS.items()
        if getattr(args, flag) is not None
    }
    try:
        scenario = load_scenario(args.scenario, overrides)
    except ScenarioError as exc:
        fail(str(exc))
    start = _log_start(args.start, scenario.hours)
    model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
    try:
        rows = write_log(model, scenario.run.days, out, start=start)
    except KeyboardInterrupt:
        fail("interrupted; nothing written", 130)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}", 1)
    print(f"wrote {rows:,} rows ({scenario.run.days} days, seed {scenario.run.seed}) to {out}")
    return 0


def _log_start(start: str | None, hours) -> str:
    """The date of an exported log's day 0. The model's day 1 falls on ``hours.first_weekday``
    (``sim.world.hours``), so with active hours and no ``--start`` day 0 is the day before the
    first date from 2024-01-01 on with that weekday (the log's weekdays are then the model's, and
    ``commsim calibrate`` reads the same weekday profile back); a ``--start`` whose day 1 falls on
    another weekday is kept, with a warning. Without hours: ``--start`` or 2024-01-01."""
    import numpy as np

    from sim.calibration.hours import first_weekday

    if hours is None:
        return start or "2024-01-01"
    if start is None:
        first = np.datetime64("2024-01-01", "D")
        day1 = first + (hours.first_weekday - first_weekday(int(first.astype(int)) - 1)) % 7
        return str(day1 - 1)
    weekday = first_weekday(int(np.datetime64(start, "D").astype(int)))
    if weekday != hours.first_weekday:
        names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        print(
            f"warning: --start {start}: the log's day 1 is a {names[weekday]}, the model's a "
            f"{names[hours.first_weekday]} (hours.first_weekday): the log's weekdays are not the "
            "model's",
            file=sys.stderr,
        )
    return start


CALIBRATION_COMMANDS = {"calibrate": _calibrate, "export-log": _export_log}
