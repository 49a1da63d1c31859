"""The trainers' dashboard: a Mesa SolaraViz page of strategy A beside strategy B.

    commsim dashboard                  # serves this page on http://127.0.0.1:8765/
    solara run sim.ui.app:Page            # the same, through Solara's own command

The sidebar sets up the community, the seed and the two strategies, or loads a lesson in one click;
Mesa's controls step, play and reset the ``sim.ui.dashboard.Versus`` model; the main area shows the
charts of ``sim.ui.charts`` and the B − A table. Only this module imports the UI stack.
"""

from __future__ import annotations

import os
from types import UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from sim.policies import LEVERS, Control, Strategy
from sim.ui.charts import CHARTS, kpi_table
from sim.ui.dashboard import LESSONS, Lesson, Setup, Versus, switched_on

SCENARIO_VARIABLE = "COMMSIM_DASHBOARD_SCENARIO"  # set by `commsim dashboard --scenario FILE`

TITLE = "commsim: strategy A versus strategy B"
PLAY_INTERVAL_MS = 20  # pause between batches of days while playing
RENDER_INTERVAL = 10  # days per Step, and between chart updates while playing
INTRODUCTION = (
    "A (blue) and B (orange) run on the same community with the same seed, day for day, so every "
    "difference between their curves is caused by the strategies. Set them up in the sidebar and "
    "press Reset, or pick a lesson."
)
TABLE_STYLE = "text-align: right; border-spacing: 12px 2px"
LESSON_BY_KEY = {lesson.key: lesson for lesson in LESSONS}


# ---- the main area: one component per chart, the lesson and the B − A table --------------------
def _chart(name: str, draw):
    @solara.component
    def Chart(model: Versus):
        update_counter.get()
        day = model.a.day
        figure = solara.use_memo(lambda: draw(model), [model, day])
        return solara.FigureMatplotlib(figure, dependencies=[model, day], format="png")

    Chart.__name__ = f"{name.title()}Chart"
    return Chart


@solara.component
def LessonCard(model: Versus):
    """What is running, in words: the lesson's two sentences, or how to read the page."""
    update_counter.get()
    lesson = LESSON_BY_KEY.get(model.setup.lesson)
    with solara.Card(lesson.title if lesson else "Strategy A versus strategy B") as card:
        solara.Text(lesson.explanation if lesson else INTRODUCTION)
        solara.HTML("p", f"Day <b>{model.a.day}</b> · seed {model.seed}")
    return card


@solara.component
def KpiTable(model: Versus):
    """The latest day's KPIs of A and B and their difference."""
    update_counter.get()
    cells = "".join(
        f"<tr><td>{label}</td><td>{a}</td><td>{b}</td><td>{diff}</td></tr>"
        for label, a, b, diff in kpi_table(model)
    )
    head = "<tr><th>KPI (latest day)</th><th>A</th><th>B</th><th>B − A</th></tr>"
    with solara.Card("A, B and B − A") as card:
        solara.HTML("table", head + cells, style=TABLE_STYLE)
    return card


COMPONENTS = [LessonCard, KpiTable, *(_chart(name, draw) for name, draw in CHARTS)]


# ---- the sidebar: community, seed, strategies, lessons --------------------------------------------
@solara.component
def LessonButtons(on_lesson):
    with solara.Card("Lessons: one click sets up A and B") as card:
        for lesson in LESSONS:
            solara.Button(
                lesson.title,
                on_click=lambda lesson=lesson: on_lesson(lesson),
                text=True,
                block=True,
            )
    return card


@solara.component
def CommunityInputs(setup: Setup, edit):
    with solara.Card("Community (applies at Reset)") as card:
        solara.SliderInt(
            "members",
            value=setup.members,
            min=200,
            max=20_000,
            step=100,
            on_value=lambda v: edit(setup, members=v),
        )
        solara.SliderInt(
            "potential members (market)",
            value=setup.market_size,
            min=0,
            max=100_000,
            step=1000,
            on_value=lambda v: edit(setup, market_size=v),
        )
        for field, label, top in (
            ("engaged", "engaged newcomers (share)", 0.8),
            ("experts", "expert newcomers (share)", 0.2),
            ("trolls", "troll newcomers (share)", 0.2),
        ):
            solara.SliderFloat(
                label,
                value=getattr(setup, field),
                min=0.0,
                max=top,
                step=0.01,
                on_value=lambda v, field=field: edit(setup, **{field: v}),
            )
        solara.Checkbox(
            label="broad community: 16 topics, 30% off-topic chatter",
            value=setup.broad,
            on_value=lambda v: edit(setup, broad=v),
        )
        solara.InputInt(
            "seed",
            value=setup.seed,
            on_value=lambda v: edit(setup, seed=max(v, 0)),
            continuous_update=True,  # a typed seed counts without leaving the field first
        )
        solara.Checkbox(
            label="Compare with B", value=setup.compare, on_value=lambda v: edit(setup, compare=v)
        )
    return card


@solara.component
def StrategyInputs(strategy: Strategy, edit):
    """The main settings of every lever of one strategy; a lever is used only when ticked."""
    solara.SliderFloat(
        "staff hours per day",
        value=strategy.hours_per_day,
        min=0,
        max=200,
        step=1,
        on_value=lambda v: edit(strategy, hours_per_day=v),
    )
    solara.SliderInt(
        "budget (money, whole run)",
        value=int(strategy.budget),
        min=0,
        max=50_000,
        step=500,
        on_value=lambda v: edit(strategy, budget=float(v)),
    )
    for key, kind in LEVERS.items():
        lever = getattr(strategy, key)
        solara.Checkbox(
            label=kind.label,
            value=lever is not None,
            on_value=lambda on, key=key: edit(strategy, **{key: switched_on(key) if on else None}),
        )
        if lever is not None:
            with solara.Column(style={"padding-left": "24px"}):
                LeverInputs(lever, edit)


@solara.component
def LeverInputs(lever, edit):
    """The lever's own controls (``Lever.controls``): a slider for a number, a checkbox for true or
    false, toggle buttons for a choice."""
    for control in type(lever).controls:
        ControlInput(lever, control, edit)


def _target(lever, path: str):
    """The object holding a control's setting and the setting's name (``calendar.0.every``: the
    first event, ``every``)."""
    *parents, name = path.split(".")
    target = lever
    for part in parents:
        target = target[int(part)] if part.isdigit() else getattr(target, part)
    return target, name


def _whole_number(kind) -> bool:
    """Whether a setting's type is a whole number (``int``, ``Day``, ``int | None``)."""
    kinds = [k for k in (get_args(kind) if get_origin(kind) in (Union, UnionType) else (kind,))]
    kinds = [get_args(k)[0] if get_origin(k) is Annotated else k for k in kinds]
    return int in kinds


@solara.component
def ControlInput(lever, control: Control, edit):
    target, name = _target(lever, control.field)
    info = type(target).model_fields[name]
    value = getattr(target, name)
    kind = info.annotation
    choices = get_args(kind) if get_origin(kind) is Literal else ()
    if kind is bool:
        solara.Checkbox(
            label=control.label, value=value, on_value=lambda v: edit(target, **{name: v})
        )
    elif choices:
        solara.ToggleButtonsSingle(
            value=value, values=list(choices), on_value=lambda v: edit(target, **{name: v})
        )
    else:
        whole = _whole_number(kind)
        low = getattr(target, control.low) if isinstance(control.low, str) else control.low
        shown = control.empty if value is None else value
        cast = int if whole else float

        def change(v, low=low):
            v = cast(v)
            edit(target, **{name: max(v, low) if isinstance(control.low, str) else v})

        (solara.SliderInt if whole else solara.SliderFloat)(
            control.label,
            value=cast(shown),
            min=low,
            max=control.high,
            step=control.step,
            on_value=change,
        )


# ---- the page ------------------------------------------------------------------------------------
def initial_setup() -> Setup:
    """The community of the scenario `commsim dashboard --scenario FILE` was given, else the default."""
    path = os.environ.get(SCENARIO_VARIABLE)
    return Setup.from_scenario(path) if path else Setup()


@solara.component
def Page():
    # Mesa 3.3's Reset rebuilds the model from the keyword arguments SolaraViz was mounted with, and
    # its inputs have no number field (a seed) and no presets; so the page keeps one Setup per
    # browser session, edited in place by the sidebar, and hands that object to SolaraViz: Reset
    # always builds what the inputs show.
    setup = solara.use_memo(initial_setup, [])
    revision = solara.use_reactive(0)  # bumped after an edit: redraws the inputs
    model = solara.use_reactive(solara.use_memo(lambda: Versus(setup), []))
    editing = solara.use_reactive("A")  # which strategy the sidebar shows
    revision.get()  # read here, so the page re-renders after every edit

    def edit(target, **changes):
        for field, value in changes.items():
            setattr(target, field, value)
        setup.lesson = None  # a changed set-up is no longer the lesson's
        revision.value += 1

    def start_lesson(lesson: Lesson):
        chosen = lesson.setup(seed=setup.seed)
        for field in Setup.model_fields:
            setattr(setup, field, getattr(chosen, field))
        model.value = Versus(setup)
        revision.value += 1
        force_update()

    with solara.Sidebar():
        LessonButtons(start_lesson)
        CommunityInputs(setup, edit)
        with solara.Card("Strategies (apply at Reset)"):
            solara.ToggleButtonsSingle(value=editing, values=["A", "B"])
            StrategyInputs(setup.a if editing.value == "A" else setup.b, edit)
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params={"setup": setup},
        play_interval=PLAY_INTERVAL_MS,
        render_interval=RENDER_INTERVAL,
        name=TITLE,
    )
