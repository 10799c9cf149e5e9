# lib/tap.sh — the TAP helpers every tests/cli script sources:
#   ok DESC | not_ok DESC [DETAIL…] | check DESC COMMAND… | tap_done
# tap_done prints the plan and "N passed, N failed" and returns non-zero on
# any failure.
pass=0
fail=0
n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"
  shift
  for line in "$@"; do echo "#   $line"; done
}
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}
tap_done() {
  echo "1..$n"
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}
