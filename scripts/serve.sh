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

# Stopping: SIGTERM/SIGINT to this script (or to its process group) stops all three.
# The Celery worker and beat run under `supervise`: when one of them exits (crash, OOM kill,
# broker gone for good) it is started again with a backoff (1 s doubling to 30 s) and gunicorn
# keeps serving; jobs wait "排队中" meanwhile (docs/operations.md). Only gunicorn exiting ends
# the script (with its status), and then the other two are stopped.
pids=()
cleanup() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
supervise() {  # supervise NAME COMMAND...: run COMMAND, restart it whenever it exits
  local name=$1 delay=1 child=0 stopping=0 rc started
  shift
  trap 'stopping=1; ((child)) && kill -TERM "$child" 2>/dev/null' TERM INT
  while ((!stopping)); do
    started=$SECONDS
    "$@" & child=$!
    rc=0; wait "$child" || rc=$?
    if ((stopping)); then wait "$child" 2>/dev/null; break; fi
    ((SECONDS - started < 60)) || delay=1  # it ran a while: a new failure, start over quickly
    echo "serve.sh: $name exited (status $rc); restarting in ${delay}s (gunicorn keeps serving)" >&2
    sleep "$delay" & wait $! || true
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
supervise "celery worker" .venv/bin/celery -A brandcampaign worker --loglevel=INFO --concurrency="$CELERY_CONCURRENCY" & pids+=($!)
supervise "celery beat" .venv/bin/celery -A brandcampaign beat --loglevel=INFO & pids+=($!)
# gunicorn.conf.py: gthread workers (a 500 MB upload at 1 MB/s is not killed at --timeout) and
# Chinese error pages. More options via GUNICORN_CMD_ARGS.
.venv/bin/gunicorn brandcampaign.wsgi:application -c gunicorn.conf.py --bind "$BIND" --workers "$WORKERS" \
  --timeout "${GUNICORN_TIMEOUT:-120}" --access-logfile - & web=$!; pids+=($web)
rc=0; wait "$web" || rc=$?
exit "$rc"
