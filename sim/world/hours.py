"""Active hours: members' hour-of-day x weekday activity and how items age within the day.

One step stays one day. With the scenario's ``hours`` section (absent: the day-only model,
unchanged), each segment of the member mix has an activity profile: 24 hour weights and 7 weekday
weights (a named shape or explicit weights). Online activity has strong daily and weekly rhythms
that differ between groups of users: Golder, Wilkinson & Huberman 2007 ("Rhythms of social
interaction: messaging within a massive online network", C&T) found strong daily and weekly
regularities in 362 million Facebook messages, with users clustered by school in their temporal
patterns; Yasseri, Sumi & Kertesz 2012 ("Circadian patterns of Wikipedia editorial activity", PLoS
ONE) found a daily cycle in every language edition, with its lowest point in the early morning and
a shape that differs between cultures. The named shapes below are assumptions in that spirit (not
fitted curves); ``sim.calibration.hours`` fits a community's own profile from its log.

What the profile does, vectorised (no sub-steps of the day):

* **Visits happen in hours.** A member's daily visit probability is scaled by its profile's weight
  for today's weekday (weights normalised to mean 1 over the week), and each visitor draws its visit
  hour from its profile's 24-hour table (inverse CDF, one uniform per member slot from the
  ``visit.hour`` stream, so no other stream moves). Threads and replies carry the hour of their
  author's visit; the operator's posts carry the hour it schedules (``sim.levers.content``).
* **Items age by sinking.** The day's feed is read as a rolling day: a reader who visits at hour
  ``v`` sees an item posted at hour ``p`` under the items posted between the two (an item posted
  after the reader's visit within the same hour waits a day, under a day's items). On a forum,
  feed or stream an item's visibility halves with every ``Rules.sink_half_items`` newer items: it
  sinks down the list (Hodas & Lerman 2012, "How visibility and divided attention constrain
  social contagion": what is seen is what is near the top; Lerman & Hogg 2010; Wu & Huberman
  2007, "Novelty and collective attention", PNAS, measured attention to a Digg story fading with a
  half-life of about 69 minutes on that busy front page). Sinking is counted in items, not hours:
  a quiet community's post made at 4 am is still near the top in the evening, a busy one's has
  sunk (a first version that decayed by the clock, 6 hours' half-life, emptied a small forum's
  list that in fact nothing pushes down). In a chat group a reader scrolls back through the
  ``Rules.chat_scroll_messages`` newest messages; older ones have scrolled away (an assumption),
  while every unread message still notifies. The exposure of a reader at hour ``v`` to an item
  posted at hour ``p`` is the table ``E[v, p]`` (``exposure_table``), averaged over uniform times
  within both hours; the reading kernels apply it as a per-reader thinning of each topic's items
  (``Clock.reading``), and replies and reactions pick items by appeal times their mean exposure
  over the day's visitors (``Clock.item_exposure``).
* **Scheduled items.** A post made when few members are online reaches fewer readers soon after:
  ``operator_seen_2h`` is the share of the day's visitors who come within 2 hours after an
  operator post (averaged over the day's operator posts) and ``operator_readers_2h`` their number.
  A live event held at an hour draws each member by its profile's weight at that hour relative to
  its peak hour (``Clock.online``; an assumption: at its best hour a member comes as in the
  day-only model).
* **Groups.** With a ``groups`` section (``sim.world.groups``) each group is its own stream: an
  item sinks or scrolls away under the items posted after it **in its group** (the group's own
  items and the operator's announcements, which go to every group), by the group's platform kind
  (chat group: the scroll window; forum, feed, stream: the sink half-life). ``Clock.age`` builds
  one table per open group (a loop over groups, the same ``exposure_table`` kernel); members read
  each group with its table (``Population._read_groups``), and an item's mean exposure for
  replies and reactions is over today's visitors who belong to its group (an announcement's:
  over every group's visitors, each with its group's table; an assumption, one appeal per item).
  That a group is its own stream is how chat groups and channels work (a WeChat group's or a
  Discord channel's messages scroll by that group's traffic only; Qiu et al. 2016 study each
  WeChat group's messages as its own sequence).
* **Outputs.** A 7 x 24 heatmap of visits by weekday and hour, per segment (``hours.parquet``).
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from sim.world.settings import Config, setting

HOURS, WEEKDAYS = 24, 7
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
OPERATOR_HOUR = 10  # the team's posting hour when a lever leaves it empty (office hours)
WITHIN = 2.0  # hours: "seen within 2 hours of posting"

# named shapes (assumptions after the curves of Golder et al. 2007 and Yasseri et al. 2012: a low
# in the early morning, most activity in the evening; office workers by day on weekdays; students
# and gamers late at night): 24 hour weights and 7 weekday weights (Mon..Sun), relative
# fmt: off
SHAPES: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "evening": (
        (0.35, 0.2, 0.12, 0.08, 0.06, 0.07, 0.15, 0.35, 0.55, 0.65, 0.7, 0.75,
         0.85, 0.8, 0.75, 0.75, 0.8, 0.9, 1.0, 1.15, 1.3, 1.35, 1.15, 0.7),
        (1.0, 1.0, 1.0, 1.0, 0.9, 0.85, 0.95),
    ),
    "office": (
        (0.1, 0.06, 0.04, 0.03, 0.03, 0.05, 0.15, 0.45, 0.9, 1.2, 1.3, 1.25,
         1.0, 1.15, 1.25, 1.2, 1.1, 0.9, 0.6, 0.45, 0.4, 0.35, 0.25, 0.15),
        (1.15, 1.15, 1.15, 1.1, 1.05, 0.7, 0.7),
    ),
    "night_owl": (
        (1.2, 1.1, 0.9, 0.6, 0.35, 0.2, 0.12, 0.1, 0.12, 0.2, 0.3, 0.4,
         0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.3),
        (1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 0.9),
    ),
    "flat": ((1.0,) * HOURS, (1.0,) * WEEKDAYS),
}
# fmt: on
Weight = Annotated[float, Field(ge=0, le=1e6)]


class Profile(Config):
    """An activity profile: a named shape, or explicit hour and weekday weights (either may be
    left empty to take the shape's)."""

    shape: str = setting(
        "evening",
        description=f"named shape the weights start from: {', '.join(SHAPES)}",
    )
    hours: list[Weight] = setting(
        default_factory=list,
        max_length=HOURS,
        unit="relative weights",
        description="24 weights, hour 0 to 23 (empty: the shape's)",
    )
    weekdays: list[Weight] = setting(
        default_factory=list,
        max_length=WEEKDAYS,
        unit="relative weights",
        description="7 weights, Monday to Sunday (empty: the shape's)",
    )

    @model_validator(mode="after")
    def _complete(self) -> Profile:
        if self.shape not in SHAPES:
            raise ValueError(f"shape {self.shape!r}: expected one of {', '.join(SHAPES)}")
        if self.hours and (len(self.hours) != HOURS or sum(self.hours) <= 0):
            raise ValueError("hours: give 24 weights (hour 0 to 23), not all 0, or leave it empty")
        if self.weekdays and (len(self.weekdays) != WEEKDAYS or sum(self.weekdays) <= 0):
            raise ValueError(
                "weekdays: give 7 weights (Monday to Sunday), not all 0, or leave it empty"
            )
        return self

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """(hour shares summing to 1, weekday factors with mean 1), float64."""
        hours, weekdays = SHAPES[self.shape]
        h = np.asarray(self.hours or hours, float)
        w = np.asarray(self.weekdays or weekdays, float)
        return h / h.sum(), w / w.mean()


class ActiveHours(Config):
    """The scenario's ``hours`` section: members' activity profiles by segment."""

    default: Profile | str = setting(
        "evening",
        description="profile of segments not named in 'segments': a named shape "
        f"({', '.join(SHAPES)}), a name from 'profiles', or a profile",
    )
    segments: dict[str, Profile | str] = setting(
        default_factory=dict,
        description="profile by member_mix segment name: a named shape, a name from 'profiles', "
        "or a profile",
    )
    profiles: dict[str, Profile] = setting(
        default_factory=dict,
        description="profiles defined once by name, for 'default' and 'segments' to name",
    )
    first_weekday: int = setting(
        0, ge=0, le=6, unit="weekday (0 Monday .. 6 Sunday)", description="weekday of day 1"
    )

    def resolve(self, value: Profile | str, where: str) -> Profile:
        if isinstance(value, Profile):
            return value
        if value in self.profiles:
            return self.profiles[value]
        if value in SHAPES:
            return Profile(shape=value)
        allowed = ", ".join([*SHAPES, *self.profiles])
        raise ValueError(f"{where}: unknown profile {value!r}; allowed: {allowed}")

    def problems(self, segment_names: list[str]) -> list[tuple[str, object, str]]:
        """Problems relating this section to the member mix (``sim.config.Scenario``)."""
        found = []
        for where, value in [("hours.default", self.default)] + [
            (f"hours.segments.{k}", v) for k, v in self.segments.items()
        ]:
            try:
                self.resolve(value, where)
            except ValueError:
                allowed = ", ".join([*SHAPES, *self.profiles])
                found.append((where, value, f"unknown profile; allowed: {allowed}"))
        for name in self.segments:
            if name not in segment_names:
                found.append(
                    (
                        f"hours.segments.{name}",
                        name,
                        "not a member_mix segment; allowed: " + ", ".join(segment_names),
                    )
                )
        return found


def exposure_table(
    kind: str, counts: np.ndarray, half_items: float, scroll_items: float, steps: int = 6
) -> np.ndarray:
    """``E[v, p]``: how visible an item posted in hour ``p`` still is to a reader visiting in
    hour ``v``, from the number of items posted after it and before the visit (``counts``: the
    day's items per hour, each hour's spread evenly over it), averaged over ``steps`` points
    within both hours; the feed is a rolling day, so an item posted after the visit in the same
    hour waits a day, with a day's items above it. Forum, feed and stream: the visibility halves
    with every ``half_items`` newer items; chat group: the ``scroll_items`` newest are seen, older
    ones have scrolled away. No items: everything is visible."""
    counts = np.asarray(counts, float)
    total = counts.sum()
    if total <= 0:
        return np.ones((HOURS, HOURS), np.float32)
    offsets = (np.arange(steps) + 0.5) / steps
    # items posted in the day up to each point (hour h, point k): the day's running count
    running = (np.cumsum(counts) - counts)[:, None] + counts[:, None] * offsets[None, :]
    at = running.ravel()  # (hour * steps,), in time order
    later = np.arange(at.size)
    gap = at[:, None] - at[None, :]  # items after the post and before the visit, same day
    newer = np.where(later[:, None] > later[None, :], gap, total + gap)  # else: a day later
    if kind == "chat_group":
        seen = (newer <= scroll_items).astype(float)
    else:
        seen = np.exp2(-newer / half_items)
    return seen.reshape(HOURS, steps, HOURS, steps).mean(axis=(1, 3)).astype(np.float32)


class Clock:
    """Active hours compiled for a run: per-segment tables, today's visit hours, the heatmap."""

    def __init__(self, hours: ActiveHours, rules):
        segments = [seg.name for seg in rules.member_mix]
        profiles = [
            hours.resolve(hours.segments.get(name, hours.default), f"hours.segments.{name}")
            for name in segments
        ]
        shares = np.array([p.weights()[0] for p in profiles])  # (segment, hour)
        self.first_weekday = hours.first_weekday
        self.weekday_factor = np.array([p.weights()[1] for p in profiles], np.float32)
        self.cdf = np.cumsum(shares, axis=1)
        self.cdf[:, -1] = 1.0
        # every segment's table in one ascending array: segment s's shifted up by s, so that one
        # search of u + s finds s * 24 + its hour
        self._stacked = (self.cdf + np.arange(len(segments))[:, None]).ravel()
        self.peak_share = (shares / shares.max(axis=1, keepdims=True)).astype(np.float32)
        self.kind = rules.platform.kind
        self.half_items, self.scroll_items = rules.sink_half_items, rules.chat_scroll_messages
        self.exposure = np.ones((HOURS, HOURS), np.float32)  # of today's feed (``age``)
        # in groups (``age``): per group its exposure table and its stream's items by hour
        self.group_exposure: np.ndarray | None = None
        self.group_counts: np.ndarray | None = None
        # "within 2 hours": the share of visitors in hour p + k who come less than 2 hours after
        # a post in hour p (uniform times within hours): 1/2, 1, 1/2 for k = 0, 1, 2
        self.within = np.array([0.5, 1.0, 0.5], np.float32)
        self.heatmap = np.zeros((len(segments), WEEKDAYS, HOURS), np.int64)
        self.days: list[np.ndarray] = []  # per day: visits by segment and hour (int32)
        self.segment_names = segments
        self.counts = np.zeros(HOURS, np.float32)  # today's visitors per hour

    def weekday(self, day: int) -> int:
        return (self.first_weekday + day - 1) % WEEKDAYS

    def visit_factor(self, segment: np.ndarray, day: int) -> np.ndarray:
        """Each member's visit multiplier for today's weekday (mean 1 over the week)."""
        return self.weekday_factor[:, self.weekday(day)][segment]

    def draw_hours(
        self, segment: np.ndarray, u: np.ndarray, day: int, held: np.ndarray | None = None
    ) -> np.ndarray:
        """Visit hours (int8) by inverse CDF on each visitor's segment's 24-hour table, or the
        hour a live event holds it (``held`` >= 0: ``Today.visit_hour``), and the day's heatmap
        row and per-hour visitor counts."""
        n_segments = self.cdf.shape[0]
        seg = segment.astype(np.int64)
        cell = np.searchsorted(self._stacked, u.astype(np.float64) + seg, side="right")
        cell = np.minimum(cell, seg * HOURS + HOURS - 1)  # u just below 1 against rounding
        if held is not None:
            cell = np.where(held >= 0, seg * HOURS + held, cell)
        today = np.bincount(cell, minlength=n_segments * HOURS).reshape(n_segments, HOURS)
        today = today.astype(np.int32)
        self.heatmap[:, self.weekday(day)] += today
        self.days.append(today)
        self.counts = today.sum(axis=0).astype(np.float32)
        return (cell - seg * HOURS).astype(np.int8)

    def age(self, feed, groups=None) -> None:
        """Today's exposure table, from the items of the feed read today by the hour posted; with
        ``groups`` (``sim.world.groups.Groups``) also one table per group (``group_exposure``,
        groups x 24 x 24), from the items of that group's stream (its own and the operator's
        announcements, group -1) on that group's platform kind. A closed group's table is 1."""
        counts = np.bincount(feed.hour.astype(np.int64), minlength=HOURS)
        self.exposure = exposure_table(self.kind, counts, self.half_items, self.scroll_items)
        if groups is None:
            return
        hour = feed.hour.astype(np.int64)
        announced = np.bincount(hour[feed.group < 0], minlength=HOURS)
        inside = feed.group >= 0
        per_group = np.bincount(
            feed.group[inside].astype(np.int64) * HOURS + hour[inside],
            minlength=len(groups) * HOURS,
        )[: len(groups) * HOURS].reshape(len(groups), HOURS)
        self.group_counts = per_group + announced[None, :]  # (g, 24): each group's stream
        self.group_exposure = np.ones((len(groups), HOURS, HOURS), np.float32)
        for g in np.flatnonzero(groups.open):
            kind = groups.specs[g].platform.kind
            self.group_exposure[g] = exposure_table(
                kind, self.group_counts[g], self.half_items, self.scroll_items
            )

    def group_seen(self, visits: np.ndarray) -> np.ndarray:
        """In groups, per group: the share of its stream's items (``age``'s feed) that its
        visitors could still see at their visit hours, the rest having sunk or scrolled away
        (mean over the group's visitors, ``visits``: groups x 24 by hour; NaN for a group without
        visitors, 1 for one without items). float64."""
        counts = self.group_counts.astype(np.float64)
        table = self.group_exposure.astype(np.float64)
        total = counts.sum(axis=1)
        at_hour = np.einsum("gvp,gp->gv", table, counts) / np.maximum(total, 1)[:, None]
        visits = visits.astype(np.float64)
        n = visits.sum(axis=1)
        seen = (visits * at_hour).sum(axis=1) / np.maximum(n, 1)
        seen = np.where(total > 0, seen, 1.0)
        return np.where(n > 0, seen, np.nan)

    def reading(self, feed, pref_rows: np.ndarray, hours: np.ndarray, exposure=None):
        """For readers with topic interests ``pref_rows`` visiting at ``hours``: the relevance-
        weighted count of informative items they can see (interest times each topic's exposed
        appeal) and the exposed count of all items (float32 per reader). ``exposure``: the table
        to use (a group's, ``group_exposure[g]``; default today's whole-feed table)."""
        weight = np.where(feed.offtopic, 0, feed.appeal).astype(np.float64)
        cell = feed.hour.astype(np.int64) * feed.n_topics + feed.topic
        by_hour = np.bincount(cell, weights=weight, minlength=HOURS * feed.n_topics)
        by_hour = by_hour.reshape(HOURS, feed.n_topics)
        counts = np.bincount(feed.hour.astype(np.int64), minlength=HOURS).astype(np.float32)
        table = self.exposure if exposure is None else exposure
        per_topic = (table.astype(np.float64) @ by_hour).astype(np.float32)  # (v, topic)
        total = table @ counts  # (v,)
        relevant = (pref_rows * per_topic[hours]).sum(axis=1, dtype=np.float32)
        return np.minimum(relevant, total[hours]), total[hours]

    def item_exposure(self, item_hours: np.ndarray) -> np.ndarray:
        """Each item's mean exposure over today's visitors (float32)."""
        n = self.counts.sum()
        if n <= 0:
            return np.ones(item_hours.size, np.float32)
        by_post = (self.counts @ self.exposure) / n  # (p,)
        return by_post[item_hours.astype(np.int64)].astype(np.float32)

    def item_exposure_in_groups(
        self, item_hours: np.ndarray, item_groups: np.ndarray, visits: np.ndarray
    ) -> np.ndarray:
        """In groups: each item's mean exposure over today's visitors who belong to its group, by
        its group's table (``visits``: groups x 24, today's visitors in each group by hour); an
        announcement's (group -1) over every group's visitors, each by its group's table. An item
        of a group without visitors today keeps 1 (nobody reads it). float32."""
        visits = visits.astype(np.float64)
        table = self.group_exposure.astype(np.float64)  # (g, v, p)
        weighted = np.einsum("gv,gvp->gp", visits, table)  # (g, p): summed over visitors
        n = visits.sum(axis=1)  # (g,)
        by_post = np.where(n[:, None] > 0, weighted / np.maximum(n, 1)[:, None], 1.0)
        everyone = weighted.sum(axis=0) / n.sum() if n.sum() > 0 else np.ones(HOURS)
        h = item_hours.astype(np.int64)
        g = item_groups.astype(np.int64)
        mine = by_post[np.maximum(g, 0), h]
        return np.where(g >= 0, mine, everyone[h]).astype(np.float32)

    def readers_within(self, item_hours: np.ndarray) -> np.ndarray:
        """Today's visitors who come less than 2 hours after each item was posted."""
        h = item_hours.astype(np.int64)
        return sum(self.within[k] * self.counts[(h + k) % HOURS] for k in range(3))

    def online(self, segment: np.ndarray, hour: int) -> np.ndarray:
        """Each member's weight at ``hour`` relative to its profile's peak hour (0..1)."""
        return self.peak_share[:, hour][segment]

    def heatmap_frame(self) -> pd.DataFrame:
        """Visits by day, segment and hour (long form: day, weekday, segment, hour, visits; only
        the cells with visits), the run's 7 x 24 heatmap by any grouping (``hours.parquet``)."""
        if not self.days:
            table = np.zeros((0, len(self.segment_names), HOURS), np.int32)
        else:
            table = np.stack(self.days)  # (day, segment, hour)
        d, s, h = np.nonzero(table)
        return pd.DataFrame(
            {
                "day": (d + 1).astype(np.int32),
                "weekday": np.array(WEEKDAY_NAMES, object)[(self.first_weekday + d) % WEEKDAYS],
                "segment": np.array(self.segment_names, object)[s],
                "hour": h.astype(np.int8),
                "visits": table[d, s, h],
            }
        )
