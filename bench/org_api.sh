#!/usr/bin/env bash
# org_api.sh — timings of the organisation's hot paths on the demo county:
# the grid card with its organisation, a grid worker's visits due (the phone
# page), the organisation check, coverage, one incident.
#
#   bash bench/org_api.sh build/wangge demo.db [runs]
# The database must be a demo (`wangge demo --no-serve`). Prints the median
# and the slowest of `runs` (default 21) requests each, in milliseconds.
set -euo pipefail
WANGGE=${1:?usage: org_api.sh WANGGE DB [RUNS]}
DB=${2:?usage: org_api.sh WANGGE DB [RUNS]}
RUNS=${3:-21}
PORT=$((20000 + RANDOM % 20000))
"$WANGGE" --db "$DB" serve --listen 127.0.0.1:$PORT >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$jar_w" "$jar_c"' EXIT
B=http://127.0.0.1:$PORT
jar_w=$(mktemp) jar_c=$(mktemp)
for _ in $(seq 50); do curl -sf "$B/" >/dev/null && break; sleep 0.2; done
sign_in() { curl -s -c "$2" -H 'Content-Type: application/json' \
  -d "{\"login\":\"$1\",\"password\":\"wangge-demo-2026\"}" "$B/api/v1/session" >/dev/null; }
sign_in gridworker "$jar_w"
sign_in county "$jar_c"
GRID=$(sqlite3 "$DB" "SELECT code FROM user_scope u JOIN app_user a ON a.id = u.user_id WHERE a.login = 'gridworker'")
time_it() { # label jar path
  local label=$1 jar=$2 path=$3 t=()
  for _ in $(seq "$RUNS"); do
    t+=("$(curl -s -b "$jar" -o /dev/null -w '%{time_total}' "$B$path")")
  done
  printf '%s\n' "${t[@]}" | sort -n | awk -v l="$label" '{a[NR]=$1} END {printf "%-34s median %7.1f ms   max %7.1f ms\n", l, a[int((NR+1)/2)]*1000, a[NR]*1000}'
}
time_it "grid card (level 2, with org)" "$jar_w" "/api/v1/grids/$GRID"
time_it "visits due (grid worker)" "$jar_w" "/api/v1/org/visits/due"
time_it "incident with responders" "$jar_c" "/api/v1/incidents/1"
RUNS=5
time_it "org check (county, whole view)" "$jar_c" "/api/v1/org/check"
time_it "coverage level 2 (county)" "$jar_c" "/api/v1/org/coverage?level=2"
