# Both targets bootstrap .venv with the machine's python3 on a fresh machine, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test validate lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# the main job: the incentive-rules study on the built-in default community, then its report
demo: $(STAMP)
	$(BIN)/commsim sweep experiments/studies/incentive-rules.yaml --report --replace

# Debian's Chromium for the dashboard's browser tests (tests/test_dashboard_e2e.py), installed by
# root where apt-get exists; elsewhere those tests report themselves skipped
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	-command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && apt-get update -qq \
		&& apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
	@test -x $(CHROMIUM) || echo "make: no $(CHROMIUM): the browser tests will be skipped"

# the tests spread over the machine's cores (pytest-xdist), a file to a worker: a module's
# fixtures (the oracle's and the quick validation's runs) are computed once
test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check sim tests benchmarks experiments
	$(BIN)/python -m pytest -n auto --dist loadfile

# every validation target of EVIDENCE.md, full size (results/validation/), then the slow statistical
# tests that `make test` skips (marked `validation`: paired comparisons over many seeds)
validate: $(STAMP)
	$(BIN)/commsim validate --workers 2
	$(BIN)/python -m pytest -n auto --dist loadfile -m validation

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks experiments
	$(BIN)/ruff format --check sim tests benchmarks experiments

clean:
	rm -rf $(VENV) build *.egg-info
