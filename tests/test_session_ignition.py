"""``benchmarks/diagnostics/session_ignition.py`` (issue 15: why writing sessions cut a default
community's writing): its figures are the model's own counters, and the rule changes it names
reach the model."""

import numpy as np

from sim.model import CommunityModel
from tests.script_helpers import load_script

session_ignition = load_script("benchmarks/diagnostics/session_ignition.py")


def test_figures_are_the_runs_counters():
    got = session_ignition.measure(300, 20, 2, 1.0, {})
    model = CommunityModel(members=300, rng=2)
    for _ in range(20):
        model.step()
    pop = model.population
    n = pop.n
    assert got["threads"] == int(pop.threads[:n].sum()) > 0
    assert got["replies"] == int(pop.replies[:n].sum())
    assert got["posters"] == int((pop.posts[:n] > 0).sum())
    capped = pop.post_drive[:n] >= np.float32(pop.rules.drive_max) * np.float32(0.999)
    assert got["at cap"] == int(capped.sum())


def test_the_variants_and_the_size_reach_the_model():
    """On the script's default community (800 founders, 60 days; seed 1 wrote 689 threads, 139
    with the ceiling at 1.5) the ceiling of 1.5 holds the members the default's 10 lets run away,
    and the session size changes the run."""
    default = session_ignition.measure(800, 60, 1, 1.0, {})
    capped = session_ignition.measure(800, 60, 1, 1.0, session_ignition.VARIANTS["drive cap 1.5"])
    sessions = session_ignition.measure(800, 60, 1, 1.5, {})
    assert capped["threads"] < 0.5 * default["threads"]
    assert default["at cap"] > 0 and 0 < default["cap share"] <= 1
    assert sessions["posters"] < default["posters"]
    assert set(session_ignition.VARIANTS["no habit"]) == {"habit_gain"}
