"""One lever, one file: a toy lever declared here, and nowhere else, registers, validates from YAML,
runs, reports its series and appears in the scenario reference and the dashboard's controls; the
registry refuses a lever that lacks a piece, and a counter no lever declared is an error."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import Field

from sim.config import ScenarioError, json_schema, parse_scenario
from sim.config.docs import render_reference
from sim.model import CommunityModel, daily_series
from sim.policies import (
    LEVERS,
    Control,
    ExpectedSign,
    Lever,
    Operator,
    Series,
    Strategy,
    missing_pieces,
    priority,
    register,
    unregister,
)
from sim.validation.targets import lever_signs, max_effort
from sim.world.settings import Hours, setting


class Poll(Lever):
    """A weekly poll: members who answer feel heard (a small identity benefit); a toy for tests."""

    key = "poll"
    label = "Polls: a weekly question"
    series = (Series("polls_run", "polls published"), Series("poll_answers", "members answering"))
    controls = (Control("every", "a poll every N days", 1, 30),)
    signs = (ExpectedSign("poll", {"poll": {}}, "retention_30", 1, "a toy: no source"),)
    max_effort = None  # left out of the maximum-effort strategy

    priority: int = priority(9)
    every: int = setting(7, ge=1, le=365, unit="days", description="days between polls")
    reach: float = Field(0.5, ge=0, le=1, description="share of today's visitors who answer")
    hours: Hours = setting(0.5, unit="staff hours per poll", description="staff hours per poll")

    def act(self, operator, world, day):
        if day % self.every or not operator.afford(1, self.hours, 0.0, "poll"):
            return
        members = world.members
        answering = np.flatnonzero(
            members.view("alive") & (world.uniform("operator.poll") < self.reach)
        )
        members.identity_today[answering] += np.float32(0.1)
        operator.count("polls_run", 1)
        operator.count("poll_answers", answering.size)


@pytest.fixture
def poll():
    register(Poll)
    try:
        yield Poll
    finally:
        unregister("poll")


YAML = """
community: {members: 200}
arrivals: {market_size: 400}
strategy:
  hours_per_day: 4
  poll: {every: 3, reach: 0.4}
run: {days: 12, seed: 5}
"""


def test_a_lever_declared_in_one_file_runs_end_to_end(poll):
    scenario = parse_scenario(YAML)
    assert isinstance(scenario.strategy.poll, Poll)
    assert scenario.strategy.poll.every == 3
    model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
    model.run(scenario.run.days)
    series = model.series()
    assert {"polls_run", "poll_answers"} <= set(series.columns)
    assert series["polls_run"].sum() == 4  # days 3, 6, 9 and 12
    assert series["poll_answers"].sum() > 0
    assert "polls_run" in daily_series()
    # its units, description and controls reach the schema, the reference and the validation
    props = json_schema()["$defs"]["Poll"]["properties"]
    assert props["every"]["unit"] == "days"
    assert "strategy.poll.every" in render_reference()
    assert any(sign.arm == "poll" for sign in lever_signs())
    assert "poll" not in max_effort()  # it declares no maximum-effort setting


def test_a_registered_lever_is_checked_like_every_setting(poll):
    with pytest.raises(ScenarioError, match=r"strategy\.poll\.every: got 0; must be between 1"):
        parse_scenario(YAML.replace("every: 3", "every: 0"))
    with pytest.raises(ScenarioError, match=r"did you mean every"):
        parse_scenario(YAML.replace("every: 3", "evrey: 3"))


def test_an_unregistered_lever_is_an_unknown_key():
    assert "poll" not in LEVERS
    with pytest.raises(ScenarioError, match=r"strategy\.poll: unknown key"):
        parse_scenario(YAML)


def test_every_built_in_lever_declares_every_piece():
    assert list(LEVERS) == [
        "content",
        "events",
        "incentives",
        "moderation",
        "onboarding",
        "recruitment",
        "winback",
        "adaptive",
        "care",  # a lever file added after the built-in ones: registered after them
        "defence",  # likewise, in alphabetical order
        "leaders",
    ]
    for key, lever in LEVERS.items():
        assert missing_pieces(lever) == [], key
        assert lever.key == key
        assert isinstance(lever.switched_on(), lever)


def test_an_incomplete_lever_is_refused():
    class Silent(Lever):
        """Does something, reports nothing."""

        key = "silent"
        label = "Silent"

        def act(self, operator, world, day):
            pass

    with pytest.raises(TypeError, match=r"lacks: series .*controls .*signs.*max_effort"):
        register(Silent)
    assert "silent" not in LEVERS and "silent" not in Strategy.model_fields

    class NoAct(Poll):
        key = "no_act"
        act = Lever.act

    assert "act (what the operator does)" in missing_pieces(NoAct)


def test_a_lever_cannot_declare_a_series_already_declared():
    class Clashing(Poll):
        """Reports the operator's hours as its own."""

        key = "clashing"
        series = (Series("hours_used", "the operator's own series"),)

    with pytest.raises(TypeError, match=r"series already declared: \['hours_used'\]"):
        register(Clashing)

    class Copying(Poll):
        """Reports the content lever's posts as its own."""

        key = "copying"
        series = (Series("operator_posts", "the content lever's series"),)

    with pytest.raises(TypeError, match=r"series already declared: \['operator_posts'\]"):
        register(Copying)
    assert "clashing" not in LEVERS and "copying" not in LEVERS


def test_a_counter_no_lever_declared_is_an_error():
    model = CommunityModel(members=20, rng=1, strategy=Strategy())
    operator = Operator(model, Strategy())
    operator.count("operator_posts", 2)
    assert operator.today["operator_posts"] == 2
    with pytest.raises(KeyError, match="polls_run"):
        operator.count("polls_run", 1)
