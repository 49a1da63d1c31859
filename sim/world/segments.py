"""Members' roles and value tiers, computed from behaviour: the one declaration that the member
view (``sim.agents.Population.roles``), the daily role series (``sim.world.metrics.role_counts``),
the levers' audiences (``sim.policies.Audience``) and the per-group outputs (``segment_table``) use.

**Roles** (``ROLE_NAMES``): a member who joined less than ``NEWCOMER_DAYS`` days ago is a
*newcomer*; every other member's role comes from its posts in about the last 30 days
(``recent_posts``, a count decaying by 1/30 a day) against ``ROLE_BOUNDS``: *lurker* under 0.5
(no post in about a month), *occasional* 0.5 to 3, *regular* 3 to 10, *core* 10 or more (about a
post every three days). The 90-9-1 split of Nielsen 2006 names the same groups; the bounds are
those of the daily role series (``lurkers``, ``occasional``, ``regulars``, ``core``), which count
every member present by the same bounds, newcomers included, as they always have.

**Value tiers** (``TIER_NAMES``): a member's contribution value is what it brought the community
per 30 days of membership: the messages it wrote (threads and replies) plus the replies its posts
drew, ``(posts + replies_received) * 30 / max(days since joining, 30)``. This is the frequency and
monetary part of RFM (recency, frequency, monetary value), the customer-base summary that Fader,
Hardie & Lee 2005 ("RFM and CLV: using iso-value curves for customer base analysis", JMR 42(4))
link to a customer's future value; recency is left out on purpose, so that a lapsed member who
used to contribute a lot stays *high* value (what win-back aimed at high-value members needs).
Tiers are shares of the contributors present (members with some value), ranked by value
(``TIER_SHARES``): the top 20% are *high*, the next 30% *mid*, the rest *low*; a member with no
value (never posted, never answered) is always *low*, and members tied at a cut share its tier.
Contributors, not all members, are ranked because most members of a community never post (the
90-9-1 split): ranked among all, every contributor would be "top 20%". Assumption (stated): the
20/30/50 cut follows the usual RFM practice of scoring by quintiles (the top quintile is the best
customers), with the middle three quintiles split at the median; members who have left are
tiered against the contributors present. The cuts are set once a week (``CUT_DAYS``: on the
first day a week asks for them), as a periodic RFM scoring is refreshed; each member's value
against them is that day's.
"""

from __future__ import annotations

import numpy as np

from sim.world import kernels

ROLE_NAMES = ("newcomer", "lurker", "occasional", "regular", "core")
NEWCOMER_DAYS = 30  # a newcomer joined less than this many days ago
ROLE_BOUNDS = (0.5, 3.0, 10.0)  # recent posts separating lurkers, occasional, regulars and core
# the daily series counting the members present in each activity role (newcomers included)
ROLE_SERIES = ("lurkers", "occasional", "regulars", "core")

TIER_NAMES = ("low", "mid", "high")
TIER_SHARES = (0.2, 0.3)  # shares of the members present that are high, then mid value
VALUE_WINDOW = 30  # value is per this many days of membership (and at least this many)
CUT_DAYS = 7  # the tier cuts are set afresh every this many days

GROUPINGS = ("role", "segment", "tier")  # what the per-group outputs are grouped by


def activity_role(recent_posts: np.ndarray) -> np.ndarray:
    """Each member's activity role by its recent posts: 1 lurker ... 4 core (``ROLE_NAMES``
    codes), the bounds of the daily role series (a value on a bound goes to the higher role)."""
    kind = recent_posts.dtype.type if recent_posts.dtype.kind == "f" else np.float64
    role = np.ones(recent_posts.shape, np.int8)
    for bound in ROLE_BOUNDS:  # three compares: cheaper than a search of every member
        role += recent_posts >= kind(bound)
    return role


def role_codes(recent_posts: np.ndarray, join_day: np.ndarray, day: int) -> np.ndarray:
    """Each member's role today as a ``ROLE_NAMES`` code (0 newcomer ... 4 core)."""
    role = activity_role(recent_posts)
    role[day - join_day < NEWCOMER_DAYS] = 0
    return role


def contribution_value(
    posts: np.ndarray, replies_received: np.ndarray, join_day: np.ndarray, day: int
) -> np.ndarray:
    """Messages written plus replies drawn, per ``VALUE_WINDOW`` days of membership (at least
    ``VALUE_WINDOW``), in float32."""
    return kernels.active().contribution(posts, replies_received, join_day, day, VALUE_WINDOW)


def tier_codes(
    value: np.ndarray, present: np.ndarray, cuts: tuple[float, float] | None = None
) -> np.ndarray:
    """Each member's value tier (``TIER_NAMES`` codes: 0 low, 1 mid, 2 high), with the cuts set
    by the values of the contributors ``present`` (a mask; those with a value above 0), or
    ``cuts`` if given (``tier_cuts``): the top ``TIER_SHARES[0]`` of them high, the next
    ``TIER_SHARES[1]`` mid, the rest and anyone with no value low."""
    tier = np.zeros(value.size, np.int8)
    positive = value > 0
    mid_cut, high_cut = cuts if cuts is not None else tier_cuts(value, present)
    tier[positive & (value >= mid_cut)] = 1
    tier[positive & (value >= high_cut)] = 2
    return tier


def tier_cuts(value: np.ndarray, present: np.ndarray) -> tuple[float, float]:
    """The lowest values of the mid and high tiers: quantiles of the values of the contributors
    ``present`` (a mask; values above 0); infinite when there are none."""
    ranked = value[present & (value > 0)]
    if ranked.size == 0:
        return np.inf, np.inf
    # np.quantile(..., method="higher"), by one partial sort: the value at rank ceil(q (n - 1))
    shares = np.array([1 - TIER_SHARES[0] - TIER_SHARES[1], 1 - TIER_SHARES[0]])
    ranks = np.ceil(shares * (ranked.size - 1)).astype(np.intp)
    mid_cut, high_cut = np.partition(ranked, ranks)[ranks]
    return float(mid_cut), float(high_cut)


GROUP_COUNTS = ("members", "active", "threads", "replies")  # the per-group daily counts
RETENTION_DAYS = 30  # group retention: members in a group, active 30 days later


def group_codes(role: np.ndarray, segment: np.ndarray, tier: np.ndarray, n_segments: int):
    """One code per member for its (role, segment, tier) cell: ``(role * n_segments + segment)
    * len(TIER_NAMES) + tier``, so that one ``np.bincount`` counts every cell at once."""
    cells = role.astype(np.intp) * n_segments
    cells += segment
    cells *= len(TIER_NAMES)
    cells += tier
    return cells


def cells_today(pop, day: int) -> tuple[np.ndarray, np.ndarray]:
    """Each member slot's (role, segment, tier) cell code today (``group_codes``), and the
    members present in each cell: one compiled pass over the members (``sim.world.kernels``)
    after the contribution values and the tier cuts."""
    k = kernels.active()
    join_day = pop.view("join_day")
    alive = pop.view("alive")
    value = k.contribution(
        pop.view("posts"), pop.view("replies_received"), join_day, day, VALUE_WINDOW
    )
    mid_cut, high_cut = pop.tier_cuts(day, value)
    n_segments = len(pop.rules.member_mix)
    return k.group_cells(
        pop.view("recent_posts"),
        join_day,
        pop.view("segment"),
        value,
        alive,
        day,
        np.asarray(ROLE_BOUNDS, np.float32),
        NEWCOMER_DAYS,
        n_segments,
        np.float32(mid_cut),
        np.float32(high_cut),
        n_cells(n_segments),
    )


def n_cells(n_segments: int) -> int:
    return len(ROLE_NAMES) * n_segments * len(TIER_NAMES)


def by_grouping(cells: np.ndarray, n_segments: int) -> dict[str, np.ndarray]:
    """Counts per (role, segment, tier) cell (last axis) summed to each of ``GROUPINGS``: the
    counts per role, per segment and per tier (last axis), other axes kept."""
    shape = (*cells.shape[:-1], len(ROLE_NAMES), n_segments, len(TIER_NAMES))
    cube = cells.reshape(shape)
    axes = {"role": (-2, -1), "segment": (-3, -1), "tier": (-3, -2)}
    return {name: cube.sum(axis=axes[name]) for name in GROUPINGS}


def group_names(grouping: str, segment_names: list[str]) -> tuple[str, ...]:
    return {"role": ROLE_NAMES, "segment": tuple(segment_names), "tier": TIER_NAMES}[grouping]


# ---- one run's outcomes per group (the sweep report's per-group tables) ---------------------------
OUTCOME_DAYS = 30  # a group's daily activity over the run's last 30 days, as ``dau_last30``
# what ``group_outcomes`` gives for every group, and for segments only (their joiners' retention)
GROUP_OUTCOMES = ("members", "active", "active_share", "retention_30")
SEGMENT_OUTCOMES = ("joiners_retention_30", "joiners_retention_90")


def group_outcomes(frame, retention: dict | None) -> dict[str, list[dict]]:
    """One run's outcomes per role, segment and value tier, from its daily counts per group
    (``CommunityModel.segments_frame``, a run folder's ``segments.parquet``) and its retention per
    group (``CommunityModel.segment_retention``, ``summary.json``'s ``segments``): per grouping
    (``GROUPINGS``), one record per group in the frame's order (roles as ``ROLE_NAMES``, segments
    as the member mix, tiers as ``TIER_NAMES``) with

    * ``members``: the group's members present at the end of the run's last day;
    * ``active``: its mean daily visitors over the last ``OUTCOME_DAYS`` days (as ``dau_last30``);
    * ``active_share``: the share of its members who visit on a day over those days (visitors
      over members present, each summed over the days; None when it had no member then);
    * ``retention_30``: the run's retention(30) of the group (None where nobody was observed);
    * for segments also ``joiners_retention_30`` and ``joiners_retention_90``.

    Plain JSON data (a list per grouping keeps the groups' order through sorted-key JSON)."""
    retention = retention or {}
    last = int(frame["day"].max()) if len(frame) else 0
    window = frame[frame["day"] > last - OUTCOME_DAYS]
    days = int(window["day"].nunique())
    out: dict[str, list[dict]] = {}
    for grouping in GROUPINGS:
        rows = frame[frame["group_by"] == grouping]
        span = window[window["group_by"] == grouping]
        groups = list(dict.fromkeys(rows["group"]))
        end = rows[rows["day"] == last].set_index("group")["members"]
        members = span.groupby("group", sort=False)["members"].sum()
        active = span.groupby("group", sort=False)["active"].sum()
        records = []
        for group in groups:
            kept = (retention.get(grouping) or {}).get(group) or {}
            present, visits = int(members.get(group, 0)), int(active.get(group, 0))
            record = {
                "group": group,
                "members": int(end.get(group, 0)),
                "active": visits / days if days else None,
                "active_share": visits / present if present else None,
                "retention_30": kept.get("retention_30"),
            }
            if grouping == "segment":
                record.update({name: kept.get(name) for name in SEGMENT_OUTCOMES})
            records.append(record)
        out[grouping] = records
    return out
