"""Measure the operator targets of EVIDENCE.md with paired seeds: R-1, G-1, G-2, G-5, RK-1, RK-2, W-1.

    python experiments/lever_effects.py --reps 30            # every target
    python experiments/lever_effects.py --reps 30 --only G-5 RK-1

Replication r of every arm runs with seed r (common random numbers), so differences between arms are
paired. Each row gives the measured value, its 95% confidence interval (t-interval over replications
of the per-replication value or paired difference), the band and pass/fail.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from sim import CommunityModel, Rules
from sim.agents import DEFAULT_MIX
from sim.policies import Badge, Incentives, Moderation, Strategy, WinBack


@dataclass(frozen=True)
class Row:
    target: str
    measure: str
    values: tuple[float, ...]
    low: float | None
    high: float | None

    @property
    def mean(self) -> float:
        return float(np.nanmean(self.values))

    @property
    def ci(self) -> tuple[float, float]:
        values = np.asarray([v for v in self.values if np.isfinite(v)])
        if values.size < 2:
            return self.mean, self.mean
        half = float(stats.t.ppf(0.975, values.size - 1) * stats.sem(values))
        return self.mean - half, self.mean + half

    @property
    def passed(self) -> bool:
        return (self.low is None or self.mean >= self.low) and (
            self.high is None or self.mean <= self.high
        )

    def line(self) -> str:
        lo, hi = self.ci
        band = f"{'-inf' if self.low is None else self.low}..{'inf' if self.high is None else self.high}"
        verdict = "pass" if self.passed else "FAIL"
        return (
            f"{self.target:5} {self.measure:58} {self.mean:8.3f} [{lo:7.3f}, {hi:7.3f}]"
            f"  {band:>12}  {verdict}"
        )


def _run(seed: int, days: int, **kwargs) -> CommunityModel:
    model = CommunityModel(rng=seed, **kwargs)
    model.run(days)
    return model


def _member_posts(model: CommunityModel, first: int, last: int) -> float:
    s = model.series()
    window = s[(s["day"] >= first) & (s["day"] <= last)]
    return float((window["threads"] + window["replies"]).mean())


# ---- R-1: the reply effect -----------------------------------------------------------------------
def reply_effect(seed: int) -> dict[str, float]:
    summary = _run(seed, 365).summary()
    with_reply = summary["posted_again_with_reply"]
    without = summary["posted_again_without_reply"]
    return {
        "difference": (with_reply - without)
        if with_reply is not None and without is not None
        else np.nan,
        "baseline": without if without is not None else np.nan,
        "replied": summary["first_post_reply_share"] or np.nan,
    }


def rows_reply_effect(results) -> list[Row]:
    return [
        Row(
            "R-1",
            "posted again: with reply - without (points)",
            tuple(100 * r["difference"] for r in results),
            8,
            16,
        ),
        Row(
            "R-1",
            "posted again without a reply (baseline, %)",
            tuple(100 * r["baseline"] for r in results),
            35,
            50,
        ),
        Row(
            "R-1",
            "first posts that get a reply (%)",
            tuple(100 * r["replied"] for r in results),
            50,
            70,
        ),
    ]


# ---- G-1, G-2: steering toward a badge -----------------------------------------------------------
BADGE_THRESHOLD = 40


def badge_steering(seed: int) -> dict[str, float]:
    """Event study around the day each member earns a reply badge (Anderson et al. 2013).

    The same community runs twice with the same seed, with and without the badge; a member's
    activity in the badge arm is divided by the same member's activity in the no-badge arm on the
    same days, so trends that have nothing to do with the badge (a newcomer warming up) cancel.
    """
    scheme = Incentives(
        points={"post": 0.0, "reply": 0.0, "checkin": 0.0, "invite": 0.0},
        badges=[Badge(action="reply", threshold=BADGE_THRESHOLD)],
    )
    days = 300
    badge_arm = _record(CommunityModel(strategy=Strategy(incentives=scheme), rng=seed), days)
    control = _record(CommunityModel(strategy=Strategy(), rng=seed), days)
    n = min(badge_arm["replies"].shape[1], control["replies"].shape[1])
    replies, threads = badge_arm["replies"][:, :n], badge_arm["threads"][:, :n]
    replies_0, threads_0 = control["replies"][:, :n], control["threads"][:, :n]
    scheme_replies = np.cumsum(replies, axis=0)
    earned = scheme_replies[-1] >= BADGE_THRESHOLD
    badge_day = np.argmax(scheme_replies >= BADGE_THRESHOLD, axis=0)
    members = np.flatnonzero(earned & (badge_day >= 45) & (badge_day < days - 15))
    if members.size == 0:
        return {
            "pre_rise": np.nan,
            "post_return": np.nan,
            "substitute_dip": np.nan,
            "steerers": np.nan,
        }

    def window(series, lo, hi):
        rows = badge_day[members][None, :] + np.arange(lo, hi)[:, None]
        return series[rows, members[None, :]].sum(axis=0).astype(float)

    def effect(arm, ctrl, lo, hi):
        """Each earner's activity relative to its counterfactual, averaged on the log scale so
        that every earner counts equally (heavy repliers do not drown the rest)."""
        return np.log((window(arm, lo, hi) + 1) / (window(ctrl, lo, hi) + 1))

    def change(arm, ctrl, lo, hi):
        return float(np.exp(np.mean(effect(arm, ctrl, lo, hi) - effect(arm, ctrl, -45, -30))) - 1)

    # individually detectable steering: at least 1.5 times the member's own counterfactual
    # replies in the ten days before the badge, and at least three more
    mine, theirs = window(replies, -10, 0), window(replies_0, -10, 0)
    steered = (mine >= 1.5 * theirs) & (mine >= theirs + 3)
    return {
        "pre_rise": change(replies, replies_0, -10, 0),
        "post_return": change(replies, replies_0, 7, 14),
        "substitute_dip": change(threads, threads_0, -10, 0),
        "steerers": float(steered.mean()),
    }


def _record(model: CommunityModel, days: int) -> dict[str, np.ndarray]:
    """Run ``days`` days, keeping each member's daily replies and threads (day x slot)."""
    replies, threads = [], []
    for _ in range(days):
        model.step()
        replies.append(model.population.view("replies").copy())
        threads.append(model.population.view("threads").copy())
    n = model.population.n
    return {"replies": _daily(replies, n), "threads": _daily(threads, n)}


def _daily(cumulative: list[np.ndarray], n: int) -> np.ndarray:
    padded = np.zeros((len(cumulative) + 1, n), np.int32)
    for day, values in enumerate(cumulative, start=1):
        padded[day, : values.size] = values
    return np.diff(padded, axis=0)


def rows_badge(results) -> list[Row]:
    return [
        Row(
            "G-1",
            "earners' badged-action rate before threshold vs baseline (%)",
            tuple(100 * r["pre_rise"] for r in results),
            0.0001,
            None,
        ),
        Row(
            "G-1",
            "earners' rate 7-14 days after the badge vs baseline (%)",
            tuple(100 * r["post_return"] for r in results),
            -20,
            20,
        ),
        Row(
            "G-1",
            "substitute action (threads) before threshold vs baseline (%)",
            tuple(100 * r["substitute_dip"] for r in results),
            None,
            -0.0001,
        ),
        Row(
            "G-2",
            "earners with individually detectable steering (%)",
            tuple(100 * r["steerers"] for r in results),
            5,
            30,
        ),
    ]


# ---- G-5: crowding out ---------------------------------------------------------------------------
REWARD_START, REWARD_STOP = 60, 180


def crowding_out(seed: int) -> dict[str, float]:
    def arm(tangible):
        if tangible is None:
            strategy = Strategy()
        else:
            strategy = Strategy(
                budget=1e7,
                incentives=Incentives(
                    start=REWARD_START,
                    stop=REWARD_STOP,
                    tangible=tangible,
                    points={"post": 10.0, "reply": 10.0, "checkin": 0.0, "invite": 0.0},
                ),
            )
        return _run(seed, 300, strategy=strategy)

    none, tangible, recognition = arm(None), arm(True), arm(False)

    def change(model, first, last):
        return _member_posts(model, first, last) / _member_posts(none, first, last) - 1

    return {
        "tangible_during": change(tangible, REWARD_START + 10, REWARD_STOP),
        "tangible_after": change(tangible, REWARD_STOP + 30, 300),
        "recognition_after": change(recognition, REWARD_STOP + 30, 300),
    }


def rows_crowding(results) -> list[Row]:
    return [
        Row(
            "G-5",
            "tangible rewards: posts while active vs no rewards (%)",
            tuple(100 * r["tangible_during"] for r in results),
            0.0001,
            None,
        ),
        Row(
            "G-5",
            "tangible rewards: posts after withdrawal vs no rewards (%)",
            tuple(100 * r["tangible_after"] for r in results),
            -20,
            -10,
        ),
        Row(
            "G-5",
            "recognition only: posts after withdrawal vs no rewards (%)",
            tuple(100 * r["recognition_after"] for r in results),
            0,
            None,
        ),
    ]


# ---- RK-1, RK-2: moderation in a broad, high-volume community --------------------------------------
def broad_community() -> dict:
    """Ren & Kraut's setting: many topics, members interested in few, high message volume, and a
    good share of off-topic social chatter."""
    mix = tuple(
        replace(seg, favourite_topics=1, post=seg.post * 3, reply=seg.reply * 3, chatter=0.3)
        for seg in DEFAULT_MIX
    )
    return {
        "members": 3000,
        "market_size": 15000,
        "rules": replace(Rules(), n_topics=16, member_mix=mix),
    }


def moderation(seed: int) -> dict[str, float]:
    setting = broad_community()
    arms = {
        mode: _run(
            seed,
            300,
            strategy=Strategy(hours_per_day=1e4, moderation=Moderation(mode=mode)),
            **setting,
        )
        for mode in ("none", "community", "personalized")
    }
    posts = {mode: _member_posts(m, 100, 300) for mode, m in arms.items()}

    def sessions(model):
        s = model.series()
        window = s[s["day"] >= 100]
        return float((window["dau"] / window["members"]).mean())

    def benefit(model, name):
        s = model.series()
        return float(s[(s["day"] >= 100) & (s["day"] <= 300)][name].mean())

    return {
        "personalized_vs_none": posts["personalized"] / posts["none"],
        "personalized_vs_community": posts["personalized"] / posts["community"],
        "community_sessions_change": sessions(arms["community"]) / sessions(arms["none"]) - 1,
        "community_posts_change": posts["community"] / posts["none"] - 1,
        "community_info_change": benefit(arms["community"], "mean_info_benefit")
        - benefit(arms["none"], "mean_info_benefit"),
        "community_bond_change": benefit(arms["community"], "mean_bond_benefit")
        - benefit(arms["none"], "mean_bond_benefit"),
    }


def rows_moderation(results) -> list[Row]:
    return [
        Row(
            "RK-1",
            "posts/day personalized / none",
            tuple(r["personalized_vs_none"] for r in results),
            1.2,
            1.6,
        ),
        Row(
            "RK-1",
            "posts/day personalized / community",
            tuple(r["personalized_vs_community"] for r in results),
            1.3,
            1.7,
        ),
        Row(
            "RK-2",
            "community vs none: sessions per member (%)",
            tuple(100 * r["community_sessions_change"] for r in results),
            0.0001,
            None,
        ),
        Row(
            "RK-2",
            "community vs none: posts/day (%), must not rise",
            tuple(100 * r["community_posts_change"] for r in results),
            None,
            0,
        ),
        Row(
            "RK-3",
            "community vs none: mean information benefit (difference)",
            tuple(r["community_info_change"] for r in results),
            0.0001,
            None,
        ),
        Row(
            "RK-3",
            "community vs none: mean bond benefit (difference)",
            tuple(r["community_bond_change"] for r in results),
            None,
            -0.0001,
        ),
    ]


# ---- W-1: the win-back spike ---------------------------------------------------------------------
def winback(seed: int) -> dict[str, float]:
    """Returns within 7 days of a win-back message, beyond what the same members do unmessaged.

    The campaign arm and a no-campaign arm run with the same seed; for every message, the member's
    return in the campaign arm is compared with the same member over the same days in the other arm.
    """
    days = 240
    strategy = Strategy(winback=WinBack(inactive_days=21, cadence=30, max_messages=3))
    messaged, active = _visits(CommunityModel(strategy=strategy, rng=seed), days, track=True)
    _, active_0 = _visits(CommunityModel(strategy=Strategy(), rng=seed), days, track=False)
    n = min(active.shape[1], active_0.shape[1])
    rows = [
        (slot, day, dormancy) for slot, day, dormancy in messaged if day + 7 <= days and slot < n
    ]
    slot, day, dormancy = (np.array(column) for column in zip(*rows, strict=True))
    offsets = np.arange(0, 8)

    def first_return(visits):
        came = visits[day[:, None] + offsets[None, :], slot[:, None]]
        return np.where(came.any(axis=1), came.argmax(axis=1), -1)

    delay, delay_0 = first_return(active), first_return(active_0)
    extra_7 = (delay >= 0).astype(float) - (delay_0 >= 0)
    extra_2 = ((delay >= 0) & (delay <= 2)).astype(float) - ((delay_0 >= 0) & (delay_0 <= 2))
    short = dormancy <= np.median(dormancy)
    return {
        "rate_7d": float(extra_7.mean()),
        "days_0_2": float(extra_2.mean()),
        "days_3_7": float(extra_7.mean() - extra_2.mean()),
        "rate_short_dormancy": float(extra_7[short].mean()),
        "rate_long_dormancy": float(extra_7[~short].mean()) if (~short).any() else np.nan,
    }


def _visits(model: CommunityModel, days: int, track: bool):
    """Run ``days`` days; return the messages sent (slot, day, dormancy) and who visited when."""
    messages, visited = [], []
    for _ in range(days):
        before = model.population.view("last_active_day").copy()
        model.step()
        pop = model.population
        if track:
            sent = np.flatnonzero(pop.view("last_winback_day") == model.day)
            dormancy = model.day - np.maximum(before[sent], pop.join_day[sent])
            messages.extend(zip(sent, [model.day] * sent.size, dormancy, strict=True))
        visited.append(pop.view("last_active_day") == model.day)
    n = model.population.n
    active = np.zeros((days + 8, n), bool)
    for day, values in enumerate(visited, start=1):
        active[day, : values.size] = values
    return messages, active


def rows_winback(results) -> list[Row]:
    return [
        Row(
            "W-1",
            "7-day reactivation caused by a message (%)",
            tuple(100 * r["rate_7d"] for r in results),
            1,
            9.99,
        ),
        Row(
            "W-1",
            "returns caused on days 0-2 after the message (%)",
            tuple(100 * r["days_0_2"] for r in results),
            0.0001,
            None,
        ),
        Row(
            "W-1",
            "returns caused on days 3-7 minus half those of days 0-2 (points)",
            tuple(100 * (r["days_3_7"] - r["days_0_2"] / 2) for r in results),
            None,
            0,
        ),
        Row(
            "W-1",
            "7-day rate: shorter minus longer dormancy (points)",
            tuple(100 * (r["rate_short_dormancy"] - r["rate_long_dormancy"]) for r in results),
            0.0001,
            None,
        ),
    ]


TARGETS: dict[str, tuple[Callable, Callable]] = {
    "R-1": (reply_effect, rows_reply_effect),
    "G-1": (badge_steering, rows_badge),
    "G-5": (crowding_out, rows_crowding),
    "RK-1": (moderation, rows_moderation),
    "W-1": (winback, rows_winback),
}


def measure(names, reps: int, workers: int) -> list[Row]:
    rows = []
    with ProcessPoolExecutor(workers) as pool:
        for name in names:
            experiment, to_rows = TARGETS[name]
            rows.extend(to_rows(list(pool.map(experiment, range(1, reps + 1)))))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="*", choices=list(TARGETS), default=list(TARGETS))
    args = parser.parse_args()
    print(f"{'':5} {'measure':58} {'mean':>8} {'95% CI':>18}  {'band':>12}  result")
    for row in measure(args.only, args.reps, args.workers):
        print(row.line())


if __name__ == "__main__":
    main()
