#!/usr/bin/env bash
# e2e_ui.sh — the web UI end to end in real headless Chromium (Debian's
# chromium, driven by playwright-core from web/node_modules; see
# tests/e2e/ui.test.mjs): builds a small demo county, serves it on a free
# loopback port, signs in as the demo grid worker and checks the map, a grid
# card, the ledger's masking, a refused resident and sign-out. Screenshots go
# to $WG_SCREENSHOTS (default ./screenshots, i.e. the build directory under
# CTest). Skips nothing: a missing browser, Node.js or front-end build fails
# with what to run. Leaves no process behind.
#
#   bash tests/cli/e2e_ui.sh path/to/wangge      (WG_SRC = repo root)
set -euo pipefail
# shellcheck source=tests/cli/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

WANGGE=${1:?usage: e2e_ui.sh WANGGE_BINARY}
case $WANGGE in /*) ;; *) WANGGE=$PWD/$WANGGE ;; esac
SRC=${WG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CHROMIUM=${WG_CHROMIUM:-/usr/bin/chromium}
SHOTS=${WG_SCREENSHOTS:-$PWD/screenshots}
export WANGGE_TODAY=20261129
unset WANGGE_DB

TMP=$(mktemp -d)
server=""
driver=""
cleanup() {
  # The driver (node + chromium) runs in its own process group: end all of it.
  if [ -n "$driver" ]; then kill -KILL -- "-$driver" 2>/dev/null || true; fi
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# --- what the test needs, each a failure (not a skip) when missing ---------
missing=()
command -v node >/dev/null 2>&1 || missing+=("node not found: run scripts/install-deps (nodejs, npm)")
[ -x "$CHROMIUM" ] || missing+=("$CHROMIUM not found: run scripts/install-deps (Debian's chromium), or set WG_CHROMIUM")
[ -f "$SRC/web/node_modules/playwright-core/package.json" ] || missing+=("web/node_modules/playwright-core missing: run 'make web' (scripts/build-web)")
[ -f "$SRC/web/vendor/leaflet/leaflet.js" ] && [ -f "$SRC/web/vendor/echarts/echarts.min.js" ] ||
  missing+=("web/vendor missing: run 'make web' (scripts/build-web)")
if [ ${#missing[@]} -gt 0 ]; then
  not_ok "the end-to-end test can run" "${missing[@]}"
  tap_done
  exit 1
fi
ok "node $(node --version), $("$CHROMIUM" --version 2>/dev/null | head -n 1), playwright-core $(node -p "require('$SRC/web/node_modules/playwright-core/package.json').version")"

# --- a small demo county ---------------------------------------------------
DB=$TMP/e2e.db
if "$WANGGE" --db "$DB" demo --residents 3000 --no-serve --today 2026-11-29 >"$TMP/demo.out" 2>&1; then
  ok "demo county built (3000 residents, accounts admin/county/binhe/gridworker)"
else
  not_ok "demo county built" "$(tail -n 20 "$TMP/demo.out")"
  tap_done
  exit 1
fi

# --- the server on a free loopback port ------------------------------------
"$WANGGE" --db "$DB" serve --listen 127.0.0.1:0 --web "$SRC/web" >"$TMP/serve.out" 2>"$TMP/serve.err" &
server=$!
url=""
for _ in $(seq 150); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$TMP/serve.out" 2>/dev/null | head -n 1 || true)
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
if [ -n "$url" ] && curl -fsS -o /dev/null "$url"; then
  ok "wangge serve answers on $url"
else
  not_ok "wangge serve answers" "$(cat "$TMP/serve.out" "$TMP/serve.err" | tail -n 20)"
  tap_done
  exit 1
fi

# --- the browser run --------------------------------------------------------
mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
drc=0
# setsid: the driver and every browser process it starts share one process
# group, which cleanup kills whatever happens; timeout bounds the run.
WG_URL=$url WG_SHOTS=$SHOTS WG_CHROMIUM=$CHROMIUM WG_TAP_START=$n \
  setsid timeout -k 5 300 node "$SRC/tests/e2e/ui.test.mjs" >"$TMP/driver.out" 2>"$TMP/driver.err" &
driver=$!
wait "$driver" || drc=$?
cat "$TMP/driver.out"
dpass=$(grep -c '^ok ' "$TMP/driver.out" || true)
dfail=$(grep -c '^not ok ' "$TMP/driver.out" || true)
n=$((n + dpass + dfail)); pass=$((pass + dpass)); fail=$((fail + dfail))
if [ "$drc" -ne 0 ] && [ "$dfail" -eq 0 ]; then
  not_ok "browser driver exited cleanly" "status $drc" "$(tail -n 20 "$TMP/driver.err")"
fi
if [ "$dpass" -lt 10 ]; then
  not_ok "the browser run made all its checks" "only $dpass passed" "$(tail -n 20 "$TMP/driver.err")"
fi
kill -KILL -- "-$driver" 2>/dev/null || true
sleep 0.2
left=$(ps -o pid=,args= -g "$driver" 2>/dev/null || true)
if [ -z "$left" ]; then ok "no browser process left behind"; else not_ok "no browser process left behind" "$left"; fi
driver=""

for f in map.png dashboard.png; do
  if [ -s "$SHOTS/$f" ]; then ok "screenshot $SHOTS/$f"; else not_ok "screenshot $SHOTS/$f saved"; fi
done

# --- the server survived and stops cleanly on SIGTERM ----------------------
if kill -0 "$server" 2>/dev/null; then
  kill -TERM "$server"
  src=0
  wait "$server" || src=$?
  server=""
  if [ "$src" -eq 0 ] && ! grep -q 'ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer' "$TMP/serve.err"; then
    ok "server stopped cleanly on SIGTERM"
  else
    not_ok "server stopped cleanly on SIGTERM" "status $src" "$(tail -n 30 "$TMP/serve.err")"
  fi
else
  not_ok "server still running after the browser run" "$(tail -n 30 "$TMP/serve.err")"
fi

tap_done
