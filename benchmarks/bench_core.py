"""Speed and memory of the vectorised model, and its speed-up over the object-per-member oracle.

For each policy mode and size N, a fresh subprocess builds
``CommunityModel(members=N, market_size=5*N, strategy=..., rng=1)``, runs it for ``--days`` days
and reports wall time (set-up plus run), member-days per second (the sum over days of members
alive, from ``model.series()["members"]``) per wall second and per CPU second (user plus system
time of the process: "per core", whatever threads numpy or scipy use), peak resident memory above
the baseline after imports (``getrusage(RUSAGE_SELF).ru_maxrss``), and the bytes held by member
state and ties (``model.population.nbytes``) per member ever joined and per member alive at the
end.

Policy modes: ``none`` (no operator) and ``all`` (every lever active: the strategy of
``experiments/all-levers.yaml``, written for 2,000 members, with the team's hours, budget,
operator posts and event capacities scaled by N / 2,000; see ``all_levers_strategy``).

Before anything is timed, each process runs a small community for a few days (``warm_up``), so the
figures do not include loading (or, on a first run, compiling and caching) the numba kernels of
``sim.world.kernels``; the seconds that took are reported as ``warm_up_seconds``.

Then, if ``sim.validation.oracle`` exists, the one-object-per-member oracle and the vectorised model each run
10 000 members for ``--oracle-days`` days (the oracle three times and the vectorised model five
times, the medians taken) and the ratio of their member-days per second is printed.

    .venv/bin/python benchmarks/bench_core.py                 # 10k, 100k, 1M members x 365 days
    .venv/bin/python benchmarks/bench_core.py --quick         # 10k and 100k x 30 days
    .venv/bin/python benchmarks/bench_core.py --sizes 100000 --json results/bench_core.json
    .venv/bin/python benchmarks/bench_core.py --policies all --sizes 1000000 --no-oracle
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from sim.config import load_scenario
from sim.model import CommunityModel
from sim.policies import Strategy

MARKET_PER_MEMBER = 5  # market_size = 5 * members
ORACLE_MEMBERS = 10_000
# the oracle comparison takes the median of this many runs of each side
ORACLE_REPEATS, VECTORISED_REPEATS = 3, 5
ALL_LEVERS = Path(__file__).resolve().parents[1] / "experiments" / "all-levers.yaml"
POLICY_MODES = ("none", "all")

# The foundation issue's goals.
GOAL_MEMBERS, GOAL_DAYS, GOAL_SECONDS = 100_000, 365, 20.0
GOAL_BYTES_PER_MEMBER = 400
GOAL_ORACLE_SPEEDUP = 30.0
# The performance issue's goals (every policy active for the first two).
SCALE_MEMBERS = 1_000_000
GOAL_RATE_PER_CORE = 10_000_000  # member-days per CPU second
GOAL_PEAK_MB = 1.5 * 1024  # 1M members x 365 days
GOAL_ORACLE_SPEEDUP_SCALE = 50.0

QUICK = {"sizes": [10_000, 100_000], "days": 30, "oracle_days": 5}
DEFAULTS = {
    "sizes": [10_000, 100_000, 1_000_000],
    "days": 365,
    "oracle_days": 20,
    "policies": list(POLICY_MODES),
}


def member_days(model) -> int:
    """Sum over days of the members alive at the end of each day."""
    return int(model.series()["members"].sum())


def all_levers_strategy(members: int) -> Strategy:
    """The strategy of ``experiments/all-levers.yaml`` for a community of ``members``: the team's
    hours, budget, operator posts and event capacities scale with the size it was written for."""
    scenario = load_scenario(ALL_LEVERS)
    factor = members / scenario.community.members
    strategy = scenario.strategy.model_copy(deep=True)
    strategy.hours_per_day *= factor
    strategy.budget *= factor
    strategy.content.posts_per_day *= factor
    for event in strategy.events.calendar:
        event.capacity = max(1, round(event.seats * factor))
    return strategy


def _peak_rss_bytes() -> int:
    # ru_maxrss is in KiB on Linux and in bytes on macOS
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_run(
    model_class, members: int, days: int, strategy: Strategy | None = None, hours=None
) -> tuple[object, float, float]:
    """Build and run one model; returns it with the wall and CPU seconds of set-up plus run."""
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    extra = {} if strategy is None else {"strategy": strategy}
    if hours is not None:
        extra["hours"] = hours
    model = model_class(members=members, market_size=MARKET_PER_MEMBER * members, rng=1, **extra)
    model.run(days)
    return model, time.perf_counter() - start, _cpu_seconds() - cpu_start


def warm_up() -> float:
    """Run a small every-lever community for a few days so that the compiled kernels
    (``sim.world.kernels``) are loaded, or compiled and cached, before anything is timed; returns the
    seconds this took (reported, not counted in the figures)."""
    start = time.perf_counter()
    model = CommunityModel(members=300, market_size=1500, strategy=all_levers_strategy(300), rng=1)
    model.run(5)
    return time.perf_counter() - start


def measure(members: int, days: int, policies: str = "none", hours: bool = False) -> dict:
    """One size, measured in this process (the parent runs it in a fresh subprocess per size);
    ``hours``: with active hours (``sim.world.hours``: the evening profile for every segment,
    experts night owls), else the day-only model."""
    strategy = all_levers_strategy(members) if policies == "all" else None
    warm_up_seconds = warm_up()
    baseline = _peak_rss_bytes()
    active = None
    if hours:
        from sim.world.hours import ActiveHours

        active = ActiveHours(segments={"expert": "night_owl"})
    model, seconds, cpu_seconds = timed_run(CommunityModel, members, days, strategy, active)
    peak = _peak_rss_bytes()
    population = model.population
    work = member_days(model)
    return {
        "policies": policies,
        "hours": hours,
        "members": members,
        "days": days,
        "warm_up_seconds": warm_up_seconds,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "member_days": work,
        "member_days_per_s": work / seconds,
        "member_days_per_cpu_s": work / cpu_seconds,
        "peak_rss_mb": (peak - baseline) / 2**20,
        "baseline_rss_mb": baseline / 2**20,
        "state_bytes": population.nbytes,
        "tie_bytes": population.ties.nbytes,
        "n_ties": population.ties.n_ties,
        "members_joined": population.n,
        "members_alive": population.n_alive,
        "bytes_per_member_joined": population.nbytes / population.n,
        "bytes_per_member_alive": population.nbytes / max(population.n_alive, 1),
    }


def measure_in_subprocess(members: int, days: int, policies: str, hours: bool = False) -> dict:
    """Run ``measure`` in a fresh interpreter so each size's peak memory is its own."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--measure-one",
        str(members),
        "--days",
        str(days),
        "--policies",
        policies,
        *(["--hours"] if hours else []),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {members} members failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare_with_oracle(days: int) -> dict:
    """Member-days per second of the oracle and the vectorised model at 10k members for ``days``."""
    try:
        oracle_class = importlib.import_module("sim.validation.oracle").OracleModel
    except (ImportError, AttributeError) as error:
        return {"available": False, "reason": f"{type(error).__name__}: {error}"}
    warm_up()
    rates = {}
    for name, model_class, repeats in (
        ("oracle", oracle_class, ORACLE_REPEATS),
        ("vectorised", CommunityModel, VECTORISED_REPEATS),
    ):
        # both vary by several percent from run to run: the median of a few is steadier
        timings = [timed_run(model_class, ORACLE_MEMBERS, days) for _ in range(repeats)]
        model = timings[0][0]
        seconds = statistics.median(t[1] for t in timings)
        cpu_seconds = statistics.median(t[2] for t in timings)
        work = member_days(model)
        rates[name] = {
            "runs": repeats,
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "member_days_per_s": work / seconds,
            "member_days_per_cpu_s": work / cpu_seconds,
        }
    speedup = (
        rates["vectorised"]["member_days_per_cpu_s"] / rates["oracle"]["member_days_per_cpu_s"]
    )
    wall = rates["vectorised"]["member_days_per_s"] / rates["oracle"]["member_days_per_s"]
    return {
        "available": True,
        "members": ORACLE_MEMBERS,
        "days": days,
        **rates,
        "speedup": speedup,
        "speedup_wall": wall,
    }


def _row(run: dict) -> str:
    return (
        f"{run['policies']:>8} {run['members']:>10,} {run['days']:>5} {run['seconds']:>9.2f} "
        f"{run['member_days_per_s']:>14,.0f} {run['member_days_per_cpu_s']:>14,.0f} "
        f"{run['peak_rss_mb']:>12.1f} "
        f"{run['bytes_per_member_joined']:>10.0f} {run['bytes_per_member_alive']:>10.0f}"
    )


def print_table(runs: list[dict]) -> None:
    print(
        f"{'policies':>8} {'size':>10} {'days':>5} {'seconds':>9} {'member-days/s':>14} "
        f"{'per CPU-s':>14} {'peak RSS MB':>12} {'B/joined':>10} {'B/alive':>10}"
    )
    for run in runs:
        print(_row(run))
    print("seconds: set-up plus run; per CPU-s: member-days per second of CPU time (per core);")
    print("peak RSS: above the baseline after imports (fresh process);")
    print(
        "B/joined, B/alive: population.nbytes (state + ties, allocated) per member ever joined / "
        "alive at the end"
    )


def goals(runs: list[dict], oracle: dict) -> list[dict]:
    """Each goal of the issues with the figure measured for it (None when not measured)."""
    return _foundation_goals([r for r in runs if r["policies"] == "none"], oracle) + _scale_goals(
        runs, oracle
    )


def _scale_goals(runs: list[dict], oracle: dict) -> list[dict]:
    at_scale = [
        r
        for r in runs
        if r["policies"] == "all" and r["members"] == SCALE_MEMBERS and r["days"] == GOAL_DAYS
    ]
    rate = at_scale[0]["member_days_per_cpu_s"] if at_scale else None
    peak = at_scale[0]["peak_rss_mb"] if at_scale else None
    speedup = oracle.get("speedup")
    return [
        {
            "goal": f">= {GOAL_RATE_PER_CORE / 1e6:.0f}M member-days/s per core, "
            f"{SCALE_MEMBERS // 10**6}M members, every policy",
            "measured": rate,
            "unit": "member-days per CPU-s",
            "met": None if rate is None else rate >= GOAL_RATE_PER_CORE,
        },
        {
            "goal": f"{SCALE_MEMBERS // 10**6}M members x {GOAL_DAYS} days, every policy, "
            f"in <= {GOAL_PEAK_MB / 1024:.1f} GB",
            "measured": peak,
            "unit": "MB peak RSS",
            "met": None if peak is None else peak <= GOAL_PEAK_MB,
        },
        {
            "goal": f">= {GOAL_ORACLE_SPEEDUP_SCALE:.0f}x the oracle at {ORACLE_MEMBERS:,} members",
            "measured": speedup,
            "unit": "x",
            "context": oracle.get("days") and f"member-days per CPU-s over {oracle['days']} days",
            "met": None if speedup is None else speedup >= GOAL_ORACLE_SPEEDUP_SCALE,
        },
    ]


def _foundation_goals(runs: list[dict], oracle: dict) -> list[dict]:
    at_goal_size = [r for r in runs if r["members"] == GOAL_MEMBERS]
    timed = [r for r in at_goal_size if r["days"] == GOAL_DAYS]
    seconds = timed[0]["seconds"] if timed else None
    sized = at_goal_size[-1] if at_goal_size else None
    bytes_per_member = sized["bytes_per_member_joined"] if sized else None
    speedup = oracle.get("speedup")
    return [
        {
            "goal": f"{GOAL_MEMBERS:,} members x {GOAL_DAYS} days in <= {GOAL_SECONDS:.0f} s",
            "measured": seconds,
            "unit": "s",
            "met": None if seconds is None else seconds <= GOAL_SECONDS,
        },
        {
            "goal": f"<= {GOAL_BYTES_PER_MEMBER} bytes per member, ties included",
            "measured": bytes_per_member,
            "unit": "B",
            "context": sized
            and f"{GOAL_MEMBERS:,} members after {sized['days']} days, per member ever joined",
            "met": None if bytes_per_member is None else bytes_per_member <= GOAL_BYTES_PER_MEMBER,
        },
        {
            "goal": f">= {GOAL_ORACLE_SPEEDUP:.0f}x the oracle at {ORACLE_MEMBERS:,} members",
            "measured": speedup,
            "unit": "x",
            "context": oracle.get("days") and f"member-days per CPU-s over {oracle['days']} days",
            "met": None if speedup is None else speedup >= GOAL_ORACLE_SPEEDUP,
        },
    ]


def print_goals(goal_rows: list[dict]) -> None:
    print("\nGoals (foundation issue, then performance issue):")
    for g in goal_rows:
        if g["measured"] is None:
            status = "not measured by this run"
        else:
            status = f"{g['measured']:,.1f} {g['unit']}  {'met' if g['met'] else 'NOT MET'}"
            if g.get("context"):
                status += f"  ({g['context']})"
        print(f"  {g['goal']:<62} {status}")


def print_oracle(oracle: dict) -> None:
    print("\nOracle comparison:")
    if not oracle["available"]:
        print(
            f"  the oracle (sim.validation.oracle.OracleModel) is not available ({oracle['reason']}); "
            "ratio skipped"
        )
        return
    for name in ("oracle", "vectorised"):
        rate = oracle[name]
        runs = f", median of {rate['runs']} runs" if rate["runs"] > 1 else ""
        print(
            f"  {name:<10} {oracle['members']:,} members x {oracle['days']} days: "
            f"{rate['seconds']:8.2f} s ({rate['cpu_seconds']:.2f} CPU-s{runs}), "
            f"{rate['member_days_per_cpu_s']:12,.0f} member-days per CPU-s"
        )
    print(
        f"  speed-up: {oracle['speedup']:.1f}x per CPU second "
        f"({oracle['speedup_wall']:.1f}x in wall time)"
    )


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor(),
        "platform": platform.platform(),
    }


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        help=f"member counts (default {' '.join(map(str, DEFAULTS['sizes']))})",
    )
    parser.add_argument("--days", type=int, help=f"days per run (default {DEFAULTS['days']})")
    parser.add_argument(
        "--oracle-days",
        type=int,
        help=f"days of the oracle comparison (default {DEFAULTS['oracle_days']})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10k and 100k members x 30 days, oracle 5 days, both policy modes (explicit flags win)",
    )
    parser.add_argument(
        "--policies",
        nargs="+",
        choices=POLICY_MODES,
        help="none: no operator; all: every lever active (default: both)",
    )
    parser.add_argument("--no-oracle", action="store_true", help="skip the oracle comparison")
    parser.add_argument(
        "--hours",
        action="store_true",
        help="with active hours (sim.world.hours; issue 16 item 1's budget: x1.30 at most)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--measure-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    fallback = {**DEFAULTS, **QUICK} if args.quick else DEFAULTS
    for name, value in fallback.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("days", "oracle_days"):
        value = getattr(args, name)
        if value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if min(args.sizes) < 1:
        parser.error(f"--sizes must be positive, got {args.sizes}")
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.measure_one is not None:
        print(json.dumps(measure(args.measure_one, args.days, args.policies[0], args.hours)))
        return
    runs = []
    for policies in args.policies:
        for members in args.sizes:
            print(
                f"measuring {members:,} members x {args.days} days, policies: {policies} ...",
                file=sys.stderr,
                flush=True,
            )
            runs.append(measure_in_subprocess(members, args.days, policies, args.hours))
    if args.no_oracle:
        oracle = {"available": False, "reason": "skipped (--no-oracle)"}
    else:
        print(
            f"oracle comparison, {ORACLE_MEMBERS:,} members x {args.oracle_days} days ...",
            file=sys.stderr,
            flush=True,
        )
        oracle = compare_with_oracle(args.oracle_days)
    print_table(runs)
    print_oracle(oracle)
    goal_rows = goals(runs, oracle)
    print_goals(goal_rows)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {"runs": runs, "oracle": oracle, "goals": goal_rows, "environment": environment()}
        args.json.write_text(json.dumps(report, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
