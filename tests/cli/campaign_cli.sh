#!/usr/bin/env bash
# campaign_cli.sh — campaigns, targets and reports from the command line on a
# small demo county: create by query (and clear errors), mark, a lab sheet
# (all or nothing), roll-up, history, audit rows, masked lists, targets and
# the weekly/monthly/quarterly reports in XLSX and HTML.
#
#   bash tests/cli/campaign_cli.sh path/to/wangge
set -euo pipefail
# shellcheck source=tests/cli/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

WANGGE=${1:?usage: campaign_cli.sh WANGGE_BINARY}
case $WANGGE in /*) ;; *) WANGGE=$PWD/$WANGGE ;; esac
export WANGGE_TODAY=20261129
unset WANGGE_DB

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
DB=$TMP/county.db
rc=0
run() {
  rc=0
  "$WANGGE" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}
q() { sqlite3 "$DB" "$1"; }

run --db "$DB" demo --residents 2000 --today 2026-11-29 --no-serve
expect "a small demo county" 0
run --db "$DB" campaign --help
expect "help lists the actions and the query form" 0 "create --name" "tag=退役军人" "age>=60"
run --db "$DB" campaign templates
expect "templates" 0 "testing" "vaccination" "policy" "visit"

# The demo has its own campaigns (#1-#3) and the skills-training indicator.
run --db "$DB" campaign list
expect "the demo's campaigns are listed" 0 "全员核酸检测（第1轮）" "老年人新冠疫苗接种" "退役军人优待政策精准推送"
N0=$(q 'SELECT count(*) FROM campaign')
C=$((N0 + 1))
run --db "$DB" campaign create --name 全员核酸 --template testing
expect "a testing round over everyone" 0 "campaign #$C created"
check "one item per active resident" test "$(q "SELECT items FROM campaign WHERE id = $C")" = "$(q 'SELECT count(*) FROM resident WHERE status = 1')"
run --db "$DB" campaign create --name 老人接种 --template vaccination --where "age>=60" --date 2026-11-29
expect "elderly vaccination" 0 "campaign #$((C + 1)) created"
run --db "$DB" campaign create --name 政策推送 --template policy --where "tag=退役军人"
expect "a policy push to veterans' households" 0 "campaign #$((C + 2)) created"
run --db "$DB" campaign create --name 坏 --template testing --where "age>=60 colour=red"
expect "an unknown key is refused, naming the term" 1 "colour=red" "unknown key"
run --db "$DB" campaign create --name 坏 --template testing --where "tag=火星人"
expect "an unknown tag is refused" 1 "tag=火星人" "unknown tag"
run --db "$DB" campaign create --name 坏 --template nosuch
expect "an unknown template is refused" 1 "unknown template"
check "refused campaigns write nothing" test "$(q 'SELECT count(*) FROM campaign')" = $((N0 + 3))
I1=$(q "SELECT min(id) FROM campaign_item WHERE campaign_id = $C")
AUDITS0=$(q "SELECT count(*) FROM audit WHERE action LIKE 'campaign_%'")

run --db "$DB" campaign mark $C $I1 sampled
expect "mark one item" 0 "item $I1 → sampled"
run --db "$DB" campaign mark $C $I1 sampled
expect "marking the same stage again does nothing" 0 "already"
run --db "$DB" campaign mark $C $I1 to_sample
expect "moving back needs --correct" 1 "correction"
run --db "$DB" campaign mark $C $I1 to_sample --correct --note 录错
expect "a correction with a note" 0 "item $I1 → to_sample"
I5=$((I1 + 4))
ID=$(q "SELECT r.id_number FROM campaign_item i JOIN resident r ON r.id = i.resident_id WHERE i.id = $I5")
run --db "$DB" campaign mark $C "$ID" tested
expect "mark by ID number" 0 "item $I5 → tested"

# A household by its number (户号): the receipt is required for 已办结.
HH=$(q "SELECT h.number FROM campaign_item i JOIN household h ON h.id = i.household_id WHERE i.campaign_id = $((C + 2)) ORDER BY i.id LIMIT 1")
run --db "$DB" campaign mark $((C + 2)) "$HH" handled
expect "已办结 needs a receipt" 1 "receipt"
run --db "$DB" campaign mark $((C + 2)) "$HH" handled --note "回执 TY-1"
expect "a household marked by its number with a receipt" 0 "→ handled"

# A lab sheet: 200 items tested, by ID number; one bad row rejects the file.
{
  echo "身份证号,环节,备注"
  q "SELECT r.id_number || ',已检测,阴性' FROM campaign_item i JOIN resident r ON r.id = i.resident_id WHERE i.campaign_id = $C AND i.id BETWEEN $((I1 + 9)) AND $((I1 + 208))"
  echo "110101199003070000,已检测,"
} >lab.csv
before=$(q 'SELECT count(*) FROM campaign_event')
run --db "$DB" campaign import $C lab.csv
expect "a sheet with a bad row is rejected, naming row and field" 1 "row 202" "id_number" "nothing was written"
check "nothing written" test "$(q 'SELECT count(*) FROM campaign_event')" = "$before"
check "the bad ID number is masked in the report" bash -c "! grep -q 110101199003070000 '$TMP/err'"
sed -i '$d' lab.csv
run --db "$DB" campaign import $C lab.csv
expect "the fixed sheet moves 200 items" 0 "200 rows, 200 items moved"
check "200 events" test "$(q 'SELECT count(*) FROM campaign_event')" = $((before + 200))

run --db "$DB" campaign rollup $C
expect "roll-up of every level" 0 "county" "township" "community" "grid1" "grid2" "grid3"
check "the county's tested count" test "$(q "SELECT count(*) FROM campaign_item WHERE campaign_id = $C AND stage >= 3")" = 201
run --db "$DB" campaign rollup $C --level county --json
expect "roll-up as JSON" 0 '"level":"county"' '"reached":['
run --db "$DB" campaign history 2
expect "history per day (the demo's vaccination)" 0 "2026-11-0" "2026-11-28"
run --db "$DB" campaign items $C --pending --limit 5
expect "pending items, masked" 0 "待采样" "**********"
q 'SELECT id_number FROM resident' >ids.txt
check "no clear ID numbers in lists" bash -c "! grep -qF -f ids.txt '$TMP/out'"
# 4 marks (the no-op and the refused ones are not writes), 1 sheet.
check "every write audited" test "$(q "SELECT count(*) FROM audit WHERE action LIKE 'campaign_%'")" = $((AUDITS0 + 5))

# Targets and reports.
run --db "$DB" target add skills_training --name 职业技能培训 --unit 人次 --period week
expect "the demo's indicator exists already" 1 "exists"
run --db "$DB" target show skills_training --period 2026-W48
expect "the demo's skills training: 38,200 of 35,000 this week" 0 "38200" "109.14%" "behind"
run --db "$DB" target add trained --name 培训 --unit 人次 --period week
expect "an indicator" 0
run --db "$DB" target assign trained --division 141127000000 --period 2026 --value 35000
expect "a county target" 0
run --db "$DB" target assign trained --division 东村镇 --period 2026 --value 20000
expect "a township target by name" 0
run --db "$DB" target report trained --division 东村镇 --period 2026-W47 --value 38200
expect "a weekly actual" 0
run --db "$DB" target report trained --division 东村镇 --period 2026-11 --value 1
expect "an actual of the wrong period type is refused" 1 "per week"
run --db "$DB" target show trained --period 2026-W47
expect "completion and ranking" 0 "109.14%" "191.00%" "1/1"
for kind in weekly:2026-W47 monthly:2026-11 quarterly:2026-Q4; do
  k=${kind%%:*} p=${kind#*:}
  for f in xlsx html; do
    run --db "$DB" report "$k" --period "$p" --format "$f" --out "r-$k.$f"
    expect "$k report as $f" 0 "written"
  done
done
check "the weekly HTML has the completion and a chart" bash -c "grep -q '109.14%' r-weekly.html && grep -q '<svg' r-weekly.html"
check "the XLSX is a zip" bash -c "head -c 2 r-weekly.xlsx | grep -q PK"
run --db "$DB" report weekly --period 2026-11 --format html --out x.html
expect "a weekly report needs a week" 1 "2026-W47"
run --db "$DB" report campaign $C --format html --out c.html
expect "a campaign report" 0 "written"
check "campaign report names the stages" grep -q 已检测 c.html
tap_done
