"""Scenario files: every Rules field reachable, defaults equal to the model's, every bad input a
ScenarioError naming the field, the value and what is allowed."""

from __future__ import annotations

import inspect
import math
from dataclasses import fields

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import CommunityModel, Rules, Segment
from sim.scenario import (
    DEFAULT_SCENARIO,
    Arrivals,
    Behaviour,
    Community,
    MemberSegment,
    RunSettings,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
    parameters = set(inspect.signature(CommunityModel).parameters) - {"rng"}
    assert set(Scenario().model_kwargs()) == parameters


def test_each_rules_field_takes_the_value_at_its_path():
    behaviour = {name: _other_value(Behaviour, name) for name in Behaviour.model_fields}
    segment = {
        name: _other_value(MemberSegment, name)
        for name in MemberSegment.model_fields
        if name not in ("name", "share")
    }
    data = {
        "community": {"topics": 5, "topic_popularity": [5.0, 4.0, 3.0, 2.0, 1.0]},
        "member_mix": [{"name": "only", "share": 2.0, **segment, "favourite_topics": 4}],
        "behaviour": behaviour,
    }
    scenario = parse_scenario(yaml.safe_dump(data))
    rules, dumped = scenario.rules(), scenario.model_dump()
    for field, path in Scenario.rules_paths().items():
        expected = _get(dumped, path)
        if field == "member_mix":
            expected = tuple(Segment(**s) for s in expected)
        elif field == "topic_popularity":
            expected = tuple(expected)
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


# ---- what loads -------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "# nothing but a comment\n", "behaviour:\nrun:\n"])
def test_empty_file_or_section_means_defaults(text):
    assert parse_scenario(text) == Scenario()


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


@FAST
@given(st.data())
def test_fuzz_mutated_default(data):
    scenario = Scenario().model_dump()
    for _ in range(data.draw(st.integers(1, 4))):
        section = data.draw(st.sampled_from(list(scenario)))
        node = scenario[section]
        if isinstance(node, list) and node:
            node = node[data.draw(st.integers(0, len(node) - 1))]
        if isinstance(node, dict) and node:
            node[data.draw(st.sampled_from(list(node)) | keys)] = data.draw(structures)
        else:
            scenario[section] = data.draw(structures)
    _loads_or_scenario_error(yaml.safe_dump(scenario))


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
