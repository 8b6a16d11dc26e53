# Two commands do all the set-up: `make report` builds the demo site, `make test` runs the tests.
# Each creates .venv and installs keystage (with the versions pinned in requirements.lock) first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup report test bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

DEMO := data/demo/.complete

# The demo data is regenerated only when the generator changes, so a second `make report` does nothing.
$(DEMO): $(STAMP) $(wildcard src/keystage/synth/*.py) src/keystage/io/columns/ks2.yaml
	$(BIN)/keystage demo --out data/demo > /dev/null
	touch $(DEMO)

report: setup $(DEMO)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/keystage build

test: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 -q

clean:
	rm -rf _site out data/demo data/demo-england .snakemake
