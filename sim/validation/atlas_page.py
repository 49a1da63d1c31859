"""The atlas page: ``atlas.csv`` (one line per row and outcome), ``atlas.md`` (summary counts, the
contradictions with their explanations, the whole table, each row's reasons) and ``atlas.png``
(standardized effects, coloured by the expected sign).

The figure plots each paired difference divided by the standard deviation of the paired
differences over seeds (Cohen's d_z; its 95% interval is the t-interval on that scale), so
outcomes of different units share one axis; a point far from 0 is an effect the seeds resolve.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from sim.experiments.report import Block, render_markdown
from sim.validation.atlas import (
    AGREES,
    CONTRADICTS,
    MISSING,
    QUICK_NOTE,
    UNRESOLVED,
    Atlas,
    Effect,
)
from sim.validation.atlas_rows import ALL_ON, OUTCOME_LABELS, OUTCOMES, SETUP

SYMBOL = {AGREES: "✓", CONTRADICTS: "✗", UNRESOLVED: "·", MISSING: "–"}
COLOUR = {"+": "#1b9e77", "-": "#d95f02", "0": "#7f7f7f", "?": "#7570b3"}
SHORT = {
    "members_end": "members",
    "dau_last30": "DAU",
    "retention_30": "r(30) pts",
    "retention_90": "r(90) pts",
    "posts_per_day": "posts/day",
    "money_spent": "money",
}
SHARES = ("retention_30", "retention_90")  # shown in percentage points


def write_page(atlas: Atlas, folder: str | Path, command: str) -> Path:
    """Write ``atlas.csv``, ``atlas.png`` and ``atlas.md`` into ``folder``; returns the page."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    atlas.table().to_csv(folder / "atlas.csv", index=False)
    figure = _figure(atlas)
    FigureCanvasAgg(figure)
    figure.savefig(folder / "atlas.png", dpi=90, bbox_inches="tight")
    page = folder / "atlas.md"
    page.write_text(render_markdown(_blocks(atlas, command)), encoding="utf-8")
    return page


def copy_to_docs(folder: str | Path, docs: str | Path = "docs") -> list[Path]:
    """Copy the page, its figure and its table into ``docs`` (the committed atlas)."""
    docs = Path(docs)
    docs.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in ("atlas.md", "atlas.png", "atlas.csv"):
        copied.append(Path(shutil.copyfile(Path(folder) / name, docs / name)))
    return copied


def _value(effect: Effect, value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if effect.outcome in SHARES:
        value *= 100
    return f"{value:+.3g}" if abs(value) < 1000 else f"{value:+,.0f}"


def _cell(effect: Effect) -> str:
    low, high = effect.ci
    return (
        f"{effect.expected} {SYMBOL[effect.verdict]} {_value(effect, effect.mean)} "
        f"[{_value(effect, low)}, {_value(effect, high)}]"
    )


def _blocks(atlas: Atlas, command: str) -> list[Block]:
    counts = atlas.counts()
    signed = [e for e in atlas.effects if e.expected in ("+", "-")]
    signed_counts = {v: sum(e.verdict == v for e in signed) for v in counts}
    moved = [e for e in atlas.effects if e.moved]
    mode = "quick" if atlas.quick else "full"
    setup = (
        f"{SETUP['community']['members']:,} founders, a market of "
        f"{SETUP['arrivals']['market_size']:,}, {SETUP['run']['days']} days"
    )
    blocks = [
        Block("heading", "The sign atlas: does the model move each outcome the expected way?", 1),
        Block(
            "text",
            "The model's own table of expected effects (`sim/validation/atlas_rows.py`, committed "
            "before anything was measured), measured with paired seeds. Each row is arm A versus "
            "arm B on the same seeds; the cell is the expected sign of B - A, the verdict "
            f"({SYMBOL[AGREES]} agrees, {SYMBOL[CONTRADICTS]} contradicts, {SYMBOL[UNRESOLVED]} "
            f"not resolved, {SYMBOL[MISSING]} not measured), the mean paired difference and its "
            "95% t-interval over seeds. Agrees: the interval excludes 0 on the expected side, or "
            "the expectation is `0` (should not move) or `?` (no expectation, reason given). "
            "Contradicts: the interval excludes 0 on the other side. Not resolved: it covers 0. "
            "Retention differences are in percentage points.",
        ),
        Block(
            "text",
            f"Command: `{command}`; mode: {mode}; setting: {setup} (issue 14's planner set-up), "
            f"{atlas.replications} paired seeds; {len(atlas.rows)} rows, {atlas.runs} distinct "
            f"runs (identical arms run once), {atlas.run_seconds / 60:.1f} worker-minutes of "
            f"stored runs; this call took {atlas.seconds / 60:.1f} minutes"
            + (
                f"; **{atlas.failed_runs} run(s) failed** (failures.jsonl)"
                if atlas.failed_runs
                else ""
            )
            + ".",
        ),
        Block(
            "text",
            f"**{len(atlas.effects)} cells: {counts[AGREES]} agree, {counts[CONTRADICTS]} "
            f"contradict, {counts[UNRESOLVED]} not resolved, {counts[MISSING]} not measured.** "
            f"Of the {len(signed)} cells with an expected direction (`+` or `-`): "
            f"{signed_counts[AGREES]} agree, {signed_counts[CONTRADICTS]} contradict, "
            f"{signed_counts[UNRESOLVED]} not resolved. Cells expected not to move (`0`) that "
            f"moved: {len(moved)}.",
        ),
    ]
    if atlas.quick:
        blocks.append(Block("text", QUICK_NOTE))
    blocks += _contradictions(atlas)
    blocks += [
        Block("heading", "The table"),
        Block("table", _matrix(atlas)),
        Block("figure", ("standardized effects (d_z) with 95% intervals", "atlas.png")),
        Block(
            "text",
            "The figure: each paired difference over the standard deviation of the paired "
            "differences (d_z), with its 95% interval; colour is the expected sign (green +, "
            "orange -, grey 0, purple ?), a cross marks a contradiction.",
        ),
        Block("heading", "Rows: arms and reasons"),
        Block("text", _reasons(atlas)),
    ]
    if moved:
        blocks += [
            Block("heading", "Expected not to move, but moved"),
            Block(
                "text",
                "\n".join(
                    f"- {e.row}: {OUTCOME_LABELS[e.outcome]} {_cell(e)} ({e.reason})" for e in moved
                ),
            ),
        ]
    return blocks


def _contradictions(atlas: Atlas) -> list[Block]:
    """Contradictions grouped by row: the measured cells, then each distinct reason and
    explanation once."""
    found = atlas.contradictions()
    if not found:
        return [Block("heading", "Contradictions: none")]
    by_row: dict[str, list[Effect]] = {}
    for effect in found:
        by_row.setdefault(effect.row, []).append(effect)
    lines = []
    for row, cells in by_row.items():
        measured = "; ".join(
            f"{OUTCOME_LABELS[e.outcome]} expected `{e.expected}`, measured "
            f"{_cell(e).split(' ', 2)[2]} (A: {_value(e, e.a_mean).lstrip('+')})"
            for e in cells
        )
        line = f"- **{row}**: {measured}."
        for reason in dict.fromkeys(e.reason for e in cells):
            line += f" Expected because: {reason}."
        explanations = list(dict.fromkeys(e.explained for e in cells))
        for text in explanations:
            line += f" **Explained:** {text}" if text else " **Not yet explained.**"
        lines.append(line)
    heading = f"Contradictions ({len(found)} cells in {len(by_row)} rows)"
    return [Block("heading", heading), Block("text", "\n".join(lines))]


def _matrix(atlas: Atlas):
    import pandas as pd

    by_row: dict[str, dict[str, str]] = {}
    for e in atlas.effects:
        by_row.setdefault(e.row, {})[SHORT[e.outcome]] = _cell(e)
    frame = pd.DataFrame.from_dict(by_row, orient="index")
    frame = frame[[SHORT[o] for o in OUTCOMES if SHORT[o] in frame]]
    frame.index.name = "row"
    return frame


def _reasons(atlas: Atlas) -> str:
    import json

    lines = []
    for row in atlas.rows:
        arms = f"A `{_shown(row.a)}`, B `{_shown(row.b)}`"
        if row.base:
            base = {
                k: ("(noisy member mix)" if k == "member_mix" else v) for k, v in row.base.items()
            }
            arms = f"base `{json.dumps(base)}`; " + arms
        signs = " ".join(row.expect.split())
        text = f"- **{row.name}** ({signs}; {arms}): {row.why}."
        own = {o: r for o, r in row.because.items()}
        for outcome, reason in own.items():
            text += f" {OUTCOME_LABELS[outcome]}: {reason}."
        text += f" Money: {row.reason('money_spent')}."
        if row.flag:
            text += f" **Flag:** {row.flag}."
        if row.revised:
            text += f" **Revised:** {row.revised}."
        lines.append(text)
    return "\n".join(lines)


def _shown(arm: dict) -> str:
    """An arm as JSON, with the every-lever-on strategy of the cuts named rather than spelt out."""
    import json

    text = json.dumps(arm)
    return text.replace(json.dumps(ALL_ON)[1:-1], '"(every lever on)": "ALL_ON"')


SYMLOG_TICKS = (-1000, -100, -10, -2, 0, 2, 10, 100, 1000)


def _figure(atlas: Atlas) -> Figure:
    rows = [row.name for row in atlas.rows]
    height = max(3.0, 0.2 * len(rows) + 1.2)
    figure = Figure(figsize=(2.3 * len(OUTCOMES) + 3.2, height))
    axes = figure.subplots(1, len(OUTCOMES), sharey=True)
    where = {name: i for i, name in enumerate(rows)}
    for ax, outcome in zip(np.atleast_1d(axes), OUTCOMES, strict=True):
        ax.axvline(0, color="black", lw=0.6)
        for e in (e for e in atlas.effects if e.outcome == outcome):
            y = where[e.row]
            sd = e.sd
            if not np.isfinite(sd) or sd == 0:
                ax.plot(0, y, marker="|", color=COLOUR[e.expected], ms=5)
                continue
            low, high = e.ci
            colour = COLOUR[e.expected]
            ax.plot([low / sd, high / sd], [y, y], color=colour, lw=1.2)
            marker = "X" if e.verdict == CONTRADICTS else "o"
            ax.plot(e.mean / sd, y, marker=marker, color=colour, ms=5 if marker == "o" else 7)
        ax.set_title(OUTCOME_LABELS[outcome], fontsize=8)
        ax.set_xscale("symlog", linthresh=2)
        # symmetric limits and a few round ticks: the default symlog ticks overlap when every
        # effect is small
        limit = max(5.0, *np.abs(ax.get_xlim()))
        ax.set_xlim(-limit, limit)
        ticks = [t for t in SYMLOG_TICKS if abs(t) <= limit]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    first = np.atleast_1d(axes)[0]
    first.set_yticks(range(len(rows)))
    first.set_yticklabels(rows, fontsize=6.5)
    first.invert_yaxis()
    figure.supxlabel("standardized effect d_z (symlog scale)", fontsize=8)
    return figure
