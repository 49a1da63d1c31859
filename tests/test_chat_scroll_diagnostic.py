"""``benchmarks/diagnostics/chat_scroll.py``: its recorder only reads what
``Population._read_attention`` wrote (a run with it is the run without it), and what it records
restates the model: one visit per visitor with something to read, the reading cost split into
its off-topic and notification parts, no notification cost when ``platform.notify_cost`` is 0."""

import numpy as np

from sim.model import CommunityModel
from tests.script_helpers import load_script

DAYS = {"run": {"days": 30}}


def _script():
    """Import the diagnostic by path (``benchmarks`` is not a package)."""
    return load_script("benchmarks/diagnostics/chat_scroll.py")


def _run(script, variant, record):
    scenario = script.scenario_of("b", {**variant, **DAYS})
    model = CommunityModel(**scenario.model_kwargs(), rng=5)
    recorder = script.Recorder(model) if record else None
    for _ in range(scenario.run.days):
        if recorder is not None:
            recorder.day = model.day
        model.step()
    return model, recorder


def test_the_recorder_changes_nothing_and_restates_the_reading():
    script = _script()
    plain, _ = _run(script, {}, record=False)
    model, recorder = _run(script, {}, record=True)
    assert plain.series().equals(model.series())
    assert np.array_equal(plain.population.view("loyalty"), model.population.view("loyalty"))
    means = recorder.means()
    # every visit with something to read: all but the first day's (its feed is empty)
    assert means["visits [all]"] == model.series()["dau"].iloc[1:].sum()
    for group in ("all", "newcomers", "established", "casual"):
        parts = means[f"offtopic_cost [{group}]"] + means[f"notify_cost [{group}]"]
        assert np.isclose(parts, means[f"cost [{group}]"], rtol=1e-4)  # no toxicity here
        assert 0 <= means[f"muted [{group}]"] <= 1
    assert means["notify_cost [all]"] > 0 and means["offtopic_cost [all]"] > 0


def test_without_the_notification_cost_none_is_recorded():
    script = _script()
    _, recorder = _run(script, script.VARIANTS["no_notify"], record=True)
    means = recorder.means()
    assert means["notify_cost [all]"] == 0
    assert means["offtopic_cost [all]"] > 0
