#!/usr/bin/env bash
# import_corpus.sh — every malformed file in tests/import_corpus is refused
# with its clear error and leaves the database unchanged.
#
#   bash tests/cli/import_corpus.sh path/to/wangge      (WG_SRC = repo root)
#
# The corpus: tests/import_corpus/NNN-*.csv|xlsx|xls, and EXPECT with one line
# per file, "file<TAB>substring of stderr". A good baseline file is imported
# first so that the database is not empty (and "already in the ledger" can
# happen). For each file: exit status non-zero, the substring on stderr, no
# clear ID or mobile number on stderr, and `sqlite3 .dump` unchanged.
set -euo pipefail
# shellcheck source=tests/cli/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

WANGGE=${1:?usage: import_corpus.sh WANGGE_BINARY}
case $WANGGE in /*) ;; *) WANGGE=$PWD/$WANGGE ;; esac
SRC=${WG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CORPUS=$SRC/tests/import_corpus
export WANGGE_TODAY=20261129
unset WANGGE_DB

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT


dump_hash() { sqlite3 "$1" .dump | sha256sum | cut -d' ' -f1; }

DB=$TMP/county.db
"$WANGGE" --db "$DB" init --county 141127 >/dev/null
if "$WANGGE" --db "$DB" import residents --quiet "$CORPUS/baseline.csv" >"$TMP/out" 2>"$TMP/err"; then
  ok "baseline import"
else
  not_ok "baseline import" "$(cat "$TMP/err")"
fi
residents=$(sqlite3 "$DB" 'SELECT count(*) FROM resident')
if [ "$residents" -eq 6 ]; then ok "baseline has 6 residents"; else not_ok "baseline has 6 residents" "got $residents"; fi
before=$(dump_hash "$DB")

# Every corpus file is listed in EXPECT, and EXPECT names only existing files.
listed=$(grep -v '^#' "$CORPUS/EXPECT" | cut -f1 | sort)
present=$(cd "$CORPUS" && for f in [0-9][0-9][0-9]-*; do echo "$f"; done | sort)
if [ "$listed" = "$present" ]; then
  ok "EXPECT lists exactly the corpus files"
else
  not_ok "EXPECT lists exactly the corpus files" \
    "$(diff <(echo "$listed") <(echo "$present") | grep '^[<>]' | tr '\n' ' ')"
fi
count=$(echo "$present" | grep -c .)
if [ "$count" -ge 50 ]; then ok "corpus has $count files (>= 50)"; else not_ok "corpus has >= 50 files" "only $count"; fi

while IFS=$'\t' read -r file expect; do
  case $file in '#'* | '') continue ;; esac
  problems=()
  rc=0
  (cd "$CORPUS" && "$WANGGE" --db "$DB" import residents --quiet "$file") \
    >"$TMP/out" 2>"$TMP/err" || rc=$?
  [ "$rc" -ne 0 ] || problems+=("exit status 0 (accepted): $(head -n 3 "$TMP/out")")
  [ "$rc" -lt 128 ] || problems+=("killed by a signal (status $rc)")
  grep -qF -- "$expect" "$TMP/err" || problems+=("stderr lacks: $expect" "stderr was: $(head -n 6 "$TMP/err")")
  if grep -Eq '[0-9]{17}[0-9Xx]|(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)' "$TMP/err"; then
    problems+=("clear ID or phone number on stderr")
  fi
  if grep -q 'ERROR: AddressSanitizer\|runtime error:' "$TMP/err"; then
    problems+=("sanitizer report on stderr")
  fi
  after=$(dump_hash "$DB")
  [ "$after" = "$before" ] || problems+=("database changed")
  if [ ${#problems[@]} -eq 0 ]; then
    ok "$file"
  else
    not_ok "$file" "${problems[@]}"
    before=$after # report each change once
  fi
done <"$CORPUS/EXPECT"

if "$WANGGE" --db "$DB" db check >/dev/null 2>"$TMP/err"; then
  ok "db check after the corpus"
else
  not_ok "db check after the corpus" "$(cat "$TMP/err")"
fi

tap_done
