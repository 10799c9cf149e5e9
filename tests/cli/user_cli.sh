#!/usr/bin/env bash
# user_cli.sh — users and the audit log from the command line: user add with
# the password on stdin, the password rule, duplicate logins, role/scope
# checks, listing without secrets, disable/enable, passwd, and `wangge audit`
# with its filters.
#
#   bash tests/cli/user_cli.sh path/to/wangge      (WG_SRC = repo root)
set -euo pipefail
# shellcheck source=tests/cli/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

WANGGE=${1:?usage: user_cli.sh WANGGE_BINARY}
case $WANGGE in /*) ;; *) WANGGE=$PWD/$WANGGE ;; esac
export WANGGE_TODAY=20261129
# Cheap argon2id limits so the sanitizer build stays quick (see auth.h).
export WG_AUTH_TEST_FAST=1
unset WANGGE_DB

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
DB=$TMP/county.db


# run CMD…: runs wangge with stdin from $STDIN (default empty), stdout →
# $TMP/out, stderr → $TMP/err, status → $rc; all output is kept in
# $TMP/everything so the end can check no secret was ever printed.
rc=0
STDIN=
run() {
  rc=0
  printf '%s' "$STDIN" | "$WANGGE" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  cat "$TMP/out" "$TMP/err" >>"$TMP/everything"
  STDIN=
}
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }
q() { sqlite3 "$DB" "$1"; }
users() { q 'SELECT count(*) FROM app_user'; }
audits() { q "SELECT count(*) FROM audit WHERE action = '$1'"; }

PW1='岚县网格 admin password 1'
PW2='grid worker on a phone'
PW3='a brand new passphrase'

# ---- a county with grids ---------------------------------------------------
run --db "$DB" demo --residents 1000 --no-serve --today 2026-11-29
expect "demo county with grids" 0 "demo county written"
# The demo comes with its accounts (admin, county, binhe, gridworker) and,
# for its matters, a grid worker per level-2 grid (gridworker keeps its own).
demo_users=$(users)
check "the demo made its four accounts" [ "$(q "SELECT count(*) FROM app_user WHERE login IN ('admin', 'county', 'binhe', 'gridworker')")" -eq 4 ]
check "… and a grid worker per other level-2 grid" [ "$demo_users" -eq $(( 3 + $(q "SELECT count(*) FROM grid WHERE level = 2 AND plan_id = (SELECT id FROM plan WHERE status = 2)") )) ]
GRID=$(q "SELECT code FROM grid WHERE level = 1 AND plan_id = (SELECT id FROM plan WHERE status = 2) ORDER BY code LIMIT 1")
SUB=$(q "SELECT code FROM grid WHERE level = 2 AND parent = '$GRID' AND plan_id = (SELECT id FROM plan WHERE status = 2) LIMIT 1")
COMMUNITY=${GRID:0:12}
check "the demo has a level-1 grid and a sub-grid" [ ${#GRID} -eq 14 -a ${#SUB} -eq 16 ]

# ---- help ------------------------------------------------------------------
run --help
expect "wangge --help lists user and audit" 0 "user " "audit "
run --db "$DB" user --help
expect "user --help" 0 "--password-stdin" "grid-worker" "never taken on the command line"
run --db "$DB" user
expect "user without an action: usage, exit 2" 2 "usage:"
run --db "$DB" audit --help
expect "audit --help" 0 "--actor" "--since" "--limit"

# ---- add -------------------------------------------------------------------
STDIN="$PW1"$'\n'
run --db "$DB" user add root --role admin --scope 141127000000 --password-stdin
expect "user add admin, password on stdin" 0 "user root added (admin)"
check "… one user" [ "$(users)" -eq $((demo_users + 1)) ]
check "… stored as argon2id" [ "$(q "SELECT substr(password_hash, 1, 10) FROM app_user WHERE login = 'root'")" = '$argon2id$' ]
check "… one user_add audit row" [ "$(audits user_add)" -eq $((demo_users + 1)) ]
check "… audit row names the CLI user and origin" \
  [ "$(q "SELECT count(*) FROM audit WHERE action = 'user_add' AND target = 'user:root' AND actor LIKE 'cli:%' AND origin = 'cli'")" -eq 1 ]

STDIN='short pw'$'\n'
run --db "$DB" user add shorty --role county --scope 141127000000 --password-stdin
expect "too-short password refused" 2 "at least 12 characters"
check "… no user added" [ "$(users)" -eq $((demo_users + 1)) ]
check "… no audit row" [ "$(audits user_add)" -eq $((demo_users + 1)) ]
check "… the password is not echoed" lacks "$TMP/err" "short pw"

STDIN='网格化服务管理岚县滨河'
run --db "$DB" user add shorty --role county --scope 141127000000 --password-stdin
expect "11 Chinese characters are too short too (characters, not bytes)" 2 "at least 12 characters"

STDIN='first line ok'$'\n''second line'$'\n'
run --db "$DB" user add shorty --role county --scope 141127000000 --password-stdin
expect "a multi-line password is refused" 2 "control character"

STDIN="$PW1"$'\n'
run --db "$DB" user add root --role county --scope 141127000000 --password-stdin
expect "duplicate login refused" 1 "taken"
check "… still one user" [ "$(users)" -eq $((demo_users + 1)) ]

run --db "$DB" user add nopw --role county --scope 141127000000
expect "no --password-stdin: refused" 2 "--password-stdin"
run --db "$DB" user add nopw --role county --scope 141127000000 --password "$PW1"
expect "a password option on the command line is refused" 2 "unexpected option"
run --db "$DB" user add nopw --scope 141127000000 --password-stdin
expect "no --role: refused" 2 "--role must be one of"
run --db "$DB" user add nopw --role chief --scope 141127000000 --password-stdin
expect "unknown role: refused" 2 "--role must be one of"
run --db "$DB" user add nopw --role county --password-stdin
expect "no --scope: refused" 2 "--scope"

STDIN="$PW2"
run --db "$DB" user add worker1 --role grid-worker --scope "$COMMUNITY" --password-stdin
expect "grid worker scoped to a community: refused" 2 "grid codes"
STDIN="$PW2"
run --db "$DB" user add worker1 --role grid-worker --scope 14112810000101 --password-stdin
expect "scope in another county: refused" 2 "not in county 141127"
STDIN="$PW2"
run --db "$DB" user add worker1 --role grid-worker --scope "${COMMUNITY}99" --password-stdin
expect "unknown grid: refused" 2 "no such division or grid"
STDIN="$PW2"
run --db "$DB" user add Bad.Login --role county --scope 141127000000 --password-stdin
expect "bad login: refused" 2 "a login is 3-63"
STDIN="$PW2"
run --db "$DB" user add aud --role auditor --scope 141127000000 --unmask --password-stdin
expect "auditor with --unmask: refused" 2 "may not unmask"
check "… none of these added a user" [ "$(users)" -eq $((demo_users + 1)) ]

STDIN="$PW2"
run --db "$DB" user add worker1 --role grid-worker --scope "$GRID" --scope "$SUB" --unmask --password-stdin
expect "grid worker on two grids, may unmask" 0 "user worker1 added (grid-worker)"
STDIN="$PW3"$'\r\n'
run --db "$DB" user add office --role county --scope 141127000000 --manage-users --password-stdin
expect "county user, CRLF-terminated password" 0 "user office added (county)"
STDIN="$PW3"
run --db "$DB" user add town --role township --scope 141127100000 --password-stdin
expect "township user" 0 "user town added"
STDIN="$PW3"
run --db "$DB" user add aud --role auditor --scope 141127000000 --password-stdin
expect "auditor" 0 "user aud added (auditor)"
check "five users of our own" [ "$(users)" -eq $((demo_users + 5)) ]

# ---- list ------------------------------------------------------------------
run --db "$DB" user list
expect "user list" 0 "root	admin	active" "worker1	grid-worker	active	unmask	$GRID" "office	county" \
  "manage-users" "aud	auditor"
check "… one line per user plus a header" [ "$(grep -c . "$TMP/out")" -eq $((demo_users + 6)) ]
check "… no password hash printed" lacks "$TMP/out" 'argon2'
check "… no '\$' (hash material) printed" lacks "$TMP/out" '$'

# ---- disable / enable --------------------------------------------------------
run --db "$DB" user disable worker1
expect "user disable" 0 "user worker1 disabled"
run --db "$DB" user list
expect "… list shows it disabled" 0 "worker1	grid-worker	disabled"
check "… audited" [ "$(audits user_disable)" -eq 1 ]
check "… the user is kept" [ "$(users)" -eq $((demo_users + 5)) ]
run --db "$DB" user disable nobody
expect "disable an unknown login: exit 1" 1 "no such user"
run --db "$DB" user enable worker1
expect "user enable" 0 "user worker1 enabled"
run --db "$DB" user list
expect "… list shows it active" 0 "worker1	grid-worker	active"

# ---- passwd --------------------------------------------------------------------
before=$(q "SELECT password_hash FROM app_user WHERE login = 'worker1'")
STDIN="$PW3"
run --db "$DB" user passwd worker1 --password-stdin
expect "user passwd" 0 "password of worker1 set"
check "… the hash changed" [ "$(q "SELECT password_hash FROM app_user WHERE login = 'worker1'")" != "$before" ]
check "… audited" [ "$(audits user_passwd)" -eq 1 ]
STDIN='too short'
run --db "$DB" user passwd worker1 --password-stdin
expect "passwd with a short password: refused" 2 "at least 12 characters"
check "… not audited" [ "$(audits user_passwd)" -eq 1 ]
STDIN="$PW3"
run --db "$DB" user passwd nobody --password-stdin
expect "passwd of an unknown login: exit 1" 1 "no such user"
run --db "$DB" user passwd worker1
expect "passwd without --password-stdin: refused" 2 "--password-stdin"

# ---- audit ------------------------------------------------------------------------
run --db "$DB" audit
expect "audit lists the changes" 0 "user_add	user:root" "user_disable	user:worker1" "user_enable	user:worker1" \
  "user_passwd	user:worker1"
first=$(head -n 1 "$TMP/out" | cut -f 4)
check "… newest first" [ "$first" = "user_passwd" ]
run --db "$DB" audit --action user_add --limit 100000
expect "audit --action" 0 "user:office"
check "… only that action" [ "$(cut -f 4 "$TMP/out" | sort -u)" = "user_add" ]
check "… one row per added user" [ "$(grep -c . "$TMP/out")" -eq $((demo_users + 5)) ]
actor=$(q "SELECT actor FROM audit LIMIT 1")
run --db "$DB" audit --actor "$actor" --limit 2
expect "audit --actor --limit" 0 "$actor"
check "… two rows" [ "$(grep -c . "$TMP/out")" -eq 2 ]
check "… and a note that more exist" has "$TMP/err" "--limit 0 for all"
run --db "$DB" audit --actor nobody-at-all
expect "audit for an unknown actor: nothing" 0
check "… empty" [ ! -s "$TMP/out" ]
run --db "$DB" audit --since 2999-01-01
expect "audit --since the future: nothing" 0
check "… empty" [ ! -s "$TMP/out" ]
run --db "$DB" audit --since "$(date -u +%Y-%m-%d)"
expect "audit --since today: everything" 0 "user_add"
run --db "$DB" audit --since yesterday
expect "audit --since with a bad date: exit 2" 2 "YYYY-MM-DD"
run --db "$DB" audit --limit -3
expect "audit --limit negative: exit 2" 2 "--limit"
check "audit rows cannot be changed" bash -c "! sqlite3 '$DB' \"UPDATE audit SET reason = 'x'\" 2>/dev/null"
check "audit rows cannot be deleted" bash -c "! sqlite3 '$DB' 'DELETE FROM audit' 2>/dev/null"

# ---- no secret ever printed or stored in clear ----------------------------------
for pw in "$PW1" "$PW2" "$PW3"; do
  check "password '${pw:0:4}…' never printed" lacks "$TMP/everything" "$pw"
  check "password '${pw:0:4}…' not in the database" bash -c "! sqlite3 '$DB' .dump | grep -qF -- '$pw'"
done

tap_done
