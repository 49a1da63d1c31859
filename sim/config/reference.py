"""The JSON Schema of a scenario file, with units, and a walk over its fields (for the docs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, NoDefault
from pydantic_core import core_schema

from sim.config.schema import Scenario

# Units of the strategy's fields that have one, by schema path (``[]``: every list item, ``<name>``:
# every key of a mapping). ``test_scenario`` checks that every path is a field, so a renamed field
# fails there. Every other field declares its unit itself, in its JSON Schema (``json_schema_extra``;
# behaviour and member mix: ``sim.world.parameters.parameter``).
UNITS = {
    "strategy.hours_per_day": "staff hours per day",
    "strategy.budget": "money (whole run)",
    "strategy.content.posts_per_day": "posts per day",
    "strategy.content.topic_mix": "relative weights",
    "strategy.content.breadth": "topics",
    "strategy.content.formats.<name>.share": "relative weight",
    "strategy.content.formats.<name>.engagement": "times a text post",
    "strategy.content.formats.<name>.hours": "staff hours per item",
    "strategy.content.formats.<name>.money": "money per item",
    "strategy.events.calendar[].day": "day of the run",
    "strategy.events.calendar[].every": "days",
    "strategy.events.calendar[].start": "day of the run",
    "strategy.events.calendar[].until": "day of the run",
    "strategy.events.calendar[].promotion_days": "days",
    "strategy.events.calendar[].capacity": "members",
    "strategy.events.calendar[].hours": "staff hours per event",
    "strategy.events.calendar[].money": "money per event",
    "strategy.incentives.start": "day of the run",
    "strategy.incentives.stop": "day of the run",
    "strategy.incentives.points": "points per action",
    "strategy.incentives.badges[].threshold": "actions",
    "strategy.incentives.ranks": "points",
    "strategy.incentives.leaderboard": "members",
    "strategy.incentives.redeem_at": "points",
    "strategy.incentives.money_per_point": "money per point",
    "strategy.incentives.hours_per_day": "staff hours per day",
    "strategy.moderation.on_topic": "topic indices (0 = first)",
    "strategy.moderation.hours_per_100_posts": "staff hours per 100 posts",
    "strategy.onboarding.welcome_hours": "staff hours per message",
    "strategy.onboarding.reply_hours": "staff hours per reply",
    "strategy.recruitment.campaigns[].start": "day of the run",
    "strategy.recruitment.campaigns[].end": "day of the run",
    "strategy.recruitment.campaigns[].extra_p": "share per day",
    "strategy.recruitment.campaigns[].cost_per_join": "money per join",
    "strategy.recruitment.referral_reward": "money per referral join",
    "strategy.recruitment.invite_boost": "times",
    "strategy.winback.inactive_days": "days",
    "strategy.winback.cadence": "days",
    "strategy.winback.max_messages": "messages per member",
    "strategy.winback.hours_per_100": "staff hours per 100 messages",
    "strategy.winback.money_per_message": "money per message",
    "strategy.adaptive.window": "days",
    "strategy.adaptive.every": "days",
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
    allowed values, and a ``unit`` where there is one (declared with the field, or in ``UNITS``).

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
