# lib/tap.sh — the TAP helpers every tests/cli script sources:
#   ok DESC | not_ok DESC [DETAIL…] | check DESC COMMAND… | tap_done
#   expect DESC WANT_RC [NEEDLE…]: after a script's own `run` (which sets rc
#   and writes $TMP/out and $TMP/err), the run exited WANT_RC, printed each
#   NEEDLE and no sanitizer report.
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
expect() {
  local desc=$1 want=$2
  shift 2
  local problems=()
  [ "$rc" -eq "$want" ] || problems+=("exit status $rc, want $want")
  for needle in "$@"; do
    cat "$TMP/out" "$TMP/err" | grep -qF -- "$needle" || problems+=("output lacks: $needle")
  done
  if grep -q 'ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer' "$TMP/err"; then
    problems+=("sanitizer report")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    ok "$desc"
  else
    not_ok "$desc" "${problems[@]}" "stdout: $(head -n 12 "$TMP/out")" "stderr: $(head -n 8 "$TMP/err")"
  fi
}
tap_done() {
  echo "1..$n"
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}
