#!/usr/bin/env bash
# ledger_cli.sh — the ledger end to end, as a county office uses it: init,
# import, masked listings, history, changes, as-of views, masked and audited
# exports, an export → import round trip, help and usage errors, db
# maintenance, and the demo county.
#
#   bash tests/cli/ledger_cli.sh path/to/wangge      (WG_SRC = repo root)
set -euo pipefail
# shellcheck source=tests/cli/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

WANGGE=${1:?usage: ledger_cli.sh WANGGE_BINARY}
case $WANGGE in /*) ;; *) WANGGE=$PWD/$WANGGE ;; esac
export WANGGE_TODAY=20261129
unset WANGGE_DB

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
DB=$TMP/county.db


# run CMD…: runs wangge, stdout → $TMP/out, stderr → $TMP/err, status → $rc.
rc=0
run() {
  rc=0
  "$WANGGE" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  cat "$TMP/out" "$TMP/err" >>"$TMP/all_masked_output"
}
run_unmasked() {
  rc=0
  "$WANGGE" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}
# check DESC CONDITION…: evaluates a test command.
events() { sqlite3 "$DB" 'SELECT count(*) FROM event'; }
audits() { sqlite3 "$DB" 'SELECT count(*) FROM audit'; }
# show WHO: the history of one resident into $TMP/out.
show() { run --db "$DB" resident show "$1"; }
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }

IDS=(141127198003120117 141127198205060220 141127201001010242 141127195507200133
     141127196611110351 141127199302280465)
PHONES=(13812345678 13912345678 13700001111 15935120001)

# ---- init and import ---------------------------------------------------
run --db "$DB" init --county 141127
expect "init a county database" 0 "county 141127 岚县"

cat >"$TMP/residents.csv" <<EOF
姓名,性别,身份证号,联系电话,与户主关系,社区,小区,楼栋,单元,室,人口类型,标签
张伟,男,${IDS[0]},${PHONES[0]},户主,东村村委会,,3号楼,1单元,101,户籍,
李娜,女,${IDS[1]},${PHONES[1]},配偶,东村村委会,,3号楼,1单元,101,户籍,
王芳,女,${IDS[2]},,子女,东村村委会,,3号楼,1单元,101,户籍,
王建国,男,${IDS[3]},${PHONES[3]},户主,141127100202,,5号楼,2单元,202,常住,党员
孙立,男,${IDS[4]},,户主,天湾村委会,,5,2,203,流动,
周敏,女,${IDS[5]},,户主,城内村委会,,1号楼,1单元,102,户籍,低保户
EOF
run --db "$DB" import residents --quiet --date 2026-01-01 "$TMP/residents.csv"
expect "import 6 residents" 0 "imported 6 residents"
check "one import event" [ "$(events)" -eq 1 ]

# ---- the ledger is masked ------------------------------------------------
run --db "$DB" ledger
expect "ledger lists the residents, masked" 0 "1411**********0117" "138****5678" $'\t王**\t男'
check "ledger masks names" lacks "$TMP/out" "王建国"
check "ledger has 6 rows" [ "$(grep -c . "$TMP/out")" -eq 6 ]

show 1
expect "resident show: the import version" 0 "resident #1" "event #1 import" "3号楼"

# ---- changes: each is an event, the old version stays ----------------------
e0=$(events)
run --db "$DB" resident move 1 --address '5号楼2单元301' --community 141127100202 --date 2026-06-01
check "move without --reason is refused" [ "$rc" -ne 0 ]
check "… and records no event" [ "$(events)" -eq "$e0" ]

run --db "$DB" resident move 1 --address '5号楼2单元301' --community 141127100202 \
  --reason '搬入新居' --date 2026-06-01
expect "resident move" 0 "recorded as event #"
check "… and an audit row: who, what, why, from where" \
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'move' AND target LIKE 'resident #1 %' AND origin = 'cli' AND actor LIKE 'cli:%' AND reason != ''")" -eq 1 ]
check "the import wrote its audit row too" \
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'import_residents' AND target LIKE 'residents.csv: % residents%'")" -eq 1 ]
check "move creates an event" [ "$(events)" -eq $((e0 + 1)) ]
show 1
expect "show after move: old and new address" 0 "2026-01-01 … 2026-06-01" "东村村委会 3号楼 1单元 101" \
  "天湾村委会 5号楼 2单元 301" "搬入新居"

run --db "$DB" resident correct 2 --set phone="${PHONES[2]}" --reason '电话号码更正' --date 2026-07-01
expect "resident correct" 0 "recorded as event #"
check "correct creates an event" [ "$(events)" -eq $((e0 + 2)) ]
show 2
expect "show after correct: old and new phone" 0 "139****5678" "137****1111" "电话号码更正"

run --db "$DB" resident tag 3 +veteran --reason '退役核实' --date 2026-08-01
expect "resident tag +veteran" 0 "recorded as event #"
check "tag creates an event" [ "$(events)" -eq $((e0 + 3)) ]
show 3
expect "show after tag: versions without and with the tag" 0 "2026-01-01 … 2026-08-01" "veteran"

e1=$(events)
run --db "$DB" resident death 4 --reason '病故' --date 2026-09-01
expect "resident death" 0 "recorded as event #"
check "death creates an event" [ "$(events)" -eq $((e1 + 1)) ]
show 4
expect "show after death: active then dead" 0 "2026-01-01 … 2026-09-01" "active" "dead" "病故"

# ---- the ledger as it stood ----------------------------------------------
run --db "$DB" ledger --as-of 2026-05-31
expect "as-of before the move: old address" 0 "东村村委会 3号楼 1单元 101"
check "as-of before the move: not the new address" lacks "$TMP/out" "天湾村委会 5号楼 2单元 301"
run --db "$DB" ledger --as-of 2026-06-01
expect "as-of the move date: new address" 0 "天湾村委会 5号楼 2单元 301"
run --db "$DB" ledger --as-of 2026-06-30
expect "as-of before the correction: old phone" 0 "139****5678"
run --db "$DB" ledger --as-of 2026-07-02
expect "as-of after the correction: new phone" 0 "137****1111"
run --db "$DB" ledger --as-of 2026-08-31
expect "as-of before the death: 王建国 listed" 0 $'\t王**\t男'
run --db "$DB" ledger
expect "ledger now" 0 $'\t张*\t男'
check "ledger now: the dead resident is not listed" lacks "$TMP/out" $'\t王**\t男'
run --db "$DB" ledger --all
expect "ledger --all lists the dead resident" 0 $'\t王**\t男' "dead"

# ---- exports: masked by default, unmasked only with a reason, audited ------
run --db "$DB" export residents --out "$TMP/masked.csv"
expect "export masked" 0 "exported 5 residents"
cat "$TMP/masked.csv" >>"$TMP/all_masked_output"
check "masked export has masked IDs" has "$TMP/masked.csv" "1411**********0117"

a0=$(audits)
run --db "$DB" export residents --out "$TMP/refused.csv" --unmask
check "export --unmask without --reason is refused" [ "$rc" -ne 0 ]
check "… with a message naming --reason" has "$TMP/err" "--reason"
check "… and writes no file" [ ! -e "$TMP/refused.csv" ]
run --db "$DB" ledger --unmask
check "ledger --unmask without --reason is refused" [ "$rc" -ne 0 ]
check "… and writes no audit row" [ "$(audits)" -eq "$a0" ]

run_unmasked --db "$DB" export residents --out "$TMP/clear.csv" --unmask --reason '移交民政局核对'
expect "export --unmask --reason" 0 "exported 5 residents"
check "unmasked export has clear ID numbers" has "$TMP/clear.csv" "${IDS[0]}"
check "unmasked export has clear phones" has "$TMP/clear.csv" "${PHONES[0]}"
check "unmasked export is audited with its reason" \
  has <(sqlite3 -separator '|' "$DB" 'SELECT action, reason FROM audit') "unmask|移交民政局核对"

# ---- nothing shown masked held a clear ID or phone -------------------------
leaked=()
for v in "${IDS[@]}" "${PHONES[@]}"; do
  if grep -qF -- "$v" "$TMP/all_masked_output"; then leaked+=("$v"); fi
done
if [ ${#leaked[@]} -eq 0 ]; then ok "no clear ID or phone in any masked output"; else
  not_ok "no clear ID or phone in any masked output" "leaked: ${leaked[*]}"; fi

# ---- the audit log is append-only -------------------------------------------
a1=$(audits)
if sqlite3 "$DB" "UPDATE audit SET reason = 'nothing to see'" 2>/dev/null; then
  not_ok "audit rows cannot be updated"
else ok "audit rows cannot be updated"; fi
if sqlite3 "$DB" "DELETE FROM audit" 2>/dev/null; then
  not_ok "audit rows cannot be deleted"
else ok "audit rows cannot be deleted"; fi
check "audit rows are all still there" [ "$(audits)" -eq "$a1" ]
check "no audit reason was changed" lacks <(sqlite3 "$DB" 'SELECT reason FROM audit') "nothing to see"

# ---- export → import round trip ------------------------------------------------
DB2=$TMP/copy.db
run --db "$DB2" init --county 141127
run --db "$DB2" import residents --quiet "$TMP/clear.csv"
expect "re-import the unmasked export" 0 "imported 5 residents"
q="SELECT id_number, name, sex, birth, phone FROM resident WHERE status = 1 ORDER BY id_number"
check "round trip: same residents (ID, name, sex, birth, phone)" \
  [ "$(sqlite3 "$DB" "$q")" = "$(sqlite3 "$DB2" "$q")" ]
check "round trip: same count" \
  [ "$(sqlite3 "$DB" 'SELECT count(*) FROM resident WHERE status = 1')" = \
    "$(sqlite3 "$DB2" 'SELECT count(*) FROM resident')" ]
run_unmasked --db "$DB" ledger --unmask --reason 'round trip check'
# Columns: #id, then ID number (4), household (10), community … room
# (11-15), tags (16), address line (17).
cut -f4,10-17 "$TMP/out" | sort >"$TMP/addr1"
run_unmasked --db "$DB2" ledger --unmask --reason 'round trip check'
cut -f4,10-17 "$TMP/out" | sort >"$TMP/addr2"
check "round trip: same households, addresses and tags" cmp -s "$TMP/addr1" "$TMP/addr2"

# ---- help and usage ---------------------------------------------------------------
run --help
expect "wangge --help" 0 "usage: wangge"
commands=$(awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}' "$TMP/out")
for c in init divisions import export ledger resident demo db; do
  check "--help lists $c" grep -qx "$c" <<<"$commands"
done
for c in $commands; do
  run "$c" --help
  expect "wangge $c --help" 0 "usage: wangge"
done
run frobnicate
expect "unknown command exits 2" 2 "unknown command 'frobnicate'"
run --frobnicate ledger
expect "unknown global option exits 2" 2 "--frobnicate"
run --db "$DB" ledger --frobnicate
expect "unknown ledger option exits 2" 2 "frobnicate"
run --db "$DB" import residents
expect "import without a file exits 2" 2 "usage:"

# ---- db maintenance --------------------------------------------------------------
run --db "$DB" db check
expect "db check on a good database" 0 "ok"
run --db "$DB" db version
expect "db version" 0 "schema version"
printf 'PK\3\4 this is not a database\n%.0s' $(seq 150) >"$TMP/garbage.db"
run --db "$TMP/garbage.db" ledger
expect "garbage file as --db: clear error, exit 1" 1 "not a wangge database"
run --db "$TMP/garbage.db" db check
expect "db check on a garbage file: exit 1" 1 "not a wangge database"
run --db "$TMP/missing.db" ledger
check "missing database: exit 1" [ "$rc" -eq 1 ]
check "… and it is not created" [ ! -e "$TMP/missing.db" ]

# ---- the demo county -----------------------------------------------------------------
DEMO=$TMP/demo.db
run --db "$DEMO" demo --residents 2000 --no-serve --today 2026-11-29
expect "demo --residents 2000 builds" 0 "demo county written"
run --db "$DEMO" ledger --limit 0
expect "ledger on the demo" 0
check "the demo ledger has about 2000 residents" [ "$(grep -c . "$TMP/out")" -gt 1800 ]
run --db "$DEMO" db check
expect "db check on the demo" 0 "ok"
before=$(sqlite3 "$DB" .dump | sha256sum)
run --db "$DB" demo --residents 2000 --no-serve --today 2026-11-29
check "demo on a non-demo database refuses" [ "$rc" -ne 0 ]
check "… with a message" has "$TMP/err" "not a demo database"
check "… and leaves it unchanged" [ "$(sqlite3 "$DB" .dump | sha256sum)" = "$before" ]

tap_done
