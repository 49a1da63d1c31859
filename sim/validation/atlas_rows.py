"""The sign atlas's rows: the model's own table of expected effects, written before measuring.

Each row is a paired experiment: arm A and arm B are changes to one shared scenario (the issue 14
planner set-up, ``SETUP``, plus the row's ``base``), run on the same seeds; ``expect`` gives the
expected sign of B - A on each outcome of ``OUTCOMES``, in that order:

* ``+`` / ``-``: B should raise / lower it;
* ``0``: B should not move it (e.g. money spent where neither arm has an operator that pays);
* ``?``: no expectation, for the reason given.

``why`` is the reason or source for the community outcomes; ``cost`` the reason for the money
outcome (a generated one where neither arm can spend money); ``because`` overrides the reason of
single outcomes. ``flag`` says where a row measures only the closest setting the scenario has to
what it is named after. ``revised`` records any change of an expected sign after measuring, with
why; ``explained`` (by outcome) is printed beside a measured contradiction.

The table was committed before anything was measured (git history of this file); the rows marked
``quick`` are the ones ``tests/test_atlas.py`` measures (the issue's named rows).

Sources: Kraut & Resnick 2012, *Building Successful Online Communities* (K&R, by chapter);
Ren & Kraut 2014, "Agent-based modeling to inform online community design" (HCI 29(4));
Ren, Kraut & Kiesler 2007, "Applying common identity and bond theory"; Halfaker, Kittur & Riedl
2011, "Don't bite the newbies"; Halfaker, Geiger, Morgan & Riedl 2013, "The rise and decline of an
open collaboration system"; Joyce & Kraut 2006, "Predicting continued participation in
newsgroups"; Bass 1969; Deci, Koestner & Ryan 1999; Anderson, Huttenlocher, Kleinberg & Leskovec
2013, "Steering user behavior with badges"; Hamari 2017, "Do badges increase user activity?";
Gneezy & Rustichini 2000, "Pay enough or don't pay at all"; Morgan & Halfaker 2018 (Teahouse);
Wash & Lampe 2012; Burke, Joyce, Kim, Anand & Kraut 2007.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sim.agents import DEFAULT_MIX

# the measured outcomes, in the order of ``Row.expect``: run summary keys (``sim.model``), plus
# ``posts_per_day`` (threads + replies per day over the last 30 days, measured by the atlas)
OUTCOMES = (
    "members_end",
    "dau_last30",
    "retention_30",
    "retention_90",
    "posts_per_day",
    "money_spent",
)
OUTCOME_LABELS = {
    "members_end": "members at the end",
    "dau_last30": "daily actives (last 30 days)",
    "retention_30": "retention(30)",
    "retention_90": "retention(90)",
    "posts_per_day": "posts per day (last 30 days)",
    "money_spent": "money spent",
}
SIGNS = ("+", "-", "0", "?")

# the issue 14 planner set-up: 1,200 founders, a market of 6,000, 240 days
SETUP = {
    "community": {"members": 1200},
    "arrivals": {"market_size": 6000},
    "run": {"days": 240},
}
NO_MONEY = "neither arm has an operator: nothing can be spent"
FREE_LEVER = "the lever as set costs staff hours only, no money"

# ---- shared pieces of rows -------------------------------------------------------------------------
OPERATOR = {"strategy": {}}  # an operator with no levers: the baseline of lever rows
# a little toxicity and off-topic chatter, so that moderation has something to act on: the default
# member mix (``sim.agents.DEFAULT_MIX``, so the rows follow the model's defaults) with 2% of casual
# members' threads toxic and 10% of everyone's threads chatter
NOISY = {
    "member_mix": [
        {
            **asdict(segment),
            "toxic": 0.02 if segment.name == "casual" else 0.0,
            "chatter": 0.1,
        }
        for segment in DEFAULT_MIX
    ]
}
COMMUNITY_MODERATION = {"moderation": {"mode": "community"}}
POINTS = {"incentives": {}}  # recognition-only points (the lever's defaults)
BADGES = [{"action": "post", "threshold": 10}, {"action": "reply", "threshold": 25}]
TANGIBLE = {"incentives": {"tangible": True}}
WEEKLY = {"every": 7, "start": 7}
# check-in streaks (issue 16 item 11): 10 bonus points on a streak's 3rd day, 30 and a streak badge
# on its 7th, then a new cycle; recognition-only points (the lever's defaults, 1 point a check-in)
STREAKS = {
    "streaks": {
        "rewards": [{"length": 3, "points": 10}, {"length": 7, "points": 30, "badge": True}]
    }
}
STREAKS_ON = {"strategy": {"incentives": STREAKS}}
# every lever on, as a trainer switches it on (the levers' ``switched_on``), for the cuts
ALL_ON = {
    "content": {"posts_per_day": 8, "quality": 0.85},
    "events": {"calendar": [{"kind": "qa", "every": 7, "start": 7, "capacity": 300, "hours": 3}]},
    "incentives": {
        "start": 30,
        "stop": 200,
        "badges": [{"action": "reply", "threshold": 25}],
        "ranks": [100, 500, 2000, 5000, 10000],
        "leaderboard": 10,
        "tangible": True,
    },
    "moderation": {"mode": "community"},
    "onboarding": {},
    "recruitment": {
        "campaigns": [{"start": 30, "end": 90, "extra_p": 0.002, "cost_per_join": 4}],
        "referral_reward": 2,
    },
    "winback": {"money_per_message": 0.01},
}


@dataclass(frozen=True)
class Row:
    """One row of the atlas: arms A and B (changes to ``SETUP`` + ``base``, same schema as a
    scenario file) and the expected sign of B - A on each of ``OUTCOMES``."""

    name: str
    a: dict
    b: dict
    expect: str  # six signs, space-separated, in the order of OUTCOMES
    why: str  # reason or source for the community outcomes
    cost: str = ""  # reason for the money outcome ("" with sign 0: NO_MONEY or FREE_LEVER)
    base: dict = field(default_factory=dict)
    because: dict[str, str] = field(default_factory=dict)  # outcome -> its own reason
    quick: bool = False  # measured by the quick atlas (tests/test_atlas.py)
    flag: str = ""  # where the row measures the closest available setting, not the named one
    revised: str = ""  # a sign changed after measuring, and why
    explained: dict[str, str] = field(default_factory=dict)  # outcome -> why it contradicts

    @property
    def signs(self) -> dict[str, str]:
        return dict(zip(OUTCOMES, self.expect.split(), strict=True))

    def reason(self, outcome: str) -> str:
        if outcome in self.because:
            return self.because[outcome]
        if outcome == "money_spent":
            if self.cost:
                return self.cost
            return NO_MONEY if _no_operator(self) else FREE_LEVER
        return self.why


def _no_operator(row: Row) -> bool:
    return all((part or {}).get("strategy") is None for part in (row.base, row.a, row.b))


def _behaviour(name: str, b, expect: str, why: str, a=None, base=None, **kw) -> Row:
    """A behaviour-parameter row: arm A at the default (or ``a``), arm B at ``b``."""
    arm_a = {} if a is None else {"behaviour": {name: a}}
    return Row(
        f"behaviour.{name}", arm_a, {"behaviour": {name: b}}, expect, why, base=base or {}, **kw
    )


LOWER_BENEFIT = "lower net benefit of visiting: loyalty falls, so fewer stay, visit and post"
LOWER_COST = "lower cost of visiting: net benefit and loyalty rise, so more stay, visit and post"

# ---- explanations of measured contradictions. History: the explanations written after the full
# atlas of MODEL_VERSION 3 blamed one root, Ren & Kraut's unfiltered stream with its overload cost
# (whatever thinned the feed helped); MODEL_VERSION 4's attention-limited forum removed it, and
# with it those explanations. What follows explains the contradictions the quick atlas still
# measures on MODEL_VERSION 4 (issue 14's `truth` branch), each from the current mechanism and a
# measurement; rows outside the quick atlas carry none until the full atlas is rerun.


def _community(text: str) -> dict[str, str]:
    """One explanation for every community outcome (members, actives, retention, posts)."""
    return dict.fromkeys(OUTCOMES[:5], text)


# measured with diagnostic runs on the atlas set-up (1,200 founders, a market of 6,000, 240
# days, seed 1; see the `truth` branch's report): replies are spread over yesterday's threads by
# interest, whoever wrote them (Items.pick), and only a reply to a member's thread gives its author
# a reply, a tie and the drive to post again (Joyce & Kraut 2006); operator threads take their share
# of the replies and give nobody a tie. Branch `solicit`: they now pull replies by how much they ask
# for one (Format.asks_for_replies, Items.for_replies), which resolved the 5 and 20 a day rows
OPERATOR_THREADS = (
    "operator threads take a share of members' replies (replies go to threads by interest and "
    "by how much a thread asks for an answer), and a reply to an operator thread gives no "
    "member a reply, a tie or the drive to post again (Joyce & Kraut 2006); so members' own "
    "threads go unanswered more often, ties and bond benefit fall, members post less and some "
    "leave, more than the information the operator's posts add (which saturates near 40 "
    "relevant items a day). "
)
TIES_IN_THREADS = (
    " Tried and not kept: replies in a thread also tying its participants to each other "
    "(Backstrom et al. 2013) left this contradiction (400 a day, seed 1: members 950 against "
    "1,122) and weakened community moderation's bond cost (Ren & Kraut 2014's trade-off, "
    "tests/test_levers.py)."
)

# ---- the issue's named rows ------------------------------------------------------------------------
ISSUE_ROWS = (
    Row(
        "false positives on members' posts",
        {"strategy": {"moderation": {"mode": "community", "false_positive_rate": 0.0}}},
        {"strategy": {"moderation": {"mode": "community", "false_positive_rate": 0.3}}},
        "- - - - - 0",
        "Halfaker et al. 2011, 2013: members whose good-faith contributions are removed "
        "contribute less and leave more; wrongly removed items also take away the information "
        "they carried (Ren & Kraut 2014: information benefit)",
        cost="moderation costs staff hours, not money",
        quick=True,
    ),
    Row(
        "removal of newcomers' first posts",
        {"strategy": {"moderation": {"mode": "community", "false_positive_rate": 0.0}}},
        {"strategy": {"moderation": {"mode": "community", "false_positive_rate": 1.0}}},
        "- - - - - 0",
        "Halfaker et al. 2011 (reverted newcomers are far less likely to continue), 2013 (the "
        "rise of rejection drove Wikipedia's decline in new editors)",
        cost="moderation costs staff hours, not money",
        because={
            "retention_30": "Halfaker et al. 2011: a newcomer whose first contribution is "
            "removed is much less likely to stay (the strongest case)",
        },
        quick=True,
        flag="no setting removes newcomers' first posts only: measured as community "
        "moderation removing every legitimate post (false_positive_rate 0 -> 1), which removes "
        "every newcomer's first post and everyone else's posts too",
    ),
    Row(
        "tie gain",
        {},
        {"behaviour": {"tie_gain": 0.0}},
        "- - - - - 0",
        "Ren, Kraut & Kiesler 2007: bonds to other members are a reason to stay (bond-based "
        "commitment); without ties from replies that reason is gone",
        quick=True,
    ),
    Row(
        "bond weight",
        {},
        {"behaviour": {"bond_weight": 0.0}},
        "- - - - - 0",
        "Ren, Kraut & Kiesler 2007; Ren & Kraut 2014: bond benefit is one of the benefits of "
        "membership; weighting it at zero removes a benefit",
        quick=True,
    ),
    Row(
        "moderation: none vs community",
        OPERATOR,
        {"strategy": COMMUNITY_MODERATION},
        "+ + + + ? 0",
        "Ren & Kraut 2014 (community-level deletion raises sessions and commitment in a noisy "
        "community); K&R ch. 4 (regulating behaviour limits damage)",
        base=NOISY,
        because={
            "posts_per_day": "Ren & Kraut 2014: community deletion raises sessions but posts do "
            "not rise (deleted posts are gone, and less noise prompts fewer replies to it)"
        },
        cost="moderation costs staff hours, not money",
        quick=True,
    ),
    Row(
        "moderation: none vs personalized",
        OPERATOR,
        {"strategy": {"moderation": {"mode": "personalized"}}},
        "+ + + + + 0",
        "Ren & Kraut 2014: personalized moderation gives the highest commitment and posts per "
        "day of the designs compared (posts/day 1.2-1.6 x none)",
        base=NOISY,
        cost="moderation costs staff hours, not money",
        quick=True,
    ),
    Row(
        "operator content: 5 a day",
        OPERATOR,
        {"strategy": {"content": {"posts_per_day": 5, "quality": 0.8}}},
        "+ + + + + 0",
        "Ren & Kraut 2014: relevant content adds information benefit; K&R ch. 2 (seeding "
        "content draws members and replies)",
        cost="text posts cost staff hours only",
        quick=True,
    ),
    Row(
        "operator content: 20 a day",
        {"strategy": {"hours_per_day": 24}},
        {"strategy": {"hours_per_day": 24, "content": {"posts_per_day": 20, "quality": 0.8}}},
        "+ + + + + 0",
        "Ren & Kraut 2014: relevant content adds information benefit (saturating); 20 good "
        "items a day is well within members' reading budgets",
        cost="text posts cost staff hours only",
        quick=True,
    ),
    Row(
        "operator content: 400 a day",
        {"strategy": {"hours_per_day": 400}},
        {"strategy": {"hours_per_day": 400, "content": {"posts_per_day": 400, "quality": 0.8}}},
        "+ + + + ? 0",
        "issue 14 (Deliver 1-2): on a forum or feed members pick what to read, so good, "
        "relevant operator content helps and unread excess costs little (Ren & Kraut 2014 "
        "predicted overload only for one unfiltered stream)",
        because={
            "posts_per_day": "members may write less when the operator fills the feed "
            "(crowding of member threads), or more through replies to it: no expectation",
        },
        cost="text posts cost staff hours only",
        quick=True,
        explained=_community(
            OPERATOR_THREADS + "Measured (benchmarks/diagnostics/operator_threads.py 400 1, "
            "days 151-240), with operator items asking for replies a quarter as much as members' "
            "threads (Format.asks_for_replies 0.25, Burke et al. 2007): 400 operator threads a "
            "day still weigh as much in reply targeting as members' ~100 threads, so 55% of "
            "members' threads go unanswered (against 32% without operator content; 88% when "
            "operator threads pulled replies like members' requests), members' threads fall "
            "from 144 to 101 a day, ties from 3,691 to 1,557, the mean bond benefit from 0.32 to "
            "0.21, and the information benefit falls too (0.77 to 0.69: the ranked page fills "
            "with operator titles while members write less). 5 and 20 a day no longer "
            "contradict (quick atlas: not resolved)." + TIES_IN_THREADS
        ),
    ),
    Row(
        "content quality: low vs high",
        {"strategy": {"hours_per_day": 24, "content": {"posts_per_day": 20, "quality": 0.2}}},
        {"strategy": {"hours_per_day": 24, "content": {"posts_per_day": 20, "quality": 0.9}}},
        "+ + + + + 0",
        "Ren & Kraut 2014: information benefit grows with quality; K&R ch. 2 (high-quality "
        "content attracts and keeps members)",
        cost="same number of text posts in both arms: staff hours only",
        quick=True,
    ),
    *(
        Row(
            f"event: weekly {kind}",
            OPERATOR,
            {"strategy": {"events": {"calendar": [{"kind": kind, **WEEKLY, **money}]}}},
            expect,
            why,
            cost=cost,
            quick=True,
        )
        for kind, expect, why, money, cost in (
            (
                "qa",
                "+ + + + + 0",
                "Ren, Kraut & Kiesler 2007: group activities build identity and bonds; K&R ch. 3",
                {},
                "a Q&A costs staff hours only (money 0)",
            ),
            (
                "sharing",
                "+ + + + + 0",
                "Ren, Kraut & Kiesler 2007: sharing sessions build common identity and bonds",
                {},
                "a sharing session costs staff hours only (money 0)",
            ),
            (
                "contest",
                "+ + + + + +",
                "K&R ch. 2 and 3: contests prompt contributions and bring members together",
                {"money": 100},
                "each contest pays a 100 prize",
            ),
            (
                "lottery",
                "? + ? ? ? +",
                "a lottery draws members to visit (its expected value to them, Deliver 3) but "
                "builds little identity or posting: visits rise, the rest has no expectation",
                {"money": 100},
                "each lottery pays a 100 prize",
            ),
        )
    ),
    Row(
        "incentive: points",
        OPERATOR,
        {"strategy": POINTS},
        "? + ? ? + 0",
        "Hamari 2017: points and badges raise activity (posts, visits through check-in "
        "points); no established effect on membership or retention",
        cost="recognition-only points cost no money (tangible: false)",
        quick=True,
    ),
    Row(
        "incentive: badges",
        OPERATOR,
        {"strategy": {"incentives": {"points": {}, "badges": BADGES}}},
        "? ? ? ? + 0",
        "Anderson et al. 2013 (badges steer toward their thresholds); Hamari 2017 (badges "
        "raise activity): posts rise; visits and membership: no expectation",
        cost="badges cost no money",
        quick=True,
    ),
    Row(
        "incentive: ranks",
        {"strategy": POINTS},
        {"strategy": {"incentives": {"ranks": [100, 500, 2000, 5000, 10000]}}},
        "? ? ? ? + 0",
        "issue 14 Deliver 3: ranks steer toward their thresholds like badges (Anderson et al. "
        "2013), so points-earning actions rise; ranks need points, so arm A has points alone",
        cost="ranks cost no money",
        quick=True,
    ),
    Row(
        "incentive: leaderboard",
        {"strategy": POINTS},
        {"strategy": {"incentives": {"leaderboard": 10}}},
        "? ? ? ? + 0",
        "a leaderboard is recognition for the most active (Hamari 2017; K&R ch. 2): their "
        "activity rises; the leaderboard ranks points, so arm A has points alone",
        cost="a leaderboard costs no money",
        quick=True,
    ),
    Row(
        "incentive: tangible rewards",
        {"strategy": POINTS},
        {"strategy": TANGIBLE},
        "? + ? ? + +",
        "Deci, Koestner & Ryan 1999: expected tangible rewards raise the rewarded activity "
        "while they are paid (the undermining shows after they stop)",
        cost="redeemed points are paid in money",
        quick=True,
        explained=_community(
            "arm A is recognition-only points, which raise intrinsic motivation a little each "
            "time they are earned (recognition_gain); arm B pays for them at the default "
            "money_per_point 0.01 (redeemed at 500 points), a small payment whose pull by value "
            "is weak while any payment crowds out at least crowd_floor (half) of crowd_out_rate "
            "a day, for the whole 240 days (the scheme never stops): Gneezy & Rustichini 2000, "
            "'pay enough or don't pay at all' (sim.levers.incentives). Measured (seed 1, atlas "
            "set-up): mean intrinsic motivation of members at day 240 is 0.443 against 0.485, "
            "daily actives in the last 30 days 335 against 356, posts a day 353 against 417. The "
            "expectation (Deci et al. 1999: activity rises while rewards are paid) holds against "
            "no rewards in EVIDENCE G-5."
        ),
    ),
    Row(
        "incentive: rewards withdrawn",
        OPERATOR,
        {"strategy": {"incentives": {"tangible": True, "start": 30, "stop": 150}}},
        "? - ? ? - +",
        "Deci, Koestner & Ryan 1999: after expected tangible rewards stop, intrinsically "
        "motivated activity falls below where it began (days 211-240 are after the stop)",
        cost="rewards are paid in money until day 150",
        quick=True,
    ),
    Row(
        "reward size",
        {"strategy": {"incentives": {"tangible": True, "money_per_point": 0.01}}},
        {"strategy": {"incentives": {"tangible": True, "money_per_point": 0.05}}},
        "? + ? ? + +",
        "Gneezy & Rustichini 2000 (pay enough: larger pay, more effort); issue 14 Deliver 3 "
        "(the pull of a reward scales with what it is worth)",
        cost="each redeemed point costs five times as much",
        quick=True,
    ),
    # added with the levers by value (issue 14 Deliver 3, 5), before they were measured
    Row(
        "lottery prize",
        {"strategy": {"events": {"calendar": [{"kind": "lottery", **WEEKLY, "prize": 0}]}}},
        {"strategy": {"events": {"calendar": [{"kind": "lottery", **WEEKLY, "prize": 200}]}}},
        "? + ? ? ? +",
        "issue 14 Deliver 3: a lottery pulls by its expected value (prize x chance to win) times "
        "the member's extrinsic motivation, so a prize brings more attendees, and visits; "
        "whether it keeps members, or makes them post, no expectation",
        cost="the prize is paid each week",
        quick=True,
    ),
    Row(
        "rank values",
        {"strategy": {"incentives": {"ranks": [100, 500, 2000], "rank_values": [0, 0, 0]}}},
        {"strategy": {"incentives": {"ranks": [100, 500, 2000], "rank_values": [5, 20, 50]}}},
        "? ? ? ? + 0",
        "Anderson et al. 2013, issue 14 Deliver 3: ranks steer toward their thresholds in "
        "proportion to what each level means; worthless ranks steer no one",
        cost="rank values are status and perks, not money paid",
    ),
    # added with check-in streaks (issue 16 item 11), before they were measured
    Row(
        "incentive: check-in streaks",
        {"strategy": POINTS},
        STREAKS_ON,
        "? + ? ? + 0",
        "Kivetz, Urminsky & Zheng 2006 (the goal gradient: visits quicken toward a reward) and "
        "Silverman & Barasch 2023 (intact streaks raise subsequent engagement): members on a "
        "streak check in more to keep it, and visitors post, so visits and posts rise; broken "
        "streaks cost, so whether more members stay: no expectation. Arm A has the same "
        "recognition-only points, check-ins included, without streaks",
        cost="streak rewards are recognition-only points and a badge: no money",
        explained={
            "dau_last30": "arm B's streaks also break: about 20 streaks of 3 days or more a day "
            "(seed 1, atlas set-up: 4,648 in 240 days), each costing its member "
            "streak_break_cost (0.2, an assumption) x extrinsic sensitivity in net benefit, "
            "added to any earlier loss and fading by 5% a day, so members who keep building and "
            "breaking weekly streaks carry a standing loss. The pull alone raises daily actives: "
            "with streak_break_cost 0, seed 1 measures 375 in the last 30 days against 356 "
            "without streaks and 350 with them (the row behaviour.streak_break_cost: +27.5 "
            "[+25.8, +29.3]); at the assumed magnitude the cost outweighs the pull by day 240. "
            "Making the loss renew rather than add up (the larger of the old and the new) "
            "leaves most of it (study check-in-streaks: members at the end -23.8 instead of "
            "-32.5 against points alone)"
        },
    ),
    Row(
        "streak reward size",
        {
            "strategy": {
                "incentives": {
                    "streaks": {"rewards": [{"length": 3, "points": 2}, {"length": 7, "points": 5}]}
                }
            }
        },
        {
            "strategy": {
                "incentives": {
                    "streaks": {
                        "rewards": [{"length": 3, "points": 20}, {"length": 7, "points": 50}]
                    }
                }
            }
        },
        "? + ? ? + 0",
        "issue 14 Deliver 3 (the pull of a reward scales with what it is worth) with the goal "
        "gradient (Kivetz et al. 2006): streak rewards worth ten times as much pull members on a "
        "streak harder, so more check-ins, and more posts by the extra visitors; membership and "
        "retention: no expectation (the cost of a broken streak does not depend on the reward)",
        cost="streak rewards are recognition-only points: no money",
    ),
    Row(
        "win-back to members who left",
        {"strategy": {"winback": {"departed_within": 0}}},
        {"strategy": {"winback": {"departed_within": 60}}},
        "+ + ? ? ? 0",
        "Wikimedia 'Necromancy' 2012, Wash & Lampe 2012: messages bring a few lapsed members "
        "back, within days; more members and visits, a small effect on the rest",
        cost="messages cost staff hours only (money_per_message 0)",
    ),
    Row(
        "onboarding",
        OPERATOR,
        {"strategy": {"onboarding": {}}},
        "+ + + + + 0",
        "Joyce & Kraut 2006 (a reply to the first post brings newcomers back); Morgan & "
        "Halfaker 2018 (Teahouse welcome raises newcomer retention)",
        cost="welcomes and replies cost staff hours only",
        quick=True,
    ),
    Row(
        "win-back",
        OPERATOR,
        {"strategy": {"winback": {}}},
        "+ + ? ? ? 0",
        "Wash & Lampe 2012; Wikimedia 'Necromancy' 2012: reminders bring some dormant members "
        "back, a small effect; retention and posts: too small to expect a sign",
        cost="messages cost staff hours only (money_per_message 0)",
        quick=True,
    ),
    Row(
        "recruitment: paid campaign",
        OPERATOR,
        {"strategy": {"recruitment": {"campaigns": [{"start": 30, "end": 120}]}}},
        "+ + ? ? + +",
        "Bass 1969: marketing raises adoption, so more members, visits and posts; newcomers "
        "brought by marketing may be less committed: retention has no expectation",
        cost="each member the campaign brings costs 5",
        quick=True,
    ),
    Row(
        "recruitment: referral rewards",
        OPERATOR,
        {"strategy": {"recruitment": {"referral_reward": 2.0}}},
        "+ + ? ? + +",
        "K&R ch. 5: recruiting through members' networks brings newcomers; retention: no "
        "expectation",
        cost="each referral join pays 2",
        quick=True,
    ),
    Row(
        "budget cut (halved)",
        {"strategy": {"budget": 10000, **ALL_ON}},
        {"strategy": {"budget": 5000, **ALL_ON}},
        "- - ? ? ? -",
        "with every lever on, half the money buys fewer paid joins and rewards (K&R ch. 5; "
        "Bass 1969): fewer members and visits; retention and posts: no expectation",
        cost="less money to spend: the budget binds",
        quick=True,
    ),
    Row(
        "staff-hour cut (halved)",
        {"strategy": {"hours_per_day": 8, **ALL_ON}},
        {"strategy": {"hours_per_day": 4, **ALL_ON}},
        "- - - - - ?",
        "with every lever on, half the hours means skipped content, events, welcomes and "
        "moderation: less of every lever's benefit",
        cost="some paid actions also need hours (contests, content), others (joins, rewards) "
        "do not: no expectation",
        quick=True,
    ),
)

# ---- every registered lever, on vs off --------------------------------------------------------------
# recruitment channels (issue 16 item 9): 30 a day on days 30-180, each kind's default cost and reach
PAID_CHANNEL = {"kind": "paid", "start": 30, "end": 180, "spend": 30}
PARTNER_CHANNEL = {"kind": "partner", "start": 30, "end": 180, "spend": 30}
# content posted mostly on the least popular topics, steered by the adaptive lever (issue 16 item 4)
SURVEY_BASE = {
    "strategy": {
        "content": {"posts_per_day": 6, "topic_mix": [0.2, 0.2, 0.3, 0.5, 1, 1, 2, 3]},
        "adaptive": {},
    }
}
SURVEY_ON = {"strategy": {**SURVEY_BASE["strategy"], "adaptive": {"source": "survey"}}}


# a weekly guest expert's Q&A at 100 a time, seats for all who come, and the money to pay for it
EXPERT_QA = {"kind": "expert", **WEEKLY, "capacity": 1000, "money": 100.0}
EXPERT_ON = {"strategy": {"budget": 10_000.0, "events": {"calendar": [EXPERT_QA]}}}


LEADERS_FOUND = {"strategy": {"leaders": {"cultivate": False}}}


# a competitor opens on day 60 and pulls uncommitted members away (sim.world.uncertainties)
COMPETITOR = {"uncertainties": {"competitor": {"start": 60, "pull": 0.5}}}
# counter-levers to it (issue 16 item 9, sim.levers.defence): exclusive content needs operator
# posts to mark (the content lever's defaults, 5 a day); offers alone have no exclusives
EXCLUSIVE_ONLY = {"content": {}, "defence": {"offers": False}}
OFFERS_ONLY = {"defence": {"exclusive_share": 0.0}}

LEVER_ROWS = (
    Row(
        "lever: content (defaults)",
        OPERATOR,
        {"strategy": {"content": {}}},
        "+ + + + + 0",
        "Ren & Kraut 2014: information benefit; K&R ch. 2",
        cost="text posts cost staff hours only",
    ),
    Row(
        "lever: incentives (points, badges, leaderboard)",
        OPERATOR,
        {"strategy": {"incentives": {"badges": BADGES, "leaderboard": 10}}},
        "? + ? ? + 0",
        "Hamari 2017 (points and badges raise activity); Anderson et al. 2013",
        cost="recognition-only: no money",
    ),
    Row(
        "lever: events (weekly qa, defaults)",
        OPERATOR,
        {"strategy": {"events": {"calendar": [{"kind": "qa", "every": 7}]}}},
        "+ + + + + 0",
        "Ren, Kraut & Kiesler 2007: identity and bonds",
        cost="a Q&A costs staff hours only",
    ),
    Row(
        "lever: moderation (defaults)",
        OPERATOR,
        {"strategy": {"moderation": {}}},
        "+ + + + ? 0",
        "K&R ch. 4: regulating behaviour limits damage; Ren & Kraut 2014 (posts do not rise)",
        base=NOISY,
        cost="moderation costs staff hours only",
    ),
    Row(
        "lever: adaptive (with content)",
        {"strategy": {"content": {}}},
        {"strategy": {"content": {}, "adaptive": {}}},
        "? ? ? ? ? 0",
        "K&R ch. 2: content that matches interests draws responses; the lever only moves the "
        "operator's five posts a day among topics, too little to expect a sign on community "
        "totals",
        cost="shifting the mix costs nothing",
    ),
    Row(
        "lever: recruitment (campaign and referrals)",
        OPERATOR,
        {"strategy": {"recruitment": ALL_ON["recruitment"]}},
        "+ + ? ? + +",
        "Bass 1969; K&R ch. 5",
        cost="paid joins and referral rewards",
    ),
    Row(
        "lever: winback (paid messages)",
        OPERATOR,
        {"strategy": {"winback": {"money_per_message": 0.01}}},
        "+ + ? ? ? +",
        "Wash & Lampe 2012: reminders bring some members back",
        cost="each message costs 0.01",
    ),
    Row(
        "lever: care (personal messages, defaults)",
        OPERATOR,
        {"strategy": {"care": {}}},
        "+ + ? ? + 0",
        "Joyce & Kraut 2006 (a reply brings a member back and raises commitment); Morgan & "
        "Halfaker 2018 (personal contact keeps members): the valued members who go quiet come "
        "back, stay and keep posting",
        because={
            "retention_30": "retention counts join cohorts; few newcomers are key members (3 "
            "posts in 30 days) who go quiet within their first month",
            "retention_90": "retention counts join cohorts; only the newcomers who became "
            "regulars are reached, too few to expect a sign",
        },
        cost="personal messages cost staff hours only",
    ),
    Row(
        "care vs win-back at equal hours",
        {"strategy": {"hours_per_day": 0.5, "winback": {}}},
        {"strategy": {"hours_per_day": 0.5, "care": {"hours_per_day": 0.5}}},
        "- ? - ? + 0",
        "with the same half hour a day, win-back reminds every member gone two weeks, and those "
        "who left, by the hundred (Wash & Lampe 2012), while personal care writes three messages "
        "to valued members who go quiet (Joyce & Kraut 2006): win-back brings back more members "
        "and more newcomers of the join cohorts; care keeps the members who post most",
        because={
            "dau_last30": "win-back's many returns against care's few kept heavy visitors: no "
            "expectation",
            "retention_90": "win-back reaches 90-day cohorts only after they left or went quiet "
            "for two weeks, care only their regulars: no expectation",
        },
        cost="win-back messages (as set) and personal messages cost staff hours only",
    ),
    Row(
        "offline event vs the same online event",
        {"strategy": {"events": {"calendar": [{"kind": "qa", "every": 14, "capacity": 40}]}}},
        {
            "strategy": {
                "events": {
                    "calendar": [
                        {
                            "kind": "qa",
                            "every": 14,
                            "capacity": 40,
                            "offline": True,
                            "cost_per_attendee": 0.0,
                        }
                    ]
                }
            }
        },
        "+ + + + + 0",
        "the same 40 seats, filled either way (of about a hundred members who would come, a "
        "third can travel): offline, attendees make stronger ties and gain more identity (Koh, "
        "Kim, Butler & Bock 2007: offline interaction predicts posting; Sessions 2010: meetups "
        "strengthen attendees' ties and engagement); McCully et al. 2011's counter-view (ties "
        "made offline draw members off the site) is not modelled",
        cost="neither arm pays per attendee; both cost staff hours only",
    ),
    Row(
        "offline event vs online event, each as set by default",
        {"strategy": {"events": {"calendar": [{"kind": "qa", "every": 14}]}}},
        {"strategy": {"events": {"calendar": [{"kind": "qa", "every": 14, "offline": True}]}}},
        "? ? ? ? ? +",
        "offline: a fifth of the seats and a third of the willing can travel, but each attendee "
        "bonds twice as strongly and gains twice the identity: whether fewer, stronger bonds "
        "outweigh many weaker ones is what the row measures (no expectation)",
        cost="an offline event costs 15 per attendee",
    ),
    Row(
        "paid vs partner channel at equal spend",
        {"strategy": {"recruitment": {"channels": [PARTNER_CHANNEL]}}},
        {"strategy": {"recruitment": {"channels": [PAID_CHANNEL]}}},
        "+ + - - ? 0",
        "the same 30 a day buys about three times the joins through paid ads (cheaper joins, a "
        "wider reach: assumed kind defaults), so more members and visits; paid ads bring "
        "lower-fit newcomers than a partner (Verhoef & Donkers 2005: mass-media acquisitions are "
        "retained less; Rules.paid_fit, partner_fit), so fewer newcomers stay 30 and 90 days; "
        "posts: more members but each posts less (no expectation)",
        cost="both spend 30 a day on days 30-180",
    ),
    # counter-levers to a competitor (issue 16 item 9), expected signs written before measuring
    Row(
        "exclusive content vs none under a competitor",
        {"strategy": {"content": {}}},
        {"strategy": EXCLUSIVE_ONLY},
        "+ + + + + 0",
        "a third of the operator's 5 posts a day made exclusive: members who read them on their "
        "topics would lose them by leaving, a switching cost (Burnham, Frels & Mahajan 2003), so "
        "the competitor lures fewer away (Rules.exclusive_hold): more members stay, visit and "
        "post, newcomers' cohorts included",
        base=COMPETITOR,
        cost="exclusive posts cost staff hours only (exclusive_money 0)",
    ),
    Row(
        "retention offers vs none under a competitor",
        {"strategy": {}},
        {"strategy": OFFERS_ONLY},
        "? ? ? ? ? +",
        "a one-time offer of 5 to every member quiet for a week once the competitor opens: those "
        "who take it are held (Rules.offer_hold), those who decline are woken up and lured more "
        "(Ascarza, Iyengar & Schleicher 2016: proactive offers raised churn from 6% to 10%), and "
        "many quiet members leave by inactivity whatever they were offered (Ascarza 2018: "
        "retention futility): no expectation",
        base=COMPETITOR,
        cost="each offer taken is paid 5",
    ),
    Row(
        "retention offers to high-risk vs all at-risk",
        {"strategy": {"defence": {"exclusive_share": 0.0, "quiet_days": 7}}},
        {"strategy": {"defence": {"exclusive_share": 0.0, "quiet_days": 21}}},
        "? ? ? ? ? -",
        "offers only to members quiet for three weeks (the highest risk) instead of one: fewer "
        "offers and fewer members held or woken; the members at highest risk are not the ones "
        "an offer changes most (Ascarza 2018), since many of them leave by inactivity anyway: "
        "no expectation on the community",
        base=COMPETITOR,
        cost="fewer offers made, so fewer taken and paid",
    ),
    # polls and surveys (issue 16 item 4), expected signs written before measuring
    Row(
        "weekly poll vs none",
        OPERATOR,
        {"strategy": {"events": {"calendar": [{"kind": "poll", **WEEKLY, "hours": 0.5}]}}},
        "? + ? ? + 0",
        "a poll is a one-click event (sim.levers.events, an assumption after Ren, Kraut & "
        "Kiesler 2007: bonds need interaction): voters visit on poll days, and a visit is a "
        "chance to post, so more daily actives and posts; its identity is a sixth of a Q&A's and "
        "it makes no ties, too little to expect a sign on membership or retention",
        cost="a poll costs half a staff hour",
    ),
    Row(
        "survey-driven adaptive vs interaction-driven",
        SURVEY_BASE,
        SURVEY_ON,
        "? ? ? ? ? 0",
        "both steer the operator's few posts toward what members want, one by replies and "
        "reactions per post, one by reported interest from a sample biased toward loyal members "
        "(Groves & Peytcheva 2008): which reads members better is what the row measures",
        cost="a survey costs staff hours only",
    ),
    # guest experts (issue 16 item 5), expected signs written before measuring
    Row(
        "guest expert Q&A vs the team's own Q&A at equal count",
        {
            "strategy": {
                "budget": 10_000.0,
                "events": {"calendar": [{**EXPERT_QA, "kind": "qa", "money": 0.0}]},
            }
        },
        EXPERT_ON,
        "+ + + + + +",
        "the same weekly Q&A, run by a paid outside expert: it draws Rules.expert_draw (1.5) times "
        "as many members (an assumption), so more attend, gain identity and make ties with each "
        "other (Ren, Kraut & Kiesler 2007), more stay, visit and post",
        flag="a guest expert as an event (a Q&A), not as content items",
        cost="each expert Q&A pays the expert 100",
    ),
    # opinion leaders (issue 16 item 5), expected signs written before measuring
    Row(
        "lever: leaders (find opinion leaders, not cultivated)",
        OPERATOR,
        LEADERS_FOUND,
        "? ? ? ? ? 0",
        "the 20 most-replied members' threads draw twice the readers and replies (Katz & "
        "Lazarsfeld 1955; Bakshy et al. 2011): attention moves toward them, from other members' "
        "threads, with no expected sign on community totals",
        cost="naming leaders costs nothing",
    ),
    Row(
        "cultivate opinion leaders vs not",
        LEADERS_FOUND,
        {"strategy": {"leaders": {"cultivate": True}}},
        "? ? ? ? ? 0",
        "recognition, perks and contact keep the 20 leaders (recognition raises loyalty, "
        "Rules.recognition_weight), and their threads keep drawing; 20 of some 1,500 members are "
        "too few to expect a sign on community totals",
        cost="cultivation costs staff hours only (no perks money by default)",
    ),
)

# ---- every behaviour parameter (sim.agents.Rules) -----------------------------------------------
# win-back that also writes to members who left up to 60 days ago, so that returns are common
WINBACK_DEPARTED = {"strategy": {"winback": {"departed_within": 60}}}
EVENTS_ON = {"strategy": {"events": {"calendar": [{"kind": "qa", "every": 7}]}}}
# a fortnightly offline Q&A with 100 seats at 15 per attendee, and the money to pay for it
OFFLINE_ON = {
    "strategy": {
        "budget": 50_000.0,
        "events": {"calendar": [{"kind": "qa", "every": 14, "offline": True, "capacity": 100}]},
    }
}
BADGES_ON = {"strategy": {"incentives": {"badges": BADGES}}}
RECOGNITION_ON = {
    "strategy": {"incentives": {"badges": BADGES, "ranks": [100, 500, 2000], "leaderboard": 10}}
}
WITHDRAWN = {"strategy": {"incentives": {"tangible": True, "start": 30, "stop": 150}}}
UNKNOWN_SPREAD = (
    "the spread changes the tails, not the mean: with responses that are convex in some places "
    "and saturating in others, the sign of the total is not predictable"
)

BEHAVIOUR_ROWS = (
    _behaviour("motivation_spread", 0.6, "? ? ? ? ? 0", UNKNOWN_SPREAD),
    _behaviour("need_spread", 0.4, "? ? ? ? ? 0", UNKNOWN_SPREAD),
    _behaviour(
        "newcomer_fit",
        0.8,
        "+ + + + + 0",
        "newcomers with more need for the community find a reason to stay more often (K&R ch. 5): "
        "more of them stay, visit and post",
    ),
    _behaviour(
        "visit_floor", 0.15, "+ + + + + 0", "members with low loyalty still visit more often"
    ),
    _behaviour(
        "novelty",
        0.2,
        "- - - - - 0",
        "fewer visits in a newcomer's first week, when commitment forms (K&R ch. 5, "
        "socialization): fewer become committed",
        explained={
            outcome: "most newcomers who join from the market need the community less than its "
            "founders (newcomer_fit 0.6), so their first visits give a net benefit below the "
            "aspiration and, weighted up by early_weight, move their loyalty down; fewer "
            "first-week visits spare them part of that fall and more stay above the quit "
            "threshold (members and retention(30) rise; an open problem: the model has no "
            "first-week experience that wins a low-fit newcomer over, such as a welcome from "
            "members)"
            for outcome in ("members_end", "retention_30")
        },
    ),
    _behaviour(
        "reply_pull",
        0.0,
        "- - - - - 0",
        "replies awaiting a member no longer bring it back (Joyce & Kraut 2006): fewer visits",
    ),
    _behaviour("info_weight", 0.35, "- - - - - 0", f"Ren & Kraut 2014: {LOWER_BENEFIT}"),
    _behaviour(
        "identity_weight",
        0.0,
        "- - - - - 0",
        f"Ren, Kraut & Kiesler 2007 (events build identity): {LOWER_BENEFIT}",
        base=EVENTS_ON,
        cost="events cost staff hours only",
    ),
    _behaviour(
        "fun_weight",
        0.0,
        "- - - - - 0",
        f"fun and recognition are benefits: {LOWER_BENEFIT}",
    ),
    _behaviour(
        "bond_scale",
        3.0,
        "- - - - - 0",
        f"the same ties give less bond benefit (Ren, Kraut & Kiesler 2007): {LOWER_BENEFIT}",
    ),
    _behaviour(
        "reply_bond",
        0.0,
        "- - - - - 0",
        f"replies received no longer count as bonds (issue 14: replies are benefits): "
        f"{LOWER_BENEFIT}",
    ),
    _behaviour(
        "fun_scale", 6.0, "- - - - - 0", f"the same reactions give less fun: {LOWER_BENEFIT}"
    ),
    _behaviour("offtopic_cost", 0.0, "+ + + + + 0", f"Ren & Kraut 2014: {LOWER_COST}"),
    _behaviour("overload_cost", 0.0, "+ + + + + 0", f"Ren & Kraut 2014: {LOWER_COST}"),
    _behaviour(
        "aspiration",
        0.3,
        "+ + + + + 0",
        "a lower bar for satisfaction: the same benefits raise loyalty more",
    ),
    _behaviour(
        "temperature",
        0.28,
        "? ? ? ? ? 0",
        "a gentler response pulls every member's target loyalty toward 0.5: up for those "
        "below their aspiration, down for those above; the balance is not predictable",
    ),
    _behaviour(
        "loyalty_rate",
        0.022,
        "? ? ? ? ? 0",
        "faster movement toward each member's target loyalty, up or down: no expectation",
    ),
    _behaviour(
        "early_weight",
        0.0,
        "? ? ? ? ? 0",
        "the first visits count less, whether they were good or bad experiences: no "
        "expectation (K&R ch. 5: early experiences matter, in either direction)",
    ),
    _behaviour(
        "forget_rate",
        0.004,
        "- - - - - 0",
        "more loyalty lost on days away: members drift off sooner",
    ),
    _behaviour(
        "interest_rate",
        0.16,
        "? ? ? ? ? 0",
        "interest follows satisfaction faster, up or down: no expectation",
    ),
    _behaviour(
        "topic_drift",
        0.04,
        "+ + ? + + 0",
        "interests drift faster toward topics that satisfy: better matched reading, more "
        "information benefit; newcomers have too few visits for it to show by day 30",
    ),
    _behaviour(
        "drive_gain",
        0.0,
        "- - - - - 0",
        "Joyce & Kraut 2006: replies received make members post again; without it fewer posts, "
        "less content and fewer replies for others (K&R ch. 2)",
    ),
    _behaviour(
        "drive_decay",
        0.06,
        "? ? ? ? ? 0",
        "post drive returns to neutral faster from above (after replies) and from below (after "
        "being ignored): no expectation",
    ),
    _behaviour(
        "drive_max",
        1.5,
        "? ? ? ? - 0",
        "a lower ceiling on reinforced posting: fewer posts from the most answered members; "
        "the rest: no expectation",
    ),
    _behaviour(
        "first_reply_weight",
        0.0,
        "- - - - - 0",
        "Joyce & Kraut 2006: a reply to a newcomer's first posts is what brings it back to post",
    ),
    _behaviour(
        "ignored_penalty",
        0.0,
        "+ + + + + 0",
        "Joyce & Kraut 2006: ignored newcomers post less; without the penalty they keep posting",
    ),
    _behaviour(
        "tie_decay",
        0.04,
        "- - - - - 0",
        f"ties fade twice as fast (Ren, Kraut & Kiesler 2007): {LOWER_BENEFIT}",
    ),
    _behaviour(
        "tie_prune",
        0.1,
        "- - - - - 0",
        f"weak ties disappear sooner: {LOWER_BENEFIT}",
    ),
    _behaviour(
        "quit_threshold",
        0.2,
        "+ + + + + 0",
        "fewer members have loyalty low enough to quit",
    ),
    _behaviour("quit_rate", 0.1, "+ + + + + 0", "members below the threshold quit half as often"),
    _behaviour(
        "inactivity_limit",
        30,
        "- - ? - ? 0",
        "members away 30 days count as gone (and never come back): fewer members, fewer of "
        "the returning visitors; retention(30) is decided before the limit bites",
    ),
    _behaviour(
        "initial_loyalty",
        0.4,
        "+ + + + + 0",
        "newcomers start more committed, so more of them stay (K&R ch. 5)",
    ),
    _behaviour(
        "founder_loyalty",
        0.45,
        "- - ? ? - 0",
        "founders start less committed: fewer stay, visit and post; retention counts newcomers "
        "only, who feel it only through a smaller community",
    ),
    _behaviour(
        "founder_activity",
        3.0,
        "+ + ? ? + 0",
        "the founders write three times their threads and replies (Mockus et al. 2002: the "
        "earliest members are the core): more posts, and more replies for newcomers' first posts "
        "(Joyce & Kraut 2006), so more stay and visit; retention could go either way, since the "
        "founders' own threads also draw the replies newcomers' threads would have had",
    ),
    # added with issue 15's founders' core (off by default; set by calibration), expected signs
    # written before measuring: both arms with the founders writing three times
    _behaviour(
        "founder_core",
        120,
        "- - ? ? - 0",
        "only a tenth of the 1,200 founders (the core) write three times their threads and "
        "replies (and start a thread on day 1), the others at their own rates (the onion model, "
        "Crowston & Howison 2005): "
        "fewer posts and fewer replies for newcomers' first posts (Joyce & Kraut 2006), so fewer "
        "stay and visit; retention either way, as with the founders' activity itself",
        base={"behaviour": {"founder_activity": 3.0}},
    ),
    _behaviour(
        "attention_bond",
        0.0,
        "- - - - - 0",
        "Morgan & Halfaker 2018; Joyce & Kraut 2006: a welcome and an operator's reply are felt "
        "as attention; without it onboarding gives no bond",
        base={"strategy": {"onboarding": {}}},
        cost="onboarding costs staff hours only",
    ),
    _behaviour(
        "event_ties",
        0,
        "- - - - - 0",
        "Ren, Kraut & Kiesler 2007: attendees bond with each other; without new ties events give "
        "identity only",
        base=EVENTS_ON,
        cost="events cost staff hours only",
    ),
    _behaviour(
        "removal_cost",
        0.0,
        "+ + + + + 0",
        "Halfaker et al. 2011: removals hurt their authors; without that cost they stay and "
        "post as before",
        base={**NOISY, "strategy": COMMUNITY_MODERATION},
        cost="moderation costs staff hours only",
    ),
    _behaviour(
        "toxicity_cost",
        0.0,
        "+ + + + + 0",
        f"toxic posts are a cost of reading (K&R ch. 4): {LOWER_COST}",
        base=NOISY,
    ),
    _behaviour(
        "incentive_gain",
        0.0,
        "? - ? ? - 0",
        "Hamari 2017: points raise rewarded actions; with no pull, fewer posts and check-in "
        "visits; membership and retention: no expectation",
        base={"strategy": POINTS},
        cost="recognition-only points cost no money",
    ),
    _behaviour(
        "steer_gain",
        0.0,
        "? ? ? ? - 0",
        "Anderson et al. 2013: steering adds badged actions before the threshold (more than "
        "it takes from the neighbour); without it, fewer posts",
        base=BADGES_ON,
        cost="badges cost no money",
    ),
    _behaviour(
        "steer_threshold",
        1.0,
        "? ? ? ? - 0",
        "Hoernle et al. 2022: fewer members steer at full strength, so fewer badged actions",
        base=BADGES_ON,
        cost="badges cost no money",
    ),
    _behaviour(
        "substitution",
        0.0,
        "? ? ? ? + 0",
        "Anderson et al. 2013: steering no longer takes effort from the neighbouring action: "
        "more posts in all",
        base=BADGES_ON,
        cost="badges cost no money",
    ),
    _behaviour(
        "crowd_out_rate",
        0.0,
        "+ + ? ? + ?",
        "Deci, Koestner & Ryan 1999: without crowding out, intrinsic motivation survives the "
        "rewards, so activity after they stop stays higher",
        base=WITHDRAWN,
        cost="more activity while rewarded earns more points to redeem, but the effect on "
        "money is small either way: no expectation",
    ),
    _behaviour(
        "recognition_gain",
        0.0,
        "? ? ? ? - 0",
        "recognition raises intrinsic motivation (Deci et al. 1999: verbal rewards enhance it); "
        "without it recognized members post less",
        base=RECOGNITION_ON,
        cost="recognition costs no money",
    ),
    _behaviour(
        "recognition_weight",
        0.0,
        "- - ? ? - 0",
        f"recognition is a benefit (K&R ch. 2): {LOWER_BENEFIT}; newcomers rarely earn any "
        "within 30 or 90 days",
        base=RECOGNITION_ON,
        cost="recognition costs no money",
    ),
    _behaviour(
        "withdrawal_loss",
        0.0,
        "+ + ? ? + 0",
        "Deci, Koestner & Ryan 1999: the loss felt when rewards stop drives members away; "
        "without it more stay after the stop",
        base=WITHDRAWN,
        cost="the loss comes after the last reward is paid",
    ),
    _behaviour(
        "paid_fit",
        1.0,
        "+ + + + + 0",
        "newcomers from paid ads as fit as other newcomers (no Verhoef & Donkers 2005 penalty): "
        "more of them find a reason to stay (K&R ch. 5), visit and post",
        base={"strategy": {"recruitment": {"channels": [PAID_CHANNEL]}}},
        cost="the same 30 a day either way",
    ),
    _behaviour(
        "partner_fit",
        1.0,
        "- - - - - 0",
        "newcomers from a partner no fitter than other newcomers: fewer of them find a reason to "
        "stay (K&R ch. 5), visit and post",
        base={"strategy": {"recruitment": {"channels": [PARTNER_CHANNEL]}}},
        cost="the same 30 a day either way",
    ),
    _behaviour(
        "lure_rate",
        0.0,
        "+ + + + + 0",
        "a competitor that lures no one away (K&R ch. 5: members weigh alternatives)",
        base=COMPETITOR,
    ),
    # counter-levers to a competitor (issue 16 item 9), before they were measured
    _behaviour(
        "exclusive_hold",
        0.0,
        "- - - - - 0",
        "exclusive content no longer keeps its readers from the competitor (no switching cost, "
        "Burnham et al. 2003): more are lured away, so fewer stay, visit and post",
        base=COMPETITOR | {"strategy": EXCLUSIVE_ONLY},
        cost="the same exclusive posts, costing staff hours only",
    ),
    _behaviour(
        "offer_accept",
        0.0,
        "- - ? ? ? -",
        "no member takes an offer: none is held, every one offered is woken up (Ascarza et al. "
        "2016), so more are lured away; retention and posts: the members offered are quiet ones, "
        "no expectation",
        base=COMPETITOR | {"strategy": OFFERS_ONLY},
        cost="no offer is taken, so none is paid",
    ),
    _behaviour(
        "offer_hold",
        0.0,
        "- - ? ? ? ?",
        "a taken offer no longer holds its member against the competitor: more are lured away; "
        "retention and posts: the members offered are quiet ones, no expectation",
        base=COMPETITOR | {"strategy": OFFERS_ONLY},
        cost="the same offers taken, but fewer members left to offer to later: no expectation",
    ),
    _behaviour(
        "offer_wakeup",
        0.0,
        "+ + ? ? ? ?",
        "declining an offer no longer wakes a member up to the competitor (Ascarza et al. 2016's "
        "effect removed): fewer are lured away; retention and posts: the members offered are "
        "quiet ones, no expectation",
        base=COMPETITOR | {"strategy": OFFERS_ONLY},
        cost="the same offers, but more members left to offer to later: no expectation",
    ),
    # the exclusive reading's memory and scale, promoted from sim.levers.defence's constants to
    # behaviour parameters (issue 16, branch `defence2`); expected signs written before measuring
    _behaviour(
        "exclusive_memory",
        3.0,
        "- - - - - 0",
        "exclusive items read count for days, not a month: a reader's count of them (its switching "
        "cost, Burnham et al. 2003) stays lower, so exclusive content holds readers less against "
        "the competitor: more are lured away, so fewer stay, visit and post",
        base=COMPETITOR | {"strategy": EXCLUSIVE_ONLY},
        cost="the same exclusive posts, costing staff hours only",
    ),
    _behaviour(
        "exclusive_scale",
        10.0,
        "- - - - - 0",
        "it takes ten exclusive items read, not one, to come 63% of the way to the full hold: the "
        "readers' switching cost (Burnham et al. 2003) is smaller, so more are lured away, so "
        "fewer stay, visit and post",
        base=COMPETITOR | {"strategy": EXCLUSIVE_ONLY},
        cost="the same exclusive posts, costing staff hours only",
    ),
    # added with MODEL_VERSION 4's parameters (issue 14), before they were measured
    _behaviour(
        "habit_gain",
        0.0,
        "- - - - - 0",
        "no habit: members who post no longer come to post more by posting (Joyce & Kraut 2006 "
        "on continued posting); fewer posts, less content and fewer replies for others (K&R ch. 2)",
    ),
    # added with issue 15's writing_capacity (branch `truth`), expected signs written before
    # measuring: arm A at the default (0: no limit), arm B a finite time for writing
    _behaviour(
        "writing_capacity",
        10.0,
        "- - - - - 0",
        "a member's finite time bounds its writing (Goncalves, Perra & Vespignani 2011; Weng et "
        "al. 2012): the busiest members write fewer threads and replies, so others get fewer "
        "replies, the drive and bond that keep members (Joyce & Kraut 2006; Ren, Kraut & "
        "Kiesler 2007): fewer stay, visit and post",
    ),
    # added with issue 15's participation momentum (branch `topshare`), expected signs written
    # before measuring: arm A at the default (0: off), arm B on
    _behaviour(
        "momentum",
        20.0,
        "+ + + + + 0",
        "participation momentum (Wilkinson 2008: the chance to stop contributing falls as 1 / "
        "contributions made): members who have contributed stay whatever their loyalty (their "
        "visits still follow it), so more stay, visit and post, and newcomers who contribute "
        "early are retained",
    ),
    # added with issue 15's habituation (off by default; fitted by calibration), expected signs
    # written before measuring: arm A at the default (0: off), arm B on
    _behaviour(
        "habituation",
        0.03,
        "? - ? ? - 0",
        "aspirations habituate to what visits give (Macy & Flache 2002): every regular's loyalty "
        "is pulled toward the middle, so the satisfied core of a lively community (net benefit "
        "above the aspiration) comes to expect what it gets and visits and writes less (fewer "
        "daily actives and posts), while the dissatisfied come to expect less and stay longer: "
        "whether more members stay, no expectation",
        explained={
            "dau_last30": "each member visits less, but more members stay, and the second "
            "outweighs the first. "
            "Measured (seed 1, atlas set-up, the row's arms built by "
            "sim.validation.atlas.arm_data and run for 240 days): habituation pulls loyalty "
            "toward the middle (members' mean 0.473 -> 0.421, its 90th percentile 0.76 -> 0.65; "
            "aspirations spread from 0.42 for all to 0.32-1.0 between the 10th and 90th "
            "percentiles), so daily actives per member fall from 0.252 to 0.221; but 1,555 "
            "members leave instead of 1,720, so 1,341 are here at the end instead of 1,100, and "
            "daily actives rise from 277 to 297. Posts fall as expected (285 -> 244 a day): fewer"
            " per active member (1.03 -> 0.82), their drive lower (1.72 -> 1.62). The expectation"
            " overlooked that the dissatisfied who stay also visit"
        },
    ),
    # added with issue 15's heterogeneous aspirations (off by default; fitted by calibration
    # when asked), expected signs written before measuring: arm A at the default (0: one
    # aspiration for all), arm B a spread of 0.2 (the temperature is 0.14)
    _behaviour(
        "aspiration_spread",
        0.2,
        "+ ? ? + ? 0",
        "members differ in how much a visit must give them (frailty: Vaupel, Manton & Stallard "
        "1979; Fader & Hardie 2007): those who expect much leave sooner, those who expect little "
        "stay, and the leavers go first, so a cohort's leaving slows with its age: more members "
        "and more newcomers at 90 days; the early sorting may cost retention at 30 days, and "
        "whether the content who stay visit and write more than the demanding who leave is not "
        "predictable",
    ),
    # added with issue 15's writing sessions (off by default; fitted by calibration when asked):
    # arm A at the default (1: the rate rounded), arm B sessions of 3. Expected signs written
    # before the atlas measured them, but after one look at a default community of 800 (seed 5,
    # 60 days), whose threads and replies fell several-fold with sessions of 3 and its mean
    # loyalty from 0.40 to 0.37 at day 30. Traced after the atlas measured it
    # (benchmarks/diagnostics/session_ignition.py): the fall is fewer members' habit running away
    # to the default drive ceiling (10), not the lumps' replies the reason below gives; with the
    # ceiling at 1.5 sessions leave the threads as they were. The reason stays as written before
    _behaviour(
        "session_size",
        3.0,
        "- - - - - 0",
        "the same expected writing per visit comes in sessions on fewer visits (Geiger & Halfaker "
        "2013): the threads come in lumps, and a reply answers yesterday's threads with a pull "
        "that saturates at ten relevant items a day, so lumps feed fewer replies than a steady "
        "supply, and replies read beget replies; fewer replies received lower the drive to "
        "write (Joyce & Kraut 2006) and the social benefit of visiting: fewer stay and visit",
    ),
    # added with issue 15's reply window (1 day by default), expected signs written before
    # measuring: arm A at the default (the next day only), arm B a week
    _behaviour(
        "reply_window",
        7,
        "+ + + + + 0",
        "threads stay open to replies for a week, pulling 1/a on their a-th day (Crane & Sornette "
        "2008; Anderson et al. 2012): a thread nobody answered the next day can still be answered, "
        "so fewer go unanswered and more newcomers' first threads get a reply (Arguello et al. "
        "2006: answered newcomers come back), and authors get more replies (drive, Joyce & Kraut "
        "2006): more members stay, visit and post",
    ),
    _behaviour(
        "reply_decay",
        3.0,
        "- - - - - 0",
        "with threads open a week, their pull falls as a^-3 instead of 1/a: older threads draw "
        "few repliers, so fewer threads left unanswered the next day get a reply, and visitors "
        "see less to answer (open threads count with what they read): fewer replies, less drive "
        "and bond (Joyce & Kraut 2006; Ren, Kraut & Kiesler 2007): fewer stay, visit and post",
        base={"behaviour": {"reply_window": 7}},
    ),
    # added with issue 15's individual interest (off by default; fitted by calibration when
    # asked), expected signs written before measuring: arm A at the default (0: off), arm B on
    _behaviour(
        "individual_interest",
        0.5,
        "+ + ? ? + 0",
        "half of the interest a member joins with (0.4-0.8) lasts (Hidi & Renninger 2006); in a "
        "forum most members read too few relevant items a day for the information benefit "
        "(saturating near 40) to reach that, so interest stays higher than it drifts without: "
        "more visits (0.5 + 0.5 x interest) and more threads (0.3 + interest), so more daily "
        "actives, posts and members; whether newcomers stay more, no expectation",
        explained={
            outcome: "in this lively community the information benefit is above what members join "
            "with, so the lasting share pulls interest down, not up. "
            "Measured (seed 1, atlas set-up, the row's arms built by "
            "sim.validation.atlas.arm_data and run for 240 days): of the members here at the "
            "end, 63% had a recent information benefit (info_ema, mean 0.615) above their "
            "joining interest (mean 0.587); their interest averaged 0.702 without the rule and "
            "0.646 with it (founders' 0.734 -> 0.662), so each visits (0.5 + 0.5 x interest) "
            "and starts threads (0.3 + interest) a little less, with as many members here "
            "(1,100 and 1,097). The expectation took a forum's information benefit for low; "
            "it is low in quiet communities (issue 15's real logs), where the rule lifts "
            "interest"
            for outcome in ("dau_last30", "posts_per_day")
        },
    ),
    # added with issue 15's watching (off by default; fitted by calibration when asked),
    # expected signs written before measuring: arm A at the default (0: nobody watches), arm B
    # members with 5 contributions made watch
    _behaviour(
        "watch_after",
        5,
        "+ + + + + 0",
        "members who have contributed five times are told of every new thread and come to answer "
        "those they would (Lakhani & von Hippel 2003: the few who answer most help questions read "
        "every new one): more threads answered, newcomers' first ones too (Arguello et al. 2006: "
        "answered newcomers come back), more replies received (drive, Joyce & Kraut 2006) and "
        "ties: more members stay, visit and post",
    ),
    _behaviour(
        "removal_drive",
        0.0,
        "? ? ? ? + 0",
        "removals no longer cut their authors' drive to post (Halfaker et al. 2011), so they post "
        "more; in a noisy community many of those authors write noise: the rest no expectation",
        base={**NOISY, "strategy": COMMUNITY_MODERATION},
        cost="moderation costs staff hours only",
    ),
    _behaviour(
        "removal_memory",
        0.2,
        "+ + + + + 0",
        "the memory of removed posts fades in days, not months: the lasting cost of a removal "
        "(Halfaker et al. 2011) is shorter, so more of the removed authors stay and post",
        base={**NOISY, "strategy": COMMUNITY_MODERATION},
        cost="moderation costs staff hours only",
    ),
    _behaviour(
        "first_removal_weight",
        0.0,
        "+ + + + + 0",
        "Halfaker et al. 2011, 2013: newcomers whose first contributions are removed are the "
        "likeliest to leave; without the extra weight more of them stay",
        base={"strategy": {"moderation": {"mode": "community", "false_positive_rate": 0.1}}},
        cost="moderation costs staff hours only",
    ),
    # added with issue 15's reply saturation and follow-ups (off by default; fitted by
    # calibration), expected signs written before measuring: arm A at the default (0: off)
    _behaviour(
        "reply_saturation",
        1.0,
        "- - - - - 0",
        "a thread's later would-be repliers find it answered and write nothing (Anderson et al. "
        "2012): fewer replies, so fewer replies received, less drive and bond (Joyce & Kraut 2006; "
        "Ren, Kraut & Kiesler 2007): fewer stay, visit and post",
    ),
    _behaviour(
        "followup",
        1.0,
        "+ + + + + 0",
        "threads' authors answer those who answered them (re-entry, Backstrom et al. 2013): more "
        "replies to read and more writing by each author (habit), so more information benefit "
        "and drive: more stay, visit and post",
    ),
    # added with issue 15's continuations (off by default; fitted by calibration), expected
    # signs written before measuring: arm A at the default (0: off)
    _behaviour(
        "continuation",
        1.0,
        "+ + + + + 0",
        "threads' authors go on in the threads they start, a reply more each on average (a pull "
        "request's further commits, Gousios et al. 2014): more replies to read and more writing "
        "by each author (habit), so more information benefit and drive: more stay, visit and post",
    ),
    # added with issue 15's one-time contributors (off by default; fitted by calibration),
    # expected signs written before measuring: arm A at the default (0: off)
    _behaviour(
        "one_time_share",
        0.5,
        "- - - - - 0",
        "half of the newcomers write on one day only (casual contributors, Pinto et al. 2016): "
        "fewer threads and replies, so fewer replies received, less drive, bond and information "
        "(Joyce & Kraut 2006; Ren, Kraut & Kiesler 2007): fewer stay, visit and post",
    ),
    _behaviour(
        "asking_share",
        0.5,
        "+ + ? ? + 0",
        "half of the newcomers join to write, visiting on their joining day and starting a "
        "thread then (Lee & Carver 2017): more threads to read and answer, and first posts "
        "answered raise their authors' drive and bond (Joyce & Kraut 2006), so more stay, visit "
        "and post; retention either way, since a first post left unanswered costs its author "
        "drive (Rules.ignored_penalty)",
    ),
    _behaviour(
        "need_days",
        30.0,
        "+ + + + + 0",
        "half of the newcomers are one-timers; their need lasts about a month instead of a day "
        "(and lapses a month after joining, not the same day, when unvoiced): more threads and "
        "replies, so more replies received, drive and bond: more stay, visit and post",
        base={"behaviour": {"one_time_share": 0.5}},
    ),
    _behaviour(
        "need_boost",
        5.0,
        "+ + + + + 0",
        "newcomers write five times their usual threads and replies in the week or so after "
        "their first contribution (Panciera et al. 2009): more first posts and more answered, "
        "more replies received and more drive (Joyce & Kraut 2006): more stay, visit and post",
        base={"behaviour": {"need_days": 7.0}},
    ),
    # promoted from module constants to behaviour parameters (issue 14 review), before measuring
    _behaviour(
        "seek_crowd",
        1_000_000,
        "- - - - - 0",
        "forum repliers no longer look past crowded threads for unanswered ones (Mamykina et al. "
        "2011): more threads, newcomers' first posts among them, go unanswered, and ignored "
        "members post less and leave sooner (Joyce & Kraut 2006)",
    ),
    _behaviour(
        "return_half_days",
        10.0,
        "- - ? ? ? 0",
        "the pull back fades three times faster with time away: fewer members who left come back "
        "(members, visits); retention and posts: too small to expect a sign",
        base=WINBACK_DEPARTED,
        cost="win-back messages cost staff hours only",
    ),
    _behaviour(
        "return_horizon",
        0,
        "- - ? ? ? 0",
        "nobody who left is pulled back: no returns (members, visits); retention and posts: too "
        "small to expect a sign",
        base=WINBACK_DEPARTED,
        cost="win-back messages cost staff hours only",
    ),
    _behaviour(
        "friend_pull",
        0.0,
        "- - ? ? ? 0",
        "friends still here no longer draw members who left back (Ren, Kraut & Kiesler 2007): "
        "fewer returns; the rest too small to expect a sign",
    ),
    _behaviour(
        "friend_scale",
        10.0,
        "- - ? ? ? 0",
        "it takes more active friends to pull a member who left back: fewer returns; the rest too "
        "small to expect a sign",
    ),
    _behaviour(
        "return_loyalty_kept",
        0.4,
        "- - ? ? ? 0",
        "members who come back keep less of their loyalty, so more of them leave again: fewer "
        "members and visits; the rest too small to expect a sign",
        base=WINBACK_DEPARTED,
        cost="win-back messages cost staff hours only",
    ),
    # the value function's magnitudes, promoted from module constants of sim.levers.incentives and
    # sim.levers.events to behaviour parameters (issue 14 review); expected signs written before
    # measuring
    _behaviour(
        "reward_half_value",
        0.5,
        "? - ? ? - 0",
        "a reward must be worth ten times as much to pull half its most (the value function, "
        "Kahneman & Tversky 1979): recognition-only points pull less, so fewer check-in visits "
        "and posts (Hamari 2017); membership and retention: no expectation",
        base={"strategy": POINTS},
        cost="recognition-only points cost no money",
    ),
    _behaviour(
        "status_per_point",
        0.0,
        "? - ? ? - 0",
        "visible points carry no status, so recognition-only points are worth nothing and pull "
        "nothing: fewer check-in visits and posts; membership and retention: no expectation",
        base={"strategy": POINTS},
        cost="recognition-only points cost no money",
    ),
    _behaviour(
        "crowd_floor",
        0.0,
        "+ + ? ? + +",
        "Gneezy & Rustichini 2000 reversed: a small payment no longer crowds out half as much as "
        "a large one, so paid members keep more intrinsic motivation (Deci, Koestner & Ryan "
        "1999), post and visit more and stay; more posts earn more redeemed points (cost)",
        base={"strategy": TANGIBLE},
        cost="more rewarded actions are redeemed for money",
    ),
    _behaviour(
        "prize_half_value",
        100.0,
        "? - ? ? ? 0",
        "a lottery's prize must be worth a hundred times as much per attendee to draw half its "
        "most: fewer members come for it, so fewer visits; the rest has no expectation, as in "
        "the row 'lottery prize'",
        base={"strategy": {"events": {"calendar": [{"kind": "lottery", **WEEKLY, "prize": 200}]}}},
        cost="the prize is paid each week either way",
    ),
    _behaviour(
        "offline_reach",
        0.7,
        "+ + + + + +",
        "twice as many of those who would come can travel: more attendees (the 100 seats are "
        "not filled at 0.35), more of them bond and gain identity (Sessions 2010)",
        base=OFFLINE_ON,
        cost="more attendees, each paid for",
    ),
    _behaviour(
        "offline_bond",
        1.0,
        "- - - - - ?",
        "an offline event's ties only as strong as an online one's: weaker bonds between "
        "attendees (Ren, Kraut & Kiesler 2007; Sessions 2010), fewer stay, visit and post",
        base=OFFLINE_ON,
        cost="attendance, paid per attendee, follows loyalty: no expectation",
    ),
    _behaviour(
        "offline_identity",
        1.0,
        "- - - - - ?",
        f"an offline event gives no more identity than an online one (Koh et al. 2007): "
        f"{LOWER_BENEFIT}",
        base=OFFLINE_ON,
        cost="attendance, paid per attendee, follows loyalty: no expectation",
    ),
    _behaviour(
        "prize_draw",
        0.0,
        "? - ? ? ? 0",
        "a prize draws nobody (as a lottery without a prize): fewer attendees and visits; the "
        "rest has no expectation, as in the row 'lottery prize'",
        base={"strategy": {"events": {"calendar": [{"kind": "lottery", **WEEKLY, "prize": 200}]}}},
        cost="the prize is paid each week either way",
    ),
    # surveys (issue 16 item 4), expected signs written before measuring
    _behaviour(
        "survey_response",
        0.0,
        "? ? ? ? ? 0",
        "nobody answers a survey: the survey-driven mix stays where it started (on the least "
        "popular topics), but the operator's six posts a day are too few among members' items to "
        "expect a sign on community totals (as the row 'lever: adaptive')",
        base=SURVEY_ON,
        cost="a survey costs staff hours only",
    ),
    _behaviour(
        "expert_draw",
        1.0,
        "- - - - - 0",
        "a guest expert draws no more than the team's own Q&A: fewer attend, gain identity and "
        f"make ties (Ren, Kraut & Kiesler 2007): {LOWER_BENEFIT}",
        base=EXPERT_ON,
        cost="the expert is paid 100 a week either way",
    ),
    _behaviour(
        "leader_appeal",
        1.0,
        "? ? ? ? ? 0",
        "opinion leaders' threads draw no more than anyone's: attention spreads back over all "
        "members' threads, no expected sign on community totals",
        base=LEADERS_FOUND,
        cost="naming leaders costs nothing",
    ),
    # check-in streaks (issue 16 item 11), expected signs written before measuring
    _behaviour(
        "streak_pull",
        0.0,
        "? - ? ? - 0",
        "no goal gradient (Kivetz, Urminsky & Zheng 2006): members on a streak are no longer "
        "pulled toward its next reward, so fewer check-in visits and fewer posts by visitors; "
        "membership and retention: no expectation",
        base=STREAKS_ON,
        cost="streak rewards are recognition-only points: no money",
    ),
    _behaviour(
        "streak_break_cost",
        0.0,
        "+ + + + + 0",
        f"a broken streak no longer costs (Silverman & Barasch 2023): {LOWER_COST}",
        base=STREAKS_ON,
        cost="streak rewards are recognition-only points: no money",
    ),
)

# ---- the platform (sim.world.platform): how members see and choose what to read ----------------
PLATFORM_ROWS = (
    Row(
        "platform: forum vs chat group",
        {"platform": {"kind": "forum"}},
        {"platform": {"kind": "chat_group"}},
        "- - - - ? 0",
        "in a chat group every message reaches everyone and unread ones cost (Qiu et al. 2016: "
        "most WeChat groups are short-lived); on a forum members pick threads by title (Backstrom "
        "et al. 2013), so volume costs little; posts: fewer members but more read per member",
        cost=NO_MONEY,
    ),
    Row(
        "platform: forum vs Ren & Kraut's stream",
        {"platform": {"kind": "forum"}},
        {"platform": {"kind": "stream"}},
        "- - - - - 0",
        "Ren & Kraut 2014: in one unfiltered stream every member reads everything up to its "
        "budget and pays for the rest (overload); a forum lets members choose (Weng et al. 2012: "
        "limited attention goes to what is picked)",
        cost=NO_MONEY,
    ),
    Row(
        "platform: forum ranked vs newest first",
        {"platform": {"kind": "forum", "sort": "ranked"}},
        {"platform": {"kind": "forum", "sort": "recent"}},
        "- - - - ? 0",
        "Lerman & Hogg 2010, Hodas & Lerman 2012: position decides what is seen; newest first "
        "shows a random sample of quality instead of the best, so less information per visit",
        cost=NO_MONEY,
    ),
)

# ---- hot topics (issue 16, item 8): a trending topic, and an operator who rides it or not --------
# topic 2 trends from day 60 for three weeks: attention to it five times the usual on its first
# day, fading as (1 + days since) ** -0.5 (experiments/hot-topics.yaml), no extra visiting
TREND = {"day": 60, "topic": 2, "boost": 0.0, "duration": 21, "lift": 4.0, "decay": 0.5}
TREND_ON = {"uncertainties": {"trend": TREND}}
RIDER = {"content": {"posts_per_day": 8, "quality": 0.85}}
TOPIC_ROWS = (
    Row(
        "uncertainty: a rising topic (trend on vs off)",
        {},
        TREND_ON,
        "+ ? + + ? 0",
        "while the topic trends members read, answer and react to its items more (Leskovec, "
        "Backstrom & Kleinberg 2009; Crane & Sornette 2008), and relevance follows attention as it "
        "does for engaging formats: more of what members read counts as relevant, information "
        "benefit rises and off-topic reading cost falls (Ren & Kraut 2014), so loyalty rises and "
        "fewer of the members here then leave; activity in the last 30 days, 130 days after the "
        "trend, has no expectation",
        cost=NO_MONEY,
    ),
    Row(
        "operator rides the trend vs not",
        {"strategy": {"content": {"follow_trends": False}}},
        {"strategy": {"content": {"follow_trends": True}}},
        "? ? ? ? ? 0",
        "riding moves half of 8 operator posts a day to the trending topic for up to three weeks: "
        "the operator's posts get more replies and reactions per post while it lasts "
        "(tests/test_topics.py), but beside some hundred member posts a day the community "
        "outcomes have no expected direction",
        base={**TREND_ON, "strategy": RIDER},
    ),
)

# ---- the operator's team (sim.policies.Team): each lever draws on its role's hours -----------------
# content, onboarding (a personal welcome of 15 minutes, a 30-minute reply to a first thread),
# win-back (1.2 minutes a message) and moderation, run by a team of roles; the community role's
# 2 hours fall short of onboarding and win-back every day (a set-up fact checked before measuring:
# hours_short_community averages well above 0)
TEAM_LEVERS = {
    "content": {"posts_per_day": 5, "quality": 0.8},
    "onboarding": {"welcome_hours": 0.25, "reply_hours": 0.5},
    "winback": {"hours_per_100": 2},
    "moderation": {"mode": "community"},
}
TEAM = {
    "content": {"hours_per_day": 3, "hourly_cost": 25},
    "community": {"hours_per_day": 2, "hourly_cost": 30},
    "moderation": {"hours_per_day": 2, "hourly_cost": 20},
}
TEAM_COST = (
    "onboarding, win-back (no money per message), text posts and moderation cost staff hours "
    "only; the team's pay is its staff_cost series, never money spent"
)
TEAM_ROWS = (
    Row(
        "a second community manager (community role hours doubled)",
        {"strategy": {"team": TEAM, **TEAM_LEVERS}},
        {
            "strategy": {
                "team": {**TEAM, "community": {"hours_per_day": 4, "hourly_cost": 30}},
                **TEAM_LEVERS,
            }
        },
        "+ + + + + 0",
        "the community role's extra hours welcome the newcomers and answer the first threads "
        "that 2 hours left undone (Morgan & Halfaker 2018, Teahouse; Joyce & Kraut 2006: a "
        "reply to a first post raises the chance of posting again) and send more win-back "
        "messages (Wash & Lampe 2012): more members kept, more visits and posts; the other "
        "roles' hours are unchanged (no lending)",
        cost=TEAM_COST,
        base=NOISY,
    ),
    Row(
        "a content writer (content role hours added)",
        {
            "strategy": {
                "team": {k: v for k, v in TEAM.items() if k != "content"},
                **TEAM_LEVERS,
            }
        },
        {"strategy": {"team": TEAM, **TEAM_LEVERS}},
        "+ + + + + 0",
        "without a content role the content lever has no hours and posts nothing (roles do not "
        "lend spare hours); a writer's 3 hours post about 5 good text posts a day: as the row "
        "'operator content: 5 a day' (Ren & Kraut 2014: relevant content adds information "
        "benefit; K&R ch. 2)",
        cost=TEAM_COST,
        base=NOISY,
    ),
)

# ---- active hours (issue 16, item 1): expected signs written before measuring -----------------
# every segment on the default evening profile (sim.world.hours: most visits 18-23, fewest 2-6);
# 4 am is its quietest hour, 21 its busiest
HOURS_ON = {"hours": {}}
POSTER = {"posts_per_day": 8, "quality": 0.85}
HOURS_ROWS = (
    Row(
        "active hours: on vs off (the day-only model)",
        {},
        HOURS_ON,
        "- - - - - 0",
        "items age within the day (Lerman & Hogg 2010; Wu & Huberman 2007): at each visit the "
        "items posted many hours before have sunk down the list, so members see and read less of "
        f"the feed than the day-only model lets them: {LOWER_BENEFIT}",
        cost=NO_MONEY,
    ),
    Row(
        "active hours: operator posts at the members' peak hour vs at 4 am",
        {"strategy": {"content": {**POSTER, "hour": 4}}},
        {"strategy": {"content": {**POSTER, "hour": 21}}},
        "+ + + + ? 0",
        "posted when most members are online, the operator's posts are still near the top when "
        "they come (Spasojevic et al. 2015, when to post; Lerman & Hogg 2010): more members read "
        "them, so more information benefit (Ren & Kraut 2014), loyalty and visits; posts: more "
        "visible operator threads also take more of members' replies (as the row 'operator "
        "content: 5 a day'), no expectation",
        cost=FREE_LEVER,
        base=HOURS_ON,
    ),
    Row(
        "active hours: live Q&A at peak vs off-peak",
        {"strategy": {"events": {"calendar": [{"kind": "qa", **WEEKLY, "hour": 4}]}}},
        {"strategy": {"events": {"calendar": [{"kind": "qa", **WEEKLY, "hour": 21}]}}},
        "+ + + + + 0",
        "held when members are online, more of them come (each by its profile's weight at that "
        "hour): more attendees gain identity, make ties and post more that day (Ren, Kraut & "
        "Kiesler 2007)",
        cost=FREE_LEVER,
        base=HOURS_ON,
    ),
    _behaviour(
        "sink_half_items",
        240.0,
        "+ + + + + 0",
        "items sink four times as slowly under newer ones, so members see more of the day's "
        "feed at each visit: more benefit per visit, loyalty rises, so more stay, visit and post",
        base=HOURS_ON,
    ),
    _behaviour(
        "chat_scroll_messages",
        400.0,
        "+ + + + + 0",
        "chat group scroll window: a reader scrolls back through 400 messages, not 100, so it "
        "reads more of the group's messages and finds more relevant ones (unread messages notify "
        "either way): more benefit per visit, loyalty, visits and replies",
        explained=dict.fromkeys(
            ("members_end", "retention_30", "retention_90"),
            "measured by a diagnostic run (benchmarks/diagnostics/chat_scroll.py --seeds 16: the "
            "atlas's arms and seeds, its figures reproduced): the members are lost through "
            "muting, not reading costs. A chat group notifies every message of the day, scrolled "
            "away or not, so at 100 the heavy readers (experts, budget 400) read only the newest "
            "100 and, on days of over 200 messages, have over 100 unread and mute the group for "
            "good (46% of their visits muted); at 400 they read it all and none mute: 146 "
            "relevant messages read a visit, not 51, and they post 193 a day, not 133. The busier "
            "group (212 messages at a visit, not 153) leaves the casual members (budget 100) "
            "more unread, so more of them mute (28% of their visits, not 11%) and read half "
            "their budget: 19.3 relevant messages, not 22.9, information benefit -0.071 [-0.084, "
            "-0.058] a visit, +54 [+43, +65] casual members gone (engaged and experts: no "
            "change), +61 [+47, +76] leaves as bored. Not the off-topic cost guessed before: "
            "without it (offtopic_cost 0) -46.0 [-62.4, -29.6] members, without the "
            "notification cost -50.8 [-63.7, -37.9]; with no muting (platform.mute_rate 0) "
            "+3.4 [-2.1, +8.9] members, retention(30) -0.06 [-0.27, +0.14] points, retention(90) "
            "+0.12 [-0.09, +0.33]",
        ),
        base={**HOURS_ON, "platform": {"kind": "chat_group"}},
    ),
)


# groups and channels (issue 16 item 3), written before they were measured: three chat groups
# without topics; capped at 500 each, they hold the 1,200 founders and 300 more
def _chat_groups(cap):
    return [
        {"name": f"chat {i}", "platform": {"kind": "chat_group"}, "cap": cap} for i in (1, 2, 3)
    ]


CAPPED_GROUPS = {"groups": _chat_groups(500)}
GROUP_COST = "opening and splitting groups cost staff hours only"
GROUP_ROWS = (
    Row(
        "groups: cap 500 vs no cap",
        {"groups": _chat_groups(None)},
        CAPPED_GROUPS,
        "- - ? ? - 0",
        "WeChat's 500-member cap (a platform rule; Qiu et al. 2016 on WeChat groups' "
        "lifecycle): full groups refuse newcomers, who stay out, "
        "so fewer members, visits and posts; whether those inside stay longer (smaller groups, "
        "fewer unread messages: Butler 2001, Jones, Ravid & Rafaeli 2004) or not: no expectation",
    ),
    Row(
        "groups: overflow group at cap vs none",
        {"strategy": {"groups": {"when_full": "none"}}},
        {"strategy": {"groups": {"when_full": "overflow"}}},
        "+ + ? ? + 0",
        "a second group takes the newcomers a full group refuses (WeChat's cap), so more "
        "members, visits and posts; a new group starts small and quiet (Butler 2001: size "
        "brings resources), so whether its members stay: no expectation",
        cost=GROUP_COST,
        base=CAPPED_GROUPS,
        explained=dict.fromkeys(
            ("members_end", "dau_last30", "posts_per_day"),
            "not resolved because nothing happens: +0 exactly on every seed. In this set-up the "
            "groups never fill again after day 1: a group of 400-500 of the default members does "
            "not sustain itself in this model (a community of 400 or 600 founders dies within 120 "
            "days on any platform), so membership falls from the start (arm A ends with 155 "
            "members) and no overflow group is ever opened. The rows '... at a binding cap' "
            "measure the lever where a group does fill",
        ),
    ),
    Row(
        "groups: split by topic at cap vs no split",
        {"strategy": {"groups": {"when_full": "none"}}},
        {"strategy": {"groups": {"when_full": "split_by_topic"}}},
        "+ + ? ? + 0",
        "a split leaves two half-full groups, which take the newcomers a full group refuses "
        "(WeChat's cap): more members, visits and posts; each half has fewer messages, on "
        "its members' topics (Jones, Ravid & Rafaeli 2004: less overload) but fewer to read "
        "and answer (Butler 2001): whether members stay longer, no expectation",
        cost=GROUP_COST,
        base=CAPPED_GROUPS,
        explained=dict.fromkeys(
            ("members_end", "dau_last30"),
            "the two groups of 500 founders are full on day 1, so arm B splits them at once into "
            "halves of about 250, each of them further below the size a group of the default "
            "members needs in this model to sustain itself (arm A: 155 members at the end; a "
            "community of 400 or 600 founders dies within 120 days): the halves die faster. "
            "Where a group fills at a size that sustains itself, the split raises members (row "
            "'groups: split by topic at a binding cap vs no split'; study group-split)",
        ),
    ),
)

# added after the rows above were measured, before these were: the same questions where a group
# fills at a size that sustains itself (one chat group of the 1,200 founders capped at 1,500, with
# word of mouth strong enough to fill it within a month: the study group-split's set-up, whose
# sweep had been run before these rows were written). The expected signs are the rows above's,
# unchanged, not fitted to the study
ONE_FULL_GROUP = {
    "arrivals": {"word_of_mouth_q": 0.01},
    "groups": [{"name": "chat", "platform": {"kind": "chat_group"}, "cap": 1500}],
}
BINDING_GROUP_ROWS = (
    Row(
        "groups: cap 1,500 vs no cap (a group that fills)",
        {"groups": [{"name": "chat", "platform": {"kind": "chat_group"}, "cap": None}]},
        {"groups": [{"name": "chat", "platform": {"kind": "chat_group"}, "cap": 1500}]},
        "- - ? ? - 0",
        GROUP_ROWS[0].why,
        base={"arrivals": {"word_of_mouth_q": 0.01}},
        explained=dict.fromkeys(
            ("members_end", "dau_last30"),
            "not resolved: the size at the end is what the group sustains, not how many joined. "
            "Measured on 3 seeds of this set-up: without the cap the chat group peaks at 1,809 "
            "members and falls back to 976, with it it stays at 1,498 and ends at 973; the "
            "uncapped group's 508 extra joins (2,978 against 2,470) leave again (3,203 leaves "
            "against 2,698). Posts per day do fall with the cap",
        ),
    ),
    Row(
        "groups: overflow group at a binding cap vs none",
        {"strategy": {"groups": {"when_full": "none"}}},
        {"strategy": {"groups": {"when_full": "overflow"}}},
        "+ + ? ? + 0",
        GROUP_ROWS[1].why,
        cost=GROUP_COST,
        base=ONE_FULL_GROUP,
        explained=dict.fromkeys(
            ("members_end", "dau_last30", "posts_per_day"),
            "the overflow group holds newcomers only: nobody in it posts much yet, so its members "
            "have nothing to read and nobody to answer them, and they leave (study group-split, "
            "seed 1: the overflow group opened on day 27 ends with 0 members; retention at 90 "
            "days -2.4 points here). Without it they would have been refused, stayed in the "
            "market and joined the first group later, when places freed up: the overflow group "
            "uses up the market on a group that dies (Butler 2001: size brings the resources "
            "that sustain a group; Kairam, Wang & Leskovec 2012: how a group grows in its "
            "formative stage, through its members' ties or not, predicts whether it lasts)",
        ),
    ),
    # the lever on vs off (tests/test_atlas.py: every lever has one): the same arms as the next row
    # but arm A has no groups lever at all; added after that row was measured
    Row(
        "lever: groups (split by topic at a binding cap)",
        OPERATOR,
        {"strategy": {"groups": {"when_full": "split_by_topic"}}},
        "+ + ? ? + 0",
        GROUP_ROWS[2].why,
        cost=GROUP_COST,
        base=ONE_FULL_GROUP,
    ),
    Row(
        "groups: split by topic at a binding cap vs no split",
        {"strategy": {"groups": {"when_full": "none"}}},
        {"strategy": {"groups": {"when_full": "split_by_topic"}}},
        "+ + ? ? + 0",
        GROUP_ROWS[2].why,
        cost=GROUP_COST,
        base=ONE_FULL_GROUP,
    ),
)

# ---- targeting (issue 16, item 2): a lever aimed at some members (Lever.audience) ------------------
# arm A runs the lever for every member it would pick, arm B the same lever aimed at an audience
# (roles and value tiers from behaviour, sim.world.segments); written before measuring
PAID_REWARDS = {"tangible": True, "money_per_point": 0.05}  # the "reward size" row's paying arm
# active hours together with groups (issue 16 items 1 x 3), expected signs written before measuring:
# two chat groups by topic (the 8 default topics halved; the first half holds the more popular
# topics, so its group is the busier); with hours each group's messages scroll away under that
# group's own later messages only (sim.world.hours, Clock.age)
TWO_TOPIC_CHATS = {
    "groups": [
        {"name": "chat a", "platform": {"kind": "chat_group"}, "topics": [0, 1, 2, 3]},
        {"name": "chat b", "platform": {"kind": "chat_group"}, "topics": [4, 5, 6, 7]},
    ]
}
HOURS_GROUP_ROWS = (
    Row(
        "active hours in groups: on vs off (two chat groups by topic)",
        {},
        HOURS_ON,
        "- - - - - 0",
        "each group's messages scroll away under the group's own later messages (a reader "
        "scrolls back through the newest behaviour.chat_scroll_messages of the group; Hodas & "
        "Lerman 2012: what is seen is what is near the top), while every unread message still "
        "notifies: members read less of each group than the day-only model lets them, "
        f"{LOWER_BENEFIT}",
        cost=NO_MONEY,
        base=TWO_TOPIC_CHATS,
    ),
    Row(
        "active hours in groups: chat scroll window 400 vs 100 (two chat groups by topic)",
        {},
        {"behaviour": {"chat_scroll_messages": 400.0}},
        "? + ? ? + 0",
        "a reader scrolls back through 400 of a group's messages, not 100, so it reads more of "
        "each group and finds more relevant messages: more visits and posts (as measured in one "
        "chat group, row behaviour.chat_scroll_messages: daily actives and posts rose); members "
        "and retention: no expectation, since in one chat group they fell through muting "
        "(benchmarks/diagnostics/chat_scroll.py), and each group here carries only its own "
        "topics' messages, fewer to scroll through",
        cost=NO_MONEY,
        base={**HOURS_ON, **TWO_TOPIC_CHATS},
    ),
)

TARGET_ROWS = (
    Row(
        "targeting: rewards to core members only vs to all (equal budget)",
        {"strategy": {"incentives": PAID_REWARDS}},
        {"strategy": {"incentives": {**PAID_REWARDS, "audience": {"roles": ["core"]}}}},
        "? - ? ? ? -",
        "aimed at core members (10+ posts in about a month, a few percent of members), the "
        "scheme pays and pulls only them: every other member's check-ins, posts and replies earn "
        "nothing and are not pulled by the reward (Gneezy & Rustichini 2000: pay enough and "
        "effort rises), so fewer daily visits; but members outside the scheme also escape its "
        "crowding out of intrinsic motivation (Deci, Koestner & Ryan 1999), and core members "
        "write most posts either way: members, retention and posts have no expected direction",
        cost="only core members earn points to redeem, so far fewer points are paid for out of "
        "the same budget",
    ),
    Row(
        "targeting: win-back to high-value members only vs to all",
        {"strategy": {"winback": {"money_per_message": 0.01}}},
        {"strategy": {"winback": {"money_per_message": 0.01, "audience": {"tiers": ["high"]}}}},
        "- - ? ? ? -",
        "Wash & Lampe 2012, Wikimedia Necromancy 2012: each reminder brings a few lapsed members "
        "back; aimed at the top 20% of contributors by value (Fader, Hardie & Lee 2005: past "
        "frequency and value predict future value) it reaches far fewer of the members who went "
        "quiet or left, so fewer come back (members, visits); those it does bring back post "
        "more each, so posts and retention have no expected direction",
        cost="fewer members are messaged at 0.01 each",
    ),
    Row(
        "targeting: onboarding only for newcomers who posted vs all",
        {"strategy": {"onboarding": {}}},
        {"strategy": {"onboarding": {"audience": {"roles": ["newcomer"], "posted": True}}}},
        "- - - - - 0",
        "newcomers are welcomed on the day they join, before they can have posted, so aimed at "
        "newcomers who posted the lever welcomes and introduces no one and only answers first "
        "threads: the Teahouse welcome and introductions (Morgan & Halfaker 2018) are lost, "
        "while first posts are still answered (Joyce & Kraut 2006); fewer newcomers stay "
        "(members, visits, retention) and post",
        cost=FREE_LEVER,
    ),
)

ROWS: tuple[Row, ...] = (
    *ISSUE_ROWS,
    *LEVER_ROWS,
    *BEHAVIOUR_ROWS,
    *PLATFORM_ROWS,
    *TOPIC_ROWS,
    *TEAM_ROWS,
    *HOURS_ROWS,
    *GROUP_ROWS,
    *BINDING_GROUP_ROWS,
    *HOURS_GROUP_ROWS,
    *TARGET_ROWS,
)
