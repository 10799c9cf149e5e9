#!/usr/bin/env bash
# matters.sh — matters under load on loopback, for the demo county with its
# year of matters (about 50,000):
#   1. POST /open311/v2/requests.json — a new service request, routed to its
#      grid and grid worker and durable (committed, fsynced) before the
#      answer — with wrk, interleaved with the same server's static file for
#      the ratio (as bench/serve.sh does), medians over the rounds;
#   2. GET /api/v1/matter-figures for the county (level-1, level-3 grids,
#      workers): the first request (facts read from the store) and the
#      median of 21 later ones;
#   3. the demo build's time with and without its matters.
#
#   bash bench/matters.sh [--fresh] [--duration SECONDS] [--rounds N] [--connections N]
#
# Builds Release into build-bench/, the demo into bench/out/matters.db (kept;
# --fresh rebuilds it; POSTs add matters to it). Needs wrk, curl, sqlite3.
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
    *) echo "usage: bench/matters.sh [--fresh] [--duration S] [--rounds N] [--connections N]" >&2; exit 2 ;;
  esac
  shift
done
for tool in wrk curl sqlite3; do
  command -v $tool >/dev/null || { echo "matters.sh: $tool is needed" >&2; exit 2; }
done

OUT=bench/out
mkdir -p "$OUT"
DB=$OUT/matters.db
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j2 --target wangge >/dev/null
WANGGE=build-bench/wangge

DEMO_S=kept
if [ $FRESH = 1 ] || [ ! -f "$DB" ]; then
  rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB-photos"
  T0=$(date +%s%N)
  "$WANGGE" --db "$DB" demo --no-serve --today 2026-11-29 >"$OUT/matters-demo.out"
  DEMO_S=$(awk -v t="$(( $(date +%s%N) - T0 ))" 'BEGIN {printf "%.1f", t / 1e9}')
  rm -f "$OUT/nomatters.db"*
  T0=$(date +%s%N)
  "$WANGGE" --db "$OUT/nomatters.db" demo --no-serve --matters 0 --today 2026-11-29 >/dev/null
  DEMO0_S=$(awk -v t="$(( $(date +%s%N) - T0 ))" 'BEGIN {printf "%.1f", t / 1e9}')
  rm -f "$OUT/nomatters.db"*
fi
"$WANGGE" --db "$DB" apikey revoke bench >/dev/null 2>&1 || true
KEY=$("$WANGGE" --db "$DB" apikey add "bench$(date +%s%N)" 2>/dev/null)

PORT=$((20000 + RANDOM % 20000))
"$WANGGE" --db "$DB" serve --listen 127.0.0.1:$PORT >"$OUT/matters-serve.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q "http://" "$OUT/matters-serve.log" && break
  sleep 0.1
done
BASE=http://127.0.0.1:$PORT

# Reports at real entrances all over the county, of every category.
sqlite3 "$DB" "SELECT printf('{%.7f,%.7f},', lon, lat) FROM building WHERE lon != 0
  ORDER BY (id * 7919) % 10007 LIMIT 500" >"$OUT/points.lua.tmp"
{
  echo "local p = {"; cat "$OUT/points.lua.tmp"; echo "}"
  echo "local c = {'sanitation','facility','dispute','order','livelihood','safety','elderly','health'}"
  echo "math.randomseed(3)"
  echo "wrk.method = 'POST'"
  echo "wrk.headers['Content-Type'] = 'application/x-www-form-urlencoded'"
  echo "request = function()"
  echo "  local q = p[math.random(#p)]"
  echo "  local body = string.format('api_key=$KEY&service_code=%s&lat=%.7f&long=%.7f&description=bench+report', c[math.random(#c)], q[2], q[1] + 0.00002)"
  echo "  return wrk.format(nil, '/open311/v2/requests.json', nil, body)"
  echo "end"
} >"$OUT/post.lua"
rm -f "$OUT"/points.lua.tmp

code=$(curl -s -o "$OUT/post-check.json" -w '%{http_code}' -X POST \
  -d "api_key=$KEY&service_code=sanitation&lat=38.27799&long=111.67157&description=check" \
  "$BASE/open311/v2/requests.json")
[ "$code" = 201 ] || { echo "matters.sh: POST answered $code: $(cat "$OUT/post-check.json")" >&2; exit 1; }

run() { # name url [script]
  local extra=()
  [ -n "${3:-}" ] && extra=(-s "$3")
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "${extra[@]}" "$2" >"$OUT/wrk-$1.txt"
  awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$1.txt"
}
errors() { awk '/Non-2xx/ {print $4} END {}' "$OUT/wrk-$1.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Figures: sign in as the county office.
COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"login":"county","password":"wangge-demo-2026"}' "$BASE/api/v1/session" |
  sed -n 's/^Set-Cookie: \(wg_session=[^;]*\).*/\1/p')
ms() { curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $COOKIE" "$BASE$1" | awk '{printf "%.1f", $1 * 1000}'; }
fig() { # path → "first median"
  local first warm=()
  first=$(ms "$1")
  for _ in $(seq 21); do warm+=("$(ms "$1")"); done
  echo "$first $(printf '%s\n' "${warm[@]}" | sort -n | sed -n 11p)"
}
read -r F1 W1 < <(fig "/api/v1/matter-figures?by=grid&level=1")
read -r F3 W3 < <(fig "/api/v1/matter-figures?by=grid&level=3")
read -r FW WW < <(fig "/api/v1/matter-figures?by=worker")
FIG_MATTERS=$(sqlite3 "$DB" "SELECT count(*) FROM matter")
BEFORE=$FIG_MATTERS
S=() P=() R=()
for round in $(seq "$ROUNDS"); do
  s=$(run "mstatic$round" "$BASE/index.html")
  p=$(run "post$round" "$BASE" "$OUT/post.lua")
  S+=("$s") P+=("$p") R+=("$(ratio "$p" "$s")")
  echo "round $round: static $s req/s, POST requests $p req/s ($(ratio "$p" "$s") × static; non-2xx: $(errors "post$round" || true))"
done
AFTER=$(sqlite3 "$DB" "SELECT count(*) FROM matter")
ROUTED=$(sqlite3 "$DB" "SELECT count(*) FROM matter WHERE source = 'open311' AND id > (SELECT max(id) - 1000 FROM matter) AND grid3 <> ''")
STATIC=$(median "${S[@]}") POST=$(median "${P[@]}") RPOST=$(median "${R[@]}")

MATTERS=$(sqlite3 "$DB" "SELECT count(*) FROM matter")
EVENTS=$(sqlite3 "$DB" "SELECT count(*) FROM matter_event")
p99() { awk '/ 99%/ {print $2}' "$OUT/wrk-$1.txt"; }

echo "machine:      $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "demo county:  $MATTERS matters, $EVENTS events; demo build ${DEMO_S} s (without matters ${DEMO0_S:-?} s)"
echo "wrk:          2 threads, $CONNS connections, ${DURATION}s per run, $ROUNDS rounds; medians:"
echo "static file:  $STATIC req/s"
echo "POST request: $POST req/s = $RPOST × static  p99 $(p99 post1) (round 1); $((AFTER - BEFORE)) matters stored, routed to a level-3 grid: $ROUTED of the last 1000"
echo "figures ($FIG_MATTERS matters): level-1 grids first ${F1} ms, then median ${W1} ms; level-3 grids ${F3} / ${W3} ms; workers ${FW} / ${WW} ms"
