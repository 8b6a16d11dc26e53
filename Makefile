# Two commands do all the set-up: `make report` builds the demo site, `make test` runs the tests.
# Each creates .venv and installs keystage (with the versions pinned in requirements.lock) first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup browser-tools report test bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

# The browser tests (tests/test_browser.py, tests/test_accessibility.py) drive Debian's chromium, installed here
# when missing and we are root (never a browser download; the tests skip without it), and inject axe-core from npm.
browser-tools: node_modules/.package-lock.json
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

DEMO := data/demo/.complete

# The demo data is regenerated only when the generator changes, so a second `make report` does nothing.
$(DEMO): $(STAMP) $(wildcard src/keystage/synth/*.py) src/keystage/io/columns/ks2.yaml
	$(BIN)/keystage demo --out data/demo > /dev/null
	touch $(DEMO)

report: setup $(DEMO)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/keystage build

test: setup browser-tools
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 --dist loadgroup -q

# Times every scenario of issue 8 (demo LA builds, England scale, the naive baseline) and writes
# benchmarks/results/latest.md and latest.csv. Not part of `make test`: it takes a long while.
bench: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python benchmarks/run.py

clean:
	rm -rf _site out data/demo data/demo-england .snakemake node_modules tests/artifacts
