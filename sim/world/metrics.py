"""Daily series, cohort retention and per-run summary, with the names and definitions of EVIDENCE.md.

* *active contributor*: ≥ 1 post (thread or reply) in the last 30 days; *lurker*: never posted.
* *retention(d)*: share of a join cohort with ≥ 1 action in the 7 days ending d days after joining
  (``retention_{d}``; a rolling window, so ``retention_1`` counts the join day too).
* *Dn retention*: share of a join cohort with ≥ 1 action on day n after joining, the join day being
  day 0 (``d{n}_retention``): D1, D7, D30 and D90 as product analytics count them.
* *surviving*: ≥ 1 action in days 30-60 after joining.
* Participation inequality (P-1) counts every message a member wrote (threads and replies), as
  van Mierlo 2014 counts posts, over the members present.
* *Roles* (daily counts of the members present, from behaviour, not from a drawn label), by the
  posts in about the last 30 days (``recent_posts``, a count decaying by 1/30 a day): *lurkers*
  under 0.5 (no post in about a month), *occasional* 0.5 to 3, *regulars* 3 to 10, *core* 10 or
  more (about a post every three days; the 90-9-1 split of Nielsen 2006 names the same groups).
  The bounds and names are declared once in ``sim.world.segments`` (which adds the newcomer role
  and value tiers for targeting and the per-group outputs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.world import kernels
from sim.world.content import Items
from sim.world.outcomes import ACTIVE_DAY_AGES, RETENTION_AGES, SURVIVAL_BIT, LeaveReason
from sim.world.segments import ROLE_BOUNDS, ROLE_SERIES

if TYPE_CHECKING:
    from sim.agents import Population

REPORTED_AGES = (1, 7, 30, 90)  # the cohort table's columns (DESIGN.md)
ROLES = ROLE_SERIES  # the daily role series (the roles by recent posts, sim.world.segments)


def role_counts(recent_posts: np.ndarray, slots: np.ndarray | None = None) -> dict[str, int]:
    """Members in each role (``ROLES``), from their posts in about the last 30 days (of the
    members at ``slots``, if given: counted in one compiled pass, without gathering them)."""
    if slots is None:
        slots = np.arange(recent_posts.size)
    # bounds in the values' type, as numpy compares an array with a Python float (NEP 50)
    bounds = np.asarray(
        ROLE_BOUNDS, recent_posts.dtype if recent_posts.dtype.kind == "f" else float
    )
    counts = kernels.active().count_at_least(recent_posts, slots, bounds)
    at_least = [slots.size] + [int(c) for c in counts]
    counts = np.diff([*at_least, 0]) * -1
    return {name: int(count) for name, count in zip(ROLES, counts, strict=True)}


@dataclass(frozen=True)
class DayActivity:
    """What members did today, handed to the metrics."""

    visitors: np.ndarray  # bool per slot
    feed: Items  # what was published today (tomorrow's feed)
    threads: int
    replies: int
    reactions: int
    invites: int
    threads_closed: int  # members' threads whose reply window closed today (Rules.reply_window)
    threads_unanswered: int  # ... of which got no reply
    leaves_by_reason: np.ndarray  # counts indexed by LeaveReason


def inequality(counts: np.ndarray) -> tuple[float, float]:
    """(Gini, share of the total written by the top 1%) of non-negative integer counts.

    Works from the histogram of counts (``np.bincount``), so it costs O(n + max count), not a sort.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = counts.size
    total = counts.sum()
    if n == 0 or total == 0:
        return 0.0, 0.0
    freq = np.bincount(counts)
    values = np.arange(freq.size)
    # Gini = 1 - 2 * area under the Lorenz curve, from the sorted (ascending) histogram
    cum_people = np.cumsum(freq)
    cum_mass = np.cumsum(freq * values)
    prev_mass = np.concatenate([[0], cum_mass[:-1]])
    area = np.sum(freq * (prev_mass + cum_mass) / 2) / (n * total)
    gini = 1 - 2 * area
    # top 1%: take the largest values until ceil(1%) of members are covered
    top_n = max(1, int(np.ceil(0.01 * n)))
    people_above = n - cum_people  # members with a strictly larger count than each value
    take = np.clip(top_n - people_above, 0, freq)
    top_mass = np.sum(take * values)
    return float(gini), float(top_mass / total)


def daily_row(pop: Population, day: int, joins: int, activity: DayActivity) -> dict[str, float]:
    """The day's aggregates, computed once and reported by name."""
    here = pop.here()  # the slots still here
    last_active = pop.view("last_active_day")
    members = int(here.size)
    dau = int(activity.visitors.sum())
    wau = int((last_active >= day - 6).sum())
    mau = int((last_active >= day - 29).sum())
    contributors = int((pop.last_post_day[here] >= day - 29).sum())
    gini, top1 = inequality(pop.posts[here])
    feed_items = len(activity.feed)
    row = {
        "day": day,
        "members": members,
        "joins": joins,
        "leaves": int(activity.leaves_by_reason.sum()),
    }
    for reason in LeaveReason:
        if reason is not LeaveReason.STAYING:
            row[f"leaves_{reason.label}"] = int(activity.leaves_by_reason[reason])
    row.update(
        {
            "dau": dau,
            "wau": wau,
            "mau": mau,
            "stickiness": dau / mau if mau else 0.0,
            "threads": activity.threads,
            "replies": activity.replies,
            "reactions": activity.reactions,
            "invites": activity.invites,
            "interaction_rate": (activity.replies + activity.reactions) / feed_items
            if feed_items
            else 0.0,
            "unanswered_share": (
                activity.threads_unanswered / activity.threads_closed
                if activity.threads_closed
                else 0.0
            ),
            "active_contributor_share": contributors / members if members else 0.0,
            "posts_gini": gini,
            "top1_post_share": top1,
            "mean_loyalty": float(pop.loyalty[here].mean()) if members else 0.0,
            "mean_interest": float(pop.interest[here].mean()) if members else 0.0,
            "mean_info_benefit": _mean_over(pop.view("info_today"), activity.visitors),
            "mean_bond_benefit": _mean_over(pop.view("bond_today"), activity.visitors),
            "ties": pop.ties.n_ties,
            **role_counts(pop.recent_posts, here),
        }
    )
    return row


def _mean_over(values: np.ndarray, mask: np.ndarray) -> float:
    return float(values[mask].mean()) if mask.any() else 0.0


def cohort_table(pop: Population, day: int, cohort_days: int = 7) -> pd.DataFrame:
    """Retention at days 1, 7, 30, 90 per join cohort (founders excluded): retention(d) as
    ``retention_{d}`` and Dn retention as ``d{n}_retention``.

    A cohort is the newcomers who joined in the same ``cohort_days``-day window. A cell is empty
    (null) until every member of the cohort has reached that age.
    """
    newcomers = ~pop.view("is_founder")
    bits = pop.view("retention_bits")[newcomers]
    retained = {age: (bits >> RETENTION_AGES.index(age)) & 1 for age in REPORTED_AGES}
    table = retention_by_cohort(pop.view("join_day")[newcomers], retained, day, cohort_days)
    on_day = {
        age: (bits >> (SURVIVAL_BIT + 1 + ACTIVE_DAY_AGES.index(age))) & 1 for age in REPORTED_AGES
    }
    by_day = retention_by_cohort(
        pop.view("join_day")[newcomers], on_day, day, cohort_days, "d{age}_retention"
    )
    return pd.concat([table, by_day[[f"d{age}_retention" for age in REPORTED_AGES]]], axis=1)


def retention_by_cohort(
    join_day: np.ndarray,
    retained: dict[int, np.ndarray],
    day: int,
    cohort_days: int = 7,
    column: str = "retention_{age}",
) -> pd.DataFrame:
    """The cohort table from each newcomer's join day and, per reported age, whether it was
    retained then (0/1): the share retained per ``cohort_days``-day cohort (in ``column``), empty
    (null) until every member of the cohort has reached that age on ``day``."""
    frame = pd.DataFrame({"cohort": (join_day - 1) // cohort_days, "join_day": join_day})
    names = {age: column.format(age=age) for age in REPORTED_AGES}
    for age in REPORTED_AGES:
        frame[names[age]] = retained[age]
    grouped = frame.groupby("cohort")
    table = grouped.agg(
        first_join_day=("join_day", "min"),
        last_join_day=("join_day", "max"),
        size=("join_day", "size"),
    )
    for age in REPORTED_AGES:
        share = grouped[names[age]].mean().astype("Float64")
        observable = day - table["last_join_day"] >= age
        table[names[age]] = share.where(observable, pd.NA)
    return table.reset_index(drop=True)


def pooled_retention(pop: Population, day: int) -> dict[str, float | None]:
    """Retention at every observed age pooled over all newcomers old enough to be observed."""
    newcomers = ~pop.view("is_founder")
    age = day - pop.view("join_day")[newcomers]
    bits = pop.view("retention_bits")[newcomers]
    out: dict[str, float | None] = {}
    for bit, checkpoint in enumerate(RETENTION_AGES):
        eligible = age >= checkpoint
        out[f"retention_{checkpoint}"] = (
            float(((bits[eligible] >> bit) & 1).mean()) if eligible.any() else None
        )
    eligible = age >= 60
    out["surviving"] = (
        float(((bits[eligible] >> SURVIVAL_BIT) & 1).mean()) if eligible.any() else None
    )
    for bit, checkpoint in enumerate(ACTIVE_DAY_AGES, start=SURVIVAL_BIT + 1):
        eligible = age >= checkpoint
        out[f"d{checkpoint}_retention"] = (
            float(((bits[eligible] >> bit) & 1).mean()) if eligible.any() else None
        )
    return out


def reply_effect(pop: Population, day: int) -> dict[str, float | None]:
    """R-1: among newcomers whose first thread is at least 31 days old, the share who posted again
    within 30 days, split by whether the first thread got a reply."""
    newcomers = ~pop.view("is_founder")
    first = pop.view("first_post_day")
    eligible = newcomers & (first >= 0) & (day - first > 30)
    replied = pop.view("first_post_replied")[eligible]
    again = pop.view("posted_again")[eligible]

    def share(mask):
        return float(again[mask].mean()) if mask.any() else None

    return {
        "first_posts": int(eligible.sum()),
        "first_post_reply_share": float(replied.mean()) if eligible.any() else None,
        "posted_again_with_reply": share(replied),
        "posted_again_without_reply": share(~replied),
    }


def operator_totals(
    series: pd.DataFrame, members_end: int, hourly_rate: float = 0.0
) -> dict[str, float | None]:
    """Money and staff hours over the run, the points liability left, and the run's costs: staff
    cost (hours used at ``hourly_rate``), total cost (money spent plus staff cost) and total cost
    per member still there at the end (None when none is left); all zero with no operator. With a
    team (``Strategy.team``) the staff cost is its ``staff_cost`` series instead: every role's
    hours hired at its hourly cost (``hourly_rate`` is then 0)."""
    money = float(series["money_spent"].sum())
    hours = float(series["hours_used"].sum())
    staff = hours * hourly_rate
    if "staff_cost" in series:  # series stored before teams existed have none
        staff += float(series["staff_cost"].sum())
    total = money + staff
    return {
        "money_spent": money,
        "hours_used": hours,
        "hours_short": float(series["hours_short"].sum()),
        "staff_cost": staff,
        "total_cost": total,
        "points_liability_end": float(series["points_liability"].iloc[-1]) if len(series) else 0.0,
        "cost_per_retained_member": total / members_end if members_end else None,
    }
