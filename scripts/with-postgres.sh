#!/usr/bin/env bash
# Run CMD... with a throwaway PostgreSQL server on 127.0.0.1, then stop it and delete its data.
#
#   scripts/with-postgres.sh .venv/bin/pytest tests/workspace
#
# The command sees CELTRACE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/celtrace_test
# and its exit status is this script's. The server listens on loopback only, trusts every loopback
# connection (it holds test data and lives as long as the command), and keeps its data and socket in a
# temporary folder. PostgreSQL refuses to run as root, so under root the server runs as the `postgres`
# user. PG_BINDIR overrides where the server binaries are looked for (default: the newest
# /usr/lib/postgresql/*/bin).
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARG...]" >&2
    exit 2
fi

bindir="${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "$0: no PostgreSQL server binaries found (install the postgresql package: make system)" >&2
    exit 2
fi

if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "$0: running as root needs a 'postgres' user to own the server (install the postgresql package)" >&2
        exit 2
    fi
    # /tmp, not $TMPDIR: the postgres user must be able to reach the folder.
    pgdir="$(mktemp -d /tmp/celtrace-pg.XXXXXX)"
    chown postgres: "$pgdir"
    as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
    pgdir="$(mktemp -d "${TMPDIR:-/tmp}/celtrace-pg.XXXXXX")"
    as_owner() { (cd / && "$@"); }
fi

started=""
cleanup() {
    if [ -n "$started" ]; then
        as_owner "$bindir/pg_ctl" stop -D "$pgdir/data" -m immediate -w >/dev/null 2>&1 || true
    fi
    rm -rf "$pgdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
        2>/dev/null || echo $((20000 + RANDOM % 30000))
}

as_owner "$bindir/initdb" --pgdata="$pgdir/data" --username=postgres --auth=trust \
    --encoding=UTF8 --no-locale --no-sync >"$pgdir/initdb.log" 2>&1 || {
    cat "$pgdir/initdb.log" >&2
    echo "$0: initdb failed" >&2
    exit 1
}

# Durability is pointless for a server whose data is deleted afterwards.
fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
# A port that is free now may be taken before the server binds it: try a few.
port=""
for _attempt in 1 2 3 4 5; do
    candidate="$(free_port)"
    if as_owner "$bindir/pg_ctl" start -D "$pgdir/data" -w -t 60 -l "$pgdir/server.log" -o \
        "-c listen_addresses=127.0.0.1 -c port=$candidate -c unix_socket_directories=$pgdir $fast" >/dev/null; then
        port="$candidate"
        started=1
        break
    fi
done
if [ -z "$port" ]; then
    cat "$pgdir/server.log" >&2 || true
    echo "$0: the PostgreSQL server did not start" >&2
    exit 1
fi

"$bindir/createdb" --host=127.0.0.1 --port="$port" --username=postgres celtrace_test

export CELTRACE_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/celtrace_test"
status=0
"$@" || status=$?
exit "$status"
