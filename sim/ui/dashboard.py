"""What the trainers' dashboard runs: a community set-up, strategy A beside strategy B, and lessons.

``Versus`` is a Mesa model holding two ``CommunityModel``s built from the same community and the
same seed, stepped in lockstep. Because every stochastic decision draws from its own stream sampled
by member slot (``sim.world.streams``, after Klein et al. 2024), the two runs differ only where the
strategies make them differ, so the gap between their curves is the strategies' effect, not noise.
With ``Setup.seeds`` above 1 each strategy runs once per seed (replication ``r`` on
``seed_of(seed, r)``, as replication ``r`` of a sweep with root seed ``seed``), and ``Versus.band``
gives the 95% confidence band of the mean over seeds.

``Setup`` is what the dashboard's inputs set; ``LESSONS`` are one-click set-ups of classic
trade-offs, each an A-versus-B pair built from the lever classes of ``sim.policies`` with the values
of ``experiments/lever-*.yaml``. Nothing here imports the UI stack: ``sim.ui.app`` draws the page.

>>> versus = Versus(Setup(members=300, market_size=1500, b=LESSONS[2].b))
>>> for _ in range(10):
...     versus.step()
>>> [arm.label for arm in versus.arms], versus.a.day == versus.b.day == 10
(['A', 'B'], True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import mesa
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy import stats

from sim.agents import DEFAULT_MIX, Rules, Segment
from sim.config import Scenario
from sim.experiments.sweep import load_sweep, seed_of
from sim.levers.moderation import Moderation
from sim.model import CommunityModel
from sim.policies import LEVERS, ROLES, Strategy, on_registry_change
from sim.world.groups import GroupSpec
from sim.world.platform import Platform
from sim.world.uncertainties import Competitor, TrendShock, Uncertainties

# Members who post often and write half their threads toxic (as in experiments/lever-moderation.yaml).
TROLL = Segment(
    "troll",
    0.0,
    intrinsic=0.3,
    visit=0.6,
    post=0.2,
    reply=0.3,
    react=0.2,
    invite=0.0,
    favourite_topics=2,
    toxic=0.5,
)
BROAD_TOPICS = 16  # Ren & Kraut's broad community: many topics, each member cares for one
MAX_SEEDS = 10  # runs per strategy at most: each costs as much as one more community


def switched_on(key: str):
    """A lever as a trainer switches it on (``Lever.switched_on``, the values of
    experiments/lever-*.yaml)."""
    return LEVERS[key].switched_on()


NO_OPERATOR = Strategy(hours_per_day=0, budget=0)  # no team: the community runs unsupported


def team_switched(strategy: Strategy, on: bool) -> dict:
    """The strategy (as data) with its staff as a team of roles (``on``) or as one pool. Switched
    on, the pool's hours are shared equally among the roles that serve a lever in use (all to the
    community role when none does); switched off, the pool gets the team's hours."""
    data = strategy.model_dump()
    pool = Strategy.model_fields["hours_per_day"].default
    if not on:
        return {**data, "team": None, "hours_per_day": strategy.daily_hours()}
    if strategy.team is not None:
        return data
    in_use = {lever.role for lever in strategy.levers()} or {"community"}
    roles = [name for name in ROLES if name in in_use]
    share = strategy.hours_per_day / len(roles)
    team = {name: {"hours_per_day": share} for name in roles}
    return {**data, "hours_per_day": pool, "hourly_rate": 0.0, "team": team}


def role_changed(strategy: Strategy, role: str, setting: str, value) -> dict:
    """The team's ``role`` (as data) with ``setting`` set to ``value`` (a role not yet listed
    starts from no hours)."""
    current = getattr(strategy.team, role)
    return {**(current.model_dump() if current is not None else {}), setting: value}


# the default B: a team posting, moderating and onboarding every day
EVERYDAY = Strategy(
    content=switched_on("content"),
    moderation=switched_on("moderation"),
    onboarding=switched_on("onboarding"),
)


# the dashboard's trending topic (Setup.trend_lift): topic 2 from day 30 for three weeks, no extra
# visiting, fading as in experiments/hot-topics.yaml
DASHBOARD_TREND = {"day": 30, "topic": 2, "boost": 0.0, "duration": 21, "decay": 0.5}
# the dashboard's competitor (Setup.competitor_pull): it opens on day 60, as in the atlas's rows on
# counter-levers (sim.levers.defence)
DASHBOARD_COMPETITOR_DAY = 60
# the dashboard's chat group (Setup.group_room): the whole community in one WeChat-style chat group
# (sim.world.groups; the groups lever's atlas row puts the validation community in one such group)
DASHBOARD_GROUP = "chat"


class Setup(BaseModel):
    """The dashboard's inputs: the community, the seed and the two strategies.

    Edited in place by the page (assignments are validated); ``Versus`` works on a copy.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    lesson: str | None = Field(None, description="key of the lesson this set-up comes from")
    members: int = Field(5000, ge=50, le=50_000, description="members on day 0")
    market_size: int = Field(25_000, ge=0, le=1_000_000, description="potential members (Bass m)")
    engaged: float = Field(0.25, ge=0, le=1, description="share of newcomers who are engaged")
    experts: float = Field(0.02, ge=0, le=1, description="share of newcomers who are experts")
    trolls: float = Field(0.0, ge=0, le=1, description="share of newcomers who are trolls")
    broad: bool = Field(
        False,
        description="Ren & Kraut's broad community: 16 topics, one favourite each, three times "
        "the posting, 30% off-topic chatter",
    )
    trend_lift: float = Field(
        0.0,
        ge=0,
        le=20,
        description="a trending topic: from day 30 for three weeks, attention to topic 2 is "
        "(1 + trend_lift) times the usual on the first day, fading (experiments/hot-topics.yaml); "
        "0: no trend. Content that follows trends rides it",
    )
    competitor_pull: float = Field(
        0.0,
        ge=0,
        le=1,
        description="a competing community opens on day 60 and lures uncommitted members away "
        "with this pull (experiments/competitor-defence.yaml); 0: no competitor. The defence "
        "lever counters it",
    )
    group_room: int = Field(
        0,
        ge=0,
        le=1_000_000,
        description="0: one forum, no groups (as before); above 0: the community is one chat "
        "group capped at members + group_room, so it fills once that many newcomers have joined "
        "and then refuses more (sim.world.groups; WeChat's cap, Qiu et al. 2016). The groups "
        "lever's cap and split policy act on it; replaces a scenario's groups",
    )
    seed: int = Field(1, ge=0, le=2**63 - 1)
    seeds: int = Field(
        1,
        ge=1,
        le=MAX_SEEDS,
        description="runs per strategy, one per seed (replications of a sweep with root seed "
        "`seed`); more than one shows 95% bands",
    )
    scenario: str | None = Field(
        None,
        description="a scenario file (e.g. `commsim calibrate`'s calibrated.yaml) whose arrivals, "
        "member mix and behaviour replace the mix sliders'; members and market come from the sliders",
    )
    sweep: str | None = Field(
        None,
        description="a sweep file whose base scenario gives the community as `scenario` does",
    )
    compare: bool = Field(True, description="run strategy B beside A")
    a: Strategy = Field(default_factory=lambda: NO_OPERATOR.model_copy(deep=True))
    b: Strategy = Field(default_factory=lambda: EVERYDAY.model_copy(deep=True))

    def rules(self) -> Rules:
        """The member mix: casual members make up what engaged, experts and trolls leave (shares are
        relative, so shares adding up to more than 1 leave no casual members)."""
        shares = {
            "casual": max(1 - self.engaged - self.experts - self.trolls, 0.0),
            "engaged": self.engaged,
            "expert": self.experts,
        }
        mix = [replace(seg, share=shares[seg.name]) for seg in DEFAULT_MIX]
        mix.append(replace(TROLL, share=self.trolls))
        if self.broad:
            mix = [
                replace(s, favourite_topics=1, post=s.post * 3, reply=s.reply * 3, chatter=0.3)
                for s in mix
            ]
        mix = tuple(s for s in mix if s.share > 0) or (replace(DEFAULT_MIX[0], share=1.0),)
        return replace(Rules(), n_topics=BROAD_TOPICS if self.broad else 8, member_mix=mix)

    def community_kwargs(self) -> dict:
        """``CommunityModel`` keyword arguments shared by both arms (all but strategy and rng)."""
        sized = {"members": self.members, "market_size": self.market_size}
        if self.scenario is None and self.sweep is None:
            kwargs = {**sized, "rules": self.rules()}
        else:
            kwargs = self._base_scenario().model_kwargs()
            kwargs = {**kwargs, **sized, "strategy": None, "uncertainties": None}
        world = {}
        if self.trend_lift > 0:
            world["trend"] = TrendShock(**DASHBOARD_TREND, lift=self.trend_lift)
        if self.competitor_pull > 0:
            world["competitor"] = Competitor(
                start=DASHBOARD_COMPETITOR_DAY, pull=self.competitor_pull
            )
        if world:
            kwargs["uncertainties"] = Uncertainties(**world)
        if self.group_room > 0:
            kwargs["groups"] = [self.chat_group()]
        return kwargs

    def chat_group(self) -> GroupSpec:
        """The community's one chat group (``group_room`` above 0): every founder fits, and it
        has room for ``group_room`` newcomers."""
        return GroupSpec(
            DASHBOARD_GROUP, Platform(kind="chat_group"), cap=self.members + self.group_room
        )

    def _base_scenario(self) -> Scenario:
        if self.sweep is not None:
            sweep = load_sweep(self.sweep)
            return sweep.scenario(sweep.spec.baseline_name, 0)
        from sim.config import load_scenario

        return load_scenario(self.scenario)

    @classmethod
    def from_scenario(cls, path: str) -> Setup:
        """A set-up of the community a scenario file describes (its strategy is not used: A and B
        are the dashboard's), sized to the sliders' ranges."""
        from sim.config import load_scenario

        return cls._sized(load_scenario(path), scenario=str(path))

    @classmethod
    def _sized(cls, base: Scenario, **fields) -> Setup:
        """A set-up of ``base``'s size and seed (within the sliders' ranges), and ``fields``."""
        members = min(max(base.community.members, 50), 50_000)
        market = min(base.arrivals.market_size, 1_000_000)
        return cls(**{"members": members, "market_size": market, "seed": base.run.seed, **fields})

    def changed(self, path: tuple[str | int, ...], value: Any) -> Setup:
        """A validated copy with the setting at ``path`` (``("b", "incentives", "badges", 0,
        "threshold")``) set to ``value``; raises ``ValueError`` naming what is wrong."""
        data = self.model_dump()
        *parents, name = path
        target = data
        for part in parents:
            target = target[part]
        target[name] = value
        try:
            return Setup.model_validate(data)
        except ValidationError as exc:
            problems = (
                f"{'.'.join(map(str, error['loc']))}: "
                f"{error['msg'].removeprefix('Value error, ')}"
                + (f" (got {error['input']!r})" if isinstance(error["input"], str) else "")
                for error in exc.errors()
            )
            raise ValueError("; ".join(problems)) from None


def sweep_choices(path: str) -> tuple[Setup, dict[str, Strategy]]:
    """The community, seed and strategies of a sweep file (``commsim dashboard --sweep``): a
    set-up with the sweep's baseline as A and its next strategy as B, and every strategy by name
    (``null``, no operator, is ``NO_OPERATOR``)."""
    sweep = load_sweep(path)
    names = list(sweep.spec.strategies)
    strategies = {
        name: sweep.scenario(name, 0).strategy or NO_OPERATOR.model_copy(deep=True)
        for name in names
    }
    baseline = sweep.spec.baseline_name
    other = next((name for name in names if name != baseline), baseline)
    base = sweep.scenario(baseline, 0)
    setup = Setup._sized(
        base, sweep=str(path), a=strategies[baseline], b=strategies[other], seed=sweep.spec.seed
    )
    return setup, strategies


@dataclass(frozen=True)
class Arm:
    """One strategy's runs: ``label`` ("A" or "B"), its ``strategy`` and one model per seed;
    ``model`` is the first (the community the snapshot charts draw)."""

    label: str
    strategy: Strategy
    runs: tuple[CommunityModel, ...]

    @property
    def model(self) -> CommunityModel:
        return self.runs[0]


@dataclass(frozen=True)
class SchemeWindow:
    """Days a lever of one arm's strategy runs a scheme or campaign (``last`` None: no end)."""

    label: str
    lever: str
    first: int
    last: int | None


class Versus(mesa.Model):
    """Strategy A and strategy B on the same community with the same seeds, stepped in lockstep.

    ``setup`` defaults to ``Setup()``; ``rng`` (an int) overrides its seed. Without
    ``setup.compare`` only A runs. Each arm runs once per seed (``setup.seeds``).
    """

    def __init__(self, setup: Setup | None = None, rng=None):
        setup = (setup or Setup()).model_copy(deep=True)
        seed = setup.seed if rng is None else int(rng)
        super().__init__(rng=seed)
        self.setup = setup
        self.seed = seed
        community = setup.community_kwargs()
        community.pop("strategy", None)
        strategies = {"A": setup.a, **({"B": setup.b} if setup.compare else {})}
        self.arms = [
            Arm(
                label,
                strategy,
                tuple(
                    CommunityModel(**community, strategy=strategy, rng=seed_of(seed, r))
                    for r in range(setup.seeds)
                ),
            )
            for label, strategy in strategies.items()
        ]
        self.a = self.arms[0].model
        self.b = self.arms[1].model if setup.compare else None
        self._series: tuple[int, dict[str, list[pd.DataFrame]]] = (-1, {})

    def step(self) -> None:
        """One day in every run of both strategies."""
        for arm in self.arms:
            for run in arm.runs:
                run.step()

    def runs(self) -> dict[str, list[pd.DataFrame]]:
        """Each arm's daily series by label, one frame per seed, built once a day however many
        charts read them."""
        day, frames = self._series
        if day != self.a.day:
            frames = {arm.label: [run.series() for run in arm.runs] for arm in self.arms}
            self._series = (self.a.day, frames)
        return frames

    def series(self) -> dict[str, pd.DataFrame]:
        """Each arm's daily series by label: the mean over its seeds."""
        return {
            label: frames[0] if len(frames) == 1 else sum(frames[1:], frames[0]) / len(frames)
            for label, frames in self.runs().items()
        }

    def band(self, label: str, values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The mean over seeds of ``values(frame)`` (a series per day) for arm ``label``, and its
        95% confidence band (t interval; equal to the mean with one seed)."""
        return mean_band(np.stack([values(frame) for frame in self.runs()[label]]))

    def difference(self, values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """B − A of ``values(b_frame, a_frame)`` seed by seed (paired on common random numbers):
        the mean over seeds and its 95% confidence band."""
        runs = self.runs()
        return mean_band(
            np.stack([values(b, a) for a, b in zip(runs["A"], runs["B"], strict=True)])
        )

    def windows(self) -> list[SchemeWindow]:
        """The days each arm's schemes and campaigns run: any lever setting, or list item of
        one, with a ``start`` day and a ``stop`` or ``end`` day."""
        found = []
        for arm in self.arms:
            for lever in arm.strategy.levers():
                found += [SchemeWindow(arm.label, lever.key, *days) for days in _day_ranges(lever)]
        return found

    def daily_table(self) -> pd.DataFrame:
        """Every daily series of every run, one row per strategy, seed and day (the CSV a
        trainer downloads)."""
        frames = [
            frame.assign(strategy=label, replication=r, seed=self.seed)
            for label, runs in self.runs().items()
            for r, frame in enumerate(runs)
        ]
        table = pd.concat(frames, ignore_index=True)
        first = ["strategy", "replication", "seed"]
        return table[first + [c for c in table.columns if c not in first]]


def mean_band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean of ``values`` (seeds x days) over seeds and its 95% t confidence band."""
    values = np.asarray(values, dtype=float)
    mean = values.mean(axis=0)
    n = values.shape[0]
    if n < 2:
        return mean, mean, mean
    half = stats.t.ppf(0.975, n - 1) * values.std(axis=0, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def _day_ranges(setting) -> list[tuple[int, int | None]]:
    """(start, stop or end) of ``setting`` and of the settings and list items inside it."""
    fields = getattr(type(setting), "model_fields", {})
    found = []
    if "start" in fields and ("stop" in fields or "end" in fields):
        found.append((setting.start, getattr(setting, "stop", getattr(setting, "end", None))))
    for name in fields:
        value = getattr(setting, name)
        for item in value if isinstance(value, list) else [value]:
            if hasattr(type(item), "model_fields"):
                found += _day_ranges(item)
    return found


@dataclass(frozen=True)
class Lesson:
    """A one-click set-up of a classic trade-off: what A and B do, and what to look for."""

    key: str
    title: str
    explanation: str  # two sentences, shown on the page
    a: Strategy
    b: Strategy
    community: dict  # Setup fields this lesson sets (the rest keep their defaults)

    def setup(self, seed: int = 1, seeds: int = 1) -> Setup:
        return Setup(
            **self.community,
            lesson=self.key,
            seed=seed,
            seeds=seeds,
            compare=True,
            a=self.a.model_copy(deep=True),
            b=self.b.model_copy(deep=True),
        )


LESSONS = (
    Lesson(
        "incentives",
        "Points, and after they stop",
        "B pays points redeemable for money from day 30 to day 200: posting rises while they are "
        "paid, but tangible rewards crowd out members' own reasons to take part (Deci, Koestner "
        "& Ryan 1999). After day 200 watch B's activity fall below A's and the leaves for "
        "'reward withdrawn', while the points still owed show up as spend.",
        NO_OPERATOR,
        Strategy(hours_per_day=4, budget=20_000, incentives=switched_on("incentives")),
        {"members": 2000, "market_size": 10_000},
    ),
    Lesson(
        "moderation",
        "Moderation: information versus bonds",
        "In a broad community full of off-topic chatter, B deletes what is off topic: members "
        "find more of what they came for, so the information benefit rises (Ren & Kraut 2014). "
        "But chatter is where members get to know each other, so ties and the bond benefit fall, "
        "and B's members post less than A's.",
        Strategy(hours_per_day=40, budget=0, moderation=Moderation(mode="none")),
        Strategy(hours_per_day=40, budget=0, moderation=Moderation(mode="community")),
        {"members": 3000, "market_size": 15_000, "broad": True},
    ),
    Lesson(
        "newcomers",
        "Replying to newcomers",
        "B welcomes every newcomer, introduces them to two active members and replies to every "
        "first post within a day; a newcomer whose first post is answered is far more likely to "
        "post again (Joyce & Kraut 2006). Watch the newcomer retention curves and the members "
        "who stay.",
        NO_OPERATOR,
        Strategy(hours_per_day=3, budget=0, onboarding=switched_on("onboarding")),
        {"members": 2000, "market_size": 10_000},
    ),
    Lesson(
        "volume",
        "Posting volume and overload",
        "A posts 8 items a day, B floods the feed with 300: extra items add information only up "
        "to about 40 relevant ones a day, and past a member's reading budget every item is a "
        "cost (Ren & Kraut 2014). Watch members, leaves for 'overloaded', loyalty and B's staff hours.",
        Strategy(hours_per_day=8, budget=15_000, content=switched_on("content")),
        Strategy(
            hours_per_day=160,
            budget=15_000,
            content=switched_on("content").model_copy(update={"posts_per_day": 300}),
        ),
        {"members": 2000, "market_size": 10_000},
    ),
    Lesson(
        "winback",
        "Win-back spikes",
        "B messages members who have been away 14 days, up to three times: each wave brings a "
        "short spike of returns, partly returns that would have come later anyway, and each "
        "repeat works half as well (Wikimedia 2012; Wash & Lampe 2012). Watch daily actives "
        "spike and fade, and how little is left in members a few months on.",
        NO_OPERATOR,
        Strategy(hours_per_day=2, budget=1000, winback=switched_on("winback")),
        {"members": 2000, "market_size": 10_000},
    ),
)


def _rebuild_inputs() -> None:
    """The dashboard's set-up embeds ``Strategy``: rebuilt when a lever registers late."""
    Setup.model_rebuild(force=True)


on_registry_change(_rebuild_inputs)
