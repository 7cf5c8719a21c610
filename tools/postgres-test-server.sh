#!/usr/bin/env bash
# A private PostgreSQL server for the tests and for trying the PostgreSQL tracking backend (docs/tracking.md).
#   tools/postgres-test-server.sh start [DIR]   prints: export DIFFUSION_TEST_POSTGRES=postgresql://tester@127.0.0.1:PORT/postgres
#   tools/postgres-test-server.sh stop  [DIR]
# DIR (default: $TMPDIR/diffusion-postgres) holds the data folder, socket and log; it is owned by the server's user,
# since the server refuses to run as root: as root the server runs as 'postgres' (runuser), otherwise as you.
# PORT: $DIFFUSION_TEST_POSTGRES_PORT, else the first free port from 54329. Trust authentication on 127.0.0.1 only.
set -euo pipefail

command=${1:-}
dir=${2:-${TMPDIR:-/tmp}/diffusion-postgres}

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "error: PostgreSQL server binaries not found (install the Debian package 'postgresql', or set PG_BIN)" >&2
  exit 2
fi

as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "$command" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; chmod 700 "$dir"; fi
    if [ -f "$dir/port" ] && as_server "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      port=$(cat "$dir/port")
    else
      if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_server "$bin/initdb" -D "$dir/data" -A trust -U tester --no-sync >"$dir/initdb.log" 2>&1 \
          || { echo "error: initdb failed; see $dir/initdb.log" >&2; cat "$dir/initdb.log" >&2; exit 1; }
      fi
      port=${DIFFUSION_TEST_POSTGRES_PORT:-54329}
      while ! port_free "$port"; do port=$((port + 1)); done
      as_server "$bin/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/log" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
        || { echo "error: the PostgreSQL server did not start; its log:" >&2; cat "$dir/log" >&2; exit 1; }
      echo "$port" > "$dir/port.tmp" && mv "$dir/port.tmp" "$dir/port" 2>/dev/null || echo "$port" | as_server tee "$dir/port" >/dev/null
    fi
    echo "export DIFFUSION_TEST_POSTGRES=postgresql://tester@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 2
    ;;
esac
