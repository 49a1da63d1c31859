"""Tidy tables of a sweep (summaries and long daily series), their export, and the README's
DuckDB and pandas queries run against them."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from sweep_helpers import write_sweep

from sim.cli.core import main
from sim.experiments.analysis import Results
from sim.experiments.runner import run_sweep
from sim.experiments.sweep import load_sweep

README = Path(__file__).resolve().parents[1] / "README.md"
README_FOLDER = "results/incentive-rules/"


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tidy")
    path = write_sweep(
        folder,
        windows={"after": {"first": 15, "last": 25}},
        kpis=["dau@after", "total_cost", "members_end"],
        design={"kind": "grid", "factors": {"arrivals.word_of_mouth_q": [0.003, 0.005]}},
        replications=2,
    )
    run_sweep(load_sweep(path), folder / "out", backend="serial", progress=False)
    return Results(folder / "out")


def test_a_sweep_writes_tidy_summaries_and_long_series(swept):
    summaries = pd.read_parquet(swept.folder / "summaries.parquet")
    assert len(summaries) == 8  # 2 strategies x 2 points x 2 replications
    assert {"key", "strategy", "point", "replication", "arrivals.word_of_mouth_q"} <= set(summaries)
    assert {"dau@after", "total_cost", "members_end", "retention_30"} <= set(summaries)
    series = pd.read_parquet(swept.folder / "series.parquet")
    assert list(series.columns[-3:]) == ["day", "series", "value"]
    one = summaries.iloc[0]
    run = swept.series(one["key"]).set_index("day")
    mine = series[(series["key"] == one["key"]) & (series["series"] == "dau")]
    assert list(mine["value"]) == list(run["dau"]) and set(mine["strategy"]) == {one["strategy"]}
    assert len(series) == 8 * run.shape[0] * (run.shape[1])


def test_export_writes_the_same_tables_as_csv(swept, tmp_path, capsys):
    assert main(["export", str(swept.folder), "--to", "csv", "--out", str(tmp_path)]) == 0
    assert "summaries.csv" in capsys.readouterr().out
    csv = pd.read_csv(tmp_path / "summaries.csv")
    parquet = pd.read_parquet(swept.folder / "summaries.parquet")
    pd.testing.assert_frame_equal(csv[parquet.columns[:6]], parquet[parquet.columns[:6]])
    assert len(pd.read_csv(tmp_path / "series.csv")) == len(
        pd.read_parquet(swept.folder / "series.parquet")
    )


def _readme_block(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)
    found = [b for b in blocks if "series.parquet" in b]
    assert found, f"no {language} block over the tidy tables in the README"
    return re.sub(r"^ {2}", "", found[0], flags=re.M)


def test_the_readme_duckdb_queries_work(swept):
    sql = _readme_block("sql").replace(README_FOLDER, f"{swept.folder}/")
    by_strategy, by_day = (
        duckdb.sql(statement).df() for statement in sql.split(";") if statement.strip()
    )
    summaries = pd.read_parquet(swept.folder / "summaries.parquet")
    expected = summaries.groupby("strategy")["dau@after"].mean()
    for row in by_strategy.itertuples():
        assert row.dau_after == pytest.approx(expected[row.strategy])
    series = pd.read_parquet(swept.folder / "series.parquet")
    dau = series[
        (series["series"] == "dau") & (series["strategy"] == "none") & (series["day"] == 5)
    ]
    first = by_day[(by_day["strategy"] == "none") & (by_day["day"] == 5)]
    assert first["dau"].iloc[0] == pytest.approx(dau["value"].mean())


def test_the_readme_pandas_snippet_works(swept, capsys):
    code = _readme_block("python").replace(README_FOLDER, f"{swept.folder}/")
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "dau@after" in out and "content" in out
