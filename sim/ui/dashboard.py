"""What the trainers' dashboard runs: a community set-up, strategy A beside strategy B, and lessons.

``Versus`` is a Mesa model holding two ``CommunityModel``s built from the same community and the
same seed, stepped in lockstep. Because every stochastic decision draws from its own stream sampled
by member slot (``sim.world.streams``, after Klein et al. 2024), the two runs differ only where the
strategies make them differ, so the gap between their curves is the strategies' effect, not noise.

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

import mesa
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from sim.agents import DEFAULT_MIX, Rules, Segment
from sim.levers.moderation import Moderation
from sim.model import CommunityModel
from sim.policies import LEVERS, Strategy, on_registry_change

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


def switched_on(key: str):
    """A lever as a trainer switches it on (``Lever.switched_on``, the values of
    experiments/lever-*.yaml)."""
    return LEVERS[key].switched_on()


NO_OPERATOR = Strategy(hours_per_day=0, budget=0)  # no team: the community runs unsupported
# the default B: a team posting, moderating and onboarding every day
EVERYDAY = Strategy(
    content=switched_on("content"),
    moderation=switched_on("moderation"),
    onboarding=switched_on("onboarding"),
)


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
    seed: int = Field(1, ge=0, le=2**63 - 1)
    scenario: str | None = Field(
        None,
        description="a scenario file (e.g. `commsim calibrate`'s calibrated.yaml) whose arrivals, "
        "member mix and behaviour replace the mix sliders'; members and market come from the sliders",
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
        if self.scenario is None:
            return {**sized, "rules": self.rules()}
        from sim.config import load_scenario

        kwargs = load_scenario(self.scenario).model_kwargs()
        return {**kwargs, **sized, "strategy": None, "uncertainties": None}

    @classmethod
    def from_scenario(cls, path: str) -> Setup:
        """A set-up of the community a scenario file describes (its strategy is not used: A and B
        are the dashboard's), sized to the sliders' ranges."""
        from sim.config import load_scenario

        scenario = load_scenario(path)
        members = min(max(scenario.community.members, 50), 50_000)
        market = min(scenario.arrivals.market_size, 1_000_000)
        return cls(scenario=str(path), members=members, market_size=market, seed=scenario.run.seed)


@dataclass(frozen=True)
class Arm:
    """One strategy's run: ``label`` ("A" or "B") and its model."""

    label: str
    model: CommunityModel


class Versus(mesa.Model):
    """Strategy A and strategy B on the same community with the same seed, stepped in lockstep.

    ``setup`` defaults to ``Setup()``; ``rng`` (an int) overrides its seed. Without
    ``setup.compare`` only A runs.
    """

    def __init__(self, setup: Setup | None = None, rng=None):
        setup = (setup or Setup()).model_copy(deep=True)
        seed = setup.seed if rng is None else int(rng)
        super().__init__(rng=seed)
        self.setup = setup
        self.seed = seed
        community = setup.community_kwargs()
        community.pop("strategy", None)
        self.a = CommunityModel(**community, strategy=setup.a, rng=seed)
        self.b = CommunityModel(**community, strategy=setup.b, rng=seed) if setup.compare else None
        self.arms = [Arm("A", self.a)] + ([Arm("B", self.b)] if self.b is not None else [])
        self._series: tuple[int, dict[str, pd.DataFrame]] = (-1, {})

    def step(self) -> None:
        """One day in both communities."""
        for arm in self.arms:
            arm.model.step()

    def series(self) -> dict[str, pd.DataFrame]:
        """Each arm's daily series by label, built once a day however many charts read it."""
        day, frames = self._series
        if day != self.a.day:
            frames = {arm.label: arm.model.series() for arm in self.arms}
            self._series = (self.a.day, frames)
        return frames


@dataclass(frozen=True)
class Lesson:
    """A one-click set-up of a classic trade-off: what A and B do, and what to look for."""

    key: str
    title: str
    explanation: str  # two sentences, shown on the page
    a: Strategy
    b: Strategy
    community: dict  # Setup fields this lesson sets (the rest keep their defaults)

    def setup(self, seed: int = 1) -> Setup:
        return Setup(
            **self.community,
            lesson=self.key,
            seed=seed,
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
