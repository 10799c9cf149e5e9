#!/usr/bin/env bash
# Grids on the ledger, end to end: a building layer imported, divided into
# three levels, checked, activated, located, exported, re-divided and
# compared; bad layers refused with nothing written.
set -euo pipefail
# shellcheck source=tests/cli/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
W=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export WANGGE_TODAY=20261129
DB=$TMP/g.db
run() { set +e; "$W" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; set -e; }
dump() { sqlite3 "$DB" .dump | sha256sum; }

# A 12 x 12 lattice of houses in 东村 (a real village of Lan County), 35 m
# apart, 3-6 households each; every third one with two entrances.
layer() { # $1 = file, $2 = extra households added to every 7th building
  awk -v extra="${2:-0}" 'BEGIN {
    printf "{\"type\":\"FeatureCollection\",\"features\":[";
    for (i = 0; i < 144; i++) {
      r = int(i / 12); c = i % 12;
      lon = 111.6500 + c * 0.0004; lat = 38.3000 - r * 0.0003;
      hh = 3 + (i * 7) % 4; if (i % 7 == 0) hh += extra;
      en = (i % 3 == 0) ? 2 : 1;
      printf "%s{\"type\":\"Feature\",\"properties\":{\"社区\":\"141127100200\",\"小区\":\"东村\",\"楼栋\":\"%d号\",\"单元数\":%d,\"户数\":%d,\"层数\":2},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}", (i ? "," : ""), i + 1, en, hh, lon, lat;
    }
    printf "]}\n";
  }' >"$1"
}

run --db "$DB" init --county 141127
check "init" [ "$rc" = 0 ]
layer "$TMP/b.geojson"
run --db "$DB" import buildings "$TMP/b.geojson"
check "import buildings" [ "$rc" = 0 ]
check "… 144 buildings, 192 entrances" grep -q "imported 144 buildings .* 192 entrances" "$TMP/out"
check "… positions stored" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM building WHERE lon > 111 AND lat > 38')" = 144 ]
total=$(sqlite3 "$DB" 'SELECT sum(declared_households) FROM entrance')

# Bad layers: every bad feature named, nothing written.
before=$(dump)
sed 's/"楼栋":"5号"/"楼栋":""/; s/"户数":4,/"户数":"四",/' "$TMP/b.geojson" >"$TMP/bad.geojson"
run --db "$DB" import buildings "$TMP/bad.geojson"
check "bad layer refused" [ "$rc" = 1 ]
check "… names the empty building name" grep -q "feature 5: 楼栋 '': building name is empty" "$TMP/err"
check "… names the bad household count" grep -q "户数 '四': households must be a whole number" "$TMP/err"
sed 's/"社区":"141127100200"/"社区":"不存在村"/' "$TMP/b.geojson" >"$TMP/bad2.geojson"
run --db "$DB" import buildings "$TMP/bad2.geojson"
check "unknown community refused" grep -q "社区 '不存在村'" "$TMP/err"
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"户数":3},"geometry":{"type":"Point","coordinates":[111.65,38.3]}}]}' >"$TMP/noname.geojson"
run --db "$DB" import buildings "$TMP/noname.geojson"
check "layer without a name attribute refused" grep -q "no attribute 楼栋/name" "$TMP/err"
check "database unchanged by the bad layers" [ "$before" = "$(dump)" ]

# Divide (the village follows the bounds too here).
run --db "$DB" divide --villages bounds --note first
div_rc=$rc
check "divide ran (0 = clean, 1 = avoidable violations listed)" [ "$rc" = 0 -o "$rc" = 1 ]
check "… reports three levels" grep -q "^      3 " "$TMP/out"
check "… audited" [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'plan_create' AND target LIKE 'plan #1 %'")" = 1 ]
check "… every entrance assigned" [ "$(sqlite3 "$DB" 'SELECT count(DISTINCT entrance_id) FROM grid_assignment')" = 192 ]
for l in 1 2 3; do
  check "… level $l households add up" [ "$(sqlite3 "$DB" "SELECT sum(households) FROM grid WHERE level = $l")" = "$total" ]
done
check "… codes extend the village code" [ "$(sqlite3 "$DB" "SELECT count(*) FROM grid WHERE substr(code, 1, 12) != '141127100200'")" = 0 ]
run --db "$DB" check --plan 1
check "check --plan agrees with divide's verdict" [ "$rc" = "$div_rc" ]
check "… polygons tile at every level: no gap, no overlap" [ "$(grep -c "gap 0.0 m², overlap 0.0 m²" "$TMP/out")" = 3 ]
run --db "$DB" check --plan 1 --json
check "check --plan --json is JSON" jq -e '.levels | length == 3' "$TMP/out"

run --db "$DB" locate --lon 111.65 --lat 38.30
check "locate before activation: no active plan" grep -q "no active plan" "$TMP/err"
run --db "$DB" plan activate 1
check "activate" [ "$rc" = 0 ]
# The first house stands alone in its cell: its own grids hold it.
want=$(sqlite3 "$DB" "SELECT a.l3 FROM grid_assignment a JOIN entrance e ON e.id = a.entrance_id JOIN building b ON b.id = e.building_id WHERE b.name = '2号' AND a.piece = 0")
run --db "$DB" locate --lon 111.6504 --lat 38.3000
check "locate a house gives its level-3 grid" grep -q "level 3   $want" "$TMP/out"
run --db "$DB" locate --lon 110 --lat 30
check "locate far away: no grid" [ "$rc" = 1 ]

run --db "$DB" plan export 1 --level 2 --out "$TMP/l2.geojson"
check "export level 2" [ "$rc" = 0 ]
check "… one feature per level-2 grid" [ "$(jq '.features | length' "$TMP/l2.geojson")" = "$(sqlite3 "$DB" 'SELECT count(*) FROM grid WHERE level = 2')" ]
check "… polygons" [ "$(jq '[.features[].geometry.type] | unique | .[]' -r "$TMP/l2.geojson" | grep -c Polygon)" -ge 1 ]

# Households change in a few houses: re-divide from the active plan.
layer "$TMP/b2.geojson" 6
run --db "$DB" import buildings "$TMP/b2.geojson"
run --db "$DB" divide --villages bounds --note second
check "re-divide from the active plan" grep -q "re-divided from the active plan" "$TMP/out"
run --db "$DB" plan diff 1 2
check "plan diff reports kept grids" grep -Eq "[1-9][0-9]* unchanged" "$TMP/out"
run --db "$DB" plan list
check "plan list shows both" [ "$(grep -c '^#' "$TMP/out")" = 2 ]
# Numbers once used under a parent are never given to a new grid.
reused=$(sqlite3 "$DB" "SELECT count(*) FROM grid n WHERE n.plan_id = 2 AND NOT EXISTS (SELECT 1 FROM grid o WHERE o.plan_id = 1 AND o.code = n.code) AND EXISTS (SELECT 1 FROM grid o WHERE o.plan_id = 1 AND o.parent = n.parent AND o.code > n.code)")
check "retired numbers not reused" [ "$reused" = 0 ]
run --db "$DB" plan activate 2
run --db "$DB" plan activate 1
check "a retired plan cannot come back" grep -q "retired" "$TMP/err"

# ---- settings: defaults for divide, barriers ---------------------------------
run --db "$DB" settings set divide.bounds 100-200,10-20
check "settings set divide.bounds" [ "$rc" = 0 ]
run --db "$DB" settings set divide.bounds 500-300
check "a bad bounds setting is refused" grep -q "divide.bounds" "$TMP/err"
run --db "$DB" settings set divide.villages bounds
straddling() { # $1 = plan, $2 = longitude: level-1 grids with houses on both sides
  sqlite3 "$DB" "SELECT count(*) FROM (SELECT a.l1 FROM grid_assignment a JOIN entrance e ON e.id = a.entrance_id JOIN building b ON b.id = e.building_id WHERE a.plan_id = $1 GROUP BY a.l1 HAVING min(b.lon) < $2 AND max(b.lon) > $2)"
}
run --db "$DB" settings
check "settings lists the values" grep -q "^divide.bounds *100-200,10-20" "$TMP/out"
run --db "$DB" divide --fresh --note "no barrier"
check "divide takes the settings' two levels" [ "$(sqlite3 "$DB" "SELECT nlevels || ' ' || bounds FROM plan ORDER BY id DESC LIMIT 1")" = "2 100-200,10-20" ]
free=$(sqlite3 "$DB" "SELECT max(id) FROM plan")
# A line between two columns of houses that this division crosses …
wall=""
for c in 1 2 3 4 5 6 7 8 9 10; do
  x=$(awk -v c="$c" 'BEGIN { printf "%.5f", 111.6500 + c * 0.0004 + 0.0002 }')
  if [ "$(straddling "$free" "$x")" -gt 0 ]; then wall=$x; break; fi
done
check "some level-1 grid crosses a line between two columns" [ -n "$wall" ]
# … becomes a barrier: then no grid crosses it.
printf '{"type":"LineString","coordinates":[[%s,38.29],[%s,38.31]]}' "$wall" "$wall" >"$TMP/wall.geojson"
run --db "$DB" settings set barriers "@$TMP/wall.geojson"
check "settings set barriers @FILE" [ "$rc" = 0 ]
run --db "$DB" divide --fresh --note barrier
walled=$(sqlite3 "$DB" "SELECT max(id) FROM plan")
check "with the barrier no level-1 grid crosses it" [ "$(straddling "$walled" "$wall")" = 0 ]
run --db "$DB" settings unset barriers
check "settings unset" grep -q "back to its default" "$TMP/out"
run --db "$DB" divide --fresh --note "barrier unset"
check "divide works again with the setting unset" [ "$rc" = 0 -o "$rc" = 1 ]

# ---- a hand-broken stored plan: check names the grid by its code -------------
cp "$DB" "$TMP/broken.db"
first=$(sqlite3 "$TMP/broken.db" "SELECT entrance_id FROM grid_assignment WHERE plan_id = 1 AND piece = 0 ORDER BY entrance_id LIMIT 1")
last=$(sqlite3 "$TMP/broken.db" "SELECT l1 || ' ' || l2 || ' ' || l3 FROM grid_assignment WHERE plan_id = 1 AND piece = 0 ORDER BY entrance_id DESC LIMIT 1")
read -r l1 l2 l3 <<<"$last"
sqlite3 "$TMP/broken.db" "UPDATE grid_assignment SET l1 = '$l1', l2 = '$l2', l3 = '$l3' WHERE plan_id = 1 AND entrance_id = $first AND piece = 0"
run --db "$TMP/broken.db" check --plan 1
check "a far entrance moved into another grid fails the check" [ "$rc" = 1 ]
check "… naming that grid's code" grep -q "AVOIDABLE noncontiguous level 3 $l3" "$TMP/out"

tap_done
