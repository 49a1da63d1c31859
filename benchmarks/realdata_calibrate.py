"""The chain of issue 15's "Done when" on the real exports of ``../shared/realdata``:
``commsim import`` -> ``commsim calibrate`` (defaults) -> ``commsim export-log`` of the calibrated
scenario with 4 seeds -> the Done-when KPIs measured from contributions only, log against runs.

    .venv/bin/python benchmarks/realdata_calibrate.py --all --workers 1
    .venv/bin/python benchmarks/realdata_calibrate.py conlang.meta attrs
    .venv/bin/python benchmarks/realdata_calibrate.py --all --folder results/draw2 \\
        --calibrate --seed 2                        # a second draw of the same version
    .venv/bin/python benchmarks/realdata_calibrate.py --draws results/realdata-calibrate \\
        results/draw2                               # the two side by side

Every step goes through the CLI, as a user would run it. The KPIs (``sim.calibration.activity``,
the same code for the log and for the runs, under the observation model ``commsim calibrate``
decided for the log): newcomer retention at 30 and 90 days, the top 1%'s share of contributions
and weekly contributions (threads + replies per complete week, mean; the table also gives its
range over the seeds, since near the log's volume the model's runs of one scenario either fizzle
or ignite, seed by seed). A simulated log is measured
under the real log's observation model, so visits, reactions and join rows are dropped and
members exist from their first contribution on both sides. The KPI of the calibrated scenario is
the mean over the seeds; it passes when within ``BAR`` (20%) of the log's, relative error.

Writes ``FOLDER/<name>.parquet`` (the import), ``FOLDER/fit-<name>/`` (the calibration),
``FOLDER/run-<name>-<seed>.parquet`` (the runs), ``FOLDER/<name>.json`` (figures and step times)
and ``FOLDER/table.md`` (the README table, of every export with a ``<name>.json``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
# name -> (kind, source under REALDATA, extra import options)
EXPORTS = {
    "conlang.meta": ("stackexchange", "stackexchange/conlang.meta.stackexchange.com", []),
    "bicycles.meta": ("stackexchange", "stackexchange/bicycles.meta.stackexchange.com", []),
    "quantumcomputing": ("stackexchange", "stackexchange/quantumcomputing.stackexchange.com", []),
    # git: a recent window (members active before it are founders); the full histories of
    # 2014-2026 are 12 years of mostly quiet founders' work
    "click": ("git", "git/click.git", ["--since", "2022-01-01"]),
    "attrs": ("git", "git/attrs.git", ["--since", "2022-01-01"]),
    "discord-komodo": ("discord", "discord-komodo", []),
    "slack-haskell-jp": ("slack", "slack-haskell-jp", []),
}
KPIS = {
    "retention_30": "retention(30)",
    "retention_90": "retention(90)",
    "top1_post_share": "top-1% share",
    "weekly_contributions": "weekly contributions",
}
BAR = 0.20  # the Done-when bar: relative error within 20%
RESOLVED_CHANCE = 0.5  # a retention cell says something about the model (resolved_cells)
SEEDS = (1, 2, 3, 4)


def done_when_kpis(
    log: Path, observation=None, days: int | None = None
) -> tuple[dict[str, float], object]:
    """The Done-when KPIs of the activity log ``log`` under ``observation`` (default: the one
    ``commsim calibrate`` decides for it); returns them and the observation model used. A
    simulated log (``days``: its length) in which nobody contributed has no retention or top-1%
    share (nan) and 0 weekly contributions."""
    from sim.calibration.log import action_counts, read_log
    from sim.calibration.observation import decide, import_metadata

    if observation is None:
        metadata = import_metadata(log)
        observation, _ = decide(action_counts(log), metadata, (metadata or {}).get("first"))
    stats, _start = read_log(log, observation)
    observed = stats.finish(days=days)
    weekly = observed.weekly()["posts"]
    values = {key: _number(observed.scalars.get(key)) for key in KPIS if key in observed.scalars}
    values["weekly_contributions"] = float(weekly.mean()) if len(weekly) else float("nan")
    return values, observation


def log_resolution(log: Path, seeds: int = len(SEEDS)) -> dict[str, dict]:
    """Per retention KPI of the log ``log``: how many newcomers its share is of (``n``) and the
    chance that a *perfect* model passes the cell (``chance``): the model retains each newcomer
    with the log's own share p, so the log's share is k / n with k ~ Binomial(n, p), the runs'
    the mean of ``seeds`` runs of as many newcomers, j / (seeds n) with j ~ Binomial(seeds n, p),
    and the cell passes when the runs are within ``BAR`` of the log (a log share of 0 has no
    relative error: it never passes). Exact sums over k and j. Below about one half, a failing
    cell says little about the model: retention(90) of 0.3% over 350 newcomers is one member.
    ``chance`` is None when the log's share is 0 or unknown."""
    from sim.calibration.log import action_counts, read_log
    from sim.calibration.observation import decide, import_metadata

    metadata = import_metadata(log)
    observation, _ = decide(action_counts(log), metadata, (metadata or {}).get("first"))
    scalars = read_log(log, observation)[0].finish().scalars
    out = {}
    for key in KPIS:
        n, p = scalars.get(f"{key}_eligible"), scalars.get(key)
        if n is None:
            continue
        out[key] = {"n": int(n), "chance": _perfect_chance(int(n), p, seeds) if p else None}
    return out


def _perfect_chance(n: int, p: float, seeds: int) -> float:
    """P(|j / (seeds n) - k / n| <= BAR k / n, k > 0), k ~ Bin(n, p), j ~ Bin(seeds n, p)."""
    from scipy.stats import binom

    k = np.arange(1, n + 1)
    runs = seeds * n
    low = np.ceil(runs * k / n * (1 - BAR) - 1e-9)
    high = np.floor(runs * k / n * (1 + BAR) + 1e-9)
    within = binom.cdf(high, runs, p) - binom.cdf(low - 1, runs, p)
    return float(np.sum(binom.pmf(k, n, p) * within))


def _log_days(log: Path, observation) -> int:
    from sim.calibration.log import read_log

    return read_log(log, observation)[0].finish().days


def _mean(values) -> float:
    """Mean of the finite values (nan if none: e.g. retention in runs where nobody joined)."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else float("nan")


def _number(value) -> float:
    return float("nan") if value is None else float(value)


def relative_error(simulated: float, observed: float) -> float:
    """|simulated - observed| / observed (nan when the log's value is 0 or unknown)."""
    if not np.isfinite(observed) or observed == 0 or not np.isfinite(simulated):
        return float("nan")
    return abs(simulated - observed) / abs(observed)


def _call(command: list[str]) -> tuple[int, float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return done.returncode, seconds, (done.stdout + done.stderr).strip()


def chain(name: str, args: argparse.Namespace) -> dict:
    """Run the chain on one export; returns its figures (also written to FOLDER/<name>.json)."""
    folder = Path(args.folder)
    commsim = str(Path(sys.executable).with_name("commsim"))
    kind, source, options = EXPORTS[name]
    log = folder / f"{name}.parquet"
    out = folder / f"fit-{name}"
    result: dict = {"name": name, "kind": kind, "options": options, "times": {}}
    steps = [
        ("import", [commsim, "import", kind, str(Path(args.realdata) / source),
                    "--out", str(log), *options]),
        ("calibrate", [commsim, "calibrate", str(log), "--out", str(out), "--quiet",
                       "--workers", str(args.workers), "--check", str(len(args.seeds)),
                       *args.calibrate]),
    ]  # fmt: skip
    for step, command in steps:
        code, seconds, text = _call(command)
        result["times"][step] = round(seconds, 1)
        result["commands"] = [*result.get("commands", []), " ".join(command)]
        if code:
            result["failed"] = {"step": step, "exit": code, "message": text[-2000:]}
            return _save(result, folder)
        if step == "import":
            result["import_summary"] = text.splitlines()[1:3]
    observed, observation = done_when_kpis(log)
    result["days"] = int(_log_days(log, observation))
    result["observation"] = observation.describe()
    result["contributions_only"] = bool(observation.contributions_only)
    result["observed"] = observed
    result["resolution"] = log_resolution(log, len(args.seeds))
    runs = []
    start = time.perf_counter()
    for seed in args.seeds:
        run = folder / f"run-{name}-{seed}.parquet"
        command = [commsim, "export-log", str(out / "calibrated.yaml"), "--seed", str(seed),
                   "--out", str(run)]  # fmt: skip
        code, _, text = _call(command)
        if code:
            result["failed"] = {"step": f"export-log seed {seed}", "exit": code,
                                "message": text[-2000:]}  # fmt: skip
            return _save(result, folder)
        runs.append(done_when_kpis(run, observation, days=result["days"])[0])
    result["times"]["runs"] = round(time.perf_counter() - start, 1)
    result["simulated_seeds"] = runs
    result["simulated"] = {k: _mean([r[k] for r in runs]) for k in observed}
    result["relative_error"] = {
        k: relative_error(result["simulated"][k], observed[k]) for k in observed
    }
    result["passed"] = {k: bool(e <= BAR) for k, e in result["relative_error"].items()}
    return _save(result, folder)


def _save(result: dict, folder: Path) -> dict:
    (folder / f"{result['name']}.json").write_text(
        json.dumps(result, indent=1, default=float), encoding="utf-8"
    )
    return result


def _stored(folder: Path, name: str) -> dict | None:
    """The figures ``chain`` stored for export ``name`` in ``folder`` (None if it has none)."""
    path = folder / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def table(folder: Path) -> str:
    """The README table of every export with figures in ``folder``."""
    lines = [
        "| export | "
        + " | ".join(f"{label}: log → runs (error)" for label in KPIS.values())
        + " | within 20% | import + calibrate + 4 runs |",
        "|---|" + "---|" * (len(KPIS) + 2),
    ]
    for name in EXPORTS:
        r = _stored(folder, name)
        if r is None:
            lines.append(f"| {name} | not run |" + " |" * (len(KPIS) + 1))
            continue
        times = " + ".join(f"{r['times'][s]:.0f} s" for s in ("import", "calibrate", "runs")
                           if s in r["times"])  # fmt: skip
        if "failed" in r:
            first = r["failed"]["message"].splitlines()[-1] if r["failed"]["message"] else ""
            failed = f"failed at {r['failed']['step']} (exit {r['failed']['exit']}): {first}"
            lines.append(f"| {name} | {failed} |" + " |" * len(KPIS) + f" {times} |")
            continue
        cells = []
        for key in KPIS:
            o, s, e = r["observed"][key], r["simulated"][key], r["relative_error"][key]
            error = f"{e:.0%}"
            if not np.isfinite(e):
                error = "undefined: the log's is 0" if o == 0 else "undefined in the runs"
            mark = "" if e <= BAR else " **fail**"
            spread = ""
            if key == "weekly_contributions" and r.get("simulated_seeds"):
                seeds = [run[key] for run in r["simulated_seeds"]]
                spread = f"; seeds {min(seeds):.1f}-{max(seeds):.1f}"
            cells.append(f"{_fmt(key, o)} → {_fmt(key, s)} ({error}{spread}){mark}")
        passed = sum(r["passed"].values())
        rows = r.get("import_summary", ["?"])[0].split("(")[0].replace("rows:", "").strip()
        days = f", {r['days']:,} days" if "days" in r else ""
        label = f"{name} ({rows} rows{days})"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {passed}/{len(KPIS)} | {times} |")
    return "\n".join(lines) + "\n" + resolution_table(folder)


def resolution_table(folder: Path) -> str:
    """The retention cells' resolution (``log_resolution``) of every export in ``folder``."""
    lines = ["", "| export | " + " | ".join(
        f"{KPIS[k]}: newcomers; a perfect model passes" for k in ("retention_30", "retention_90")
    ) + " |", "|---|---|---|"]  # fmt: skip
    resolutions = []
    for name in EXPORTS:
        r, log = _stored(folder, name), folder / f"{name}.parquet"
        if r is None or not log.exists():
            continue
        resolution = r.get("resolution") or log_resolution(log)
        cells = []
        for key in ("retention_30", "retention_90"):
            cell = resolution.get(key)
            if not cell:
                cells.append("n/a")
                continue
            chance = "undefined (log 0)" if cell["chance"] is None else f"{cell['chance']:.0%}"
            cells.append(f"{cell['n']:,}; {chance}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
        resolutions.append(resolution)
    if not resolutions:
        return "\n".join(lines) + "\n"
    bound, cells = every_cell_bound(resolutions)
    lines += ["", (
        f"A perfect model passes all {cells} retention cells of these {len(resolutions)} exports "
        f"with a relative error (a log share above 0) with a chance of at most {bound:.2g} "
        "(`every_cell_bound`)."
    )]  # fmt: skip
    return "\n".join(lines) + "\n"


def every_cell_bound(resolutions: list[dict]) -> tuple[float, int]:
    """An upper bound on the chance that a *perfect* model passes every retention cell of
    several logs at once (``resolutions``: ``log_resolution`` of each), and how many cells that
    is: the logs are independent, and within one log passing both cells is at most as likely as
    passing the less likely one, however the two cells' errors are correlated (they share
    newcomers). A cell whose log share is 0 (chance None) has no relative error and is left
    out."""
    bound, cells = 1.0, 0
    for resolution in resolutions:
        chances = [cell["chance"] for cell in resolution.values() if cell and cell["chance"]]
        cells += len(chances)
        bound *= min(chances, default=1.0)
    return bound, cells


def draws_table(folders: list[Path]) -> str:
    """Several calibrations of the same version side by side, one per folder (each its own
    ``commsim calibrate --seed``): per export and KPI the runs' mean of each draw (``*`` where it
    is within ``BAR`` of the log), and the cells each draw passes. One calibration is one draw
    from the ABC's randomness; how far draws of one version differ is what a change between two
    versions must exceed before their tables tell them apart."""
    lines = [
        "| export | "
        + " | ".join(f"{label}: log; each draw's runs" for label in KPIS.values())
        + " | within 20%, each draw |",
        "|---|" + "---|" * (len(KPIS) + 1),
    ]
    totals = [0] * len(folders)
    resolved = [[0, 0] for _ in folders]  # per draw: passes and cells among the resolved ones
    for name in EXPORTS:
        results = [_stored(folder, name) for folder in folders]
        results = [None if r is None or "failed" in r else r for r in results]
        if not any(results):
            continue
        observed = next(r for r in results if r)["observed"]
        cells = []
        for key in KPIS:
            draws = []
            for r in results:
                if r is None:
                    draws.append("not run")
                    continue
                mark = "*" if r["passed"][key] else ""
                draws.append(f"{_fmt(key, r['simulated'][key])}{mark}")
            cells.append(f"{_fmt(key, observed[key])}; " + ", ".join(draws))
        passed = []
        for i, r in enumerate(results):
            if r is None:
                passed.append("-")
                continue
            totals[i] += sum(r["passed"].values())
            passed.append(str(sum(r["passed"].values())))
            keys = resolved_cells(r)
            resolved[i][0] += sum(r["passed"][key] for key in keys)
            resolved[i][1] += len(keys)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {', '.join(passed)} |")
    lines.append("| all | " + " |" * len(KPIS) + f" {', '.join(str(t) for t in totals)} |")
    lines.append(
        "| all, resolved cells | "
        + " |" * len(KPIS)
        + f" {', '.join(f'{p}/{n}' for p, n in resolved)} |"
    )
    return "\n".join(lines) + "\n"


def resolved_cells(result: dict) -> list[str]:
    """The Done-when cells of one export's stored figures (``result``) not known to be finer
    than the log can measure: the retention cells whose ``log_resolution`` chance (that a
    perfect model passes) is at least ``RESOLVED_CHANCE``, and every top-1% and weekly cell
    (their chance has no closed form; a result stored without its resolution counts no
    retention cell). ``draws_table`` counts the passes among them, the cells where a pass or a
    fail says more about the model than about the log's sampling noise."""
    keys = [key for key in KPIS if not key.startswith("retention")]
    resolution = result.get("resolution") or {}
    for key in ("retention_30", "retention_90"):
        chance = (resolution.get(key) or {}).get("chance")
        if chance is not None and chance >= RESOLVED_CHANCE:
            keys.append(key)
    return keys


def _fmt(key: str, value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.1f}" if key == "weekly_contributions" else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"exports: {', '.join(EXPORTS)}")
    parser.add_argument("--all", action="store_true", help="every export")
    parser.add_argument("--folder", default="results/realdata-calibrate")
    parser.add_argument("--realdata", default=str(REALDATA))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument(
        "--table",
        action="store_true",
        help="only rewrite FOLDER/table.md from the figures stored there",
    )
    parser.add_argument("--calibrate", nargs=argparse.REMAINDER, default=[],
                        help="the rest is passed to commsim calibrate (default: its defaults)")  # fmt: skip
    parser.add_argument(
        "--draws",
        nargs="+",
        metavar="FOLDER",
        help="only print the figures stored in these folders side by side (calibrations of one "
        "version with different --calibrate --seed)",
    )
    args = parser.parse_args(argv)
    if args.draws:
        print(draws_table([Path(folder) for folder in args.draws]))
        return 0
    if args.table:
        text = table(Path(args.folder))
        (Path(args.folder) / "table.md").write_text(text, encoding="utf-8")
        print(text)
        return 0
    names = list(EXPORTS) if args.all else args.names
    unknown = [n for n in names if n not in EXPORTS]
    if unknown or not names:
        parser.error(f"unknown export(s) {unknown}; expected --all or some of {', '.join(EXPORTS)}")
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        r = chain(name, args)
        if "failed" in r:
            print(f"{name}: failed at {r['failed']['step']}: {r['failed']['message'][-300:]}")
            continue
        print(f"{name}: times {r['times']}")
        for key, label in KPIS.items():
            print(f"  {label}: log {r['observed'][key]:.4g}, runs {r['simulated'][key]:.4g}, "
                  f"error {r['relative_error'][key]:.0%}")  # fmt: skip
    text = table(folder)
    (folder / "table.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
