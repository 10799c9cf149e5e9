#!/usr/bin/env bash
# org_cli.sh — the organisation and mobilisation commands on a small demo:
# `org check` (exit 1 on problems, --json), staff and member imports (all or
# nothing, errors naming row and field, phones never in clear), exports,
# registration, Party organisation, visits due on a given day, rosters,
# settings, and an incident from open to close.
#
#   bash tests/cli/org_cli.sh path/to/wangge
set -euo pipefail
# shellcheck source=tests/cli/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

WANGGE=${1:?usage: org_cli.sh WANGGE_BINARY}
case $WANGGE in /*) ;; *) WANGGE=$PWD/$WANGGE ;; esac
export WG_AUTH_TEST_FAST=1
unset WANGGE_DB

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
DB=$TMP/county.db
rc=0
run() {
  rc=0
  "$WANGGE" --db "$DB" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}
q() { sqlite3 "$DB" "$1"; }

run demo --no-serve --residents 3000 --today 2026-11-29
expect "a small demo with its organisation" 0 "党支部 branches" "call #1 closed"

run org check
expect "check on the demo finds only the contact holes it leaves" 1 "household_without_contact" \
  "grid_without_worker          0" "level1_without_branch        0"
run org check --json
expect "check --json" 1 '"counts":{"grid_without_worker":0' '"household_without_contact"'
check "check --json is one JSON object" python3 -c "import json,sys; json.load(open('$TMP/out'))"

COMM=$(q "SELECT code FROM division WHERE name = '滨河社区'")
G2=$(q "SELECT min(code) FROM grid WHERE level = 2 AND community = '$COMM' AND plan_id = (SELECT id FROM plan WHERE status = 2)")
G1=${G2:0:14}

# A staff file with a bad row: nothing is written, every bad row is named.
cat >staff.csv <<CSV
姓名,联系电话,类型,专兼职,网格层级,社区,负责网格,技能
周一,13800001111,网格员,专职,2,滨河社区,$G2,first_aid
吴二,1380000222,网格员,兼职,2,滨河社区,$G2,
郑三,13800003333,保安,专职,1,滨河社区,$G1,
王四,13800004444,网格员,专职,2,滨河社区,99999999999999,
CSV
before=$(q "SELECT count(*) FROM staff")
run org import staff staff.csv
expect "a bad staff file is refused whole" 1 "row 3: phone" "row 4: 类型" "row 5: grid" \
  "nothing imported"
check "nothing written" [ "$(q "SELECT count(*) FROM staff")" = "$before" ]
check "the bad phone is masked in the message" bash -c "! grep -q 1380000222 '$TMP/err'"
sed -i '3,5d' staff.csv
run org import staff staff.csv
expect "a good staff file" 0 "imported 1 staff"
check "the staff member sits on the grid" [ "$(q "SELECT count(*) FROM staff_grid g JOIN staff s ON s.id = g.staff_id WHERE s.name = '周一' AND g.grid = '$G2'")" = 1 ]
check "the import is audited" [ "$(q "SELECT count(*) FROM audit WHERE action = 'org_import'")" = 1 ]

# Members: one from the ledger by ID number, one external volunteer.
IDNUM=$(q "SELECT id_number FROM resident WHERE status = 1 AND tags LIKE '%party_member%' AND id NOT IN (SELECT ifnull(resident_id, 0) FROM member) LIMIT 1")
cat >members.csv <<CSV
姓名,身份证号,类型,社区,在职党员,工作单位,报到日期,技能
,$IDNUM,党员,,是,岚县人民医院,2026-03-01,first_aid
李志愿,,志愿者,滨河社区,,,,driving
CSV
if [ -n "$IDNUM" ]; then
  run org import members members.csv
  expect "members import" 0 "imported 2 members"
else
  ok "members import (no unlisted Party member in this demo)"
fi
printf '姓名,身份证号,类型,社区\n张三,110101199003070000,党员,滨河社区\n' >bad_members.csv
run org import members bad_members.csv
expect "an unknown ID number is refused, masked" 1 "row 2" "身份证号" "nothing imported"
check "the ID number is masked" bash -c "! grep -q 110101199003070000 '$TMP/err'"

run org export members --out members.xlsx
expect "export members to XLSX" 0 "exported" "phones masked"
check "the export opens" python3 -c "import zipfile; zipfile.ZipFile('members.xlsx').testzip()"
run org export staff --out staff_out.csv
expect "export staff to CSV" 0 "exported"
check "phones are masked in the export" grep -q '\*\*\*\*' staff_out.csv

# Registration and the per-grid counts.
M=$(q "SELECT min(id) FROM member WHERE kind = 1 AND in_service = 0")
run org member register "$M" --employer 岚县财政局 --date 2026-05-01 --skills "law, driving"
expect "register an in-service member" 0 "registered"
check "registration stored" [ "$(q "SELECT employer || '|' || skills FROM member WHERE id = $M")" = "岚县财政局|,law,driving," ]
run org member register "$M" --date 2026-05-01
expect "registration needs an employer" 1 "employer"
run org members --level 1
expect "members per grid" 0 "registered in service"

# The Party organisation: a second one on a grid is refused.
run org party add branch --grid "$G1"
expect "one organisation per grid" 1 "already has a Party organisation"
run org party add branch --grid "$G2"
expect "a branch belongs on a level-1 grid" 1 "level-1"

# Visits due on a given day, for the demo's grid worker.
W=$(q "SELECT id FROM staff WHERE login = 'gridworker'")
run org visit due --staff "$W" --today 2026-11-29
expect "visits due" 0 "households due"
H=$(echo "$(head -n1 "$TMP/out")" | awk '{print $2}')
run org visit add --staff "$W" --household "$H" --date 2026-11-29 --findings 正常
expect "record a visit" 0 "visit #"
run org visit due --staff "$W" --today 2026-11-29
check "the visited household is no longer due" bash -c "! grep -q '^household $H	' '$TMP/out'"

# Settings are checked.
run settings set org.visit_every "elderly_alone:0"
expect "a bad visit rule is refused" 1 "TAG:DAYS"
run settings set org.group_min 4
expect "group_min set" 0 "org.group_min set"
run org check --json
check "a larger group_min makes small groups show" grep -q '"group_too_small":[1-9]' "$TMP/out"

# Rosters.
run org roster add --place "$COMM" --staff "$W" --date 2026-12-01 --shift 白班
expect "plan a shift" 0 "planned"
S=$(q "SELECT max(id) FROM roster_shift")
run org roster close "$S" --missed
expect "close a shift as missed" 0 "closed"
run org roster close "$S" --done
expect "a closed shift cannot close again" 1 "closed already"
run org roster add --place "$COMM" --staff "$W" --date 2026-11-20
run org roster list --place "$COMM" --from 2026-11-20 --to 2026-11-20 --today 2026-11-29
expect "a past shift nobody closed shows" 0 "planned, not closed"

# An incident from open to close.
run incident open --title 停水 --grid "$G1" --need 3 --call 5
expect "open an incident" 0 "incident #2 opened" "head-count: need 3"
P=$(q "SELECT person_kind || ' ' || person_id FROM incident_responder WHERE incident_id = 2 ORDER BY distance LIMIT 1")
KIND=$([ "${P%% *}" = 1 ] && echo --staff || echo --member)
run incident respond 2 "$KIND" "${P#* }" --arrive
expect "an arrival counts" 0 "arrived 1"
run incident respond 2 --member 99999999 --arrive
expect "someone not called" 1 "not called"
run incident close 2 --hours 2 --summary 已恢复
expect "close the incident" 0 "1 arrived of 3 needed"
check "the arrival has service hours" [ "$(q "SELECT sum(hours) FROM service_log WHERE incident_id = 2")" = 2.0 ]
run incident list
expect "list incidents" 0 "#2	closed"
# A re-division: the check names every organisation it broke and proposes
# the move; applying the proposals clears them.
# (divide exits 1 when the small demo forces violations; the plan is made)
run divide --bounds 150-250,30-60,10-20 --villages bounds
check "re-divided into a new plan" [ "$(q "SELECT count(*) FROM plan")" = 2 ]
run plan activate "$(q "SELECT max(id) FROM plan")"
expect "activate the new plan" 0 "active"
run org check --json
cp "$TMP/out" check.json
broken=$(python3 -c "import json; c=json.load(open('check.json'))['counts']; print(c['organisation_grid_gone'] + c['organisation_grid_redrawn'])")
check "the re-division broke the mapping somewhere ($broken organisations)" [ "$broken" -gt 0 ]
python3 - check.json >moves.txt <<'PY'
import json, re, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["kind"] in ("organisation_grid_gone", "organisation_grid_redrawn"):
        m = re.search(r"to grid (\d+)", f["proposal"])
        print(f["id"], m.group(1) if m else f["code"])
PY
applied=0
while read -r id grid; do
  if "$WANGGE" --db "$DB" org party move "$id" --grid "$grid" >/dev/null 2>&1; then applied=$((applied + 1)); fi
done <moves.txt
run org check --json
left=$(python3 -c "import json; c=json.load(open('$TMP/out'))['counts']; print(c['organisation_grid_gone'] + c['organisation_grid_redrawn'])")
check "applying $applied proposals leaves $left (those whose target grid was taken)" [ "$left" -eq $((broken - applied)) ]
check "at least one proposal applied" [ "$applied" -gt 0 ]

run org --help
expect "org --help" 0 "wangge [--db PATH] org"
run incident --help
expect "incident --help" 0 "应急动员"
tap_done
