"""Settings as planners write them: strict pydantic models, value types with their bounds, and a
field helper that declares a setting's default, bounds, unit and description in one place.

Every lever (``sim.levers``) and the world's uncertainties build their settings from these, so the
scenario schema, its JSON Schema (with units), the reference page and the error messages all come
from the one declaration next to the code that uses the setting.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Probability = Annotated[float, Field(ge=0, le=1)]
Hours = Annotated[float, Field(ge=0, le=10_000)]
Money = Annotated[float, Field(ge=0, le=1e9)]
Day = Annotated[int, Field(ge=1, le=100_000)]


class Config(BaseModel):
    """Strict settings: hand-written YAML is checked, never coerced (see ``sim.config``)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def setting(default: Any = ..., *, description: str, unit: str | None = None, **kwargs) -> Any:
    """A pydantic field with its description and, where it has one, its unit (shown in the JSON
    Schema and the scenario reference as ``unit``); ``kwargs`` are ``Field``'s (bounds, factories).

    >>> class Poll(Config):
    ...     questions: int = setting(3, ge=1, le=20, unit="questions", description="asked per poll")
    >>> Poll.model_json_schema()["properties"]["questions"]["unit"]
    'questions'
    """
    extra = {"unit": unit} if unit is not None else None
    if "default_factory" not in kwargs:
        kwargs["default"] = default
    return Field(description=description, json_schema_extra=extra, **kwargs)
