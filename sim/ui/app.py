"""The trainers' dashboard: strategy A beside strategy B, built from Mesa's Solara components.

    commsim dashboard                  # serves this page on http://127.0.0.1:8765/
    commsim dashboard --sweep FILE     # the sweep's strategies as choices for A and B
    solara run sim.ui.app:Page         # the same, through Solara's own command

The sidebar sets up the community, the seeds and the two strategies, or loads a lesson in one
click; every control shows its value. Mesa's ``ModelController`` steps, plays and resets the
``sim.ui.dashboard.Versus`` model; the main area opens with B − A and the KPI table (both
downloadable as CSV), then the charts of ``sim.ui.charts``. The page is laid out here rather than
by Mesa's ``SolaraViz``, whose page tabs, grid and empty "Model Parameters" card mean nothing to a
trainer. Only this module imports the UI stack.
"""

from __future__ import annotations

import os
import warnings
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import solara
from pydantic import BaseModel

from sim.policies import LEVERS, Audience, Control, Strategy

with warnings.catch_warnings():
    # Mesa 3.3's ComponentsView (the page tabs, not used here) breaks Solara's rules of hooks, and
    # Solara says so at import; the components used here are sound
    warnings.filterwarnings("ignore", message=".*ComponentsView: `use_state`", category=UserWarning)
    from mesa.visualization.solara_viz import ModelController, ShowSteps
    from mesa.visualization.utils import update_counter
from sim.ui.charts import CHARTS, kpi_frame, kpi_table
from sim.ui.dashboard import (
    LESSONS,
    MAX_SEEDS,
    Lesson,
    Setup,
    Versus,
    role_changed,
    sweep_choices,
    switched_on,
    team_switched,
)
from sim.world.segments import ROLE_NAMES, TIER_NAMES

SCENARIO_VARIABLE = "COMMSIM_DASHBOARD_SCENARIO"  # set by `commsim dashboard --scenario FILE`
SWEEP_VARIABLE = "COMMSIM_DASHBOARD_SWEEP"  # set by `commsim dashboard --sweep FILE`

# The dashboard listens on this computer and is not embedded in another site's frame, so Solara's
# fallback to SameSite=lax session cookies over plain http is right; its seven-line warning on
# every page load would only teach trainers to ignore the terminal.
warnings.filterwarnings(
    "ignore", message="Cookies with samesite=none require https", category=UserWarning
)

TITLE = "commsim: strategy A versus strategy B"
PLAY_INTERVAL_MS = 20  # pause between batches of days while playing
RENDER_INTERVAL = 10  # days per Step, and between chart updates while playing
INTRODUCTION = (
    "A (blue) and B (orange) run on the same community with the same seeds, day for day, so every "
    "difference between their curves is caused by the strategies. Set them up in the sidebar and "
    "press Reset, or pick a lesson."
)
TABLE_STYLE = "text-align: right; border-spacing: 12px 2px; white-space: nowrap"
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
    setup = model.setup
    lesson = LESSON_BY_KEY.get(setup.lesson)
    with solara.Card(lesson.title if lesson else "Strategy A versus strategy B") as card:
        solara.Text(lesson.explanation if lesson else INTRODUCTION)
        if lesson and setup != lesson.setup(seed=setup.seed, seeds=setup.seeds):
            solara.Text(" (The set-up was changed since the lesson was loaded.)")
        seeds = (
            f"seed {model.seed}" if setup.seeds == 1 else f"{setup.seeds} seeds from {model.seed}"
        )
        solara.HTML("p", f"Day <b>{model.a.day}</b> · {seeds}")
    return card


@solara.component
def KpiTable(model: Versus):
    """The latest day's KPIs of A and B and their difference, and the CSV downloads."""
    update_counter.get()
    interval = " (95% interval)" if model.setup.seeds > 1 else ""
    cells = "".join(
        f"<tr><td>{label}</td><td>{a}</td><td>{b}</td><td>{diff}</td></tr>"
        for label, a, b, diff in kpi_table(model)
    )
    head = f"<tr><th>KPI (latest day)</th><th>A</th><th>B</th><th>B − A{interval}</th></tr>"
    day = model.a.day
    with solara.Card("A, B and B − A") as card:
        solara.HTML("table", head + cells, style=TABLE_STYLE)
        with solara.Row():
            for data, name, label in (
                (lambda: kpi_frame(model).to_csv(index=False), "b-minus-a", "B − A table"),
                (lambda: model.daily_table().to_csv(index=False), "run", "current run"),
            ):
                with solara.FileDownload(
                    data, filename=f"commsim-{name}-day{day}.csv", mime_type="text/csv"
                ):
                    solara.Button(f"{label} (CSV)", icon_name="mdi-download", text=True)
    return card


COMPONENTS = [LessonCard, KpiTable, *(_chart(name, draw) for name, draw in CHARTS)]
FirstChart, *OtherCharts = COMPONENTS[2:]


# ---- the sidebar: community, seeds, strategies, lessons -----------------------------------------
# Every input edits the set-up by path (``Setup.changed``); the page holds the set-up and hands each
# input its current value, so what a lesson or a sweep sets is what the inputs show.
SettingPath = tuple[str | int, ...]  # ("members",), ("b", "incentives", "badges", 0, "threshold")


def _shown(value) -> str:
    """A setting's value as a label shows it."""
    if value is None:
        return "none"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3f}".rstrip("0")
    return f"{value:,.0f}"


@solara.component
def Slider(label: str, value, low, high, step, on_value, whole: bool = True, empty=None):
    """A slider whose label shows its value (``empty`` is where it sits for an empty setting)."""
    kind = solara.SliderInt if whole else solara.SliderFloat
    cast = int if whole else float
    kind(
        f"{label}: {_shown(value)}",
        value=cast(empty if value is None else value),
        min=low,
        max=high,
        step=step,
        on_value=lambda v: on_value(cast(v)),
    )


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
        Slider("members", setup.members, 200, 20_000, 100, lambda v: edit(("members",), v))
        Slider(
            "potential members (market)",
            setup.market_size,
            0,
            100_000,
            1000,
            lambda v: edit(("market_size",), v),
        )
        for field, label, top in (
            ("engaged", "engaged newcomers (share)", 0.8),
            ("experts", "expert newcomers (share)", 0.2),
            ("trolls", "troll newcomers (share)", 0.2),
        ):
            Slider(
                label,
                getattr(setup, field),
                0.0,
                top,
                0.01,
                lambda v, field=field: edit((field,), v),
                whole=False,
            )
        solara.Checkbox(
            label="broad community: 16 topics, 30% off-topic chatter",
            value=setup.broad,
            on_value=lambda v: edit(("broad",), v),
        )
        Slider(
            "trending topic from day 30 (attention lift; 0: none)",
            setup.trend_lift,
            0.0,
            10.0,
            0.5,
            lambda v: edit(("trend_lift",), v),
            whole=False,
        )
        Slider(
            "competitor from day 60 (pull; 0: none)",
            setup.competitor_pull,
            0.0,
            1.0,
            0.05,
            lambda v: edit(("competitor_pull",), v),
            whole=False,
        )
        Slider(
            "one chat group with room for N newcomers (0: one forum, no groups)",
            setup.group_room,
            0,
            10_000,
            100,
            lambda v: edit(("group_room",), v),
        )
        solara.InputInt(
            "seed",
            value=setup.seed,
            on_value=lambda v: edit(("seed",), max(v, 0)),
            continuous_update=True,  # a typed seed counts without leaving the field first
        )
        Slider(
            "seeds per strategy (over 1: 95% bands)",
            setup.seeds,
            1,
            MAX_SEEDS,
            1,
            lambda v: edit(("seeds",), v),
        )
        solara.Checkbox(
            label="Compare with B", value=setup.compare, on_value=lambda v: edit(("compare",), v)
        )
    return card


@solara.component
def StrategiesCard(setup: Setup, choices: dict[str, Strategy], edit):
    """Strategy A or B (a toggle picks which), and with a sweep, its strategies to load."""
    editing = solara.use_reactive("A")
    key = editing.value.lower()
    strategy = getattr(setup, key)
    with solara.Card("Strategies (apply at Reset)") as card:
        solara.ToggleButtonsSingle(value=editing, values=["A", "B"])
        if choices:
            loaded = next((name for name, s in choices.items() if s == strategy), None)
            solara.Select(
                f"load {editing.value} from the sweep",
                value=loaded,
                values=list(choices),
                on_value=lambda name: edit((key,), choices[name].model_dump()),
            )
        StrategyInputs(strategy, (key,), edit)
    return card


@solara.component
def StrategyInputs(strategy: Strategy, path: SettingPath, edit):
    """The main settings of every lever of one strategy; a lever is used only when ticked."""
    solara.Checkbox(
        label="staff as a team of roles",
        value=strategy.team is not None,
        on_value=lambda on: edit(path, team_switched(strategy, on)),
    )
    if strategy.team is None:
        Slider(
            "staff hours per day",
            strategy.hours_per_day,
            0,
            200,
            1,
            lambda v: edit((*path, "hours_per_day"), v),
            whole=False,
        )
    else:
        TeamInputs(strategy, path, edit)
    Slider(
        "budget (money, whole run)",
        strategy.budget,
        0,
        50_000,
        500,
        lambda v: edit((*path, "budget"), float(v)),
    )
    for key, kind in LEVERS.items():
        lever = getattr(strategy, key)
        solara.Checkbox(
            label=kind.label,
            value=lever is not None,
            on_value=lambda on, key=key: edit(
                (*path, key), switched_on(key).model_dump() if on else None
            ),
        )
        if lever is not None:
            with solara.Column(style={"padding-left": "24px"}):
                LeverInputs(lever, (*path, key), edit)


@solara.component
def TeamInputs(strategy: Strategy, path: SettingPath, edit):
    """Each role's hours per day and hourly cost, and whether roles lend spare hours."""
    with solara.Column(style={"padding-left": "24px"}):
        for name, role in strategy.team.roles().items():
            Slider(
                f"{name} hours per day",
                role.hours_per_day,
                0,
                40,
                0.5,
                lambda v, name=name: edit(
                    (*path, "team", name), role_changed(strategy, name, "hours_per_day", v)
                ),
                whole=False,
            )
            Slider(
                f"{name} cost per hour",
                role.hourly_cost,
                0,
                100,
                5,
                lambda v, name=name: edit(
                    (*path, "team", name), role_changed(strategy, name, "hourly_cost", v)
                ),
                whole=False,
            )
        solara.Checkbox(
            label="roles lend spare hours",
            value=strategy.team.lend_spare_hours,
            on_value=lambda on: edit((*path, "team", "lend_spare_hours"), on),
        )


@solara.component
def LeverInputs(lever, path: SettingPath, edit):
    """The lever's own controls (``Lever.controls``) and, for a lever that picks members, whom
    it is aimed at (``AudienceInput``)."""
    for control in type(lever).controls:
        ControlInput(lever, control, path, edit)
    if type(lever).aims:
        AudienceInput(lever.audience, (*path, "audience"), edit)


POSTED = {"anyone": None, "posted": True, "never posted": False}


def audience_changed(audience: Audience | None, setting: str, value) -> dict | None:
    """The audience (as data) with ``setting`` set to ``value``; None (no audience) once it
    narrows nothing."""
    data = {**(audience.model_dump() if audience is not None else {}), setting: value}
    return data if any(v not in ([], None) for v in data.values()) else None


@solara.component
def AudienceInput(audience: Audience | None, path: SettingPath, edit):
    """Whom the lever is aimed at: roles and value tiers (any of those ticked; none ticked:
    any), and whether members have posted (``sim.policies.Audience``)."""
    current = audience or Audience()
    # dense buttons that wrap within the sidebar: five roles side by side would overflow it
    wrap = {"flex-wrap": "wrap", "max-width": "100%"}
    for setting, label, values in (
        ("roles", "aimed at roles", list(ROLE_NAMES)),
        ("tiers", "aimed at value tiers", list(TIER_NAMES)),
    ):
        solara.Text(f"{label}:")
        solara.ToggleButtonsMultiple(
            value=list(getattr(current, setting)),
            values=values,
            on_value=lambda v, setting=setting: edit(path, audience_changed(audience, setting, v)),
            dense=True,
            style=wrap,
        )
    shown = next(label for label, value in POSTED.items() if value == current.posted)
    solara.Text("aimed at members who:")
    solara.ToggleButtonsSingle(
        value=shown,
        values=list(POSTED),
        on_value=lambda v: edit(path, audience_changed(audience, "posted", POSTED[v])),
        dense=True,
        style=wrap,
    )


def _parts(field: str) -> SettingPath:
    return tuple(int(part) if part.isdigit() else part for part in field.split("."))


def _value(obj, parts: SettingPath):
    """The setting at ``parts`` inside ``obj`` (None where a mapping lacks the key)."""
    for part in parts:
        if isinstance(obj, dict):
            obj = obj.get(part)
        elif isinstance(obj, list):
            obj = obj[part]
        else:
            obj = getattr(obj, part)
    return obj


def _annotation(kind, parts: SettingPath):
    """The declared type of the setting at ``parts`` inside settings class ``kind``."""
    for part in parts:
        kind = _plain(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            kind = kind.model_fields[part].annotation
        else:  # list[item] or dict[key, item]
            kind = get_args(kind)[-1]
    return _plain(kind)


def _plain(kind):
    """``kind`` without ``None`` and ``Annotated`` (``Day | None`` -> ``int``)."""
    if get_origin(kind) in (Union, UnionType):
        kind = next(k for k in get_args(kind) if k is not type(None))
    return get_args(kind)[0] if get_origin(kind) is Annotated else kind


@solara.component
def ControlInput(lever, control: Control, path: SettingPath, edit):
    """One control, chosen from the setting's type: a checkbox for true or false, toggle buttons
    for a choice, a slider for a number, a comma-separated field for a list of numbers, and for a
    list of settings (``control.each``) the controls of each item with Add and Remove."""
    parts = _parts(control.field)
    value = _value(lever, parts)
    kind = _annotation(type(lever), parts)
    where = (*path, *parts)

    def change(v):
        edit(where, v)

    if control.each:
        ListInput(value, control, where, kind, edit)
    elif kind is bool:
        solara.Checkbox(label=control.label, value=value, on_value=change)
    elif get_origin(kind) is Literal:
        with solara.Row(style={"align-items": "center"}):
            solara.Text(f"{control.label}:")
            solara.ToggleButtonsSingle(value=value, values=list(get_args(kind)), on_value=change)
    elif get_origin(kind) is list:
        NumbersInput(control.label, value, change)
    else:
        parent = _value(lever, parts[:-1])
        low = _value(parent, (control.low,)) if isinstance(control.low, str) else control.low
        whole = _plain(kind) is int
        Slider(
            control.label,
            value,
            low,
            control.high,
            control.step,
            change,
            whole=whole,
            empty=control.empty,
        )


@solara.component
def NumbersInput(label: str, values: list, on_value):
    """A list of numbers as one comma-separated field (rank thresholds)."""
    text = ", ".join(_shown(v).replace(",", "") for v in values)

    def parse(typed: str):
        try:
            on_value([float(part) for part in typed.replace(";", ",").split(",") if part.strip()])
        except ValueError:
            on_value(typed)  # rejected by validation, with the field named

    solara.InputText(f"{label} (comma-separated)", value=text, on_value=parse)


@solara.component
def ListInput(items: list, control: Control, path: SettingPath, kind, edit):
    """Each item's controls (``control.each``), a Remove button per item and an Add button."""
    item_kind = get_args(kind)[0]
    solara.Text(f"{control.label}: {len(items)}")
    for index, item in enumerate(items):
        with solara.Column(style={"padding-left": "12px"}):
            for sub in control.each:
                ControlInput(item, sub, (*path, index), edit)
            solara.Button(
                f"remove {control.label.rstrip('s')} {index + 1}",
                text=True,
                on_click=lambda index=index: edit(
                    path, [i.model_dump() for j, i in enumerate(items) if j != index]
                ),
            )
    new = item_kind.model_validate(control.new).model_dump()
    solara.Button(
        f"add {control.label.rstrip('s')}",
        text=True,
        on_click=lambda: edit(path, [i.model_dump() for i in items] + [new]),
    )


# ---- the page ------------------------------------------------------------------------------------
def initial_setup() -> tuple[Setup, dict[str, Strategy]]:
    """The set-up to start from, and the strategies A and B can load: a sweep's (`commsim
    dashboard --sweep FILE`), a scenario's community (`--scenario FILE`), or the default."""
    sweep = os.environ.get(SWEEP_VARIABLE)
    if sweep:
        return sweep_choices(sweep)
    path = os.environ.get(SCENARIO_VARIABLE)
    return (Setup.from_scenario(path) if path else Setup()), {}


@solara.component
def Page():
    first, choices = solara.use_memo(initial_setup, [])
    setup = solara.use_reactive(first)  # what the inputs show; Reset builds it
    model = solara.use_reactive(solara.use_memo(lambda: Versus(first), []))
    # Mesa's Reset builds Versus(**parameters): kept equal to the set-up the inputs show
    parameters = solara.use_reactive({"setup": first})
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(RENDER_INTERVAL)
    use_threads = solara.use_reactive(False)
    problem = solara.use_reactive("")  # why the last edit was refused

    def change(new: Setup):
        setup.value = new
        parameters.value = {"setup": new}

    def edit(path: SettingPath, value: Any):
        try:
            change(setup.value.changed(path, value))
            problem.value = ""
        except ValueError as exc:
            problem.value = str(exc)

    def start_lesson(lesson: Lesson):
        chosen = lesson.setup(seed=setup.value.seed, seeds=setup.value.seeds)
        change(chosen)
        model.value = Versus(chosen)

    solara.Title(TITLE)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar():
        LessonButtons(start_lesson)
        if problem.value:
            solara.Error(problem.value)
        CommunityInputs(setup.value, edit)
        StrategiesCard(setup.value, choices, edit)
    with solara.Column():
        with solara.Card():
            with solara.Row(style={"align-items": "center"}):
                ModelController(
                    model,
                    model_parameters=parameters,
                    play_interval=play_interval,
                    render_interval=render_interval,
                    use_threads=use_threads,
                )
                ShowSteps(model.value)
                Slider(
                    "days per Step",
                    render_interval.value,
                    1,
                    60,
                    1,
                    render_interval.set,
                )
        LessonCard(model.value)
        with solara.Columns([1, 1]):
            FirstChart(model.value)
            KpiTable(model.value)
        with solara.ColumnsResponsive(12, large=6):
            for chart in OtherCharts:
                chart(model.value)
