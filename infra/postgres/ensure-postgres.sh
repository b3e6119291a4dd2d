#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1 for the pg adapter tests (trust auth,
# user postgres, a database named test), then prints its URL on stdout; progress on stderr.
#
# Tries, in order: a server already answering on the port; the machine's Debian cluster on
# that port (pg_ctlcluster); a throw-away cluster (initdb + pg_ctl, fsync off, about 1 s).
# Installs Debian's postgresql first when no server binaries are present (needs root).
#
#   TEST_DATABASE_URL=$(bash infra/postgres/ensure-postgres.sh)
#   bash infra/postgres/ensure-postgres.sh stop    # stops a throw-away cluster this script started
#
# Settings: EDIBRIDGE_PG_PORT (5432), EDIBRIDGE_PG_DB (test), EDIBRIDGE_PG_STATE
# (/tmp/edibridge-test-postgres: the throw-away cluster's folder).
set -uo pipefail

PORT=${EDIBRIDGE_PG_PORT:-5432}
DB=${EDIBRIDGE_PG_DB:-test}
STATE=${EDIBRIDGE_PG_STATE:-/tmp/edibridge-test-postgres}
MARK="$STATE/started-by-edibridge"

log() { echo "ensure-postgres: $*" >&2; }

if [ "$(id -u)" = 0 ]; then as_postgres() { runuser -u postgres -- "$@"; }; else as_postgres() { "$@"; }; fi

server_bin() {
  # The newest installed server, preferring 15 (what production runs).
  if [ -x /usr/lib/postgresql/15/bin/postgres ]; then echo /usr/lib/postgresql/15/bin; return 0; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/postgres" ] && echo "$d"
}

answers() { psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; }

wait_until_answers() {
  local i
  for i in $(seq 1 60); do answers && return 0; sleep 0.5; done
  return 1
}

if [ "${1:-}" = stop ]; then
  if [ -f "$MARK" ]; then
    bin=$(server_bin)
    as_postgres "$bin/pg_ctl" -D "$STATE/data" -m fast -w stop >&2 && rm -rf "$STATE"
    log "stopped the throw-away cluster on port $PORT"
  fi
  exit 0
fi

if ! command -v psql >/dev/null 2>&1 || [ -z "$(server_bin)" ]; then
  if [ "$(id -u)" != 0 ]; then log "PostgreSQL is not installed and this is not root: install Debian's postgresql"; exit 1; fi
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq postgresql; } >&2 || { log "apt-get install postgresql failed"; exit 1; }
fi

if answers; then
  log "a server answers on 127.0.0.1:$PORT"
else
  # The machine's own cluster on this port, if it has one that is down.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    cluster=$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$PORT" '$3 == p { print $1, $2; exit }')
    if [ -n "$cluster" ]; then
      log "starting the Debian cluster $cluster"
      # shellcheck disable=SC2086
      pg_ctlcluster --skip-systemctl-redirect $cluster start >&2 2>&1 || log "pg_ctlcluster $cluster start failed"
      wait_until_answers || log "the Debian cluster $cluster does not answer on 127.0.0.1:$PORT"
    fi
  fi
fi

if ! answers; then
  bin=$(server_bin)
  log "starting a throw-away cluster in $STATE with $bin"
  if [ -f "$MARK" ]; then as_postgres "$bin/pg_ctl" -D "$STATE/data" -m immediate stop >/dev/null 2>&1; fi
  rm -rf "$STATE" && mkdir -p "$STATE"
  [ "$(id -u)" = 0 ] && chown postgres: "$STATE"
  as_postgres "$bin/initdb" -D "$STATE/data" -A trust -U postgres --no-sync -E UTF8 >"$STATE/initdb.log" 2>&1 \
    || { cat "$STATE/initdb.log" >&2; log "initdb failed"; exit 1; }
  touch "$MARK"
  as_postgres "$bin/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -t 60 \
    -o "-p $PORT -h 127.0.0.1 -k $STATE -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2 \
    || { cat "$STATE/server.log" >&2; log "pg_ctl start failed"; exit 1; }
  wait_until_answers || { log "the throw-away cluster does not answer"; exit 1; }
fi

if [ -z "$(psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atqc "select 1 from pg_database where datname = '$DB'")" ]; then
  log "creating database $DB"
  createdb -h 127.0.0.1 -p "$PORT" -U postgres "$DB" >&2 || { log "createdb $DB failed"; exit 1; }
fi

echo "postgres://postgres@127.0.0.1:$PORT/$DB"
