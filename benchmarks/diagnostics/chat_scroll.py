"""Why a longer chat scroll window keeps fewer members (issue 16 item 1), on paired seeds.

    .venv/bin/python benchmarks/diagnostics/chat_scroll.py [--seeds 8] [--variants as_is ...]

The atlas row ``behaviour.chat_scroll_messages`` (``sim.validation.atlas_rows``) measured, for a
chat group scrolled back through 400 messages instead of 100, more daily actives and posts but
fewer members and lower retention(30) and retention(90). This script reruns that row's two arms
exactly as the atlas builds them (``sim.validation.atlas.arm_data``: the default scenario, the
atlas set-up of 1,200 founders, a market of 6,000 and 240 days, the row's base ``hours: {}`` with
a chat group) on the atlas's own seeds (``seed_of(atlas.SEED, r)``, r = 0..seeds-1, so 16 seeds
reproduce the atlas's figures), and reports per arm and as paired differences B - A (400 - 100)
with a 95% Student t-interval over seeds:

* the atlas outcomes (members at the end, daily actives and posts a day over the last 30 days,
  retention(30) and retention(90)), joins, leaves and leaves by reason (``leaves_bored``, ...);
* who posts: threads and replies a day over the run, by segment;
* who leaves: members gone at the end, by segment of the member mix and by age at leaving (in
  the first 30 days after joining, or later);
* per visitor-day, averaged over the run's visits with something to read (all but day 1's, whose
  feed is empty), split by age (newcomers: joined less than 30
  days before, founders excepted; established: the others) and by segment: the day's information benefit
  (``info_weight x info_need x info_today``), relevant items read (``relevant_read``), the reading
  cost (``cost_today``) split into its off-topic part (Ren & Kraut's cost of off-topic messages
  read) and its notification part (unread messages, ``platform.notify_cost``), and the net of the
  two (information benefit - reading cost), and the whole day's feed before the scroll window:
  its messages and the share of them relevant to the reader (its topic interests), and the share
  of visitors who had muted the group (a muted member reads ``platform.muted_read`` of its
  budget and is not notified); captured
  from ``Population._read_attention`` by a wrapper that reads its output and changes nothing.

``--variants`` reruns both arms with one cost switched off in both: ``no_offtopic``
(``behaviour.offtopic_cost: 0``) tests the guess written beside the row (reading further back
reads more off-topic messages, which cost); ``no_notify`` (``platform.notify_cost: 0``) tests the
unread-message cost; ``no_mute`` (``platform.mute_rate: 0``) stops members muting the group. A
variant's sign of members at the end, against ``as_is``'s, says which cost
carries the effect.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np
from scipy import stats

from sim.config import validate_scenario
from sim.experiments.sweep import merge_changes, seed_of
from sim.model import CommunityModel
from sim.validation import atlas
from sim.validation.atlas_rows import ROWS
from sim.world import kernels

ROW = "behaviour.chat_scroll_messages"
NEW_DAYS = 30  # a visitor who joined less than this many days before is a newcomer
VARIANTS = {
    "as_is": {},
    "no_offtopic": {"behaviour": {"offtopic_cost": 0.0}},
    "no_notify": {"platform": {"notify_cost": 0.0}},
    "no_mute": {"platform": {"mute_rate": 0.0}},
}
OUTCOMES = (
    "members_end",
    "dau_last30",
    "posts_per_day",
    "retention_30",
    "retention_90",
    "joins",
    "leaves",
)
PER_VISIT = (
    "info_benefit",
    "relevant_read",
    "cost",
    "offtopic_cost",
    "notify_cost",
    "net",
    "feed_messages",
    "feed_relevant_share",
    "muted",
)


def scenario_of(arm: str, variant: dict):
    row = next(r for r in ROWS if r.name == ROW)
    data = merge_changes(atlas.arm_data(row, arm), variant)
    return validate_scenario(data, f"chat_scroll diagnostic, arm {arm}")


class Recorder:
    """Sums of the per-visitor reading figures by group (age class x segment), from the output of
    ``Population._read_attention``: it wraps that method and only reads what it wrote."""

    def __init__(self, model: CommunityModel):
        self.pop = model.population
        self.rules = model.rules
        self.segments = [seg.name for seg in model.rules.member_mix]
        self.day = 0
        self.sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(PER_VISIT) + 1))
        original = self.pop._read_attention

        def wrapped(idx, feed, values, day, *args, **kw):
            muted = self.pop.muted[idx].astype(np.float64)  # as the visit reads (before muting)
            original(idx, feed, values, day, *args, **kw)
            self.record(idx, feed, values, muted)

        self.pop._read_attention = wrapped

    def record(self, idx: np.ndarray, feed, values: np.ndarray, muted: np.ndarray) -> None:
        pop, r = self.pop, self.rules
        info, relevant, cost, notify, toxicity = (v.astype(np.float64) for v in values)
        benefit = r.info_weight * pop.info_need[idx] * info
        # the whole day's feed (before the scroll window): its size and the share of it that is
        # relevant to the reader, as Population._read_attention computes relevance
        per_topic = feed.informative_per_topic().astype(np.float32)
        relevant_all = kernels.active().weighted_rows(pop.pref, idx, per_topic)
        messages = np.full(idx.size, float(len(feed)))
        share = np.minimum(relevant_all / max(len(feed), 1), 1.0)
        columns = np.stack(
            [
                benefit,
                relevant,
                cost,
                cost - notify - toxicity,
                notify,
                benefit - cost,
                messages,
                share,
                muted,
            ]
        )
        new = ~pop.is_founder[idx] & ((self.day - pop.join_day[idx]) < NEW_DAYS)
        segment = pop.segment[idx]
        for age, in_age in (("newcomers", new), ("established", ~new)):
            for s, name in enumerate(self.segments):
                rows = in_age & (segment == s)
                if rows.any():
                    cell = self.sums[f"{age}/{name}"]
                    cell[:-1] += columns[:, rows].sum(axis=1)
                    cell[-1] += rows.sum()

    def means(self) -> dict[str, float]:
        """Per visitor-day means of every figure, by age, by segment and over all visitors."""
        pooled: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(PER_VISIT) + 1))
        for key, cell in self.sums.items():
            age, name = key.split("/")
            for group in (age, name, "all"):
                pooled[group] += cell
        out = {}
        for group, cell in pooled.items():
            for j, figure in enumerate(PER_VISIT):
                out[f"{figure} [{group}]"] = cell[j] / cell[-1] if cell[-1] else np.nan
            out[f"visits [{group}]"] = cell[-1]
        return out


def run(arm: str, variant: dict, replication: int) -> dict[str, float]:
    scenario = scenario_of(arm, variant)
    model = CommunityModel(**scenario.model_kwargs(), rng=seed_of(atlas.SEED, replication))
    recorder = Recorder(model)
    for _ in range(scenario.run.days):
        recorder.day = model.day
        model.step()
    summary = model.summary()
    out = {k: float(summary[k]) for k in OUTCOMES if k in summary and summary[k] is not None}
    last = model.series().tail(30)
    out["posts_per_day"] = float((last["threads"] + last["replies"]).mean())
    out.update({k: float(v) for k, v in summary.items() if k.startswith("leaves_")})
    pop = model.population
    gone = ~pop.view("alive") & (pop.view("leave_day") >= 0)
    early = (pop.view("leave_day") - pop.view("join_day")) < NEW_DAYS
    segment = pop.view("segment")
    for s, name in enumerate(recorder.segments):
        out[f"gone [{name}]"] = float((gone & (segment == s)).sum())
    out["gone [within 30 days of joining]"] = float((gone & early).sum())
    out["gone [later]"] = float((gone & ~early).sum())
    groups = model.segments_frame()
    by = groups[groups.group_by == "segment"].groupby("group")[["threads", "replies"]].sum()
    for name in recorder.segments:
        if name in by.index:
            out[f"posts a day [{name}]"] = float(by.loc[name].sum()) / scenario.run.days
    out.update(recorder.means())
    return out


def interval(diff: np.ndarray) -> str:
    diff = diff[np.isfinite(diff)]
    if diff.size < 2:
        return "n/a"
    mean = diff.mean()
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
    return f"{mean:+.4g} [{mean - half:+.4g}, {mean + half:+.4g}]"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=8, help="paired atlas seeds (8)")
    parser.add_argument(
        "--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS), help="(all)"
    )
    args = parser.parse_args(argv)
    for name in args.variants:
        started = time.perf_counter()
        runs = {arm: [run(arm, VARIANTS[name], r) for r in range(args.seeds)] for arm in ("a", "b")}
        minutes = (time.perf_counter() - started) / 60
        print(
            f"\n== {name} {VARIANTS[name] or ''}: {ROW} 100 (A) vs 400 (B), {args.seeds} "
            f"paired atlas seeds, {minutes:.1f} min; mean A, mean B, B - A [95% CI]",
            flush=True,
        )
        for key in runs["a"][0]:
            if key.startswith("visits ["):
                continue
            a = np.array([r.get(key, np.nan) for r in runs["a"]])
            b = np.array([r.get(key, np.nan) for r in runs["b"]])
            print(f"  {key:42s} {np.nanmean(a):10.4g} {np.nanmean(b):10.4g}  {interval(b - a)}")


if __name__ == "__main__":
    main()
