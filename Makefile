# The two commands a new user needs: `make run` and `make test` (see README).
SWIFT      ?= swift
PYTHON     ?= python3
DB         ?= ./var/memory.duckdb
DUCKDB_STAMP := .deps/duckdb/.complete
VENV       := .venv
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path)/memoryd

.PHONY: all run build test bench duckdb venv clean

all: build

duckdb: $(DUCKDB_STAMP)

$(DUCKDB_STAMP):
	PYTHON=$(PYTHON) ./scripts/bootstrap-duckdb.sh

build: duckdb
	$(SWIFT) build -c release --product memoryd

run: build
	@mkdir -p $(dir $(DB))
	$(RELEASE_BIN) serve --db $(DB)

# Python drivers for tests and benchmarks: the stock duckdb package (opens memoryd's file),
# the OpenTelemetry protobuf types (the ingest benchmark's load generator), and the real
# MCP and A2A clients the protocol tests drive.
venv: $(VENV)/.complete

$(VENV)/.complete: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

test: duckdb venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: build venv
	$(VENV)/bin/python scripts/bench-otlp.py --binary $(RELEASE_BIN)
	$(VENV)/bin/python scripts/bench-envelopes.py --binary $(RELEASE_BIN)
	$(VENV)/bin/python scripts/bench-otlp.py --binary $(RELEASE_BIN) --compare-redaction --requests 40  # redaction cost < 25 %
	$(SWIFT) build -c release --product MemoryAPIBench
	$(VENV)/bin/python scripts/bench-memory-api.py --binary $(RELEASE_BIN) --bench $(dir $(RELEASE_BIN))MemoryAPIBench
	$(SWIFT) build -c release --product TelemetryBench && $$(command -v taskset >/dev/null && echo taskset -c 0) $(dir $(RELEASE_BIN))TelemetryBench  # bench-telemetry

clean:
	rm -rf .build .deps
