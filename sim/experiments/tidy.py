"""A sweep's results as two tidy tables, for pandas, DuckDB, R or a spreadsheet.

* ``summaries``: one row per stored run of the plan, with its identity (``key``, ``strategy``,
  ``point``, ``replication``), its design factors (one column each, named by their dotted path)
  and every KPI (the run summary's, and each ``series@window``);
* ``series``: the daily series in long form: identity × ``day`` × ``series`` with its ``value``.

``run_sweep`` writes both as ``summaries.parquet`` and ``series.parquet`` in the results folder when
it ends; ``commsim export RESULTS --to csv|parquet`` writes the same tables anywhere.

>>> write_tables(Results("results/incentive-rules"), "results/incentive-rules")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from sim.experiments.analysis import Results

IDENTITY = ("key", "strategy", "point", "replication")
FORMATS = ("parquet", "csv")
TABLES = ("summaries", "series")


def summaries_table(results: Results) -> pd.DataFrame:
    """One row per stored run of the plan: identity, factors and every KPI."""
    frame = results.summaries()
    return frame[frame["stored"]].drop(columns="stored").reset_index(drop=True)


def series_table(results: Results) -> pd.DataFrame:
    """Every stored run's daily series, long: identity and factors, ``day``, ``series``, ``value``.

    A run shared by two plan entries (two strategies that resolve to the same scenario) appears
    once for each."""
    runs = summaries_table(results)[[*IDENTITY, *results.factors]]
    frames = []
    for key, entries in runs.groupby("key", sort=False):
        long = results.series(key).melt(id_vars="day", var_name="series", value_name="value")
        for entry in entries.itertuples(index=False):
            frames.append(long.assign(**dict(zip(entries.columns, entry, strict=True))))
    columns = [*IDENTITY, *results.factors, "day", "series", "value"]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)[columns]
    for name in ("key", "strategy", "series"):  # few distinct values: small in memory and on disk
        table[name] = table[name].astype("category")
    return table


def write_tables(results: Results, out: str | Path, to: str = "parquet") -> list[Path]:
    """Write ``summaries`` and ``series`` into ``out`` as ``<table>.<to>``; returns the paths.

    Each file is written beside and renamed into place, so it is whole or absent."""
    if to not in FORMATS:
        raise ValueError(f"format {to!r}: allowed {', '.join(FORMATS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in (("summaries", summaries_table(results)), ("series", series_table(results))):
        path = out / f"{name}.{to}"
        partial = path.with_name(f".partial-{path.name}")
        if to == "parquet":
            table.to_parquet(partial, index=False, compression="zstd")
        else:
            table.to_csv(partial, index=False)
        os.replace(partial, path)
        written.append(path)
    return written
