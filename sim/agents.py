"""The member population (a struct of numpy arrays) and a ``Member`` view of one row.

Members live through days: they visit, read yesterday's content, post threads, reply, react, invite,
update their states and maybe leave. Every behaviour is a handful of array expressions over all
member slots; no daily work loops over Python objects.

Mechanisms and their sources:

* **Commitment from benefits minus costs** (Ren & Kraut 2014, "Agent-based modeling to inform online
  community design", Human-Computer Interaction 29(4)): a visiting member weighs *information* benefit
  (relevant items read, saturating near 40 a day), *bond* benefit (ties to members active today and
  replies received), *identity* benefit (events; a hook the operator fills) and *fun/recognition*
  (reactions received) against a *reading cost* that grows with the off-topic share and with overload.
  Loyalty moves toward a logistic function of that net benefit; interest drifts toward what satisfies.
* **The platform decides what is read and what volume costs** (``sim.world.platform``): reading is
  limited by attention (Weng et al. 2012); forum, feed and chat group differ in what a member sees
  first and in the cost of what it leaves unread; information counts each read item's quality;
  Ren & Kraut's unfiltered stream is the ``stream`` kind (``Population.read``).
* **Removed posts are a strong, lasting signal** (Halfaker, Kittur & Riedl 2011), strongest for a
  newcomer's first contributions: a fading memory (``removal_ema``) and a lower drive to post.
* **Habit**: posting begets posting (``Rules.habit_gain``), one of the reinforcements from which
  participation inequality emerges.
* **A power-law tail on propensities** (off by default; ``Segment.tail``): each member's rates
  also times a Pareto factor (Reed & Jorgensen 2004's Pareto-lognormal), for logs whose few
  heaviest members write more than a log-normal spread gives (Wilkinson 2008: contributions per
  member follow power laws); the calibration fits it.
* **Heterogeneous motivation drawn at join** (Deci, Koestner & Ryan 1999 for the intrinsic/extrinsic
  split): intrinsic motivation scales the urge to post and reply, extrinsic sensitivity the response
  to rewards (``sim.levers.incentives``); a separate need for information sets how much a member values what
  it reads, so committed readers who never post (lurkers) exist.
* **Reinforcement of contribution** (Joyce & Kraut 2006, JCMC 11(3)): replies received raise a member's
  drive to post again; with heterogeneous motivation this makes participation inequality emerge
  (Nielsen 2006; van Mierlo 2014, JMIR 16(2):e33) rather than being drawn.
* **Departure** when loyalty stays low (a quit hazard) or inactivity exceeds a limit; the reason is the
  largest of the member's recent deficits.
* **Participation momentum** (off by default; ``Rules.momentum``, ``Population.commitment``): the
  more a member has contributed, the less its staying depends on its loyalty (Wilkinson 2008: the
  chance to stop contributing falls inversely with contributions made). How often it visits still
  follows its loyalty: Wilkinson measured only the chance to stop.
* **Habituation** (off by default; ``Rules.habituation``, ``Population.aspiration_level``): what a
  member expects of a visit moves toward what each of its visits gives (Macy & Flache 2002:
  aspirations that adapt with experience), so its loyalty follows a visit's net benefit against
  its own aspiration, not one fixed for life: a frequent visitor of a quiet community stays.
* **Heterogeneous aspirations** (off by default; ``Rules.aspiration_spread``,
  ``Population.aspiration_level``): each member expects its own net benefit of a visit, drawn at
  joining around ``Rules.aspiration`` (a frailty: Vaupel, Manton & Stallard 1979; Fader & Hardie
  2007's shifted-beta-geometric retention), so those who expect little stay where others drift
  off, and a cohort's retention falls steeply, then flattens as the content remain.
* **Writing sessions** (off by default; ``Rules.session_size``, ``Population._written``): a
  member who writes on a visit writes a session of several threads (replies, apart) with chance
  rate / size, the same expected writing on fewer days (Geiger & Halfaker 2013; Halfaker et al.
  2015: actions come in sessions on every platform measured).
* **Continuations** (off by default; ``Rules.continuation``, ``Population.continue_threads``): a
  thread's author writes a geometric number of further replies in it on the day it starts it,
  whether or not anyone answers (a pull request's further commits: Gousios, Pinzger & van
  Deursen 2014), where follow-ups (``Rules.followup``) answer other members' replies.
* **Individual interest** (off by default; ``Rules.individual_interest``,
  ``Population.own_interest``): a share of the interest a member joins with is its own and
  lasts (Hidi & Renninger 2006: individual interest holds without the environment's support),
  the rest drifts with the information benefit, so a quiet community's core keeps writing.
* **Watching** (off by default; ``Rules.watch_after``, ``Population.notify_watchers``): a member
  who has made ``watch_after`` contributions is told of every new thread by someone else, and each
  pulls it to visit with the chance that it would answer it, 1 - exp(-replies it would write to
  it) (Lakhani & von Hippel 2003: the few who answer most help questions read every new one;
  GitHub subscribes whoever has push access to a repository's new issues and pull requests), so
  a quiet community's heavy answerers come when there is something to answer, not on their
  loyalty's schedule.
* **A newcomer's need** (off by default; ``Rules.need_days``, ``Rules.need_boost``,
  ``Rules.one_time_share``): a newcomer writes ``need_boost`` times its usual threads and replies
  from joining until about ``need_days`` after its first contribution (Panciera, Halfaker & Terveen
  2009: editors write most at the start), and a share of newcomers come to make one contribution:
  when their need ends they start no thread and reply to no other's (Pinto, Steinmacher & Gerosa
  2016: about half of open-source contributors are casual, one contribution each), though they may
  answer those who answer them (``Rules.followup``).
* **Responses to the operator** (``sim.policies``): welcomes and operator replies count like replies,
  event attendance brings identity benefit and ties, removed posts and toxic posts are costs, win-back
  messages give a short pull to return, and rewards that stop leave a sense of loss.

Rows never move: a member keeps its slot (its join order) for life, departures only clear ``alive``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import mesa
import numpy as np
from scipy.special import expit

from sim.world import kernels, segments
from sim.world.content import Items
from sim.world.outcomes import ACTIVE_DAY_AGES, RETENTION_AGES, SURVIVAL_BIT, LeaveReason
from sim.world.parameters import parameter, probability
from sim.world.platform import Platform, quality_tables
from sim.world.streams import RandomStreams, geometric_count, session_count, stochastic_round
from sim.world.ties import TieGraph

# Ren & Kraut: information benefit saturates near 40 relevant items a day
INFO_SATURATION_ITEMS = 40.0
EMA_WEIGHT = np.float32(0.1)  # recent-experience averages remember about the last 10 visits


def benefit_terms(
    rules: Rules,
    info_need: np.ndarray,
    info: np.ndarray,
    bond: np.ndarray,
    identity: np.ndarray,
    reactions: np.ndarray,
    recognition: np.ndarray,
) -> dict[str, np.ndarray]:
    """What a visit gave each visitor, term by term, weighted as ``Population.update_states``
    adds them (in this order): information (need x what was read), bond (ties and replies),
    identity (events), fun (reactions received, saturating by ``fun_scale``) and recognition.
    One place for the weighting, so that diagnostics restating a visit's worth cannot drift
    from the model's."""
    f32 = np.float32
    fun = 1 - np.exp(-reactions.astype(f32) / f32(rules.fun_scale))
    return {
        "information": f32(rules.info_weight) * info_need * info,
        "bond": f32(rules.bond_weight) * bond,
        "identity": f32(rules.identity_weight) * identity,
        "fun": f32(rules.fun_weight) * fun,
        "recognition": f32(rules.recognition_weight) * recognition,
    }


def loyalty_target(
    net: np.ndarray, rules: Rules, aspiration: np.ndarray | None = None
) -> np.ndarray:
    """The loyalty a visit's net benefit pulls toward: a logistic of its excess over the
    aspiration, ``expit((net - aspiration) / temperature)``. ``aspiration`` is each member's own
    (``Population.aspiration_level``, adapting with ``Rules.habituation``); without it, the
    fixed ``Rules.aspiration`` for everyone."""
    level = np.float32(rules.aspiration) if aspiration is None else aspiration
    return expit((net - level) / np.float32(rules.temperature))


def _move_toward(state: np.ndarray, value: np.ndarray, weight: np.ndarray) -> None:
    """In place: ``state += weight * (value - state)`` (weight 0 leaves a member untouched)."""
    state += weight * (value - state)


# ---- newcomers' fit (Rules.newcomer_fit) ----
# Why most newcomers leave in their first month (issue 14, R-2): Kraut & Resnick (2012, ch. 5) --
# most newcomers never find a reason to stay: they come with little need for this particular
# community, lurk a few days and drift off, while those who get replies and ties stay. The founders
# are a self-selected group that needed the community enough to form it; newcomers drawn from the
# market by marketing and word of mouth are not. Under Ren & Kraut's unfiltered stream, the reading
# cost of ~0.28 a visit did this sorting implicitly: only newcomers whose information benefit
# outweighed the stream's cost reached the aspiration. On a forum a visit costs ~0.04 (titles
# scanned, not read), so without a fit every newcomer looked like a founder and 47% were still
# active at day 30 (band 20-40) and 33% at day 90 (band 9-25). A newcomer's fit scales its need for
# information (its drawn `info_need`) by `newcomer_fit` for everyone who joins after day 0, on every
# platform: low-fit newcomers' net benefit stays below the aspiration, their loyalty falls during
# the heavily weighted first visits (`early_weight`) and they drift off over the first one to three
# months, while newcomers who get replies and ties (bond benefit, which fit does not scale) stay.
# One value is set against several patterns at once (R-2's retention(30), retention(90) and their
# ratio, P-1, P-3, R-1's reply share, the default course), not against one target; the magnitude
# (0.6) is an assumption.


class Role(IntEnum):
    """Roles follow from behaviour, never from a label drawn at birth: the codes of
    ``sim.world.segments.ROLE_NAMES`` (declared there, with the rule)."""

    NEWCOMER = 0  # joined less than 30 days ago
    LURKER = 1  # under 0.5 posts in about the last 30 days
    OCCASIONAL = 2  # 0.5 to 3
    REGULAR = 3  # 3 to 10
    CORE = 4  # about ten or more posts in the last 30 days


@dataclass(frozen=True)
class Segment:
    """One kind of newcomer in the member mix; traits are drawn around these centres.

    Each field is declared once here (``parameter``); the scenario's ``member_mix`` items
    (``sim.config.MemberSegment``) are derived from these declarations."""

    name: str = parameter(doc="label of the segment", min_length=1, max_length=64)
    share: float = parameter(
        doc="relative share of newcomers; shares are normalised, need not sum to 1",
        gt=0,
        le=1_000_000,
    )
    intrinsic: float = probability(0.5, "mean intrinsic motivation")
    extrinsic: float = probability(0.5, "mean extrinsic sensitivity")
    visit: float = probability(
        0.5, "daily visit probability when fully committed", unit="probability per day"
    )
    post: float = parameter(
        0.1, "threads per visit at full drive", ge=0, le=100, unit="threads per visit"
    )
    reply: float = parameter(0.2, "replies per visit", ge=0, le=100, unit="replies per visit")
    react: float = parameter(0.5, "reactions per visit", ge=0, le=100, unit="reactions per visit")
    invite: float = parameter(
        0.01, "invitations per visit", ge=0, le=100, unit="invitations per visit"
    )
    read_budget: float = parameter(
        40.0, "items a visit reads before overload", ge=1, le=100_000, unit="items per visit"
    )
    favourite_topics: int = parameter(
        2, "topics of strong interest (at most community.topics)", ge=1, le=64, unit="topics"
    )
    spread: float = parameter(
        0.8, "sd of the log-normal jitter of propensities (of visiting: half that)", ge=0, le=5
    )
    # a power-law upper tail on top of the log-normal jitter (Population.add): the Pareto-lognormal
    # of Reed & Jorgensen 2004 ("The double Pareto-lognormal distribution: a new parametric model
    # for size distributions", Comm. Statist. Theory Methods 33(8)), the size reached by geometric
    # growth from a log-normal start over an exponentially distributed time, as a member's
    # activity grows over its tenure. Contributions per member follow power laws in Wikipedia,
    # Digg, Bugzilla and Essembly (Wilkinson 2008, "Strong regularities in online peer
    # production", EC '08), and real logs' top 1% write more than a log-normal at their Gini gives
    # (benchmarks/diagnostics/contribution_tails.py). Off (0) by default: the default community's
    # inequality emerges from reinforcement (EVIDENCE P-1); the calibration fits it per log
    tail: float = parameter(
        0.0,
        "power-law tail of the propensities: each member's are also multiplied by exp(tail x E), "
        "E standard exponential, a Pareto factor of index 1 / tail (Reed & Jorgensen 2004); "
        "0: the log-normal jitter only",
        ge=0,
        le=0.95,
    )
    toxic: float = probability(0.0, "chance that a thread by this kind of member is toxic")
    chatter: float = probability(
        0.0, "share of this kind of member's threads that are off-topic chatter"
    )


# Trait spread is moderate (threads per visit 50x from casual to expert, replies ~80x, jitter sd
# 0.8): participation inequality comes mostly from reinforcement -- replies received, recognition,
# ties and habit (Joyce & Kraut 2006) -- not from drawn traits (see benchmarks/inequality_ablation.py;
# Panciera, Halfaker & Terveen 2009, "Wikipedians are born, not made", is the counter-view that
# heavy contributors differ from their first day, which the remaining spread keeps a part of).
DEFAULT_MIX = (
    Segment(
        "casual",
        0.73,
        intrinsic=0.35,
        extrinsic=0.5,
        visit=0.35,
        post=0.003,
        reply=0.006,
        react=0.3,
        invite=0.005,
        read_budget=100.0,
        favourite_topics=1,
    ),
    Segment(
        "engaged",
        0.25,
        intrinsic=0.6,
        extrinsic=0.5,
        visit=0.6,
        post=0.02,
        reply=0.06,
        react=0.8,
        invite=0.01,
        read_budget=200.0,
        favourite_topics=2,
    ),
    Segment(
        "expert",
        0.02,
        intrinsic=0.8,
        extrinsic=0.4,
        visit=0.9,
        post=0.15,
        reply=0.5,
        react=1.0,
        invite=0.02,
        read_budget=400.0,
        favourite_topics=3,
    ),
)


DEFAULT_PLATFORM = Platform()


@dataclass(frozen=True)
class Rules:
    """The behavioural parameters shared by every member (validated at the scenario boundary).

    Every field but the first six is a parameter declared once here, with its meaning, unit and
    bounds (``parameter``); the scenario's ``behaviour`` section (``sim.config.Behaviour``) is
    derived from these declarations, under the same names. ``n_topics``, ``topic_popularity``,
    ``founder_weights``, ``founder_visits`` and ``member_mix`` are set by the scenario's
    ``community`` and ``member_mix`` sections, ``platform`` by its ``platform`` section."""

    n_topics: int = 8
    topic_popularity: tuple[float, ...] = ()
    # how much each of the first founders writes, and how often each visits, relative to the
    # others (``Population._weigh_founders``): empty, drawn from the member mix like everyone's
    founder_weights: tuple[float, ...] = ()
    founder_visits: tuple[float, ...] = ()
    member_mix: tuple[Segment, ...] = DEFAULT_MIX
    platform: Platform = DEFAULT_PLATFORM  # the scenario's ``platform`` (sim.world.platform)
    # motivation (Deci, Koestner & Ryan 1999)
    motivation_spread: float = parameter(
        1.2, "sd of intrinsic/extrinsic motivation on the logit scale", ge=0, le=5
    )
    need_spread: float = parameter(
        0.85, "sd of the log of each member's need for information", ge=0, le=5
    )
    newcomer_fit: float = parameter(
        0.6,
        "fit of newcomers from the market: their mean need for information as a share of the "
        "founders' (most newcomers have less need for this community than the group that formed "
        "it and drift off within weeks; Kraut & Resnick 2012 ch. 5)",
        ge=0.01,
        le=5,
    )
    # newcomers' fit by recruitment channel (sim.levers.recruitment, Channel): a multiplier on the
    # fit of the newcomers a channel brings, relative to newcomers from the market (newcomer_fit).
    # Verhoef & Donkers 2005 ("The effect of acquisition channels on customer loyalty and
    # cross-buying", J. Interactive Marketing 19(2)): customers a financial-services firm acquired
    # by direct mail, radio and TV were retained less than others; those who came through its web
    # site were retained well. Paid ads reach people who were not looking for the community, so
    # they bring lower-fit newcomers; partners (an allied organisation that recommends the
    # community to its own members) bring people already in the field. Magnitudes are assumptions.
    paid_fit: float = parameter(
        0.7,
        "fit of newcomers brought by paid ads, as a multiple of other newcomers' fit (Verhoef & "
        "Donkers 2005: mass-media and direct-mail acquisitions are retained less; 0.7 assumed)",
        ge=0.01,
        le=5,
    )
    partner_fit: float = parameter(
        1.3,
        "fit of newcomers brought by a partner channel, as a multiple of other newcomers' fit "
        "(assumption: a partner's members already share the community's subject)",
        ge=0.01,
        le=5,
    )
    # visiting
    visit_floor: float = probability(0.05, "share of the visit propensity kept at zero loyalty")
    novelty: float = probability(
        0.45,
        "newcomers' extra visit probability on the join day, fading in a week",
        unit="probability per day",
    )
    reply_pull: float = probability(
        0.3, "extra visit probability when replies await", unit="probability per day"
    )
    # benefits (weights) and costs (Ren & Kraut 2014)
    info_weight: float = parameter(0.7, "weight of the information benefit", ge=0, le=10)
    bond_weight: float = parameter(0.45, "weight of the bond benefit", ge=0, le=10)
    identity_weight: float = parameter(0.5, "weight of the identity benefit (events)", ge=0, le=10)
    fun_weight: float = parameter(0.3, "weight of fun and recognition", ge=0, le=10)
    bond_scale: float = parameter(
        1.5,
        "tie strength to active members giving ~63% of the bond benefit",
        ge=0.01,
        le=100,
        unit="tie strength",
    )
    reply_bond: float = parameter(
        0.5,
        "tie-strength equivalent of one reply received today",
        ge=0,
        le=10,
        unit="tie strength",
    )
    fun_scale: float = parameter(
        3.0,
        "reactions received giving ~63% of the fun benefit",
        ge=0.01,
        le=1000,
        unit="reactions",
    )
    offtopic_cost: float = parameter(0.27, "reading cost of an all off-topic feed", ge=0, le=10)
    overload_cost: float = parameter(0.48, "largest cost of more to read than time", ge=0, le=10)
    # loyalty
    aspiration: float = parameter(
        0.42, "net benefit at which loyalty neither grows nor shrinks", ge=-10, le=10
    )
    temperature: float = parameter(
        0.14, "how gently loyalty responds to net benefit", ge=0.001, le=10
    )
    # heterogeneous aspirations (Population.add, Population.aspiration_level): members differ in
    # how much a visit must give them to stay. Where the chance to leave differs between members,
    # those likely to leave leave first, so a cohort's leaving rate falls with its age even though
    # no member's does: the frailty of Vaupel, Manton & Stallard 1979 ("The impact of
    # heterogeneity in individual frailty on the dynamics of mortality", Demography 16(3):439-454),
    # and for customers the shifted-beta-geometric model of Fader & Hardie 2007 ("How to project
    # customer retention", J. Interactive Marketing 21(1):76-90), whose heterogeneous churn
    # probabilities give the retention curves of real subscribers, falling steeply and then
    # flattening. With one aspiration for all, every member of a quiet community (net benefit of a
    # visit ~0.05 against 0.42) sinks alike and nobody stays, the core included (issue 15: on
    # click's fits the heaviest founder leaves bored within months; the log's writes for years),
    # where the real exports keep 36-100% of their retention(30) at 90 days. Here each member's
    # aspiration is drawn at joining, the common one plus aspiration_spread times a standard
    # normal; habituation then moves it from there. The normal form is an assumption; 0 (the
    # default) is off
    aspiration_spread: float = parameter(
        0.0,
        "sd of each member's aspiration (the net benefit of a visit at which its loyalty holds) "
        "around `aspiration`, drawn at joining: those who expect little stay where others drift "
        "off (frailty: Vaupel et al. 1979; Fader & Hardie 2007); 0: the same for everyone",
        ge=0,
        le=5,
        unit="net benefit",
    )
    # habituation (Population.aspiration_level): what a member expects of a visit adapts to what
    # its visits have given it. Macy & Flache 2002 ("Learning dynamics in social dilemmas", PNAS
    # 99(suppl. 3):7229-7236) model satisfaction against an aspiration that moves toward each
    # payoff received by a habituation share, A <- (1 - h) A + h x payoff; Lant 1992 (Management
    # Science 38(5):623-644) measured aspirations adapting to past performance. Without it, every
    # member weighs a visit against the same aspiration for life, so in a quiet community (net
    # benefit ~0.05 against 0.42) the loyalty target is ~0.05 for all, and even a founder who
    # visits daily and writes most of it drifts off in one to two years (issue 15: click's and
    # conlang.meta's fits, benchmarks/diagnostics/core_tenure.py), where real communities' core
    # stays for years. With it, a member's loyalty follows what its visits give against what they
    # have given: those who visit often come to expect what the community gives and stay, a
    # newcomer of few visits is still judged against the common aspiration, and a change (a
    # removed post, a reward) moves loyalty for a while, then is habituated to. Per visit, so the
    # loyal adapt faster than the rare visitor. A calibration fits the magnitude (HABITUATION;
    # by default in calibration versions 29 and 31, see there); 0 (the default) is off
    habituation: float = probability(
        0.0,
        "per visit, share of the gap between a member's aspiration and the net benefit of the "
        "visit that closes: what a member expects of a visit adapts to what its visits give "
        "(Macy & Flache 2002); 0: off, everyone's aspiration the fixed `aspiration`",
        unit="share per visit",
    )
    loyalty_rate: float = probability(
        0.011,
        "per visit, share of the gap to the target loyalty closed",
        unit="share per visit",
    )
    early_weight: float = parameter(
        9.0, "extra weight of the first ~10 visits in forming loyalty", ge=0, le=100
    )
    forget_rate: float = probability(
        0.002, "daily loss of loyalty on days without a visit", unit="share per day"
    )
    interest_rate: float = probability(
        0.08, "per visit, drift of overall interest toward satisfaction", unit="share per visit"
    )
    # individual interest (Population.own_interest): Hidi & Renninger 2006 ("The four-phase model
    # of interest development", Educational Psychologist 41(2):111-127) tell situational interest,
    # triggered and kept up by what the environment offers, from well-developed individual
    # interest, a person's own lasting engagement with a topic that holds without that support.
    # Without it, a member's whole interest drifts toward the information benefit of its visits,
    # which counts relevant items (Ren & Kraut's saturation near 40 a day): in a quiet community
    # (a few items a week) that benefit is ~0, so every member's interest sinks toward 0, and a
    # founder kept by its loyalty writes at a third of its rate (``_thread_rate``: 0.3 + interest)
    # and visits less (``visit``). Issue 15: on conlang.meta's calibration 29 fit its founders'
    # interest fell from 0.41-0.57 to 0.00-0.01 by day 400, and the top 1%'s share came out at
    # 0.085 against the log's 0.216; with interest held (interest_rate 0) at 0.177 (seeds 1-4,
    # the same scenario). With it, this share of the interest a member joins with is its own
    # (held), the rest situational (drifting): interest moves toward
    # share x own + (1 - share) x information benefit. The form (a fixed share, everyone's
    # alike) and the magnitude are assumptions; a calibration fits it (INDIVIDUAL_INTEREST);
    # 0 (the default) is off
    individual_interest: float = probability(
        0.0,
        "share of the interest a member joins with that is its own and lasts (individual "
        "interest, Hidi & Renninger 2006): interest drifts toward this share of it plus the rest "
        "of the information benefit of a visit; 0: off, all of it drifting with what visits give",
    )
    topic_drift: float = probability(
        0.02, "per visit, drift of topic interest toward what satisfies", unit="share per visit"
    )
    # reinforcement of contribution (Joyce & Kraut 2006)
    drive_gain: float = parameter(
        0.25, "post drive added per reply received", ge=0, le=10, unit="drive per reply"
    )
    drive_decay: float = probability(
        0.03, "daily return of post drive toward 1", unit="share per day"
    )
    drive_max: float = parameter(10.0, "ceiling of post drive", ge=1, le=100)
    first_reply_weight: float = parameter(
        3.0,
        "extra drive from the first replies a member ever receives (fades over ~3)",
        ge=0,
        le=100,
    )
    habit_gain: float = parameter(
        0.2,
        "post drive added per post the member writes: posting begets posting (habit; "
        "Joyce & Kraut 2006 on continued posting; Panciera, Halfaker & Terveen 2009 hold the "
        "counter-view that heavy contributors differ from their first day)",
        ge=0,
        le=10,
        unit="drive per post",
    )
    ignored_penalty: float = probability(
        0.5,
        "share of its drive to post a member with few replies yet loses when one of its threads "
        "gets no reply (Joyce & Kraut 2006)",
    )
    # a member's time for writing (Population._writing_scale): contributions compete for a
    # member's finite time, as reading does for its attention (Weng et al. 2012, "Competition among
    # memes in a world with limited attention", Sci. Rep. 2:335; Goncalves, Perra & Vespignani
    # 2011, "Modeling users' activity on Twitter networks: validation of Dunbar's number", PLoS ONE
    # 6(8):e22656: finite time and a priority queue bound the conversations a user keeps up). The
    # saturating form (x / (1 + x / capacity)) and the magnitude are assumptions; 0 turns it off
    writing_capacity: float = parameter(
        0.0,
        "most contributions (threads + replies) a member writes on a day however strong its "
        "drive: the day's expected writing x becomes x / (1 + x / writing_capacity), so a member "
        "writing far below it is unchanged and one driven far above it writes about this many "
        "(finite time: Goncalves, Perra & Vespignani 2011; the form and magnitude are "
        "assumptions); 0: no limit",
        ge=0,
        le=10_000,
        unit="contributions per day",
    )
    # writing sessions (Population._written): a member who writes on a day often writes several
    # times that day, a question and comments on its answers, a pull request and its fix-ups, a
    # run of chat messages: contributions come in sessions (Geiger & Halfaker 2013, "Using edit
    # sessions to measure participation in Wikipedia", CSCW; Halfaker et al. 2015, "User session
    # identification based on strong regularities in inter-activity time", WWW, found sessions of
    # several actions on every platform they measured). With the rates rounded, a visit at a rate
    # below one writes at most one thread and one reply, so a member's writing spreads over more
    # days: on the real exports of ../shared/realdata 31-70% of the member-days with a
    # contribution hold two or more; in candidate 39's calibrated runs (docs/calibration-history.md)
    # 3-21% on click, attrs, bicycles.meta and slack-haskell-jp (31-53% in their logs), 33-38% on
    # quantumcomputing and conlang.meta (48% and 31%), 60% on discord-komodo (70%)
    # (benchmarks/diagnostics/day_bursts.py). Here a visit writes a session with chance rate / m
    # and a session holds 1 + a geometric number of items, m in all on average, m =
    # max(session_size, rate): the same expected writing, on fewer days. The geometric form is an
    # assumption; 1 (the default) is off: the rate rounded
    session_size: float = parameter(
        1.0,
        "mean threads (and, apart, replies) a member writes in one sitting when it writes: a visit "
        "writes a session with chance rate / session_size, of 1 + a geometric number of items, "
        "the same expected writing on fewer days (edit sessions: Geiger & Halfaker 2013); 1: "
        "off, a visit writes its rate rounded",
        ge=1,
        le=100,
        unit="contributions per session",
    )
    # ties (Ren, Kraut & Kiesler 2007)
    tie_gain: float = probability(
        0.3, "tie strength added per reply", unit="tie strength per reply"
    )
    tie_decay: float = probability(0.02, "daily decay of every tie", unit="share per day")
    tie_prune: float = probability(0.02, "ties weaker than this disappear", unit="tie strength")
    # participation momentum (Population.commitment): Wilkinson 2008, "Strong regularities in
    # online peer production" (ACM EC), measured over hundreds of millions of contributions to four
    # peer-production systems that the chance a person stops contributing falls inversely with the
    # contributions they have made, which alone gives the heavy tail in which a few very active
    # members make most contributions. Here a member's commitment to stay is its loyalty raised
    # toward 1 by k / (k + momentum) after k contributions, so its shortfall (what raises its quit
    # hazard) falls as momentum / (k + momentum), Wilkinson's 1 / k for k >> momentum. Its visits
    # follow its loyalty alone (MODEL_VERSION 7): Wilkinson measured the chance to stop, not how
    # often members come, and momentum on visits too let a calibrated community's few prolific
    # members visit near daily, write, get replies and so carry others: on issue 15's second attrs
    # fit its seeds wrote 2.5-258 contributions a week, 1.7-11 with momentum on staying only
    # (benchmarks/diagnostics/volume_bistability.py). The form and magnitude are assumptions; 0
    # (the default) turns it off
    momentum: float = parameter(
        0.0,
        "contributions (threads + replies) after which a member's own participation makes up half "
        "of the commitment it lacks to stay (participation momentum: the chance to stop falls as "
        "1 / contributions made, Wilkinson 2008; its visits still follow its loyalty); 0: off",
        ge=0,
        le=100_000,
        unit="contributions",
    )
    # watching the whole community (Population.notify_watchers): Lakhani & von Hippel 2003 ("How
    # open source software works: 'free' user-to-user assistance", Research Policy 32) found the
    # few who answer most of Apache's help questions read every new question, daily; platforms
    # make that a notification: GitHub subscribes whoever has push access to every new issue and
    # pull request of a repository (its "watching"; GitHub Docs, "About notifications"), Stack
    # Exchange and Discourse let a member watch tags or categories. A member who has made
    # watch_after contributions watches: each new thread by someone else pulls it to visit with
    # the chance that it would answer it (1 - exp(-w), w the replies it would write to it), so the
    # heavy answerers come nearly always and others seldom. Why: a real log's top member answers
    # most threads of a quiet community (conlang.meta: 39 of 53, within a day or two), where a
    # run's, visiting on its loyalty's schedule, found something to answer on 27 of its 122 visits
    # (issue 15, benchmarks/diagnostics/core_writing.py). The threshold and the form are
    # assumptions; 0 (the default) turns it off
    watch_after: int = parameter(
        0,
        "contributions (threads + replies) after which a member watches the community: each new "
        "thread by someone else pulls it to visit with the chance that it would answer it "
        "(Lakhani & von Hippel 2003; GitHub's watching); 0: nobody watches",
        ge=0,
        le=1_000_000,
        unit="contributions",
    )
    # one-time contributors (Population.add, Population._need_factor): Pinto, Steinmacher &
    # Gerosa 2016 ("More common than you think: an in-depth study of casual contributors", SANER)
    # found that about half of the contributors to 275 GitHub projects made one contribution and no
    # other, together under 2% of the commits; Lee & Carver 2017 (ESEM) that one-time contributors
    # come to fix a problem of their own; in Q&A sites most members ask a question or two and go
    # (Yang, Wei, Ackerman & Adamic 2010, ICWSM, on activity lifespans; Slag, de Waard & Bacchelli
    # 2015, MSR, "One-day flies on StackOverflow"). Such a newcomer's urge to write ends with its
    # need (`need_days`), whatever it gets back: the reinforcement of replies (Joyce & Kraut 2006)
    # works on the others. It may still visit and read, and answer those who answer its own
    # threads (Rules.followup: the conversation about its problem goes on). 0 (the default) turns
    # it off
    one_time_share: float = probability(
        0.0,
        "share of newcomers who come to make one contribution: once their need ends (need_days) "
        "they start no thread and reply to no other's (casual contributors, Pinto et al. 2016; "
        "follow-ups in their own threads go on); 0: off",
    )
    # newcomers who join to write (Population.add, Population.visit, Population.post): in the logs
    # real communities keep, joining *is* a contribution: a question on a Q&A site, a patch or an
    # issue in a repository, a first message in a chat. Lee & Carver 2017 (ESEM) found one-time
    # contributors come to fix a problem of their own; Slag, de Waard & Bacchelli 2015 (MSR) that
    # most Stack Overflow members who ask do so on one day ("one-day flies"); Steinmacher et al.
    # 2015 (CSCW) describe a newcomer's first contribution as the reason it came. Such a newcomer
    # visits on its joining day and starts a thread then, whatever its rates; the others join to
    # read and write only as their rates bring them to (Nielsen 2006 and van Mierlo 2014, JMIR
    # 16(2):e33: about 90% of a community's members never post). That the intent is all-or-none
    # and met on the joining day is an assumption; 0 (the default) turns it off
    asking_share: float = probability(
        0.0,
        "share of newcomers who join to write: they visit on their joining day and start a thread "
        "then (a question, a patch, a first message; Lee & Carver 2017); 0: off",
    )
    # a newcomer's need (Population.add, Population.close_needs): people join a Q&A site to ask,
    # a repository to fix something of their own (Lee & Carver 2017), and write most in their
    # first days: Panciera, Halfaker & Terveen 2009 (GROUP) found Wikipedia editors' activity
    # highest at the start of their careers; Slag et al. 2015 that most Stack Overflow members
    # post on a single day. The need is voiced at the first contribution and lasts about
    # `need_days` from then (a question's follow-up questions, a patch's review rounds); one not
    # voiced within that many days of joining lapses. While it lasts the newcomer writes
    # `need_boost` times its usual threads and replies; when it ends a one-time contributor writes
    # no more, the others go on at their usual rates. That the need's length is exponentially
    # distributed and its boost one constant factor are assumptions
    need_days: float = parameter(
        0.0,
        "days a newcomer's need to write lasts, on average: from its first contribution, or from "
        "joining if it has not contributed by then (exponential, whole days; 0: that day only); "
        "used by one_time_share and need_boost",
        ge=0,
        le=3650,
        unit="days",
    )
    need_boost: float = parameter(
        1.0,
        "factor on a newcomer's threads and replies while its need lasts (need_days), from "
        "joining on: newcomers write most in their first days (Panciera et al. 2009); 1: off",
        ge=1,
        le=1000,
        unit="times",
    )
    # departure
    quit_threshold: float = parameter(0.27, "loyalty under which members may quit", ge=0.001, le=1)
    quit_rate: float = probability(
        0.2, "daily quit hazard at zero loyalty", unit="probability per day"
    )
    inactivity_limit: int = parameter(
        60,
        "days without a visit after which a member counts as gone",
        ge=1,
        le=3650,
        unit="days",
    )
    initial_loyalty: float = probability(0.31, "newcomers' loyalty")
    founder_loyalty: float = probability(0.6, "founders' loyalty")
    # the founders as the core (Population.add): a community's starting members write far more
    # than those who come later. Mockus, Fielding & Herbsleb 2002 (TOSEM) found a core of about
    # 15 developers, the project's earliest, writing over 80% of Apache's code; the onion model
    # of open-source communities (Crowston & Howison 2005, First Monday) puts the founders in the
    # core. Every real export of issue 15 shows it: the members there in its first week (or, in a
    # git log cut from a longer history, those active before the cut) are 0.1% to 57% of its
    # contributors and write 13% to 80% of its contributions, while the model's founders, drawn
    # from the same member mix as everyone, wrote 0% to 56% (mostly under 10%) of a calibrated
    # run's. That the founders' rates are all their segments' times one factor is an assumption.
    # The onion model's core is a few of the members there at the start, around them a periphery
    # of users who seldom write (Crowston & Howison 2005; Nakakoji et al. 2002): ``founder_core``
    # says how many of the founders are the core (the first that many; 0: all of them), so that
    # a community can start with its core and a periphery already there. The core writes from the
    # start: each starts a thread on day 1 (as newcomers who join to write do on their joining
    # day, Rules.asking_share), since a log's founders are those it shows writing at its start
    # (in its first week, or before a cut): with rates alone, a core writing a few times a year
    # wrote first after the founders' week and so counted as newcomers (conlang.meta's v21
    # pilot: 19 to 26 of the 40 core founders wrote in the first week)
    founder_activity: float = parameter(
        1.0,
        "factor on the founders' threads and replies (the community's starting core writes more "
        "than later members: Mockus et al. 2002; Crowston & Howison 2005); 1: off",
        ge=1,
        le=1000,
        unit="times",
    )
    founder_core: int = parameter(
        0,
        "how many of the founders are the core who write founder_activity times their segments' "
        "threads and replies and start a thread on day 1 (the first that many; the others are a "
        "periphery there from the start: the onion model, Crowston & Howison 2005); 0: no core "
        "set apart (every founder writes founder_activity times, none is made to start)",
        ge=0,
        le=10_000_000,
        unit="members",
    )
    # replying
    followup: float = parameter(
        0.0,
        "replies a thread's author writes in it per reply from another member, when visiting that "
        "day (Population.answer_own_threads; re-entry, Backstrom et al. 2013; 0: authors never answer)",
        ge=0,
        le=100,
        unit="replies per reply received",
    )
    # an author's own continuation of its thread (Population.continue_threads): a pull request's
    # author pushes further commits to it, a chat member adds messages under its own thread, an
    # asker edits and adds to its question, whether or not anyone has answered. On the git exports
    # of ../shared/realdata most of a thread's own replies come before any other member's (attrs
    # 85%, click 93%) and two thirds to three quarters are in threads nobody else answered
    # (benchmarks/diagnostics/own_replies.py), which the follow-up rule (waiting for another's
    # reply) cannot write; about half come on the thread's first day. Sources: Gousios, Pinzger &
    # van Deursen 2014 (ICSE, "An exploratory study of the pull-based software development
    # model": a pull request is a series of commits its author updates); Backstrom et al. 2013
    # (re-entry into one's own conversation). That the further items come on the thread's first
    # day and their number is geometric are assumptions; 0 (the default) turns it off
    continuation: float = parameter(
        0.0,
        "further replies a thread's author writes in it on the day it starts it, whether or not "
        "anyone answers, on average (geometric; Population.continue_threads; a pull request's "
        "further commits, Gousios et al. 2014); 0: off",
        ge=0,
        le=100,
        unit="replies per thread",
    )
    reply_saturation: float = parameter(
        0.0,
        "replies a thread draws before its pull on more halves: the one finding j replies writes "
        "with probability h / (h + j) (Population._unsaturated; Anderson et al. 2012; the form "
        "is an assumption; 0: no saturation)",
        ge=0,
        le=1_000_000,
        unit="replies",
    )
    reply_window: int = parameter(
        1,
        "days a thread stays open to replies: on its a-th day after it was posted (a = 1 the "
        "next day) it pulls repliers a^-reply_decay as much as on its first, the pulls over the "
        "window summing to one day's: the window spreads a thread's replies, it does not add to "
        "them (CommunityModel._reply_pool, Population.reply_pull_total; power-law relaxation of "
        "attention, Crane & Sornette 2008; a question's answers keep coming for weeks, Anderson "
        "et al. 2012); 1: the next day only",
        ge=1,
        le=365,
        unit="days",
    )
    reply_decay: float = parameter(
        1.0,
        "how fast an open thread's pull on repliers falls with its age (reply_window): a^-d on "
        "its a-th day (1: 1/a; higher: replies crowd into the first days, as in a chat; the "
        "power-law form is Crane & Sornette 2008's, the exponent is fitted to a log)",
        ge=0,
        le=20,
        unit="exponent",
    )
    # replying on a forum
    seek_crowd: int = parameter(
        3,
        "forum: a reply to a thread this many repliers picked (itself included) turns to a second, "
        "unpicked thread (Population._seek_unanswered; Mamykina et al. 2011: answerers look for "
        "unanswered questions; when a replier bothers to look further is an assumption)",
        ge=1,
        le=1_000_000,
        unit="replies",
    )
    # return after leaving (Population.rejoin). The chance to come back falls hyperbolically with
    # time away (Wikimedia 2012 "Necromancy": messages to lapsed editors worked little and only
    # within ~48 hours; EVIDENCE W-1 wants reactivation to fall with dormancy); a friend's pull
    # follows Ren, Kraut & Kiesler 2007 (bonds keep members) and Kraut & Resnick 2012 ch. 3 (ties
    # to active members draw lapsed ones back). The magnitudes are assumptions.
    return_half_days: float = parameter(
        30.0,
        "days away after which the chance to come back has halved",
        ge=0.1,
        le=3650,
        unit="days",
    )
    return_horizon: int = parameter(
        365, "members gone longer than this are not pulled back", ge=0, le=36500, unit="days"
    )
    friend_pull: float = probability(
        0.001,
        "a departed member's daily chance to come back, just after leaving, when many friends are "
        "still active",
        unit="probability per day",
    )
    friend_scale: float = parameter(
        3.0,
        "active friends giving ~63% of the friends' pull",
        ge=0.01,
        le=1000,
        unit="friends",
    )
    return_loyalty_kept: float = probability(
        0.8, "share of its (decayed) loyalty a member keeps when it comes back"
    )
    # responses to the operator's levers (sim.policies)
    attention_bond: float = parameter(
        1.0,
        "tie-strength equivalent of a welcome message or an operator reply",
        ge=0,
        le=10,
        unit="tie strength",
    )
    event_ties: int = parameter(
        2,
        "new ties each event attendee makes with other attendees",
        ge=0,
        le=50,
        unit="ties per attendee",
    )
    # offline events (sim.levers.events): meeting face to face builds stronger ties and a stronger
    # sense of who members are in the community than meeting online (Koh, Kim, Butler & Bock 2007,
    # CACM 50(2): offline interaction predicted members' posting; Sessions 2010, "How offline
    # gatherings affect online communities": meetups strengthened attendees' ties to each other and
    # their engagement, while weak ties to members who did not come dissolved; McCully et al. 2011
    # found, on Everything2, that the ties made offline can draw members away from the site). The
    # magnitudes are assumptions.
    offline_reach: float = probability(
        0.35,
        "share of the members who would come to an offline event who can travel to it (distance, "
        "schedule, fare; an assumption, drawn anew for each event)",
    )
    # surveys (sim.levers.adaptive, source "survey"): who answers a survey is not random. Groves &
    # Peytcheva 2008 (POQ 72(2), a meta-analysis of 59 nonresponse-bias studies) found bias where
    # the chance to respond is tied to what the survey measures; here the chance rises with
    # loyalty (committed, satisfied members answer more: an assumption in that spirit)
    survey_response: float = probability(
        0.4,
        "chance a fully loyal member answers a survey; a member's chance is this times loyalty "
        "(an assumption; Groves & Peytcheva 2008: response propensity tied to the measured)",
    )
    offline_bond: float = parameter(
        2.0,
        "strength of the ties an offline event's attendees make with each other, as a multiple of "
        "the same event's online (an assumption; Sessions 2010)",
        ge=0,
        le=10,
    )
    offline_identity: float = parameter(
        2.0,
        "identity benefit of attending an offline event, as a multiple of the same event's online "
        "(an assumption; Koh et al. 2007)",
        ge=0,
        le=10,
    )
    # guest experts (sim.levers.events, kind "expert"): an outside expert's Q&A draws more members
    # than the team's own (an assumption: a known name draws beyond the community's usual
    # audience; no measured magnitude is used)
    expert_draw: float = parameter(
        1.5,
        "draw of a guest expert's Q&A, as a multiple of the team's own Q&A (an assumption)",
        ge=0,
        le=10,
    )
    # opinion leaders (sim.levers.leaders): a few members' posts draw more readers and replies
    # (Katz & Lazarsfeld 1955, two-step flow; Bakshy, Hofman, Mason & Watts 2011 found influence
    # on Twitter concentrated in users with many followers and past influence, though hard to
    # predict per post). The magnitude is an assumption.
    leader_appeal: float = parameter(
        2.0,
        "appeal of an opinion leader's threads to readers and repliers, as a multiple of a plain "
        "thread's (an assumption; applies only while the leaders lever runs)",
        ge=0,
        le=20,
    )
    # active hours (sim.world.hours; used only with the scenario's `hours` section): an item sinks
    # as newer items arrive above it. On a forum, feed or stream its visibility halves with every
    # sink_half_items newer items (Hodas & Lerman 2012: visibility is position in the list, and
    # attention falls steeply with it; Lerman & Hogg 2010; Wu & Huberman 2007 measured attention
    # to a Digg story fading with a half-life of about 69 minutes on that busy front page). 60, a
    # page of titles (Platform.page_depth), is an assumption. In a chat group a reader scrolls back
    # chat_scroll_messages messages; older ones have scrolled away (an assumption)
    sink_half_items: float = parameter(
        60.0,
        "active hours, forum, feed and stream: newer items after which an item's visibility "
        "halves (about a page; an assumption after Hodas & Lerman 2012)",
        ge=1,
        le=1_000_000,
        unit="items",
    )
    chat_scroll_messages: float = parameter(
        100.0,
        "active hours, chat_group: messages a reader scrolls back through on a visit; older "
        "ones have scrolled away (an assumption)",
        ge=1,
        le=1_000_000,
        unit="messages",
    )
    removal_cost: float = probability(
        0.15,
        "largest cost to an author of the memory of its own posts removed by moderators, felt on "
        "every visit while the memory lasts (Halfaker, Kittur & Riedl 2011)",
    )
    removal_drive: float = probability(
        0.1,
        "share of its drive to post an author loses per removed post of an established member "
        "(a newcomer's first posts weigh 1 + first_removal_weight times that; Halfaker et al. 2011)",
    )
    removal_memory: float = probability(
        0.02,
        "daily fading of the memory of removed posts (about 50 days)",
        unit="share per day",
    )
    first_removal_weight: float = parameter(
        5.0,
        "extra weight of a removal of a newcomer's first contributions (fades over ~3 posts; "
        "Halfaker et al. 2011, 2013)",
        ge=0,
        le=100,
    )
    toxicity_cost: float = parameter(0.6, "largest reading cost of toxic posts", ge=0, le=10)
    incentive_gain: float = parameter(
        1.0,
        "rise of a rewarded action's rate at full extrinsic sensitivity (Hamari 2017)",
        ge=0,
        le=10,
    )
    steer_gain: float = parameter(
        3.0,
        "extra rate of a badged action just before its threshold, for full steerers "
        "(Anderson et al. 2013)",
        ge=0,
        le=100,
    )
    steer_threshold: float = parameter(
        0.7,
        "extrinsic sensitivity from which members steer toward badges at full strength; below "
        "it, steering fades with the square of the ratio (Hoernle et al. 2022)",
        ge=0.01,
        le=1,
    )
    substitution: float = probability(
        0.5, "share of the steering boost taken from the neighbouring action"
    )
    crowd_out_rate: float = probability(
        0.0015,
        "daily loss of intrinsic motivation while tangibly rewarded (Deci, Koestner & Ryan 1999)",
        unit="share per day",
    )
    # the value function of rewards and prizes (sim.levers.incentives, sim.levers.events): concave
    # in what a reward is worth (Kahneman & Tversky 1979); the magnitudes are assumptions
    reward_half_value: float = parameter(
        0.05,
        "money-equivalent per rewarded action at which a reward pulls half its most (an "
        "assumption)",
        gt=0,
        le=1000,
        unit="money per action",
    )
    status_per_point: float = parameter(
        0.005,
        "money-equivalent of the status a visible point carries (an assumption)",
        ge=0,
        le=1000,
        unit="money per point",
    )
    crowd_floor: float = probability(
        0.5,
        "share of the full crowding out that any payment brings, however small (Gneezy & "
        "Rustichini 2000: pay enough or don't pay at all)",
    )
    prize_half_value: float = parameter(
        1.0,
        "expected prize per attendee at which a contest's or lottery's prize draws half its most "
        "(an assumption: attending is an hour's effort, not a post's)",
        gt=0,
        le=1_000_000,
        unit="money per attendee",
    )
    prize_draw: float = parameter(
        2.0,
        "extra draw to an event of a prize worth far more than prize_half_value, at full "
        "extrinsic sensitivity (an assumption)",
        ge=0,
        le=100,
    )
    recognition_gain: float = parameter(
        0.01,
        "rise of intrinsic motivation per recognition received (badge, rank, leaderboard place)",
        ge=0,
        le=0.2,
    )
    recognition_weight: float = parameter(
        0.3, "benefit of a recognition (badge, rank, leaderboard place)", ge=0, le=10
    )
    withdrawal_loss: float = parameter(
        0.4, "cost felt when rewards stop, at full extrinsic sensitivity", ge=0, le=10
    )
    # check-in streaks (sim.levers.incentives, ``incentives.streaks``): the sources give the signs,
    # the magnitudes are assumptions
    streak_pull: float = parameter(
        0.5,
        "extra visit rate of a member on a check-in streak one day short of the next streak "
        "reward, at full extrinsic sensitivity, for a reward worth far more than "
        "reward_half_value; less the further the reward (the goal gradient: Kivetz, Urminsky & "
        "Zheng 2006; the magnitude is an assumption)",
        ge=0,
        le=10,
    )
    streak_break_cost: float = parameter(
        0.2,
        "cost felt when a check-in streak of 3 days or more breaks, at full extrinsic "
        "sensitivity, fading like the loss of withdrawn rewards (Silverman & Barasch 2023: a "
        "broken streak lowers subsequent engagement, whatever its length; the magnitude is an "
        "assumption)",
        ge=0,
        le=10,
    )
    lure_rate: float = probability(
        0.01,
        "daily chance a competitor lures an uncommitted member away, at full pull",
        unit="probability per day",
    )
    # counter-levers to a competitor (sim.levers.defence): the sources give the signs, the
    # magnitudes are assumptions except offer_wakeup's (Ascarza, Iyengar & Schleicher 2016)
    exclusive_hold: float = probability(
        0.5,
        "largest share of a competitor's pull on a member taken away by the exclusive operator "
        "posts it reads (a switching cost: leaving loses benefits not found elsewhere; Burnham, "
        "Frels & Mahajan 2003; the magnitude is an assumption)",
    )
    offer_accept: float = probability(
        0.5,
        "chance a member takes a retention offer worth far more than prize_half_value, at full "
        "extrinsic sensitivity (an assumption)",
    )
    offer_hold: float = probability(
        0.8,
        "share of a competitor's pull taken away from a member holding a taken retention offer, "
        "within its term (a financial switching cost, Burnham et al. 2003; the magnitude is an "
        "assumption)",
    )
    offer_wakeup: float = parameter(
        0.67,
        "rise of a competitor's pull on a member who declined a retention offer, at full loyalty "
        "(its inertia broken), within the offer's term (Ascarza, Iyengar & Schleicher 2016: 10% "
        "of the customers offered left within three months against 6% of the control, a rise of "
        "0.67; scaling by loyalty is an assumption)",
        ge=0,
        le=20,
    )
    # exclusive reading (sim.levers.defence.read_exclusive, lure_factor), promoted from the lever's
    # constants (issue 16); both magnitudes are assumptions
    exclusive_memory: float = parameter(
        30.0,
        "days over which the exclusive items a member read count toward its switching cost: the "
        "count fades by 1/exclusive_memory a day, so it holds about the last month's at 30 (an "
        "assumption)",
        ge=1,
        le=3650,
        unit="days",
    )
    exclusive_scale: float = parameter(
        1.0,
        "exclusive items read (relevance-weighted, fading) that bring a member 63% of the way to "
        "exclusive_hold's full hold: the hold is exclusive_hold x (1 - exp(-read / "
        "exclusive_scale)) (the saturating form and the magnitude, one item, are assumptions)",
        gt=0,
        le=1000,
        unit="items",
    )

    def popularity(self) -> np.ndarray:
        if self.topic_popularity:
            w = np.asarray(self.topic_popularity, dtype=np.float64)
        else:  # a gentle Zipf: some topics draw more members than others
            w = 1.0 / np.arange(1, self.n_topics + 1) ** 0.5
        return w / w.sum()


@dataclass(frozen=True)
class State:
    """One member state: a numpy array with a row per member slot (and a column per topic).

    ``daily`` states are the "today" channels: what happened to a member today, set during the day
    and zeroed for every member at its start (``Population.start_day``), so that after a day they
    hold that day's values. The others are kept from day to day.
    """

    name: str
    dtype: type[np.generic]
    doc: str
    per_topic: bool = False
    daily: bool = False


F32, I32 = np.float32, np.int32
NEVER = -(10**6)  # the day of something that never happened (a "last ... day")

# Every member state, declared once: Population allocates, grows and sizes these arrays, the Member
# view reads them, and docs/member-states.md lists them (sim.config.docs.render_states).
STATES = (
    # traits drawn at joining
    State("segment", np.int8, "kind of newcomer: index into `Rules.member_mix`"),
    State(
        "one_time",
        np.bool_,
        "a newcomer who comes to make one contribution: it starts threads and replies to others "
        "while its need lasts only (`Rules.one_time_share`, `Rules.need_days`)",
    ),
    State(
        "asks",
        np.bool_,
        "a member who joins to write: it visits on its first day and starts a thread then "
        "(a newcomer: `Rules.asking_share`; the founders' core on day 1: `Rules.founder_core`)",
    ),
    State("is_founder", np.bool_, "a member on day 0 (no newcomer's novelty, founders' loyalty)"),
    State("intrinsic", F32, "intrinsic motivation (0..1): scales the urge to post and reply"),
    State("extrinsic", F32, "extrinsic sensitivity (0..1): how strongly rewards move the member"),
    State("info_need", F32, "how much the member values relevant content (log-normal, mean 1)"),
    State("visit_base", F32, "daily visit probability when fully committed"),
    State("post_base", F32, "threads per visit at full drive"),
    State("reply_base", F32, "replies per visit"),
    State("react_base", F32, "reactions per visit"),
    State("invite_base", F32, "invitations per visit at full loyalty"),
    # what moves with experience
    State(
        "pref", F32, "interest in each topic (0..1), drifting toward what satisfies", per_topic=True
    ),
    State("interest", F32, "overall interest (0..1), drifting toward the information benefit"),
    State(
        "own_interest",
        F32,
        "the interest the member joined with: `Rules.individual_interest` of it lasts, the rest "
        "drifts with the information benefit",
    ),
    State("loyalty", F32, "commitment (0..1): toward a logistic of net benefit on each visit"),
    State(
        "aspiration_level",
        F32,
        "net benefit of a visit at which the member's loyalty holds: `Rules.aspiration` at "
        "joining (spread by `Rules.aspiration_spread`), adapting to what its visits give with "
        "`Rules.habituation`",
    ),
    State("post_drive", F32, "drive to post (1: neutral): raised by replies, lowered if ignored"),
    State("info_ema", F32, "recent average information benefit (about the last 10 visits)"),
    State("bond_ema", F32, "recent average bond benefit (about the last 10 visits)"),
    State("cost_ema", F32, "recent average reading cost (about the last 10 visits)"),
    State("overload_ema", F32, "recent average overload cost (about the last 10 visits)"),
    State("toxicity_ema", F32, "recent average cost of toxic posts (about the last 10 visits)"),
    State("recent_posts", F32, "posts in about the last 30 days (a decaying count)"),
    State("unseen_replies", np.int16, "replies received since the last visit: a pull to return"),
    State(
        "watch_pull",
        F32,
        "for members who watch (Rules.watch_after): the chance that the new threads since the last "
        "visit bring it to answer them",
    ),
    State(
        "visit_pull", F32, "extra visit chance from win-back messages and events (30% kept a day)"
    ),
    State(
        "withdrawal",
        F32,
        "loss felt since rewards stopped or a check-in streak broke, fading by 5% a day",
    ),
    State(
        "removal_today",
        F32,
        "the member's posts removed by moderators and not yet felt, weighted up for a newcomer's "
        "first contributions: kept until its next visit, when it joins `removal_ema`",
    ),
    State(
        "removal_ema",
        F32,
        "lasting memory of removed posts (weighted count, fading by `removal_memory` a day)",
    ),
    State("muted", np.bool_, "chat_group: the member has muted the group (no notifications)"),
    State(
        "need_until",
        I32,
        "a newcomer's need to write (`Rules.need_days`): its last day; until its first "
        "contribution, joining day plus the need's drawn length, moved to the first contribution's "
        "day plus that length (-1: founders, and everyone when the need is off)",
    ),
    State(
        "need_met",
        np.bool_,
        "a newcomer past `need_until`: no more `Rules.need_boost`, and a one-time contributor "
        "starts no thread and replies to no other's",
    ),
    # counters since joining
    State("visits", I32, "days visited"),
    State("posts", I32, "threads and replies written"),
    State("threads", I32, "threads started"),
    State("replies", I32, "replies written"),
    State("followups", I32, "replies written in one's own threads (Rules.followup; in replies)"),
    State(
        "continuations",
        I32,
        "replies written in one's own threads on the day one started them (Rules.continuation; "
        "in replies)",
    ),
    State("reactions", I32, "reactions given"),
    State("replies_received", I32, "replies received from members"),
    State("reactions_received", I32, "reactions received"),
    State("invites", I32, "invitations sent"),
    State("first_post_replied", np.bool_, "the first thread got a reply (from a member or staff)"),
    State("posted_again", np.bool_, "posted again within 30 days of the first post"),
    State(
        "retention_bits",
        np.uint16,
        "bit k < 7: acted in the week up to `RETENTION_AGES[k]` days after joining; "
        "bit 7: acted between 30 and 60 days after joining",
    ),
    # days (of the run) on which something happened
    State("join_day", I32, "day joined (0: a founder)"),
    State("last_active_day", I32, f"day of the last visit ({NEVER}: none)"),
    State("last_post_day", I32, f"day of the last post ({NEVER}: none)"),
    State("first_post_day", I32, "day of the first thread (-1: none)"),
    State("leave_day", I32, "day the member left (-1: still here)"),
    State("last_winback_day", I32, f"day of the last win-back message ({NEVER}: none)"),
    State("alive", np.bool_, "still a member"),
    State("leave_reason", np.int8, "why the member left (`LeaveReason`; 0 while here)"),
    # what the operator's levers leave on a member
    State("winback_messages", np.int16, "win-back messages received"),
    State("care_messages", np.int16, "personal care messages received (sim.levers.care)"),
    State("last_care_day", I32, f"day of the last personal care message ({NEVER}: none)"),
    State("care_unread", np.int16, "personal care messages not yet read: felt on the next visit"),
    State("points", F32, "incentive points earned"),
    State("points_redeemed", F32, "points exchanged for money"),
    State("recent_points", F32, "points earned in about the last 30 days (a decaying sum)"),
    State("scheme_posts", I32, "threads written while an incentive scheme ran (toward badges)"),
    State("scheme_replies", I32, "replies written while an incentive scheme ran (toward badges)"),
    State("scheme_checkins", I32, "visits while an incentive scheme ran (toward badges)"),
    State("badges", np.int16, "badges earned"),
    State("badge_bits", np.uint16, "bit k: holds the scheme's badge k"),
    State("rank", np.int8, "rank reached: the scheme's rank thresholds passed"),
    State("streak", I32, "consecutive days checked in while a streak scheme ran (0: none)"),
    State("best_streak", I32, "longest check-in streak the member has had"),
    State(
        "exclusive_read",
        F32,
        "exclusive operator posts on the member's topics read in about the last 30 days (a "
        "decaying, relevance-weighted count; sim.levers.defence)",
    ),
    State("offer_day", I32, "day the member was made a retention offer (0: never)"),
    State("offer_taken", np.bool_, "took the retention offer it was made"),
    # return after leaving (Population.rejoin)
    State(
        "friends",
        np.int16,
        "ties to members still here, noted each morning while here: after leaving, those it had",
    ),
    State(
        "return_pull",
        F32,
        "pull to come back after leaving, from win-back messages and events (30% kept a day)",
    ),
    State("returns", np.int16, "times the member came back after leaving"),
    State("last_return_day", I32, "day the member last came back (when `returns` > 0)"),
    # today's channels: reset at the start of each day
    State("info_today", F32, "information benefit of today's reading", daily=True),
    State("relevant_read", F32, "relevant items read today", daily=True),
    State(
        "open_relevant",
        F32,
        "relevant older threads still open to replies seen today (Rules.reply_window)",
        daily=True,
    ),
    State(
        "threads_read",
        F32,
        "of the relevant items read today, the threads (estimated; Rules.reply_window)",
        daily=True,
    ),
    State("cost_today", F32, "reading cost today: off-topic, overload and toxicity", daily=True),
    State("toxicity_today", F32, "cost of the toxic posts read today", daily=True),
    State("bond_today", F32, "bond benefit today (visitors only)", daily=True),
    State("identity_today", F32, "identity benefit of today's events", daily=True),
    State("attention_today", F32, "welcomes and operator replies received today", daily=True),
    State("posts_today", I32, "threads and replies written today", daily=True),
    State("removed_threads", I32, "the member's threads removed by moderators today", daily=True),
    State(
        "recognition_today",
        F32,
        "recognition received today: badges, ranks, leaderboard places, points",
        daily=True,
    ),
)
STATE_NAMES = tuple(state.name for state in STATES)
DAILY_STATES = tuple(state.name for state in STATES if state.daily)


@dataclass
class Today:
    """What the operator's levers and the world's uncertainties set for one day; neutral unless
    set, and new every morning (``Population.start_day``)."""

    feed_filter: float = 0.0  # personalized moderation: share of a reader's off-topic items hidden
    rules_shown: bool = False  # newcomers see the rules: less toxic posting and chatter
    invite_boost: float = 1.0  # referral rewards: invitations multiplied
    lure: float = 0.0  # a competitor's pull on uncommitted members
    season: float = 1.0  # seasonal multiplier of visiting
    boosts: dict[str, np.ndarray] = field(default_factory=dict)  # multipliers of visit, post, reply
    # a trending topic's pull on attention, per topic (None: every topic as usual): what members
    # post about, read and answer (``sim.world.uncertainties.TrendShock.lift``)
    topic_attention: np.ndarray | None = None
    # opinion leaders (sim.levers.leaders): per member slot, the appeal of the threads written
    # today (None: every thread plain)
    author_appeal: np.ndarray | None = None
    # counter-levers to a competitor (sim.levers.defence): per member slot, the multiplier of the
    # competitor's pull today (None: 1 for everyone)
    lure_factor: np.ndarray | None = None
    # active hours (sim.world.hours): per member slot, the hour a live event holds it online today
    # (-1: none; None: no live event), its visit hour instead of one drawn from its profile
    visit_hour: np.ndarray | None = None


class Population:
    """All members ever joined, one row (slot) each, as numpy arrays: one attribute per declared
    state (``STATES``), such as ``pop.loyalty``, allocated and grown together."""

    def __init__(self, rules: Rules, streams: RandomStreams, capacity: int = 1024):
        self.rules = rules
        self.streams = streams
        self.n = 0
        self._capacity = 0
        for state in STATES:
            shape = (0, rules.n_topics) if state.per_topic else 0
            setattr(self, state.name, np.zeros(shape, state.dtype))
        # traits that are the same for every member of a segment are looked up, not stored
        self.segment_traits = {
            name: np.array([getattr(seg, name) for seg in rules.member_mix], np.float32)
            for name in ("read_budget", "toxic", "chatter")
        }
        self.ties = TieGraph(0)
        self.today = Today()  # what the operator and the world set for today (neutral: none)
        self.winback_returns = 0  # members messaged in the last week who came back today
        self._here: np.ndarray | None = None  # cache of here()
        self._tier_cuts: tuple[int, tuple[float, float]] | None = None  # (week, cuts): tiers()
        self._visitor_mask: np.ndarray | None = None  # today's visitors, as a mask and as slots
        self._visitor_slots = np.zeros(0, np.int64)
        # active hours (sim.world.hours.Clock, set by the model when the scenario has `hours`):
        # None is the day-only model; with it, each of today's visitors' visit hour, by slot
        self.clock = None
        self.hour_today: np.ndarray | None = None
        self._grow(capacity)

    # ---- storage ---------------------------------------------------------------------------------
    def start_day(self) -> None:
        """Zero every "today" channel (``DAILY_STATES``) and start a neutral ``Today``: the one
        place where what is only for today is reset."""
        for name in DAILY_STATES:
            getattr(self, name).fill(0)
        self.today = Today()

    def _grow(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        # grow by an eighth: amortised O(1) arrivals with little memory held in reserve (growing
        # remaps in place, but the new rows are zeroed, so the reserve is resident)
        capacity = max(needed, self._capacity + self._capacity // 8, 1024)
        for name in STATE_NAMES:
            shape = (capacity, *getattr(self, name).shape[1:])
            try:  # in place where nothing else refers to the array: remapped, not copied
                getattr(self, name).resize(shape, refcheck=True)
            except ValueError:  # a view of it is held elsewhere: copy
                old = getattr(self, name)
                new = np.zeros(shape, dtype=old.dtype)
                new[: old.shape[0]] = old
                setattr(self, name, new)
        self._capacity = capacity
        self.ties.grow(capacity)

    @property
    def nbytes(self) -> int:
        """Bytes held by member state and ties (the whole allocated capacity)."""
        return sum(getattr(self, name).nbytes for name in STATE_NAMES) + self.ties.nbytes

    def trait(self, name: str, slots: np.ndarray) -> np.ndarray:
        """A segment-level trait (read budget, toxic, chatter) of the members in ``slots``."""
        return self.segment_traits[name][self.segment[slots]]

    def view(self, name: str) -> np.ndarray:
        """The used part of a state array (slots ``0..n-1``)."""
        return getattr(self, name)[: self.n]

    @property
    def n_alive(self) -> int:
        return int(self.alive[: self.n].sum())

    def slots_of(self, visitors: np.ndarray) -> np.ndarray:
        """``np.flatnonzero(visitors)``, kept from ``visit`` for today's visitor mask."""
        if visitors is self._visitor_mask:
            return self._visitor_slots
        return np.flatnonzero(visitors)

    def here(self) -> np.ndarray:
        """The slots of members still here, ascending (read-only; kept until members join or
        leave through ``add`` and ``maybe_leave``, so the day computes it once, not per phase)."""
        if self._here is None:
            self._here = np.flatnonzero(self.view("alive"))
            self._here.flags.writeable = False
        return self._here

    # ---- arrivals --------------------------------------------------------------------------------
    def add(self, count: int, day: int, founders: bool = False, fit: float = 1.0) -> np.ndarray:
        """Add ``count`` newcomers on ``day``, traits drawn from the member mix; returns their slots.

        ``fit`` scales newcomers' need for information on top of ``Rules.newcomer_fit`` (the
        channel that brought them: ``Rules.paid_fit``, ``Rules.partner_fit``)."""
        if count <= 0:
            return np.empty(0, np.int64)
        start, stop = self.n, self.n + count
        self._grow(stop)
        r, s = self.rules, self.streams
        mix = r.member_mix
        shares = np.cumsum([seg.share for seg in mix])
        shares /= shares[-1]
        seg = np.minimum(
            np.searchsorted(
                shares, s.slot_uniform("trait.segment", start, stop)[:, 0], side="right"
            ),
            len(mix) - 1,
        )

        def per_segment(attr: str) -> np.ndarray:
            return np.array([getattr(m, attr) for m in mix], dtype=np.float32)[seg]

        def logit(p):
            p = np.clip(p, 1e-3, 1 - 1e-3)
            return np.log(p / (1 - p))

        z = s.slot_normal("trait.motivation", start, stop, 3)
        intrinsic = 1 / (
            1 + np.exp(-(logit(per_segment("intrinsic")) + r.motivation_spread * z[:, 0]))
        )
        extrinsic = 1 / (
            1 + np.exp(-(logit(per_segment("extrinsic")) + r.motivation_spread * z[:, 1]))
        )
        jitter = np.exp(
            per_segment("spread")[:, None] * s.slot_normal("trait.propensity", start, stop, 5)
        )
        if any(m.tail > 0 for m in mix):  # a power-law upper tail (Segment.tail), one per member
            exponential = -np.log1p(-s.slot_uniform("trait.tail", start, stop)[:, 0])
            jitter *= np.exp(per_segment("tail") * exponential)[:, None]
        sl = slice(start, stop)
        self.segment[sl] = seg
        self.intrinsic[sl] = intrinsic
        self.extrinsic[sl] = extrinsic
        # how much a member values relevant content, apart from any urge to contribute: readers who
        # never post can be among the most committed (lurkers are not failed contributors)
        self.info_need[sl] = np.exp(r.need_spread * z[:, 2] - r.need_spread**2 / 2)
        if not founders and r.one_time_share > 0:  # casual contributors (Rules.one_time_share)
            self.one_time[sl] = (
                s.slot_uniform("trait.one_time", start, stop)[:, 0] < r.one_time_share
            )
        if not founders and r.asking_share > 0:  # newcomers who join to write (Rules)
            self.asks[sl] = s.slot_uniform("trait.asks", start, stop)[:, 0] < r.asking_share
        if not founders:  # newcomers' fit: see Rules.newcomer_fit and FIT below
            self.info_need[sl] *= np.float32(r.newcomer_fit)
            if fit != 1.0:  # a recruitment channel's newcomers (Rules.paid_fit, partner_fit)
                self.info_need[sl] *= np.float32(fit)
        self.visit_base[sl] = np.clip(per_segment("visit") * jitter[:, 0] ** 0.5, 0.01, 1.0)
        self.post_base[sl] = per_segment("post") * jitter[:, 1]
        self.reply_base[sl] = per_segment("reply") * jitter[:, 2]
        if founders and r.founder_weights:  # founders as the log shows them (Rules)
            self._weigh_founders(start, min(stop, start + len(r.founder_weights)))
        # the founders' core (Rules.founder_core; 0: every founder)
        core = slice(start, min(stop, start + r.founder_core) if r.founder_core else stop)
        if founders and r.founder_activity != 1.0:  # the core writes more (Rules)
            self.post_base[core] *= np.float32(r.founder_activity)
            self.reply_base[core] *= np.float32(r.founder_activity)
        if founders and r.founder_core > 0:  # ... and from the start (Rules.founder_core)
            self.asks[core] = True
        self.react_base[sl] = per_segment("react") * jitter[:, 3]
        self.invite_base[sl] = per_segment("invite") * jitter[:, 4]
        self.pref[sl] = self._draw_preferences(start, stop, per_segment("favourite_topics"))
        self.interest[sl] = 0.4 + 0.4 * intrinsic
        self.own_interest[sl] = self.interest[sl]
        self.loyalty[sl] = r.founder_loyalty if founders else r.initial_loyalty
        self.aspiration_level[sl] = r.aspiration
        if r.aspiration_spread > 0:  # each member's own (Rules.aspiration_spread)
            z = s.slot_normal("trait.aspiration", start, stop, 1)[:, 0]
            self.aspiration_level[sl] += np.float32(r.aspiration_spread) * z
        self.post_drive[sl] = 1.0
        self.join_day[sl] = day
        self.last_active_day[sl] = day if founders else NEVER
        self.last_post_day[sl] = NEVER
        self.first_post_day[sl] = -1
        self.need_until[sl] = -1
        if not founders and self.need_on:  # a newcomer's need (Rules.need_days): see close_needs
            u = s.slot_uniform("trait.need", start, stop)[:, 0]
            self.need_until[sl] = day + np.floor(-r.need_days * np.log1p(-u)).astype(np.int32)
        self.leave_day[sl] = -1
        self.last_winback_day[sl] = NEVER
        self.last_care_day[sl] = NEVER
        self.alive[sl] = True
        self._here = None
        self.is_founder[sl] = founders
        self.n = stop
        return np.arange(start, stop)

    def _weigh_founders(self, start: int, stop: int) -> None:
        """The founders in ``start:stop`` write in the proportions of ``Rules.founder_weights``
        instead of their drawn propensities, and visit in those of ``Rules.founder_visits``:
        each visits with the member mix's mean visiting probability times its visiting weight
        (over the weights' mean; all alike without them), at most 1, and writes per visit the
        mix's mean threads and replies times its writing weight (over their mean) divided by its
        visiting probability's share of the mix's mean, so that the founders' expected
        contributions are the log's shares of them and their mean what drawn founders' would be.
        Their segment, motivation and the rest of their traits stay drawn, and the propensities
        are divided by what the drawn intrinsic motivation adds to today's rates
        (``_thread_rate``: 2 x intrinsic x (0.3 + interest), interest 0.4 + 0.4 x intrinsic at
        joining; ``_reply_rate``: 2 x intrinsic) over what the mix's mean motivation adds, so
        that a founder's writing at the start follows its weight, not its motivation's draw.

        Why: a log shows how much each founder wrote, and on how many days. Drawn from the mix,
        which founder writes most, and how much, is left to chance: in a small community it
        carries the volume (one of attrs' 14 founders wrote 1,321 of its 2,199 contributions
        from 2022), so the runs of one calibrated scenario wrote 5.3 to 46 contributions a week
        against the log's 9.0 (issue 15, version 27). And visits, which keep a member (no visit
        for ``inactivity_limit`` days and it leaves), are where a member's writing shows: that
        founder wrote on 310 of the log's 1,679 days, the next on 41; at the mix's mean
        visiting it left by inactivity after 425 to 774 days. A contributions-only log's days
        with a contribution are the only trace of a member's visits, so the visiting weights
        are those days (an assumption: visits in proportion to them). Initialising agents from
        the micro data a population is observed in is the data-driven practice of Hassan, Pavon
        & Gilbert (2008), "Injecting data into simulation: can agent-based modelling learn from
        microsimulation?" (World Congress on Social Simulation); the weights are the log's
        counts, each founder's maximum-likelihood rate up to a common factor (that factor stays
        fitted: ``founder_activity``)."""
        r = self.rules
        mix = r.member_mix
        share = np.array([m.share for m in mix], np.float64)
        share /= share.sum()
        # a segment's mean propensity factor: the log-normal's exp(spread^2 / 2) times the
        # Pareto factor's 1 / (1 - tail) (Population.add)
        drawn = np.array([np.exp(m.spread**2 / 2) / (1 - m.tail) for m in mix])
        mean_post = float(np.sum(share * [m.post for m in mix] * drawn))
        mean_reply = float(np.sum(share * [m.reply for m in mix] * drawn))
        mean_visit = float(np.sum(share * [m.visit for m in mix]))
        k = stop - start
        weights = np.asarray(r.founder_weights, np.float64)
        weights = weights[:k] / weights.mean()
        visiting = np.ones(k)
        if r.founder_visits:
            visiting = np.asarray(r.founder_visits, np.float64)
            visiting = visiting[:k] / visiting.mean()
        visit = np.clip(mean_visit * visiting, 0.01, 1.0)
        rows = slice(start, stop)

        def thread_factor(intrinsic):  # _thread_rate's motivation terms at joining
            return 2 * intrinsic * (0.7 + 0.4 * intrinsic)

        intrinsic = self.intrinsic[rows].astype(np.float64)
        typical = float(np.sum(share * [m.intrinsic for m in mix]))
        per_visit = weights * mean_visit / visit
        threads = thread_factor(typical) / thread_factor(intrinsic)
        replies = typical / intrinsic
        self.visit_base[rows] = visit.astype(np.float32)
        self.post_base[rows] = (mean_post * per_visit * threads).astype(np.float32)
        self.reply_base[rows] = (mean_reply * per_visit * replies).astype(np.float32)

    def _draw_preferences(self, start: int, stop: int, favourites: np.ndarray) -> np.ndarray:
        """Topic interest: a few favourite topics (weighted by popularity) valued highly, the rest low."""
        k = self.rules.n_topics
        u = self.streams.slot_uniform("trait.topics", start, stop, 2 * k)
        gumbel = -np.log(-np.log(np.clip(u[:, :k], 1e-7, 1 - 1e-7)))
        score = np.log(self.rules.popularity())[None, :] + gumbel
        rank = np.argsort(np.argsort(-score, axis=1), axis=1)
        is_favourite = rank < favourites[:, None]
        return np.where(is_favourite, 0.6 + 0.4 * u[:, k:], 0.02 + 0.08 * u[:, k:]).astype(
            np.float32
        )

    # ---- the day's behaviours --------------------------------------------------------------------
    def visit(self, day: int, groups=None) -> np.ndarray:
        """Who visits today: propensity scaled by loyalty and interest, plus the pull of replies.
        In ``groups``, a muted chat group is opened less often too: the visit probability is
        multiplied by the mean, over the member's groups, of the group's ``muted_visit`` where muted
        and 1 elsewhere (an assumption: one muted group of two halves the muted pull's effect)."""
        r, n = self.rules, self.n
        a = self.here()  # only members still here decide
        loyalty, interest = self.loyalty[a], self.interest[a]  # momentum keeps, not brings
        p = self.visit_base[a] * (r.visit_floor + (1 - r.visit_floor) * loyalty)
        p = p * (0.5 + 0.5 * interest) + r.reply_pull * (self.unseen_replies[a] > 0)
        if r.watch_after:  # ... and of new threads, for members who watch (notify_watchers)
            p = p + self.watch_pull[a]
        # newcomers look around in their first week; founders are no newcomers
        newness = np.exp(-(day - self.join_day[a]) / np.float32(7.0)) * ~self.is_founder[a]
        p = p + r.novelty * newness
        if r.platform.kind == "chat_group":  # a muted group is opened less often (Qiu et al. 2016)
            p = np.where(self.muted[a], p * np.float32(r.platform.muted_visit), p)
        if self.clock is not None:  # active hours: some weekdays draw more visits than others
            p = p * self.clock.visit_factor(self.segment[a], day)
        if groups is not None and groups.muted.any():
            p = p * groups.visit_factor(a)
        p = self._operator_pull(p, a)
        if self.asking_on:  # who joined to write comes on its joining day (Rules.asking_share)
            p = np.where(self.asks[a] & (self.first_post_day[a] < 0), np.float32(1.0), p)
        visitors = np.zeros(n, bool)
        hit = self.streams.uniform("visit", day, n)[a] < p
        visitors[a] = hit
        # today's phases all ask which slots visit: answered once (see slots_of)
        self._visitor_mask, self._visitor_slots = visitors, a[hit]
        if self.clock is not None:  # ... and each visitor comes at an hour of its profile
            slots = self._visitor_slots
            u = self.streams.uniform("visit.hour", day, n)[slots]
            self.hour_today = np.zeros(n, np.int8)
            held = self.today.visit_hour
            if held is not None and held.size < n:  # members who joined since: not held
                held = np.concatenate([held, np.full(n - held.size, -1, np.int8)])
            self.hour_today[slots] = self.clock.draw_hours(
                self.segment[slots], u, day, None if held is None else held[slots]
            )
        self.winback_returns = int(
            (
                visitors
                & (self.view("last_winback_day") >= day - 6)
                & (self.view("last_active_day") < self.view("last_winback_day"))
            ).sum()
        )
        self.visits[:n] += visitors
        self.last_active_day[:n][visitors] = day
        self.unseen_replies[:n][visitors] = 0
        self.watch_pull[:n][visitors] = 0
        return visitors

    def notify_watchers(self, feed: Items) -> None:
        """Members who watch (``Rules.watch_after`` contributions made, still here) are told of
        the threads in ``feed`` (the day's new ones, the operator's too): each pulls the member to
        visit with the chance that it would answer them, 1 - exp(-w), w the replies it would
        write to them (``_reply_rate``'s propensity, motivation and drive, its relevant items the
        new threads by its interest in their topics and their pull on replies); the pull adds up
        over days until it visits (``visit``). So a notification brings whoever wants to answer
        what it announces, the few heavy answerers nearly always (Lakhani & von Hippel 2003: the
        few who answer most of Apache's help questions read every new one), others seldom.
        A member's own threads do not call it: a watcher who started some of them counts the
        others' share of their pull. One watches every group."""
        threshold = self.rules.watch_after
        if not threshold or not feed.is_thread.any():
            return
        a = self.here()
        watchers = a[self.posts[a] >= threshold]
        if watchers.size == 0:
            return
        threads = feed.threads().for_replies()
        relevant = self.pref[watchers] @ threads.appeal_per_topic()
        authors = threads.author
        own = np.bincount(authors[authors >= 0], minlength=self.n)[watchers]
        relevant *= np.float32(1) - own.astype(np.float32) / np.float32(authors.size)
        wish = self._answer_wish(watchers, relevant)
        pull = self.watch_pull[watchers]
        self.watch_pull[watchers] = 1 - (1 - pull) * np.exp(-wish)

    def commitment(self, slots: np.ndarray) -> np.ndarray:
        """What keeps each member in ``slots`` from leaving: its loyalty, raised with
        participation momentum (``Rules.momentum``, Wilkinson 2008) toward 1 by k / (k + momentum)
        after k contributions. Without momentum (0, the default) the loyalty itself."""
        loyalty = self.loyalty[slots]
        if self.rules.momentum == 0:
            return loyalty
        made = self.posts[slots].astype(np.float32)
        # k / (k + momentum) is 0 at k = 0 for any momentum, also one too small for float32 (a
        # valid 1e-46 rounds to 0, and 0 / 0 made the commitment NaN)
        total = made + np.float32(self.rules.momentum)
        carried = np.divide(made, total, out=np.zeros_like(made), where=made > 0)
        return loyalty + (1 - loyalty) * carried

    def _operator_pull(self, p: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Visit probability ``p`` of ``slots`` with what the operator adds: seasonality, check-in
        incentives, and the short-lived pull of win-back messages and promoted events (a spike
        that fades in ~2 days)."""
        if self.today.season != 1.0:
            p = p * np.float32(self.today.season)
        if "visit" in self.today.boosts:
            p = p * self.today.boosts["visit"][slots]
        pull = self.view("visit_pull")
        if pull.any():
            p = p + pull[slots]
            pull *= np.float32(0.3)
        return p

    def read(self, visitors: np.ndarray, feed: Items, day: int = 0, groups=None) -> None:
        """Visitors read yesterday's feed as the platform shows it (``sim.world.platform``):
        information benefit and reading cost. ``stream`` is Ren & Kraut's (2014) unfiltered stream
        (``_read_stream``); the other kinds limit reading by attention (``_read_attention``). With
        ``groups`` (``sim.world.groups.Groups``), each group's items are read by its members with
        its platform's rules (``_read_groups``)."""
        idx = self.slots_of(visitors)
        values = np.zeros((5, idx.size), np.float32)  # info, relevant, cost, overload, toxicity
        if len(feed) > 0:
            if groups is not None:
                self._read_groups(idx, feed, values, day, groups)
            elif self.rules.platform.kind == "stream":
                self._read_stream(idx, feed, values)
            else:
                self._read_attention(idx, feed, values, day)
            if groups is None:
                self._drift_topics(idx, feed.informative_per_topic())
        info, relevant, cost, overload_cost, toxicity = values
        self.info_today[idx] = info
        self.relevant_read[idx] = relevant
        self.cost_today[idx] = cost
        self.toxicity_today[idx] = toxicity
        # recent-experience averages move on visits only
        for average, value in (
            (self.info_ema, info),
            (self.cost_ema, cost),
            (self.overload_ema, overload_cost),
            (self.toxicity_ema, toxicity),
        ):
            state = average[idx]
            _move_toward(state, value, EMA_WEIGHT)
            average[idx] = state

    def _read_groups(self, idx: np.ndarray, feed: Items, values: np.ndarray, day: int, groups):
        """Reading in groups (``sim.world.groups``): a loop over the (few) open groups, each
        restricting the day's reading to its items (its own and the operator's announcements,
        group -1) and its members among the visitors, read with its platform's rules on the
        member's share of its read budget (``Groups.shares``: equal across its groups, an
        assumption after Weng et al. 2012's limited attention); interest drifts toward each group's
        items. Costs add up over groups (a chat group's notifications and mute are its own); the
        information is the relevance-weighted mean quality over groups, saturating in the total of
        relevant items read, as in one feed."""
        share = groups.shares(idx)
        quality = np.zeros(idx.size, np.float32)  # per reader: mean quality x relevant, summed
        for g in np.flatnonzero(groups.open):
            inside = groups.member[idx, g]
            mine = (feed.group == g) | (feed.group < 0)
            if not inside.any() or not mine.any():
                continue
            rows, items, plat = idx[inside], feed.subset(mine), groups.specs[g].platform
            part = np.zeros((5, rows.size), np.float32)
            # active hours: the group's items age by its own stream's items (Clock.age)
            table = None if self.clock is None else self.clock.group_exposure[g]
            if plat.kind == "stream":
                self._read_stream(rows, items, part, share[inside], table)
            else:
                muted = groups.muted[:, g]  # a view: muting writes into the group's column
                self._read_attention(
                    rows, items, part, day, plat, share[inside], muted, f".{g}", table
                )
            self._drift_topics(rows, items.informative_per_topic())
            info, relevant = part[0], part[1]
            saturation = 1 - np.exp(-3.0 * relevant / INFO_SATURATION_ITEMS)
            quality[inside] += np.where(saturation > 0, info / np.maximum(saturation, 1e-9), 0) * (
                relevant
            )
            values[1:, inside] += part[1:]
        relevant = values[1]
        saturation = 1 - np.exp(-3.0 * relevant / INFO_SATURATION_ITEMS)
        mean_quality = np.where(relevant > 0, quality / np.maximum(relevant, 1e-9), 0)
        values[0] = mean_quality * saturation

    def _read_stream(
        self,
        idx: np.ndarray,
        feed: Items,
        values: np.ndarray,
        share: np.ndarray | None = None,
        exposure: np.ndarray | None = None,
    ) -> None:
        """Ren & Kraut (2014): every visitor reads the whole stream up to its budget; relevance is
        the stream's, quality the stream's mean, and more to read than time allows costs a
        saturating overload cost. ``share``: of each reader's budget (groups; default all);
        ``exposure``: active hours' table of the group read (default the whole feed's)."""
        r = self.rules
        info, relevant, cost, overload_cost, toxicity = values
        total = float(len(feed))
        budget = self.trait("read_budget", idx)
        if share is not None:
            budget = budget * share
        # engaging formats draw more attention: relevance follows appeal, cost follows count
        per_topic = feed.informative_per_topic().astype(np.float32)
        relevant_in_feed = np.minimum(
            kernels.active().weighted_rows(self.pref, idx, per_topic), np.float32(total)
        )
        if self.clock is not None:  # active hours: what is still visible at the visit hour
            relevant_in_feed, total = self._exposed(feed, idx, relevant_in_feed, exposure)[:2]
        # a personalized filter hides a share of each reader's off-topic items
        seen = total - self.today.feed_filter * (total - relevant_in_feed)
        read = np.minimum(seen, budget)
        relevant[:] = relevant_in_feed * (read / seen)
        saturation = 1 - np.exp(-3.0 * relevant / INFO_SATURATION_ITEMS)
        info[:] = feed.mean_quality() * saturation
        offtopic_share = 1 - relevant_in_feed / seen
        overload = np.maximum(seen / budget - 1, 0)
        overload_cost[:] = r.overload_cost * (1 - np.exp(-overload))
        cost[:] = r.offtopic_cost * offtopic_share * (read / budget) + overload_cost
        toxic_share = feed.toxic_share()
        if toxic_share > 0:
            # toxic posts are off-topic noise to most readers, so the filter hides them too
            toxic_read = toxic_share * read * (1 - self.today.feed_filter)
            toxicity[:] = r.toxicity_cost * (1 - np.exp(-toxic_read / 3.0))
            cost += toxicity

    def _read_attention(
        self,
        idx: np.ndarray,
        feed: Items,
        values: np.ndarray,
        day: int,
        plat: Platform | None = None,
        share: np.ndarray | None = None,
        muted_by: np.ndarray | None = None,
        mute_purpose: str = "",
        exposure: np.ndarray | None = None,
    ) -> None:
        """Attention-limited reading (Weng et al. 2012) on a forum, feed or chat group.

        ``relevant`` is the relevance-weighted count of items found (preference times the
        informative items per topic). What is read: forum -- the titles down to ``page_depth``
        (best or newest first), relevant ones opened best first up to the budget; feed -- the
        platform puts the member's relevant items first; chat -- messages in arrival order up to the
        budget. Information = mean quality of the relevant items read x Ren & Kraut's saturation in
        their number (~40 a day), so each item's quality counts (``platform.quality_read``).
        Costs: forum and feed, scanning titles of no interest (bounded by the page); chat, each
        unread message notifies (linear, no saturation) unless the member has muted the group, and
        off-topic messages read cost as in Ren & Kraut. Sources: ``sim.world.platform``.

        In groups (``_read_groups``): ``plat`` is the group's platform, ``share`` each reader's
        share of its budget, ``muted_by`` the group's mute column, ``mute_purpose`` its stream and
        ``exposure`` active hours' table of the group (``Clock.group_exposure``)."""
        r = self.rules
        plat = plat if plat is not None else r.platform
        muted_by = muted_by if muted_by is not None else self.muted
        info, relevant, cost, overload_cost, toxicity = values
        total = np.float32(len(feed))
        budget = self.trait("read_budget", idx)
        if share is not None:
            budget = budget * share
        chat = plat.kind == "chat_group"
        muted = muted_by[idx] if chat else None
        if chat:
            budget = np.where(muted, budget * np.float32(plat.muted_read), budget)
        per_topic = feed.informative_per_topic().astype(np.float32)
        relevant_in_feed = np.minimum(
            kernels.active().weighted_rows(self.pref, idx, per_topic), total
        )
        seen = total - np.float32(self.today.feed_filter) * (total - relevant_in_feed)
        notified = seen  # chat: every unread message notifies, scrolled away or not
        thinning = None
        if self.clock is not None:  # active hours: what is still visible at the visit hour
            relevant_in_feed, total, thinning = self._exposed(feed, idx, relevant_in_feed, exposure)
            seen = total - np.float32(self.today.feed_filter) * (total - relevant_in_feed)
        offtopic_share = 1 - relevant_in_feed / seen
        depth = np.float32(plat.page_depth)
        if chat:  # arrival order: a random sample of the messages, whatever their quality
            read = np.minimum(seen, budget)
            sample = read / seen  # share of every topic's messages read
            best = np.ones_like(sample)  # ... not chosen by quality
        elif plat.kind == "feed":  # the page holds the member's most relevant items
            found = np.minimum(relevant_in_feed, depth)
            read = np.minimum(found, budget)
            sample = np.ones_like(read)
            best = read / np.maximum(relevant_in_feed, np.float32(1e-6))
        else:  # forum: titles scanned to the page depth
            scanned = np.minimum(seen, depth) / seen
            found = relevant_in_feed * scanned
            read = np.minimum(found, budget)
            opened = read / np.maximum(found, np.float32(1e-6))  # best of the relevant seen
            if plat.sort == "ranked":  # the page holds the best threads; the reader opens its best
                sample, best = np.ones_like(read), scanned * opened
            else:  # newest first: a random sample of quality, the best of it opened
                sample, best = scanned, opened
        share_read = sample * best  # share of each topic's informative items read
        relevant[:] = relevant_in_feed * share_read
        weight = np.where(feed.offtopic, 0, feed.appeal).astype(np.float32)
        tables = quality_tables(feed.topic, feed.quality, weight, feed.n_topics)
        best = best.astype(np.float32)
        if thinning is None:
            quality_sum = kernels.active().quality_rows(self.pref, idx, best, per_topic, *tables)
        else:  # readers of one hour mostly share a share: grouped, the kernel computes it once
            order = np.argsort(self.hour_today[idx], kind="stable")
            quality_sum = np.empty(idx.size, np.float32)
            quality_sum[order] = kernels.active().quality_rows(
                self.pref, idx[order], best[order], per_topic, *tables
            )
        quality_sum *= sample
        if thinning is not None:  # a random thinning by age keeps the quality mix of what is seen
            quality_sum *= thinning
        mean_quality = np.where(
            relevant > 0, quality_sum / np.maximum(relevant, np.float32(1e-9)), np.float32(0)
        )
        saturation = 1 - np.exp(-3.0 * relevant / INFO_SATURATION_ITEMS)
        info[:] = mean_quality * saturation
        if chat:
            unread = np.maximum(notified - read, 0)
            notify = np.float32(plat.notify_cost) * unread / budget
            overload_cost[:] = np.where(muted, 0, notify)
            cost[:] = r.offtopic_cost * offtopic_share * (read / budget) + overload_cost
            items_read = read
            # a noisy group gets muted first (Qiu et al. 2016)
            noisy = ~muted & (unread > plat.mute_after)
            if noisy.any():
                draw = self.streams.uniform("mute" + mute_purpose, day, self.n)[idx]
                muted_by[idx[noisy & (draw < plat.mute_rate)]] = True
        else:
            page = np.minimum(seen, depth)
            cost[:] = np.float32(r.offtopic_cost * plat.scan_cost) * (page / depth) * offtopic_share
            items_read = read
        toxic_share = feed.toxic_share()
        if toxic_share > 0:
            toxic_read = toxic_share * items_read * (1 - self.today.feed_filter)
            toxicity[:] = r.toxicity_cost * (1 - np.exp(-toxic_read / 3.0))
            cost += toxicity

    def _exposed(self, feed: Items, idx: np.ndarray, relevant_in_feed: np.ndarray, exposure=None):
        """Active hours (``sim.world.hours``): the relevance-weighted count of items each reader
        still sees at its visit hour, the count of all items it sees, and the share of its
        relevant items it sees (a thinning by age, independent of quality: the reading kernels
        then scale the quality read by it). At least a trace of an item is seen, so the shares
        below stay defined. ``exposure``: a group's table (default the whole feed's)."""
        exposed, total = self.clock.reading(feed, self.pref[idx], self.hour_today[idx], exposure)
        total = np.maximum(total, np.float32(1e-6))
        exposed = np.minimum(exposed, total)
        full = np.maximum(relevant_in_feed, np.float32(1e-9))
        thinning = np.where(relevant_in_feed > 0, np.minimum(exposed / full, 1), 0)
        return exposed, total, thinning.astype(np.float32)

    def _drift_topics(self, idx: np.ndarray, counts: np.ndarray) -> None:
        """Interest drifts toward the topics that supplied the relevant content."""
        kernels.active().drift_topics(
            self.pref, idx, counts.astype(np.float32), np.float32(self.rules.topic_drift)
        )

    def post(self, visitors: np.ndarray, day: int) -> tuple[np.ndarray, ...]:
        """Visitors start threads; returns (author, topic, quality, toxic, chatter) per thread.

        The urge to post scales with intrinsic motivation now (not at joining), so rewards that
        crowd it out lower posting after they stop (Deci, Koestner & Ryan 1999).
        """
        n = self.n
        v = self.slots_of(visitors)
        rate = self._thread_rate(v)
        if self.rules.writing_capacity > 0:  # finite time for writing (Rules.writing_capacity)
            rate = rate * self._writing_scale(v, rate)
        count = self._written(rate, self.streams.uniform("post", day, n)[v])
        if self.asking_on:  # ... and starts its thread then (Rules.asking_share)
            asking = self.asks[v] & (self.first_post_day[v] < 0)
            count[asking] = np.maximum(count[asking], 1)
        authors = v[count > 0]
        if authors.size == 0:
            return (
                np.empty(0, np.int64),
                np.empty(0, np.int64),
                np.empty(0, np.float32),
                np.empty(0, bool),
                np.empty(0, bool),
            )
        u_topic = self.streams.uniform("post.topic", day, n)[authors]
        interest = self.pref[authors]
        if self.today.topic_attention is not None:  # a trending topic draws posts too
            interest = interest * self.today.topic_attention
        cumulative = np.cumsum(interest, axis=1)
        topic = (cumulative < (u_topic * cumulative[:, -1])[:, None]).sum(axis=1)
        topic = np.minimum(topic, self.rules.n_topics - 1)
        quality = 0.5 + 0.5 * self.intrinsic[authors]
        per_author = count[count > 0]
        toxic = self._flagged(authors, day, "toxic")
        chatter = self._flagged(authors, day, "chatter")
        self._record_posts(authors, per_author, day)
        self.threads[authors] += per_author
        first = self.first_post_day[authors] < 0
        self.first_post_day[authors[first]] = day
        return (
            np.repeat(authors, per_author),
            np.repeat(topic, per_author),
            np.repeat(quality, per_author),
            np.repeat(toxic, per_author),
            np.repeat(chatter, per_author),
        )

    def _thread_rate(self, v: np.ndarray) -> np.ndarray:
        """Threads each visitor in ``v`` would start today: its propensity times intrinsic
        motivation, interest and post drive (and today's incentive boost)."""
        rate = (
            self.post_base[v]
            * (2 * self.intrinsic[v])
            * (0.3 + self.interest[v])
            * self.post_drive[v]
        )
        if "post" in self.today.boosts:
            rate = rate * self.today.boosts["post"][v]
        if self.need_on:
            rate = rate * self._need_factor(v)
        return rate

    def _reply_rate(self, v: np.ndarray) -> np.ndarray:
        """Replies each visitor in ``v`` would write today: members respond to what they read and
        care about (up to ~10 relevant items prompt a response), with intrinsic motivation and the
        square root of the post drive (and today's incentive boost)."""
        relevant = self.relevant_read[v]
        if self.threads_stay_open:  # ... and the older threads still open (see_open_threads),
            # a thread's pull spread over its open days, not multiplied by them (reply_pull_total)
            threads = self.threads_read[v]
            relevant = (
                relevant - threads + (threads + self.open_relevant[v]) / self.reply_pull_total
            )
        return self._answer_wish(v, relevant)

    def _answer_wish(self, v: np.ndarray, relevant: np.ndarray) -> np.ndarray:
        """Replies the members ``v`` would write to ``relevant`` relevant items (``_reply_rate``)."""
        rate = self.reply_base[v] * np.minimum(relevant / 10.0, 1.0)
        rate = rate * (2 * self.intrinsic[v]) * np.sqrt(self.post_drive[v])
        if "reply" in self.today.boosts:
            rate = rate * self.today.boosts["reply"][v]
        if self.need_on:
            rate = rate * self._need_factor(v)
        return rate

    def see_open_threads(self, visitors: np.ndarray, open_threads: Items, feed: Items) -> None:
        """Today's visitors see the threads posted before yesterday that are still open to
        replies (``Rules.reply_window``; ``CommunityModel._reply_pool``): each counts them as it
        counts the relevant items it read (``relevant_read``), by its interest in their topics,
        each weighted by its pull on repliers (appeal x asks, fallen with age), and its replies
        follow both (``_reply_rate``). On a forum's lists of open and unanswered threads (Lerman
        & Hogg 2010; Mamykina et al. 2011) a member visiting after days away still finds what
        is waiting for an answer; without this, a quiet community's members could answer only
        on the day after a thread was posted, whatever the log shows (issue 15:
        ``benchmarks/diagnostics/reply_delays.py``).

        It also estimates which of the relevant items each read in yesterday's ``feed`` were
        threads (``threads_read``), in the proportion of its interest-weighted appeal of the
        feed's threads to all its items: the reading kernels count relevant items, not their
        kinds, and the threads' part is what the window spreads (``reply_pull_total``)."""
        if visitors.size == 0:
            return
        v = self.slots_of(visitors)
        if len(feed):  # of what each read in yesterday's feed, the threads' part (threads_read)
            every = self.pref[v] @ feed.appeal_per_topic()
            threads = self.pref[v] @ feed.threads().appeal_per_topic()
            share = np.divide(threads, every, out=np.zeros_like(every), where=every > 0)
            self.threads_read[v] = self.relevant_read[v] * share
        if len(open_threads):
            self.open_relevant[v] = self.pref[v] @ open_threads.for_replies().appeal_per_topic()

    @property
    def asking_on(self) -> bool:
        """Whether some members join to write (``Rules.asking_share``, ``Rules.founder_core``):
        each comes on its first day here (a newcomer's joining day, a founder's day 1) and starts
        a thread then; ``first_post_day`` tells who has not yet."""
        return self.rules.asking_share > 0 or self.rules.founder_core > 0

    @property
    def need_on(self) -> bool:
        """Whether newcomers' needs are simulated (``Rules.one_time_share``, ``Rules.need_boost``)."""
        return self.rules.one_time_share > 0 or self.rules.need_boost > 1

    def _need_factor(self, v: np.ndarray) -> np.ndarray:
        """Each visitor in ``v``'s factor on its writing today: ``need_boost`` for a newcomer
        whose need lasts, 0 for a one-time contributor whose need is met, else 1."""
        met = self.need_met[v]
        factor = (~(met & self.one_time[v])).astype(np.float32)
        if self.rules.need_boost > 1:
            lasting = ~met & (self.need_until[v] >= 0)
            factor[lasting] *= np.float32(self.rules.need_boost)
        return factor

    def close_needs(self, day: int) -> None:
        """After the day's writing, each newcomer's need (``Rules.need_days``): drawn at joining
        as a whole number of days L (floor(-need_days ln u), exponential), it is voiced at the
        first contribution, from when it lasts L days (``need_until`` moves to that day plus L);
        one not voiced by joining day plus L lapses. A need whose last day is today is met from
        tomorrow (``need_met``): no more boost, and a one-time contributor writes no more."""
        if not self.need_on:
            return
        n = self.n
        open_ = ~self.need_met[:n] & (self.need_until[:n] >= 0)
        first = np.flatnonzero(
            open_ & (self.posts_today[:n] > 0) & (self.posts[:n] == self.posts_today[:n])
        )
        if first.size:  # the first contribution: the need's length counts from today
            self.need_until[first] += day - self.join_day[first]
        self.need_met[:n] |= open_ & (self.need_until[:n] <= day)

    def _written(self, rate: np.ndarray, u: np.ndarray) -> np.ndarray:
        """How many threads (or replies) each visitor writes today at expected ``rate``, from one
        uniform ``u`` per visitor: in sessions (``Rules.session_size`` > 1,
        ``sim.world.streams.session_count``) or the rate rounded (1, the default)."""
        size = self.rules.session_size
        return stochastic_round(rate, u) if size <= 1 else session_count(rate, u, size)

    def _writing_scale(
        self,
        v: np.ndarray,
        thread_rate: np.ndarray | None = None,
        reply_rate: np.ndarray | None = None,
    ) -> np.ndarray:
        """Finite time for writing (``Rules.writing_capacity``): the share of its threads and
        replies each visitor in ``v`` writes today. A member's day's expected writing x (threads
        plus replies, each at today's full rate) becomes x / (1 + x / capacity): unchanged far
        below the capacity, about the capacity far above it, however strong the drive that
        replies and habit build. Threads and replies are scaled alike (a member short of time
        writes less of both). Sources: Weng et al. 2012 (limited attention), Goncalves, Perra &
        Vespignani 2011 (finite time resources bound the interactions a user keeps up); the
        saturating form is an assumption. Rates already computed are passed in, not recomputed
        (the same float32 operations either way, so the result does not depend on which).

        Without a capacity (0: no limit) every visitor writes all of it: ones (the callers skip the
        call then; computed, x / 0 would divide by zero). A capacity above 0 but below float32's
        smallest number (about 1.4e-45, which an in-range scenario may hold) is 0 in float32: the
        share is then its limit as the capacity goes to 0, none of it for a visitor with writing
        to do (what x / 0 = inf gave) and all of it for one with none (x / 0 gave NaN there)."""
        if self.rules.writing_capacity == 0:
            return np.ones(len(v), np.float32)
        if thread_rate is None:
            thread_rate = self._thread_rate(v)
        if reply_rate is None:
            reply_rate = self._reply_rate(v)
        writing = thread_rate + reply_rate
        capacity = np.float32(self.rules.writing_capacity)
        if capacity == 0:  # positive, but below float32's range
            return (writing == 0).astype(np.float32)
        # a subnormal capacity can overflow x / c to inf, whose share 1 / (1 + inf) = 0 is the
        # limit wanted: the overflow is not an error here
        with np.errstate(over="ignore"):
            return np.float32(1) / (np.float32(1) + writing / capacity)

    def _flagged(self, authors: np.ndarray, day: int, kind: str) -> np.ndarray:
        """Whether each author's threads today are toxic (``kind='toxic'``) or off-topic chatter
        (``'chatter'``); newcomers shown the rules do either half as often."""
        chance = self.trait(kind, authors)
        if not chance.any():
            return np.zeros(authors.size, bool)
        if self.today.rules_shown:
            newcomer = day - self.join_day[authors] < 30
            chance = np.where(newcomer, chance * 0.5, chance)
        return self.streams.uniform(f"post.{kind}", day, self.n)[authors] < chance

    def record_replies(self, per_member: np.ndarray, day: int) -> None:
        """Bookkeeping for the replies written today (``per_member``: count per slot)."""
        writers = np.flatnonzero(per_member != 0)  # through a mask: twice as fast
        self._record_posts(writers, per_member[writers], day)
        self.replies[writers] += per_member[writers]

    def _record_posts(self, authors: np.ndarray, count: np.ndarray, day: int) -> None:
        """Bookkeeping shared by threads and replies: counters, recency, the R-1 'posted again' flag."""
        first = self.first_post_day[authors]
        again = (first >= 0) & (first < day) & (day - first <= 30)
        self.posted_again[authors[again]] = True
        self.posts[authors] += count
        self.posts_today[authors] += count
        self.recent_posts[authors] += count
        self.last_post_day[authors] = day

    def respond(
        self, visitors: np.ndarray, feed: Items, day: int, kind: str, groups=None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Visitors reply to yesterday's threads (``kind='reply'``) or react to yesterday's items.

        Returns (responder, item index) pairs. Which item a response goes to is drawn sequentially
        from the day's stream for the purpose; how many responses each member makes, by slot.
        """
        n = self.n
        v = self.slots_of(visitors)
        # repliers weigh threads by how much they ask for an answer (Items.for_replies)
        targets = feed.threads().for_replies() if kind == "reply" else feed
        if kind == "reply":
            rate = self._reply_rate(v)
            if self.rules.writing_capacity > 0:  # finite time for writing
                rate = rate * self._writing_scale(v, reply_rate=rate)
        else:  # members react to what they read and care about, as they reply (_reply_rate)
            rate = self.react_base[v] * np.minimum(self.relevant_read[v] / 10.0, 1.0)
        u = self.streams.uniform(kind, day, n)[v]
        count = self._written(rate, u) if kind == "reply" else stochastic_round(rate, u)
        responders = np.repeat(v, count)
        if responders.size == 0 or len(targets) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        u = self.streams.generator(kind + ".target", day).random((2, responders.size), np.float32)
        if groups is not None:
            responders, item = self._respond_in_groups(targets, responders, u, day, kind, groups)
        else:
            item = targets.pick(self.pref, u[0], u[1], rows=responders)
            ok = (item >= 0) & (targets.author[np.maximum(item, 0)] != responders)
            if kind == "reply" and self.rules.platform.kind == "forum" and ok.any():
                item = self._seek_unanswered(targets, responders, item, ok, day)
            responders, item = responders[ok], item[ok]
        if kind == "reply" and self.rules.reply_saturation > 0 and item.size:
            keep = self._unsaturated(item, day, targets.answers if self.threads_stay_open else None)
            responders, item = responders[keep], item[keep]
        return responders, item

    def answer_own_threads(
        self, authors: np.ndarray, item: np.ndarray, visitors: np.ndarray, day: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The replies threads' authors write in their own threads today (``Rules.followup``, f):
        for each of today's replies from another member (``item``: the thread it answers,
        ``authors``: that thread's author), an author who visits today writes about f replies in
        the thread (f's whole part, plus one with chance its fraction). Returns (author, thread)
        per follow-up; they are counted in ``followups`` as well as in ``replies``.

        Why: in real logs a large share of a thread's replies are its author's, who comes back to
        answer those who answered (re-entry: Backstrom, Kleinberg, Lee & Danescu-Niculescu-Mizil
        2013, WSDM, "Characterizing and curating conversation threads"): on the real exports of
        ``../shared/realdata`` 19% (discord-komodo) to 24% (Stack Exchange: askers commenting
        on answers) and up to 79% (attrs: a pull request's author's further commits after its
        review) of replies are by the thread's starter. The model had none (nobody replies to
        their own thread), so a log's replies could come only from other members, and a
        newcomer's burst of activity around its first thread was missing. Answering on the day
        of the replies is an assumption (askers answer within hours; a member visits once a day);
        0 (the default) keeps the model as before; calibration fits f to a log. Follow-ups are
        writing too, so a finite time for writing bounds them with the rest
        (``_followup_share``)."""
        f = self.rules.followup
        mine = np.flatnonzero(authors >= 0)
        if f <= 0 or mine.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        mine = mine[visitors[authors[mine]]]
        u = self.streams.generator("reply.followup", day).random(mine.size)
        wanted = np.full(mine.size, f)
        if self.rules.writing_capacity > 0:
            wanted = wanted * self._followup_share(authors[mine])
        count = stochastic_round(wanted, u)
        who, thread = np.repeat(authors[mine], count), np.repeat(item[mine], count)
        kernels.active().scatter_add(self.followups, who, np.int32(1))
        return who.astype(np.int64), thread.astype(np.int64)

    def continue_threads(self, authors: np.ndarray, day: int) -> np.ndarray:
        """The replies authors write in the threads they started today (``Rules.continuation``,
        c): each of today's members' threads (``authors``: its author, -1 for the operator's)
        gets a geometric number of further replies by its author, c on average (under a finite
        time for writing, c times the share ``_own_writing_share`` leaves), whether or not
        anyone answers it. Returns the index in ``authors`` of each such reply's thread; they
        are counted in ``continuations``, and the caller records them as replies.

        Why: see ``Rules.continuation``: on the git exports most of a thread's own replies
        answer nobody (a pull request's further commits), and the follow-up rule
        (``answer_own_threads``) writes only answers to others."""
        c = self.rules.continuation
        mine = np.flatnonzero(authors >= 0)
        if c <= 0 or mine.size == 0:
            return np.empty(0, np.int64)
        u = self.streams.generator("post.continue", day).random(mine.size)
        mean = np.full(mine.size, c)
        if self.rules.writing_capacity > 0:
            mean = mean * self._own_writing_share(authors[mine], c)
        count = geometric_count(mean, u)
        thread = np.repeat(mine, count)
        kernels.active().scatter_add(self.continuations, authors[thread], np.int32(1))
        return thread.astype(np.int64)

    def _followup_share(self, answered: np.ndarray) -> np.ndarray:
        """``_own_writing_share`` of the follow-ups (``Rules.followup``), per reply from another
        member (``answered``: the thread's author of each)."""
        return self._own_writing_share(answered, self.rules.followup)

    def _own_writing_share(self, item_authors: np.ndarray, per_item: float) -> np.ndarray:
        """The share of its own replies in its threads each author writes under a finite time
        for writing (``Rules.writing_capacity``, c), per item that asks for ``per_item`` of them
        (``item_authors``: the author of each; a reply from another member for follow-ups, a thread
        started today for continuations): an author whose day's threads and replies, x at
        today's full rates, were written at the share 1 / (1 + x / c) (``_writing_scale``), and
        who would write F such replies, writes them at the share 1 / ((1 + x / c)(1 + (x + F) /
        c)), so that its expected writing in all is (x + F) / (1 + (x + F) / c): the capacity's
        one form over everything it writes, at most c however many answer it.

        Why (issue 15): follow-ups escaped the capacity, so a maintainer answering 60 replies a
        day at f = 3 wrote 180 follow-ups on top of a capped day. A calibrated attrs scenario
        (capacity 37, the log's busiest member-day; f = 3.06) had members writing 192-237
        contributions a day on the seeds where it ignited, and the follow-ups fed the ignition
        (benchmarks/diagnostics/volume_bistability.py: with f = 0, 31 a day at most). A member's
        finite time bounds all its writing (Goncalves, Perra & Vespignani 2011; Weng et al.
        2012), answers in its own threads included."""
        authors, per_author = np.unique(item_authors, return_inverse=True)
        own = np.float32(per_item) * np.bincount(per_author).astype(np.float32)
        capacity = np.float32(self.rules.writing_capacity)
        if capacity == 0:  # positive, but below float32's range: no time left to answer
            return np.zeros(item_authors.size, np.float32)
        writing = self._thread_rate(authors) + self._reply_rate(authors)
        # at a tiny capacity the product overflows float32 to inf, and 1 / inf = 0 is the limit
        # (no time left to answer): the overflow is the right answer, not an error to report
        with np.errstate(over="ignore"):
            share = np.float32(1) / (
                (np.float32(1) + writing / capacity) * (np.float32(1) + (writing + own) / capacity)
            )
        return share[per_author]

    @property
    def threads_stay_open(self) -> bool:
        """Whether threads stay open to replies past the next day (``Rules.reply_window``)."""
        return self.rules.reply_window > 1

    @property
    def reply_pull_total(self) -> float:
        """A thread's pull on repliers summed over its open days, relative to its next day's:
        the sum of a^-d for a = 1..W (``Rules.reply_window`` W, ``Rules.reply_decay`` d; 1 when
        W = 1). The threads a visitor read in yesterday's feed and the older ones still open
        (``_reply_rate``, ``see_open_threads``) are divided by it, so that the window spreads a
        thread's replies over its days instead of multiplying them: the memory kernel of a
        self-excited response process is a normalised waiting-time density, its total (the
        branching ratio) set apart from its shape (Crane & Sornette 2008, PNAS). Without it a
        thread open W days drew about 1 + ln W times the replies of one open a day (d = 1). The
        replies it read prompt replies as with one-day threads (they are not held open)."""
        ages = np.arange(1, self.rules.reply_window + 1, dtype=np.float64)
        return float((ages**-self.rules.reply_decay).sum())

    def _unsaturated(
        self, item: np.ndarray, day: int, answers: np.ndarray | None = None
    ) -> np.ndarray:
        """Which of today's replies (``item``: the thread each would answer) are written when a
        thread's pull on further replies falls with the replies it already draws
        (``Rules.reply_saturation``, h): a thread's repliers come in a random order, and the
        one finding j replies before it writes with probability h / (h + j); the others read the
        thread answered and write nothing. So the replies a thread gets grow only about as
        log(would-be repliers), and the day's replies are bounded by the threads there are to
        answer: replies follow questions rather than each other.

        Why: without it a member's replies follow how much relevant content it read (up to ten
        items, ``_reply_rate``), replies included, while only threads can be answered, so replies
        beget replies piled onto the same few threads. Near a real log's volume that loop made
        calibrated communities ignite on some seeds (attrs: 1.6 to 3,445 contributions a week
        over seeds 1-8 of one scenario). In real forums a thread's later replies come ever more
        slowly: most of a question's answers arrive soon after it is asked, and answerers turn to
        questions still open (Anderson, Huttenlocher, Kleinberg & Leskovec 2012, KDD, on Stack
        Overflow; Mamykina et al. 2011); discussion threads stay finite, with a thread's post
        drawing far more direct replies than each reply does (Gomez, Kaltenbrunner & Lopez 2008,
        WWW, on Slashdot). The hyperbolic form and h are assumptions: 0 (the default) keeps
        every reply, as before; calibration fits h to a log (``sim.calibration.fit``).

        A thread open for more than a day (``Rules.reply_window``) counts the replies it drew on
        earlier days too (``answers``: per thread, the threads' ``Items.answers``)."""
        gen = self.streams.generator("reply.saturation", day)
        order_u, keep_u = gen.random((2, item.size))
        order = np.lexsort((order_u, item))  # by thread, a random order within each
        ranked = item[order]
        rank = np.empty(item.size, np.float64)  # replies before this one in its thread
        rank[order] = np.arange(item.size) - np.searchsorted(ranked, ranked, "left")
        if answers is not None:
            rank += answers[item]
        h = self.rules.reply_saturation
        return keep_u < h / (h + rank)

    def _respond_in_groups(self, targets: Items, responders, u, day: int, kind: str, groups):
        """In groups (``sim.world.groups``): each response looks in one of the responder's groups,
        uniformly, and picks an item there (its own or the operator's announcements) by interest as
        in one feed; a forum group's repliers also seek its unanswered threads. A loop over
        groups."""
        gen = self.streams.generator(kind + ".group", day)
        which = groups.reply_groups(responders, gen.random(responders.size, np.float32))
        item = np.full(responders.size, -1, np.int64)
        for g in np.unique(which[which >= 0]):
            sel = np.flatnonzero(which == g)
            inside = np.flatnonzero((targets.group == g) | (targets.group < 0))
            if inside.size == 0:
                continue
            sub, who = targets.subset(inside), responders[sel]
            got = sub.pick(self.pref, u[0][sel], u[1][sel], rows=who)
            ok = (got >= 0) & (sub.author[np.maximum(got, 0)] != who)
            if kind == "reply" and groups.specs[g].platform.kind == "forum" and ok.any():
                got = self._seek_unanswered(sub, who, got, ok, day)
            item[sel] = np.where(ok, inside[np.maximum(got, 0)], -1)
        ok = item >= 0
        return responders[ok], item[ok]

    def _seek_unanswered(self, threads: Items, responders, item, ok, day: int) -> np.ndarray:
        """On a forum, would-be repliers also see which threads still lack an answer (Discourse's
        and Stack Exchange's "unanswered" and "new" lists; Lerman & Hogg 2010: the front page is
        not the only queue, new submissions have their own), and many answerers look for those
        (Mamykina et al. 2011, "Design lessons from the fastest Q&A site in the West", CHI: most
        Stack Overflow questions are answered within minutes by answerers scanning new questions).
        Each reply first picks a thread as before (by interest); a reply whose thread at least two
        others also picked (``Rules.seek_crowd`` picks) turns to a second thread, drawn the same way, if
        nobody picked that one: fewer threads go unanswered and fewer newcomers' first threads are ignored,
        without more replies being written. An assumption in its form (one look at a second
        thread, "power of two choices"); Ren & Kraut's stream and a chat group have no such list."""
        u = self.streams.generator("reply.second", day).random((2, responders.size), np.float32)
        second = threads.pick(self.pref, u[0], u[1], rows=responders)
        picks = np.bincount(item[ok], minlength=len(threads))
        alt = np.maximum(second, 0)
        turn = (
            ok
            & (picks[np.maximum(item, 0)] >= self.rules.seek_crowd)
            & (second >= 0)
            & (threads.author[alt] != responders)
            & (picks[alt] == 0)
        )
        if self.threads_stay_open:  # ... and which were answered on earlier days (Items.answers)
            turn &= threads.answers[alt] == 0
        return np.where(turn, second, item)

    def invite(self, visitors: np.ndarray, day: int) -> np.ndarray:
        """Invitations sent today by each member (committed members invite more)."""
        n = self.n
        v = self.slots_of(visitors)
        rate = self.invite_base[v] * self.loyalty[v] * np.float32(self.today.invite_boost)
        count = np.zeros(n, np.int32)
        count[v] = stochastic_round(rate, self.streams.uniform("invite", day, n)[v])
        self.invites[:n] += count
        return count

    def update_states(
        self,
        visitors: np.ndarray,
        replies_received: np.ndarray,
        reactions_received: np.ndarray,
        ignored: np.ndarray | None = None,
    ) -> None:
        """Benefits minus costs move loyalty; interest drifts toward satisfaction; drive reinforces.

        ``ignored`` counts each member's threads that closed today without a reply.

        Benefits and costs are weighed for today's visitors only (the others' loyalty, interest
        and recent averages do not move, and their ``bond_today`` is 0); what changes for every
        member (forgetting, drive, decaying counters) is updated for all."""
        r, n = self.rules, self.n
        f32 = np.float32
        v = self.slots_of(visitors)
        # a welcome or an operator reply counts like a reply received (Joyce & Kraut 2006)
        attention = self.attention_today[:n]
        replies = replies_received.astype(f32) + attention
        replies_v = replies[v]
        tie_strength = (
            self.ties.strength_of(v, visitors) + f32(r.attention_bond - r.reply_bond) * attention[v]
        )
        bond = 1 - np.exp(-(tie_strength + f32(r.reply_bond) * replies_v) / f32(r.bond_scale))
        info = self.info_today[v]
        terms = benefit_terms(
            r,
            self.info_need[v],
            info,
            bond,
            self.identity_today[v],
            reactions_received[v],
            self.recognition_today[v],
        )
        benefit = (
            terms["information"]
            + terms["bond"]
            + terms["identity"]
            + terms["fun"]
            + terms["recognition"]
        )
        net = benefit - self.cost_today[v] - self.withdrawal[v]
        # removed posts: a strong, lasting signal (Halfaker, Kittur & Riedl 2011). An author learns
        # of them on its next visit; they join a memory that fades by `removal_memory` a day, cost
        # on every visit while it lasts, and take away part of the drive to post.
        memory = self.view("removal_ema")
        removed = self.removal_today[v]
        felt = None
        if removed.any():
            felt = v[removed > 0]
            amount = self.removal_today[felt]
            memory[felt] += amount
            self.removal_today[felt] = 0
        remembered = bool(memory.any())  # (nothing below changes memory until it fades)
        if remembered:
            net -= f32(r.removal_cost) * (1 - np.exp(-memory[v]))
        if r.habituation > 0 or r.aspiration_spread > 0:  # each member's own aspiration
            level = self.aspiration_level[v]
            target = loyalty_target(net, r, level)
            if r.habituation > 0:  # ... adapting to what visits give (Rules.habituation)
                _move_toward(level, net, f32(r.habituation))
                self.aspiration_level[v] = level
        else:
            target = loyalty_target(net, r)
        # first impressions weigh more: the learning rate falls as visits accumulate, so commitment
        # settles early and long-standing members are stable (a decreasing hazard of leaving)
        early = np.exp(self.visits[v].astype(f32) * f32(-0.1))
        rate = f32(r.loyalty_rate) * (1 + f32(r.early_weight) * early)
        loyalty = self.loyalty[v]
        # on days without a visit, commitment slowly wears away instead
        self.loyalty[:n] *= 1 - f32(r.forget_rate)
        _move_toward(loyalty, target, rate)
        self.loyalty[v] = np.clip(loyalty, 0, 1)
        self._after_rewards()
        interest, satisfaction = self.interest[v], info
        if r.individual_interest > 0:  # part of it the member's own (Rules.individual_interest)
            share = f32(r.individual_interest)
            satisfaction = share * self.own_interest[v] + (1 - share) * info
        _move_toward(interest, satisfaction, f32(r.interest_rate))
        self.interest[v] = interest
        self.bond_today[v] = bond
        bond_ema = self.bond_ema[v]
        _move_toward(bond_ema, bond, EMA_WEIGHT)
        self.bond_ema[v] = bond_ema
        drive = self.view("post_drive")
        drive -= (drive - 1) * f32(r.drive_decay)
        # the first replies a member ever gets matter most (Joyce & Kraut 2006: a reply to a
        # newcomer's first post makes a second post 12 points more likely)
        has_ignored = ignored is not None and ignored.any()
        touched = np.flatnonzero((replies > 0) | (ignored > 0) if has_ignored else replies > 0)
        before = self.replies_received[touched].astype(f32) - replies_received[touched]
        newness = np.exp(-before / f32(3.0))
        touched_drive = drive[touched]
        touched_drive += (
            f32(r.drive_gain) * replies[touched] * (1 + f32(r.first_reply_weight) * newness)
        )
        if has_ignored:
            # and being ignored discourages those who have had few replies yet (Joyce & Kraut 2006)
            touched_drive *= 1 - f32(r.ignored_penalty) * newness * (ignored[touched] > 0)
        drive[touched] = touched_drive
        if r.habit_gain > 0:  # posting begets posting: a habit forms (see Rules.habit_gain)
            posted = np.flatnonzero(self.posts_today[:n] != 0)  # a mask: twice as fast
            drive[posted] += f32(r.habit_gain) * self.posts_today[posted]
        if felt is not None:
            drive[felt] *= f32(1 - r.removal_drive) ** amount
        if remembered:
            memory *= f32(1 - r.removal_memory)
        np.minimum(drive, f32(r.drive_max), out=drive)
        self.recent_posts[:n] *= np.float32(1 - 1 / 30)  # about the last 30 days' posts
        self.recent_points[:n] *= np.float32(1 - 1 / 30)

    def _after_rewards(self) -> None:
        """Recognition raises intrinsic motivation a little (positive feedback, Deci et al. 1999);
        the sense of loss after rewards stop fades over about a month."""
        n = self.n
        recognition = self.recognition_today[:n]
        if recognition.any():
            intrinsic = self.view("intrinsic")
            gain = np.minimum(np.float32(self.rules.recognition_gain) * recognition, 1)
            intrinsic += gain * (1 - intrinsic)
        withdrawal = self.withdrawal[:n]
        if withdrawal.any():
            withdrawal *= np.float32(0.95)

    def maybe_leave(self, day: int) -> np.ndarray:
        """Members leave when loyalty stays low (a quit hazard) or after too long inactive.

        Returns the slots that left; ``leave_reason`` gets the largest recent deficit.
        """
        r, n = self.rules, self.n
        a = self.here()  # per-slot draws, read at the slots still here
        loyalty = self.commitment(a)
        hazard = r.quit_rate * np.clip((r.quit_threshold - loyalty) / r.quit_threshold, 0, 1)
        quits = self.streams.uniform("leave", day, n)[a] < hazard
        inactive = (day - self.last_active_day[a] > r.inactivity_limit) & (
            day - self.join_day[a] > r.inactivity_limit
        )
        lured = np.zeros(a.size, bool)
        if self.today.lure > 0:  # a competitor's pull takes uncommitted members first
            chance = r.lure_rate * self.today.lure * (1 - loyalty)
            if self.today.lure_factor is not None:  # exclusive content, retention offers
                chance = chance * self.today.lure_factor[a]
            lured = (self.streams.uniform("lure", day, n)[a] < chance) & ~(quits | inactive)
        going = quits | inactive | lured
        leaving = a[going]
        if leaving.size:
            self.alive[leaving] = False
            self._here = None
            self.leave_day[leaving] = day
            self.leave_reason[leaving] = self._reasons(leaving)
            self.leave_reason[a[going & lured]] = LeaveReason.LURED_AWAY
            self.ties.leave(leaving)
        return leaving

    # ---- return after leaving --------------------------------------------------------------------
    returned_today = 0  # members who came back after leaving today (set by rejoin)

    def rejoin(self, day: int) -> np.ndarray:
        """Members who left may come back: pulled by win-back messages and events
        (``return_pull``, set by the levers) and by their friends still here and active; the chance
        falls with time away. Returns the slots that came back today (``returned_today`` counts
        them). See ``Rules.return_half_days`` and ``Rules.friend_pull`` for the sources and assumptions.

        A returned member is here again and visits today (returning is visiting), with its loyalty
        reduced (``Rules.return_loyalty_kept`` of what it has), not reset to a newcomer's; its ties were
        cleared at leaving, so it starts without friends around it."""
        r, n = self.rules, self.n
        here = self.here()
        self.returned_today = 0
        gone_since = self.view("leave_day")  # -1 for members here
        pull = self.view("return_pull")
        # the ties each member has to members still here, noted while it is here: at leaving,
        # the friends it leaves behind (``ties.leave`` clears them); then who may come back, in
        # one pass (a compiled kernel)
        candidates = kernels.active().return_candidates(
            self.ties.indptr(n),
            self.view("alive"),
            self.view("friends"),
            gone_since,
            pull,
            max(day - r.return_horizon, 0),
        )
        if candidates.size == 0:
            return candidates
        # friends still here are as active as members here were yesterday (an assumption)
        active_share = self._visitor_slots.size / here.size if here.size else 0.0
        friends_active = self.friends[candidates].astype(np.float32) * np.float32(active_share)
        friendly = np.float32(r.friend_pull) * (
            1 - np.exp(-friends_active / np.float32(r.friend_scale))
        )
        away = (day - gone_since[candidates]).astype(np.float32)
        chance = (pull[candidates] + friendly) / (1 + away / np.float32(r.return_half_days))
        back = candidates[self.streams.uniform("return", day, n)[candidates] < chance]
        pull[candidates] *= np.float32(0.3)  # a message's or event's pull fades in about 2 days
        if back.size:
            self.alive[back] = True
            self._here = None
            self.leave_day[back] = -1
            self.leave_reason[back] = LeaveReason.STAYING
            self.loyalty[back] *= np.float32(r.return_loyalty_kept)
            self.return_pull[back] = 0
            self.returns[back] += 1
            self.last_return_day[back] = day
            self.visit_pull[back] += 1.0  # returning is visiting
            self.returned_today = int(back.size)
        return back

    def _reasons(self, slots: np.ndarray) -> np.ndarray:
        """The largest deficit: too little relevant information or too much off-topic noise (bored),
        more to read than time allows (overloaded), for members who sought contact by posting too
        few bonds (no ties), toxic posts read (toxicity), or the loss of stopped rewards."""
        r = self.rules
        social = np.minimum(self.posts[slots] / 3.0, 1.0)
        noise = self.cost_ema[slots] - self.overload_ema[slots]
        toxicity = self.toxicity_ema[slots]
        withdrawal = self.withdrawal[slots]
        absent = -np.inf  # a cost a member never met cannot be its reason
        deficits = np.stack(
            [
                r.info_weight * (0.6 - self.info_ema[slots]) + noise - toxicity,
                np.where(self.overload_ema[slots] > 0, self.overload_ema[slots], absent),
                r.bond_weight * social * (0.6 - self.bond_ema[slots]),
                np.where(toxicity > 0, toxicity, absent),
                np.where(withdrawal > 0, withdrawal, absent),
            ]
        )
        codes = np.array(
            [
                LeaveReason.BORED,
                LeaveReason.OVERLOADED,
                LeaveReason.NO_TIES,
                LeaveReason.TOXICITY,
                LeaveReason.REWARD_WITHDRAWN,
            ],
            np.int8,
        )
        return codes[np.argmax(deficits, axis=0)]

    def observe_retention(self, day: int) -> None:
        """Record, at each retention age, whether the member acted in the 7 days ending that day
        (retention(d)), and at each of ``ACTIVE_DAY_AGES`` whether it acted on that very day (Dn)."""
        joined = self.view("join_day")  # slots are in join order: a join day is a slot range

        def cohort(age: int) -> slice:
            first, stop = np.searchsorted(joined, [day - age, day - age + 1])
            return slice(int(first), int(stop))

        for bit, checkpoint in enumerate(RETENTION_AGES):
            members = cohort(checkpoint)
            hit = self.last_active_day[members] >= day - 6
            self.retention_bits[members][hit] |= np.uint16(1 << bit)
        members = cohort(60)
        survived = self.last_active_day[members] >= self.join_day[members] + 30
        self.retention_bits[members][survived] |= np.uint16(1 << SURVIVAL_BIT)
        for bit, age in enumerate(ACTIVE_DAY_AGES, start=SURVIVAL_BIT + 1):
            members = cohort(age)
            today = self.last_active_day[members] == day
            self.retention_bits[members][today] |= np.uint16(1 << bit)

    def roles(self, day: int) -> np.ndarray:
        """Each member's role today (``Role`` codes), derived from behaviour
        (``sim.world.segments.role_codes``)."""
        return segments.role_codes(self.view("recent_posts"), self.view("join_day"), day)

    def tiers(self, day: int) -> np.ndarray:
        """Each member's value tier today (``sim.world.segments.TIER_NAMES`` codes): today's
        value against this week's cuts (``tier_cuts``)."""
        value = segments.contribution_value(
            self.view("posts"), self.view("replies_received"), self.view("join_day"), day
        )
        return segments.tier_codes(value, self.view("alive"), self.tier_cuts(day, value))

    def tier_cuts(self, day: int, value: np.ndarray) -> tuple[float, float]:
        """The value tiers' cuts (``sim.world.segments.tier_cuts``) among the contributors still
        here, set on the first day of each ``CUT_DAYS``-day week that asks for them (``value``:
        today's contribution values) and kept for the rest of it."""
        week = day // segments.CUT_DAYS
        if self._tier_cuts is None or self._tier_cuts[0] != week:
            self._tier_cuts = (week, segments.tier_cuts(value, self.view("alive")))
        return self._tier_cuts[1]

    def segment_codes(self, names) -> np.ndarray:
        """The ``segment`` codes of member-mix segment ``names``; an unknown name is an error
        that names the segments there are."""
        known = [segment.name for segment in self.rules.member_mix]
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(
                f"unknown segment {', '.join(map(repr, unknown))}; the member mix has: "
                f"{', '.join(known)}"
            )
        return np.array([known.index(name) for name in names], np.int8)


class Member(mesa.Agent):
    """A read-only view of one member's row, for inspection, the dashboard and custom behaviour.

    The daily work never goes through this class; it reads the population's arrays on demand.
    """

    def __init__(self, model, slot: int):
        super().__init__(model)
        self.slot = int(slot)

    @property
    def _population(self) -> Population:
        return self.model.population

    def __getattr__(self, name: str):
        population = self.__dict__.get("model") and self.model.population
        if population is not None and name in STATE_NAMES:
            value = getattr(population, name)[self.slot]
            return value.copy() if isinstance(value, np.ndarray) else value.item()
        raise AttributeError(name)

    @property
    def role(self) -> Role:
        return Role(self._population.roles(self.model.day)[self.slot])

    @property
    def reason(self) -> LeaveReason:
        return LeaveReason(int(self._population.leave_reason[self.slot]))

    def __repr__(self) -> str:
        p = self._population
        return (
            f"Member(slot={self.slot}, alive={bool(p.alive[self.slot])}, "
            f"loyalty={p.loyalty[self.slot]:.2f}, interest={p.interest[self.slot]:.2f}, "
            f"posts={p.posts[self.slot]})"
        )
