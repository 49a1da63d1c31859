"""Where a day's time goes: cProfile of ``CommunityModel`` with every lever, by phase and function.

Builds the every-lever community of ``bench_core.py`` (``all_levers_strategy``) at ``--members``,
runs its first day outside the profile (the compiled kernels load or compile then), profiles the
remaining ``--days - 1`` days and prints the cumulative time of each phase of
``CommunityModel.step`` and the functions with the most time of their own, each as a share of the
profiled ``step`` total. Profiling inflates the time of short Python calls, so the shares, not the
seconds, are the figures to compare.

    .venv/bin/python benchmarks/profile_phases.py --members 100000 --days 365
    .venv/bin/python benchmarks/profile_phases.py --members 1000000 --days 60 --json results/p.json
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import MARKET_PER_MEMBER, all_levers_strategy

from sim.model import CommunityModel

# (label, file, function) of each phase, in the order of CommunityModel.step
PHASES = (
    ("start of day", "agents.py", "start_day"),
    ("arrivals", "model.py", "arrive"),
    ("operator acts", "model.py", "operator_acts"),
    ("visit", "agents.py", "visit"),
    ("read", "agents.py", "read"),
    ("post", "agents.py", "post"),
    ("reply (incl. ties)", "model.py", "reply"),
    ("react", "model.py", "react"),
    ("invite", "agents.py", "invite"),
    ("levers respond (incentives awarded)", "model.py", "levers_respond"),
    ("state update (incl. ties)", "agents.py", "update_states"),
    ("tie decay", "ties.py", "decay"),
    ("leave", "agents.py", "maybe_leave"),
    ("retention", "agents.py", "observe_retention"),
    ("publish", "model.py", "_publish"),
    ("metrics", "model.py", "_collect"),
)


def profile(members: int, days: int) -> dict:
    model = CommunityModel(
        members=members,
        market_size=MARKET_PER_MEMBER * members,
        strategy=all_levers_strategy(members),
        rng=1,
    )
    model.step()
    profiler = cProfile.Profile()
    cpu = time.process_time()
    profiler.enable()
    model.run(days - 1)
    profiler.disable()
    cpu = time.process_time() - cpu
    stats = pstats.Stats(profiler).stats

    def cumulative(file: str, function: str) -> float:
        return sum(
            entry[3]
            for (path, _, name), entry in stats.items()
            if path.endswith(file) and name == function
        )

    total = cumulative("model.py", "step")
    own = sorted(
        ((entry[2], f"{Path(path).name}:{name}") for (path, _, name), entry in stats.items()),
        reverse=True,
    )
    return {
        "members": members,
        "days": days,
        "process_cpu_seconds": cpu,
        "step_seconds": total,
        "member_days": int(model.series()["members"].sum()),
        "phases": [(label, cumulative(f, fn)) for label, f, fn in PHASES],
        "own_time": [(name, seconds) for seconds, name in own[:15]],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--json", type=Path, help="also write the profile to this JSON file")
    args = parser.parse_args(argv)
    result = profile(args.members, args.days)
    total = result["step_seconds"]
    print(
        f"{args.members:,} members x {args.days} days, every lever: profiled step {total:.1f} s "
        f"(process CPU {result['process_cpu_seconds']:.1f} s, days 2..{args.days})"
    )
    print("phase (cumulative)")
    for label, seconds in result["phases"]:
        print(f"  {label:28} {seconds:8.2f} s {100 * seconds / total:6.1f}%")
    print("functions (own time)")
    for name, seconds in result["own_time"]:
        print(f"  {name[:60]:60} {seconds:8.2f} s {100 * seconds / total:6.1f}%")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
