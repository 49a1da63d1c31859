"""The dashboard page, rendered in-process with ``solara.render``: controls, charts, Step, Reset,
the seed input, lessons, the incentive controls and a sweep's strategies; and the models and charts
behind it (``sim.ui.dashboard``, ``sim.ui.charts``)."""

from __future__ import annotations

import socket

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pytest
import solara

from sim.levers.incentives import Incentives
from sim.levers.onboarding import Onboarding
from sim.policies import LEVERS, Audience, Strategy
from sim.ui import app
from sim.ui.charts import CHARTS, NETWORK_LIMIT, kpi_frame, lorenz, network_chart, tie_layout
from sim.ui.dashboard import LESSONS, SchemeWindow, Setup, Versus, sweep_choices

DEMO = "experiments/studies/incentive-rules.yaml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@solara.component
def _InLayout():
    with solara.AppLayout():  # the sidebar is a portal into the app layout
        app.Page()


@pytest.fixture
def page():
    _, rc = solara.render(_InLayout(), handle_error=False)
    yield rc
    rc.close()


def _shows(rc, text: str) -> bool:
    return bool(rc.find(children=[text]).widgets)


def _step(rc) -> int:
    """The day Mesa's step counter shows."""
    (day,) = (d for d in range(0, 1000, app.RENDER_INTERVAL) if _shows(rc, f"Step: {d}"))
    return day


def _click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def _slider(rc, label: str):
    """The slider whose label starts with ``label`` (the label goes on with its value)."""
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith(f"{label}: ")]
    return slider


def _type(rc, label: str, text: str):
    """Type ``text`` into the text field ``label`` and leave it (a comma-separated list counts
    then); returns the field."""
    field = rc.find(v.TextField, label=label).widget
    field.v_model = text
    field.fire_event("focusout", None)
    return rc.find(v.TextField, label=label).widget


def _sliders(rc) -> set[str]:
    return {w.label for w in rc.find(v.Slider).widgets}


def _charts(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(widgets.Image).widgets]


def _table(rc) -> str:
    return rc.find(tag="table").widget.unsafe_innerHTML


def _day_line(rc) -> str:
    return rc.find(tag="p").widget.unsafe_innerHTML


def test_page_has_controls_inputs_lessons_and_every_chart(page):
    buttons = {b.children[0] for b in page.find(v.Btn).widgets if b.children}
    assert {"Reset", "▶", "Step"} <= buttons
    assert {lesson.title for lesson in LESSONS} <= buttons
    assert _step(page) == 0
    charts = _charts(page)
    assert len(charts) == len(CHARTS)
    assert all(png.startswith(b"\x89PNG") for png in charts)
    seed = page.find(v.TextField, label="seed").widget
    assert seed.v_model == "1"
    assert "KPI (latest day)" in _table(page)
    titles = {c for w in page.find(v.CardTitle).widgets for c in w.children}
    assert "Model Parameters" not in titles and not page.find(v.Tab).widgets  # Mesa's leftovers
    assert {"members: 5,000", "seeds per strategy (over 1: 95% bands): 1"} <= _sliders(page)


def test_b_minus_a_and_the_kpi_table_open_the_page():
    assert CHARTS[0][0] == "difference" and app.FirstChart.__name__ == "DifferenceChart"
    assert app.COMPONENTS[:3] == [app.LessonCard, app.KpiTable, app.FirstChart]


def test_step_advances_both_strategies_and_redraws_the_charts(page):
    before = _charts(page)
    _click(page, "Step")
    assert _step(page) == app.RENDER_INTERVAL
    after = _charts(page)
    changed = [name for (name, _), a, b in zip(CHARTS, before, after, strict=True) if a != b]
    assert {"members", "activity", "spend", "difference"} <= set(changed)
    assert f"Day <b>{app.RENDER_INTERVAL}</b>" in _day_line(page)


def test_reset_builds_what_the_inputs_show(page):
    _click(page, "Step")
    _slider(page, "members").v_model = 800
    assert "members: 800" in _sliders(page)
    page.find(v.TextField, label="seed").widget.v_model = "7"
    _click(page, "Reset")
    assert _step(page) == 0
    assert "seed 7" in _day_line(page)
    _click(page, "Step")
    members = int(_table(page).split("<td>members</td><td>")[1].split("<")[0].replace(",", ""))
    assert 700 < members < 1000  # 800 founders and ten days of arrivals and departures


def test_a_lesson_sets_up_a_and_b_in_one_click(page):
    lesson = LESSONS[2]
    _click(page, lesson.title)
    titles = [c for w in page.find(v.CardTitle).widgets for c in w.children]
    assert lesson.title in titles
    assert _shows(page, lesson.explanation)
    page.find(v.BtnToggle).widget.v_model = 1  # show strategy B: onboarding is ticked
    ticked = page.find(v.Checkbox, label=LEVERS["onboarding"].label).widget
    assert ticked.v_model is True


def test_a_lesson_sets_the_controls_it_changes_and_survives_reset(page):
    _click(page, LESSONS[0].title)
    assert {"members: 2,000", "potential members (market): 10,000"} <= _sliders(page)
    page.find(v.BtnToggle).widget.v_model = 1
    shown = _sliders(page)
    assert {"staff hours per day: 4", "budget (money, whole run): 20,000"} <= shown
    assert {"start day: 30", "stop day: 200", "leaderboard places (0: none): 10"} <= shown
    _click(page, "Reset")
    assert _shows(page, LESSONS[0].explanation)  # Reset keeps the lesson's text
    _slider(page, "members").v_model = 1500
    _click(page, "Reset")
    assert _shows(page, LESSONS[0].explanation)
    assert _shows(page, " (The set-up was changed since the lesson was loaded.)")


def test_every_incentive_element_is_a_control():
    declared = {control.field.split(".")[0] for control in Incentives.controls}
    # the audience has its own selector on every lever that picks members (app.AudienceInput)
    assert Incentives.aims
    assert set(Incentives.model_fields) - {"priority", "audience"} <= declared
    points = {c.field.split(".")[1] for c in Incentives.controls if c.field.startswith("points.")}
    assert points == set(Incentives().points)


def test_incentive_controls_edit_badges_ranks_and_leaderboard(page):
    page.find(v.Checkbox, label=LEVERS["incentives"].label).widget.v_model = True  # strategy A
    _click(page, "add badge")
    _click(page, "add badge")
    thresholds = [w for w in page.find(v.Slider).widgets if w.label.startswith("at (actions)")]
    thresholds[-1].v_model = 100
    toggles = page.find(v.BtnToggle).widgets
    toggles[-1].v_model = 1  # the last badge counts replies
    _click(page, "remove badge 1")  # the trainer's switched-on badge goes
    _slider(page, "leaderboard places (0: none)").v_model = 25
    _slider(page, "points per post").v_model = 0
    _type(page, "rank thresholds (points) (comma-separated)", "100, 50")  # refused, with why:
    assert _shows(page, "a.incentives: ranks must be strictly increasing point thresholds")
    ranks = _type(page, "rank thresholds (points) (comma-separated)", "100, 500, 2000")
    assert ranks.v_model == "100, 500, 2000" and not page.find(v.Alert).widgets
    shown = _sliders(page)
    assert {"at (actions): 10", "at (actions): 100", "leaderboard places (0: none): 25"} <= shown
    assert "points per post: 0" in shown and _shows(page, "badges: 2")
    assert [w.v_model for w in page.find(v.BtnToggle).widgets][-2:] == [0, 1]  # post, reply


def test_a_sweeps_strategies_are_choices_for_a_and_b(monkeypatch):
    monkeypatch.setenv(app.SWEEP_VARIABLE, DEMO)
    _, rc = solara.render(_InLayout(), handle_error=False)
    try:
        assert "members: 2,000" in _sliders(rc)
        choose = rc.find(v.Select, label="load A from the sweep").widget
        assert choose.items == ["none", "points", "badges", "leaderboard", "tangible"]
        assert choose.v_model == "none"  # the baseline
        rc.find(v.BtnToggle).widget.v_model = 1
        choose = rc.find(v.Select, label="load B from the sweep").widget
        choose.v_model = "badges"
        thresholds = [w.label for w in rc.find(v.Slider).widgets if w.label.startswith("at (")]
        assert thresholds == ["at (actions): 10", "at (actions): 25", "at (actions): 100"]
    finally:
        rc.close()


# ---- the models and charts behind the page --------------------------------------------------------
def test_versus_steps_both_arms_with_common_random_numbers():
    same = Strategy(onboarding=Onboarding())
    versus = Versus(Setup(members=300, market_size=1500, a=same, b=same.model_copy(deep=True)))
    for _ in range(20):
        versus.step()
    a, b = versus.series()["A"], versus.series()["B"]
    assert versus.a.day == versus.b.day == versus.steps == 20
    assert a.equals(b)  # the same strategy on the same seed: identical, day for day


def test_several_seeds_give_95_percent_bands_and_paired_differences():
    versus = Versus(Setup(members=300, market_size=1500, seeds=3, b=LESSONS[0].b))
    for _ in range(35):
        versus.step()
    runs = versus.runs()
    assert [len(frames) for frames in runs.values()] == [3, 3]
    assert not runs["A"][0]["dau"].equals(runs["A"][1]["dau"])  # each seed its own community
    mean, low, high = versus.band("A", lambda s: s["dau"].to_numpy())
    assert np.all(low <= mean) and np.all(mean <= high) and np.any(high > low)
    assert np.allclose(mean, versus.series()["A"]["dau"])
    table = kpi_frame(versus).set_index("kpi")
    assert (table["seeds"] == 3).all()
    assert (table["ci_low"] <= table["b_minus_a"]).all()
    assert (table["b_minus_a"] <= table["ci_high"]).all()
    assert versus.windows() == [SchemeWindow("B", "incentives", 30, 200)]
    daily = versus.daily_table()
    assert len(daily) == 2 * 3 * 35 and list(daily.columns[:4]) == [
        "strategy",
        "replication",
        "seed",
        "day",
    ]


def test_the_same_strategy_on_several_seeds_differs_by_nothing():
    same = Strategy(onboarding=Onboarding())
    versus = Versus(Setup(members=200, market_size=1000, seeds=2, a=same, b=same))
    for _ in range(10):
        versus.step()
    mean, low, high = versus.difference(lambda b, a: (b["dau"] - a["dau"]).to_numpy())
    assert not mean.any() and not low.any() and not high.any()  # common random numbers


def test_sweep_choices_are_its_strategies_on_its_community():
    setup, choices = sweep_choices(DEMO)
    assert list(choices) == ["none", "points", "badges", "leaderboard", "tangible"]
    assert setup.a == choices["none"] and setup.b == choices["points"]
    assert (setup.members, setup.seed, setup.sweep) == (2000, 20261123, DEMO)
    assert [b.threshold for b in choices["badges"].incentives.badges] == [10, 25, 100]
    Versus(setup).step()  # the sweep's base scenario gives the community


def test_setup_changes_are_validated_with_the_field_named():
    setup = LESSONS[0].setup()
    changed = setup.changed(("b", "incentives", "badges", 0, "threshold"), 40)
    assert (
        changed.b.incentives.badges[0].threshold == 40
        and setup.b.incentives.badges[0].threshold == 25
    )
    with pytest.raises(ValueError, match=r"b\.incentives\.leaderboard: Input should be greater"):
        setup.changed(("b", "incentives", "leaderboard"), -1)


def test_versus_without_b_runs_only_a():
    versus = Versus(Setup(members=200, market_size=1000, compare=False))
    versus.step()
    assert [arm.label for arm in versus.arms] == ["A"] and versus.b is None
    for _, draw in CHARTS:
        draw(versus)  # every chart copes with a single strategy


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.key for lesson in LESSONS])
def test_lessons_set_up_two_different_strategies(lesson):
    setup = lesson.setup(seed=3)
    assert setup.compare and setup.lesson == lesson.key and setup.seed == 3
    assert setup.a != setup.b
    assert len(lesson.explanation.split(". ")) >= 2
    setup.b.hours_per_day += 1  # a lesson's set-up is a copy: editing it leaves the lesson alone
    assert lesson.setup().b.hours_per_day == lesson.b.hours_per_day


def test_member_mix_shares_and_trolls():
    rules = Setup(engaged=0.3, experts=0.1, trolls=0.05).rules()
    shares = {segment.name: segment.share for segment in rules.member_mix}
    assert shares == pytest.approx({"casual": 0.55, "engaged": 0.3, "expert": 0.1, "troll": 0.05})
    assert "troll" not in {s.name for s in Setup().rules().member_mix}


def test_lorenz_curve():
    x, y = lorenz(np.array([0, 0, 0, 10]))
    assert (x[0], y[0], x[-1], y[-1]) == (0, 0, 1, 1)
    assert y[np.searchsorted(x, 0.75)] == 0  # three quarters of members hold nothing
    assert np.all(np.diff(y) >= 0)


def test_tie_layout_draws_only_ties_between_members_present():
    versus = Versus(Setup(members=300, market_size=1500, compare=False))
    for _ in range(30):
        versus.step()
    slots, xy, edges, strength = tie_layout(versus.a)
    pop = versus.a.population
    assert pop.view("alive")[slots].all() and len(slots) == pop.n_alive
    assert np.all(np.hypot(*xy.T) <= 1.0)
    assert len(edges) > 0 and np.all(edges[:, 0] < edges[:, 1]) and np.all(strength > 0)
    a, b = slots[edges[0]]
    assert pop.ties.matrix[a, b] > 0


def test_network_hidden_for_large_communities():
    versus = Versus(Setup(members=NETWORK_LIMIT + 500, compare=False))
    figure = network_chart(versus)
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert any("too many to draw" in t for t in texts)


# ---- the command -----------------------------------------------------------------------------------
def test_dashboard_help_and_bad_flags(capsys):
    from sim.cli.core import main

    with pytest.raises(SystemExit) as caught:
        main(["dashboard", "--help"])
    assert caught.value.code == 0
    assert "--port" in capsys.readouterr().out
    port = str(_free_port())
    for flags, message in (
        (["--port", port, "--sweep", "no-such-sweep.yaml"], "no-such-sweep.yaml"),
        (["--port", port, "--sweep", DEMO, "--scenario", DEMO], "--scenario and --sweep: give one"),
        (["--port", "70000"], "--port: got 70000; must be between 1 and 65535"),
        (["--port", "x"], "invalid int value: 'x'"),
        (["--host", "no.such.host.invalid"], "cannot listen on no.such.host.invalid"),
    ):
        with pytest.raises(SystemExit) as caught:
            main(["dashboard", *flags])
        assert caught.value.code == 2
        assert message in capsys.readouterr().err


def test_streak_controls_turn_streaks_on_and_set_the_reward_length(page):
    """Adding a streak reward turns streaks on (issue 16 item 11); its length is a slider."""
    page.find(v.Checkbox, label=LEVERS["incentives"].label).widget.v_model = True  # strategy A
    assert _shows(page, "streak rewards: 0")
    _click(page, "add streak reward")
    assert _shows(page, "streak rewards: 1")
    assert {"at streak (days): 7", "bonus points: 20"} <= _sliders(page)
    _slider(page, "at streak (days)").v_model = 5
    assert "at streak (days): 5" in _sliders(page) and not page.find(v.Alert).widgets
    assert page.find(v.Checkbox, label="with a streak badge").widgets
    assert page.find(v.Checkbox, label="streak rewards start over after the longest").widgets


def test_a_team_of_roles_replaces_the_pool_and_draws_its_hours(page):
    """Ticking "staff as a team of roles" shares the pool's hours among the roles of the levers in
    use; each role's hours are a slider, and the spend chart gains the team's hours per role."""
    page.find(v.Checkbox, label=LEVERS["onboarding"].label).widget.v_model = True  # strategy A
    pool = float(_slider(page, "staff hours per day").label.split(": ")[1])
    page.find(v.Checkbox, label="staff as a team of roles").widget.v_model = True
    sliders = _sliders(page)
    assert not any(s.startswith("staff hours per day") for s in sliders)
    assert f"community hours per day: {_shown_number(pool)}" in sliders
    _slider(page, "moderation hours per day").v_model = 2.5
    assert "moderation hours per day: 2.5" in _sliders(page)
    _click(page, "Reset")
    _click(page, "Step")
    assert _step(page) == app.RENDER_INTERVAL
    page.find(v.Checkbox, label="staff as a team of roles").widget.v_model = False
    assert f"staff hours per day: {_shown_number(pool + 2.5)}" in _sliders(page)


def _shown_number(value: float) -> str:
    return app._shown(value)


def test_the_spend_chart_shows_a_team_s_hours_per_role():
    from sim.levers.onboarding import Onboarding
    from sim.policies import Role, Team
    from sim.ui.charts import spend_chart

    onboarding = Onboarding(welcome_hours=1.0)  # an hour per welcome: 0.5 hours are short
    team = Strategy(team=Team(community=Role(hours_per_day=0.5)), onboarding=onboarding)
    versus = Versus(Setup(members=200, market_size=1000, compare=False, a=team))
    versus.step()
    assert len(spend_chart(versus).axes) == 3
    roles = spend_chart(versus).axes[2]
    assert roles.lines[0].get_label() == "A community"
    assert len(roles.lines) == 2  # used, and asked for
    pooled = Versus(Setup(members=200, market_size=1000, compare=False))
    pooled.step()
    assert len(spend_chart(pooled).axes) == 2


def _toggle(rc, value: str):
    """The toggle buttons offering ``value``, and its labels."""
    for toggle in rc.find(v.BtnToggle).widgets:
        labels = [button.children[0] for button in toggle.children]
        if value in labels:
            return toggle, labels
    raise AssertionError(f"no toggle offers {value!r}")


def test_a_lever_that_picks_members_can_be_aimed_at_roles_and_tiers(page):
    """Win-back ticked on, its audience selector aims it at core members (issue 16 item 2); the
    setting reaches the strategy (it survives a re-render and Reset runs it)."""
    page.find(v.Checkbox, label=LEVERS["winback"].label).widget.v_model = True  # strategy A
    toggle, labels = _toggle(page, "core")
    assert toggle.v_model == [] and labels == [
        "newcomer",
        "lurker",
        "occasional",
        "regular",
        "core",
    ]
    toggle.v_model = [labels.index("core")]
    assert _toggle(page, "core")[0].v_model == [labels.index("core")]
    assert not page.find(v.Alert).widgets
    _click(page, "Reset")
    _click(page, "Step")
    assert _step(page) == app.RENDER_INTERVAL


def test_an_audience_that_narrows_nothing_is_no_audience():
    assert app.audience_changed(None, "roles", ["core"]) == {"roles": ["core"]}
    aimed = Audience(roles=["core"])
    assert app.audience_changed(aimed, "roles", []) is None
    assert app.audience_changed(aimed, "posted", True)["posted"] is True
