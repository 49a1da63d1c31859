"""Generated bad input (issue 18): scenario files, sweep files and activity logs, mutated at random
and fed to the command line (``commsim run``, ``sweep``, ``calibrate``).

Every case must end in a valid load or in exit status 2 whose message names the field or line;
never a traceback, never a file written, and memory bounded. The work after a valid load
(simulating, sweeping, fitting) is replaced by a sentinel, so a case costs only the checking.

About 300 cases run with the suite (derandomised, so they are the same every time); 5,000
random ones under the ``fuzz`` marker::

    .venv/bin/python -m pytest -m fuzz tests/test_fuzz.py
    COMMSIM_FUZZ_REPORT=fuzz.json .venv/bin/python -m pytest -m fuzz tests/test_fuzz.py  # figures
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.core import main
from sim.config import DEFAULT_SCENARIO

BASE_SCENARIO = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
BASE_SWEEP = {
    "name": "fuzz",
    "scenario": {"community": {"members": 100}, "run": {"days": 30}},
    "strategies": {"none": None, "content": {"content": {"posts_per_day": 2}}},
    "baseline": "none",
    "design": {"kind": "grid", "factors": {"arrivals.marketing_p": [0.001, 0.002]}},
    "replications": 2,
    "seed": 3,
    "windows": {"early": {"first": 1, "last": 10}},
    "kpis": ["dau@early", "retention_7", "members_end"],
}
LOG_HEADER = ["member", "timestamp", "action", "thread"]
ACTIONS = ["join", "visit", "post", "reply", "react"]
# where a problem is: a field path (``community.members:``, a key shown quoted when it has
# characters that do not print), a line or row, a column, or the file
NAMED = re.compile(
    r"^(\(top level\)|(?:'[^']*'|\"[^\"]*\"|[^\s'\"])+?): |\bline \d+|\brow \d+|\bcolumn \w+"
    r"|^(file not found|cannot read the file|no rows|UTF-16|unknown kind of file|missing column|"
    r"the file ends|a (Parquet|zip))"
)
DEFAULT_CASES = {"scenario": 120, "sweep": 100, "log": 80}
FUZZ_CASES = {"scenario": 2000, "sweep": 1500, "log": 1500}
MAX_RSS_GROWTH_MB = 1024
FIGURES: dict[str, Counter] = {}


class Accepted(Exception):
    """Raised in place of the work that follows a valid load."""


# ---- generated values -----------------------------------------------------------------------
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**400, 10**9]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["3e-4", "1_000", "0x10", "~", "yes", "2024-13-45", ".inf", "", "é"]),
    st.lists(st.integers(-5, 5), max_size=4),
    st.dictionaries(st.text(max_size=6), st.integers(-3, 3), max_size=3),
)


def paths(data, prefix=()) -> list[tuple]:
    """Every path into nested mappings and lists, inner nodes included."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += paths(value, (*prefix, i))
    return found


@st.composite
def mutated(draw, base: dict) -> dict:
    """``base`` with up to three changes: a value replaced, a key dropped, renamed or added."""
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(0, 3))):
        where = paths(data)
        if not where:
            break
        path = draw(st.sampled_from(where))
        *parents, last = path
        node = data
        for part in parents:
            node = node[part]
        op = draw(st.sampled_from(["set", "set", "set", "drop", "rename", "add"]))
        if op == "set" or isinstance(node, list):
            node[last] = draw(junk)
        elif op == "drop":
            del node[last]
        elif op == "rename":
            node[str(last) + draw(st.sampled_from(["s", "_", "x"]))] = node.pop(last)
        else:
            node[draw(st.text("abcdefghij_.", min_size=1, max_size=10))] = draw(junk)
    return data


@st.composite
def yaml_text(draw, base: dict, changes: dict | None = None) -> str:
    """YAML of a mutated ``base`` (then ``changes`` set), sometimes damaged as text (cut, junk
    inserted, a line doubled, a tab)."""
    data = draw(mutated(base))
    if isinstance(data, dict) and changes:
        data.update(changes)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    damage = draw(st.sampled_from(["none", "none", "cut", "insert", "double", "tab"]))
    if damage == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=8)) + text[at:]
    elif damage == "double":
        lines = text.splitlines(keepends=True)
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        text = "".join(lines[: i + 1] + lines[i:])
    elif damage == "tab":
        text = text.replace("  ", "\t", 1)
    return text


timestamps = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.integers(1_704_067_200, 1_706_745_600).map(str),  # January 2024 in epoch seconds
    st.sampled_from(["0", "", "2024-01-05", "2024-01-05T10:00:00Z", "1e9", "-5", "now", "2024"]),
)


@st.composite
def log_file(draw) -> tuple[str, bytes]:
    """(file name, bytes) of an activity log: mostly plausible rows, some junk."""
    n = draw(st.integers(0, 40))
    if draw(st.integers(0, 3)) == 0:  # a well-formed log, so that both outcomes are reached
        rows = [[f"m{i % 6}", f"2024-01-0{1 + i % 9}", ACTIONS[i % 5], str(i % 4)] for i in
                range(n + 1)]  # fmt: skip
        return "log.csv", (",".join(LOG_HEADER) + "\n" + "".join(
            ",".join(r) + "\n" for r in rows)).encode()  # fmt: skip
    rows = [
        [
            draw(st.one_of(st.text(max_size=6), st.integers(0, 50).map(str))),
            draw(st.one_of(timestamps, st.just("2024-01-0" + str(1 + i % 9)))),
            draw(st.one_of(st.sampled_from(ACTIONS), st.text(max_size=6))),
            draw(st.one_of(st.just(""), st.integers(0, 9).map(str))),
        ]
        for i in range(n)
    ]
    header = draw(st.sampled_from([LOG_HEADER, LOG_HEADER[:3], ["member", "time", "action"]]))
    kind = draw(st.sampled_from(["csv", "csv", "csv", "parquet", "xlsx", "csvbytes"]))
    if kind == "parquet":
        columns = {name: [r[i] if i < len(r) else "" for r in rows] for i, name in
                   enumerate(header)}  # fmt: skip
        sink = pa.BufferOutputStream()
        pq.write_table(pa.table(columns), sink)
        return "log.parquet", sink.getvalue().to_pybytes()
    text = ",".join(header) + "\n" + "".join(",".join(r[: len(header)]) + "\n" for r in rows)
    data = text.encode("utf-8", "surrogatepass")
    if kind == "csvbytes":  # raw bytes: other encodings, NULs, broken rows
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=12)) + data[at:]
    return ("log.xlsx" if kind == "xlsx" else "log.csv"), data


# ---- one case -----------------------------------------------------------------------------
def attempt(figures: Counter, argv: list[str], folder: Path, written_before: set[str]) -> None:
    """Run ``commsim argv``; count and check its outcome."""
    err = io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            main(argv)
        outcome = "valid"
    except Accepted:
        outcome = "valid"
    except SystemExit as stop:
        outcome = "clean" if stop.code == 2 else f"exit {stop.code}"
    except Exception as exc:  # a traceback: the failure this suite hunts for
        outcome = "traceback"
        figures["traceback"] += 1
        raise AssertionError(f"traceback for {argv}: {type(exc).__name__}: {exc}") from exc
    figures["tries"] += 1
    figures[outcome] += 1
    figures["max_ms"] = max(figures["max_ms"], int(1000 * (time.perf_counter() - start)))
    message = err.getvalue()
    assert "Traceback" not in message, message
    if outcome == "clean":
        problems = [line.strip() for line in message.split("\n")[1:] if line.strip()]
        if not problems:  # a one-line error: the problem follows "commsim: error: "
            problems = [message.split("commsim: error: ", 1)[-1].strip()]
        unnamed = [p for p in problems if not NAMED.search(p)]
        assert not unnamed, f"no field or line named in: {message}"
    else:
        assert outcome == "valid", f"{argv}: {outcome}: {message}"
    written = {str(p.relative_to(folder)) for p in folder.rglob("*")} - written_before
    if written:
        figures["writes"] += 1
    assert not written, f"{argv} wrote {sorted(written)}"


@contextlib.contextmanager
def sandbox():
    folder = Path(tempfile.mkdtemp(prefix="commsim-fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def scenario_case(figures: Counter, text: str) -> None:
    with sandbox() as folder:
        (folder / "s.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        argv = ["run", str(folder / "s.yaml"), "--out", str(folder / "out")]
        attempt(figures, argv, folder, {"s.yaml"})


def sweep_case(figures: Counter, text: str, base_text: str | None) -> None:
    with sandbox() as folder:
        before = {"sweep.yaml"}
        if base_text is not None:
            (folder / "base.yaml").write_text(base_text, encoding="utf-8", errors="surrogatepass")
            before.add("base.yaml")
        (folder / "sweep.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        argv = ["sweep", str(folder / "sweep.yaml"), "--out", str(folder / "out"), "--quiet"]
        attempt(figures, argv, folder, before)


def log_case(figures: Counter, name: str, data: bytes) -> None:
    with sandbox() as folder:
        (folder / name).write_bytes(data)
        argv = ["calibrate", str(folder / name), "--out", str(folder / "fit"), "--quiet"]
        attempt(figures, argv, folder, {name})


# ---- the tests ------------------------------------------------------------------------------
@pytest.fixture
def accepted(monkeypatch):
    """Stop every command right after its input is accepted, before any work or writing."""
    import sim.calibration.fit as fit
    import sim.experiments.runner as runner
    import sim.model as model

    def stop(*args, **kwargs):
        raise Accepted

    # the commands import these where they use them (a lazy command line): patch them at home
    monkeypatch.setattr(model, "CommunityModel", stop)
    monkeypatch.setattr(runner, "run_sweep", stop)
    monkeypatch.setattr(fit, "calibrate", stop)


def fuzz_settings(cases: int, derandomize: bool):
    return settings(
        max_examples=cases,
        deadline=None,  # no wall-clock assertion; each case is bounded by its input's size
        derandomize=derandomize,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
    )


def run_fuzz(kind: str, cases: int, derandomize: bool) -> None:
    figures = FIGURES.setdefault(f"{kind} ({cases})", Counter())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    if kind == "scenario":

        @fuzz_settings(cases, derandomize)
        @given(text=yaml_text(BASE_SCENARIO))
        def case(text):
            scenario_case(figures, text)

    elif kind == "sweep":

        @fuzz_settings(cases, derandomize)
        @given(
            text=yaml_text(BASE_SWEEP) | yaml_text(BASE_SWEEP, {"base": "base.yaml"}),
            base=yaml_text(BASE_SCENARIO),
        )
        def case(text, base):
            sweep_case(figures, text, base)

    else:

        @fuzz_settings(cases, derandomize)
        @given(log=log_file())
        def case(log):
            log_case(figures, *log)

    case()
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    figures["rss_growth_mb"] = int(growth_mb)
    report = os.environ.get("COMMSIM_FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps(FIGURES, indent=1))
    assert figures["traceback"] == 0 and figures["writes"] == 0
    assert growth_mb < MAX_RSS_GROWTH_MB
    assert figures["valid"] > 0 and figures["clean"] > 0  # the generator reaches both sides


@pytest.mark.parametrize("kind", list(DEFAULT_CASES))
def test_generated_inputs_load_or_are_refused_cleanly(accepted, kind):
    run_fuzz(kind, DEFAULT_CASES[kind], derandomize=True)


@pytest.mark.fuzz
@pytest.mark.parametrize("kind", list(FUZZ_CASES))
def test_generated_inputs_at_length(accepted, kind):
    run_fuzz(kind, FUZZ_CASES[kind], derandomize=False)
