"""The dashboard page, rendered in-process with ``solara.render``: controls, charts, Step, Reset,
the seed input, lessons; and the models and charts behind it (``sim.ui.dashboard``, ``sim.ui.charts``)."""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pytest
import solara

from sim.levers.onboarding import Onboarding
from sim.policies import LEVERS, Strategy
from sim.ui import app
from sim.ui.charts import CHARTS, NETWORK_LIMIT, lorenz, network_chart, tie_layout
from sim.ui.dashboard import LESSONS, Setup, Versus


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
    page.find(v.Slider, label="members").widget.v_model = 800
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


# ---- the models and charts behind the page --------------------------------------------------------
def test_versus_steps_both_arms_with_common_random_numbers():
    same = Strategy(onboarding=Onboarding())
    versus = Versus(Setup(members=300, market_size=1500, a=same, b=same.model_copy(deep=True)))
    for _ in range(20):
        versus.step()
    a, b = versus.series()["A"], versus.series()["B"]
    assert versus.a.day == versus.b.day == versus.steps == 20
    assert a.equals(b)  # the same strategy on the same seed: identical, day for day


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
    for flags, message in (
        (["--port", "70000"], "--port: got 70000; must be between 1 and 65535"),
        (["--port", "x"], "invalid int value: 'x'"),
        (["--host", "no.such.host.invalid"], "cannot listen on no.such.host.invalid"),
    ):
        with pytest.raises(SystemExit) as caught:
            main(["dashboard", *flags])
        assert caught.value.code == 2
        assert message in capsys.readouterr().err
