"""Active hours in groups (issue 16 items 1 x 3): how much of each group scrolls or sinks away, and
what splitting the busy chat group changes, on paired seeds.

    .venv/bin/python benchmarks/diagnostics/hours_groups.py [--seeds 8] [--days 180]

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

Seeds are 1..N (the scenario's ``run.seed`` overridden).
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


def measure(seed: int, days: int, split: bool) -> dict[str, float]:
    overrides: dict[str, object] = {"run.seed": seed, "run.days": days}
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
    out = {
        "seen_chat": float(np.average(chat["seen"], weights=chat["active"])),
        "seen_board": float(np.average(board["seen"], weights=board["active"])),
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
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    return mean, mean - half, mean + half


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=8, help="paired seeds 1..N (8)")
    parser.add_argument("--days", type=int, default=180, help="days per run (180)")
    args = parser.parse_args(argv)
    keys = OUTCOMES + RETENTION
    arms = {False: [], True: []}
    for seed in range(1, args.seeds + 1):
        for split in (False, True):
            arms[split].append(measure(seed, args.days, split))
    print(f"{SCENARIO.name}, {args.seeds} paired seeds, {args.days} days; B: chat split by topic")
    print(f"{'outcome':<16}{'A (one chat)':>14}{'B (split)':>12}   B - A [95% CI]")
    for key in keys:
        a = np.array([row[key] for row in arms[False]])
        b = np.array([row[key] for row in arms[True]])
        mean, low, high = interval(b - a)
        print(
            f"{key:<16}{np.nanmean(a):>14.3f}{np.nanmean(b):>12.3f}   "
            f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
