#!/usr/bin/env bash
# divide_cli.sh — file in, file out: `wangge divide --units` on generated
# points and a lattice of square polygons, `wangge check` on the results and
# on hand-broken plans, `check --counts`, --json output, and bad inputs.
#
#   bash tests/cli/divide_cli.sh path/to/wangge      (WG_SRC = repo root)
set -euo pipefail
# shellcheck source=tests/cli/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

WANGGE=${1:?usage: divide_cli.sh WANGGE_BINARY}
case $WANGGE in /*) ;; *) WANGGE=$PWD/$WANGGE ;; esac
unset WANGGE_DB

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

skip() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1 # SKIP $2"; }

# run CMD…: runs wangge, stdout → $TMP/out, stderr → $TMP/err, status → $rc.
rc=0
run() {
  rc=0
  "$WANGGE" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}

# A JSON validator that needs no extra package when jq is missing: python3,
# else the test is skipped.
json_valid() {
  if command -v jq >/dev/null 2>&1; then
    jq -e . "$1" >/dev/null 2>&1
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null
  else
    return 2
  fi
}
expect_json() {
  local desc=$1 file=$2 r=0
  json_valid "$file" || r=$?
  if [ $r -eq 0 ]; then ok "$desc"
  elif [ $r -eq 2 ]; then skip "$desc" "neither jq nor python3"
  else not_ok "$desc" "not JSON: $(head -c 300 "$file")"; fi
}

BOUNDS=300-500,50-100,10-20

# ---- generated inputs --------------------------------------------------
# 600 points on a jittered 30×20 grid ~45 m apart, 0-7 households each.
awk 'BEGIN { srand(7); printf "{\"type\":\"FeatureCollection\",\"features\":[\n"; n = 0
  for (i = 0; i < 30; i++) for (j = 0; j < 20; j++) {
    x = 111.5 + i * 0.0004 + rand() * 0.0001; y = 38.2 + j * 0.0004 + rand() * 0.0001
    h = int(rand() * 8); if (n++) printf ",\n"
    printf "{\"type\":\"Feature\",\"properties\":{\"id\":\"b%d\",\"hh\":%d,\"community\":\"%s\"},", n, h, (i < 15 ? "141127100001" : "141127100002")
    printf "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}", x, y }
  printf "\n]}\n" }' >points.geojson

# 24×20 lattice of 0.0005° squares sharing edges, 0-8 households each.
awk 'BEGIN { srand(3); d = 0.0005; printf "{\"type\":\"FeatureCollection\",\"features\":[\n"; n = 0
  for (i = 0; i < 24; i++) for (j = 0; j < 20; j++) {
    x = 111.5 + i * d; y = 38.2 + j * d; h = int(rand() * 9); if (n++) printf ",\n"
    printf "{\"type\":\"Feature\",\"properties\":{\"id\":%d,\"hh\":%d},\"geometry\":{\"type\":\"Polygon\",", n, h
    printf "\"coordinates\":[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]}}", x, y, x + d, y, x + d, y + d, x, y + d, x, y }
  printf "\n]}\n" }' >squares.geojson

# verify_plan FILE WEIGHT: every unit has three codes, codes nest by prefix,
# and each grid's households lie within BOUNDS — computed here with awk,
# independently of wangge (split units count through grid_split).
verify_plan() {
  awk -v weight="$2" '
    function prop(line, name,   re, m) {
      re = "\"" name "\":(\"[^\"]*\"|[-0-9.]+)"
      if (!match(line, re)) return ""
      m = substr(line, RSTART + length(name) + 3, RLENGTH - length(name) - 3)
      gsub(/"/, "", m); return m }
    /"type":"Feature"/ {
      units++
      hh = prop($0, weight); c1 = prop($0, "grid_l1"); c2 = prop($0, "grid_l2"); c3 = prop($0, "grid_l3")
      if (c1 == "" || c2 == "" || c3 == "") { print "unit " units " lacks a code"; bad++; next }
      split_ = prop($0, "grid_split")
      if (split_ == "") { np = 1; piece[1] = c1 "/" c2 "/" c3 ":" hh }
      else np = split(split_, piece, ";")
      for (p = 1; p <= np; p++) {
        split(piece[p], a, ":"); split(a[1], code, "/")
        if (index(code[2], code[1]) != 1 || index(code[3], code[2]) != 1) { print "codes do not nest: " a[1]; bad++ }
        s1[code[1]] += a[2]; s2[code[2]] += a[2]; s3[code[3]] += a[2] } }
    END {
      for (c in s1) if (s1[c] < 300 || s1[c] > 500) { print "level 1 " c ": " s1[c]; bad++ }
      for (c in s2) if (s2[c] < 50 || s2[c] > 100) { print "level 2 " c ": " s2[c]; bad++ }
      for (c in s3) if (s3[c] < 10 || s3[c] > 20) { print "level 3 " c ": " s3[c]; bad++ }
      if (units == 0) { print "no units"; bad++ }
      exit bad > 0 }' "$1"
}

# ---- points ------------------------------------------------------------
run divide --units points.geojson --weight hh --bounds $BOUNDS --out plan_pts.geojson
expect "divide 600 points" 0 "divided 600 units (points, geojson" "level 3 (10-20)" \
  "violations: 0" "wrote plan_pts.geojson"
check "every point has codes G.. and every grid is within the bounds" verify_plan plan_pts.geojson hh
check "input properties are kept" grep -qF '"id":"b600","hh":' plan_pts.geojson
check "codes have the documented shape" grep -qE '"grid_l1":"G[0-9]{2}","grid_l2":"G[0-9]{4}","grid_l3":"G[0-9]{6}"' plan_pts.geojson

run check --plan-file plan_pts.geojson --weight hh --bounds $BOUNDS
expect "check passes the divided points" 0 "checked plan_pts.geojson: 600 units (points)" \
  "out of bounds 0" "OK: no avoidable violation"

run divide --units points.geojson --weight hh --bounds $BOUNDS --out plan_grp.geojson --group community
expect "divide points by community" 0 "in 2 groups"
check "codes start with the community" grep -qE '"community":"141127100002","grid_l1":"141127100002[0-9]{2}","grid_l2":"141127100002[0-9]{4}"' plan_grp.geojson
check "no grid crosses a community" bash -c '! grep -qE "\"community\":\"141127100001\",\"grid_l1\":\"141127100002" plan_grp.geojson'
run check --plan-file plan_grp.geojson --weight hh --bounds $BOUNDS --group community
expect "check passes the grouped plan" 0 "OK:"

# one building of 45 households is split over level-3 grids (a forced notice)
awk 'NR == 2 { sub(/"hh":[0-9]+/, "\"hh\":45") } { print }' points.geojson >big.geojson
run divide --units big.geojson --weight hh --bounds $BOUNDS --out plan_big.geojson
expect "a unit over the level-3 bound is split, forced" 0 "forced    unit_split" "45 households"
check "the split unit lists its pieces" grep -qE '"grid_split":"G[0-9]{2}/G[0-9]{4}/G[0-9]{6}:[0-9]+;' plan_big.geojson
check "split pieces are within the bounds" verify_plan plan_big.geojson hh
run check --plan-file plan_big.geojson --weight hh --bounds $BOUNDS
expect "check reads the split pieces back" 0 "OK:" "unit_split"

run divide --units points.geojson --weight hh --bounds $BOUNDS --out plan_j.geojson --json \
  --grids-out grids_pts.geojson
cp "$TMP/out" divide.json
expect "divide --json" 0 '"units":600' '"avoidable":0' '"levels":[{"level":1' '"grids_out":"grids_pts.geojson"'
expect_json "divide --json is one JSON object" divide.json
check "grid polygons (Voronoi cells) of points are written" grep -qE '"code":"G[0-9]{2}","level":1,"parent":null' grids_pts.geojson
run check --plan-file plan_j.geojson --weight hh --bounds $BOUNDS --grids grids_pts.geojson
expect "check the points plan against its grid polygons" 0 "gap 0.0 m², overlap 0.0 m²" "OK:"

# ---- polygons ----------------------------------------------------------
run divide --units squares.geojson --weight hh --bounds $BOUNDS --out plan_sq.geojson \
  --grids-out grids_sq.geojson
expect "divide a lattice of 480 squares" 0 "divided 480 units (polygons, geojson" "violations: 0" \
  "and grids_sq.geojson"
check "every square has codes and every grid is within the bounds" verify_plan plan_sq.geojson hh
check "grid polygons are written per level" grep -qE '"code":"G[0-9]{6}","level":3,"parent":"G[0-9]{4}"' grids_sq.geojson
expect_json "the plan is valid JSON" plan_sq.geojson
expect_json "the grid polygons are valid JSON" grids_sq.geojson

run check --plan-file plan_sq.geojson --weight hh --bounds $BOUNDS
expect "check passes the lattice plan with zero gap and overlap" 0 "(polygons)" \
  "gap 0.0 m², overlap 0.0 m²" "mean Polsby-Popper" "OK:"
run check --plan-file plan_sq.geojson --weight hh --bounds $BOUNDS --grids grids_sq.geojson --json
cp "$TMP/out" check.json
expect "check --grids --json" 0 '"ok":true' '"gap_m2":' '"mean_polsby_popper":'
expect_json "check --json is one JSON object" check.json

# hand-broken plans: move the first square into the last square's grids
# (a grid in two pieces), then only into its level-1 grid (a nesting error)
last=$(grep -o '"grid_l1":"[^"]*","grid_l2":"[^"]*","grid_l3":"[^"]*"' plan_sq.geojson | tail -n 1)
first=$(grep -m 1 -o '"grid_l1":"[^"]*","grid_l2":"[^"]*","grid_l3":"[^"]*"' plan_sq.geojson)
last_l1=${last%%,*}
first_l1=${first%%,*}
if [ "$last_l1" = "$first_l1" ]; then
  not_ok "the lattice has several level-1 grids" "first and last square share $last_l1"
fi
awk -v c="$last" 'NR == 2 { sub(/"grid_l1":"[^"]*","grid_l2":"[^"]*","grid_l3":"[^"]*"/, c) } { print }' \
  plan_sq.geojson >broken_contig.geojson
run check --plan-file broken_contig.geojson --weight hh --bounds $BOUNDS
expect "a grid in two pieces fails the check" 1 "AVOIDABLE noncontiguous" "is not contiguous" \
  "contiguous 4 of" "FAILED:"
awk -v c="$last_l1" 'NR == 2 { sub(/"grid_l1":"[^"]*"/, c) } { print }' plan_sq.geojson \
  >broken_nest.geojson
run check --plan-file broken_nest.geojson --weight hh --bounds $BOUNDS
expect "a level-2 grid across two level-1 grids is a nesting error" 1 "AVOIDABLE nesting" \
  "is not inside one level-1 grid" "1 nesting error"
run check --plan-file broken_nest.geojson --weight hh --bounds $BOUNDS --json
cp "$TMP/out" broken.json
expect "the nesting error in --json" 1 '"nesting_errors":1' '"ok":false'
expect_json "check --json on a failing plan is JSON" broken.json
awk 'NR == 2 { sub(/"grid_l3":"[^"]*"/, "\"grid_l3\":\"\"") } { print }' plan_sq.geojson >unassigned.geojson
run check --plan-file unassigned.geojson --weight hh --bounds $BOUNDS
expect "a unit without a level-3 grid fails" 1 "units without a grid at some level: 1" "FAILED:"

# ---- declared counts ---------------------------------------------------
run check --counts 75,396,1100 --bounds $BOUNDS
expect "the model county's counts cannot nest" 1 "infeasible" "1,100" "22,000" "75" "22,500"
run check --counts 75,450,3000 --bounds $BOUNDS
expect "counts that nest" 0 "feasible" "30,000"
run check --counts 75,396,1100 --bounds $BOUNDS --json
cp "$TMP/out" counts.json
expect "counts --json" 1 '"feasible":false'
expect_json "counts --json is JSON" counts.json
run check --counts 75,396 --bounds $BOUNDS
expect "counts and bounds must have as many levels" 2 "--counts gives 2 levels but --bounds 3"

# ---- bad inputs --------------------------------------------------------
run divide --units points.geojson --weight households --bounds $BOUNDS --out x.geojson
expect "a missing weight field is named, with the fields there are" 1 \
  "no property 'households' for --weight (properties: id, hh, community)"
sed '3s/"hh":[0-9]*/"hh":-4/' points.geojson >neg.geojson
run divide --units neg.geojson --weight hh --bounds $BOUNDS --out x.geojson
expect "a negative weight is refused naming the feature" 1 "feature 1: 'hh' is -4, a negative number"
sed '4s/"hh":[0-9]*/"hh":2.5/' points.geojson >frac.geojson
run divide --units frac.geojson --weight hh --bounds $BOUNDS --out x.geojson
expect "a fractional weight is refused" 1 "feature 2: 'hh' is '2.5', not a whole number"
sed '5s/"hh":[0-9]*/"hh":"many"/' points.geojson >text.geojson
run divide --units text.geojson --weight hh --bounds $BOUNDS --out x.geojson
expect "a text weight is refused" 1 "feature 3: 'hh' is 'many', not a whole number"
sed '3s/"type":"Point","coordinates":\[[^]]*\]/"type":"LineString","coordinates":[[111.5,38.2],[111.6,38.3]]/' \
  points.geojson >line.geojson
run divide --units line.geojson --weight hh --bounds $BOUNDS --out x.geojson
expect "a LineString is refused naming the feature" 1 \
  "feature 1: geometry type LineString is not supported (Point, Polygon or MultiPolygon)"
head -c 500 points.geojson >trunc.geojson
run divide --units trunc.geojson --weight hh --bounds $BOUNDS --out x.geojson
expect "malformed JSON says where" 1 "trunc.geojson: malformed JSON at line"
printf 'hello' >notjson.shp
run divide --units notjson.shp --weight hh --bounds $BOUNDS --out x.geojson
expect "a broken shapefile is refused" 1 "notjson.shp: cannot open as a shapefile"
run divide --units missing.geojson --weight hh --bounds $BOUNDS --out x.geojson
expect "a missing file" 1 "missing.geojson: cannot open"
check "no output is left behind by failures" test ! -e x.geojson
run divide --units points.geojson --weight hh --bounds 300-200 --out x.geojson
expect "bad bounds are a usage error" 2 "--bounds '300-200'"
run divide --units points.geojson --bounds $BOUNDS --out x.geojson
expect "--weight is required" 2 "--units needs --weight FIELD"
run divide --units points.geojson --weight hh --bounds $BOUNDS --out /nonexistent/x.geojson
expect "an unwritable --out" 1 "/nonexistent/x.geojson: cannot create"
run check --plan-file points.geojson --weight hh --bounds $BOUNDS
expect "a plan file without codes" 1 "no property 'grid_l1'"
run check --plan 3
expect "--plan ID without a database says so" 1 "no database here"
run check --plan x
expect "--plan needs a number" 2 "needs a plan number"
run check --plan-file plan_sq.geojson --bounds $BOUNDS
expect "check --plan-file needs --weight" 2 "needs --weight"
run divide --units points.geojson --help
expect "divide --units --help" 0 "usage: wangge divide --units FILE"
run check --help
expect "check --help" 0 "usage: wangge check --plan-file FILE" "--counts"

# ---- barriers: a river no grid may straddle ----------------------------------
awk 'BEGIN {
  printf "{\"type\":\"FeatureCollection\",\"features\":[";
  for (i = 0; i < 100; i++) {
    x = 111.600 + (i % 10) * 0.001; y = 38.300 + int(i / 10) * 0.001;
    printf "%s{\"type\":\"Feature\",\"properties\":{\"hh\":5},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.4f,%.4f]}}", (i ? "," : ""), x, y;
  }
  printf "]}\n";
}' >river_pts.geojson
printf '{"type":"Feature","properties":{"name":"河"},"geometry":{"type":"LineString","coordinates":[[111.6015,38.29],[111.6015,38.32]]}}' >river.geojson
# Without the river a level-1 grid may take houses from both banks; with it, none does.
run divide --units river_pts.geojson --weight hh --bounds 100-200 --barriers river.geojson --out river_plan.geojson
expect "divide with --barriers" 0 "divided 100 units"
both=$(jq -r '.features[] | "\(.properties.grid_l1) \(if .geometry.coordinates[0] < 111.6015 then "W" else "E" end)"' river_plan.geojson | sort -u | awk '{print $1}' | uniq -d | wc -l)
check "no level-1 grid straddles the river" [ "$both" = 0 ]
run check --plan-file river_plan.geojson --weight hh --bounds 100-200 --barriers river.geojson
expect "check with the same barriers passes" 0 "OK"
printf '{"type":"Feature","geometry":{"type":"LineString","coordinates":[[111.6]]}}' >bad_river.geojson
run divide --units river_pts.geojson --weight hh --bounds 100-200 --barriers bad_river.geojson --out x.geojson
expect "a broken barrier file is refused" 1 "two points or more"

tap_done
