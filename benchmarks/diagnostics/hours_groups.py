"""Active hours in groups (issue 16 items 1 x 3): how much of each group scrolls or sinks away, and
what splitting the busy chat group changes, on paired seeds.

    .venv/bin/python benchmarks/diagnostics/hours_groups.py [--seeds 8] [--days 180] [--no-hours]

Arm A is ``experiments/hours-groups.yaml`` as written (a chat group for every topic and a forum
board for topics 0 and 1, active hours on); arm B is the same with the chat group split in two
chat groups by topic (topics 0, 2, 4, 6 and 1, 3, 5, 7; the board unchanged). With hours each
group's items age in the group's own stream (``sim.world.hours``, ``Clock.age``), so the halves
scroll by their own, smaller traffic. Reported per arm (mean over seeds) and as paired differences
B - A with a 95% Student t-interval over seeds:

* ``seen_chat``: the share of a chat group's messages its visitors could still see at their visit
  hours (``groups.parquet``'s ``seen``, visitor-weighted over the chat groups and the last 30 days),
  ``seen_board`` the board's;
* the atlas outcomes: members at the end, daily actives and posts (threads + replies) a day over
  the last 30 days, retention(30) and retention(90) in points.

Seeds are 1..N (the scenario's ``run.seed`` overridden). ``--no-hours`` also runs both arms without
the ``hours`` section (the day-only model: nothing sinks or scrolls, ``seen`` is not measured) and
prints the split's effect with hours minus its effect without, per seed: the part the per-group
ageing adds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy import stats

from sim.config import load_scenario
from sim.model import CommunityModel

SCENARIO = Path(__file__).resolve().parents[2] / "experiments" / "hours-groups.yaml"
SPLIT = [
    {"name": "chat a", "platform": {"kind": "chat_group"}, "topics": [0, 2, 4, 6]},
    {"name": "chat b", "platform": {"kind": "chat_group"}, "topics": [1, 3, 5, 7]},
    {"name": "questions", "platform": {"kind": "forum"}, "topics": [0, 1]},
]
OUTCOMES = ("seen_chat", "seen_board", "members_end", "dau_last30", "posts_per_day")
RETENTION = ("retention_30", "retention_90")


def measure(seed: int, days: int, split: bool, hours: bool = True) -> dict[str, float]:
    overrides: dict[str, object] = {"run.seed": seed, "run.days": days}
    if not hours:
        overrides["hours"] = None
    if split:
        overrides["groups"] = SPLIT
    scenario = load_scenario(SCENARIO, overrides)
    model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
    model.run(days)
    frame = model.groups_frame()
    last = frame[(frame["day"] > days - 30) & (frame["active"] > 0)]
    chat = last[last["kind"] == "chat_group"]
    board = last[last["kind"] == "forum"]
    series = model.series().tail(30)
    summary = model.summary()
    seen = "seen" in last.columns
    out = {
        "seen_chat": float(np.average(chat["seen"], weights=chat["active"])) if seen else np.nan,
        "seen_board": float(np.average(board["seen"], weights=board["active"])) if seen else np.nan,
        "members_end": float(summary["members_end"]),
        "dau_last30": float(summary["dau_last30"]),
        "posts_per_day": float((series["threads"] + series["replies"]).mean()),
    }
    for key in RETENTION:
        value = summary.get(key)
        out[key] = float("nan") if value is None else 100 * float(value)
    return out


def interval(values: np.ndarray) -> tuple[float, float, float]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    return mean, mean - half, mean + half


def _mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def table(arms: dict[bool, list[dict]], title: str) -> dict[str, np.ndarray]:
    """Print one comparison; returns the per-seed differences B - A by outcome."""
    print(title)
    print(f"{'outcome':<16}{'A (one chat)':>14}{'B (split)':>12}   B - A [95% CI]")
    differences = {}
    for key in OUTCOMES + RETENTION:
        a = np.array([row[key] for row in arms[False]])
        b = np.array([row[key] for row in arms[True]])
        differences[key] = b - a
        mean, low, high = interval(b - a)
        print(
            f"{key:<16}{_mean(a):>14.3f}{_mean(b):>12.3f}   {mean:+.3f} [{low:+.3f}, {high:+.3f}]"
        )
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=8, help="paired seeds 1..N (8)")
    parser.add_argument("--days", type=int, default=180, help="days per run (180)")
    parser.add_argument(
        "--no-hours",
        action="store_true",
        help="also run both arms without hours, and print the split's effect with hours minus "
        "without (per seed, 95%% CI)",
    )
    args = parser.parse_args(argv)
    variants = (True, False) if args.no_hours else (True,)
    found = {}
    for hours in variants:
        arms: dict[bool, list[dict]] = {False: [], True: []}
        for seed in range(1, args.seeds + 1):
            for split in (False, True):
                arms[split].append(measure(seed, args.days, split, hours))
        name = "with hours" if hours else "without hours"
        title = f"{SCENARIO.name} {name}, {args.seeds} paired seeds, {args.days} days"
        found[hours] = table(arms, title + "; B: the chat group split by topic")
    if args.no_hours:
        print("the split's effect with hours minus without (per seed) [95% CI]")
        for key in ("members_end", "dau_last30", "posts_per_day", *RETENTION):
            mean, low, high = interval(found[True][key] - found[False][key])
            print(f"{key:<16}{mean:+.3f} [{low:+.3f}, {high:+.3f}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
