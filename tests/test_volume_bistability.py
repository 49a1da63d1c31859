"""``benchmarks/diagnostics/volume_bistability.py --benefits`` (issue 15's bond loop): what today's
visitors weigh is read from the member arrays as ``Population.update_states`` left them, and the
bond from a member's strongest ties to active members is never more than from all of them."""

import numpy as np
import pytest
from scipy.special import expit

from sim.model import CommunityModel
from tests.script_helpers import load_script


def _script():
    """Import the diagnostic by path (``benchmarks`` is not a package)."""
    return load_script("benchmarks/diagnostics/volume_bistability.py")


@pytest.mark.parametrize("habituation", [0.0, 0.05])
def test_benefits_restate_the_visitors_bond_and_bound_the_strongest_ties(habituation):
    """... and weigh the net benefit against each visitor's own aspiration (Rules.habituation
    moves it; with it off, everyone's is ``Rules.aspiration``)."""
    script = _script()
    scenario = script.scenario_at(None, {"run.days": 40, "behaviour.habituation": habituation})
    rules = scenario.rules()
    model = CommunityModel(**scenario.model_kwargs(), rng=3)
    for _ in range(scenario.run.days):
        model.step()
    pop = model.population
    got = script._benefits(pop, rules)
    last = pop.view("last_active_day")
    visitors = np.flatnonzero(pop.view("alive") & (last == last.max()))
    assert got["visitors"] == visitors.size > 0
    bond = pop.view("bond_today")[visitors]
    assert got["bond"] == float(bond.mean()) > 0  # ties formed in 40 days give some bond
    assert got["active_ties"] > 0
    # ties alone give at most the bond the model computed (which adds replies received today)
    assert 0 < got["bond_ties_top"] <= got["bond_ties_all"] <= got["bond"] + 1e-6
    # the 5 strongest give less than all ties once a member has more than 5 ties to active members
    assert got["bond_ties_top"] < got["bond_ties_all"]
    info = rules.info_weight * pop.view("info_need")[visitors] * pop.view("info_today")[visitors]
    net = info + rules.bond_weight * bond - pop.view("cost_today")[visitors]
    aspiration = pop.view("aspiration_level")[visitors]
    assert (aspiration != np.float32(rules.aspiration)).any() == (habituation > 0)
    expected = expit((net - aspiration) / np.float32(rules.temperature)).mean()
    assert got["target"] == float(expected)
    assert got["target_no_bond"] < got["target"]  # the bond term only adds
