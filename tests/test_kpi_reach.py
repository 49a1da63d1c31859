"""``benchmarks/diagnostics/kpi_reach.py`` (issue 15: is a failing Done-when cell the
calibration's choice or the model's reach?): each particle's four KPIs are read from its stored
runs and its contributions ratio, judged against the log with the Done-when bar, and summarised."""

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.script_helpers import load_script

OBSERVED = {
    "retention_30": 0.10,
    "retention_90": 0.05,
    "top1_post_share": 0.40,
    "weekly_contributions": 100.0,
}


def _run(path, summary):
    """A stored run as the sweep store writes it: daily columns, the summary in the metadata."""
    table = pa.table({"day": [0, 1], "threads": [1, 2], "replies": [0, 1]})
    meta = {b"commsim": json.dumps({"key": path.stem, "summary": summary}).encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)


def _folder(tmp_path):
    """A calibration of export ``x`` with three particles of two seeds each, and one candidate
    of the replication step (generation 0, which the diagnostic leaves out)."""
    runs = tmp_path / "fit-x.runs" / "v30" / "generation-1" / "runs"
    runs.mkdir(parents=True)
    particles = [  # (distance, per seed (retention_30, retention_90, top1), log ratio per seed)
        (0.3, [(0.11, 0.05, 0.38), (0.09, 0.05, 0.42)], (np.log(0.9), np.log(1.1))),  # 4 cells
        (0.5, [(0.20, 0.05, 0.10), (0.20, None, 0.10)], (np.log(3.0), np.log(3.0))),  # 1 cell
        (0.9, [(0.00, 0.00, 0.90), (0.00, 0.00, 0.90)], (np.log(0.1), np.log(0.1))),  # none
    ]
    rows = []
    for i, (distance, seeds, ratios) in enumerate(particles):
        keys = []
        for s, (r30, r90, top) in enumerate(seeds):
            key = f"p{i}s{s}"
            _run(runs / f"{key}.parquet",
                 {"retention_30": r30, "retention_90": r90, "top1_post_share": top})  # fmt: skip
            keys.append(key)
        rows.append({"generation": 1, "particle": i, "distance": distance, "keys": ";".join(keys),
                     "posts_ratio_low": min(ratios), "posts_ratio_high": max(ratios)})  # fmt: skip
    rows.append({"generation": 0, "particle": 0, "distance": 0.1, "keys": "p0s0",
                 "posts_ratio_low": 0.0, "posts_ratio_high": 0.0})  # fmt: skip
    (tmp_path / "fit-x").mkdir()
    pd.DataFrame(rows).to_csv(tmp_path / "fit-x" / "samples.csv", index=False)
    passed = {"retention_30": True, "retention_90": False, "top1_post_share": False}
    result = {"observed": OBSERVED, "passed": {**passed, "weekly_contributions": True}}
    (tmp_path / "x.json").write_text(json.dumps(result))
    return tmp_path


def test_each_particles_kpis_are_its_seeds_means_judged_by_the_bar(tmp_path):
    script = load_script("benchmarks/diagnostics/kpi_reach.py")
    table = script.particles(_folder(tmp_path), "x")
    assert len(table) == 3  # generation 0 (the replicated candidates) left out
    first, second, third = table.itertuples(index=False)
    assert first.retention_30 == pytest.approx(0.10)
    assert first.top1_post_share == pytest.approx(0.40)
    assert first.weekly_contributions == pytest.approx(100.0)  # (0.9 + 1.1) / 2 of the log's
    assert first.cells == 4
    # a missing share (None) is left out of the mean, not read as 0
    assert second.retention_90 == pytest.approx(0.05)
    assert second.weekly_contributions == pytest.approx(300.0)
    assert second.cells == 1  # retention_90 only; 0.20 is 100% off, 0.10 is 75% off
    assert third.cells == 0
    assert third.mean_error == pytest.approx((1.0 + 1.0 + 1.25 + 0.9) / 4)


def test_reach_summarises_the_particles(tmp_path):
    script = load_script("benchmarks/diagnostics/kpi_reach.py")
    r = script.reach(script.particles(_folder(tmp_path), "x"))
    assert r["particles"] == 3 and r["most_cells"] == 4
    assert r["retention_90"] == pytest.approx(2 / 3)
    assert r["top1_post_share"] == pytest.approx(1 / 3)
    assert r["rho"] == pytest.approx(1.0)  # the closer, the smaller the mean error
    assert r["closest_cells"] == pytest.approx(5 / 3) and r["check_cells"] == 2


def test_the_command_prints_one_row_per_export(tmp_path, capsys):
    script = load_script("benchmarks/diagnostics/kpi_reach.py")
    script.main([str(_folder(tmp_path))])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[2].startswith(f"| {tmp_path.name} | x | 3 | ")
