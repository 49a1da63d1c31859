"""Scenario files: every Rules field reachable, defaults equal to the model's, every bad input a
ScenarioError naming the field, the value and what is allowed."""

from __future__ import annotations

import copy
import inspect
import math
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import CommunityModel, Rules, Segment
from sim.config import (
    DEFAULT_SCENARIO,
    Arrivals,
    Behaviour,
    Community,
    MemberSegment,
    PlatformSection,
    RunSettings,
    Scenario,
    ScenarioError,
    json_schema,
    load_scenario,
    parse_scenario,
    schema_fields,
)
from sim.config.docs import describe
from sim.policies import LEVERS, Strategy
from sim.world.parameters import described
from sim.world.platform import Platform
from sim.world.uncertainties import Uncertainties

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"

# every lever and uncertainty with every kind of field set (lists, mappings, optional days)
FULL_STRATEGY = {
    "hours_per_day": 6.0,
    "budget": 5000.0,
    "content": {
        "posts_per_day": 4.0,
        "quality": 0.7,
        "topic_mix": [3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        "breadth": 4,
        "formats": {
            "text": {"share": 0.7, "engagement": 1.0, "hours": 0.5, "money": 0.0},
            "video": {"share": 0.3, "engagement": 1.8, "hours": 2.0, "money": 20.0},
        },
    },
    "events": {
        "calendar": [
            {"kind": "qa", "every": 7, "start": 3, "until": 40, "capacity": 100},
            {"kind": "contest", "day": 5, "promotion_days": 2, "money": 100.0},
        ],
        "attendance": 0.4,
    },
    "incentives": {
        "start": 2,
        "stop": 6,
        "points": {"post": 10.0, "reply": 5.0, "checkin": 1.0, "invite": 20.0},
        "badges": [{"action": "reply", "threshold": 2}, {"action": "checkin", "threshold": 3}],
        "ranks": [10.0, 100.0],
        "leaderboard": 5,
        "tangible": True,
        "redeem_at": 20.0,
    },
    "moderation": {"mode": "community", "on_topic": [0, 1, 2, 3], "recall": 0.9},
    "onboarding": {"welcome": True, "reply_to_first_posts": True},
    "recruitment": {
        "campaigns": [{"start": 1, "end": 4, "extra_p": 0.01, "cost_per_join": 2.0}],
        "referral_reward": 1.0,
    },
    "winback": {"inactive_days": 2, "cadence": 2, "max_messages": 2},
    "adaptive": {"window": 2, "every": 2, "step": 0.5},
}
FULL_UNCERTAINTIES = {
    "competitor": {"start": 3, "pull": 0.8},
    "seasonality": {"amplitude": 0.3, "peak_day": 100},
    "trend": {"day": 2, "topic": 1, "boost": 2.0, "duration": 5},
}


def _bounds(model, name):
    """(low, high, low is excluded) of a numeric field, from its constraints."""
    bounds = {}
    for c in model.model_fields[name].metadata:
        bounds.update({k: getattr(c, k) for k in ("ge", "gt", "le") if hasattr(c, k)})
    low = bounds.get("ge", bounds.get("gt"))
    return low, bounds["le"], "gt" in bounds


def _other_value(model, name):
    """A valid value of a numeric field that differs from its default."""
    low, high, _ = _bounds(model, name)
    default = model.model_fields[name].default
    value = (low + high) / 2 if default != (low + high) / 2 else (low + 3 * high) / 4
    return int(value) if model.model_fields[name].annotation is int else value


def _get(data, path):
    for key in path.split("."):
        data = data[key]
    return data


# ---- drift between the scenario and the model ----------------------------------------------------
def test_every_rules_field_is_set_by_the_scenario():
    """Adding a field to Rules without a scenario field fails here."""
    assert set(Scenario.rules_paths()) == {f.name for f in fields(Rules)}


def test_member_segment_mirrors_segment():
    assert set(MemberSegment.model_fields) == {f.name for f in fields(Segment)}


def test_model_kwargs_cover_the_model_signature():
    # the seed and whether to build the daily outputs are the caller's, not the scenario's
    parameters = set(inspect.signature(CommunityModel).parameters) - {"rng", "collect"}
    assert set(Scenario().model_kwargs()) == parameters


def test_each_rules_field_takes_the_value_at_its_path():
    behaviour = {name: _other_value(Behaviour, name) for name in Behaviour.model_fields}
    segment = {
        name: _other_value(MemberSegment, name)
        for name in MemberSegment.model_fields
        if name not in ("name", "share")
    }
    data = {
        "community": {
            "topics": 5,
            "topic_popularity": [5.0, 4.0, 3.0, 2.0, 1.0],
            "founder_weights": [3.0, 0.0, 1.0],
            "founder_visits": [2.0, 1.0, 1.0],
        },
        "member_mix": [{"name": "only", "share": 2.0, **segment, "favourite_topics": 4}],
        "behaviour": behaviour,
    }
    scenario = parse_scenario(yaml.safe_dump(data))
    rules, dumped = scenario.rules(), scenario.model_dump()
    for field, path in Scenario.rules_paths().items():
        expected = _get(dumped, path)
        if field == "member_mix":
            expected = tuple(Segment(**s) for s in expected)
        elif field in ("topic_popularity", "founder_weights", "founder_visits"):
            expected = tuple(expected)
        elif field == "platform":
            expected = Platform(**expected)
        assert getattr(rules, field) == expected, field
    assert rules != Rules()


def test_field_defaults_are_the_model_defaults():
    rules = Rules()
    for name, field in Behaviour.model_fields.items():
        assert field.default == getattr(rules, name), name
    assert Scenario().member_mix == [MemberSegment.of(s) for s in rules.member_mix]


def test_default_file_builds_the_default_model():
    scenario = load_scenario(None)
    kwargs = scenario.model_kwargs()
    assert CommunityModel(**kwargs).parameters() == CommunityModel().parameters()
    assert kwargs["members"] == inspect.signature(CommunityModel).parameters["members"].default
    assert scenario == Scenario()


def test_default_file_writes_out_every_field():
    def keys(data, prefix=""):
        if isinstance(data, dict):
            return {k for key, v in data.items() for k in keys(v, f"{prefix}{key}.")} | {prefix}
        if isinstance(data, list):
            return {k for i, v in enumerate(data) for k in keys(v, f"{prefix}{i}.")} | {prefix}
        return {prefix}

    written = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    assert keys(written) == keys(Scenario().model_dump())


def test_every_field_is_described():
    for section in (Scenario, Community, Arrivals, MemberSegment, Behaviour, RunSettings):
        for name, field in section.model_fields.items():
            assert field.description, f"{section.__name__}.{name}"


# described by neither a Field description nor a class docstring in sim/world/uncertainties.py (yet)
UNDESCRIBED = {"uncertainties.competitor", "uncertainties.seasonality", "uncertainties.trend"}


def test_every_schema_field_is_described():
    """Strategy and uncertainty fields too: by their own description or their lever's docstring,
    as docs/scenario-reference.md shows them."""
    schema = json_schema()
    missing = {path for path, prop in schema_fields(schema) if not describe(schema, prop)}
    assert missing <= UNDESCRIBED


def test_units_are_declared_with_their_fields():
    """Every section declares its units on its own fields: the community, the behaviour, the
    member mix, the uncertainties, and each lever (its module in sim.levers)."""
    units = {path: prop.get("unit") for path, prop in schema_fields(json_schema())}
    assert units["community.members"] == "members"
    assert units["behaviour.tie_decay"] == "share per day"
    assert units["member_mix[].read_budget"] == "items per visit"
    assert units["strategy.hours_per_day"] == "staff hours per day"
    assert units["strategy.content.formats.<name>.hours"] == "staff hours per item"
    assert units["strategy.incentives.badges[].threshold"] == "actions"
    assert units["strategy.recruitment.campaigns[].extra_p"] == "share per day"
    assert units["uncertainties.trend.duration"] == "days"
    assert sum(unit is not None for unit in units.values()) >= 80


def test_behaviour_and_member_mix_are_derived_from_the_parameters():
    """Rules and Segment declare each parameter once; the sections take name, order, default,
    bounds, description and unit from there, and the units table holds none of them."""
    schema = dict(schema_fields(json_schema()))
    for section, parameters, prefix in (
        (Behaviour, Rules, "behaviour"),
        (MemberSegment, Segment, "member_mix[]"),
        (PlatformSection, Platform, "platform"),
    ):
        declared = [f for f in fields(parameters) if described(f)]
        assert list(section.model_fields) == [f.name for f in declared]
        for f in declared:
            field, about = section.model_fields[f.name], described(f)
            assert field.description == about["doc"], f.name
            assert schema[f"{prefix}.{f.name}"].get("unit") == about["unit"], f.name
    assert {f.name for f in fields(Rules) if not described(f)} == {
        "n_topics",
        "topic_popularity",
        "founder_weights",
        "founder_visits",
        "member_mix",
        "platform",
    }
    assert schema["behaviour.lure_rate"]["unit"] == "probability per day"
    assert schema["uncertainties.trend.topic"]["unit"] == "topic index (0 = first)"


# ---- what loads -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["", "# nothing but a comment\n", "behaviour:\nrun:\n", "strategy:\nuncertainties:\n"]
)
def test_empty_file_or_section_means_defaults(text):
    assert parse_scenario(text) == Scenario()
    assert Scenario().strategy is None and Scenario().uncertainties is None


def test_strategy_and_uncertainties_reach_the_model():
    data = {"strategy": FULL_STRATEGY, "uncertainties": FULL_UNCERTAINTIES}
    kwargs = parse_scenario(yaml.safe_dump(data)).model_kwargs()
    assert kwargs["strategy"] == Strategy.model_validate(FULL_STRATEGY)
    assert kwargs["uncertainties"] == Uncertainties.model_validate(FULL_UNCERTAINTIES)
    model = CommunityModel(**kwargs, rng=1)
    assert model.parameters()["strategy"] == kwargs["strategy"].model_dump(mode="json")


def test_a_lever_written_empty_runs_with_its_defaults():
    strategy = parse_scenario("strategy: {content: {}, events: null}").strategy
    assert strategy.content is not None and strategy.content.posts_per_day > 0
    assert strategy.events is None


def test_resolved_strategy_round_trips_through_yaml():
    data = {"strategy": FULL_STRATEGY, "uncertainties": FULL_UNCERTAINTIES}
    scenario = parse_scenario(yaml.safe_dump(data))
    assert parse_scenario(yaml.safe_dump(scenario.model_dump(), sort_keys=False)) == scenario


def test_resolved_scenario_round_trips_through_yaml():
    scenario = load_scenario(None, {"community.members": 300, "run.seed": 9})
    assert parse_scenario(yaml.safe_dump(scenario.model_dump())) == scenario
    assert scenario.community.members == 300 and scenario.run.seed == 9


@pytest.mark.parametrize("written", ["3e-4", "3.0e-4", "0.0003", "+3E-4"])
def test_scientific_notation_is_a_number(written):
    scenario = parse_scenario(f"arrivals: {{marketing_p: {written}}}")
    assert scenario.arrivals.marketing_p == pytest.approx(0.0003)


def test_shares_need_not_sum_to_one():
    scenario = parse_scenario("member_mix: [{name: a, share: 3}, {name: b, share: 1}]")
    assert [s.share for s in scenario.rules().member_mix] == [3.0, 1.0]


# ---- what does not ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # unknown key: the path, the value, the allowed keys and a guess
        (
            "behaviour: {aspiratoin: 0.3}",
            ["behaviour.aspiratoin: unknown key (value 0.3)", "allowed keys:", "aspiration"],
        ),
        ("comunity: {members: 5}", ["comunity: unknown key", "did you mean community?"]),
        # wrong type
        (
            "community: {members: many}",
            ["community.members: got 'many'; expected a whole number between 1 and 5000000"],
        ),
        ("community: {members: 200.0}", ["community.members: got 200.0; expected a whole number"]),
        ("arrivals: {marketing_p: true}", ["arrivals.marketing_p: got true; expected a number"]),
        ("arrivals: {marketing_p: '3e-4'}", ["arrivals.marketing_p: got '3e-4'", "no quotes"]),
        ("behaviour: {aspiration: null}", ["behaviour.aspiration: got null; expected a number"]),
        ("run: [1, 2]", ["run: got [1, 2]; expected a mapping with keys days, seed"]),
        ("member_mix: {name: a}", ["member_mix: got {'name': 'a'}; expected a list"]),
        # out of range
        (
            "behaviour: {visit_floor: 1.5}",
            ["behaviour.visit_floor: got 1.5; must be between 0 and 1"],
        ),
        ("community: {members: 0}", ["community.members: got 0; must be between 1 and 5000000"]),
        (
            "behaviour: {temperature: 0}",
            ["behaviour.temperature: got 0; must be between 0.001 and 10"],
        ),
        ("behaviour: {aspiration: .nan}", ["behaviour.aspiration: got nan; must be a finite"]),
        ("arrivals: {market_size: -.inf}", ["arrivals.market_size: got -inf; expected a whole"]),
        ("community: {members: 1" + "0" * 40 + "}", ["community.members: got 1" + "0" * 40]),
        ("community: {members: 0x" + "f" * 5000 + "}", ["community.members: got <a 6021-digit"]),
        # lists and cross-field rules
        ("member_mix: []", ["member_mix: got []; must have between 1 and 100 items"]),
        ("member_mix: [{name: a}]", ["member_mix[0].share: missing; expected a number greater"]),
        (
            "member_mix: [{name: a, share: 1}, {name: a, share: 1}]",
            ["member_mix[1].name: got 'a'; segment names must be unique"],
        ),
        (
            "community: {topics: 3, topic_popularity: [1, 2]}",
            ["community.topic_popularity: got [1.0, 2.0]; must have one weight per topic (3"],
        ),
        (
            "community: {topic_popularity: [1, 0, 1, 1, 1, 1, 1, 1]}",
            ["community.topic_popularity[1]: got 0; must be greater than 0"],
        ),
        ("community: {topics: 2}", ["member_mix[2].favourite_topics: got 3; must be at most"]),
        # not a scenario at all
        ("- a\n- b", ["(top level): got ['a', 'b']; expected a mapping of sections"]),
        ("just words", ["(top level): got 'just words'"]),
        ("1: 2", ["(top level): key 1 is not text"]),
        ("community: {members: 5", ["YAML syntax error at line 1"]),
        ("community:\n  members: 5\n bad: 1", ["YAML syntax error at line 3"]),
        ("a: 2024-13-45", ["unreadable YAML value"]),
        ("[" * 3000 + "]" * 3000, ["nested too deeply"]),
        # the strategy and uncertainties sections: full paths into levers, lists and mappings
        (
            "strategy: {incentives: {badges: [{action: reply, threshold: 0}]}}",
            ["strategy.incentives.badges[0].threshold: got 0; must be between 1 and 1000000"],
        ),
        (
            "strategy: {moderation: {mode: strict}}",
            [
                "strategy.moderation.mode: got 'strict'; must be one of none, community, personalized"
            ],
        ),
        (
            "strategy: {contnet: {}}",
            ["strategy.contnet: unknown key (value {}); allowed keys: hours_per_day, budget,"],
        ),
        ("strategy: {contnet: {}}", ["(did you mean content?)"]),
        (
            "strategy: {content: {formats: {video: {share: 1, cost: 5}}}}",
            ["strategy.content.formats.video.cost: unknown key (value 5); allowed keys: share,"],
        ),
        (
            "strategy: {content: {formats: {video: {hours: 1}}}}",
            ["strategy.content.formats.video.share: missing; expected a number between 0 and"],
        ),
        (
            "strategy: {content: {formats: {1: {share: 1}}}}",
            ["strategy.content.formats.1: key 1 is not text"],
        ),
        (
            "strategy: {content: {formats: {text: {share: 0}}}}",
            ["strategy.content: got ", "; at least one format needs a share above 0"],
        ),
        (
            "strategy: {incentives: {points: {like: 5}}}",
            ["strategy.incentives.points.like: unknown key; allowed keys: post, reply, checkin"],
        ),
        (
            "strategy: {incentives: {points: {post: -1}}}",
            ["strategy.incentives.points.post: got -1; must be between 0 and 1000000"],
        ),
        (
            "strategy: {incentives: {start: 10, stop: 5}}",
            ["strategy.incentives: got {'start': 10, 'stop': 5}; stop must not be before start"],
        ),
        (
            "strategy: {events: {calendar: [{kind: qa}]}}",
            [
                "strategy.events.calendar[0]: got {'kind': 'qa'}; an event needs exactly one of 'day'"
            ],
        ),
        (
            "strategy: {events: {calendar: [{kind: party, day: 3}]}}",
            ["strategy.events.calendar[0].kind: got 'party'; must be one of qa, sharing, contest"],
        ),
        (
            "strategy: {recruitment: {campaigns: [{start: 5}]}}",
            ["strategy.recruitment.campaigns[0].end: missing; expected a whole number between 1"],
        ),
        (
            "strategy: {content: {breadth: two}}",
            ["strategy.content.breadth: got 'two'; expected null or a whole number between 1 and"],
        ),
        ("strategy: {winback: 3}", ["strategy.winback: got 3; expected null or a mapping with"]),
        ("strategy: [content]", ["strategy: got ['content']; expected null or a mapping with"]),
        ("strategy: {budget: .inf}", ["strategy.budget: got inf; must be a finite number"]),
        ("strategy: {onboarding: {welcome: 1}}", ["strategy.onboarding.welcome: got 1; expected"]),
        (
            "uncertainties: {competitor: {pul: 1}}",
            ["uncertainties.competitor.pul: unknown key (value 1)", "did you mean pull?"],
        ),
        ("uncertainties: {trend: {topic: 1}}", ["uncertainties.trend.day: missing; expected"]),
        # topics named or counted in a strategy or uncertainty must fit community.topics
        (
            "community: {topics: 4}\nstrategy: {content: {topic_mix: [1, 2]}}",
            ["strategy.content.topic_mix: got [1.0, 2.0]; must have one share per topic (4"],
        ),
        (
            "community: {topics: 4}\nstrategy: {content: {breadth: 6}}",
            ["strategy.content.breadth: got 6; must be at most community.topics (4)"],
        ),
        (
            "community: {topics: 4}\nstrategy: {moderation: {on_topic: [0, 5]}}",
            [
                "strategy.moderation.on_topic[1]: got 5; must be a topic index below community.topics"
            ],
        ),
        (
            "community: {topics: 4}\nuncertainties: {trend: {day: 3, topic: 4}}",
            ["uncertainties.trend.topic: got 4; must be a topic index below community.topics (4)"],
        ),
    ],
)
def test_bad_input_is_explained(text, expected):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "bad.yaml")
    message = str(caught.value)
    assert message.startswith("invalid scenario bad.yaml:\n")
    for part in expected:
        assert part in message


def test_every_problem_is_reported_one_per_line():
    text = "community: {members: 0, topics: x}\nbehaviour: {quit_rate: 2, nope: 1}\nrun: {days: 0}"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "community.members",
        "community.topics",
        "behaviour.quit_rate",
        "behaviour.nope",
        "run.days",
    ]
    assert str(caught.value).splitlines()[1:] == [f"  {p}" for p in caught.value.problems]


def test_overrides_are_checked_like_the_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("behaviour: {aspiration: 99}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, {"community.members": 0, "run.days": 10})
    message = str(caught.value)
    assert "with community.members=0, run.days=10" in message
    assert "community.members: got 0; must be between 1 and 5000000" in message
    assert "behaviour.aspiration: got 99" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "file not found"), (b"\xff\xfe\x00bad", "not UTF-8 text"), ("dir", "cannot read")],
)
def test_unreadable_files(tmp_path, content, expected):
    path = tmp_path / "scenario.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "dir":
        path.mkdir()
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(path)


# ---- fuzzing: anything YAML can say loads or raises ScenarioError -------------------------------
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(10**30), 10**30)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["3e-4", "0.5", "casual", "", "yes", ".nan"])
)
keys = (
    st.text(max_size=10)
    | st.integers()
    | st.sampled_from([*Scenario.model_fields, "members", "days", "name", "share"])
    | st.sampled_from([*Strategy.model_fields, "formats", "calendar", "kind", "day", "points"])
)
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


def _loads_or_scenario_error(text: str) -> None:
    try:
        scenario = parse_scenario(text)
    except ScenarioError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
    else:
        scenario.model_kwargs()  # a valid scenario always gives a model's arguments


@FAST
@given(structures)
def test_fuzz_any_structure(data):
    _loads_or_scenario_error(yaml.safe_dump(data))


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_any_text(text):
    _loads_or_scenario_error(text)


def _full_scenario() -> dict:
    """The default scenario, written out, with every lever and uncertainty set."""
    data = {"strategy": FULL_STRATEGY, "uncertainties": FULL_UNCERTAINTIES}
    return copy.deepcopy(parse_scenario(yaml.safe_dump(data)).model_dump())


@FAST
@given(st.data())
def test_fuzz_mutated_full_scenario(data):
    """A valid scenario with one to four values, at any depth, replaced by anything YAML can say
    (or removed)."""
    scenario = _full_scenario()
    for _ in range(data.draw(st.integers(1, 4))):
        node = scenario
        while True:  # walk down a random path
            inner = [k for k, v in _entries(node) if isinstance(v, dict | list) and v]
            if not inner or data.draw(st.integers(0, 3)) == 0:
                break
            node = node[data.draw(st.sampled_from(inner))]
        if isinstance(node, list):
            node[data.draw(st.integers(0, len(node) - 1))] = data.draw(structures)
        elif node and data.draw(st.integers(0, 5)) == 0:
            del node[data.draw(st.sampled_from(list(node)))]
        else:
            node[data.draw(st.sampled_from(list(node)) | keys)] = data.draw(structures)
    _loads_or_scenario_error(yaml.safe_dump(scenario))


def _entries(node: dict | list) -> list:
    return list(node.items()) if isinstance(node, dict) else list(enumerate(node))


# ---- every valid scenario runs ----------------------------------------------------------------
def _in_bounds(model, name):
    low, high, exclusive = _bounds(model, name)
    if model.model_fields[name].annotation is int:
        return st.integers(low, high)
    return st.floats(low, high, exclude_min=exclusive)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_valid_extremes_run_without_nan(data):
    """Any in-range behaviour, however extreme, gives a run whose series holds no NaN."""
    behaviour = {name: data.draw(_in_bounds(Behaviour, name)) for name in Behaviour.model_fields}
    scenario = parse_scenario(
        yaml.safe_dump(
            {
                "community": {"members": 50},
                "arrivals": {"market_size": 200},
                "behaviour": behaviour,
                # every lever and uncertainty, so that the rules of responses to them are used
                "strategy": FULL_STRATEGY,
                "uncertainties": FULL_UNCERTAINTIES,
            }
        )
    )
    model = CommunityModel(**scenario.model_kwargs(), rng=1)
    model.run(8)
    series = model.series().to_numpy(dtype=float)
    assert np.isfinite(series).all()
    assert all(
        v is None or math.isfinite(v) for v in model.summary().values() if not isinstance(v, str)
    )


# ---- the example scenarios in experiments/ ------------------------------------------------------
EXAMPLES = sorted(EXPERIMENTS.glob("*.yaml"))


def test_there_is_an_example_per_lever():
    names = {path.stem for path in EXAMPLES}
    assert {f"lever-{name}" for name in LEVERS} <= names
    assert "uncertainties" in names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_scenarios_load_and_run(path):
    """Every example is a complete, valid scenario that runs (20 days here, at its own size)."""
    scenario = load_scenario(path, {"run.days": 20})
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../docs/scenario.schema.json\n")
    assert "What to look for" in text and f"commsim run experiments/{path.name}" in text
    assert scenario.community.members >= 2000 and load_scenario(path).run.days <= 365
    model = CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
    model.run(scenario.run.days)
    assert np.isfinite(model.series().to_numpy(dtype=float)).all()
