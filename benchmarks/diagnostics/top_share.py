"""Issue 15: why the calibrated runs' top-1% share of contributions is far below the real logs'.
Who are the top 1% of contributors, in a log and in runs of its calibrated scenario?

Reads an activity log (``commsim import`` output) and runs of its calibrated scenario, either
exported logs (``--runs``, ``commsim export-log`` output) or simulated here (``--scenario`` with
``--seeds``, one process, optionally with single-parameter changes ``--set``), and measures both
the same way, contributions only (``post`` + ``reply``), under the fit's observation model (read
from ``fit-<name>/observed.json`` next to the log, else decided as ``commsim calibrate`` does).

Per log and per run it prints, for the top 1% of contributors (the ``ceil(1%)`` members with the
most contributions, as ``sim.world.metrics.inequality`` takes them; ``--top`` for other shares):

* ``share``: their share of all contributions (the KPI), ``N``: members (every member with a row
  the observation keeps: with registration joins, members who never contribute count with zero,
  as ``sim.calibration.activity`` counts them), ``C``: contributors, ``k``: top members,
  ``contrib``: their mean contributions, ``total``: all contributions;
* ``founders``: the share of them who are founders (as the observation defines them: the log's
  first 7 days, or ``founders_before`` in the import metadata);
* ``tenure``: days from their first to their last contribution as a share of the span;
* ``act.days``: their days with a contribution, ``per day``: contributions per such day,
  ``busiest``: their busiest day;
* ``last10%``: the share of them with a contribution in the last 10% of the span;
* ``first``: day of their first contribution as a share of the span;
* ``first30``: their contributions in their first 30 days (from their first contribution), and
  ``f30/med`` the median contributor's (Panciera, Halfaker & Terveen 2009: heavy contributors
  differ from their first day).

Then a decomposition of the gap, log against the runs' mean: the share is
``k x active days x contributions per active day / total``, so
``log(share_log / share_runs)`` is the sum of the log ratios of those four factors; each factor's
part says what the runs lack (too few top members, too few active days, too little per day, or a
total that is too large for them).

With ``--scenario`` it also prints the model state of each run's top members at the end
(segment, their drawn thread and reply propensity against their segment's centre, i.e. the
log-normal jitter ``exp(spread x z)``, post drive, whether they left and why).

    .venv/bin/python benchmarks/diagnostics/top_share.py \\
        /work/wt-atlas/results/realdata-calibrate/attrs.parquet \\
        --runs /work/wt-atlas/results/realdata-calibrate/run-attrs-*.parquet
    .venv/bin/python benchmarks/diagnostics/top_share.py --dir \\
        /work/wt-atlas/results/realdata-calibrate attrs quantumcomputing discord-komodo
    .venv/bin/python benchmarks/diagnostics/top_share.py \\
        /work/wt-atlas/results/realdata-calibrate/quantumcomputing.parquet \\
        --scenario /work/wt-atlas/results/realdata-calibrate/fit-quantumcomputing/calibrated.yaml \\
        --seeds 1-4 --set mix.spread=2

``--set mix.FIELD=VALUE`` sets FIELD in every segment of the member mix (as calibration's
``mix.spread`` knob does); other paths are scenario overrides (``behaviour.drive_max=10``).
``--scale X`` multiplies every segment's thread and reply rates (to compare two rules at the
same volume: e.g. momentum on against off with the rates raised until the totals match).
``--markdown`` prints the summary as a Markdown table. Same inputs: the same tables (runs are
deterministic in their seed; the simulated runs equal ``commsim export-log --seed N``'s).
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.activity import ACTIONS, JOIN, POST, REPLY, Observation
from sim.calibration.log import ActivityObserver, action_counts
from sim.calibration.observation import decide, import_metadata
from sim.config.loading import apply_overrides, load_scenario, validate_scenario
from sim.model import CommunityModel
from sim.world.outcomes import LeaveReason

LAST_SHARE = 0.10  # "still active": a contribution in the span's last 10%
EARLY_DAYS = 30  # a member's first days, from its first contribution


@dataclass
class Contributions:
    """One log's or run's contributions: per row member code and day (0 = day 0), the span
    (last day), and per member code whether it is a founder."""

    name: str
    member: np.ndarray
    day: np.ndarray
    span: int
    founder: np.ndarray
    keys: np.ndarray  # member code -> the log's member id (or the run's slot)


def _observation(log: Path, path: str | None) -> Observation:
    """The fit's observation model (``observed.json``), else decided as calibrate does."""
    candidates = [Path(path)] if path else []
    candidates.append(log.parent / f"fit-{log.stem}" / "observed.json")
    for candidate in candidates:
        if candidate.is_file():
            data = json.loads(candidate.read_text(encoding="utf-8"))["observation"]
            return Observation(
                tuple(data["observed"]),
                data["join"],
                int(data["founder_days"]),
                data["reason"],
                bool(data.get("founders_known", False)),
            )
    frame = pd.read_parquet(log, columns=["timestamp"])
    start = str(frame["timestamp"].min())[:10]
    observation, _ = decide(action_counts(log), import_metadata(log), start)
    return observation


def _founders(
    member: np.ndarray, first_day: np.ndarray, joins: pd.DataFrame, obs: Observation
) -> np.ndarray:
    """Per member code: founder under ``obs`` (``sim.calibration.activity``'s rules), from each
    member's first contribution day and the join rows (member code, day; codes -1 for members
    who never contribute)."""
    if obs.join == "first_contribution" and not obs.founders_known:
        return first_day < obs.founder_days
    joined = np.zeros(first_day.size, bool)
    early = np.zeros(first_day.size, bool)
    known = joins[joins["member"] >= 0]
    joined[known["member"].to_numpy()] = True
    early[known.loc[known["day"] < obs.founder_days, "member"].to_numpy()] = True
    if obs.founders_known:
        return ~joined | early
    # registration joins: a member's join row decides; none: there from the start
    return ~joined | early


def _contributions(
    name: str,
    member_ids: np.ndarray,
    day: np.ndarray,
    action: np.ndarray,
    span: int | None,
    obs: Observation,
    run: bool,
) -> Contributions:
    """Contributions of one log or run (``action``: codes of ``ACTIONS``). A log's day 0 is its
    first day with a row the observation keeps; a run's is its first row (its founders' joins),
    and its span ``span`` days (``ActivityStats.finish(days=...)``)."""
    kept = np.isin(action, obs.codes)
    origin = int(day.min()) if run else int(day[kept].min())
    day = day - origin
    posting = (action == POST) | (action == REPLY)
    # the members: everyone with a row the observation keeps (with registration joins, members
    # who never contribute count with zero, as ``ActivityStats`` counts them)
    _, keys = pd.factorize(member_ids[kept])
    codes = pd.Index(keys).get_indexer(member_ids[posting])
    cday = day[posting]
    last = span if run else int(day[kept].max())
    first_day = np.full(keys.size, np.iinfo(np.int64).max)
    np.minimum.at(first_day, codes, cday)
    joining = action == JOIN
    join_codes = pd.Index(keys).get_indexer(member_ids[joining])
    joins = pd.DataFrame({"member": join_codes, "day": day[joining]})
    founder = _founders(codes, first_day, joins, obs)
    return Contributions(name, codes.astype(np.int64), cday, last, founder, np.asarray(keys))


def read_contributions(path: Path, obs: Observation, span: int | None = None) -> Contributions:
    """A log file (``span`` None) or an exported run (``span``: the run's days)."""
    frame = pd.read_parquet(path, columns=["member", "timestamp", "action"])
    action = frame["action"].str.strip().str.lower().map({a: i for i, a in enumerate(ACTIONS)})
    frame = frame[action.notna()]
    action = action[action.notna()].to_numpy(np.int8)
    stamp = pd.to_datetime(frame["timestamp"], utc=True)
    day = (stamp.dt.tz_localize(None).to_numpy("datetime64[D]").astype(np.int64)).astype(np.int64)
    member = frame["member"].astype(str).to_numpy()
    return _contributions(path.name, member, day, action, span, obs, run=span is not None)


def simulate(scenario, seed: int, obs: Observation) -> tuple[Contributions, CommunityModel]:
    """Run ``scenario`` on ``seed`` (as ``commsim export-log --seed``) and keep its joins and
    contributions; returns them and the model at the end (for member state)."""
    model = CommunityModel(**scenario.model_kwargs(), rng=seed)
    members, days, actions = [], [], []
    wanted = np.array([JOIN, POST, REPLY], np.int8)
    for events in ActivityObserver(model).run(scenario.run.days):
        keep = np.isin(events.action, wanted)
        members.append(events.member[keep])
        days.append(np.full(int(keep.sum()), events.day, np.int64))
        actions.append(events.action[keep])
    contributions = _contributions(
        f"seed {seed}",
        np.concatenate(members),
        np.concatenate(days),
        np.concatenate(actions),
        scenario.run.days,
        obs,
        run=True,
    )
    return contributions, model


def top_members(c: Contributions, top: float) -> tuple[np.ndarray, np.ndarray]:
    """Member codes of the top ``top`` share of contributors (``ceil(top x N)`` of them, the most
    contributions first; ties by first appearance) and every member's contributions."""
    counts = np.bincount(c.member, minlength=c.founder.size)
    k = max(1, math.ceil(top * counts.size))
    order = np.argsort(-counts, kind="stable")
    return order[:k], counts


def profile(c: Contributions, top: float) -> dict:
    """The top contributors' profile (module docstring)."""
    chosen, counts = top_members(c, top)
    total = int(counts.sum())
    span = max(1, c.span)
    frame = pd.DataFrame({"member": c.member, "day": c.day})
    frame = frame[np.isin(frame["member"], chosen)]
    grouped = frame.groupby("member")["day"]
    first, last = grouped.min(), grouped.max()
    per_day = frame.groupby(["member", "day"]).size()
    active = per_day.groupby(level="member").size()
    busiest = per_day.groupby(level="member").max()
    written = counts[chosen]
    days = active.reindex(chosen, fill_value=0).to_numpy()
    # their first 30 days against every contributor's (Panciera et al. 2009: born, not made)
    every = pd.DataFrame({"member": c.member, "day": c.day})
    since = every["day"] - every.groupby("member")["day"].transform("min")
    early = every[since < EARLY_DAYS].groupby("member").size()
    return {
        "name": c.name,
        "N": int(counts.size),
        "C": int((counts > 0).sum()),
        "k": int(chosen.size),
        "total": total,
        "share": float(written.sum() / total) if total else 0.0,
        "top_contrib": float(written.mean()),
        "founders": float(c.founder[chosen].mean()),
        "all_founders": float(c.founder.mean()),
        "tenure": float(((last - first) / span).mean()),
        "first": float((first / span).mean()),
        "active_days": float(active.mean()),
        "per_day": float((written[days > 0] / days[days > 0]).mean()) if days.any() else 0.0,
        "busiest": float(busiest.mean()),
        "last10": float((last >= (1 - LAST_SHARE) * span).mean()),
        "early": float(early.reindex(chosen, fill_value=0).mean()),
        "early_all": float(early.median()) if early.size else 0.0,
        "chosen": chosen,
    }


COLUMNS = (
    ("share", "share", "{:.3f}"),
    ("N", "N", "{:d}"),
    ("C", "C", "{:d}"),
    ("k", "k", "{:d}"),
    ("contrib", "top_contrib", "{:.0f}"),
    ("total", "total", "{:d}"),
    ("founders", "founders", "{:.2f}"),
    ("fdr/all", "all_founders", "{:.2f}"),
    ("tenure", "tenure", "{:.2f}"),
    ("first", "first", "{:.2f}"),
    ("act.days", "active_days", "{:.1f}"),
    ("per day", "per_day", "{:.2f}"),
    ("busiest", "busiest", "{:.1f}"),
    ("last10%", "last10", "{:.2f}"),
    ("first30", "early", "{:.1f}"),
    ("f30/med", "early_all", "{:.1f}"),
)


def _mean_row(rows: list[dict], name: str) -> dict:
    out = {"name": name}
    for _, key, fmt in COLUMNS:
        values = [r[key] for r in rows]
        out[key] = float(np.mean(values))
        if fmt == "{:d}":
            out[key] = round(out[key])
    return out


def print_table(title: str, rows: list[dict], markdown: bool) -> None:
    print(f"\n### {title}")
    heads = ["", *(h for h, _, _ in COLUMNS)]
    if markdown:
        print("| " + " | ".join(heads) + " |")
        print("|" + "---|" * len(heads))
    else:
        print(f"{'':<14}" + "".join(f"{h:>10}" for h in heads[1:]))
    for row in rows:
        cells = [fmt.format(row[key]) for _, key, fmt in COLUMNS]
        if markdown:
            print(f"| {row['name']} | " + " | ".join(cells) + " |")
        else:
            print(f"{row['name']:<14}" + "".join(f"{c:>10}" for c in cells))


def decomposition(log: dict, runs: dict) -> dict[str, float]:
    """log(share_log / share_runs) split into its factors: top members k, their mean active days,
    their mean contributions per active day, and the total (which divides)."""

    def factors(r: dict) -> dict[str, float]:
        days = r["active_days"]
        per_day = r["top_contrib"] / days if days else 0.0  # pooled over the top members
        return {
            "k": r["k"],
            "active days": days,
            "per active day": per_day,
            "1 / total": r["total"],
        }

    a, b = factors(log), factors(runs)
    out = {
        key: math.log(a[key] / b[key]) * (-1 if key == "1 / total" else 1)
        for key in ("k", "active days", "per active day", "1 / total")
    }
    out["log(share ratio)"] = math.log(log["share"] / runs["share"])
    return out


def print_decomposition(parts: dict[str, float]) -> None:
    print("\nlog(share_log / share_runs) = sum of the factors' log ratios (log / runs):")
    print("  " + "  ".join(f"{k} {v:+.2f} (x{math.exp(v):.2f})" for k, v in parts.items()))


def model_state(model: CommunityModel, c: Contributions, chosen: np.ndarray) -> list[str]:
    """The end state of a run's top members (their slots are ``c.keys[chosen]``)."""
    pop = model.population
    mix = model.population.rules.member_mix
    lines = []
    for code in chosen:
        slot = int(c.keys[code])
        seg = mix[int(pop.segment[slot])]
        post_jitter = float(pop.post_base[slot]) / seg.post if seg.post else float("nan")
        reply_jitter = float(pop.reply_base[slot]) / seg.reply if seg.reply else float("nan")
        joined, left = int(pop.join_day[slot]), int(pop.leave_day[slot])
        if pop.alive[slot]:
            state, present = "here", model.day - joined
        else:
            reason = LeaveReason(int(pop.leave_reason[slot])).name.lower()
            state, present = f"left day {left} ({reason})", left - joined
        visits = int(pop.visits[slot])
        lines.append(
            f"    slot {slot:>5} {seg.name:<8} founder {bool(pop.is_founder[slot])!s:<5}"
            f" post x{post_jitter:5.2f} reply x{reply_jitter:5.2f}"
            f" visit_base {float(pop.visit_base[slot]):.2f} joined {joined:>4}"
            f" visits {visits:>4} ({visits / max(1, present):.2f} of its {present} days)"
            f" drive {float(pop.post_drive[slot]):.2f} loyalty {float(pop.loyalty[slot]):.2f} {state}"
        )
    return lines


def _seeds(text: str) -> list[int]:
    if "-" in text:
        low, high = text.split("-")
        return list(range(int(low), int(high) + 1))
    return [int(s) for s in text.split(",")]


def _value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def scenario_with(path: str, settings: list[str], scale: float = 1.0):
    """The scenario at ``path`` with ``--set`` changes (``mix.FIELD``: every segment's FIELD) and
    every segment's thread and reply rates times ``scale`` (``--scale``: as calibration's
    ``mix.post_scale`` and ``mix.reply_scale`` together, to compare at a matched volume)."""
    pairs = [item.split("=", 1) for item in settings]
    base = load_scenario(path, {})
    data = base.model_dump(mode="json")
    data["member_mix"] = [
        {**s, "post": min(100.0, s["post"] * scale), "reply": min(100.0, s["reply"] * scale)}
        for s in data["member_mix"]
    ]
    overrides = {}
    for key, value in pairs:
        if key.startswith("mix."):
            field = key.split(".", 1)[1]
            data["member_mix"] = [{**s, field: _value(value)} for s in data["member_mix"]]
        else:
            overrides[key] = _value(value)
    return validate_scenario(apply_overrides(data, overrides), path)


def analyse(log_path: Path, args, runs: list[Path]) -> dict:
    obs = _observation(log_path, args.observation)
    log = read_contributions(log_path, obs)
    print(f"\n## {log_path.stem}: {log.span} days; {obs.describe()}")
    rows_by_top = {}
    for top in args.top:
        log_row = profile(log, top)
        log_row["name"] = "log"
        run_rows, states = [], []
        if args.scenario:
            scenario = scenario_with(args.scenario, args.set, args.scale)
            started = time.perf_counter()
            for seed in _seeds(args.seeds):
                c, model = simulate(scenario, seed, obs)
                row = profile(c, top)
                run_rows.append(row)
                states.append((seed, model_state(model, c, row["chosen"])))
            elapsed = time.perf_counter() - started
            label = f"{Path(args.scenario).name} {' '.join(args.set) or 'as calibrated'}"
            label += f", rates x{args.scale:g}" if args.scale != 1 else ""
            print(f"runs: {label}, seeds {args.seeds} ({elapsed:.0f} s)")
        else:
            for run in runs:
                row = profile(read_contributions(run, obs, span=log.span), top)
                row["name"] = run.stem.rsplit("-", 1)[-1].join(("seed ", ""))
                run_rows.append(row)
        mean = _mean_row(run_rows, "runs (mean)")
        print_table(f"top {top:.0%} of contributors", [log_row, *run_rows, mean], args.markdown)
        parts = decomposition(log_row, mean)
        print_decomposition(parts)
        for seed, lines in states:
            print(f"  seed {seed}: top members at the end")
            print("\n".join(lines))
        rows_by_top[top] = (log_row, mean, parts)
    return rows_by_top


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", nargs="*", help="activity log(s) (with --dir: export names)")
    parser.add_argument("--runs", nargs="+", default=[], help="exported runs of the log's fit")
    parser.add_argument("--dir", help="a realdata-calibrate folder: NAME.parquet, run-NAME-*")
    parser.add_argument("--observation", help="observed.json of the fit (default: next to log)")
    parser.add_argument("--scenario", help="simulate this scenario instead of reading runs")
    parser.add_argument("--seeds", default="1-4", help="with --scenario: e.g. 1-4 or 1,3")
    parser.add_argument(
        "--set",
        nargs="+",
        action="extend",
        default=[],
        metavar="PATH=VALUE",
        help="scenario overrides; repeatable, each --set adds to the last",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="with --scenario: thread and reply rates x this"
    )
    parser.add_argument("--top", type=float, nargs="+", default=[0.01])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    summary = []
    if args.dir:
        folder = Path(args.dir)
        for name in args.log:
            runs = sorted(Path(p) for p in glob.glob(str(folder / f"run-{name}-*.parquet")))
            summary.append((name, analyse(folder / f"{name}.parquet", args, runs)))
    else:
        if len(args.log) != 1:
            parser.error("give one LOG (or --dir FOLDER NAME...)")
        runs = [Path(p) for p in args.runs]
        summary.append((Path(args.log[0]).stem, analyse(Path(args.log[0]), args, runs)))
    if len(summary) > 1:
        print("\n## summary: top 1% (log -> runs mean) and the decomposition of the gap")
        print("| export | share | founders | tenure | active days | per active day | last 10% "
              "| k | log ratio: k / days / per day / 1/total |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|")
        for name, rows in summary:
            log_row, mean, parts = rows[args.top[0]]
            print(
                f"| {name} | {log_row['share']:.3f} → {mean['share']:.3f}"
                f" | {log_row['founders']:.2f} → {mean['founders']:.2f}"
                f" | {log_row['tenure']:.2f} → {mean['tenure']:.2f}"
                f" | {log_row['active_days']:.0f} → {mean['active_days']:.0f}"
                f" | {log_row['per_day']:.2f} → {mean['per_day']:.2f}"
                f" | {log_row['last10']:.2f} → {mean['last10']:.2f}"
                f" | {log_row['k']} → {mean['k']}"
                f" | {parts['k']:+.2f} / {parts['active days']:+.2f} / "
                f"{parts['per active day']:+.2f} / {parts['1 / total']:+.2f} |"
            )


if __name__ == "__main__":
    main()
