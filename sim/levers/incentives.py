"""How members respond to an incentive scheme, and how the scheme pays out.

* **Extrinsic pull**: while a scheme runs, the rate of each rewarded action rises with the member's
  extrinsic sensitivity (drawn at join, heterogeneous) and the points it pays.
* **Steering toward badges** (Anderson, Huttenlocher, Kleinberg & Leskovec 2013, "Steering user
  behavior with badges"): members close to a badge threshold do more of the badged action and less
  of its neighbour; once the badge is earned the pull is gone. The pull grows with the square of
  extrinsic sensitivity (full from ``steer_threshold`` up), so only a minority steers enough to be
  detectable one by one (Hoernle et al. 2022).
* **Crowding out** (Deci, Koestner & Ryan 1999): expected tangible rewards wear down intrinsic
  motivation while members earn them, so after the rewards stop activity falls below where it began;
  recognition (badges, ranks, leaderboard places) raises it a little instead.
* **Payout**: points per action, badges, ranks, a leaderboard and, for tangible schemes, redemption
  at ``redeem_at`` points for money; the points liability is what was issued and not yet redeemed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import Population

if TYPE_CHECKING:
    from sim.policies import Incentives

# the action a badged action takes effort from (substitution, Anderson et al. 2013)
NEIGHBOUR = {"post": "reply", "reply": "post", "checkin": None}
COUNTERS = {"post": "scheme_posts", "reply": "scheme_replies", "checkin": "scheme_checkins"}
TANGIBLE_PULL = 1.0  # money rewards pull harder than points alone
RECOGNITION_PULL = 0.5


def prepare_boosts(pop: Population, scheme: Incentives) -> None:
    """Multipliers of visit, post and reply rates for today (``pop.boosts``).

    Computed for the members still here (only their visits, posts and replies read a boost);
    members who left keep a neutral 1."""
    r, n = pop.rules, pop.n
    here = pop.here()
    extrinsic = pop.extrinsic[here]
    strength = TANGIBLE_PULL if scheme.tangible else RECOGNITION_PULL
    boosts = {}
    for action, key in (("checkin", "visit"), ("post", "post"), ("reply", "reply")):
        points = scheme.points.get(action, 0.0)
        pull = np.float32(r.incentive_gain * strength * min(points / 10.0, 1.0))
        boosts[key] = 1 + pull * extrinsic
    # everyone steers a little, the most reward-sensitive a lot: only they are detectable alone
    steerer = np.clip(extrinsic / np.float32(r.steer_threshold), 0, 1) ** 2
    held = pop.badge_bits[here]
    for index, badge in enumerate(scheme.badges[:16]):
        progress = getattr(pop, COUNTERS[badge.action])[here]
        remaining = (badge.threshold - progress).astype(np.float32)
        earned = (held >> index) & 1
        # the pull grows as the threshold nears (a window of about 15% of the threshold)
        proximity = np.where(
            (remaining > 0) & (earned == 0),
            np.exp(-np.maximum(remaining, 0) / np.float32(0.15 * badge.threshold + 1)),
            0,
        ).astype(np.float32)
        steer = np.float32(r.steer_gain) * steerer * proximity
        key = "visit" if badge.action == "checkin" else badge.action
        boosts[key] = boosts[key] * (1 + steer)
        neighbour = NEIGHBOUR[badge.action]
        if neighbour is not None:
            boosts[neighbour] = boosts[neighbour] * (
                1 - np.float32(r.substitution) * np.minimum(steer, 1)
            )
    for key, value in boosts.items():  # on top of what events or a trend already set today
        full = np.ones(n, np.float32)
        full[here] = value
        pop.boosts[key] = (pop.boosts.get(key, 1) * full).astype(np.float32)


def award(
    model,
    scheme: Incentives,
    visitors: np.ndarray,
    threads: np.ndarray,
    replies: np.ndarray,
    invites: np.ndarray,
) -> None:
    """Issue points for today's actions, award badges, ranks and leaderboard places, redeem.

    Only today's visitors act, so points and counters change for them alone and only they can
    cross a badge or rank threshold; everyone still here is checked instead on the first day of
    a scheme, or when its badges or ranks change (say, a trainer edits them mid-run)."""
    pop, operator = model.population, model.operator
    r = pop.rules
    v = pop.slots_of(visitors)
    acted = {"checkin": np.ones(v.size, np.int32), "post": threads[v], "reply": replies[v]}
    for action, counter in COUNTERS.items():
        getattr(pop, counter)[v] += acted[action]
    earned = (
        scheme.points.get("post", 0.0) * threads[v]
        + scheme.points.get("reply", 0.0) * replies[v]
        + scheme.points.get("checkin", 0.0) * 1
        + scheme.points.get("invite", 0.0) * invites[v]
    ).astype(np.float32)
    pop.points[v] += earned
    pop.recent_points[v] += earned
    operator.count("points_issued", float(earned.sum()))
    thresholds = (tuple((b.action, b.threshold) for b in scheme.badges[:16]), tuple(scheme.ranks))
    if pop.thresholds_checked != thresholds:
        checked = np.flatnonzero(pop.view("alive") | visitors)
        pop.thresholds_checked = thresholds
    else:
        checked = v
    recognition = pop.recognition_today
    held = pop.badge_bits[checked]
    for index, badge in enumerate(scheme.badges[:16]):
        reached = getattr(pop, COUNTERS[badge.action])[checked] >= badge.threshold
        new = checked[((held >> index) & 1 == 0) & reached]
        pop.badge_bits[new] |= np.uint16(1 << index)
        pop.badges[new] += 1
        recognition[new] += 1
        operator.count("badges_awarded", int(new.size))
    if scheme.ranks:
        rank = np.searchsorted(np.asarray(scheme.ranks), pop.points[checked], side="right")
        promoted = checked[rank > pop.rank[checked]]
        recognition[promoted] += 1
        pop.rank[checked] = rank
    if scheme.leaderboard:
        top = _leaders(pop, scheme.leaderboard)
        recognition[top] += 0.2  # a daily place on the board is a smaller recognition
    rewarded = v[earned > 0]
    if scheme.tangible:
        _crowd_out(pop, rewarded, r.crowd_out_rate)
        _redeem(pop, operator, scheme)
    else:  # points without money are feedback: a small recognition each day they are earned
        recognition[rewarded] += np.float32(0.1)


def _leaders(pop: Population, places: int) -> np.ndarray:
    """The slots on the leaderboard: the ``places`` members still here with the most recent
    points (above 0); among equal scores at the last place, those who joined first."""
    here = np.flatnonzero(pop.view("alive"))
    score = pop.recent_points[here]
    places = min(places, here.size)
    if places == 0:
        return here[:0]
    last = np.partition(score, here.size - places)[here.size - places]  # the last place's score
    above, level = np.flatnonzero(score > last), np.flatnonzero(score == last)
    top = np.concatenate([above, level[: places - above.size]])
    return here[top[score[top] > 0]]


def _crowd_out(pop: Population, rewarded: np.ndarray, rate: float) -> None:
    """Members rewarded today (slots) lose a share ``rate`` of their intrinsic motivation."""
    pop.intrinsic[rewarded] *= 1 - np.float32(rate)


def _redeem(pop: Population, operator, scheme: Incentives) -> None:
    balance = pop.view("points") - pop.view("points_redeemed")
    redeeming = np.flatnonzero(balance >= scheme.redeem_at)
    if redeeming.size == 0:
        return
    points = balance[redeeming]
    wanted = float(points.sum()) * scheme.money_per_point
    paid = operator.pay(wanted, "rewards")
    share = paid / wanted if wanted else 0.0
    # when money runs short, rewards are paid in order of request and the rest wait
    paid_points = np.floor(points * share)
    pop.points_redeemed[redeeming] += paid_points
    operator.count("points_redeemed", float(paid_points.sum()))
