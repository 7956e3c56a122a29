#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server on loopback:
#   scripts/with-postgres.sh pytest ...
# The server lives in a temporary directory, listens on a free port on 127.0.0.1 only, and is
# stopped and removed when the command ends, whatever its outcome.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL is not installed: cannot run the PostgreSQL test pass." >&2
  exit 1
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
pgdir=$(mktemp -d /tmp/infuse-pg.XXXXXX)
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the server runs as the postgres user, in a folder it owns.
  chown postgres:postgres "$pgdir"
  run_as=(runuser -u postgres --)
fi

cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT

"${run_as[@]}" "$bindir/initdb" -D "$pgdir/data" -A trust -U infuse -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
  -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null

echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
export DATABASE_URL="postgres://infuse@127.0.0.1:$port/postgres"
# Tests that need databases of their own (backup and restore) create them through this.
export INFUSE_PG_ADMIN_URL="$DATABASE_URL"
"$@"
