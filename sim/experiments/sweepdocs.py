"""The sweep file's reference (docs/sweep-reference.md) and JSON Schema (docs/sweep.schema.json),
generated from the pydantic models that validate sweep files (``sim.experiments.sweep``), as the
scenario's are (``sim.config.docs``); a test compares the committed files with fresh renderings.
Regenerate them with::

    commsim schema --docs      # every generated page of docs/

>>> "| `design.kind` |" in render_sweep_reference()
True
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.config.docs import REFERENCE_FILE as SCENARIO_REFERENCE
from sim.config.docs import render_reference
from sim.experiments.sweep import (
    DEFAULT_SAMPLES,
    KPIS,
    MAX_PLANNED_RUNS,
    SERIES_LABELS,
    SweepFile,
)
from sim.model import daily_series

SWEEP_REFERENCE_FILE = "docs/sweep-reference.md"
SWEEP_SCHEMA_FILE = "docs/sweep.schema.json"
REGENERATE_SWEEP = "commsim schema --docs"

SCENARIO_LINK = SCENARIO_REFERENCE.removeprefix("docs/")  # both files live in docs/
INTRO = f"""\
# Sweep file reference

<!-- Generated from the sweep file's JSON Schema by sim/experiments/sweepdocs.py; do not edit by
     hand. Regenerate: {REGENERATE_SWEEP} -->

Every field of a commsim sweep file (`commsim sweep FILE`): strategies compared over a design of
scenario fields, with replications. `scenario` holds changes to the base scenario and each strategy
changes to its `strategy` section, written as in a scenario file (the
[scenario reference]({SCENARIO_LINK})). A design factor is a dotted path to one scenario field
(`arrivals.marketing_p`, `strategy.incentives.points.post`); a list item (`member_mix.0.share`)
cannot be one, and a lever factor applies only to strategies that use that lever.

Everything is checked before anything runs or is written: every strategy at every design point,
the base file, windows against `run.days`, the KPIs. At most {MAX_PLANNED_RUNS:,} runs may be planned
(design points x strategies x replications) unless `commsim sweep --max-runs N` says otherwise.
Samples default to {", ".join(f"{k} {v}" for k, v in DEFAULT_SAMPLES.items())}; a `grid` factor
takes `values` or `low`/`high` with `levels`, every other design `low`/`high`.

The JSON Schema ({SWEEP_SCHEMA_FILE}, or `commsim schema --sweep`) lets an editor complete and check
sweep files (VS Code: `# yaml-language-server: $schema=<path to>/{SWEEP_SCHEMA_FILE}`).
"""


def sweep_json_schema() -> dict:
    """The JSON Schema of sweep files, with the defaults pydantic leaves out (those made by a
    factory) and the KPI names."""
    schema = SweepFile.model_json_schema()
    defaults = SweepFile(name="x").model_dump(mode="json")
    for name, prop in schema["properties"].items():
        if name not in schema.get("required", []) and "default" not in prop:
            prop["default"] = defaults[name]
    schema["properties"]["kpis"]["description"] += (
        ": one of " + ", ".join(KPIS) + "; or SERIES@WINDOW with SERIES one of "
        + ", ".join(daily_series())
    )  # fmt: skip
    return schema


def render_sweep_reference() -> str:
    """The Markdown reference of every sweep file field, then the KPIs it may name."""
    text = render_reference(sweep_json_schema(), INTRO)
    rows = [f"| `{name}` | {kpi.label} | {'share' if kpi.share else ''} |" for name, kpi in
            KPIS.items()]  # fmt: skip
    series = ", ".join(
        f"`{name}`" + (f" ({SERIES_LABELS[name]})" if name in SERIES_LABELS else "")
        for name in daily_series()
    )
    return (
        text.rstrip("\n")
        + "\n\n## KPIs\n\nA run summary KPI by name:\n\n| KPI | meaning | kind |\n|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nor `SERIES@WINDOW`: the mean of a daily series over a named window (`dau@after`), "
        f"with SERIES one of {series}.\n"
    )


def write_sweep_docs(root: Path | str = ".") -> list[Path]:
    """Write the sweep file's reference and JSON Schema under the repository folder ``root``."""
    pages = {
        SWEEP_REFERENCE_FILE: render_sweep_reference(),
        SWEEP_SCHEMA_FILE: json.dumps(sweep_json_schema(), indent=2) + "\n",
    }
    for name, text in pages.items():
        (Path(root) / name).write_text(text, encoding="utf-8")
    return [Path(root) / name for name in pages]
