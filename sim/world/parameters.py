"""Model parameters declared once: a dataclass field that carries its meaning, unit and bounds.

The member behaviour parameters (``sim.agents.Rules`` and ``Segment``) are plain frozen dataclasses,
so the model runs on them without pydantic. Each is declared with ``parameter`` (or
``probability``), which stores its description, unit and bounds in the field's metadata; the
scenario's ``behaviour`` and ``member_mix`` sections, their JSON Schema, units, bounds and
descriptions are derived from that metadata (``sim.config.schema``), so none of it is written twice.

>>> from dataclasses import dataclass, fields
>>> @dataclass(frozen=True)
... class Example:
...     rate: float = probability(0.1, "daily chance of something", unit="probability per day")
...     limit: int = parameter(60, "days of patience", ge=1, le=3650, unit="days")
>>> Example().rate
0.1
>>> described(fields(Example)[1])
{'doc': 'days of patience', 'unit': 'days', 'bounds': {'ge': 1, 'le': 3650}}
"""

from __future__ import annotations

from dataclasses import MISSING, Field, field
from typing import Any


def parameter(
    default: Any = MISSING,
    doc: str = "",
    *,
    unit: str | None = None,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
) -> Any:
    """A dataclass field with a ``default`` (none: required), a one-line ``doc`` saying what it
    is, an optional ``unit`` and bounds in pydantic's terms (``ge``: at least, ``gt``: above,
    ``le``: at most, ``lt``: below; ``min_length``/``max_length`` for text)."""
    if not doc:
        raise ValueError("a parameter needs a doc saying what it is")
    bounds = {
        "ge": ge,
        "gt": gt,
        "le": le,
        "lt": lt,
        "min_length": min_length,
        "max_length": max_length,
    }
    metadata = {
        "doc": doc,
        "unit": unit,
        "bounds": {name: value for name, value in bounds.items() if value is not None},
    }
    return field(default=default, metadata=metadata)


def probability(default: float, doc: str, *, unit: str | None = None) -> Any:
    """A parameter between 0 and 1 (a probability, a share or a rate)."""
    return parameter(default, doc, unit=unit, ge=0, le=1)


def described(declared: Field) -> dict[str, Any] | None:
    """A field's ``doc``, ``unit`` and ``bounds`` if it was declared with ``parameter``, else None."""
    return dict(declared.metadata) if "doc" in declared.metadata else None
