"""Counter-levers to a competitor: exclusive content and retention offers.

A competitor (``sim.world.uncertainties.Competitor``) lures uncommitted members away: each day a
member still here leaves for it with chance ``Rules.lure_rate x pull x (1 - loyalty)``
(``Population.maybe_leave``). This lever changes that chance member by member, through
``Today.lure_factor``; it never touches loyalty, visits or posts.

**Exclusive content.** A share (``exclusive_share``) of the operator's posts of the day (the
content lever's, published before this lever acts) is made exclusive: something the competitor
cannot offer. Each exclusive post costs ``exclusive_hours`` staff hours and ``exclusive_money``
on top of the post itself (original reporting, licences, interviews). Members who read exclusive
posts on their topics build up a decaying count of them (``exclusive_read``: the
relevance-weighted exclusive items in the day's feed, at most the relevant items the member read,
fading by 1/``Rules.exclusive_memory`` a day, 1/30 by default: about the last month's). Leaving
would lose them: the competitor's pull on the member is multiplied by
``1 - Rules.exclusive_hold x (1 - exp(-exclusive_read / Rules.exclusive_scale))``, so by default a
member who read one exclusive item on its topics in about the last month is 63% of the way to the
full hold (the memory, the saturating form and the scale, one item, are assumptions). Source for
the sign: Burnham, Frels & Mahajan 2003 ("Consumer switching costs: a typology, antecedents, and
consequences", JAMS 31(2)): the loss of benefits a customer would not get elsewhere is one of the
switching costs (financial: the loss of financially quantifiable resources, such as benefits
earned), and all three kinds of switching cost significantly raised customers' intentions to stay,
explaining more variance than satisfaction. The magnitude (``exclusive_hold``) is an assumption.

**Retention offers.** Once the competitor has opened (its pull is on), the operator makes a
one-time tangible offer (``value`` in money, say a paid perk or a discount, paid through the
operator when taken) to members it sees at risk: members who have not visited for ``quiet_days``
days (``offer_to: quiet``), or to every member (``offer_to: everyone``), quietest first, each at
most once. A member offered takes it with chance ``Rules.offer_accept x extrinsic sensitivity x
S(value)``, with ``S(v) = v / (v + Rules.prize_half_value)`` (the value function of prizes,
``sim.levers.events``). For ``term_days`` after the offer:

* a member who took it is held: the competitor's pull on it is multiplied by
  ``1 - Rules.offer_hold`` (a financial switching cost, Burnham et al. 2003; the magnitude is an
  assumption). The money is a tangible reward: it crowds out intrinsic motivation as a day's money
  reward does (``sim.levers.incentives.crowding``: Deci, Koestner & Ryan 1999; Gneezy & Rustichini
  2000);
* a member who declined was woken up: the offer made it reconsider its membership, and the
  competitor's pull on it is multiplied by ``1 + Rules.offer_wakeup x loyalty``. Ascarza, Iyengar
  & Schleicher 2016 ("The perils of proactive churn prevention using plan recommendations:
  evidence from a field experiment", JMR 53(1)) found that proactive offers raised churn: 10% of
  the customers offered left within three months against 6% of the control; they attribute it to
  the offer lowering customers' inertia (and making past usage salient). Inertia is what loyal
  members have most of, so the wake-up scales with loyalty: it matters most for members who were
  not at risk (scaling by loyalty is an assumption; ``offer_wakeup``'s default, 0.67, is the
  relative rise they measured, 10/6 - 1).

Who is at risk is the operator's guess from visits, not the member's loyalty; targeting by it is
what Ascarza 2018 ("Retention futility: targeting high-risk customers might be ineffective", JMR
55(1)) warns about: the members at highest risk are not necessarily those whose behaviour an offer
changes (here, a member quiet for long leaves by inactivity whatever it was offered, and a member
offered who was not at risk may be woken up). Targeting by uplift is not built: the operator sees
no one's response before offering.

**Aimed** (``audience``): offers go only to the members at risk (or everyone) who are also in the
audience (say, high-value members: ``tiers: [high]``), quietest first as before. Exclusive content
does not pick members (every reader of the posts reads it), so the audience leaves it alone.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, PrivateAttr

from sim.agents import Population
from sim.levers.incentives import crowding, saturate
from sim.policies import Audience, Control, ExpectedSign, Lever, Series, priority, register
from sim.world import kernels
from sim.world.settings import Hours, Money, Probability, setting


@register
class Defence(Lever):
    """Counter-levers to a competitor: exclusive content (a switching cost: Burnham, Frels &
    Mahajan 2003) and one-time retention offers to members at risk, which hold some and wake up
    others (Ascarza, Iyengar & Schleicher 2016; Ascarza 2018)."""

    key = "defence"
    role = "community"  # the team role whose hours it draws on (offers; exclusives are content)
    label = "Counter a competitor: exclusive content, retention offers"
    series = (
        Series("exclusive_posts", "operator posts made exclusive today"),
        Series("offers_made", "retention offers made today"),
        Series("offers_taken", "retention offers taken (and paid) today"),
        Series("offers_holding", "members here holding a taken retention offer within its term"),
    )
    controls = (
        Control("exclusive_share", "share of operator posts made exclusive", 0.0, 1.0, 0.05),
        Control("exclusive_hours", "extra staff hours per exclusive post", 0.0, 4.0, 0.25),
        Control("offers", "retention offers once the competitor opens"),
        Control("offer_to", "offer to"),
        Control("quiet_days", "at risk after N days without a visit", 1, 60),
        Control("value", "offer's value (money, paid when taken)", 0.0, 50.0, 0.5),
        Control("term_days", "offer's term (days)", 7, 365),
    )
    signs = (
        ExpectedSign(
            "defence",
            {"content": {}, "defence": {}},
            "leaves_lured_away",
            -1,
            "Burnham, Frels & Mahajan 2003: switching costs keep customers (a third of the "
            "operator's posts exclusive, offers to members quiet for a week; against the same "
            "posts under the same competitor)",
            baseline="defence_posts",
            scenario={"uncertainties": {"competitor": {"start": 60, "pull": 0.5}}},
            baseline_setting={"content": {}},
        ),
    )
    pays_later = True  # offers are paid when taken
    aims = True  # an audience narrows whom offers are made to (not exclusive content)
    # counter-levers act only against a competitor, which the maximum-effort strategy has not
    max_effort: ClassVar[dict | None] = None

    priority: int = priority(5)
    audience: Audience | None = Field(
        None,
        description="aim the retention offers at some members only (roles, segments, value "
        "tiers, posted); applies to offers only, not to exclusive content (which every reader "
        "reads); empty: every member at risk (or everyone, offer_to)",
    )
    exclusive_share: Probability = Field(
        0.3,
        description="share of the operator's posts of the day (the content lever's) made "
        "exclusive; 0: none",
    )
    exclusive_hours: Hours = setting(
        1.0,
        unit="staff hours per exclusive post",
        description="staff hours an exclusive post costs on top of the post itself",
    )
    exclusive_money: Money = setting(
        0.0,
        unit="money per exclusive post",
        description="money an exclusive post costs on top of the post itself (licences, fees)",
    )
    offers: bool = Field(
        True, description="make one-time retention offers once the competitor has opened"
    )
    offer_to: Literal["quiet", "everyone"] = Field(
        "quiet",
        description="whom to offer: members quiet for quiet_days or more (at risk), or every "
        "member",
    )
    quiet_days: int = setting(
        7,
        ge=1,
        le=3650,
        unit="days",
        description="days without a visit that put a member at risk (offer_to: quiet)",
    )
    value: Money = setting(
        5.0, unit="money per offer taken", description="what an offer is worth, paid when taken"
    )
    term_days: int = setting(
        90,
        ge=1,
        le=3650,
        unit="days",
        description="days an offer holds a member who took it (and wakes up one who declined)",
    )
    hours_per_100: Hours = setting(
        0.5,
        unit="staff hours per 100 offers",
        description="staff hours to make 100 offers",
    )
    # today's exclusive items per topic (float32, length K; None: none today)
    _exclusive: np.ndarray | None = PrivateAttr(None)

    def act(self, operator, world, day):
        pop = world.members
        self._exclusive = None
        if self.exclusive_share > 0:
            self._exclusive = mark_exclusive(self, operator, world)
        if self.offers and pop.today.lure > 0:
            offer(self, operator, world, day)

    def respond(self, operator, world, day, actions):
        pop = world.members
        if self._exclusive is not None or pop.view("exclusive_read").any():
            read_exclusive(pop, actions.visitors, self._exclusive)
        if pop.today.lure > 0:
            pop.today.lure_factor = lure_factor(pop, day, self.term_days)

    def measure(self, world):
        pop = world.members
        holding = (
            pop.view("alive")
            & pop.view("offer_taken")
            & (world.day - pop.view("offer_day") < self.term_days)
        )
        return {"offers_holding": float(holding.sum())}


def mark_exclusive(lever: Defence, operator, world) -> np.ndarray | None:
    """Make ``exclusive_share`` of today's operator posts exclusive, as many as the hours and money
    allow; returns the exclusive posts per topic (None: none)."""
    feed = world.feed
    mine = np.flatnonzero(feed.author < 0)
    if mine.size == 0:
        return None
    chosen = mine[world.random("defence.exclusive").random(mine.size) < lever.exclusive_share]
    n_ok = operator.afford(chosen.size, lever.exclusive_hours, lever.exclusive_money, "defence")
    operator.count("exclusive_posts", n_ok)
    if n_ok == 0:
        return None
    return np.bincount(feed.topic[chosen[:n_ok]], minlength=world.n_topics).astype(np.float32)


def read_exclusive(pop: Population, visitors: np.ndarray, exclusive: np.ndarray | None) -> None:
    """Exclusive items read fade by 1/``Rules.exclusive_memory`` a day; today's visitors add the
    exclusive items on their topics (relevance-weighted, at most the relevant items they read)."""
    count = pop.view("exclusive_read")
    count *= np.float32(1 - 1 / pop.rules.exclusive_memory)
    if exclusive is None:
        return
    v = pop.slots_of(visitors)
    found = kernels.active().weighted_rows(pop.pref, v, exclusive)
    count[v] += np.minimum(found, pop.relevant_read[v])


def offer(lever: Defence, operator, world, day: int) -> None:
    """One-time offers to the members at risk (or everyone), quietest first, as the hours allow;
    those who take it are paid ``value`` (as the money lasts) and crowded out a little."""
    pop, r = world.members, world.members.rules
    alive = pop.view("alive")
    quiet = day - np.maximum(pop.view("last_active_day"), pop.view("join_day"))
    eligible = alive & (pop.view("offer_day") == 0)
    if lever.offer_to == "quiet":
        eligible &= quiet >= lever.quiet_days
    targets = lever.aimed(world, np.flatnonzero(eligible))
    targets = targets[np.argsort(-quiet[targets], kind="stable")]
    n_ok = operator.afford(targets.size, lever.hours_per_100 / 100, 0.0, "defence")
    offered = targets[:n_ok]
    operator.count("offers_made", int(offered.size))
    if offered.size == 0:
        return
    pop.offer_day[offered] = day
    chance = (
        np.float32(r.offer_accept * saturate(lever.value, r.prize_half_value))
        * pop.extrinsic[offered]
    )
    taking = offered[world.uniform("defence.offer")[offered] < chance]
    if lever.value > 0 and taking.size:
        paid = operator.pay(lever.value * taking.size, "defence")
        taking = taking[: int((paid + 1e-9) // lever.value)]  # unpaid offers are not taken
        money = np.full(taking.size, lever.value, np.float32)
        pop.intrinsic[taking] *= 1 - np.float32(r.crowd_out_rate) * crowding(money, r)
    pop.offer_taken[taking] = True
    operator.count("offers_taken", int(taking.size))


def lure_factor(pop: Population, day: int, term_days: int) -> np.ndarray:
    """Per member slot, the multiplier of the competitor's pull today: exclusive content read
    (``Rules.exclusive_hold``, saturating at ``Rules.exclusive_scale`` items) times, within an
    offer's term, the hold of a taken offer (``Rules.offer_hold``) or the wake-up of a declined one
    (``Rules.offer_wakeup`` x loyalty)."""
    r = pop.rules
    read = pop.view("exclusive_read")
    factor = 1 - np.float32(r.exclusive_hold) * (1 - np.exp(-read / np.float32(r.exclusive_scale)))
    offered = pop.view("offer_day")
    within = np.flatnonzero((offered > 0) & (day - offered < term_days))
    if within.size:
        taken = pop.offer_taken[within]
        woken = 1 + np.float32(r.offer_wakeup) * pop.loyalty[within]
        factor[within] *= np.where(taken, np.float32(1 - r.offer_hold), woken)
    return factor.astype(np.float32)
