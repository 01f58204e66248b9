#!/usr/bin/env bash
# A private nginx with the shipped deploy/nginx.conf in front of a running portal (for CI's
# production-mode browser tests and for trying the deployment locally). Runs as the current user,
# everything (config, pid, logs, temp files) in WORKDIR.
#
#   scripts/nginx_ci.sh start LISTEN_PORT UPSTREAM MEDIA_ROOT [WORKDIR]   # e.g. 8001 127.0.0.1:8000 /path/media
#   scripts/nginx_ci.sh stop [WORKDIR]
#
# The portal behind it must run with FILE_DELIVERY=nginx and the same MEDIA_ROOT (then files are
# sent by nginx via X-Accel-Redirect). Needs Debian's `nginx` package (installed if missing, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-}
case "$cmd" in
  start)
    port=${2:?LISTEN_PORT}; upstream=${3:?UPSTREAM host:port}; media=${4:?MEDIA_ROOT}
    work=${5:-${TMPDIR:-/tmp}/brandcampaign-nginx-$port}
    if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
      [[ $(id -u) == 0 ]] || { echo "nginx_ci: nginx missing and not root" >&2; exit 1; }
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
    fi
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
    mkdir -p "$work" "$media"
    .venv/bin/python scripts/nginx_conf.py --listen "$port" --upstream "$upstream" --media "$media" \
      --dir "$work" >"$work/nginx.conf"
    "$nginx_bin" -t -q -p "$work" -c "$work/nginx.conf"
    setsid "$nginx_bin" -p "$work" -c "$work/nginx.conf" >"$work/stdout.log" 2>&1 &
    echo $! >"$work/launcher.pid"
    for _ in $(seq 50); do
      curl -s -o /dev/null "http://127.0.0.1:$port/_nginx_probe" && break
      sleep 0.1
    done
    curl -s -o /dev/null "http://127.0.0.1:$port/_nginx_probe" || { cat "$work/error.log" >&2; exit 1; }
    echo "nginx on 127.0.0.1:$port → $upstream (media $media, config $work/nginx.conf)"
    ;;
  stop)
    port_dir=${2:-}
    for work in ${port_dir:-${TMPDIR:-/tmp}/brandcampaign-nginx-*}; do
      [[ -f "$work/nginx.pid" ]] || continue
      kill -QUIT "$(cat "$work/nginx.pid")" 2>/dev/null || true
      for _ in $(seq 50); do [[ -f "$work/nginx.pid" ]] || break; sleep 0.1; done
      echo "nginx in $work stopped"
    done
    ;;
  *) echo "usage: $0 start LISTEN_PORT UPSTREAM MEDIA_ROOT [WORKDIR] | stop [WORKDIR]" >&2; exit 2 ;;
esac
