"""Adaptive: the seed's "if a kind of content gets more interaction, make more of it". Every few
days the content mix shifts toward the topics and formats whose operator posts drew the most
replies and reactions per post in a recent window (Kraut & Resnick 2012, ch. 2: content that
matches members' interests draws responses).

**Surveys** (``source: survey``): instead of counting interaction, the operator asks members. A
survey goes to ``survey_sample`` members still here; each answers with probability
``Rules.survey_response`` times loyalty, so committed members answer more (nonresponse bias: Groves
& Peytcheva 2008, POQ 72(2), bias arises where the chance to respond is tied to what is measured).
Each answer is the member's interest in each topic plus normal noise (``survey_noise``, a stated
assumption: a few rating questions are an imperfect read of interest); the topic target is the
mean reported interest (clipped at 0), normalised. It also reads satisfaction: the respondents'
mean loyalty (``survey_satisfaction``), which the response bias inflates. A survey costs
``survey_hours`` of the content team's time; the format mix still follows interaction counts.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from sim.policies import Control, ExpectedSign, Lever, Series, priority, register
from sim.world.settings import Probability, setting


@register
class Adaptive(Lever):
    """Make more of what earns interaction: shift the content mix toward the topics and formats
    whose operator posts got the most replies and reactions per post in a recent window."""

    key = "adaptive"
    role = "content"  # the team role whose hours it draws on
    label = "Adaptive: more of what draws replies"
    series = (
        Series("adaptive_shifts", "shifts of the content mix toward what draws responses"),
        Series("surveys", "surveys sent (adaptive, source survey)"),
        Series("survey_responses", "members who answered a survey"),
        Series("survey_satisfaction", "survey: respondents' mean loyalty (0..1), on survey days"),
    )
    controls = (
        Control("every", "adjust every N days", 1, 60),
        Control("source", "steer by"),
        Control("survey_sample", "members surveyed", 10, 5000, 10),
    )
    # outcome: responses per operator post, what the lever steers by; the community-wide
    # interaction rate dilutes the operator's few posts among hundreds of members' items
    signs = (
        ExpectedSign(
            "adaptive",
            {"content": {}, "adaptive": {}},
            "responses_per_operator_post",
            1,
            "Kraut & Resnick 2012 ch. 2: content that matches interests draws responses",
            baseline="content",
        ),
    )
    max_effort: ClassVar[dict] = {}

    priority: int = priority(8)
    window: int = setting(
        14, ge=1, le=365, unit="days", description="days of interaction looked at"
    )
    step: Probability = Field(
        0.2, description="share of the way the mix moves toward the best performers each time"
    )
    every: int = setting(7, ge=1, le=365, unit="days", description="days between adjustments")
    source: Literal["interactions", "survey"] = Field(
        "interactions",
        description="what steers the topic mix: interactions (replies and reactions per operator "
        "post) or survey (members' reported topic interests, answered more by loyal members)",
    )
    survey_sample: int = setting(
        300, ge=1, le=10_000_000, unit="members", description="members a survey is sent to"
    )
    survey_noise: float = setting(
        0.2,
        ge=0,
        le=5,
        unit="interest (0..1) sd",
        description="noise of each reported topic interest (an assumption)",
    )
    survey_hours: float = setting(
        2.0, ge=0, le=1000, unit="staff hours per survey", description="hours to run a survey"
    )

    def act(self, operator, world, day):
        content = world.lever("content")
        if content is None or day % self.every or day <= self.window:
            return
        topic_target, format_target = world.interaction_leaders(self.window, len(content.formats))
        if self.source == "survey":
            if not operator.afford(1, self.survey_hours, 0.0, self.key):
                return
            topic_target = self.survey(operator, world)
        content.shift(topic_target, format_target, self.step)
        operator.count("adaptive_shifts", 1)

    def survey(self, operator, world) -> np.ndarray | None:
        """Send a survey; return the respondents' mean reported topic interest, normalised (None
        when nobody answers). Response chance ``Rules.survey_response`` x loyalty."""
        pop = world.members
        here = pop.here()
        operator.count("surveys", 1)
        if here.size == 0:
            return None
        gen = world.random("adaptive.survey")
        sent = gen.choice(here, size=min(self.survey_sample, here.size), replace=False)
        answers = gen.random(sent.size) < pop.rules.survey_response * pop.loyalty[sent]
        respondents = sent[answers]
        operator.count("survey_responses", int(respondents.size))
        if respondents.size == 0:
            return None
        operator.count("survey_satisfaction", float(pop.loyalty[respondents].mean()))
        pref = pop.pref[respondents]
        reported = pref + gen.normal(0.0, self.survey_noise, pref.shape)
        mean = np.clip(reported.mean(axis=0), 0.0, None)
        return mean / mean.sum() if mean.sum() > 0 else None
