"""The validation targets of EVIDENCE.md as experiment groups: sweeps, worker measures, checks.

A *group* is one paired experiment, run through the sweep runner like any sweep (``sim.experiments.runner``:
resumable, parallel, stored in ``results/validation/<group>/``): its arms are the sweep's
strategies, replication ``r`` of every arm runs on the same seed, and its ``measure`` (worker side,
``sim.validation.measures``) adds the target-specific numbers to each run's summary. Its ``checks``
turn the stored summaries into ``Check`` rows: one number per replication (a level, or a paired
difference between arms), a band and a verdict.

Full mode follows EVIDENCE.md (30 replications, runs of 240-420 days); quick mode (``--quick``) runs
3 replications of shorter runs, fit for CI, and checks only the bands marked ``quick`` (see
``QUICK_NOTE``).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from sim.config import default_data
from sim.experiments.analysis import Results
from sim.experiments.sweep import merge_changes
from sim.policies import LEVERS as REGISTERED_LEVERS
from sim.policies import ExpectedSign
from sim.validation import measures
from sim.validation.checks import Check

SEED = 20261123
REPLICATIONS = {"full": 30, "quick": 3}
# quick mode's smaller community where size does not matter to what quick mode checks (from about
# 800 members up an unsupported community settles rather than dwindles: README, "The model")
QUICK_COMMUNITY = {"community": {"members": 1000}, "arrivals": {"market_size": 5000}}
QUICK_NOTE = (
    "Quick mode (3 replications, shorter runs, a 1,000-member community for G-5 and K) checks the "
    "bands of P-1, P-2, P-3, R-1 (share of first posts replied), R-2 (retention(30), retention(90) "
    "and their ratio), G-1 (the rise before the badge), G-5 (the rise while rewarded), RK-1, RK-2 "
    "(posts do not rise), RK-3, W-1 (7-day rate, early returns) and B-1; it only reports the rest, "
    "whose effects of a few points need the full 30 replications to be told from noise."
)


@dataclass(frozen=True)
class Target:
    name: str
    title: str
    source: str
    statement: str


TARGETS = {
    t.name: t
    for t in (
        Target(
            "P-1",
            "participation inequality",
            "Nielsen 2006; van Mierlo 2014, JMIR 16(2):e33",
            "Default community, no operator, after warm-up: 5-25% active contributors, the top 1% "
            "write 40-75% of posts, Gini of posts ≥ 0.8.",
        ),
        Target(
            "P-2",
            "plausibility ceiling",
            "Nielsen 2006; van Mierlo 2014",
            "Even at maximum operator effort, active contributors stay ≤ 50%.",
        ),
        Target(
            "P-3",
            "unanswered threads",
            "Burke et al. 2007",
            "With no operator replies, 30-45% of thread-starting posts get zero replies.",
        ),
        Target(
            "R-1",
            "the reply effect",
            "Joyce & Kraut 2006, JCMC 11(3)",
            "Newcomers whose first post gets a reply are 8-16 points more likely to post again "
            "within 30 days; no-reply baseline 35-50%; 50-70% of first posts get a reply.",
        ),
        Target(
            "R-2",
            "survival shape",
            'Wikimedia 2011, "Newbie reverts and subsequent editing behavior"',
            "Retention falls steeply over 30-90 days, then flattens: r(90)/r(30) 0.4-0.65, "
            "r(300)/r(90) ≥ 0.75; r(30) 20-40%, r(90) 9-25% (unsupported community).",
        ),
        Target(
            "R-4",
            "onboarding",
            "Morgan & Halfaker 2018 (Teahouse); Joyce & Kraut 2006",
            "Welcome and operator replies to first posts raise newcomer retention(30) versus none, "
            "for low- and high-activity newcomers alike.",
        ),
        Target(
            "RK-1",
            "moderation: posts per day",
            "Ren & Kraut 2014, Human-Computer Interaction 29(4)",
            "Broad, high-volume community: posts/day personalized/none 1.2-1.6, "
            "personalized/community 1.3-1.7.",
        ),
        Target(
            "RK-2",
            "moderation: sessions vs posts",
            "Ren & Kraut 2014",
            "Community-level deletion raises sessions per member versus none; posts/day does not "
            "rise.",
        ),
        Target(
            "RK-3",
            "moderation: the mechanism",
            "Ren & Kraut 2014",
            "Community-level deletion raises mean information benefit and lowers mean bond "
            "benefit versus none (days 100-300).",
        ),
        Target(
            "G-1",
            "badges steer",
            "Anderson, Huttenlocher, Kleinberg & Leskovec 2013, WWW",
            "Earners' rate of the badged action rises before the threshold, is back within ±20% "
            "of baseline about 7 days after; a substitute action dips before the threshold.",
        ),
        Target(
            "G-2",
            "few earners steer",
            "Hoernle et al. 2022",
            "Only 5-30% of badge earners show individually detectable steering.",
        ),
        Target(
            "G-4",
            "badges' net effect",
            "Hamari 2017 (two-year field experiment)",
            "Badges raise total activity over 6-12 months versus the no-badge counterfactual.",
        ),
        Target(
            "G-5",
            "crowding out",
            "Deci, Koestner & Ryan 1999, Psychological Bulletin 125(6)",
            "Tangible rewards raise activity while active; after withdrawal activity falls 10-20% "
            "below baseline; recognition-only rewards leave it at or above baseline.",
        ),
        Target(
            "B-1",
            "Bass diffusion",
            "Bass 1969, Management Science 15(5)",
            "Acquisition alone (churn off): a least-squares Bass fit of simulated joins recovers p "
            "and q within ±10%; peak daily joins at t* = ln(q/p)/(p+q) ± 10%.",
        ),
        Target(
            "W-1",
            "the win-back spike",
            'Wikimedia "Necromancy" 2012; Wash & Lampe 2012',
            "Returns concentrated within about 2 days of contact; 7-day reactivation low single-"
            "digit percent, falling the longer members have been dormant.",
        ),
        Target(
            "W-2",
            "win-back does not last",
            'Wikimedia "Necromancy" 2012; Wash & Lampe 2012',
            "Few reactivated members are still active at 30 days unless their benefits changed; "
            "a campaign alone barely moves long-run retention.",
        ),
        Target(
            "K",
            "every lever has the right sign",
            "Kraut & Resnick 2012, Building Successful Online Communities (MIT Press)",
            "Each lever moves its outcome in the documented direction, all else equal "
            "(one-at-a-time sweep, paired against an operator with no levers).",
        ),
    )
}


@dataclass(frozen=True)
class Group:
    """One paired experiment measuring some targets."""

    name: str
    targets: tuple[str, ...]
    sweep: Callable[[bool], dict]  # quick -> sweep data (``sim.experiments.sweep.parse_sweep``)
    measure: Callable[[bool], Callable | None]  # quick -> worker measure (None: plain run)
    checks: Callable[[pd.DataFrame, Results, bool], list[Check]]  # summaries -> checks


def _sweep(name, quick, days, strategies, scenario=None, baseline=None) -> dict:
    data = {
        "name": f"validation-{name}",
        "scenario": {**(scenario or {}), "run": {"days": days}},
        "strategies": strategies,
        "replications": REPLICATIONS["quick" if quick else "full"],
        "seed": SEED,
    }
    if baseline:
        data["baseline"] = baseline
    return data


def arm(frame: pd.DataFrame, strategy: str, column: str) -> pd.Series:
    """One arm's per-replication values of a summary column (NaN where missing)."""
    rows = frame[(frame["strategy"] == strategy) & frame["stored"]]
    if column not in rows:
        return pd.Series(np.nan, index=rows["replication"].to_numpy())
    return rows.set_index("replication")[column].astype(float).sort_index()


def _values(series: pd.Series) -> tuple[float, ...]:
    return tuple(float(v) for v in series.to_numpy())


def default_mix() -> list[dict]:
    return default_data()["member_mix"]


# ---- P-1, P-2, P-3, R-1, R-2, R-4: the default community -------------------------------------------
def max_effort() -> dict:
    """The strategy at maximum effort: unlimited hours and money, and every lever that declares a
    maximum-effort setting (``Lever.max_effort``) at that setting."""
    return {
        "hours_per_day": 10000.0,
        "budget": 1e9,
        **{
            key: lever.max_effort
            for key, lever in REGISTERED_LEVERS.items()
            if lever.max_effort is not None
        },
    }


def _patterns_sweep(quick: bool) -> dict:
    strategies = {"none": None, "onboarding": {"onboarding": {}}, "max_effort": max_effort()}
    return _sweep("patterns", quick, 200 if quick else 420, strategies)


def _patterns_checks(frame: pd.DataFrame, results: Results, quick: bool) -> list[Check]:
    def none(column, scale=100.0):
        return _values(scale * arm(frame, "none", column))

    r1 = arm(frame, "none", "posted_again_with_reply") - arm(
        frame, "none", "posted_again_without_reply"
    )
    checks = [
        Check(
            "P-1",
            "active contributors, ≥ 1 post in 30 days (%)",
            none("active_contributor_share"),
            5,
            25,
        ),
        Check("P-1", "share of posts written by the top 1% (%)", none("top1_post_share"), 40, 75),
        Check("P-1", "Gini of posts per member", none("posts_gini", 1.0), 0.8, None),
        Check(
            "P-2",
            "active contributors at maximum operator effort (%)",
            _values(100 * arm(frame, "max_effort", "active_contributor_share")),
            None,
            50,
        ),
        Check("P-3", "threads with no reply, no operator (%)", none("unanswered_share"), 30, 45),
        Check(
            "R-1",
            "posted again: first post replied minus not (points)",
            _values(100 * r1),
            8,
            16,
            quick=False,
        ),
        Check(
            "R-1",
            "posted again without a reply (baseline, %)",
            none("posted_again_without_reply"),
            35,
            50,
            quick=False,
        ),
        Check("R-1", "first posts that get a reply (%)", none("first_post_reply_share"), 50, 70),
        Check("R-2", "retention(30) (%)", none("retention_30"), 20, 40),
        Check("R-2", "retention(90) (%)", none("retention_90"), 9, 25),
        Check("R-2", "retention(90) / retention(30)", none("r90_over_r30", 1.0), 0.40, 0.65),
        Check(
            "R-2",
            "retention(300) / retention(90)",
            none("r300_over_r90", 1.0),
            0.75,
            None,
            quick=False,
        ),
    ]
    for label in ("low", "high"):
        change = arm(frame, "onboarding", f"retention_30_{label}") - arm(
            frame, "none", f"retention_30_{label}"
        )
        checks.append(
            Check(
                "R-4",
                f"onboarding vs none: retention(30), {label}-activity newcomers (points)",
                _values(100 * change),
                0,
                None,
                sign=True,
                quick=False,
            )
        )
    return checks


PATTERNS = Group(
    "patterns",
    ("P-1", "P-2", "P-3", "R-1", "R-2", "R-4"),
    _patterns_sweep,
    lambda quick: measures.patterns,
    _patterns_checks,
)


# ---- G-1, G-2, G-4: a threshold badge on replies -------------------------------------------------
BADGE_THRESHOLD = 40
BADGE = {
    "incentives": {
        "points": {"post": 0.0, "reply": 0.0, "checkin": 0.0, "invite": 0.0},
        "badges": [{"action": "reply", "threshold": BADGE_THRESHOLD}],
    }
}


def _badge_checks(frame: pd.DataFrame, results: Results, quick: bool) -> list[Check]:
    def badge(column):
        return _values(100 * arm(frame, "badge", column))

    return [
        Check(
            "G-1",
            "earners' badged action (replies), 10 days before vs baseline (%)",
            badge("pre_rise"),
            0,
            None,
            sign=True,
        ),
        Check(
            "G-1",
            "earners' replies 7-14 days after the badge vs baseline (%)",
            badge("post_return"),
            -20,
            20,
            quick=False,
        ),
        Check(
            "G-1",
            "substitute action (threads), 10 days before vs baseline (%)",
            badge("substitute_dip"),
            None,
            0,
            sign=True,
            quick=False,
        ),
        Check(
            "G-2",
            "earners with individually detectable steering (%)",
            badge("steerers"),
            5,
            30,
            quick=False,
        ),
        Check(
            "G-4",
            "posts per day in months 6-12, badge vs no badge (%)",
            badge("posts_change_6_12"),
            0,
            None,
            sign=True,
            quick=False,
        ),
    ]


BADGES = Group(
    "badges",
    ("G-1", "G-2", "G-4"),
    lambda quick: _sweep("badges", quick, 240 if quick else 365, {"badge": BADGE}),
    lambda quick: partial(measures.badge, threshold=BADGE_THRESHOLD),
    _badge_checks,
)


# ---- G-5: crowding out -----------------------------------------------------------------------------
REWARD_START, REWARD_STOP, REWARD_DAYS = 60, 180, 300


def _reward(tangible: bool) -> dict:
    return {
        "budget": 1e7,
        "incentives": {
            "start": REWARD_START,
            "stop": REWARD_STOP,
            "tangible": tangible,
            "points": {"post": 10.0, "reply": 10.0, "checkin": 0.0, "invite": 0.0},
        },
    }


def _crowding_checks(frame: pd.DataFrame, results: Results, quick: bool) -> list[Check]:
    def change(strategy, column):
        return _values(100 * (arm(frame, strategy, column) / arm(frame, "none", column) - 1))

    return [
        Check(
            "G-5",
            "tangible rewards: posts while active vs no rewards (%)",
            change("tangible", "posts_during"),
            0,
            None,
            sign=True,
        ),
        Check(
            "G-5",
            "tangible rewards: posts after withdrawal vs no rewards (%)",
            change("tangible", "posts_after"),
            -20,
            -10,
            quick=False,
        ),
        Check(
            "G-5",
            "recognition only: posts after withdrawal vs no rewards (%)",
            change("recognition", "posts_after"),
            0,
            None,
            quick=False,
        ),
    ]


CROWDING = Group(
    "crowding",
    ("G-5",),
    lambda quick: _sweep(
        "crowding",
        quick,
        REWARD_DAYS,
        {"none": {}, "tangible": _reward(True), "recognition": _reward(False)},
        QUICK_COMMUNITY if quick else None,
    ),
    lambda quick: partial(
        measures.windows,
        means={
            "posts_during": ("posts", (REWARD_START + 10, REWARD_STOP)),
            "posts_after": ("posts", (REWARD_STOP + 30, REWARD_DAYS)),
        },
    ),
    _crowding_checks,
)


# ---- RK-1, RK-2, RK-3: moderation in a broad, high-volume community ---------------------------------
def broad_community(quick: bool) -> dict:
    """Ren & Kraut's setting: an unfiltered stream (``platform: {kind: stream}``), many topics,
    members interested in few, high message volume, and a good share of off-topic social
    chatter."""
    mix = copy.deepcopy(default_mix())
    for segment in mix:
        segment.update(
            favourite_topics=1, post=segment["post"] * 3, reply=segment["reply"] * 3, chatter=0.3
        )
    members = 1500 if quick else 3000
    return {
        "community": {"members": members, "topics": 16},
        "arrivals": {"market_size": 5 * members},
        "member_mix": mix,
        # Ren & Kraut's Usenet groups: every member reads one unfiltered stream
        "platform": {"kind": "stream"},
    }


MODERATION_DAYS = {"full": (300, 100), "quick": (200, 80)}  # run length, start of the window


def _moderation_sweep(quick: bool) -> dict:
    days, _ = MODERATION_DAYS["quick" if quick else "full"]
    strategies = {
        mode: {"hours_per_day": 10000.0, "moderation": {"mode": mode}}
        for mode in ("none", "community", "personalized")
    }
    return _sweep("moderation", quick, days, strategies, scenario=broad_community(quick))


def _moderation_measure(quick: bool):
    _, first = MODERATION_DAYS["quick" if quick else "full"]
    return partial(
        measures.windows,
        means={
            "posts_window": ("posts", (first, None)),
            "sessions_window": ("sessions", (first, None)),
            "info_window": ("mean_info_benefit", (first, None)),
            "bond_window": ("mean_bond_benefit", (first, None)),
        },
    )


def _moderation_checks(frame: pd.DataFrame, results: Results, quick: bool) -> list[Check]:
    def of(mode, column):
        return arm(frame, mode, column)

    posts = {mode: of(mode, "posts_window") for mode in ("none", "community", "personalized")}
    return [
        Check(
            "RK-1",
            "posts/day, personalized / none",
            _values(posts["personalized"] / posts["none"]),
            1.2,
            1.6,
        ),
        Check(
            "RK-1",
            "posts/day, personalized / community",
            _values(posts["personalized"] / posts["community"]),
            1.3,
            1.7,
        ),
        Check(
            "RK-2",
            "community vs none: sessions per member (%)",
            _values(100 * (of("community", "sessions_window") / of("none", "sessions_window") - 1)),
            0,
            None,
            sign=True,
            quick=False,
        ),
        Check(
            "RK-2",
            "community vs none: posts/day (%), must not rise",
            _values(100 * (posts["community"] / posts["none"] - 1)),
            None,
            0,
        ),
        Check(
            "RK-3",
            "community vs none: mean information benefit (difference)",
            _values(of("community", "info_window") - of("none", "info_window")),
            0,
            None,
            sign=True,
        ),
        Check(
            "RK-3",
            "community vs none: mean bond benefit (difference)",
            _values(of("community", "bond_window") - of("none", "bond_window")),
            None,
            0,
            sign=True,
        ),
    ]


MODERATION = Group(
    "moderation",
    ("RK-1", "RK-2", "RK-3"),
    _moderation_sweep,
    _moderation_measure,
    _moderation_checks,
)


# ---- W-1, W-2: win-back --------------------------------------------------------------------------
WINBACK = {"winback": {"inactive_days": 21, "cadence": 30, "max_messages": 3}}


def _winback_checks(frame: pd.DataFrame, results: Results, quick: bool) -> list[Check]:
    def wb(column, scale=100.0):
        return scale * arm(frame, "winback", column)

    return [
        Check("W-1", "7-day reactivation caused by a message (%)", _values(wb("rate_7d")), 1, 9.99),
        Check(
            "W-1",
            "returns caused on days 0-2 after the message (%)",
            _values(wb("days_0_2")),
            0,
            None,
            sign=True,
        ),
        Check(
            "W-1",
            "returns caused on days 3-7 minus half those of days 0-2 (points)",
            _values(wb("days_3_7") - wb("days_0_2") / 2),
            None,
            0,
            quick=False,
        ),
        Check(
            "W-1",
            "7-day rate: shorter minus longer dormancy (points)",
            _values(wb("rate_short_dormancy") - wb("rate_long_dormancy")),
            0,
            None,
            sign=True,
            quick=False,
        ),
        Check(
            "W-2",
            "caused returns still active 24-30 days after the message (%)",
            _values(wb("persist_30")),
            None,
            33,
            quick=False,
        ),
        Check(
            "W-2",
            "campaign vs none: pooled retention(90) (points)",
            _values(wb("retention_90_change")),
            -2,
            2,
            quick=False,
        ),
    ]


WINBACK_GROUP = Group(
    "winback",
    ("W-1", "W-2"),
    lambda quick: _sweep("winback", quick, 240, {"winback": WINBACK}),
    lambda quick: measures.winback,
    _winback_checks,
)


# ---- B-1: Bass diffusion -------------------------------------------------------------------------
BASS = {"market_size": 5000, "marketing_p": 0.003, "word_of_mouth_q": 0.06}
BASS_DAYS = 150


def bass_peak_day(p: float, q: float) -> float:
    """t* = ln(q/p) / (p + q) (Bass 1969)."""
    return math.log(q / p) / (p + q)


def bass_cumulative(t: np.ndarray, p: float, q: float, m: float) -> np.ndarray:
    """Cumulative adopters m F(t), F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    decay = np.exp(-(p + q) * t)
    return m * (1 - decay) / (1 + (q / p) * decay)


def fit_bass(daily_joins: np.ndarray) -> tuple[float, float, float]:
    """Bass's own least-squares estimate (Bass 1969, eq. 9): regress the day's adoptions S_t on
    the cumulative Y_{t-1}: S_t = pm + (q - p) Y_{t-1} - (q/m) Y_{t-1}^2; returns (p, q, m)."""
    joins = np.asarray(daily_joins, dtype=float)
    before = np.concatenate([[0.0], np.cumsum(joins)[:-1]])
    design = np.column_stack([np.ones_like(before), before, before**2])
    (a, b, c), *_ = np.linalg.lstsq(design, joins, rcond=None)
    if c >= 0:
        return (np.nan, np.nan, np.nan)
    m = (-b - math.sqrt(b * b - 4 * a * c)) / (2 * c)
    return a / m, -c * m, m


def smoothed_peak_day(daily_joins: np.ndarray, days: int = 7) -> float:
    """Day of the peak of the centred ``days``-day moving average of daily joins."""
    smooth = pd.Series(np.asarray(daily_joins, float)).rolling(days, center=True).mean()
    return float(smooth.idxmax()) + 1


def bass_fits(results: Results) -> pd.DataFrame:
    """Per stored run: fitted p, q, m and the peak day of daily joins."""
    rows = []
    summaries = results.summaries()
    for replication, key in zip(
        summaries.loc[summaries["stored"], "replication"],
        summaries.loc[summaries["stored"], "key"],
        strict=True,
    ):
        joins = results.series(key, ["joins"])["joins"].to_numpy()
        p, q, m = fit_bass(joins)
        rows.append(
            {"replication": replication, "p": p, "q": q, "m": m, "peak": smoothed_peak_day(joins)}
        )
    return pd.DataFrame(rows, columns=["replication", "p", "q", "m", "peak"])


def _bass_checks(frame: pd.DataFrame, results: Results, quick: bool) -> list[Check]:
    fits = bass_fits(results)
    p, q = BASS["marketing_p"], BASS["word_of_mouth_q"]
    peak = bass_peak_day(p, q)
    return [
        Check(
            "B-1", f"fitted p vs p = {p:g} (% error)", _values(100 * (fits["p"] / p - 1)), -10, 10
        ),
        Check(
            "B-1", f"fitted q vs q = {q:g} (% error)", _values(100 * (fits["q"] / q - 1)), -10, 10
        ),
        Check(
            "B-1",
            f"peak day of daily joins vs t* = {peak:.1f} (% error)",
            _values(100 * (fits["peak"] / peak - 1)),
            -10,
            10,
        ),
    ]


BASS_GROUP = Group(
    "bass",
    ("B-1",),
    lambda quick: _sweep(
        "bass",
        quick,
        BASS_DAYS,
        {"none": None},
        scenario={
            "community": {"members": 1},
            "arrivals": {**BASS, "referral_conversion": 0.0},
            "behaviour": {"quit_rate": 0.0, "inactivity_limit": 3650},
        },
    ),
    lambda quick: None,
    _bass_checks,
)


# ---- K: every lever has the right sign -------------------------------------------------------------
def lever_signs() -> tuple[ExpectedSign, ...]:
    """Every registered lever's expected effects (``Lever.signs``), in the registry's order."""
    return tuple(sign for lever in REGISTERED_LEVERS.values() for sign in lever.signs)


def noisy_community() -> dict:
    """The default community with a little toxicity and off-topic chatter, so that moderation has
    something to act on (all other levers see the same community)."""
    mix = copy.deepcopy(default_mix())
    for segment in mix:
        segment["chatter"] = 0.1
        if segment["name"] == "casual":
            segment["toxic"] = 0.02
    return {"member_mix": mix}


def _sign_world(sign: ExpectedSign) -> str:
    """Which K sweep checks ``sign``: ``plain`` (the validation community as it is), ``world``
    (scenario changes to the uncertainties only: a lever that counters a competitor has nothing to
    do without one) or ``structured`` (a structure the validation community lacks, such as the
    groups lever's ``groups`` section)."""
    if not sign.scenario:
        return "plain"
    return "world" if set(sign.scenario) == {"uncertainties"} else "structured"


def _signs(world: str = "plain") -> tuple[ExpectedSign, ...]:
    """The expected effects one K sweep checks (``_sign_world``)."""
    return tuple(s for s in lever_signs() if _sign_world(s) == world)


def _levers_sweep(quick: bool, world: str = "plain") -> dict:
    """The K sweep of the signs of one ``world`` (``_sign_world``): every such sign on the
    validation community with the scenario changes they share (one sweep; signs of one world with
    different changes are refused)."""
    signs = _signs(world)
    strategies = {"operator": {}, **{s.arm: s.setting for s in signs}}
    for sign in signs:  # baselines other than the operator with no levers
        if sign.baseline_setting is not None:
            strategies.setdefault(sign.baseline, sign.baseline_setting)
    community = {**noisy_community(), **QUICK_COMMUNITY} if quick else noisy_community()
    if world != "plain":
        scenarios = {json.dumps(s.scenario, sort_keys=True) for s in signs}
        if len(scenarios) > 1:
            raise ValueError(
                "lever signs with scenario changes must share them (one K sweep): "
                + ", ".join(s.arm for s in signs)
            )
        if signs:
            community = merge_changes(community, signs[0].scenario)
    name = "levers" if world == "plain" else f"levers-{world}"
    return _sweep(name, quick, 100 if quick else 240, strategies, community, baseline="operator")


def _levers_checks(
    frame: pd.DataFrame, results: Results, quick: bool, world: str = "plain"
) -> list[Check]:
    checks = []
    for sign in _signs(world):
        change = arm(frame, sign.arm, sign.outcome) - arm(frame, sign.baseline, sign.outcome)
        up = sign.direction > 0
        checks.append(
            Check(
                "K",
                f"{sign.arm} vs {sign.baseline}: {sign.outcome} ({'up' if up else 'down'})",
                _values(change),
                0 if up else None,
                None if up else 0,
                sign=True,
                quick=False,
                notes=(sign.source,),
            )
        )
    return checks


LEVERS = Group(
    "levers",
    ("K",),
    _levers_sweep,
    lambda quick: partial(
        measures.levers,
        means={"posts_per_day": ("posts", (1, None)), "dau_mean": ("dau", (1, None))},
    ),
    _levers_checks,
)

# the levers whose effects need a world (a competitor to counter): the same checks, in a community
# with that world
LEVERS_IN_A_WORLD = Group(
    "levers-world",
    ("K",),
    partial(_levers_sweep, world="world"),
    LEVERS.measure,
    partial(_levers_checks, world="world"),
)
# the lever signs that need a structure the validation community lacks (ExpectedSign.scenario)
LEVERS_STRUCTURED = Group(
    "levers-structured",
    ("K",),
    partial(_levers_sweep, world="structured"),
    LEVERS.measure,
    partial(_levers_checks, world="structured"),
)

GROUPS = {
    g.name: g
    for g in (
        PATTERNS,
        BADGES,
        CROWDING,
        MODERATION,
        WINBACK_GROUP,
        BASS_GROUP,
        LEVERS,
        LEVERS_IN_A_WORLD,
        LEVERS_STRUCTURED,
    )
}
