"""Issue 15: how much of a calibrated scenario's fit does one fitted field carry by itself?

A candidate calibration fits a new rule together with every other parameter, so its table mixes
the rule's own effect with where the fit went. This script takes one calibrated scenario
(``calibrated.yaml`` of ``commsim calibrate``), runs it per seed as fitted and with one field set
to other values (everything else as fitted, the same seeds), measures each run from
contributions only, as the Done-when table does (joins at the first contribution), and prints the
seeds' means of retention(30), retention(90), the top-1% share and contributions per week, with
the newcomers counted (contributions per week here are ``Observed.weekly``'s mean over the run's
weeks; the Done-when table counts the log's weeks, so the two can differ a little).

    .venv/bin/python benchmarks/diagnostics/rule_ablation.py \\
        results/rd42a/fit-attrs/calibrated.yaml behaviour.continuation 0
    .venv/bin/python benchmarks/diagnostics/rule_ablation.py SCENARIO FIELD VALUE... --seeds 1 2
    .venv/bin/python benchmarks/diagnostics/rule_ablation.py \\
        results/rd42a/fit-attrs/calibrated.yaml behaviour.continuation 0 \\
        --set behaviour.habit_gain=0 --seeds $(seq 1 12)

``--set FIELD=VALUE`` (repeatable) changes the scenario for every row, the fitted one included,
so a second rule can be held off while the first is varied: what the first carries through it.
A field of the member mix (``member_mix.spread``, ``member_mix.tail``) is set in every segment.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from scipy.stats import t as student_t

from sim.calibration.activity import Observation
from sim.calibration.log import simulated_stats
from sim.config import load_scenario
from sim.config.loading import apply_overrides, validate_scenario
from sim.model import CommunityModel

CONTRIBUTIONS = Observation(("post", "reply"), "first_contribution", 7, "contributions only")
COLUMNS = ("retention_30", "retention_90", "top1_post_share")
KEYS = (*COLUMNS, "weekly", "newcomers")


def measure(scenario, seeds: list[int]) -> dict[str, float]:
    """The seeds' means of the Done-when KPIs of ``scenario``'s runs, from contributions only."""
    return _means(per_seed(scenario, seeds))


def _means(rows: np.ndarray) -> dict[str, float]:
    """The seeds' means (``per_seed``'s rows) by KPI, a seed's undefined share left out."""
    return dict(zip(KEYS, np.nanmean(rows, axis=0).tolist(), strict=True))


def per_seed(scenario, seeds: list[int]) -> np.ndarray:
    """One row per seed of the Done-when KPIs (``KEYS``) of ``scenario``'s run, NaN where a share
    is undefined."""
    rows = []
    for seed in seeds:
        model = CommunityModel(**scenario.model_kwargs(), rng=seed, collect=False)
        stats = simulated_stats(model, scenario.run.days, CONTRIBUTIONS).finish()
        weekly = float(stats.weekly()["posts"].mean())  # contributions per week (Observed.weekly)
        s = stats.scalars
        rows.append([np.nan if s[c] is None else s[c] for c in COLUMNS] + [weekly, s["newcomers"]])
    return np.array(rows, float)


def paired_interval(changed: np.ndarray, fitted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column, the mean of the seeds' paired differences ``changed - fitted`` and the half
    width of its 95% interval (t quantile; NaN with fewer than two seeds, or where a share is
    undefined on a seed, that seed left out)."""
    difference = changed - fitted
    count = np.sum(~np.isnan(difference), axis=0)
    mean = np.nanmean(difference, axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a column of one seed: no spread
        spread = np.nanstd(difference, axis=0, ddof=1) / np.sqrt(count)
        half = student_t.ppf(0.975, np.maximum(count - 1, 1)) * spread
    half[count < 2] = np.nan
    return mean, half


def changed(data: dict, field: str, value: float) -> dict:
    """``data`` (a scenario as plain data) with the dotted ``field`` set to ``value``; a field of
    the member mix (``member_mix.spread``) is set in every segment, as the calibration's
    ``mix.*`` parameters scale them all."""
    _current(data, field)  # a clear error for a field the scenario lacks
    section, _, name = field.partition(".")
    if isinstance(data[section], list):
        return {**data, section: [{**segment, name: value} for segment in data[section]]}
    return apply_overrides(data, {field: value})


def _current(data: dict, field: str):
    """The value of the dotted ``field`` in ``data`` (the first segment's, for the member mix);
    exits with a message naming the field and the section's fields when it has none."""
    section, _, name = field.partition(".")
    part = data.get(section)
    if isinstance(part, list):
        part = part[0] if part else None
    if not isinstance(part, dict) or name not in part:
        known = sorted(part) if isinstance(part, dict) else sorted(data)
        raise SystemExit(f"{field}: no such scenario field; the fields there are {known}")
    return part[name]


def _setting(text: str) -> tuple[str, float]:
    field, sep, value = text.partition("=")
    if not sep:
        raise SystemExit(f"--set {text!r}: expected FIELD=VALUE, e.g. behaviour.habit_gain=0")
    return field, float(value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("field", help="a dotted scenario path, e.g. behaviour.continuation")
    parser.add_argument("values", nargs="+", type=float)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4])
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="change the scenario for every row (repeatable), e.g. behaviour.habit_gain=0",
    )
    args = parser.parse_args(argv)
    base = load_scenario(args.scenario, {}).model_dump(mode="json")
    held = [_setting(text) for text in args.set]
    for field, value in held:
        base = changed(base, field, value)
    fitted = _current(base, args.field)
    also = f", with {', '.join(args.set)}" if held else ""
    print(
        f"{args.scenario}: {args.field} as fitted ({fitted}) and at {args.values}, "
        f"seeds {args.seeds}{also}"
    )
    print(f"{'value':>10} {'r(30)':>8} {'r(90)':>8} {'top 1%':>8} {'weekly':>9} {'newcomers':>10}")
    reference = None
    for value in [fitted, *args.values]:
        scenario = validate_scenario(changed(base, args.field, value), args.scenario)
        rows = per_seed(scenario, args.seeds)
        m = _means(rows)
        print(
            f"{value:>10.4g} {m['retention_30']:>8.4f} {m['retention_90']:>8.4f} "
            f"{m['top1_post_share']:>8.3f} {m['weekly']:>9.1f} {m['newcomers']:>10.0f}"
        )
        if reference is None:
            reference = rows
        elif len(args.seeds) > 1:  # the change against the fitted row, seed by seed
            mean, half = paired_interval(rows, reference)
            cells = [f"{d:+.4f}±{h:.4f}" for d, h in zip(mean[:2], half[:2], strict=True)]
            cells += [f"{mean[2]:+.3f}±{half[2]:.3f}", f"{mean[3]:+.1f}±{half[3]:.1f}"]
            print(f"{'change':>10} " + " ".join(cells) + "  (paired, 95%)")


if __name__ == "__main__":
    main()
