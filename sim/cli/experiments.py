"""The experiment commands of ``commsim``: ``sweep``, ``compare``, ``report``, ``export``,
``sensitivity`` and ``validate``.

    commsim sweep experiments/studies/incentive-rules.yaml --report     # run (or resume), then report
    commsim sweep my-sweep.yaml --backend dask --address tcp://10.0.0.5:8786
    commsim compare results/incentive-rules --kpi retention_30 dau_last30
    commsim report results/incentive-rules
    commsim export results/incentive-rules --to csv   # tidy summaries and long daily series
    commsim sensitivity results/screening
    commsim status results/incentive-rules        # every run: pending, succeeded, failed...
    commsim validate --workers 2                  # every EVIDENCE.md target: results/validation/

A bad sweep file or folder exits with status 2 before anything is run or written; an interrupted
sweep keeps every finished run, and the same command resumes it. One driver at a time writes a
results folder: a second is refused with the first one's process id.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from sim.experiments.limits import MAX_PLANNED_RUNS

BACKEND_HELP = (
    "serial (in this process), process (local worker processes; the default) or dask "
    "(a local Dask cluster, or the cluster at --address)"
)


def add_backend_arguments(command: argparse.ArgumentParser, address: bool = True) -> None:
    """The options that choose where runs execute: backend, workers and a Dask scheduler."""
    command.add_argument(
        "--backend", choices=("serial", "process", "dask"), default="process", help=BACKEND_HELP
    )
    command.add_argument(
        "--workers", type=_positive, metavar="N", help="worker processes (default: one per core)"
    )
    if address:
        command.add_argument(
            "--address",
            metavar="tcp://HOST:PORT",
            help="an existing Dask scheduler (--backend dask)",
        )


def fail(message: str, status: int = 2) -> NoReturn:
    print(f"commsim: error: {message}", file=sys.stderr)
    raise SystemExit(status)


def shown(path: Path) -> str:
    """The path relative to the working directory when it is below it (shorter to read)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def whole_number(minimum: int):
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}; expected a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"got {value}; must be at least {minimum}")
        return value

    return parse


_positive = whole_number(1)


def _target(text: str) -> str:
    from sim.validation import TARGETS

    if text not in TARGETS:
        raise argparse.ArgumentTypeError(f"unknown target {text!r}; allowed: {', '.join(TARGETS)}")
    return text


def _kpi(text: str) -> str:
    from sim.experiments.sweep import KPIS

    if text not in KPIS and "@" not in text:  # series@window KPIs are checked against the sweep
        allowed = ", ".join(KPIS)
        raise argparse.ArgumentTypeError(f"unknown KPI {text!r}; allowed: {allowed}, series@window")
    return text


def add_experiment_commands(commands) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    sweep = commands.add_parser(
        "sweep",
        help="run a sweep file: strategies and designs with replications (resumes if stopped)",
        description="Run every run of a sweep file not yet stored in its results folder, on "
        "paired seeds, and store each as it finishes:\n  sweep.json, runs/<key>.parquet, "
        "failures.jsonl.\nA stopped sweep resumes where it was; a failing run is recorded "
        "and the sweep goes on.",
        epilog="examples:\n"
        "  commsim sweep experiments/studies/incentive-rules.yaml --report\n"
        "  commsim sweep my-sweep.yaml --workers 8 --replications 50\n"
        "  commsim sweep my-sweep.yaml --backend dask --address tcp://127.0.0.1:8786\n"
        "the format of sweep files: docs/sweep-reference.md (commsim schema --sweep --markdown)",
        formatter_class=raw,
    )
    sweep.add_argument("sweep_file", metavar="SWEEP", help="sweep YAML file")
    sweep.add_argument("--out", metavar="DIR", help="results folder (default: results/<name>)")
    add_backend_arguments(sweep)
    sweep.add_argument(
        "--replications", type=_positive, metavar="N", help="override the file's replications"
    )
    sweep.add_argument(
        "--days", type=_positive, metavar="N", help="override the scenario's run.days"
    )
    sweep.add_argument(
        "--members", type=_positive, metavar="N", help="override the scenario's community.members"
    )
    sweep.add_argument(
        "--report", action="store_true", help="write the report and print its headline at the end"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument(
        "--max-runs",
        type=_positive,
        default=MAX_PLANNED_RUNS,
        metavar="N",
        help=f"refuse a sweep planning more runs than this (default: {MAX_PLANNED_RUNS:,})",
    )
    sweep.add_argument(
        "--replace",
        action="store_true",
        help="let a changed sweep file replace the plan stored in the results folder even when "
        "stored runs drop out of it (refused otherwise)",
    )

    status = commands.add_parser(
        "status",
        help="the status of every run of a sweep: pending, running, succeeded, failed, aborted",
        description="Count a sweep's runs by status (pending: not started; running: under way "
        "in a live driver; succeeded: stored; failed: raised, with its traceback; aborted: its "
        "driver was stopped or killed), per strategy, name the driver running now if any, and "
        "show each failed run's traceback.",
    )
    status.add_argument("folder", metavar="RESULTS", help="a sweep's results folder")

    compare = commands.add_parser(
        "compare",
        help="the verdict, then paired differences of each strategy against the baseline",
        description="The verdict on each strategy (on the sweep's objective, in every window, at "
        "what cost), then for each KPI the paired difference (same seeds) of each strategy "
        "against the baseline, its 95% bootstrap confidence interval and the relative "
        "change. A window that ends after the runs' last day is refused (exit 2).",
        epilog="example:\n  commsim compare results/incentive-rules --kpi retention_30 --csv c.csv",
        formatter_class=raw,
    )
    compare.add_argument("folder", metavar="RESULTS", help="a sweep's results folder")
    compare.add_argument("--baseline", metavar="NAME", help="default: the sweep's baseline")
    compare.add_argument(
        "--kpi", nargs="+", type=_kpi, metavar="KPI", help="default: the sweep's kpis"
    )
    compare.add_argument(
        "--by-point", action="store_true", help="one comparison per design point, not pooled"
    )
    compare.add_argument("--csv", metavar="FILE", help="also write the table as CSV")

    report = commands.add_parser(
        "report",
        help="write a sweep's report (Markdown and HTML, with figures)",
        description="Write report.md and report.html with seaborn figures: KPI series with "
        "bands, retention curves, cost against retention, paired differences, the design's "
        "heatmaps and, for sensitivity designs, the indices.",
    )
    report.add_argument("folder", metavar="RESULTS", help="a sweep's results folder")
    report.add_argument("--out", metavar="DIR", help="default: RESULTS/report")

    export = commands.add_parser(
        "export",
        help="write a sweep's tidy tables (summaries, long daily series) as CSV or Parquet",
        description="Write two tidy tables of a sweep's stored runs:\n"
        "  summaries: one row per run: key, strategy, point, replication, factors, every KPI;\n"
        "  series: key, strategy, point, replication, factors, day, series, value.\n"
        "A sweep writes both as Parquet into its results folder when it ends.",
        epilog="examples:\n"
        "  commsim export results/incentive-rules --to csv --out tables/\n"
        "  duckdb -c \"select strategy, avg(value) from 'results/incentive-rules/series.parquet'"
        " where series = 'dau' group by strategy\"",
        formatter_class=raw,
    )
    export.add_argument("folder", metavar="RESULTS", help="a sweep's results folder")
    export.add_argument(
        "--to", choices=("csv", "parquet"), default="parquet", help="file format (default: parquet)"
    )
    export.add_argument("--out", metavar="DIR", help="folder to write into (default: RESULTS)")

    sensitivity = commands.add_parser(
        "sensitivity",
        help="Morris or Sobol sensitivity indices of a sensitivity sweep (needs SALib)",
        description="Sensitivity indices of each KPI to each design factor, for a sweep whose "
        "design kind is morris or sobol_indices.",
    )
    sensitivity.add_argument("folder", metavar="RESULTS", help="a sweep's results folder")
    sensitivity.add_argument("--strategy", metavar="NAME", help="default: the baseline")
    sensitivity.add_argument(
        "--kpi", nargs="+", type=_kpi, metavar="KPI", help="default: the sweep's kpis"
    )

    validate = commands.add_parser(
        "validate",
        help="run every validation target of EVIDENCE.md and write the validation page",
        description="Run every target of EVIDENCE.md as a paired experiment (resumable, parallel, "
        "like a sweep) and write validation.csv, validation.md, validation.html and figures: "
        "target, source, band, measured value, 95% CI, pass/fail.",
        epilog="examples:\n"
        "  commsim validate --workers 2                 # full: 30 replications (results/validation)\n"
        "  commsim validate --quick --strict            # CI: 3 replications, short runs\n"
        "  commsim validate --only G-1 G-2 W-1          # the groups measuring these targets",
        formatter_class=raw,
    )
    validate.add_argument(
        "--quick",
        action="store_true",
        help="3 replications of shorter runs; checks only the bands that are stable at that size",
    )
    validate.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a checked target fails"
    )
    validate.add_argument(
        "--out",
        metavar="DIR",
        help="results folder (default: results/validation, --quick: results/validation-quick)",
    )
    validate.add_argument(
        "--only", nargs="+", type=_target, metavar="TARGET", help="only these targets (e.g. P-1 K)"
    )
    validate.add_argument(
        "--replications", type=_positive, metavar="N", help="override the mode's replications"
    )
    add_backend_arguments(validate)
    validate.add_argument("--quiet", action="store_true", help="no progress bars")


def _sweep(args: argparse.Namespace) -> int:
    from sim.experiments.runner import run_sweep
    from sim.experiments.store import StoreError
    from sim.experiments.sweep import SweepError, load_sweep

    _check_backend(args)
    try:
        changes = {"run.days": args.days, "community.members": args.members}
        changes = {k: v for k, v in changes.items() if v is not None}
        sweep = load_sweep(args.sweep_file, args.replications, changes, args.max_runs)
    except SweepError as exc:
        fail(str(exc))
    for note in sweep.notes:
        print(f"note: {note}")
    out = Path(args.out or Path("results") / sweep.name)
    try:
        result = run_sweep(
            sweep,
            out,
            **run_options(args),
            replace=args.replace,
        )
    except StoreError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail(f"interrupted; finished runs are stored in {shown(out)}: rerun to resume", 130)
    except (OSError, RuntimeError) as exc:
        fail(f"cannot run the sweep: {exc}", 1)
    for note in result.notes:
        print(f"note: {note}")
    print(
        f"{result.finished} runs stored, {result.skipped} already there, {result.failed} failed "
        f"({result.unique} distinct runs of {result.planned} planned) in {result.seconds:.0f} s: "
        f"{shown(out)}"
    )
    for line in result.failures[:10]:
        print(f"  failed: {line}")
    if result.failed:
        print(f"  tracebacks: {shown(out / 'failures.jsonl')}")
    if args.report:
        _write_and_print_report(_results(out))
    return 0 if result.failed == 0 else 1


def run_options(args: argparse.Namespace) -> dict:
    """Where and how runs execute, from ``add_backend_arguments``'s options and ``--quiet``: the
    keyword arguments every runner-driven command passes on (``address`` where it is offered)."""
    options = {
        "backend": args.backend,
        "workers": args.workers,
        "progress": False if args.quiet else None,
    }
    if hasattr(args, "address"):
        options["address"] = args.address
    return options


def _check_backend(args: argparse.Namespace) -> None:
    """Refuse flags that do not fit the backend, and a malformed --address, before any work."""
    from sim.experiments.runner import check_address

    if args.address and args.backend != "dask":
        fail("--address needs --backend dask")
    if args.workers and args.backend == "serial":
        fail("--workers does not apply to --backend serial")
    if args.out is not None and "\0" in args.out:
        fail("--out: got a path with a NUL byte; a folder name cannot contain one")
    try:
        if args.address:
            check_address(args.address)
    except ValueError as exc:
        fail(str(exc))


def _status(args: argparse.Namespace) -> int:
    import pandas as pd

    from sim.experiments.store import STATUSES, ResultStore, StoreError

    store = ResultStore(args.folder)
    try:
        plan = store.plan()
        statuses = store.statuses()
    except StoreError as exc:
        fail(str(exc))
    runs = {r["key"]: r for r in plan.get("runs", [])}
    rows = pd.DataFrame(
        [{"strategy": runs[k]["strategy"], "status": v} for k, v in statuses.items()],
        columns=["strategy", "status"],
    )
    table = pd.crosstab(rows["strategy"], rows["status"]).reindex(columns=STATUSES, fill_value=0)
    table.loc["all"] = table.sum()
    name = plan.get("spec", {}).get("name", "?")
    print(f"{shown(store.folder)}: sweep {name!r}, {len(statuses)} distinct runs planned")
    driver = store.driver()
    print(f"driver: {driver}" if driver else "driver: none running")
    print(table.to_string())
    failed = {k for k, v in statuses.items() if v == "failed"}
    latest = {f["key"]: f for f in store.failures() if f.get("key") in failed}
    for key, failure in latest.items():
        print(
            f"\nfailed: {failure.get('strategy')} point {failure.get('point')} replication "
            f"{failure.get('replication')} (run {key}): {failure.get('error')}"
        )
        trace = (failure.get("traceback") or "").rstrip()
        if trace:
            print("  " + trace.replace("\n", "\n  "))
    return 0


def _results(folder):
    from sim.experiments.analysis import Results
    from sim.experiments.store import StoreError

    try:
        return Results(folder)
    except StoreError as exc:
        fail(str(exc))


def _compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from sim.experiments.sweep import describe_kpi
    from sim.experiments.verdict import fmt_change, fmt_value, kpi_label

    results = _results(args.folder)
    try:
        if args.by_point:
            table = results.compare(args.baseline, args.kpi)
        else:
            table = results.headline(args.baseline, args.kpi)
    except ValueError as exc:
        fail(str(exc))
    if table.empty:
        fail(f"nothing to compare in {args.folder}: no stored pairs of runs", 1)
    if args.csv:
        table.to_csv(args.csv, index=False)
    if args.baseline in (None, results.baseline):
        _print_verdict(results)
        print()
    shown_table = pd.DataFrame(
        {
            **({"point": table["point"]} if args.by_point else {}),
            **{f: table[f] for f in results.factors if args.by_point and f in table},
            "strategy": table["strategy"],
            "KPI": [kpi_label(k, results.windows) for k in table["kpi"]],
            "baseline": [
                fmt_value(v, describe_kpi(k).share)
                for k, v in zip(table["kpi"], table["baseline_mean"], strict=True)
            ],
            "strategy mean": [
                fmt_value(v, describe_kpi(k).share)
                for k, v in zip(table["kpi"], table["strategy_mean"], strict=True)
            ],
            "difference [95% CI]": [
                fmt_change(row.kpi, row.difference, row.ci_low, row.ci_high)
                for row in table.itertuples()
            ],
            "relative": [
                f"{100 * v:+.1f}%" if pd.notna(v) and abs(v) < 1e6 else "n/a"
                for v in table["relative"]
            ],
            "pairs": table["pairs"],
        }
    )
    print(
        f"paired differences from {table['baseline'].iloc[0]} (95% bootstrap CI); "
        "shares in %, their differences in percentage points (pts)"
    )
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(shown_table.to_string(index=False))
    return 0


def _report(args: argparse.Namespace) -> int:
    results = _results(args.folder)
    _write_and_print_report(results, args.out)
    return 0


def _write_and_print_report(results, out=None) -> None:
    from sim.experiments.report import write_report

    try:
        folder = write_report(results, out)
    except ValueError as exc:  # e.g. a window the runs never reached
        fail(str(exc))
    _print_report(folder, results)


def _print_report(folder: Path, results) -> None:
    import pandas as pd

    from sim.experiments.report import headline_table
    from sim.experiments.sweep import KPIS
    from sim.experiments.verdict import kpi_label

    print()
    _print_verdict(results)
    table = headline_table(results).T
    table.index = [
        kpi_label(k, results.windows) if k in KPIS or "@" in k else k for k in table.index
    ]
    print(f"\nreport: {shown(folder / 'report.html')} (and report.md)")
    print(
        f"headline: mean per strategy, then the paired difference from {results.baseline} "
        "[95% CI]; shares in %, their differences in percentage points"
    )
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string())


def _export(args: argparse.Namespace) -> int:
    from sim.experiments.tidy import write_tables

    results = _results(args.folder)
    try:
        paths = write_tables(results, args.out or args.folder, args.to)
    except OSError as exc:
        fail(f"cannot write the tables: {exc.strerror or exc}", 1)
    print("wrote " + ", ".join(shown(p) for p in paths))
    return 0


def _print_verdict(results) -> None:
    """The report's verdict, as plain text."""
    from sim.experiments.verdict import verdict_text

    intro, verdicts = verdict_text(results)
    print("verdict: " + intro.replace("**", ""))
    for line in verdicts:
        print("  - " + line.replace("**", ""))


def _sensitivity(args: argparse.Namespace) -> int:
    import pandas as pd

    from sim.experiments.sensitivity import analyse

    results = _results(args.folder)
    try:
        table = analyse(results, args.strategy, args.kpi)
    except (ValueError, ImportError) as exc:
        fail(str(exc))
    with pd.option_context("display.width", 200):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from sim.experiments.store import StoreError
    from sim.validation import validate
    from sim.validation.page import write_page

    _check_backend(args)
    out = Path(args.out or Path("results") / ("validation-quick" if args.quick else "validation"))
    try:
        outcome = validate(
            out,
            quick=args.quick,
            **run_options(args),
            only=args.only,
            replications=args.replications,
        )
    except StoreError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail(f"interrupted; finished runs are stored in {shown(out)}: rerun to resume", 130)
    except (OSError, RuntimeError) as exc:
        fail(f"cannot run the validation: {exc}", 1)
    command = "commsim " + " ".join(sys.argv[1:]) if sys.argv[1:] else "commsim validate"
    page = write_page(
        outcome.checks, out, outcome.quick, outcome.seconds, command, outcome.run_seconds
    )
    print(f"{'':5} {'measure':62} {'mean':>8} {'95% CI':>20}  {'band':>12}  result")
    for check in outcome.checks:
        print(check.line(outcome.quick))
    failed = outcome.failed()
    for group, runs in outcome.failed_runs.items():
        print(f"  {runs} run(s) of group {group} failed: {shown(out / group / 'failures.jsonl')}")
    print(
        f"{len(outcome.checks) - len(failed)} of {len(outcome.checks)} checks pass or are "
        f"reported only; {len(failed)} fail ({', '.join(sorted({c.target for c in failed})) or 'none'})"
        f" in {sum(outcome.seconds.values()):.0f} s: {shown(page)}"
    )
    return 1 if args.strict and (failed or outcome.failed_runs) else 0


EXPERIMENT_COMMANDS = {
    "sweep": _sweep,
    "compare": _compare,
    "report": _report,
    "export": _export,
    "sensitivity": _sensitivity,
    "status": _status,
    "validate": _validate,
}
