"""Reading scenario files: safe YAML (numbers read as YAML 1.2 does, duplicate keys refused), a
size limit on every input file, overrides by dotted path, and validation that raises
``ScenarioError`` and nothing else."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.config.errors import ScenarioError, explain, show_value
from sim.config.schema import Scenario

# The packaged default; a Traversable, so it also works from a zipped install.
DEFAULT_SCENARIO = resources.files("sim") / "scenarios" / "default.yaml"
# Scenario and sweep files are a few kilobytes; anything this large is not one (``/dev/zero``).
MAX_FILE_BYTES = 10_000_000
# The most members one run may hold: founders plus everyone the market could bring. Arrivals never
# exceed the remaining market (``CommunityModel.arrive``), so this bounds members per day and in
# total, and with them a run's memory (about 10 GB at this size).
MAX_MEMBERS = 10_000_000


def load_scenario(
    path: str | Path | None = None, overrides: Mapping[str, object] | None = None
) -> Scenario:
    """Read and validate a scenario file (``None``: the packaged default).

    ``overrides`` maps dotted paths to values (``{"community.members": 200}``) and is applied before
    validation, so a value given on the command line is checked exactly like one in the file, and
    every problem, in the file or in the overrides, is reported at once.
    """
    if path is None:
        return parse_data(default_data(), "(default)", overrides)
    return parse_scenario(read_text(path), str(path), overrides)


def default_data() -> dict:
    """The packaged default scenario as plain data (a fresh copy each call, free to change)."""
    return copy.deepcopy(_parsed_default())


@cache
def _parsed_default() -> Any:
    # parsed once per process: parsing costs about 0.1 s, and an atlas plan or a calibration
    # starts from the default many times
    return read_yaml(DEFAULT_SCENARIO.read_text(encoding="utf-8"), "(default)")


def read_text(path: str | Path) -> str:
    """The text of a scenario (or sweep) file; ``ScenarioError`` naming the file if unreadable."""
    source = str(path)
    try:
        text = read_limited(path, MAX_FILE_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, ["file not found"]) from None
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise ScenarioError(source, [problem]) from None
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL byte
        reason = getattr(exc, "strerror", None) or exc
        raise ScenarioError(source, [f"cannot read the file: {reason}"]) from None
    return text


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of a file of at most ``limit`` bytes; ``ValueError`` for a larger one, read no
    further than the limit (so ``/dev/zero`` or a huge file costs nothing)."""
    with Path(path).open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit:,} bytes: not a scenario or sweep file")
    return data


class _ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader, reading numbers as YAML 1.2 does: ``3e-4`` is a float, not text.

    Planners write rates such as ``marketing_p: 3e-4``; YAML 1.1 (PyYAML's default) would read that
    as the string "3e-4". Only the float pattern changes; nothing here constructs Python objects.
    A value PyYAML cannot build (``2024-13-45``, an integer of 5,000 digits) is reported at its line.
    """

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            problem = f"{show_value(node.value)}: {exc}"
            raise _UnreadableValue(None, None, problem, node.start_mark) from None


class _UnreadableValue(yaml.constructor.ConstructorError):
    """A value PyYAML's constructors refuse, at its place in the file."""


_ScenarioLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:float"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def _unique_keys_mapping(loader: _ScenarioLoader, node: yaml.MappingNode) -> dict:
    """A mapping whose keys are unique: YAML says so, and PyYAML would silently keep the last."""
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key: construct_mapping reports it
            continue
        if first is not None:
            problem = f"duplicate key {show_value(key)} (first at line {first})"
            raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=True)


_ScenarioLoader.add_constructor("tag:yaml.org,2002:map", _unique_keys_mapping)


def parse_scenario(
    text: str, source: str = "(text)", overrides: Mapping[str, object] | None = None
) -> Scenario:
    """Validate scenario YAML; raises ``ScenarioError`` (and nothing else) for any bad input."""
    return parse_data(read_yaml(text, source), source, overrides)


def parse_data(
    data: Any, source: str = "(data)", overrides: Mapping[str, object] | None = None
) -> Scenario:
    """Validate parsed scenario data with ``overrides``; raises ``ScenarioError`` (only)."""
    if not isinstance(data, dict):
        raise ScenarioError(
            source,
            [
                f"(top level): got {show_value(data)}; expected a mapping of sections "
                f"({', '.join(Scenario.model_fields)})"
            ],
        )
    if overrides:
        data = apply_overrides(data, overrides)
        source += " with " + ", ".join(f"{k}={show_value(v)}" for k, v in overrides.items())
    return validate_scenario(data, source)


def validate_scenario(data: dict, source: str = "(data)") -> Scenario:
    """Validate a scenario given as plain data (the parsed YAML); raises ``ScenarioError``."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, explain(exc)) from None
    founders, market = scenario.community.members, scenario.arrivals.market_size
    if founders + market > MAX_MEMBERS:
        allowed = (
            f"community.members ({founders:,}) + arrivals.market_size must be at most "
            f"{MAX_MEMBERS:,}, the most members a run can hold"
        )
        raise ScenarioError(source, [f"arrivals.market_size: got {market:,}; {allowed}"])
    return scenario


def read_yaml(text: str, source: str = "(text)") -> Any:
    """Parse YAML safely, reading numbers as YAML 1.2 does; an empty document is ``{}``.

    Raises ``ScenarioError`` naming ``source`` for text that is not YAML."""
    try:
        data = yaml.load(text, Loader=_ScenarioLoader)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: no mark, a position
        line = text[: exc.position].count("\n") + 1
        problem = (
            f"YAML syntax error at line {line}: character #x{exc.character:04x} is not allowed"
        )
        raise ScenarioError(source, [problem]) from None
    except _UnreadableValue as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        raise ScenarioError(source, [f"unreadable YAML value at {where}: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, [f"YAML syntax error{where}: {problem}"]) from None
    except RecursionError:
        raise ScenarioError(source, ["YAML nested too deeply to read"]) from None
    # PyYAML's constructors raise plain Python errors for values such as 2024-13-45 or integers
    # over 4300 digits.
    except (ValueError, TypeError, OverflowError) as exc:
        raise ScenarioError(source, [f"unreadable YAML value: {exc}"]) from None
    return {} if data is None else data  # an empty file, or only comments: every default


def apply_overrides(data: dict, overrides: Mapping[str, object]) -> dict:
    """A copy of ``data`` with each dotted path set; a path through a non-mapping is left for
    validation to report (the section is wrong whatever the override says)."""
    result = dict(data)
    for path, value in overrides.items():
        *sections, key = path.split(".")
        node = result
        for name in sections:
            child = node.get(name)
            if child is not None and not isinstance(child, dict):
                break
            node[name] = dict(child or {})
            node = node[name]
        else:
            node[key] = value
    return result
