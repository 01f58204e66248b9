#!/usr/bin/env bash
# Production mode on one machine: gunicorn + Celery worker + Celery beat.
# Needs DATABASE_URL and REDIS_URL (defaults: the local PostgreSQL and Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_ENV=production
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/brandcampaign}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export SECRET_KEY="${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"
# Off by default here (plain HTTP on one machine); behind nginx with TLS set all three to true.
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-false}"
export CSRF_COOKIE_SECURE="${CSRF_COOKIE_SECURE:-false}"
BIND="${BIND:-127.0.0.1:8000}"
WORKERS="${WEB_CONCURRENCY:-3}"
CELERY_CONCURRENCY="${CELERY_CONCURRENCY:-2}"
PY=.venv/bin/python
if [[ ! "${SECURE_SSL_REDIRECT,,}" =~ ^(1|true|yes|on)$ ]]; then
  echo "serve.sh: plain-HTTP mode (SECURE_SSL_REDIRECT/SESSION_COOKIE_SECURE/CSRF_COOKIE_SECURE as set above);" \
       "behind TLS set them to true (see README, Deployment)." >&2
fi

if [[ "$DATABASE_URL" == postgres* ]]; then
  db=$(basename "${DATABASE_URL%%\?*}")
  psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || psql "${DATABASE_URL%/*}/postgres" -c "CREATE DATABASE \"$db\"" >/dev/null
fi
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput -v0
if [[ "${SEED_DEMO:-}" == "1" ]]; then $PY manage.py seed_demo --force --phase "${PHASE:-1}"; fi

# Stopping: SIGTERM/SIGINT to this script (or to its process group) stops all three; if any
# one of them exits, the other two are stopped too and the script exits with its status.
pids=()
cleanup() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
.venv/bin/celery -A brandcampaign worker --loglevel=INFO --concurrency="$CELERY_CONCURRENCY" & pids+=($!)
.venv/bin/celery -A brandcampaign beat --loglevel=INFO & pids+=($!)
# More gunicorn options (e.g. "--worker-class gthread --threads 4") via GUNICORN_CMD_ARGS.
.venv/bin/gunicorn brandcampaign.wsgi:application --bind "$BIND" --workers "$WORKERS" --timeout "${GUNICORN_TIMEOUT:-120}" \
  --access-logfile - & pids+=($!)
wait -n "${pids[@]}"
