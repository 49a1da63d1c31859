"""The JSON Schema of a scenario file, with units, and a walk over its fields (for the docs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, NoDefault
from pydantic_core import core_schema

from sim.config.schema import Scenario


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
    allowed values, and a ``unit`` where there is one (declared with the field).

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
