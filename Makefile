# Spotlab: `make run` sets everything up and serves the platform on the embedded defaults;
# `make test` runs the whole suite. Both work on a fresh Debian machine with Python 3.11.
SHELL := /bin/bash
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test bootstrap frontend serve lint typecheck pytest frontend-test bench

run: bootstrap serve

test: bootstrap
	scripts/test.sh

bootstrap:
	scripts/bootstrap.sh

frontend:
	scripts/bootstrap.sh --frontend-only

serve:
	PORT=$(PORT) HOST=$(HOST) scripts/serve.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && PYTHONPATH=. .venv/bin/lint-imports

typecheck:
	.venv/bin/mypy .

pytest:
	.venv/bin/pytest

frontend-test:
	cd frontend && npm test

# Every benchmark in turn (several minutes; bench_autosave needs PostgreSQL on 127.0.0.1).
bench:
	for script in bench/bench_*.py; do .venv/bin/python "$$script" || exit 1; done
