"""Issue 15's root blocker: near a real log's volume one calibrated scenario's runs either fizzle
or ignite, seed by seed. Which reinforcement loop carries the ignition?

Runs SCENARIO (e.g. a ``calibrated.yaml`` of ``commsim calibrate``) on several seeds (``rng`` = the
seed, as ``commsim run --seed N`` does) once per *arm*: the scenario as it is, and with each
reinforcement switched off in turn (its Rules parameters set to 0). Prints, per arm and seed,
contributions (threads + replies) per week, members at the end and the member states the post
and reply rates use (``Population.post`` / ``Population.respond``): the post drive (raised by
replies received, ``drive_gain`` x ``first_reply_weight``, and by one's own posts, ``habit_gain``;
capped at ``drive_max``), loyalty (visits), ties, and the busiest member's contributions per day
(how far one member's writing goes). ``--trajectory`` adds each seed's weekly course;
``--benefits`` adds to it what today's visitors weigh (issue 15's bond loop): their mean bond
benefit and the share of them near its ceiling (bond > 0.9), the weighted information term, the
net benefit and the target loyalty it gives (and the target without the bond term), the ties each
has to members active today, and the bond those ties would give if only a member's 5 strongest
counted (Dunbar's support clique: is the bond unbounded in the number of ties?).

    .venv/bin/python benchmarks/diagnostics/volume_bistability.py SCENARIO --seeds 1-8
    .venv/bin/python benchmarks/diagnostics/volume_bistability.py SCENARIO --arms baseline habit \\
        --seeds 1-4 --trajectory
    .venv/bin/python benchmarks/diagnostics/volume_bistability.py SCENARIO \\
        --set behaviour.writing_capacity=10
    .venv/bin/python benchmarks/diagnostics/volume_bistability.py SCENARIO --scale 4 --seeds 1 \\
        --trajectory --benefits --every 16

Same scenario, seeds and arms: the same table (every run is deterministic in its seed).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sim.agents import loyalty_target
from sim.config.loading import (
    apply_overrides,
    load_scenario,
    validate_scenario,
)
from sim.model import CommunityModel

# reinforcement loops, each switched off by zeroing its parameters (scenario override paths)
ARMS: dict[str, dict[str, float]] = {
    "baseline": {},
    # replies received raise the drive to post (Joyce & Kraut 2006)
    "reply-drive": {"behaviour.drive_gain": 0.0},
    # one's own posts raise the drive to post (habit)
    "habit": {"behaviour.habit_gain": 0.0},
    # both: the drive stays at 1
    "drive": {"behaviour.drive_gain": 0.0, "behaviour.habit_gain": 0.0},
    # replies build ties and bond benefit -> loyalty -> visits
    "bond": {"behaviour.bond_weight": 0.0},
    # replies awaiting pull a member back the next day
    "reply-pull": {"behaviour.reply_pull": 0.0},
    # more members bring more members (Bass q, invitations)
    "growth": {"arrivals.word_of_mouth_q": 0.0, "arrivals.referral_conversion": 0.0},
    # what members read: information benefit -> loyalty and interest
    "info": {"behaviour.info_weight": 0.0},
    # each member's aspiration adapts to what its visits give (Macy & Flache 2002)
    "habituation": {"behaviour.habituation": 0.0},
    # contributions made lower the hazard of stopping (Wilkinson 2008)
    "momentum": {"behaviour.momentum": 0.0},
}


def run_seed(
    scenario, seed: int, trajectory: bool, benefits: bool = False
) -> tuple[dict, list[dict]]:
    """One run of ``scenario`` on ``seed``: its summary row and (``trajectory``) weekly rows
    (with ``benefits``, what the week's last visitors weigh: ``_benefits``)."""
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    pop = model.population
    days = scenario.run.days
    drive_max = scenario.rules().drive_max
    weeks: list[dict] = []
    week = {"contributions": 0, "visits": 0}
    busiest = 0.0
    for day in range(days):
        model.step()
        today = model.today
        written = int(today["threads"] + today["replies"])
        week["contributions"] += written
        week["visits"] += int(today["dau"])
        busiest = max(busiest, float(pop.view("posts_today").max(initial=0)))
        if trajectory and (day + 1) % 7 == 0:
            extra = _benefits(pop, scenario.rules()) if benefits else {}
            weeks.append({"week": (day + 1) // 7, **week, **_states(pop, drive_max), **extra})
            week = {"contributions": 0, "visits": 0}
    series = model.series()
    contributions = float(series["threads"].sum() + series["replies"].sum())
    weekly = (series["threads"] + series["replies"]).to_numpy()
    complete = weekly[: len(weekly) // 7 * 7].reshape(-1, 7).sum(axis=1)
    row = {
        "seed": seed,
        "per_week": contributions / (days / 7),
        "peak_week": float(complete.max(initial=0)),
        "members": int(pop.n_alive),
        "ever": int(pop.n),
        "contributors": int((pop.view("posts") > 0).sum()),
        "busiest_day": busiest,
        **_states(pop, drive_max),
    }
    return row, weeks


def _states(pop, drive_max: float) -> dict:
    """Member states of those still here: mean loyalty; among those who ever contributed, mean
    post drive and the share at the drive's ceiling; ties held."""
    here = pop.here()
    writers = here[pop.posts[here] > 0]
    if writers.size == 0:
        return {"loyalty": float(pop.loyalty[here].mean()) if here.size else 0.0,
                "drive": 0.0, "at_cap": 0.0, "ties": int(pop.ties.n_ties)}  # fmt: skip
    drive = pop.post_drive[writers]
    return {
        "loyalty": float(pop.loyalty[here].mean()),
        "drive": float(drive.mean()),
        "at_cap": float((drive >= 0.9 * drive_max).mean()),
        "ties": int(pop.ties.n_ties),
    }


def _benefits(pop, rules, strongest: int = 5) -> dict:
    """What today's visitors weigh (``Population.update_states``): mean bond benefit, the share
    with a bond above 0.9, the information term (``info_weight`` x need x information), net
    benefit (those two and the bond term less the reading cost; fun, identity and withdrawal
    left out), the target loyalty it gives (``loyalty_target``: against each visitor's own
    aspiration, which ``Rules.habituation`` moves) and the same without the bond term; ties to
    members active today per visitor, and the mean bond from ties alone counting all of them and
    only each visitor's ``strongest``."""
    last = pop.view("last_active_day")
    here = pop.view("alive")
    active = here & (last == last.max(initial=0))
    v = np.flatnonzero(active)
    if v.size == 0:
        return {"visitors": 0}
    bond = pop.view("bond_today")[v]
    info = rules.info_weight * pop.view("info_need")[v] * pop.view("info_today")[v]
    cost = pop.view("cost_today")[v]
    net = info + rules.bond_weight * bond - cost
    aspiration = pop.view("aspiration_level")[v]
    matrix = pop.ties.matrix.tocsr()
    ties, all_ties, top = [], [], []
    for slot in v:  # a diagnostic: a loop over today's visitors is fine here
        lo, hi = matrix.indptr[slot], matrix.indptr[slot + 1]
        cols, data = matrix.indices[lo:hi], matrix.data[lo:hi]
        strengths = np.sort(data[active[cols]])[::-1]
        ties.append(strengths.size)
        all_ties.append(strengths.sum())
        top.append(strengths[:strongest].sum())

    def bond_of(strength):
        return float((1 - np.exp(-np.asarray(strength) / rules.bond_scale)).mean())

    return {
        "visitors": int(v.size),
        "bond": float(bond.mean()),
        "bond_high": float((bond > 0.9).mean()),
        "info": float(info.mean()),
        "net": float(net.mean()),
        "target": float(loyalty_target(net, rules, aspiration).mean()),
        "target_no_bond": float(loyalty_target(info - cost, rules, aspiration).mean()),
        "active_ties": float(np.mean(ties)),
        "bond_ties_all": bond_of(all_ties),
        "bond_ties_top": bond_of(top),
    }


def scenario_at(path: str | None, overrides: dict, scale: float = 1.0):
    """The scenario at ``path`` (None: the default) with ``overrides`` and every member kind's
    thread and reply rates times ``scale`` (as calibration's ``mix.post_scale`` and
    ``mix.reply_scale`` together)."""
    if scale == 1.0:
        return load_scenario(path, overrides)
    base = load_scenario(path, {})
    data = base.model_dump(mode="json")
    data["member_mix"] = [
        {**kind, "post": kind["post"] * scale, "reply": kind["reply"] * scale}
        for kind in data["member_mix"]
    ]
    return validate_scenario(apply_overrides(data, overrides), path or "(default)")


def _seeds(text: str) -> list[int]:
    if "-" in text:
        low, high = text.split("-")
        return list(range(int(low), int(high) + 1))
    return [int(s) for s in text.split(",")]


def _value(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", help="scenario YAML (e.g. a calibrated.yaml)")
    parser.add_argument("--seeds", default="1-8", help="e.g. 1-8 or 1,3,5 (default 1-8)")
    parser.add_argument("--arms", nargs="+", default=["baseline"], choices=[*ARMS, "all"])
    parser.add_argument("--days", type=int, help="override run.days")
    parser.add_argument(
        "--set", nargs="+", default=[], metavar="PATH=VALUE", help="scenario overrides for all arms"
    )
    parser.add_argument(
        "--scale",
        type=float,
        nargs="+",
        default=[1.0],
        help="thread and reply rates of every member kind times each of these (a response curve)",
    )
    parser.add_argument("--trajectory", action="store_true", help="print weekly courses")
    parser.add_argument(
        "--benefits",
        action="store_true",
        help="--trajectory: add what visitors weigh (bond, information, net, target loyalty)",
    )
    parser.add_argument("--every", type=int, default=8, help="--trajectory: every N weeks")
    args = parser.parse_args(argv)
    arms = list(ARMS) if "all" in args.arms else args.arms
    common = dict(item.split("=", 1) for item in args.set)
    common = {key: _value(value) for key, value in common.items()}
    if args.days:
        common["run.days"] = args.days
    for arm, scale in [(arm, scale) for arm in arms for scale in args.scale]:
        scenario = scenario_at(args.scenario or None, {**common, **ARMS[arm]}, scale)
        started = time.perf_counter()
        rows = []
        print(
            f"\n## arm {arm} ({ARMS[arm] or 'as calibrated'}; {common or 'no overrides'}; "
            f"rates x{scale:g})"
        )
        header = (
            "seed  contrib/wk  peak wk  members  ever  contributors  busiest/day  loyalty"
            "  drive  at_cap  ties"
        )
        print(header)
        for seed in _seeds(args.seeds):
            row, weeks = run_seed(scenario, seed, args.trajectory, args.benefits)
            rows.append(row)
            print(
                f"{seed:>4}  {row['per_week']:>10.1f}  {row['peak_week']:>7.0f}  {row['members']:>7}"
                f"  {row['ever']:>4}  {row['contributors']:>12}  {row['busiest_day']:>11.0f}"
                f"  {row['loyalty']:>7.3f}  {row['drive']:>5.2f}  {row['at_cap']:>6.3f}"
                f"  {row['ties']:>4}",
                flush=True,
            )
            for w in weeks:
                if w["week"] % args.every == 0 or w["week"] == 1:
                    print(
                        f"      week {w['week']:>3}: contributions {w['contributions']:>6}"
                        f"  visits {w['visits']:>6}  loyalty {w['loyalty']:.3f}"
                        f"  drive {w['drive']:.2f}  at_cap {w['at_cap']:.3f}  ties {w['ties']}"
                    )
                    if w.get("visitors"):
                        print(
                            f"        visitors {w['visitors']}: bond {w['bond']:.2f}"
                            f" (>0.9: {w['bond_high']:.2f})  info {w['info']:.2f}"
                            f"  net {w['net']:.2f}  target loyalty {w['target']:.2f}"
                            f" (without bond {w['target_no_bond']:.2f})  ties to active"
                            f" {w['active_ties']:.1f}: bond from ties {w['bond_ties_all']:.2f},"
                            f" from the 5 strongest {w['bond_ties_top']:.2f}"
                        )
        per_week = np.array([r["per_week"] for r in rows])
        positive = per_week[per_week > 0]
        spread = positive.max() / positive.min() if positive.size else float("nan")
        print(
            f"arm {arm} x{scale:g}: contributions/week median {np.median(per_week):.1f}, range "
            f"{per_week.min():.1f}-{per_week.max():.1f} (max/min {spread:.1f}), "
            f"{time.perf_counter() - started:.0f} s"
        )


if __name__ == "__main__":
    main()
