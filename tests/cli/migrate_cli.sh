#!/usr/bin/env bash
# migrate_cli.sh — `wangge migrate` from SQLite into PostgreSQL: every table
# verified (counts and checksums), the moved county served from PostgreSQL,
# a second move of the same county refused, and a move the target refuses
# half-way (a login already taken) leaving nothing behind.
#
#   WG_TEST_PG=postgresql:///wangge?host=…&user=wangge bash tests/cli/migrate_cli.sh WANGGE
# Without WG_TEST_PG (CTest's plain run) it skips; make test runs it again
# with the cluster of scripts/pg-test-cluster.
set -euo pipefail
# shellcheck source=tests/cli/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

WANGGE=${1:?usage: migrate_cli.sh WANGGE_BINARY}
case $WANGGE in /*) ;; *) WANGGE=$PWD/$WANGGE ;; esac
if [ -z "${WG_TEST_PG:-}" ]; then
  echo "1..0 # SKIP WG_TEST_PG not set"
  exit 0
fi
export WG_AUTH_TEST_FAST=1
unset WANGGE_DB
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

# A fresh PostgreSQL database named $1 (from the PostGIS template); its URI.
fresh() {
  local admin=${WG_TEST_PG/\/\/\/wangge\?/\/\/\/postgres?}
  psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1 TEMPLATE wg_template" >/dev/null 2>&1
  echo "${WG_TEST_PG/\/\/\/wangge\?/\/\/\/$1?}"
}
rc=0
run() {
  set +e
  "$WANGGE" "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  set -e
}

run --db "$TMP/county.db" demo --no-serve --residents 2000 --today 2026-11-29
expect "a demo county on SQLite" 0

PG=$(fresh wgt_migrate_a)
run migrate --from "sqlite:$TMP/county.db" --to "$PG"
expect "migrate moves it, verified" 0 "resident" "resident_history" "grid" "audit" "committed"
if grep -q DIFFERS "$TMP/out"; then not_ok "no table differs" "$(cat "$TMP/out")"; else ok "no table differs"; fi
tables=$(grep -cE ' ok$' "$TMP/out" || true)
check "19 tables reported ok" [ "$tables" -eq 19 ]
want=$(sqlite3 "$TMP/county.db" "SELECT count(*) FROM resident")
got=$(psql -X -At "$PG" -c "SELECT count(*) FROM resident")
check "the residents are all there ($want)" [ "$want" = "$got" ]

run --db "$PG" plan list
expect "the moved county is served from PostgreSQL" 0 "active"
pt=$(psql -X -At "$PG" -c "SELECT ST_X(p) || ' ' || ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p
  FROM grid WHERE level = 3 ORDER BY code LIMIT 1) x")
code=$(psql -X -At "$PG" -c "SELECT code FROM grid WHERE level = 3 ORDER BY code LIMIT 1")
run --db "$PG" locate --lon "${pt% *}" --lat "${pt#* }"
expect "locate through PostGIS finds the grid" 0 "$code"

run migrate --from "sqlite:$TMP/county.db" --to "$PG"
expect "moving the same county again is refused" 1 "already has data"
run --db "$PG" demo --no-serve --residents 1000
expect "demo never writes over a PostgreSQL database with a county" 1 "not a demo database"
run --db "$PG" serve --county 12 --listen 127.0.0.1:0
expect "serve --county wants a county code" 1 "6-digit"

# All or nothing: a target where login 'admin' is taken refuses the users
# table, the last but one; nothing of the county stays.
PG2=$(fresh wgt_migrate_b)
run --db "$PG2" db version
psql -X -q "$PG2" -c "INSERT INTO app_user(county, login, role, password_hash, created_at)
  VALUES ('999999', 'admin', 1, '\$argon2id\$x', 'now')"
run migrate --from "sqlite:$TMP/county.db" --to "$PG2"
expect "a refused row fails the move" 1 "app_user" "refused"
left=$(psql -X -At "$PG2" -c "SELECT (SELECT count(*) FROM resident) + (SELECT count(*) FROM estate) + (SELECT count(*) FROM division)")
check "and nothing was written ($left rows)" [ "$left" = 0 ]
run migrate --from "sqlite:$TMP/county.db" --to "$PG2" --skip-users
expect "--skip-users moves it without the accounts" 0 "committed"

run migrate --from "sqlite:$TMP/county.db"
expect "--to is required" 2 "--to"
tap_done
