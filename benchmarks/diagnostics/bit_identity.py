"""Is a change bit-identical? Hash every output of a set of runs on this checkout and on a reference.

For each case below, on each side (the reference checkout given as the argument, and this checkout),
a fresh subprocess with ``PYTHONPATH`` set to that checkout's root runs the community and hashes
(sha256 of dtype, shape and bytes) every daily series (each column of ``model.series()``), the
summary (``model.summary()`` as sorted JSON) and every numpy array held by ``model.population``
(its state arrays, and one or two levels into what it holds, such as the tie graph's CSR arrays:
``benchmarks/compare_outputs.py``'s ``arrays_in``; arrays sized by the population's capacity are
hashed over the slots in use). The two sides' hashes are then compared field by field.

Cases, for seeds 3 and 4, 1,500 founders, 120 days (``--members``, ``--days``, ``--seeds``):

* ``all-levers``: every lever on, built as ``benchmarks/bench_core.py --policies all`` builds it
  (``all_levers_strategy(members)``, ``market_size = 5 * members``);
* ``default``: the packaged default scenario;
* ``chat_group`` and ``feed``: the default scenario with ``platform.kind`` set to that platform;
* ``active-hours`` and ``lever-groups``: this checkout's ``experiments/`` scenario of that name (active
  hours alone; groups alone) with ``community.members`` and ``run.seed`` overridden.

The same inputs (this checkout's ``experiments/all-levers.yaml`` and ``bench_core.py``) are used on
both sides; only the ``sim`` package differs. The last line is ``IDENTICAL: N fields in K runs``
(exit status 0) or ``DIFFERENT: ...`` (exit status 1).

    .venv/bin/python benchmarks/diagnostics/bit_identity.py /tmp/ref
    .venv/bin/python benchmarks/diagnostics/bit_identity.py /tmp/ref --seeds 3 --days 30
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CASES = ("all-levers", "default", "chat_group", "feed", "active-hours", "lever-groups")
SCENARIO_CASES = ("active-hours", "lever-groups")  # experiments/<case>.yaml


# ---- worker: runs in a subprocess with PYTHONPATH set to one checkout ------------------------------
def _digest(value) -> str:
    import numpy as np

    array = np.ascontiguousarray(value)
    h = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    h.update(array.tobytes())
    return h.hexdigest()


def build(case: str, seed: int, members: int):
    """The model of one case (not yet run)."""
    from bench_core import MARKET_PER_MEMBER, all_levers_strategy

    from sim.config import load_scenario
    from sim.model import CommunityModel

    if case == "all-levers":
        strategy = all_levers_strategy(members)
        return CommunityModel(
            members=members, market_size=MARKET_PER_MEMBER * members, strategy=strategy, rng=seed
        )
    overrides: dict[str, object] = {"community.members": members, "run.seed": seed}
    if case in SCENARIO_CASES:
        scenario = load_scenario(REPO / "experiments" / f"{case}.yaml", overrides)
        return CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)
    if case != "default":
        overrides["platform.kind"] = case
    scenario = load_scenario(None, overrides)
    return CommunityModel(**scenario.model_kwargs(), rng=scenario.run.seed)


def hashes(case: str, seed: int, members: int, days: int) -> dict[str, str]:
    """Field name -> sha256 of every output of one run."""
    import numpy as np
    from compare_outputs import arrays_in, capacity_of

    model = build(case, seed, members)
    model.run(days)
    out: dict[str, str] = {}
    series = model.series()
    for column in series.columns:
        out[f"series.{column}"] = _digest(series[column].to_numpy())
    summary = json.dumps(model.summary(), sort_keys=True, default=repr)
    out["summary"] = hashlib.sha256(summary.encode()).hexdigest()
    population = model.population
    arrays = arrays_in(population)
    capacity, n = capacity_of(population, arrays), population.n
    for name, array in sorted(arrays.items()):
        used = array[:n] if array.ndim and array.shape[0] == capacity else array
        out[f"state.{name}"] = _digest(np.asarray(used))
    return out


def worker(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))  # bench_core and compare_outputs
    import sim

    result = {"sim": str(Path(sim.__file__).parent), "runs": {}}
    for case in args.cases:
        for seed in args.seeds:
            start = time.perf_counter()
            result["runs"][f"{case} seed {seed}"] = {
                "hashes": hashes(case, seed, args.members, args.days),
                "seconds": time.perf_counter() - start,
            }
    json.dump(result, sys.stdout)


# ---- driver --------------------------------------------------------------------------------------
def run_side(checkout: Path, args: argparse.Namespace) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        str(checkout),
        "--members",
        str(args.members),
        "--days",
        str(args.days),
        "--seeds",
        *map(str, args.seeds),
        "--cases",
        *args.cases,
    ]
    # run from outside any checkout, so the current directory does not shadow PYTHONPATH
    done = subprocess.run(command, env=env, cwd="/", capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"bit_identity: the run on {checkout} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path, help="root of the reference checkout")
    parser.add_argument("--members", type=int, default=1500, help="founders (1500)")
    parser.add_argument("--days", type=int, default=120, help="days per run (120)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[3, 4], help="seeds (3 4)")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    reference = args.reference.resolve()
    if not (reference / "sim" / "__init__.py").is_file():
        print(f"bit_identity: {reference} is not a checkout (no sim/__init__.py)", file=sys.stderr)
        return 2
    sides = [run_side(reference, args), run_side(REPO, args)]
    print(f"reference: {sides[0]['sim']}\nthis:      {sides[1]['sim']}")
    total, different = 0, []
    for run, ref in sides[0]["runs"].items():
        new = sides[1]["runs"][run]
        a, b = ref["hashes"], new["hashes"]
        fields = sorted(set(a) | set(b))
        differ = [f for f in fields if a.get(f) != b.get(f)]
        total += len(fields)
        different += [f"{run}: {f}" for f in differ]
        combined = hashlib.sha256("".join(f + b.get(f, "-") for f in fields).encode()).hexdigest()
        kinds = {k: sum(f.startswith(k) for f in fields) for k in ("series.", "summary", "state.")}
        print(
            f"{run:<22} {kinds['series.']:>3} series, {kinds['summary']} summary, "
            f"{kinds['state.']:>3} state arrays: {len(differ)} different  "
            f"[{combined[:16]}]  {ref['seconds']:.1f} s -> {new['seconds']:.1f} s"
        )
    for line in different:
        print(f"  DIFFERENT {line}")
    runs = len(sides[0]["runs"])
    if different:
        print(f"DIFFERENT: {len(different)} of {total} fields in {runs} runs")
        return 1
    print(f"IDENTICAL: {total} fields in {runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
