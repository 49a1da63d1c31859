"""The sign atlas (issue 14, item 7): its rows cover every lever and behaviour parameter, every row
is a valid pair of scenarios, the verdicts mean what the page says, and the quick atlas finds no
unexplained contradiction (a measured sign opposite to the expected one, with a 95% CI excluding
zero, that its row does not explain from the current mechanism)."""

from __future__ import annotations

import typing
import warnings
from dataclasses import fields

import pytest

from sim.agents import Rules
from sim.cli.core import main
from sim.levers.events import Event
from sim.levers.moderation import Moderation
from sim.policies import LEVERS
from sim.validation.atlas import (
    AGREES,
    CONTRADICTS,
    MISSING,
    UNRESOLVED,
    Atlas,
    AtlasError,
    Effect,
    arm_data,
    plan,
    run_atlas,
    select,
)
from sim.validation.atlas_page import write_page
from sim.validation.atlas_rows import OUTCOMES, ROWS, SIGNS
from sim.world.parameters import described


def _strategy(row, arm) -> dict | None:
    return arm_data(row, arm).get("strategy")


# ---- completeness ----------------------------------------------------------------------------------
def test_every_behaviour_parameter_has_a_row():
    """A row whose arms differ in the parameter: a new parameter without a row fails here."""
    parameters = [f.name for f in fields(Rules) if described(f)]
    assert len(parameters) > 40  # the derivation itself still finds the parameters
    covered = set()
    for row in ROWS:
        a, b = arm_data(row, "a")["behaviour"], arm_data(row, "b")["behaviour"]
        covered |= {name for name in parameters if a.get(name) != b.get(name)}
    missing = [name for name in parameters if name not in covered]
    assert not missing, f"behaviour parameters with no atlas row: {missing}"


def test_every_registered_lever_has_an_on_vs_off_row():
    covered = set()
    for row in ROWS:
        a, b = _strategy(row, "a") or {}, _strategy(row, "b") or {}
        covered |= {key for key in LEVERS if (a.get(key) is None) != (b.get(key) is None)}
    missing = [key for key in LEVERS if key not in covered]
    assert not missing, f"registered levers with no on-vs-off atlas row: {missing}"


def test_every_event_kind_and_moderation_mode_has_a_row():
    kinds = typing.get_args(Event.model_fields["kind"].annotation)
    modes = typing.get_args(Moderation.model_fields["mode"].annotation)
    seen_kinds, seen_modes = set(), set()
    for row in ROWS:
        strategy = _strategy(row, "b") or {}
        seen_kinds |= {e["kind"] for e in (strategy.get("events") or {}).get("calendar", [])}
        if strategy.get("moderation") is not None:
            seen_modes.add(strategy["moderation"].get("mode", "community"))
    assert set(kinds) <= seen_kinds, f"event kinds with no row: {set(kinds) - seen_kinds}"
    assert set(modes) - {"none"} <= seen_modes, f"moderation modes with no row: {modes}"


def test_the_issues_named_rows_are_quick_rows():
    names = {row.name for row in ROWS if row.quick}
    for named in (
        "false positives on members' posts",
        "removal of newcomers' first posts",
        "tie gain",
        "bond weight",
        "operator content: 400 a day",
        "reward size",
        "budget cut (halved)",
        "staff-hour cut (halved)",
    ):
        assert named in names


# ---- every row is well formed -------------------------------------------------------------------------
def test_every_row_validates_against_the_scenario_schema():
    """``plan`` validates each distinct arm (a bad override raises ``SweepError`` naming it)."""
    _, pairs = plan(list(ROWS), 2)
    assert set(pairs) == {row.name for row in ROWS}
    for row in ROWS:
        assert len(row.expect.split()) == len(OUTCOMES), row.name
        assert set(row.signs.values()) <= set(SIGNS), row.name
        assert all(row.reason(o).strip() for o in OUTCOMES), row.name
        assert set(row.explained) <= set(OUTCOMES), row.name
        assert set(row.because) <= set(OUTCOMES), row.name
        a, b = pairs[row.name]  # arms are named by their resolved scenario
        assert a != b, f"{row.name}: arms A and B are the same scenario"
    assert len({row.name for row in ROWS}) == len(ROWS)


def test_identical_arms_are_one_run():
    sweep, pairs = plan(list(ROWS), 2)
    arms = set(sweep.spec.strategies)
    assert len(arms) < 2 * len(ROWS)
    # the tie-gain and bond-weight rows share their arm A (the unsupported community)
    assert pairs["tie gain"][0] == pairs["bond weight"][0]
    keys = {p.key for p in sweep.plan()}
    assert len(keys) == len(arms) * 2


def test_unknown_rows_are_refused_by_name(capsys):
    with pytest.raises(AtlasError, match="no atlas row named 'nope'"):
        select(["tie gain", "nope"], quick=False)
    assert [r.name for r in select(["TIE GAIN"], quick=False)] == ["tie gain"]
    with pytest.raises(SystemExit) as exit_info:
        main(["atlas", "--only", "nope", "--out", "unused"])
    assert exit_info.value.code == 2
    assert "no atlas row named 'nope'" in capsys.readouterr().err


# ---- verdicts and the page ----------------------------------------------------------------------------
def _effect(expected: str, values, row="r", outcome="members_end") -> Effect:
    return Effect(row, outcome, expected, "because", tuple(values), 10.0, 10.0 + sum(values) / 4)


@pytest.mark.parametrize(
    ("expected", "values", "verdict"),
    [
        ("+", (1.0, 1.2, 0.9, 1.1), AGREES),
        ("-", (1.0, 1.2, 0.9, 1.1), CONTRADICTS),
        ("-", (-1.0, -1.2, -0.9, -1.1), AGREES),
        ("+", (-1.0, -1.2, -0.9, -1.1), CONTRADICTS),
        ("+", (1.0, -1.0, 0.5, -0.4), UNRESOLVED),
        ("+", (0.0, 0.0, 0.0, 0.0), UNRESOLVED),
        ("0", (1.0, 1.2, 0.9, 1.1), AGREES),
        ("?", (-1.0, -1.2, -0.9, -1.1), AGREES),
        ("+", (1.0,), MISSING),
    ],
)
def test_verdicts(expected, values, verdict):
    assert _effect(expected, values).verdict == verdict


def test_the_interval_is_the_paired_t_interval():
    effect = _effect("+", (1.0, 2.0, 3.0, 4.0))
    low, high = effect.ci
    assert effect.mean == 2.5
    assert low == pytest.approx(2.5 - 3.182446 * 1.290994 / 2, rel=1e-5)
    assert high == pytest.approx(2.5 + 3.182446 * 1.290994 / 2, rel=1e-5)
    assert _effect("0", (1.0, 1.1, 1.2, 0.9)).moved


def test_the_page_shows_contradictions_with_their_explanations(tmp_path):
    rows = [r for r in ROWS if r.name in ("tie gain", "bond weight")]
    effects = [
        _effect("-", (5.0, 6.0, 7.0), "tie gain", "members_end"),
        Effect("tie gain", "retention_30", "-", "ties", (-0.01, -0.02, -0.015), 0.3, 0.29),
        Effect("bond weight", "members_end", "-", "bonds", (1.0, -1.0, 0.5), 600.0, 600.2,
               "the overload cost dominates"),
        Effect("bond weight", "dau_last30", "-", "bonds", (4.0, 5.0, 6.0), 200.0, 205.0,
               "the overload cost dominates"),
    ]  # fmt: skip
    atlas = Atlas(tmp_path, False, rows, effects, 3, runs=6)
    assert atlas.counts() == {AGREES: 1, CONTRADICTS: 2, UNRESOLVED: 1, MISSING: 0}
    page = write_page(atlas, tmp_path, "commsim atlas").read_text(encoding="utf-8")
    assert "**4 cells: 1 agree, 2 contradict, 1 not resolved, 0 not measured.**" in page
    assert "## Contradictions (2 cells in 2 rows)" in page
    assert "**Explained:** the overload cost dominates" in page
    assert "**Not yet explained.**" in page  # tie gain's contradiction has no explanation
    assert "-1.5 [" in page  # retention in percentage points
    assert (tmp_path / "atlas.png").stat().st_size > 1000
    table = (tmp_path / "atlas.csv").read_text(encoding="utf-8")
    assert table.count("\n") == 5 and "contradicts" in table


# ---- the quick atlas ---------------------------------------------------------------------------------
def test_quick_atlas_has_no_unexplained_contradiction(tmp_path):
    """The issue's named rows on paired seeds: a sign that contradicts its expectation with a 95%
    CI excluding zero fails the test unless its row explains that very cell from the current
    mechanism (``Row.explained``). Explained contradictions are open problems, not fixes: they are
    printed on the page (docs/atlas.md) and raised here as warnings, so every run lists them. On the
    model before issue 14's mechanisms 23 cells contradicted; on MODEL_VERSION 4, 9 cells in 4 rows
    (operator content at 5, 20 and 400 a day; tangible rewards), each explained by measurement."""
    atlas = run_atlas(tmp_path / "atlas", quick=True, workers=2, progress=False)
    assert atlas.failed_runs == 0
    assert not [e for e in atlas.effects if e.verdict == MISSING]

    def shown(e) -> str:
        return (
            f"{e.row}: {e.outcome} expected {e.expected}, measured {e.mean:+.4g} "
            f"[{e.ci[0]:+.4g}, {e.ci[1]:+.4g}]"
        )

    contradictions = atlas.contradictions()
    for e in contradictions:
        if e.explained:
            warnings.warn(f"open contradiction (explained on the page): {shown(e)}", stacklevel=1)
    found = [shown(e) for e in contradictions if not e.explained]
    assert not found, f"{len(found)} unexplained contradiction(s) of the atlas:\n" + "\n".join(
        found
    )
