"""The report's figures: design scatters with rounded ticks, the Morris mu*-sigma plot, windows
shaded, and no label outside its figure (a clipped label)."""

from __future__ import annotations

import pytest
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from sweep_helpers import write_sweep

from sim.experiments.analysis import Results
from sim.experiments.report import (
    _design_figure,
    _difference_figure,
    _rounded,
    _series_figure,
    write_report,
)
from sim.experiments.runner import run_sweep
from sim.experiments.sweep import load_sweep

LHS = {
    "kind": "lhs",
    "samples": 6,
    "factors": {
        "arrivals.word_of_mouth_q": {"low": 0.001, "high": 0.009},
        "arrivals.market_size": {"low": 300, "high": 3000, "integer": True},
    },
}
MORRIS = {
    "kind": "morris",
    "samples": 3,
    "factors": {
        "arrivals.market_size": {"low": 200, "high": 3000, "integer": True},
        "arrivals.word_of_mouth_q": {"low": 0.001, "high": 0.009},
    },
}


def _swept(folder, **changes) -> Results:
    sweep = load_sweep(write_sweep(folder, replications=1, **changes))
    run_sweep(sweep, folder / "out", backend="serial", progress=False)
    return Results(folder / "out")


@pytest.fixture(scope="module")
def lhs(tmp_path_factory):
    windows = {"early": {"first": 1, "last": 10}, "late": {"first": 15, "last": 25}}
    kpis = ["retention_7", "dau@late", "members_end"]
    return _swept(tmp_path_factory.mktemp("lhs"), design=LHS, windows=windows, kpis=kpis)


def _drawn(figure):
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def _shown_ticks(axis, limits) -> list:
    """The tick labels drawn: those whose tick lies within the axis' view."""
    low, high = sorted(limits)
    return [
        tick.label1
        for tick in axis.get_major_ticks()
        if low - 1e-9 * abs(high - low) <= tick.get_loc() <= high + 1e-9 * abs(high - low)
    ]


def assert_nothing_clipped(figure) -> None:
    """Every visible title, axis label, tick label and annotation lies inside the figure."""
    renderer = _drawn(figure)
    box = figure.bbox
    texts = [figure._suptitle] if figure._suptitle is not None else []
    for ax in figure.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        texts += _shown_ticks(ax.xaxis, ax.get_xlim()) + _shown_ticks(ax.yaxis, ax.get_ylim())
    for text in texts:
        if not (text.get_visible() and text.get_text()):
            continue
        extent = text.get_window_extent(renderer)
        inside = (
            extent.x0 >= box.x0 - 1
            and extent.x1 <= box.x1 + 1
            and extent.y0 >= box.y0 - 1
            and extent.y1 <= box.y1 + 1
        )
        assert inside, f"clipped label {text.get_text()!r}: {extent} outside {box}"


def test_tick_labels_are_rounded():
    assert _rounded(0.0031234567891234) == "0.00312"
    assert _rounded(1133.3333333333) == "1,130" and _rounded(4.5) == "4.5"
    assert _rounded("a") == "a"


def test_a_space_filling_design_is_a_scatter_of_factor_against_factor(lhs):
    figure = _design_figure(lhs, lhs.summaries())
    assert_nothing_clipped(figure)
    panels = [ax for ax in figure.axes if ax.get_xlabel() == "arrivals.word_of_mouth_q"]
    assert len(panels) == 2  # one per strategy
    for ax in panels:
        assert ax.get_ylabel() == "arrivals.market_size" and len(ax.collections) == 1
        assert len(ax.collections[0].get_offsets()) == LHS["samples"]
        labels = [t.get_text() for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]]
        assert labels and all(len(label) <= 7 for label in labels), labels
    colourbar = [ax for ax in figure.axes if ax.get_ylabel() == "retention at 7 days (%)"]
    assert colourbar, "the colour bar names the KPI and its unit"


def test_series_shade_every_window_and_labels_fit(lhs):
    palette = dict(zip(lhs.strategies, sns.color_palette(n_colors=2), strict=True))
    figure = _series_figure(lhs, palette)
    assert_nothing_clipped(figure)
    for ax in figure.axes:
        spans = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert len(spans) >= 2
        assert {t.get_text() for t in ax.texts} >= {"early", "late"}


def test_differences_are_in_points_for_shares_and_titles_fit(lhs):
    figure = _difference_figure(lhs)
    assert_nothing_clipped(figure)
    titles = [ax.get_title(loc="left") for ax in figure.axes if ax.get_visible()]
    assert "retention at 7 days (pts)" in titles
    assert any(t.startswith("daily actives, late") for t in titles)


def test_morris_report_has_a_mu_star_sigma_plot(tmp_path):
    pytest.importorskip("SALib")
    from sim.experiments.sensitivity import analyse, indices_figure, morris_figure

    results = _swept(tmp_path, design=MORRIS, kpis=["members_end", "retention_7"])
    table = analyse(results)
    figure = morris_figure(table, results.baseline)
    assert_nothing_clipped(figure)
    assert_nothing_clipped(indices_figure(table, results.baseline))
    first = figure.axes[0]
    assert first.get_xlabel().startswith("mu*") and first.get_ylabel().startswith("sigma")
    assert {t.get_text() for t in first.texts} == set(MORRIS["factors"])
    assert figure.axes[1].get_xlabel().startswith("mu* (pts)")  # retention, a share
    folder = write_report(results)
    assert (folder / "figures" / f"morris-{results.baseline}.png").exists()
    assert f"figures/morris-{results.baseline}.png" in (folder / "report.md").read_text()
