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
check "45 tables reported ok" [ "$tables" -eq 45 ]
for t in matter matter_event staff member contact campaign_item campaign_tally actual; do
  want=$(sqlite3 "$TMP/county.db" "SELECT count(*) FROM $t")
  got=$(psql -X -At "$PG" -c "SELECT count(*) FROM $t")
  check "$t: all $want rows there" [ "$want" = "$got" ]
done
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

# Ids shift past those the target holds, references with them: a target
# with another county's user, staff, member, incident and campaign rows.
PG3=$(fresh wgt_migrate_c)
run --db "$PG3" db version
psql -X -q "$PG3" -c "BEGIN" \
  -c "INSERT INTO division(code, name, level) VALUES ('999999000000', 'x', 3)" \
  -c "INSERT INTO app_user(county, login, role, password_hash, created_at)
      VALUES ('999999', 'other', 1, '\$argon2id\$x', 'now')" \
  -c "INSERT INTO staff(county, kind, name, community, created_at)
      VALUES ('999999', 1, 'x', '999999000000', 'now')" \
  -c "INSERT INTO member(county, kind, name, community, created_at)
      VALUES ('999999', 1, 'x', '999999000000', 'now')" \
  -c "INSERT INTO incident(county, title, need, created_at, actor) VALUES ('999999', 'x', 1, 'now', 'x')" \
  -c "INSERT INTO campaign(county, name, kind, stages, ref_date, created_at, actor)
      VALUES ('999999', 'x', 1, 'a', '2026-01-01', 'now', 'x')" \
  -c "INSERT INTO campaign_item(campaign_id, county) VALUES (1, '999999')" \
  -c "INSERT INTO campaign_event(campaign_id, item_id, county, from_stage, to_stage, at, actor)
      VALUES (1, 1, '999999', 0, 1, 'now', 'x')" -c "COMMIT"
run migrate --from "sqlite:$TMP/county.db" --to "$PG3"
expect "a county moves next to another one" 0 "committed"
same() { # label, SQL run on both (the moved county only on PostgreSQL)
  local a b
  a=$(sqlite3 "$TMP/county.db" "$2" | LC_ALL=C sort | md5sum)
  b=$(psql -X -At "$PG3" -c "$2" | LC_ALL=C sort | md5sum)
  check "$1" [ "$a" = "$b" ]
}
same "contacts point at the same staff" "SELECT h.number || '|' || s.name || '|' || s.phone
  FROM contact c JOIN household h ON h.county = c.county AND h.id = c.household_id
  JOIN staff s ON s.county = c.county AND s.id = c.person_id WHERE c.person_kind = 1
  AND c.county = '141127'"
same "matters keep their handlers" "SELECT m.token || '|' || u.login FROM matter m
  JOIN app_user u ON u.id = m.handler WHERE m.county = '141127'"
same "items keep their last event" "SELECT ci.community || '|' || ce.at || '|' || ce.to_stage
  FROM campaign_item ci JOIN campaign_event ce ON ce.county = ci.county AND ce.id = ci.event_id
  AND ce.item_id = ci.id WHERE ci.county = '141127'"
same "responders are the same people" "SELECT i.title || '|' || s.name FROM incident_responder r
  JOIN incident i ON i.county = r.county AND i.id = r.incident_id
  JOIN staff s ON s.county = r.county AND s.id = r.person_id WHERE r.person_kind = 1
  AND r.county = '141127' UNION ALL SELECT i.title || '|' || m.name FROM incident_responder r
  JOIN incident i ON i.county = r.county AND i.id = r.incident_id
  JOIN member m ON m.county = r.county AND m.id = r.person_id WHERE r.person_kind = 2
  AND r.county = '141127'"
same "the tally is the source's" "SELECT c.name || '|' || t.community || '|' || t.stage || '|' || t.items
  FROM campaign_tally t JOIN campaign c ON c.county = t.county AND c.id = t.campaign_id
  WHERE t.county = '141127'"

# The new domains' guards hold on PostgreSQL as on SQLite.
refused() { # label, message, SQL
  if psql -X -q -v ON_ERROR_STOP=1 "$PG3" -c "$3" >"$TMP/out" 2>"$TMP/err"; then
    not_ok "$1" "accepted"
  elif grep -q "$2" "$TMP/err"; then ok "$1"; else not_ok "$1" "$(cat "$TMP/err")"; fi
}
refused "a matter does not change without an event" "only with a new event" \
  "UPDATE matter SET title = 'x' WHERE county = '141127'"
refused "matter events are append-only" "append-only" "DELETE FROM matter_event"
refused "matters are never deleted" "never deleted" "DELETE FROM matter"
refused "visits are append-only" "append-only" "UPDATE visit SET findings = ''"
refused "service logs are append-only" "append-only" "DELETE FROM service_log"
refused "an item does not move without an event" "only with a new event" \
  "UPDATE campaign_item SET stage = 7 WHERE county = '141127'"
refused "a role outside the checks is refused" "check" "UPDATE staff SET kind = 9"
mid=$(psql -X -At "$PG3" -c "SELECT id FROM matter WHERE county = '141127' ORDER BY id LIMIT 1")
set +e
psql -X -q -v ON_ERROR_STOP=1 "$PG3" >"$TMP/out" 2>"$TMP/err" <<SQL
BEGIN;
INSERT INTO matter_event(matter_id, seq, county, action, actor_kind, actor, at, from_status, to_status)
  SELECT id, version + 1, county, 1, 1, 'test', last_at, status, status FROM matter
  WHERE county = '141127' AND id = $mid;
UPDATE matter SET version = version + 1, title = 'moved' WHERE county = '141127' AND id = $mid;
COMMIT;
SQL
rc=$?
set -e
check "with its event a matter changes" [ "$rc" = 0 ]
iid=$(psql -X -At "$PG3" -c "SELECT id FROM campaign_item WHERE county = '141127' ORDER BY id LIMIT 1")
before=$(psql -X -At "$PG3" -c "SELECT sum(items) FROM campaign_tally t JOIN campaign_item i
  ON i.county = t.county AND i.campaign_id = t.campaign_id AND i.entrance_id = t.entrance_id
  AND i.community = t.community AND i.stage = t.stage WHERE i.id = $iid")
set +e
psql -X -q -v ON_ERROR_STOP=1 "$PG3" >"$TMP/out" 2>"$TMP/err" <<SQL
BEGIN;
INSERT INTO campaign_event(campaign_id, item_id, county, from_stage, to_stage, at, actor)
  SELECT campaign_id, id, county, stage, CASE WHEN stage = 7 THEN 6 ELSE stage + 1 END, 'now', 'test'
  FROM campaign_item WHERE id = $iid;
UPDATE campaign_item SET stage = CASE WHEN stage = 7 THEN 6 ELSE stage + 1 END,
  event_id = (SELECT max(id) FROM campaign_event) WHERE id = $iid;
COMMIT;
SQL
rc=$?
set -e
check "with its event an item moves" [ "$rc" = 0 ]
after=$(psql -X -At "$PG3" -c "SELECT t.items FROM campaign_tally t JOIN campaign_item i
  ON i.county = t.county AND i.campaign_id = t.campaign_id AND i.entrance_id = t.entrance_id
  AND i.community = t.community AND i.stage = t.stage WHERE i.id = $iid")
total=$(psql -X -At "$PG3" -c "SELECT (SELECT sum(items) FROM campaign_tally WHERE county = '141127')
  = (SELECT count(*) FROM campaign_item WHERE county = '141127')")
check "the tally follows the move (it was $before, the new stage has $after)" [ "$total" = t -a -n "$after" ]

run migrate --from "sqlite:$TMP/county.db"
expect "--to is required" 2 "--to"
tap_done
