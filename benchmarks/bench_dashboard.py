"""How fast the dashboard plays: simulated days per second of the default page (5,000 members,
strategy A beside B), stepping the ``Versus`` model and drawing every chart to PNG, as the page
does, once every ``--render-interval`` days (the page's Render Interval, 10 by default).

    .venv/bin/python benchmarks/bench_dashboard.py                 # default page, 365 days
    .venv/bin/python benchmarks/bench_dashboard.py --render-interval 1
    .venv/bin/python benchmarks/bench_dashboard.py --seeds 3        # 95% bands: three runs per arm

Reports days per second for stepping alone and with the charts, and the mean time of one full
redraw. The issue's target is at least 10 days per second with the charts.
"""

from __future__ import annotations

import argparse
import io
import time

from sim.ui.app import RENDER_INTERVAL
from sim.ui.charts import CHARTS, kpi_table
from sim.ui.dashboard import Setup, Versus


def redraw(versus: Versus) -> None:
    """Everything the page recomputes after a batch of days: each chart as a PNG, and the table."""
    for _, draw in CHARTS:
        draw(versus).savefig(io.BytesIO(), format="png")
    kpi_table(versus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--members", type=int, default=Setup().members)
    parser.add_argument("--render-interval", type=int, default=RENDER_INTERVAL)
    parser.add_argument("--seeds", type=int, default=1, help="runs per strategy")
    args = parser.parse_args()

    setup = Setup(members=args.members, seeds=args.seeds)
    versus = Versus(setup)
    start = time.perf_counter()
    for _ in range(args.days):
        versus.step()
    stepping = time.perf_counter() - start

    versus = Versus(setup)
    redraws, drawing = 0, 0.0
    start = time.perf_counter()
    for day in range(1, args.days + 1):
        versus.step()
        if day % args.render_interval == 0:
            began = time.perf_counter()
            redraw(versus)
            drawing += time.perf_counter() - began
            redraws += 1
    total = time.perf_counter() - start
    print(f"{args.members:,} members, strategies A and B, {args.seeds} seed(s), {args.days} days")
    print(f"stepping only:           {args.days / stepping:6.1f} days/s")
    print(
        f"with charts every {args.render_interval:>2} d:  {args.days / total:6.1f} days/s "
        f"({redraws} redraws, {1000 * drawing / max(redraws, 1):.0f} ms each)"
    )


if __name__ == "__main__":
    main()
