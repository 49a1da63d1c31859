"""Issue 15: why the log's heaviest founder does not write the most in a calibrated run.

A calibrated scenario gives its founders the log's proportions (``community.founder_weights``,
``Population._weigh_founders``), yet on quiet logs the runs' top member writes about as much as
the next ones. This runs one seed of a scenario (a ``calibrated.yaml``) and, for its first
``--top`` founders (slots 0.. in the order of ``founder_weights``, the log's heaviest first),
records on each day it visits the replies it would write (``Population._reply_rate``), what the
finite time for writing leaves of them (``Rules.writing_capacity``, ``_writing_scale``) and the
relevant items it read; then the replies and threads it wrote.

    .venv/bin/python benchmarks/diagnostics/core_writing.py \\
        results/rd31a/fit-conlang.meta/calibrated.yaml --seed 1

On conlang.meta's calibration with habituation and individual interest fitted (`--param`, root
seed 1; ``mix.reply_scale`` 385.6, capacity 14), seed 1: the founders weighted 10.75, 4.375, 4.0
(the log's 86, 35 and 32 contributions) wrote 38, 13 and 30. On the 24-28 days each had anything
to answer it read 0.34-0.59 relevant items, so the fit's reply scale (385 times the mix's) made
it want to write 61.7, 26.7 and 39.9 replies that day (medians); the capacity cut each to 9-11,
and the thread's saturation (``reply_saturation``) kept a few of them per thread, in a random
order: the weights were lost between the two limits. Their visits were alike too (238, 241 and
259 days), their visiting weights (9.9, 3.6, 4.9 times the founders' mean) all capped at a
visit a day.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from sim.agents import Population
from sim.config.loading import load_scenario
from sim.model import CommunityModel


def record(scenario_path: Path | None, seed: int, top: int = 5, overrides=None) -> dict:
    """One run of the scenario; per founder slot 0..``top``-1: its writing weight, visits, the
    days it had something to answer (a reply rate above 0), on those days the median replies it
    would write before and after the writing capacity and the median relevant items read, and
    the replies and threads it wrote."""
    scenario = load_scenario(scenario_path, overrides=overrides)
    days: dict[int, list[tuple[float, float, float]]] = {i: [] for i in range(top)}
    original = Population.respond

    def respond(self, visitors, feed, day, kind, groups=None):  # observes, changes nothing
        if kind == "reply":
            slots = self.slots_of(visitors)
            mine = np.flatnonzero(slots < top)
            if mine.size:
                rate = self._reply_rate(slots)
                kept = rate
                if self.rules.writing_capacity > 0:
                    kept = rate * self._writing_scale(slots, reply_rate=rate)
                for j in mine:
                    slot = int(slots[j])
                    days[slot].append(
                        (float(rate[j]), float(kept[j]), float(self.relevant_read[slot]))
                    )
        return original(self, visitors, feed, day, kind, groups)

    Population.respond = respond
    try:
        model = CommunityModel(**scenario.model_kwargs(), rng=seed)
        model.run(scenario.run.days)
    finally:
        Population.respond = original
    pop = model.population
    weights = list(scenario.community.founder_weights)  # empty: drawn founders, no weight
    out = []
    for slot in range(min(top, pop.n)):
        seen = np.array(days[slot], float).reshape(-1, 3)
        asked = seen[seen[:, 0] > 0]
        wanted, left, relevant = np.median(asked, axis=0) if len(asked) else (0.0, 0.0, 0.0)
        out.append({
            "slot": slot,
            "weight": float(weights[slot]) if slot < len(weights) else None,
            "visits": int(pop.visits[slot]),
            "answer_days": len(asked),
            "wanted": float(wanted),
            "capacity_left": float(left),
            "relevant": float(relevant),
            "replies": int(pop.posts[slot] - pop.threads[slot]),
            "threads": int(pop.threads[slot]),
        })  # fmt: skip
    return {"founders": out, "capacity": scenario.behaviour.writing_capacity}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args(argv)
    result = record(args.scenario, args.seed, args.top)
    print(f"writing capacity {result['capacity']:g} contributions a day")
    print("slot | weight | visits | days with something to answer | replies wanted (median) | "
          "after the capacity | relevant items read | replies written | threads written")  # fmt: skip
    for f in result["founders"]:
        weight = "-" if f["weight"] is None else f"{f['weight']:g}"
        cells = (f["slot"], weight, f["visits"], f["answer_days"], f"{f['wanted']:.1f}",
                 f"{f['capacity_left']:.1f}", f"{f['relevant']:.2f}", f["replies"], f["threads"])  # fmt: skip
        print(" | ".join(map(str, cells)))


if __name__ == "__main__":
    main()
