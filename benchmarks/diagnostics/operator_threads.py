"""Diagnose operator content on the forum default (issue 14, the `truth` branch): members' threads
left unanswered, replies, ties, information and bond benefit with N operator posts a day.

    .venv/bin/python benchmarks/diagnostics/operator_threads.py 400 [seed]

Set-up: the atlas's (1,200 founders, a market of 6,000, 240 days); shares over days 151-240.
"""

import sys

import numpy as np

from sim.model import CommunityModel
from sim.policies import Strategy


def main(per_day: int, seed: int = 1) -> None:
    strategy = {"hours_per_day": max(per_day, 24)}
    if per_day:
        strategy["content"] = {"posts_per_day": per_day, "quality": 0.8}
    model = CommunityModel(
        members=1200, market_size=6000, strategy=Strategy.model_validate(strategy), rng=seed
    )
    unanswered, info = [], []
    reply = model.reply

    def counted(visitors, day):
        result = reply(visitors, day)
        if day > 150:
            unanswered.append(result.unanswered / max(result.closed, 1))
        return result

    model.reply = counted
    for day in range(240):
        model.step()
        if day > 150:
            pop = model.population
            info.append(float(pop.info_today[pop.slots_of(pop._visitor_mask)].mean()))
    s = model.series()
    print(
        per_day,
        "members",
        s["members"].iloc[-1],
        "dau",
        round(s["dau"].tail(30).mean(), 1),
        "member threads/day",
        round(s["threads"].tail(30).mean(), 1),
        "replies/day",
        round(s["replies"].tail(30).mean(), 1),
        "members' threads unanswered",
        round(float(np.mean(unanswered)), 3),
        "info",
        round(float(np.mean(info)), 3),
        "bond",
        round(s["mean_bond_benefit"].tail(30).mean(), 3),
        "ties",
        s["ties"].iloc[-1],
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)
