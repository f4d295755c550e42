# Set up, check and test celtrace on Debian 12. `make test` is what CI runs (.ci/run), from nothing.
#
#   make system   Debian packages the tests and the tool need (apt only when one is missing)
#   make venv     .venv with celtrace installed editable, with the pinned dev tools
#   make check    ruff and mypy
#   make test     check, then pytest against a throwaway PostgreSQL server (scripts/with-postgres.sh)
#   make demo     build the synthetic case into ./celtrace-demo

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

PYTHON ?= python3
VENV := .venv
# Written once the venv holds the project; redone when pyproject.toml changes.
VENV_STAMP := $(VENV)/.celtrace-installed
APT_PACKAGES := postgresql graphviz chromium fonts-noto-cjk libicu-dev pkg-config python3-venv \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	tesseract-ocr tesseract-ocr-eng tesseract-ocr-kor tesseract-ocr-chi-sim tesseract-ocr-chi-tra \
	openjdk-17-jre-headless
# benchmarks/ may not exist yet in a fresh clone; ruff fails on a missing path.
LINT_PATHS := src tests $(wildcard benchmarks)
PYTEST_ARGS ?=
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: system venv check test demo

system:
	@if ! command -v dpkg >/dev/null; then \
	    echo "not a Debian system: install these yourself: $(APT_PACKAGES)"; exit 0; \
	fi; \
	missing=""; \
	for package in $(APT_PACKAGES); do \
	    case "$$(dpkg -s "$$package" 2>/dev/null || true)" in \
	        *"Status: install ok installed"*) ;; \
	        *) missing="$$missing $$package" ;; \
	    esac; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

venv: $(VENV_STAMP)

# Order-only on `system`: python3-venv must be there first, but a package check never forces a reinstall.
$(VENV_STAMP): pyproject.toml | system
	@if [ ! -x $(VENV)/bin/python ]; then \
	    rm -rf $(VENV); \
	    $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	fi
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $@

check: venv
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/mypy

# Lint, types and tests all run, so one CI run shows every failure; the exit status is pytest's when it
# fails, else 1 when ruff or mypy did.
test: system venv
	@status=0; \
	$(VENV)/bin/ruff check $(LINT_PATHS) || status=1; \
	$(VENV)/bin/mypy || status=1; \
	bash scripts/with-postgres.sh $(VENV)/bin/pytest $(PYTEST_ARGS) || status=$$?; \
	exit $$status

demo: system venv
	$(VENV)/bin/celtrace demo --workspace celtrace-demo --no-serve
