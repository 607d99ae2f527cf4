#!/usr/bin/env bash
# Start the app: compile catalogues, migrate, optionally seed the demo, serve with gunicorn.
# Used by both the Docker image and scripts/run-demo, so they start the same way.
# gunicorn (not Flask's dev server): the same multi-worker server as production, which also
# shows that no state lives in a worker.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FAMILY_APP_BIN:-}"
family_app() { "${BIN}family-app" "$@"; }

family_app translations compile >/dev/null
if [ "${1:-}" = "--demo" ] && [ -z "${FAMILY_APP_VAPID_PRIVATE_KEY:-}${FAMILY_APP_VAPID_PRIVATE_KEY_FILE:-}" ]; then
  # Push works out of the box in the demo: a key pair made once in the instance
  # folder (only the public key is printed; the private key stays in the file).
  family_app push keys --write instance/vapid-private-key.pem --if-missing >/dev/null
  export FAMILY_APP_VAPID_PRIVATE_KEY_FILE="$PWD/instance/vapid-private-key.pem"
fi
family_app db upgrade
if [ "${1:-}" = "--demo" ]; then
  family_app seed-demo
fi
bind="${FAMILY_APP_BIND:-127.0.0.1:${FAMILY_APP_PORT:-5000}}"
echo "Serving at ${FAMILY_APP_ORIGIN:-http://localhost:${FAMILY_APP_PORT:-5000}}  (Ctrl+C stops)"
# No gunicorn access log: its paths would carry invitation and feed tokens. The app
# logs each request with its route pattern instead (family_app/request_log.py).
gunicorn_args=(--workers "${WEB_CONCURRENCY:-2}" --bind "$bind" family_app.wsgi:app)
if [ "${FAMILY_APP_WITH_WORKER:-0}" = "1" ]; then
  # The second process: the queue's consumer (e-mail from the outbox, retries, the
  # daily reminders). Started after the migration, stopped with the app. In
  # production run it as its own service: `family-app worker` (see the Dockerfile).
  "${BIN}family-app" worker &
  worker=$!
  echo "Queue consumer started (family-app worker)."
  trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT
  trap 'exit 130' INT TERM
  "${BIN}gunicorn" "${gunicorn_args[@]}"
else
  exec "${BIN}gunicorn" "${gunicorn_args[@]}"
fi
