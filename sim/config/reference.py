"""The JSON Schema of a scenario file, with units, and a walk over its fields (for the docs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, NoDefault
from pydantic_core import core_schema

from sim.config.schema import Scenario

# Units of the fields that have one, by schema path (``[]``: every list item, ``<name>``: every key
# of a mapping). ``test_scenario`` checks that every path is a field, so a renamed field fails there.
UNITS = {
    "community.members": "members",
    "community.topics": "topics",
    "arrivals.market_size": "people",
    "arrivals.marketing_p": "share per day",
    "arrivals.word_of_mouth_q": "share per day",
    "member_mix[].visit": "probability per day",
    "member_mix[].post": "threads per visit",
    "member_mix[].reply": "replies per visit",
    "member_mix[].react": "reactions per visit",
    "member_mix[].invite": "invitations per visit",
    "member_mix[].read_budget": "items per visit",
    "member_mix[].favourite_topics": "topics",
    "behaviour.novelty": "probability per day",
    "behaviour.reply_pull": "probability per day",
    "behaviour.bond_scale": "tie strength",
    "behaviour.reply_bond": "tie strength",
    "behaviour.fun_scale": "reactions",
    "behaviour.loyalty_rate": "share per visit",
    "behaviour.forget_rate": "share per day",
    "behaviour.interest_rate": "share per visit",
    "behaviour.topic_drift": "share per visit",
    "behaviour.drive_gain": "drive per reply",
    "behaviour.drive_decay": "share per day",
    "behaviour.tie_gain": "tie strength per reply",
    "behaviour.tie_decay": "share per day",
    "behaviour.tie_prune": "tie strength",
    "behaviour.quit_rate": "probability per day",
    "behaviour.inactivity_limit": "days",
    "behaviour.attention_bond": "tie strength",
    "behaviour.event_ties": "ties per attendee",
    "behaviour.crowd_out_rate": "share per day",
    "behaviour.lure_rate": "probability per day",
    "uncertainties.competitor.start": "day of the run",
    "uncertainties.seasonality.peak_day": "day of the year",
    "uncertainties.trend.day": "day of the run",
    "uncertainties.trend.topic": "topic index (0 = first)",
    "uncertainties.trend.duration": "days",
    "run.days": "days",
}


class _SchemaWithDefaults(GenerateJsonSchema):
    """Pydantic's JSON Schema, also showing defaults made by a factory (``member_mix``, a content
    lever's ``formats``, the points per action), which pydantic leaves out; a whole section's
    default is left to its fields."""

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            value = factory()
            return NoDefault if isinstance(value, BaseModel) else value
        return super().get_default_value(schema)


def json_schema() -> dict:
    """The JSON Schema of a scenario file, with every field's description, default, bounds and
    allowed values, and a ``unit`` where there is one (``UNITS``).

    ``commsim schema`` prints it; an editor given it (``# yaml-language-server: $schema=...`` at the
    top of a file, with VS Code's YAML extension) completes and checks scenario files. It describes
    the same rules ``parse_scenario`` applies, except the checks across fields.
    """
    schema = Scenario.model_json_schema(schema_generator=_SchemaWithDefaults)
    schema["title"] = "commsim scenario"
    schema["description"] = (
        "An online community, its newcomers and their behaviour, optionally the operator's "
        "strategy and the world's uncertainties, and the run's length and seed. "
        "Every key may be left out: it keeps its default."
    )
    for name, prop in schema["properties"].items():
        if "$ref" in prop:  # an empty section (YAML null) means all its defaults
            schema["properties"][name] = {
                "anyOf": [{"$ref": prop.pop("$ref")}, {"type": "null"}],
                **prop,
            }
    for path, prop in schema_fields(schema):
        if path in UNITS:
            prop["unit"] = UNITS[path]
    return schema


def schema_fields(schema: dict) -> Iterator[tuple[str, dict]]:
    """Every field of the scenario schema, parents before children: ``(path, field schema)``.

    Paths are dotted; ``[]`` stands for every item of a list (``member_mix[].share``) and
    ``<name>`` for every key of a mapping (``strategy.content.formats.<name>.hours``).
    """
    return _fields_of(schema, schema, "")


def resolve(schema: dict, node: dict) -> dict:
    """The schema a field's value must match, with ``$ref`` followed and an ``or null`` dropped."""
    kinds = [k for k in node.get("anyOf", ()) if k.get("type") != "null"]
    if len(kinds) == 1:
        node = kinds[0]
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _fields_of(schema: dict, node: dict, path: str) -> Iterator[tuple[str, dict]]:
    for name, prop in resolve(schema, node).get("properties", {}).items():
        field_path = f"{path}.{name}" if path else name
        yield field_path, prop
        yield from _inside(schema, prop, field_path)


def _inside(schema: dict, prop: dict, path: str) -> Iterator[tuple[str, dict]]:
    """The fields within a field's value: a section's, a list item's or a mapping value's."""
    target = resolve(schema, prop)
    if "properties" in target:
        yield from _fields_of(schema, target, path)
    elif target.get("type") == "array":
        yield from _inside(schema, target["items"], f"{path}[]")
    elif isinstance(target.get("additionalProperties"), dict):
        yield from _inside(schema, target["additionalProperties"], f"{path}.<name>")
