#!/usr/bin/env bash
# The whole suite: lint, types, import layering, Python tests (API, real Celery worker, real
# media, browser end to end in Debian's Chromium), frontend unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv/bin/node ]] && export PATH="$PWD/.venv/bin:$PATH"
# Tests keep their files (test database, media, broker folders) apart from a running platform's.
export SPOTLAB_DATA_DIR=${SPOTLAB_TEST_DATA_DIR:-$PWD/var/test}
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
step "import layering"
PYTHONPATH=. .venv/bin/lint-imports
step "mypy"
.venv/bin/mypy .
step "frontend unit tests (vitest)"
(cd frontend && npm test --silent)
step "python tests"
.venv/bin/pytest "$@"
