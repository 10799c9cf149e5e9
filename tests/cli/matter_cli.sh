#!/usr/bin/env bash
# matter_cli.sh — matters from the command line on a small divided village:
# categories, a located report routed to the grid worker of its level-3
# grid, duplicates offered, the loop with roles (--as), errors that say
# why, the deadline clock (tick with --now), the trail check, figures, API
# keys shown once and stored hashed, and an audit row for every write.
#
#   bash tests/cli/matter_cli.sh path/to/wangge
set -euo pipefail
. "$(dirname "$0")/lib/tap.sh"
W=${1:?usage: matter_cli.sh WANGGE}
case $W in /*) ;; *) W=$PWD/$W ;; esac
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export WANGGE_TODAY=20261129 WG_AUTH_TEST_FAST=1
unset WANGGE_DB
DB=$TMP/m.db
rc=0
run() { rc=0; "$W" --db "$DB" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?; }
q() { sqlite3 "$DB" "$1"; }
lacks() { ! grep -qF -- "$1" "$2"; }

awk 'BEGIN {
  printf "{\"type\":\"FeatureCollection\",\"features\":[";
  for (i = 0; i < 144; i++) {
    r = int(i / 12); c = i % 12;
    printf "%s{\"type\":\"Feature\",\"properties\":{\"社区\":\"141127100200\",\"小区\":\"东村\",\"楼栋\":\"%d号\",\"户数\":%d,\"层数\":2},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}", (i ? "," : ""), i + 1, 3 + (i * 7) % 4, 111.6500 + c * 0.0004, 38.3000 - r * 0.0003;
  }
  printf "]}\n"; }' >"$TMP/b.geojson"
run init --county 141127
run import buildings "$TMP/b.geojson"
run divide --villages bounds
run plan activate 1
check "a divided village with an active plan" [ "$rc" = 0 ]
run locate --lon 111.6504 --lat 38.3000
G3=$(grep -oE '[0-9]{18}' "$TMP/out" | head -1)
check "the point lies in a level-3 grid" [ -n "$G3" ]
printf 'a-long-enough-password\n' | "$W" --db "$DB" user add gw1 --role grid-worker --scope "$G3" --password-stdin >/dev/null 2>&1
OTHER=$(q "SELECT code FROM grid WHERE level = 3 AND code <> '$G3' LIMIT 1")
printf 'a-long-enough-password\n' | "$W" --db "$DB" user add gw2 --role grid-worker --scope "$OTHER" --password-stdin >/dev/null 2>&1
printf 'a-long-enough-password\n' | "$W" --db "$DB" user add cun --role community --scope 141127100200 --password-stdin >/dev/null 2>&1

run category list
expect "categories seeded" 0 "sanitation" "环境卫生" "safety"
run category set sanitation --hours 24,24,48,24
expect "category changed" 0 "category sanitation changed"
run category set sanitation --hours 24,0,48,24
expect "a zero allowance refused" 2 "--hours wants four whole hours"
run category set pets --zh 宠物 --en pets --level grid --hours 24,24,72,48
expect "a category added" 0 "category pets added"

run matter report --category sanitation --title 垃圾没清 --lon 111.6504 --lat 38.3000 \
  --name 张三 --phone 13812345678 --now 2026-03-01T09:00:00+08:00
expect "report routed to its grid" 0 "reported matter #1" "grid level"
check "… handled by the grid worker of $G3" [ "$(q 'SELECT handler FROM matter WHERE id = 1')" = "$(q "SELECT id FROM app_user WHERE login = 'gw1'")" ]
check "… its grids at three levels" [ "$(q 'SELECT grid3 FROM matter WHERE id = 1')" = "$G3" ]
run matter report --category sanitation --title 垃圾又没清 --lon 111.65042 --lat 38.30001 \
  --now 2026-03-01T09:30:00+08:00
expect "a second report nearby is offered its duplicate" 0 "reported matter #2" "垃圾没清"
run matter report --category order --title 门口乱停车 --address "东村17号门口" --now 2026-03-05T10:00:00+08:00
expect "a report with only a standard address is placed at its building" 0 "reported matter #3"
check "… in that building's grids" [ -n "$(q 'SELECT grid3 FROM matter WHERE id = 3')" ] && [ "$(q 'SELECT located FROM matter WHERE id = 3')" = 1 ]
run matter report --category nope --title x --lon 1 --lat 1
expect "unknown category named" 1 "category" "no category 'nope'"
run matter report --category order --title x
expect "no location refused" 1 "lat" "a location (lon/lat) or an address is required"

run matter show 1
expect "show masks the reporter" 0 "张*" "138****5678" "timeline:"
check "… never the clear phone" lacks 13812345678 "$TMP/out"

run matter accept 1 --as gw2 --now 2026-03-01T10:00:00+08:00
expect "another grid's worker does not see it" 1 "no matter #1"
run matter accept 1 --as gw1 --now 2026-03-01T10:00:00+08:00
expect "the grid worker accepts" 0 "now accepted"
run matter dispatch 1 --to gw1 --as gw1 --now 2026-03-01T10:05:00+08:00
expect "a grid worker cannot dispatch" 1 "you may not dispatch"
run matter dispatch 1 --to gw1 --as cun --now 2026-03-01T10:05:00+08:00
expect "the community dispatches" 0 "now dispatched"
run matter start 1 --as gw1 --now 2026-03-01T11:00:00+08:00
run matter extend 1 --hours 24 --as gw1 --now 2026-03-01T11:10:00+08:00
expect "an extension needs a reason" 1 "extend needs a reason"
run matter extend 1 --hours 24 --note 等车 --as gw1 --now 2026-03-01T11:10:00+08:00
run matter extend 1 --approve --as cun --now 2026-03-01T11:20:00+08:00
expect "the extension approved" 0 "extend_approve"
printf '\x89PNG\r\n\x1a\n0000000000000000' >"$TMP/after.png"
printf 'GIF89a not allowed' >"$TMP/x.gif"
run matter handle 1 --as gw1 --photo "$TMP/x.gif" --now 2026-03-02T09:00:00+08:00
expect "a GIF is refused by its content" 1 "not a JPEG, PNG or WebP"
run matter handle 1 --as gw1 --photo "$TMP/after.png" --note 已清理 --now 2026-03-02T09:00:00+08:00
expect "handled with a photo" 0 "now handled"
SHA=$(sha256sum "$TMP/after.png" | cut -c1-64)
check "… the photo stored by its hash beside the database" [ -f "$DB-photos/${SHA:0:2}/$SHA" ]
run matter rework 1 --note 没扫干净 --as cun --now 2026-03-02T10:00:00+08:00
run matter handle 1 --as gw1 --now 2026-03-02T12:00:00+08:00
run matter verify 1 --as cun --now 2026-03-02T13:00:00+08:00
run matter close 1 --as cun --now 2026-03-02T14:00:00+08:00
run matter evaluate 1 --satisfaction 4 --now 2026-03-02T15:00:00+08:00
expect "closed and evaluated" 0 "now evaluated"
run matter merge 2 --into 1 --now 2026-03-02T16:00:00+08:00
expect "cannot merge into a closed matter" 1 "merge into another open matter"
run matter show 1
expect "the timeline has every step" 0 "rework" "没扫干净" "extend_approve" "evaluate" "satisfaction 4" "photos $SHA"
check "12 events" [ "$(q 'SELECT count(*) FROM matter_event WHERE matter_id = 1')" = 12 ]

run matter tick --now 2026-03-02T09:29:59+08:00
expect "nothing due yet" 0 "0 matters escalated"
run matter tick --now 2026-03-02T09:30:00+08:00
expect "the clock escalates at the deadline" 0 "1 matters escalated"
check "… matter 2 at the community" [ "$(q 'SELECT level FROM matter WHERE id = 2')" = 1 ]
run matter list --open
expect "list: open matters, overdue first" 0 "OVERDUE" "2 of 2 matters"
run matter list --as gw2
expect "a grid worker's list is their grids only" 0 "0 of 0 matters"

run matter check
expect "every matter rebuilds from its events" 0 "3 matters checked against their events: 0 differ"
run matter figures --by worker
expect "figures per worker" 0 "结案率" "100.0%"
run matter figures --by grid --level 3
expect "figures per level-3 grid" 0 "$G3"

run apikey add city-app
KEY=$(cat "$TMP/out")
expect "an API key shown once" 0 "wg_"
check "… only its hash stored" [ "$(q "SELECT count(*) FROM api_key WHERE key_hash = '$(printf %s "$KEY" | sha256sum | cut -c1-64)'")" = 1 ]
check "… never in clear" [ "$(q "SELECT count(*) FROM api_key WHERE key_hash = '$KEY' OR prefix = '$KEY'")" = 0 ]
run apikey list
expect "listed by name and prefix" 0 "city-app" "${KEY:0:7}"
check "… without the key" lacks "$KEY" "$TMP/out"
run apikey revoke city-app
expect "revoked" 0 "revoked"
run apikey revoke city-app
expect "revoking twice says so" 1 "already revoked"

check "every write audited" [ "$(q "SELECT count(*) FROM audit WHERE action LIKE 'matter.%'")" = "$(q 'SELECT count(*) FROM matter_event')" ]
check "… categories and keys too" [ "$(q "SELECT count(*) FROM audit WHERE action IN ('category.set', 'apikey.add', 'apikey.revoke')")" = 4 ]
tap_done
