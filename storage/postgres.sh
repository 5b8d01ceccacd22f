#!/usr/bin/env bash
# Start, stop or locate a throw-away PostgreSQL server on loopback for tunekit's shared studies.
#
#   storage/postgres.sh start   # install PostgreSQL if missing, start it, print its URL
#   storage/postgres.sh url     # print the URL of the running server
#   storage/postgres.sh stop    # stop the server and delete its data
#
# The cluster lives in $TUNEKIT_PG_DIR (default /tmp/tunekit-postgres), listens on 127.0.0.1 on a
# free port (never 5432, where a system server may run), and has a database `tunekit` owned by
# the user `tunekit` (password $TUNEKIT_PG_PASSWORD, default `tunekit`). PostgreSQL refuses to
# run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

DIR="${TUNEKIT_PG_DIR:-/tmp/tunekit-postgres}"
PASSWORD="${TUNEKIT_PG_PASSWORD:-tunekit}"
DATA="$DIR/data"

log() { echo "postgres.sh: $*" >&2; }

pg_bin() {
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -z "$bin" ]]; then
        log "installing PostgreSQL (apt-get)"
        if [[ "$(id -u)" != 0 ]]; then log "not root: install the 'postgresql' package first"; exit 1; fi
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2; then
            apt-get update >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
        fi
        bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    fi
    echo "$bin"
}

as_owner() {
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 - <<'PY'
import socket
for port in range(55432, 56432):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}

url() {
    [[ -f "$DIR/port" ]] || { log "no server started (run: $0 start)"; exit 1; }
    echo "postgresql+psycopg://tunekit:${PASSWORD}@127.0.0.1:$(cat "$DIR/port")/tunekit"
}

running() {
    local bin="$1"
    [[ -f "$DATA/PG_VERSION" ]] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
    local bin port
    bin="$(pg_bin)"
    if running "$bin"; then url; return; fi
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        rm -rf "$DIR"
        mkdir -p "$DIR/socket"
        if [[ "$(id -u)" == 0 ]]; then chown -R postgres:postgres "$DIR"; fi
        as_owner "$bin/initdb" -D "$DATA" -U postgres --auth-local=trust \
            --auth-host=scram-sha-256 -E UTF8 >"$DIR/initdb.log" 2>&1 \
            || { cat "$DIR/initdb.log" >&2; exit 1; }
    fi
    port="$(free_port)"
    echo "$port" >"$DIR/port"
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $DIR/socket -c max_connections=200" start >&2 \
        || { cat "$DIR/server.log" >&2; exit 1; }
    as_owner "$bin/psql" -h "$DIR/socket" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<SQL >&2
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tunekit') THEN
    CREATE ROLE tunekit LOGIN PASSWORD '${PASSWORD}';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE tunekit OWNER tunekit' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'tunekit')\gexec
SQL
    url
}

stop() {
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$bin" ]] && running "$bin"; then
        as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
