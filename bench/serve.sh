#!/usr/bin/env bash
# serve.sh — `wangge serve` under wrk on loopback for the demo county:
# locate, a grid card and a static file (requests/s, and each API route as
# a ratio to the static file measured in the same run), the dashboard
# statistics' latency (cold and cached), and the server's RSS.
#
#   bash bench/serve.sh [--fresh] [--duration SECONDS] [--rounds N] [--connections N]
#
# The three runs are interleaved for --rounds rounds (default 3 × 5 s
# each) and each figure is the median over the rounds; each ratio is taken
# within a round (the same conditions), then the median of those.
#
# Builds Release into build-bench/, the demo county into bench/out/serve.db
# (kept between runs; --fresh rebuilds it), signs in a benchmark admin and
# runs wrk with 2 threads. Needs wrk, curl, sqlite3.
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
    *) echo "usage: bench/serve.sh [--fresh] [--duration S] [--rounds N] [--connections N]" >&2; exit 2 ;;
  esac
  shift
done
for tool in wrk curl sqlite3; do
  command -v $tool >/dev/null || { echo "serve.sh: $tool is needed" >&2; exit 2; }
done

OUT=bench/out
mkdir -p "$OUT"
DB=$OUT/serve.db
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
fi
PASSWORD="bench password 0123456789"
if ! "$WANGGE" --db "$DB" user list 2>/dev/null | grep -q '^benchadmin\b'; then
  printf '%s\n' "$PASSWORD" |
    "$WANGGE" --db "$DB" user add benchadmin --role admin --scope 141127000000 --password-stdin >/dev/null
fi
TOKEN=$(printf '%s\n' "$PASSWORD" | "$OUT/session_token" "$DB" benchadmin)
COOKIE="Cookie: wg_session=$TOKEN"

PORT=$((20000 + RANDOM % 20000))
"$WANGGE" --db "$DB" serve --listen 127.0.0.1:$PORT >"$OUT/serve.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q "http://" "$OUT/serve.log" && break
  sleep 0.1
done
BASE=http://127.0.0.1:$PORT

# Dashboard statistics: the first request computes them, later ones are
# served from the per-(plan, ledger version) cache.
ms() { curl -s -o /dev/null -w '%{time_total}' -H "$COOKIE" "$BASE$1" | awk '{printf "%.1f", $1 * 1000}'; }
STATS_COLD=$(ms /api/v1/stats)
COMPUTED=$(curl -s -H "$COOKIE" "$BASE/api/v1/stats?level=1" |
  sed -n 's/.*"computed_ms":\([0-9.]*\).*/\1/p')
STATS_BYTES=$(curl -s -H "$COOKIE" "$BASE/api/v1/stats" | wc -c)
WARM=()
for _ in $(seq 21); do WARM+=("$(ms /api/v1/stats)"); done
STATS_WARM=$(printf '%s\n' "${WARM[@]}" | sort -n | sed -n 11p)

# Requests spread over many points and grids (wrk Lua picks one per request).
sqlite3 "$DB" "SELECT printf('{%.7f,%.7f},', lon, lat) FROM building WHERE lon != 0
  ORDER BY (id * 7919) % 10007 LIMIT 500" >"$OUT/points.lua.tmp"
{
  echo "local p = {"; cat "$OUT/points.lua.tmp"; echo "}"
  echo "math.randomseed(1)"
  echo "request = function()"
  echo "  local q = p[math.random(#p)]"
  echo "  return wrk.format('GET', string.format('/api/v1/locate?lon=%.7f&lat=%.7f', q[1] + 0.00002, q[2]))"
  echo "end"
} >"$OUT/locate.lua"
sqlite3 "$DB" "SELECT '\"' || code || '\",' FROM grid g JOIN plan p ON p.id = g.plan_id
  WHERE p.status = 2 AND g.level = 3 ORDER BY (g.id * 7919) % 10007 LIMIT 500" >"$OUT/grids.lua.tmp"
{
  echo "local g = {"; cat "$OUT/grids.lua.tmp"; echo "}"
  echo "math.randomseed(2)"
  echo "request = function()"
  echo "  return wrk.format('GET', '/api/v1/grids/' .. g[math.random(#g)])"
  echo "end"
} >"$OUT/card.lua"
rm -f "$OUT"/*.lua.tmp

run() { # name url [script]
  local extra=()
  [ -n "${3:-}" ] && extra=(-s "$3")
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "$COOKIE" "${extra[@]}" "$2" >"$OUT/wrk-$1.txt"
  awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$1.txt"
}
check() { # url: must answer 200
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$COOKIE" "$1")
  [ "$code" = 200 ] || { echo "serve.sh: $1 answered $code" >&2; exit 1; }
}
check "$BASE/index.html"
check "$BASE/api/v1/grids/$(sqlite3 "$DB" "SELECT code FROM grid g JOIN plan p ON p.id = g.plan_id WHERE p.status = 2 AND level = 3 LIMIT 1")"

S=() L=() C=() RL=() RC=()
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
for round in $(seq "$ROUNDS"); do
  s=$(run "static$round" "$BASE/index.html")
  l=$(run "locate$round" "$BASE" "$OUT/locate.lua")
  c=$(run "card$round" "$BASE" "$OUT/card.lua")
  S+=("$s") L+=("$l") C+=("$c") RL+=("$(ratio "$l" "$s")") RC+=("$(ratio "$c" "$s")")
  echo "round $round:      static $s, locate $l ($(ratio "$l" "$s") ×), grid card $c ($(ratio "$c" "$s") ×) req/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
STATIC=$(median "${S[@]}") LOCATE=$(median "${L[@]}") CARD=$(median "${C[@]}")
RLOC=$(median "${RL[@]}") RCARD=$(median "${RC[@]}")

# A ledger change (a tag toggled on one resident): requests keep getting the
# cached figures (stale by one version) while a builder thread recomputes
# them; measure that answer, then how long until the new version is served.
"$WANGGE" --db "$DB" resident tag 1 +veteran --reason "bench: new ledger version" >/dev/null 2>&1 ||
  "$WANGGE" --db "$DB" resident tag 1 -veteran --reason "bench: new ledger version" >/dev/null
NEWVER=$(sqlite3 "$DB" "SELECT max(id) FROM event")
T0=$(date +%s%N)
STATS_CHANGED=$(ms /api/v1/stats)
FRESH_MS=timeout
for _ in $(seq 200); do
  BODY=$(curl -s -H "$COOKIE" "$BASE/api/v1/stats?level=1")
  if printf '%s' "$BODY" | grep -q "\"ledger_version\":$NEWVER,"; then
    FRESH_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
    RECOMPUTED=$(printf '%s' "$BODY" | sed -n 's/.*"computed_ms":\([0-9.]*\).*/\1/p')
    break
  fi
  sleep 0.01
done
STATS_AFTER=$(ms /api/v1/stats)

read -r RSS HWM < <(awk '/VmRSS/ {r=$2} /VmHWM/ {h=$2} END {printf "%.1f %.1f\n", r/1024, h/1024}' /proc/$PID/status)
p99() { awk '/ 99%/ {print $2}' "$OUT/wrk-$1.txt"; }

GRIDS=$(sqlite3 "$DB" "SELECT count(*) FROM grid g JOIN plan p ON p.id = g.plan_id WHERE p.status = 2")
RESIDENTS=$(sqlite3 "$DB" "SELECT count(*) FROM resident WHERE status = 1")
echo "machine:      $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "demo county:  $RESIDENTS active residents, $GRIDS grids in the active plan"
echo "wrk:          2 threads, $CONNS connections, ${DURATION}s per run, $ROUNDS rounds, keep-alive; medians:"
echo "static file:  $STATIC req/s  p99 $(p99 static1) (round 1)"
echo "locate:       $LOCATE req/s  = $RLOC × static  p99 $(p99 locate1) (round 1)"
echo "grid card:    $CARD req/s  = $RCARD × static  p99 $(p99 card1) (round 1)"
echo "stats:        first request ${STATS_COLD} ms (figures built at start-up in ${COMPUTED} ms), cached median ${STATS_WARM} ms, ${STATS_BYTES} bytes"
echo "              after a ledger change: ${STATS_CHANGED} ms (previous version), new version served after ${FRESH_MS} ms (recomputed in ${RECOMPUTED:-?} ms), then ${STATS_AFTER} ms"
echo "server RSS:   ${RSS} MB now, ${HWM} MB peak"
