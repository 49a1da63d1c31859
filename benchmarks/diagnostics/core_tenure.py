"""Issue 15 after calibration 28: does the core stay as long as the log's?

Two views. ``spans``: the top contributors of an activity log (a real export, or a run's
``commsim export-log``), each with its contributions and the days of its first and last, counted
from the log's first contribution; given a ``benchmarks/realdata_calibrate.py`` folder and
export names, the log's and its four runs' side by side. ``trace``: one run of a scenario (a
``calibrated.yaml``), its heaviest founders' loyalty, interest (both scale its visits), posts
and presence every ``--every`` days, when and how each left (``inactive``: no visit for
``inactivity_limit`` days; ``quit``: the loyalty hazard or a competitor's lure), and what the
heaviest one's visits gave it, as ``Population.update_states`` weighs it.

    .venv/bin/python benchmarks/diagnostics/core_tenure.py spans results/rd28 attrs click
    .venv/bin/python benchmarks/diagnostics/core_tenure.py trace \\
        results/rd28/fit-click/calibrated.yaml --seed 1

At calibration 28 the second view shows why the first fails: a founder weighted to visit every
day still sees its loyalty sink, and visits follow loyalty. On seed 1 of click's fit its loyalty
fell from 0.59 to 0.10 in 600 days, 129 contributions made, and it left by inactivity on day
600: after its first 100 days its visits gave it a target loyalty of 0.054 to 0.078 (means per
100 days; what it read and the replies it got weighed next to nothing against the aspiration).
On conlang.meta's its loyalty fell to 0.10 with 18 made, and it quit on day 646 (momentum's
commitment, 0.1 + 0.9 x 18 / (18 + 128), under the quit threshold, 0.27).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sim.agents import benefit_terms, loyalty_target
from sim.config.loading import load_scenario
from sim.model import CommunityModel

CONTRIBUTIONS = ("post", "reply")


def spans(log: Path, top: int = 3) -> tuple[int, int, list[tuple[int, int, int]]]:
    """The log's days (first contribution to last, inclusive), its contributions, and its ``top``
    members by contributions as (contributions, first day, last day), most first."""
    rows = pd.read_parquet(log, columns=["member", "timestamp", "action"])
    rows = rows[rows["action"].isin(CONTRIBUTIONS)]
    if rows.empty:
        return 0, 0, []
    day = (rows["timestamp"] - rows["timestamp"].min()).dt.days
    per_member = (
        rows.assign(day=day)
        .groupby("member")["day"]
        .agg(["size", "min", "max"])
        .sort_values("size", ascending=False, kind="stable")
    )
    heads = per_member.head(top)
    members = [(int(n), int(a), int(b)) for n, a, b in heads.itertuples(index=False)]
    return int(day.max()) + 1, len(rows), members


def trace(
    scenario_path: Path | None, seed: int, every: int = 100, top: int = 5, overrides=None
) -> dict:
    """Run the scenario (``None``: the default; ``overrides`` as ``load_scenario`` takes them)
    on ``seed`` and follow its ``top`` founders by expected writing at the start (threads and
    replies per visit times the visiting probability: a weighted founder who visits seldom
    writes more per visit): their loyalty, interest, posts and presence every ``every`` days,
    and each one's leaving day and how (``inactive``, ``quit``, ``staying``). ``benefits``: for
    the heaviest, per ``every`` days, its visits and the means over them of what
    ``Population.update_states`` weighs (see ``_weighed``)."""
    scenario = load_scenario(scenario_path, overrides)
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    pop = model.population
    founders = np.flatnonzero(pop.view("is_founder"))
    per_visit = pop.view("post_base")[founders] + pop.view("reply_base")[founders]
    rate = per_visit * pop.view("visit_base")[founders]
    followed = founders[np.argsort(-rate, kind="stable")][:top]
    limit = model.rules.inactivity_limit
    days, rows, benefits, weighed = scenario.run.days, [], [], []
    how = ["staying"] * followed.size
    heaviest = followed[0]
    visits, reactions = int(pop.visits[heaviest]), int(pop.reactions_received[heaviest])
    for day in range(days):
        expected = pop.aspiration_level[heaviest : heaviest + 1].copy()  # before today's visit
        model.step()
        if pop.visits[heaviest] > visits:  # it visited today: what did the visit give it?
            got = int(pop.reactions_received[heaviest]) - reactions
            weighed.append(_weighed(pop, model.rules, heaviest, got, expected))
        visits, reactions = int(pop.visits[heaviest]), int(pop.reactions_received[heaviest])
        if (day + 1) % every == 0 or day == days - 1:
            terms = np.array(weighed).reshape(-1, 5)
            means = terms.mean(axis=0) if len(weighed) else np.full(5, np.nan)
            names = ("information", "bond", "fun", "cost", "target")
            period = {"from": benefits[-1]["to"] + 1 if benefits else 0, "to": day}
            benefits.append(
                {
                    **period,
                    "visits": len(weighed),
                    **dict(zip(names, means.round(3).tolist(), strict=True)),
                }
            )
            weighed = []
        left = np.flatnonzero(pop.leave_day[followed] == day)
        for k in left:  # read before a later visit could change last_active_day (none can: gone)
            idle = day - int(pop.last_active_day[followed[k]])
            how[k] = "inactive" if idle > limit else "quit"
        if day % every == 0 or day == days - 1:
            here = pop.here()
            mean_loyalty = round(float(pop.loyalty[here].mean()), 3) if here.size else None
            rows.append(
                {
                    "day": day,
                    "loyalty": np.round(pop.loyalty[followed].astype(float), 3).tolist(),
                    "interest": np.round(pop.interest[followed].astype(float), 3).tolist(),
                    "posts": pop.posts[followed].tolist(),
                    "alive": pop.alive[followed].astype(int).tolist(),
                    "members": int(here.size),
                    "mean_loyalty": mean_loyalty,
                }
            )
    return {
        "slots": followed.tolist(),
        "visit_base": np.round(pop.visit_base[followed].astype(float), 3).tolist(),
        "rows": rows,
        "leave_day": pop.leave_day[followed].tolist(),
        "how": how,
        "benefits": benefits,
        "visits": int(pop.visits[heaviest]),
    }


def _weighed(pop, rules, slot: int, reactions: int, aspiration: np.ndarray) -> tuple[float, ...]:
    """What a visit today gave member ``slot``, as ``Population.update_states`` weighs it (the
    model's own ``benefit_terms`` and ``loyalty_target``): the information, bond and fun terms,
    the reading cost, and the target loyalty of the net benefit (all terms, less the cost and
    the withdrawal after rewards stop) against ``aspiration``, the member's before the visit
    (``Rules.habituation`` moves it). Left out: the memory of removed posts (moderation)."""
    at = slice(slot, slot + 1)
    terms = benefit_terms(
        rules,
        pop.info_need[at],
        pop.info_today[at],
        pop.bond_today[at],
        pop.identity_today[at],
        np.array([reactions], np.int32),
        pop.recognition_today[at],
    )
    cost = pop.cost_today[at]
    net = sum(terms.values()) - cost - pop.withdrawal[at]
    return (
        float(terms["information"][0]),
        float(terms["bond"][0]),
        float(terms["fun"][0]),
        float(cost[0]),
        float(loyalty_target(net, rules, aspiration)[0]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="view", required=True)
    one = sub.add_parser("spans", help="the top contributors' spans, log beside its runs")
    one.add_argument("folder", type=Path)
    one.add_argument("names", nargs="+")
    one.add_argument("--top", type=int, default=3)
    two = sub.add_parser("trace", help="a scenario's heaviest founders, run on one seed")
    two.add_argument("scenario", type=Path)
    two.add_argument("--seed", type=int, default=1)
    two.add_argument("--every", type=int, default=100)
    two.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    if args.view == "spans":
        for name in args.names:
            days, count, members = spans(args.folder / f"{name}.parquet", args.top)
            print(f"{name}: {count:,} contributions over {days:,} days; top (n, first, last):")
            print(f"  log    {members}")
            for run in sorted(args.folder.glob(f"run-{name}-*.parquet")):
                days, count, members = spans(run, args.top)
                seed = run.stem.rsplit("-", 1)[-1]
                print(f"  seed {seed} {members} ({count:,} over {days:,} days)")
        return
    got = trace(args.scenario, args.seed, args.every, args.top)
    print(f"heaviest founders' visiting probabilities: {got['visit_base']}")
    for row in got["rows"]:
        print(
            f"day {row['day']:>5}: loyalty {row['loyalty']} interest {row['interest']} "
            f"posts {row['posts']} "
            f"here {row['alive']}; members {row['members']}, mean loyalty {row['mean_loyalty']}"
        )
    print(f"left on days {got['leave_day']} ({', '.join(got['how'])}; -1: staying)")
    print("what the heaviest founder's visits gave it (means over its visits; weighted terms):")
    for period in (p for p in got["benefits"] if p["visits"]):  # none once it has left
        terms = ", ".join(
            f"{name} {period[name]}" for name in ("information", "bond", "fun", "cost", "target")
        )
        print(f"  days {period['from']}-{period['to']}: {period['visits']} visits; {terms}")


if __name__ == "__main__":
    main()
