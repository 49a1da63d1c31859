"""Explaining bad input: ``ScenarioError`` and one line per problem of a pydantic error
(``path: got value; what is allowed``), however deep the problem sits in a scenario."""

from __future__ import annotations

import difflib
import math
import re
import reprlib
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sim.config.schema import Scenario

BOUNDS = ("ge", "gt", "le", "lt")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
PATTERN_HINTS = {
    NAME_PATTERN: "must be letters, digits, '_', '.' or '-' (no spaces), starting with a letter "
    "or digit",
}
PLAIN_KEY = re.compile(r"[^\s:'\"]+")  # a key shown in a path as written
RANGE_ERRORS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")
LENGTH_ERRORS = ("too_short", "too_long", "string_too_short", "string_too_long")


class ScenarioError(Exception):
    """A scenario that cannot be used. The message lists every problem found, one per line."""

    what = "scenario"

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n  ".join([f"invalid {self.what} {source}:", *problems]))


# ---- explaining validation errors -------------------------------------------------------------
def explain(exc: ValidationError, root: type[BaseModel] | None = None) -> list[str]:
    """Every problem of a pydantic ``ValidationError`` on ``root`` (default: ``Scenario``), one line
    each: ``path: got value; what is allowed``."""
    return [line for e in exc.errors() for line in _explain(e, root or Scenario)]


def _explain(error: dict, root: type[BaseModel]) -> list[str]:
    """One line per problem: ``path: got value; what is allowed``."""
    kind, loc = error["type"], error["loc"]
    if kind == "inconsistent":
        return [
            f"{path}: got {show_value(value)}; {allowed}"
            for path, value, allowed in error["ctx"]["problems"]
        ]
    path, annotation, metadata = _locate(loc, root)
    value = show_value(error["input"])
    if loc and loc[-1] == "[key]":  # a mapping's key, e.g. of ``points: {post: 10}``
        names = _names(loc[:-2], root)
        if names:
            return [f"{path}: unknown key; {_allowed(names, loc[-2])}"]
        return [f"{path}: key {value} is not text; write it as a name"]
    if kind == "extra_forbidden":
        allowed = _allowed(_names(loc[:-1], root), loc[-1])
        return [f"{path}: unknown key (value {value}); {allowed}"]
    if kind == "invalid_key":
        section = _locate(loc[:-1], root)[0]
        allowed = _allowed(_names(loc[:-1], root), loc[-1])
        return [f"{section}: key {loc[-1]} is not text; {allowed}"]
    if kind == "missing":
        return [f"{path}: missing; expected {_expected(annotation, metadata)}"]
    if kind == "literal_error":
        return [f"{path}: got {value}; must be one of {', '.join(map(str, _choices(annotation)))}"]
    if kind == "value_error":  # a lever's own check across its fields (a model validator)
        return [f"{path}: got {value}; {error.get('ctx', {}).get('error', error['msg'])}"]
    if kind in RANGE_ERRORS:
        return [f"{path}: got {value}; must be {_bounds(metadata) or _bounds([error['ctx']])}"]
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return [f"{path}: got {value}; {PATTERN_HINTS.get(pattern, f'must match {pattern}')}"]
    if kind == "finite_number":
        return [f"{path}: got {value}; must be a finite number{_bounds(metadata, ' ')}"]
    if kind in LENGTH_ERRORS:
        unit = "characters" if kind.startswith("string") else "items"
        return [f"{path}: got {value}; must have {_lengths(metadata)} {unit}"]
    expected = f"expected {_expected(annotation, metadata)}"
    if _number_as_text(error["input"]):
        expected += f" (YAML read {value} as text; write it with no quotes)"
    return [f"{path}: got {value}; {expected}"]


def _locate(loc: tuple, root: type[BaseModel]) -> tuple[str, Any, list]:
    """The dotted path of ``loc`` and the annotation and constraints of the value found there.

    Walks the scenario's types: sections and levers (pydantic models) by field name, lists by index
    (``member_mix[0]``), mappings by key (``strategy.content.formats.video``). ``[key]``, pydantic's
    mark of a problem with a mapping's key rather than its value, is left to ``_explain``.
    """
    path, annotation, metadata = "", root, []
    for part in loc:
        annotation = _optional_of(annotation)
        origin = get_origin(annotation)
        if part == "[key]":  # the key itself is wrong; _explain looks at its type
            continue
        if origin is list and isinstance(part, int):
            path = f"{path}[{part}]"
            annotation, metadata = _item(get_args(annotation)[0])
        else:
            name = shown_key(part)
            path = f"{path}.{name}" if path else name
            if origin is dict:
                annotation, metadata = _item(get_args(annotation)[1])
            elif _is_model(annotation) and part in annotation.model_fields:
                field = annotation.model_fields[part]
                annotation, metadata = field.annotation, field.metadata
            else:
                annotation, metadata = None, []
    return path or "(top level)", annotation, metadata


def shown_key(key: object) -> str:
    """A key as a part of a dotted path: as written when it is one plain token, else quoted
    (``'my key'``, ``'\\x1e'``), so that the path stays readable and unambiguous."""
    text = str(key)
    return text if PLAIN_KEY.fullmatch(text) else show_value(key)


def _item(annotation: Any) -> tuple[Any, list]:
    """The type of a list item or mapping value, and its constraints (from ``Annotated``)."""
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        return annotation, [m for info in extra for m in getattr(info, "metadata", [info])]
    return annotation, []


def _optional_of(annotation: Any) -> Any:
    """``X`` for ``X | None``; anything else unchanged."""
    if get_origin(annotation) in (Union, UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        if len(kinds) == 1:
            return kinds[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _names(where: tuple | Any, root: type[BaseModel] | None = None) -> list[str]:
    """The keys allowed at a location (a ``loc`` tuple below ``root``) or in a type: a model's
    fields, or the named keys of a mapping such as ``points``; empty when any name will do."""
    located = _locate(where, root or Scenario)[1] if isinstance(where, tuple) else where
    annotation = _optional_of(located)
    if _is_model(annotation):
        return list(annotation.model_fields)
    if get_origin(annotation) is dict:
        return [str(c) for c in _choices(_item(get_args(annotation)[0])[0])]
    return []


def _allowed(names: list[str], key: object) -> str:
    hint = difflib.get_close_matches(str(key), names, n=1)
    suggestion = f" (did you mean {hint[0]}?)" if hint else ""
    return f"allowed keys: {', '.join(names)}{suggestion}"


def _choices(annotation: Any) -> tuple:
    """The values of a ``Literal[...]`` type (empty for any other type)."""
    return get_args(annotation) if get_origin(annotation) is Literal else ()


def _expected(annotation: Any, metadata: list) -> str:
    """``null or a whole number between 1 and 64``: the kind of value and its bounds."""
    value = _optional_of(annotation)
    text = f"{_kind(value)}{_bounds(metadata, ' ')}"
    return text if value is annotation else f"null or {text}"


def _kind(annotation: Any) -> str:
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if origin is list:
        return f"a list, each item {_kind(get_args(annotation)[0])}"
    if origin is dict:
        names = _names(annotation)
        keys = f"keys among {', '.join(names)}" if names else "a name as each key"
        return f"a mapping with {keys}, each value {_kind(get_args(annotation)[1])}"
    if origin is Literal:
        return f"one of {', '.join(map(str, _choices(annotation)))}"
    if _is_model(annotation):
        return f"a mapping with keys {', '.join(annotation.model_fields)}"
    return {int: "a whole number", float: "a number", str: "text", bool: "true or false"}.get(
        annotation, "a valid value"
    )


def _bounds(constraints: list, prefix: str = "") -> str:
    """``between 0 and 1``, ``greater than 0``, ``at least 1``... from annotated-types bounds."""
    found = {}
    for c in constraints:
        for name in BOUNDS:
            value = c.get(name) if isinstance(c, dict) else getattr(c, name, None)
            if value is not None:
                found[name] = value
    ge, gt, le, lt = (None if v is None else plain_number(v) for v in map(found.get, BOUNDS))
    if ge is not None and le is not None:
        text = f"between {ge} and {le}"
    else:
        low = f"at least {ge}" if ge is not None else f"greater than {gt}" if gt is not None else ""
        high = f"at most {le}" if le is not None else f"less than {lt}" if lt is not None else ""
        text = " and ".join(t for t in (low, high) if t)
    return prefix + text if text else ""


def plain_number(value: float) -> str:
    """``1000000`` for 1e6 and ``0.5`` for 0.5: a bound or default as a planner would write it."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _lengths(constraints: list) -> str:
    """``between 1 and 100`` or ``at most 64`` from annotated-types length bounds."""
    low = max((getattr(c, "min_length", 0) for c in constraints), default=0)
    high = min(getattr(c, "max_length", None) or 2**63 for c in constraints)
    return f"between {low} and {high}" if low else f"at most {high}"


def _number_as_text(value: object) -> bool:
    """A number that YAML read as a string: quoted, or PyYAML's YAML 1.1 ``3e-4`` (no point)."""
    try:
        return isinstance(value, str) and math.isfinite(float(value))
    except ValueError:
        return False


class _ValueRepr(reprlib.Repr):
    """Short, YAML-flavoured renderings of any loaded value, however large or self-referencing."""

    def __init__(self):
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother = 2, 60, 60
        self.maxlist = self.maxdict = self.maxset = self.maxtuple = 4

    def repr1(self, x, level):
        if x is None:
            return "null"
        if isinstance(x, bool):
            return "true" if x else "false"
        return super().repr1(x, level)

    def repr_int(self, x, level):
        if x.bit_length() > 200:  # too long to read, and over 4300 digits repr() refuses
            return f"<a {int(x.bit_length() * 0.30103) + 1}-digit integer>"
        return repr(x)


show_value = _ValueRepr().repr


def field_problem(path: str, root: type[BaseModel] | None = None) -> str | None:
    """What is wrong with a dotted path naming one field of a scenario (``arrivals.marketing_p``),
    or ``None`` when it names one: an unknown name (with the closest allowed), a path into a list
    (``member_mix.0.share``: items have no dotted path) or past a single value."""
    annotation: Any = root or Scenario
    walked: list[str] = []
    for part in path.split("."):
        annotation = _item(_optional_of(annotation))[0]
        origin = get_origin(annotation)
        where = ".".join(walked) or "(top level)"
        if _is_model(annotation):
            if part not in annotation.model_fields:
                return f"{where} has no field {part!r}; {_allowed(_names(annotation), part)}"
            annotation = annotation.model_fields[part].annotation
        elif origin is dict:
            names = _names(annotation)
            if names and part not in names:
                return f"{where} has no key {part!r}; {_allowed(names, part)}"
            annotation = get_args(annotation)[1]
        elif origin is list:
            return f"{where} is a list: its items cannot be named by a dotted path"
        elif annotation in (int, float, str, bool) or origin is Literal:
            return f"{where} is a single value: it has no field {part!r}"
        else:
            return None  # a type this walk does not know: validating the scenario will tell
        walked.append(part)
    return None
