"""``benchmarks/diagnostics/core_writing.py`` (issue 15: why the log's heaviest founder does not
write the most): per founder, the replies it would write on the days it has something to answer,
what the writing capacity leaves, and what it wrote; the model is observed, not changed."""

from sim.agents import Population
from sim.config.loading import load_scenario
from sim.model import CommunityModel
from tests.script_helpers import load_script
from tests.test_habituation import ATTRS

# attrs' version-25 calibration (53 founders), its first two founders weighted to write 40 and 10
# times the others, and a writing capacity of 2 a day that binds the heaviest
OVERRIDES = {
    "run.days": 200,
    "behaviour.writing_capacity": 2.0,
    "community.founder_weights": [40, 10] + [1] * 51,
}


def test_the_capacity_cuts_what_each_founder_would_write_and_the_counts_tally():
    script = load_script("benchmarks/diagnostics/core_writing.py")
    original = Population.respond
    result = script.record(ATTRS, 1, top=3, overrides=OVERRIDES)
    assert Population.respond is original  # put back
    assert result["capacity"] == 2.0
    founders = result["founders"]
    assert [f["weight"] for f in founders] == [40, 10, 1]
    assert all(0 < f["answer_days"] <= f["visits"] for f in founders)
    assert all(f["capacity_left"] < min(f["wanted"], 2.0) for f in founders)
    assert founders[0]["wanted"] > founders[1]["wanted"] > founders[2]["wanted"]
    # the heaviest wants more than the capacity allows: it keeps under half of it
    assert founders[0]["wanted"] > 2.0 > 2 * founders[0]["capacity_left"]


def test_the_observed_run_is_the_run_itself():
    """Recording changes nothing: the same seed's founders write as in a plain run."""
    script = load_script("benchmarks/diagnostics/core_writing.py")
    founders = script.record(ATTRS, 2, top=3, overrides=OVERRIDES)["founders"]
    scenario = load_scenario(ATTRS, overrides=OVERRIDES)
    model = CommunityModel(**scenario.model_kwargs(), rng=2)
    model.run(scenario.run.days)
    pop = model.population
    assert [f["threads"] for f in founders] == [int(pop.threads[i]) for i in range(3)]
    assert [f["replies"] for f in founders] == [
        int(pop.posts[i] - pop.threads[i]) for i in range(3)
    ]
