"""The experiment API from Python (or a notebook): run a sweep, read it, compare, report.

    .venv/bin/python experiments/api_example.py                  # 4 replications, ~1 minute
    .venv/bin/python experiments/api_example.py --replications 2 --members 300 --out results/api

Worker processes start with the spawn method, so a script that runs a sweep keeps its work under
``if __name__ == "__main__":`` (a notebook needs nothing special).
"""

from __future__ import annotations

import argparse

from sim.experiments import Results, load_sweep, run_sweep, write_report

STUDY = "experiments/studies/incentive-rules.yaml"


def main(replications: int, members: int | None, out: str) -> None:
    # a smaller community, not shorter runs: the study's windows reach day 300
    changes = {"community.members": members} if members else None
    sweep = load_sweep(STUDY, replications=replications, scenario=changes)
    done = run_sweep(sweep, out, backend="process", workers=2)
    print(f"{done.finished} runs stored, {done.skipped} already there, {done.failed} failed")

    results = Results(out)
    summaries = results.summaries()  # one row per run: strategy, replication, every KPI
    print(summaries.groupby("strategy", sort=False)[["dau_last30", "money_spent"]].mean())

    comparison = results.compare(kpis=["dau_last30", "retention_30"])
    print(comparison[["strategy", "kpi", "difference", "ci_low", "ci_high"]].to_string(index=False))
    print("report:", write_report(results) / "report.html")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--members", type=int, help="a smaller community for a quick look")
    parser.add_argument("--out", default="results/api-example")
    args = parser.parse_args()
    main(args.replications, args.members, args.out)
