"""The generated pages of docs/: the scenario reference, its JSON Schema and the member states.

Every field's path, meaning, unit, default and allowed values come from the pydantic models that
validate scenario files (``sim.config.json_schema``), so the reference cannot drift from what
``commsim run`` accepts; the member states page comes from their declaration
(``sim.agents.STATES``). A test compares each committed file with a fresh rendering
(``GENERATED``). Regenerate them all from the repository root with::

    commsim schema --docs          # or: python -m sim.config.docs

>>> text = render_reference()
>>> "| `community.members` |" in text
True
>>> "| `loyalty` | float32 |" in render_states()
True
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sim.agents import STATES
from sim.config import json_schema, plain_number, resolve, schema_fields

REFERENCE_FILE = "docs/scenario-reference.md"
SCHEMA_FILE = "docs/scenario.schema.json"
STATES_FILE = "docs/member-states.md"
REGENERATE = "commsim schema --docs"

INTRO = f"""\
# Scenario reference

<!-- Generated from the scenario's JSON Schema by sim/config/docs.py; do not edit by hand.
     Regenerate: {REGENERATE} -->

Every field of a commsim scenario file: its path, meaning, unit, default and allowed values. Any
field may be left out and keeps its default; a section left empty (YAML null) means all its
defaults, except `strategy` and `uncertainties`, which are then absent. Within `strategy`, a
lever that is left out or null is not used, and a lever written as `{{}}` runs with its defaults.

Paths are dotted. `[]` stands for every item of a list (`member_mix[].share`) and `<name>` for
every key of a mapping (`strategy.content.formats.<name>.hours`: `<name>` is a format name such as
`video`). Ranges are inclusive unless marked `>` or `<`. A scenario is also checked across fields
(not shown below): topic counts and topic indices must fit `community.topics`, segment names must be
unique, a recurring event needs `every` and a one-off event `day`, and dates must be in order.

The JSON Schema itself ({SCHEMA_FILE}, or `commsim schema`) lets an editor complete and check
scenario files; with VS Code's YAML extension, start a file with
`# yaml-language-server: $schema=<path to>/{SCHEMA_FILE}`.
"""


def render_reference(schema: dict | None = None, intro: str = INTRO) -> str:
    """The Markdown reference of every scenario field, one table per section, list item and
    mapping value, in the order a scenario file has them (or of any such JSON Schema: the sweep
    file's is rendered the same way, ``sim.experiments.sweepdocs``)."""
    schema = schema or json_schema()
    groups: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for path, prop in schema_fields(schema):
        groups[_parent(path)].append((path, prop))
    described = {path: prop for path, prop in schema_fields(schema)}
    parts = [intro, "## Sections\n", _table(schema, groups.pop(""))]
    for parent, rows in groups.items():
        level = "##" if "." not in parent and "[" not in parent else "###"
        about = " ".join(describe(schema, described[_field_of(parent)]).split())
        parts.append(f"{level} `{parent}`\n")
        if about:
            parts.append(f"{about}\n")
        parts.append(_table(schema, rows))
    return "\n".join(parts)


def _parent(path: str) -> str:
    """``strategy.content`` for ``strategy.content.quality``; ``member_mix[]`` for
    ``member_mix[].share``; ``""`` for a section."""
    return path.rpartition(".")[0]


def _field_of(parent: str) -> str:
    """The field whose value holds a group's fields: ``member_mix`` for ``member_mix[]``."""
    while parent.endswith(("[]", ".<name>")):
        parent = parent.removesuffix("[]").removesuffix(".<name>")
    return parent


def _table(schema: dict, rows: list[tuple[str, dict]]) -> str:
    lines = [
        "| field | meaning | unit | default | allowed |",
        "|---|---|---|---|---|",
    ]
    for path, prop in rows:
        cells = (
            f"`{path}`",
            describe(schema, prop),
            prop.get("unit", ""),
            _default(schema, prop),
            _allowed(schema, prop),
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def describe(schema: dict, prop: dict) -> str:
    """A field's description, or else that of the section it holds (a lever's docstring)."""
    return prop.get("description") or resolve(schema, _item_of(schema, prop)).get("description", "")


def _item_of(schema: dict, prop: dict) -> dict:
    target = resolve(schema, prop)
    if target.get("type") == "array":
        return target["items"]
    if isinstance(target.get("additionalProperties"), dict):
        return target["additionalProperties"]
    return prop


def _default(schema: dict, prop: dict) -> str:
    if "default" not in prop:
        target = resolve(schema, prop)
        return "(section)" if "properties" in target else "required"
    default = prop["default"]
    if default is None:
        return "null (not used)" if "properties" in resolve(schema, prop) else "null"
    if isinstance(default, list) and default and all(isinstance(d, dict) for d in default):
        names = [d["name"] for d in default if "name" in d]
        listed = f": {', '.join(names)}" if names else ""
        return f"{len(default)} items{listed}"
    return f"`{_yaml(default)}`"


def _yaml(value: Any) -> str:
    """A value in YAML flow style, as a planner would write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return plain_number(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value) if value == "" else str(value)


def _allowed(schema: dict, prop: dict) -> str:
    nullable = any(k.get("type") == "null" for k in prop.get("anyOf", ()))
    text = _values(schema, resolve(schema, prop))
    return f"{text}, or null" if nullable else text


def _values(schema: dict, node: dict) -> str:
    """What a value may be: ``number, 0 to 1``, ``one of qa, sharing``, ``list of ...``."""
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type")
    if kind in ("number", "integer"):
        return ("whole number" if kind == "integer" else "number") + _range(node)
    if kind == "boolean":
        return "`true` or `false`"
    if kind == "string":
        return "text" + _range(node, "minLength", "maxLength", " characters")
    if kind == "array":
        item = _values(schema, resolve(schema, node["items"]))
        return f"list{_range(node, 'minItems', 'maxItems', ' items')}, each {item}"
    if "properties" in node:
        return "mapping, fields below"
    if isinstance(node.get("additionalProperties"), dict):
        value = _values(schema, resolve(schema, node["additionalProperties"]))
        keys = node.get("propertyNames", {}).get("enum")
        names = ", ".join(f"`{k}`" for k in keys) if keys else "any name"
        below = "fields below" if value == "mapping, fields below" else value
        return f"mapping of {names} to {below}"
    return "any value"


def _range(node: dict, low: str = "minimum", high: str = "maximum", unit: str = "") -> str:
    """``, 0 to 1``, ``, > 0 to 1000``, ``, at least 1``, or nothing."""
    start = node.get(low)
    start_text = None if start is None else plain_number(start)
    if start is None and "exclusiveMinimum" in node:
        start_text = f"> {plain_number(node['exclusiveMinimum'])}"
    end = node.get(high)
    end_text = None if end is None else plain_number(end)
    if end is None and "exclusiveMaximum" in node:
        end_text = f"< {plain_number(node['exclusiveMaximum'])}"
    if start_text is not None and end_text is not None:
        return f", {start_text} to {end_text}{unit}"
    if start_text is not None:
        return f", at least {start_text}{unit}" if start is not None else f", {start_text}{unit}"
    if end_text is not None:
        return f", at most {end_text}{unit}" if end is not None else f", {end_text}{unit}"
    return ""


def _cell(text: str) -> str:
    """One Markdown table cell: on one line, with no bare ``|``."""
    return " ".join(text.split()).replace("|", "\\|")


def render_schema() -> str:
    """The scenario's JSON Schema as committed in docs/scenario.schema.json."""
    return json.dumps(json_schema(), indent=2) + "\n"


STATES_INTRO = f"""\
# Member states

<!-- Generated from sim.agents.STATES by sim/config/docs.py; do not edit by hand.
     Regenerate: {REGENERATE} -->

What the population stores about each member: one numpy array per state, one row per member slot
(a member keeps its slot, its join order, for life), and for a per-topic state one column per topic.
Each state is declared once, in `sim.agents.STATES`; `Population` allocates and grows the arrays
from that declaration (`pop.loyalty`), and `Member` views read them (`model.member(0).loyalty`).

A *daily* state is a "today" channel: it is zeroed for every member at the start of each day
(`Population.start_day`, the only place it is reset) and filled during the day, so after a day it
holds that day's values. A *kept* state carries over from day to day.
"""


def render_states() -> str:
    """The Markdown table of every member state (docs/member-states.md), in declaration order."""
    lines = [
        "| state | dtype | per topic | daily or kept | meaning |",
        "|---|---|---|---|---|",
    ]
    for state in STATES:
        cells = (
            f"`{state.name}`",
            np.dtype(state.dtype).name,
            "yes" if state.per_topic else "",
            "daily" if state.daily else "kept",
            state.doc,
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return STATES_INTRO + "\n" + "\n".join(lines) + "\n"


# every generated page: its path in the repository and what renders it
GENERATED: dict[str, Callable[[], str]] = {
    REFERENCE_FILE: render_reference,
    SCHEMA_FILE: render_schema,
    STATES_FILE: render_states,
}


def write_docs(root: Path | str = ".") -> list[Path]:
    """Write every generated page under the repository folder ``root``; returns their paths."""
    written = []
    for name, render in GENERATED.items():
        path = Path(root) / name
        path.write_text(render(), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_docs():
        print(f"wrote {path}")
