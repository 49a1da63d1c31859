"""What common random numbers buy: paired comparisons with far less noise than independent ones.

Two arms differ in one scalar model keyword (``--param``, default ``word_of_mouth_q``, values
``--values LOW HIGH``). Each of R replications runs the low arm with seed r and the high arm twice:

* **paired**: with the same seed r (common random numbers, as the experiment driver does);
* **independent**: with seed r + 10 000 (what a comparison without common random numbers sees).

For each KPI (final members, mean DAU over the last 30 days, total threads) the script prints the
variance of the high-minus-low difference across replications in both designs and the ratio
var(independent) / var(paired), with a bootstrap 95% confidence interval over replications. A ratio
of 25 means a paired comparison needs 25 times fewer replications for the same precision.

A second demonstration shows why: every decision draws from its own stream, positioned by day and
sampled by member slot (``sim.world.streams.RandomStreams``), so drawing (or no longer drawing) one
purpose's numbers leaves every other purpose's numbers unchanged.

    .venv/bin/python benchmarks/bench_crn.py
    .venv/bin/python benchmarks/bench_crn.py --param marketing_p --values 0.0003 0.00033 --reps 50
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from sim.model import CommunityModel
from sim.world.streams import RandomStreams

KPIS = ("final_members", "dau_last30", "total_threads")
INDEPENDENT_SEED_OFFSET = 10_000
MARKET_PER_MEMBER = 5  # market_size = 5 * members, as in bench_core


def kpis(model: CommunityModel) -> dict[str, float]:
    """The compared KPIs of one finished run."""
    series = model.series()
    return {
        "final_members": float(series["members"].iloc[-1]),
        "dau_last30": float(series["dau"].tail(30).mean()),
        "total_threads": float(series["threads"].sum()),
    }


def run_arm(
    param: str, value: float, seed: int, members: int, days: int, market_size: int | None = None
) -> dict[str, float]:
    """Run one arm (``param=value``) with ``seed`` and return its KPIs."""
    market = MARKET_PER_MEMBER * members if market_size is None else market_size
    model = CommunityModel(members=members, market_size=market, rng=seed, **{param: value})
    model.run(days)
    return kpis(model)


@dataclass
class Differences:
    """High-minus-low KPI differences per replication, in both designs (arrays of length R)."""

    paired: dict[str, np.ndarray] = field(default_factory=dict)
    independent: dict[str, np.ndarray] = field(default_factory=dict)


def replicate_differences(
    param: str,
    low: float,
    high: float,
    reps: int,
    members: int,
    days: int,
    market_size: int | None = None,
    independent_offset: int = INDEPENDENT_SEED_OFFSET,
    first_seed: int = 0,
) -> Differences:
    """Run R replications of the low arm and of the high arm in both designs (3R runs).

    Replication r (seeds ``first_seed .. first_seed + reps - 1``) runs the low arm with seed r,
    shared by both designs; the paired high arm uses seed r, the independent one seed
    ``r + independent_offset``.
    """
    rows = {"low": [], "paired": [], "independent": []}
    for r in range(first_seed, first_seed + reps):
        rows["low"].append(run_arm(param, low, r, members, days, market_size))
        rows["paired"].append(run_arm(param, high, r, members, days, market_size))
        rows["independent"].append(
            run_arm(param, high, r + independent_offset, members, days, market_size)
        )
    column = {
        arm: {k: np.array([row[k] for row in runs]) for k in KPIS} for arm, runs in rows.items()
    }
    return Differences(
        paired={k: column["paired"][k] - column["low"][k] for k in KPIS},
        independent={k: column["independent"][k] - column["low"][k] for k in KPIS},
    )


def variance_ratio(independent: np.ndarray, paired: np.ndarray) -> float:
    """var(independent) / var(paired) of the differences (inf when only the paired one is 0)."""
    var_ind, var_paired = np.var(independent, ddof=1), np.var(paired, ddof=1)
    if var_paired == 0:
        return float("inf") if var_ind > 0 else float("nan")
    return float(var_ind / var_paired)


def bootstrap_ratio_ci(
    independent: np.ndarray, paired: np.ndarray, n_boot: int = 2000, level: float = 0.95, rng=0
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``variance_ratio``, resampling replications.

    Both designs share each replication's low arm, so a replication is resampled as a whole.
    """
    gen = np.random.default_rng(rng)
    reps = len(paired)
    idx = gen.integers(0, reps, size=(n_boot, reps))
    var_ind = np.var(independent[idx], axis=1, ddof=1)
    var_paired = np.var(paired[idx], axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = var_ind / var_paired
    ratios = ratios[~np.isnan(ratios)]  # resamples of one repeated replication: 0 / 0
    tail = (1 - level) / 2
    # inverted_cdf picks observed ratios, so an infinite one (a zero paired variance) stays exact
    low, high = np.quantile(ratios, [tail, 1 - tail], method="inverted_cdf")
    return float(low), float(high)


@dataclass(frozen=True)
class VarianceComparison:
    """One KPI's variance of the difference under both designs, their ratio and its interval."""

    kpi: str
    mean_difference: float
    var_paired: float
    var_independent: float
    ratio: float
    ratio_ci: tuple[float, float]


def compare_designs(
    differences: Differences, n_boot: int = 2000, rng=0
) -> dict[str, VarianceComparison]:
    """Per KPI, the variance of the difference in each design and var(independent)/var(paired)."""
    result = {}
    for k in KPIS:
        paired, independent = differences.paired[k], differences.independent[k]
        result[k] = VarianceComparison(
            kpi=k,
            mean_difference=float(paired.mean()),
            var_paired=float(np.var(paired, ddof=1)),
            var_independent=float(np.var(independent, ddof=1)),
            ratio=variance_ratio(independent, paired),
            ratio_ci=bootstrap_ratio_ci(independent, paired, n_boot=n_boot, rng=rng),
        )
    return result


def paired_difference_variances(
    param: str,
    low: float,
    high: float,
    reps: int,
    members: int,
    days: int,
    market_size: int | None = None,
    independent_offset: int = INDEPENDENT_SEED_OFFSET,
    first_seed: int = 0,
    n_boot: int = 2000,
) -> dict[str, VarianceComparison]:
    """Run the replications and compare the designs: the whole benchmark as one call.

    >>> result = paired_difference_variances("word_of_mouth_q", 0.004, 0.0044, reps=3,
    ...                                      members=100, days=10, n_boot=50)
    >>> sorted(result)
    ['dau_last30', 'final_members', 'total_threads']
    """
    differences = replicate_differences(
        param, low, high, reps, members, days, market_size, independent_offset, first_seed
    )
    return compare_designs(differences, n_boot=n_boot)


def streams_demonstration(seed: int = 1, day: int = 5, n_slots: int = 10_000) -> dict[str, bool]:
    """Whether the day's ``visit`` draws stay the same when other purposes are drawn first or not.

    One set of streams draws only ``visit``; another first draws ``react``, ``post`` and ``reply``
    for the same day (as a model with reactions switched on would) and then ``visit``; a third draws
    ``visit`` on an earlier day first. A shared generator would shift the ``visit`` numbers in the
    second and third cases; per-purpose, per-day streams do not.
    """

    def fresh() -> RandomStreams:
        return RandomStreams(np.random.SeedSequence(seed))

    alone = fresh().uniform("visit", day, n_slots)
    after_others = fresh()
    for purpose in ("react", "post", "reply"):
        after_others.uniform(purpose, day, n_slots)
    after_earlier_day = fresh()
    after_earlier_day.uniform("visit", day - 1, n_slots)
    more_members = fresh().uniform("visit", day, 2 * n_slots)
    return {
        "visit unchanged after drawing react, post and reply first": bool(
            np.array_equal(alone, after_others.uniform("visit", day, n_slots))
        ),
        "visit unchanged after drawing the previous day's visit first": bool(
            np.array_equal(alone, after_earlier_day.uniform("visit", day, n_slots))
        ),
        "a member's visit draw unchanged when more members exist": bool(
            np.array_equal(alone, more_members[:n_slots])
        ),
        "react draws differ from visit draws (streams are distinct)": not np.array_equal(
            alone, fresh().uniform("react", day, n_slots)
        ),
    }


def print_report(
    args: argparse.Namespace,
    comparison: dict[str, VarianceComparison],
    demonstration: dict[str, bool],
) -> None:
    print(
        f"{args.param}: {args.values[0]} vs {args.values[1]}; {args.reps} replications of "
        f"{args.members:,} members x {args.days} days (market {args.market_size:,})"
    )
    print(
        f"{'KPI':<15} {'mean diff':>10} {'var paired':>12} {'var indep.':>12} {'ratio':>8} "
        f"{'95% CI':>17}"
    )
    for c in comparison.values():
        ci = f"[{c.ratio_ci[0]:.1f}, {c.ratio_ci[1]:.1f}]"
        print(
            f"{c.kpi:<15} {c.mean_difference:>10.2f} {c.var_paired:>12.2f} "
            f"{c.var_independent:>12.2f} {c.ratio:>8.1f} {ci:>17}"
        )
    print(
        "ratio = var(independent difference) / var(paired difference): how many times more "
        "replications an unpaired comparison needs for the same precision"
    )
    print("\nPer-purpose streams (sim.world.streams.RandomStreams):")
    for claim, holds in demonstration.items():
        print(f"  {'yes' if holds else 'NO '}  {claim}")


def comparable_parameters() -> list[str]:
    """CommunityModel's float keywords (size, seed and rules are set by the benchmark itself)."""
    signature = inspect.signature(CommunityModel.__init__).parameters.values()
    return [p.name for p in signature if isinstance(p.default, float)]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--param",
        default="word_of_mouth_q",
        help="a scalar keyword of CommunityModel (default word_of_mouth_q)",
    )
    parser.add_argument(
        "--values",
        type=float,
        nargs=2,
        default=[0.004, 0.0044],
        metavar=("LOW", "HIGH"),
        help="the two arms (default 0.004 0.0044)",
    )
    parser.add_argument("--reps", type=int, default=30, help="replications (default 30)")
    parser.add_argument("--members", type=int, default=1000, help="founding members (default 1000)")
    parser.add_argument(
        "--market-size", type=int, help=f"potential members (default {MARKET_PER_MEMBER} x members)"
    )
    parser.add_argument("--days", type=int, default=180, help="days per run (default 180)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.reps < 3:
        parser.error(f"--reps must be at least 3, got {args.reps}")
    if args.days < 1 or args.members < 1:
        parser.error(f"--days and --members must be positive, got {args.days} and {args.members}")
    if args.market_size is None:
        args.market_size = MARKET_PER_MEMBER * args.members
    if args.param not in comparable_parameters():
        parser.error(
            f"--param {args.param!r} is not a scalar keyword of CommunityModel; "
            f"choose one of {', '.join(comparable_parameters())}"
        )
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    print(f"running {3 * args.reps} runs ...", file=sys.stderr, flush=True)
    low, high = args.values
    differences = replicate_differences(
        args.param, low, high, args.reps, args.members, args.days, args.market_size
    )
    comparison = compare_designs(differences)
    demonstration = streams_demonstration()
    print_report(args, comparison, demonstration)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "comparison": {k: asdict(c) for k, c in comparison.items()},
            "streams": demonstration,
        }
        args.json.write_text(json.dumps(report, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
