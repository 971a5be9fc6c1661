#!/usr/bin/env bash
# Serve Spotlab on the embedded defaults (or whatever the environment configures): migrate,
# create the demo data, start a Celery worker on every queue beside the web server, and stop
# both cleanly on Ctrl-C or SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
PY=.venv/bin/python
[[ -x $PY ]] || { echo "no .venv: run 'make run' (or scripts/bootstrap.sh) first" >&2; exit 1; }
[[ -d .venv/bin && -x .venv/bin/node ]] && export PATH="$PWD/.venv/bin:$PATH"

$PY manage.py migrate --noinput
$PY manage.py seed_demo

data_dir=$($PY -c 'from config.settings.env import DATA_DIR; print(DATA_DIR)')
mkdir -p "$data_dir/logs"
.venv/bin/celery -A config worker -Q default,media,gpu --concurrency 2 -l info \
  --beat --schedule "$data_dir/celerybeat-schedule" \
  --logfile "$data_dir/logs/worker.log" &
worker=$!
$PY manage.py runserver "$HOST:$PORT" --noreload &
web=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$web" "$worker" 2>/dev/null || true
  # A warm shutdown lets running tasks finish; past 20 s, a cold one (their messages are
  # acknowledged late, so they go back to the queue, and their Jobs are re-sent by the sweeper).
  for _ in $(seq 40); do kill -0 "$worker" 2>/dev/null || break; sleep 0.5; done
  kill -QUIT "$worker" 2>/dev/null || true
  for _ in $(seq 10); do kill -0 "$worker" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$worker" 2>/dev/null || true
  wait "$web" "$worker" 2>/dev/null || true
  exit 0
}
trap stop INT TERM EXIT

echo
echo "Spotlab is running at http://$HOST:$PORT/  (API docs: http://$HOST:$PORT/api/docs/)"
echo "Log in as owner, curator or annotator01..annotator10 (demo password above)."
echo "Worker log: $data_dir/logs/worker.log. Stop with Ctrl-C."
wait -n "$web" "$worker"
