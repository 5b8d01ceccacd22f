#!/usr/bin/env bash
# Start, stop or locate a throw-away MariaDB server on loopback for tunekit's shared studies.
#
#   storage/mariadb.sh start   # install MariaDB if missing, start it, print its URL
#   storage/mariadb.sh url     # print the URL of the running server
#   storage/mariadb.sh stop    # stop the server and delete its data
#
# The server lives in $TUNEKIT_MARIADB_DIR (default /tmp/tunekit-mariadb), listens on 127.0.0.1
# on a free port (never 3306, where a system server may run), and has a database `tunekit` for
# the user `tunekit` (password $TUNEKIT_MARIADB_PASSWORD, default `tunekit`).
set -euo pipefail

DIR="${TUNEKIT_MARIADB_DIR:-/tmp/tunekit-mariadb}"
PASSWORD="${TUNEKIT_MARIADB_PASSWORD:-tunekit}"
DATA="$DIR/data"
SOCKET="$DIR/mariadb.sock"

log() { echo "mariadb.sh: $*" >&2; }

server_bin() {
    local bin
    bin="$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)"
    if [[ -z "$bin" ]]; then
        log "installing MariaDB (apt-get)"
        if [[ "$(id -u)" != 0 ]]; then log "not root: install the 'mariadb-server' package first"; exit 1; fi
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server >&2; then
            apt-get update >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server >&2
        fi
        bin="$(command -v mariadbd || echo /usr/sbin/mariadbd)"
    fi
    echo "$bin"
}

free_port() {
    python3 - <<'PY'
import socket
for port in range(53306, 54306):
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
    echo "mysql+pymysql://tunekit:${PASSWORD}@127.0.0.1:$(cat "$DIR/port")/tunekit"
}

running() {
    [[ -S "$SOCKET" ]] && mariadb-admin --no-defaults --socket="$SOCKET" -u root ping >/dev/null 2>&1
}

start() {
    local bin port user
    bin="$(server_bin)"
    if running; then url; return; fi
    user="$(id -un)"
    if [[ ! -d "$DATA/mysql" ]]; then
        rm -rf "$DIR"
        mkdir -p "$DATA"
        mariadb-install-db --no-defaults --datadir="$DATA" --user="$user" \
            --auth-root-authentication-method=normal --skip-test-db >"$DIR/install.log" 2>&1 \
            || { cat "$DIR/install.log" >&2; exit 1; }
    fi
    port="$(free_port)"
    echo "$port" >"$DIR/port"
    nohup "$bin" --no-defaults --datadir="$DATA" --port="$port" --bind-address=127.0.0.1 \
        --socket="$SOCKET" --pid-file="$DIR/mariadbd.pid" --user="$user" \
        --log-error="$DIR/server.log" --max-connections=300 --skip-name-resolve \
        >/dev/null 2>&1 &
    for _ in $(seq 1 120); do
        running && break
        sleep 0.5
    done
    running || { log "the server did not start"; cat "$DIR/server.log" >&2; exit 1; }
    mariadb --no-defaults --socket="$SOCKET" -u root <<SQL
CREATE DATABASE IF NOT EXISTS tunekit CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS 'tunekit'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}';
CREATE USER IF NOT EXISTS 'tunekit'@'localhost' IDENTIFIED BY '${PASSWORD}';
GRANT ALL PRIVILEGES ON tunekit.* TO 'tunekit'@'127.0.0.1';
GRANT ALL PRIVILEGES ON tunekit.* TO 'tunekit'@'localhost';
FLUSH PRIVILEGES;
SQL
    url
}

stop() {
    if [[ -f "$DIR/mariadbd.pid" ]]; then
        local pid
        pid="$(cat "$DIR/mariadbd.pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
