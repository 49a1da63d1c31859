"""Worker-side measurements: ``Measure`` functions for ``sim.experiments.runner.execute``.

Each takes the model built from a run's scenario (and the run's task), runs it, and returns extra
numbers for the run's summary. Where a target needs the *same members* with and without a lever
(the badge event study, the win-back spike), the function also runs the counterfactual community on
the same seed inside the worker (common random numbers: the two arms differ only where the lever
acts), so a member's activity is compared with its own counterfactual.

Keys of curves (one number per offset) are ``<curve>@<offset>``; ``sim.validation.page`` plots them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.agents import RETENTION_AGES
from sim.config import Scenario
from sim.experiments.sweep import seed_of
from sim.model import CommunityModel
from sim.policies import Strategy
from sim.world.metrics import pooled_retention

# windows of the daily series, as (first day, last day); None: the run's last day
Window = tuple[int, int | None]


def counterfactual(scenario: Scenario, task, strategy: Strategy | None = None) -> CommunityModel:
    """The same community on the same seed, run by ``strategy`` (default: an operator with no
    levers, so the only difference from the treated arm is the lever under study)."""
    kwargs = {**scenario.model_kwargs(), "strategy": strategy or Strategy()}
    return CommunityModel(**kwargs, rng=seed_of(task.root_seed, task.replication))


def derived(series: pd.DataFrame, name: str) -> pd.Series:
    """A daily series by name: a column, or ``posts`` (threads + replies), ``sessions`` (daily
    active share of members), ``activity`` (posts + reactions)."""
    if name == "posts":
        return series["threads"] + series["replies"]
    if name == "sessions":
        return series["dau"] / series["members"].clip(lower=1)
    if name == "activity":
        return series["threads"] + series["replies"] + series["reactions"]
    return series[name]


def window_mean(series: pd.DataFrame, name: str, window: Window) -> float:
    first, last = window
    last = int(series["day"].iloc[-1]) if last is None else last
    inside = series[(series["day"] >= first) & (series["day"] <= last)]
    return float(derived(inside, name).mean()) if len(inside) else float("nan")


def windows(model: CommunityModel, scenario: Scenario, task, means: dict) -> dict[str, float]:
    """Run the scenario; return the mean of each named daily series over a window:
    ``means = {"posts_during": ("posts", (70, 180)), ...}``."""
    model.run(scenario.run.days)
    series = model.series()
    return {key: window_mean(series, name, window) for key, (name, window) in means.items()}


def levers(model: CommunityModel, scenario: Scenario, task, means: dict) -> dict[str, float]:
    """``windows``, plus the responses (replies and reactions) per operator post over the days the
    model keeps them (its last 120 days): what the adaptive lever steers by."""
    extra = windows(model, scenario, task, means)
    posts, responses = model.operator_interactions()
    extra["responses_per_operator_post"] = responses / posts if posts else float("nan")
    return extra


# ---- P, R: the default community -----------------------------------------------------------------
def patterns(model: CommunityModel, scenario: Scenario, task) -> dict[str, float | None]:
    """Retention ratios (R-2), retention(30) of low- and high-activity newcomers (R-4: split at the
    median visit propensity drawn at joining, which no lever changes), and the posts per day."""
    model.run(scenario.run.days)
    pop, day = model.population, model.day
    summary = pooled_retention(pop, day)
    extra: dict[str, float | None] = {
        "r90_over_r30": _ratio(summary["retention_90"], summary["retention_30"]),
        "r300_over_r90": _ratio(summary["retention_300"], summary["retention_90"]),
        "posts_per_day": window_mean(model.series(), "posts", (1, None)),
    }
    newcomers = np.flatnonzero(~pop.view("is_founder"))
    old_enough = newcomers[day - pop.view("join_day")[newcomers] >= 30]
    propensity = pop.view("visit_base")[old_enough]
    bit = RETENTION_AGES.index(30)
    retained = (pop.view("retention_bits")[old_enough] >> bit) & 1
    high = propensity > np.median(propensity) if propensity.size else propensity.astype(bool)
    for label, mask in (("low", ~high), ("high", high)):
        extra[f"retention_30_{label}"] = float(retained[mask].mean()) if mask.any() else None
    return extra


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


# ---- G-1, G-2, G-4: a threshold badge --------------------------------------------------------------
RAMP_BINS = tuple(range(-45, 20, 5))  # 5-day bins around the badge day, for the ramp figure


def badge(model: CommunityModel, scenario: Scenario, task, threshold: int) -> dict[str, float]:
    """Event study around the day each member earns a reply badge (Anderson et al. 2013).

    The badge community and its no-badge counterfactual run on the same seed; a member's activity
    in the badge arm is divided by the same member's activity in the counterfactual on the same
    days, so trends that have nothing to do with the badge (a newcomer warming up) cancel. Also
    G-4: posts per day in months 6-12, badge arm over counterfactual.
    """
    days = scenario.run.days
    badge_arm = _record(model, days)
    control_model = counterfactual(scenario, task)
    control = _record(control_model, days)
    months_6_12 = (181, min(days, 365))
    extra = {
        "posts_change_6_12": window_mean(model.series(), "posts", months_6_12)
        / window_mean(control_model.series(), "posts", months_6_12)
        - 1
    }
    n = min(badge_arm["replies"].shape[1], control["replies"].shape[1])
    replies, threads = badge_arm["replies"][:, :n], badge_arm["threads"][:, :n]
    replies_0, threads_0 = control["replies"][:, :n], control["threads"][:, :n]
    scheme_replies = np.cumsum(replies, axis=0)
    earned = scheme_replies[-1] >= threshold
    badge_day = np.argmax(scheme_replies >= threshold, axis=0)
    members = np.flatnonzero(earned & (badge_day >= 45) & (badge_day < days - 20))
    extra["earners"] = float(members.size)
    if members.size == 0:
        nan = float("nan")
        return {
            **extra,
            "pre_rise": nan,
            "post_return": nan,
            "substitute_dip": nan,
            "steerers": nan,
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
    extra.update(
        pre_rise=change(replies, replies_0, -10, 0),
        post_return=change(replies, replies_0, 7, 14),
        substitute_dip=change(threads, threads_0, -10, 0),
        steerers=float(steered.mean()),
    )
    for lo in RAMP_BINS:
        extra[f"ramp_replies@{lo}"] = change(replies, replies_0, lo, lo + 5)
        extra[f"ramp_threads@{lo}"] = change(threads, threads_0, lo, lo + 5)
    return extra


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


# ---- W-1, W-2: win-back --------------------------------------------------------------------------
SPIKE_DAYS = 8  # days 0..7 after a message
PERSIST_AGE = 30  # W-2: still active in the 7 days ending 30 days after the message


def winback(model: CommunityModel, scenario: Scenario, task) -> dict[str, float]:
    """Returns caused by win-back messages: for every message, the member's return in the
    campaign arm minus the same member over the same days in the no-campaign arm (same seed).

    W-1: caused returns within 7 days, by day (the spike) and by dormancy. W-2: of the caused
    returns, the share still caused-active 24-30 days after the message; and the campaign's change
    of pooled retention(90).
    """
    days = scenario.run.days
    messaged, active = _visits(model, days, track=True)
    control_model = counterfactual(scenario, task)
    _, active_0 = _visits(control_model, days, track=False)
    n = min(active.shape[1], active_0.shape[1])
    rows = [(s, d, dormancy) for s, d, dormancy in messaged if d + 7 <= days and s < n]
    if not rows:
        return {"messages": 0.0}
    slot, day, dormancy = (np.array(column) for column in zip(*rows, strict=True))
    offsets = np.arange(SPIKE_DAYS)

    def first_return(visits):
        came = visits[day[:, None] + offsets[None, :], slot[:, None]]
        return np.where(came.any(axis=1), came.argmax(axis=1), -1)

    delay, delay_0 = first_return(active), first_return(active_0)
    extra_7 = (delay >= 0).astype(float) - (delay_0 >= 0)
    extra_2 = ((delay >= 0) & (delay <= 2)).astype(float) - ((delay_0 >= 0) & (delay_0 <= 2))
    short = dormancy <= np.median(dormancy)
    out = {
        "messages": float(slot.size),
        "rate_7d": float(extra_7.mean()),
        "days_0_2": float(extra_2.mean()),
        "days_3_7": float(extra_7.mean() - extra_2.mean()),
        "rate_short_dormancy": float(extra_7[short].mean()),
        "rate_long_dormancy": float(extra_7[~short].mean()) if (~short).any() else np.nan,
    }
    for d in offsets:
        out[f"spike@{d}"] = float(np.mean((delay == d).astype(float) - (delay_0 == d)))
    # W-2: caused returns still active a month later
    late = day + PERSIST_AGE <= days
    if late.any() and extra_7[late].mean() > 0:
        ages = np.arange(PERSIST_AGE - 6, PERSIST_AGE + 1)

        def active_at_30(visits):
            return visits[day[late, None] + ages[None, :], slot[late, None]].any(axis=1)

        caused_30 = active_at_30(active).astype(float) - active_at_30(active_0)
        out["persist_30"] = float(caused_30.mean() / extra_7[late].mean())
    else:
        out["persist_30"] = np.nan
    r90 = pooled_retention(model.population, model.day)["retention_90"]
    r90_0 = pooled_retention(control_model.population, control_model.day)["retention_90"]
    out["retention_90_change"] = (r90 - r90_0) if r90 is not None and r90_0 is not None else np.nan
    out["dau_change"] = (
        window_mean(model.series(), "dau", (days - 29, days))
        / window_mean(control_model.series(), "dau", (days - 29, days))
        - 1
    )
    return out


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
    active = np.zeros((days + PERSIST_AGE + 8, n), bool)
    for day, values in enumerate(visited, start=1):
        active[day, : values.size] = values
    return messages, active
