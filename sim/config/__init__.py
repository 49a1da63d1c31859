"""Scenario files: the schema (``schema``), reading and overrides (``loading``), one line per
problem (``errors``), the JSON Schema with units (``reference``) and the generated reference page
(``docs``). Planners edit scenario files, never Python; this package is where their input is checked.
"""

from sim.config.errors import (
    NAME_PATTERN,
    ScenarioError,
    explain,
    field_problem,
    plain_number,
    show_value,
    shown_key,
)
from sim.config.loading import (
    DEFAULT_SCENARIO,
    MAX_FILE_BYTES,
    MAX_MEMBERS,
    apply_overrides,
    default_data,
    load_scenario,
    parse_scenario,
    read_text,
    read_yaml,
    validate_scenario,
)
from sim.config.reference import json_schema, resolve, schema_fields
from sim.config.schema import (
    Arrivals,
    Behaviour,
    Community,
    MemberSegment,
    PlatformSection,
    RunSettings,
    Scenario,
    Section,
)

__all__ = [
    "DEFAULT_SCENARIO",
    "MAX_FILE_BYTES",
    "MAX_MEMBERS",
    "NAME_PATTERN",
    "Arrivals",
    "Behaviour",
    "Community",
    "MemberSegment",
    "PlatformSection",
    "RunSettings",
    "Scenario",
    "ScenarioError",
    "Section",
    "apply_overrides",
    "default_data",
    "explain",
    "field_problem",
    "json_schema",
    "load_scenario",
    "parse_scenario",
    "plain_number",
    "read_text",
    "read_yaml",
    "resolve",
    "schema_fields",
    "show_value",
    "shown_key",
    "validate_scenario",
]
