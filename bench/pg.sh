#!/usr/bin/env bash
# pg.sh — wangge on PostgreSQL + PostGIS vs on SQLite, in one run:
#
#  1. a 10-county generated prefecture (~1.3 million residents) loaded into
#     PostgreSQL with `wangge migrate` (the demo county, 130k residents,
#     and nine copies of it recoded as the other counties of 吕梁市);
#  2. `wangge serve` on the PostgreSQL prefecture and on the county's SQLite
#     file, side by side: locate, grid card (wrk, loopback, interleaved
#     rounds, medians; PostgreSQL/SQLite as ratios within each round) and the
#     dashboard statistics (first computation and cached answer);
#  3. the roll-up of all 10 counties (active residents, households and the
#     special groups per county) as one SQL query, median of 5.
#
#   bash bench/pg.sh [--fresh] [--duration SECONDS] [--rounds N] [--connections N]
#
# Keeps its data in bench/out/ (the county file, the cluster in
# bench/out/pgbench, database `prefecture`); --fresh rebuilds them. Needs
# wrk, curl, sqlite3, psql and PostgreSQL 15 + PostGIS (scripts/install-deps).
# The cluster runs with fsync off (scripts/pg-test-cluster): this measures
# reads; SQLite keeps synchronous=FULL, which reads do not touch.
set -euo pipefail
cd "$(dirname "$0")/.."

FRESH=0
DURATION=5
ROUNDS=3
CONNS=64
while [ $# -gt 0 ]; do
  case $1 in
    --fresh) FRESH=1 ;;
    --duration) DURATION=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    *) echo "usage: bench/pg.sh [--fresh] [--duration S] [--rounds N] [--connections N]" >&2; exit 2 ;;
  esac
  shift
done
for tool in wrk curl sqlite3 psql; do
  command -v $tool >/dev/null || { echo "pg.sh: $tool is needed" >&2; exit 2; }
done

OUT=bench/out
mkdir -p "$OUT"
DB=$OUT/pg-county.db
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j2 --target wangge wgcore >/dev/null
WANGGE=build-bench/wangge
# shellcheck disable=SC2046
cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -Isrc -o "$OUT/session_token" bench/session_token.c \
  build-bench/libwgcore.a $(pkg-config --libs sqlite3 libzip expat jansson libsodium geos \
  libmicrohttpd libpq) -lxlsxwriter -lmetis -lshp -lm

if [ $FRESH = 1 ] || [ ! -f "$DB" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  "$WANGGE" --db "$DB" demo --no-serve --today 2026-11-29 >/dev/null
  FRESH=1
fi
[ $FRESH = 1 ] && scripts/pg-test-cluster stop "$OUT/pgbench" && rm -rf "$OUT/pgbench"
BASEURI=$(scripts/pg-test-cluster start "$OUT/pgbench")
PG=${BASEURI/\/wangge\?/\/prefecture?}
ADMIN=${BASEURI/\/wangge\?/\/postgres?}

# The other counties of 吕梁市 (Lüliang); 141127 (岚县) is the demo itself.
COUNTIES="141102 141121 141122 141123 141124 141125 141126 141128 141129"

# SQL that recodes a copy of the demo county as county $1 (copy number $2):
# every county column and every code under 141127; ID numbers get the
# copy's own first two digits (9k…) so the prefecture has no duplicates.
recode_sql() {
  local c=$1 k=$2 p="CASE WHEN X LIKE '141127%' THEN '$1' || substr(X, 7) ELSE X END"
  pre() { echo "${p//X/$1}"; }
  cat <<SQL
BEGIN;
$(sqlite3 "$DB" "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = 'trigger'")
UPDATE division SET code = $(pre code), parent = $(pre parent) WHERE code LIKE '141127%';
UPDATE division SET name = '县$k' WHERE code = '${c}000000';
UPDATE estate SET county = '$c', community = $(pre community);
UPDATE building SET county = '$c', community = $(pre community);
UPDATE entrance SET county = '$c';
UPDATE dwelling SET county = '$c';
UPDATE event SET county = '$c';
UPDATE household SET county = '$c';
UPDATE resident SET county = '$c', id_number = '9$k' || substr(id_number, 3);
UPDATE resident_history SET county = '$c', id_number = '9$k' || substr(id_number, 3);
UPDATE plan SET county = '$c';
UPDATE grid SET county = '$c', code = $(pre code), parent = $(pre parent), community = $(pre community);
UPDATE grid_assignment SET county = '$c', l1 = $(pre l1), l2 = $(pre l2), l3 = $(pre l3);
UPDATE plan_violation SET county = '$c', code = $(pre code);
UPDATE grid_number SET county = '$c', parent = $(pre parent);
UPDATE meta SET value = '$c' WHERE key = 'county';
COMMIT;
SQL
}

PASSWORD="bench password 0123456789"
if [ "$(psql -X -At "$ADMIN" -c "SELECT count(*) FROM pg_database WHERE datname = 'prefecture'")" = 0 ]; then
  echo "loading the prefecture into PostgreSQL (10 counties)…"
  psql -X -q "$ADMIN" -c "CREATE DATABASE prefecture TEMPLATE wg_template"
  T0=$(date +%s%N)
  "$WANGGE" migrate --from "sqlite:$DB" --to "$PG" >"$OUT/pg-migrate-141127.txt"
  T1=$(date +%s%N)
  echo "  141127 (the demo county): $(( (T1 - T0) / 1000000 )) ms" | tee "$OUT/pg-load.txt"
  k=0
  for c in $COUNTIES; do
    cp "$DB" "$OUT/pg-copy.db"
    recode_sql "$c" "$k" | sqlite3 "$OUT/pg-copy.db"
    T0=$(date +%s%N)
    "$WANGGE" migrate --from "sqlite:$OUT/pg-copy.db" --to "$PG" --skip-users >"$OUT/pg-migrate-$c.txt"
    T1=$(date +%s%N)
    echo "  $c: $(( (T1 - T0) / 1000000 )) ms" | tee -a "$OUT/pg-load.txt"
    k=$((k + 1))
  done
  rm -f "$OUT/pg-copy.db"
  psql -X -q "$PG" -c "VACUUM ANALYZE"
fi
for target in "$DB" "$PG"; do
  if ! "$WANGGE" --db "$target" user list 2>/dev/null | grep -q '^benchadmin\b'; then
    printf '%s\n' "$PASSWORD" |
      "$WANGGE" --db "$target" user add benchadmin --role admin --scope 141127000000 --password-stdin >/dev/null
  fi
done
TOKEN_S=$(printf '%s\n' "$PASSWORD" | "$OUT/session_token" "$DB" benchadmin)
TOKEN_P=$(printf '%s\n' "$PASSWORD" | "$OUT/session_token" "$PG" benchadmin)

PORT_S=$((20000 + RANDOM % 10000))
PORT_P=$((30000 + RANDOM % 10000))
"$WANGGE" --db "$DB" serve --listen 127.0.0.1:$PORT_S >"$OUT/pg-serve-sqlite.log" 2>&1 &
PID_S=$!
"$WANGGE" --db "$PG" serve --listen 127.0.0.1:$PORT_P >"$OUT/pg-serve-pg.log" 2>&1 &
PID_P=$!
trap 'kill -TERM $PID_S $PID_P 2>/dev/null || true; wait $PID_S $PID_P 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "http://" "$OUT/pg-serve-sqlite.log" && grep -q "http://" "$OUT/pg-serve-pg.log" && break
  sleep 0.1
done
BS=http://127.0.0.1:$PORT_S
BP=http://127.0.0.1:$PORT_P
CS="Cookie: wg_session=$TOKEN_S"
CP="Cookie: wg_session=$TOKEN_P"

ms() { curl -s -o /dev/null -w '%{time_total}' -H "$2" "$1" | awk '{printf "%.1f", $1 * 1000}'; }
computed() { curl -s -H "$2" "$1/api/v1/stats?level=1" | sed -n 's/.*"computed_ms":\([0-9.]*\).*/\1/p'; }
warm() {
  local v=()
  for _ in $(seq 21); do v+=("$(ms "$1/api/v1/stats" "$2")"); done
  printf '%s\n' "${v[@]}" | sort -g | sed -n 11p
}
STATS_COLD_S=$(ms "$BS/api/v1/stats" "$CS")
STATS_COLD_P=$(ms "$BP/api/v1/stats" "$CP")
COMP_S=$(computed "$BS" "$CS")
COMP_P=$(computed "$BP" "$CP")
WARM_S=$(warm "$BS" "$CS")
WARM_P=$(warm "$BP" "$CP")

# The same points and grids for both (the county is the same data).
sqlite3 "$DB" "SELECT printf('{%.7f,%.7f},', lon, lat) FROM building WHERE lon != 0
  ORDER BY (id * 7919) % 10007 LIMIT 500" >"$OUT/points.lua.tmp"
{
  echo "local p = {"; cat "$OUT/points.lua.tmp"; echo "}"
  echo "math.randomseed(1)"
  echo "request = function()"
  echo "  local q = p[math.random(#p)]"
  echo "  return wrk.format('GET', string.format('/api/v1/locate?lon=%.7f&lat=%.7f', q[1] + 0.00002, q[2]))"
  echo "end"
} >"$OUT/pg-locate.lua"
sqlite3 "$DB" "SELECT '\"' || code || '\",' FROM grid g JOIN plan p ON p.id = g.plan_id
  WHERE p.status = 2 AND g.level = 3 ORDER BY (g.id * 7919) % 10007 LIMIT 500" >"$OUT/grids.lua.tmp"
{
  echo "local g = {"; cat "$OUT/grids.lua.tmp"; echo "}"
  echo "math.randomseed(2)"
  echo "request = function()"
  echo "  return wrk.format('GET', '/api/v1/grids/' .. g[math.random(#g)])"
  echo "end"
} >"$OUT/pg-card.lua"
rm -f "$OUT"/*.lua.tmp
for b in "$BS $CS" "$BP $CP"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "${b#* }" "${b%% *}/api/v1/grids/$(sqlite3 "$DB" \
    "SELECT code FROM grid g JOIN plan p ON p.id = g.plan_id WHERE p.status = 2 AND level = 3 LIMIT 1")")
  [ "$code" = 200 ] || { echo "pg.sh: ${b%% *} grid card answered $code" >&2; exit 1; }
done

run() { # name base cookie script
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "$3" -s "$4" "$2" >"$OUT/wrk-pg-$1.txt"
  awk '/Requests\/sec/ {print $2}' "$OUT/wrk-pg-$1.txt"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
LS=() LP=() CSv=() CPv=() RL=() RC=()
for round in $(seq "$ROUNDS"); do
  ls=$(run "locate-sqlite$round" "$BS" "$CS" "$OUT/pg-locate.lua")
  lp=$(run "locate-pg$round" "$BP" "$CP" "$OUT/pg-locate.lua")
  cs=$(run "card-sqlite$round" "$BS" "$CS" "$OUT/pg-card.lua")
  cp=$(run "card-pg$round" "$BP" "$CP" "$OUT/pg-card.lua")
  LS+=("$ls") LP+=("$lp") CSv+=("$cs") CPv+=("$cp") RL+=("$(ratio "$lp" "$ls")") RC+=("$(ratio "$cp" "$cs")")
  echo "round $round: locate SQLite $ls, PostgreSQL $lp ($(ratio "$lp" "$ls") ×); grid card SQLite $cs, PostgreSQL $cp ($(ratio "$cp" "$cs") ×) req/s"
done
p99() { awk '/ 99%/ {print $2}' "$OUT/wrk-pg-$1.txt"; }

# The prefecture roll-up: every county's active residents, households and
# special groups, in one query over the 1.3 million (median of 5).
ROLLUP="SELECT county, count(*) AS residents, count(DISTINCT household_id) AS households,
  count(*) FILTER (WHERE strpos(tags, ',elderly_alone,') > 0) AS elderly_alone,
  count(*) FILTER (WHERE strpos(tags, ',veteran,') > 0) AS veterans,
  count(*) FILTER (WHERE strpos(tags, ',disabled,') > 0) AS disabled,
  count(*) FILTER (WHERE strpos(tags, ',low_income,') > 0) AS low_income
  FROM resident WHERE status = 1 GROUP BY county ORDER BY county"
# Wall time (\timing) and the server process's CPU time (/proc) per run.
cat >"$OUT/pg-rollup.sql" <<SQL
SELECT pg_backend_pid() AS pid \\gset
\\setenv PID :pid
\\! awk '{print \$14 + \$15}' /proc/\$PID/stat > $OUT/pg-cpu0
\\timing on
$ROLLUP;
\\timing off
\\! awk '{print \$14 + \$15}' /proc/\$PID/stat > $OUT/pg-cpu1
SQL
R=() U=()
TICK=$(getconf CLK_TCK)
for _ in 1 2 3 4 5; do
  R+=("$(psql -X -q "$PG" -f "$OUT/pg-rollup.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')")
  U+=("$(( ($(cat "$OUT/pg-cpu1") - $(cat "$OUT/pg-cpu0")) * 1000 / TICK ))")
done
ROLLUP_MS=$(median "${R[@]}")
ROLLUP_CPU=$(median "${U[@]}")
psql -X "$PG" -c "$ROLLUP" >"$OUT/pg-rollup.txt"

COUNTIES_N=$(psql -X -At "$PG" -c "SELECT count(DISTINCT county) FROM resident")
RES_ALL=$(psql -X -At "$PG" -c "SELECT count(*) FROM resident")
ACTIVE_ALL=$(psql -X -At "$PG" -c "SELECT count(*) FROM resident WHERE status = 1")
PGSIZE=$(psql -X -At "$PG" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
LITESIZE=$(du -m "$DB" | cut -f1)
RESIDENTS=$(sqlite3 "$DB" "SELECT count(*) FROM resident WHERE status = 1")
echo "machine:      $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "prefecture:   $COUNTIES_N counties, $RES_ALL residents ($ACTIVE_ALL active) in PostgreSQL, $PGSIZE"
[ -f "$OUT/pg-load.txt" ] && echo "load:         $(awk '{s += $(NF - 1)} END {printf "%.1f s for %d counties (wangge migrate, verified)", s / 1000, NR}' "$OUT/pg-load.txt")"
echo "county:       141127, $RESIDENTS active residents; SQLite file $LITESIZE MB"
echo "wrk:          2 threads, $CONNS connections, ${DURATION}s per run, $ROUNDS rounds interleaved; medians:"
echo "locate:       SQLite $(median "${LS[@]}") req/s, PostgreSQL $(median "${LP[@]}") req/s = $(median "${RL[@]}") ×  (p99 $(p99 locate-sqlite1) vs $(p99 locate-pg1), round 1)"
echo "grid card:    SQLite $(median "${CSv[@]}") req/s, PostgreSQL $(median "${CPv[@]}") req/s = $(median "${RC[@]}") ×  (p99 $(p99 card-sqlite1) vs $(p99 card-pg1), round 1)"
echo "stats:        computed in ${COMP_S} ms (SQLite) vs ${COMP_P} ms (PostgreSQL) = $(ratio "$COMP_P" "$COMP_S") ×;"
echo "              first request ${STATS_COLD_S} vs ${STATS_COLD_P} ms, cached median ${WARM_S} vs ${WARM_P} ms"
echo "roll-up:      all $COUNTIES_N counties in ${ROLLUP_MS} ms wall, ${ROLLUP_CPU} ms CPU of the server process (medians of 5; $OUT/pg-rollup.txt)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine)"
