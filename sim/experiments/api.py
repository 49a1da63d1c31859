"""The Python API of experiments, mirroring the command line (``commsim sweep``, ``compare``,
``report``): load a sweep file, run it, read the results as data frames, compare, report.

Runs from a script or a Jupyter notebook; the default ``process`` backend forks workers from a fork
server on Linux (spawns them elsewhere), which works from a notebook because the run function lives
in ``sim.experiments.runner``. Each worker imports the script that started it, so a script keeps its
work under the ``__main__`` guard (without it, ``run_sweep`` raises ``WorkersDiedError`` at once)::

    from sim.experiments import Results, load_sweep, run_sweep, write_report

    if __name__ == "__main__":
        sweep = load_sweep("experiments/studies/incentive-rules.yaml", replications=4)
        run_sweep(sweep, "results/notebook", backend="process", workers=2)  # resumes if rerun
        results = Results("results/notebook")
        results.summaries().groupby("strategy")["dau_last30"].mean()
        results.compare(kpis=["dau_last30", "retention_30"])   # paired differences, 95% CIs
        write_report(results)                                   # results/notebook/report/

Several sweeps in a row can share their workers, started once (about 7 s saved a sweep)::

    with open_pool("process", workers=2) as pool:
        for sweep in sweeps:
            run_sweep(sweep, f"results/{sweep.name}", pool=pool)

``experiments/api_example.py`` runs the same steps.
"""

from sim.experiments.analysis import Results
from sim.experiments.report import headline_table, write_report
from sim.experiments.runner import SweepResult, open_pool, run_sweep
from sim.experiments.sweep import Sweep, SweepError, load_sweep, parse_sweep

__all__ = [
    "Results",
    "Sweep",
    "SweepError",
    "SweepResult",
    "headline_table",
    "load_sweep",
    "open_pool",
    "parse_sweep",
    "run_sweep",
    "write_report",
]
