#!/usr/bin/env bash
# campaigns.sh — campaigns on the demo county (about 130,000 residents):
#  1. the roll-up of every level (county, townships, communities, grid
#     levels 1-3) of a campaign over every resident, in process (11 runs,
#     median wall and CPU time), against the same figures computed by a
#     plain sqlite3 GROUP BY over the items (sqlite3 shell, same database,
#     same run);
#  2. marking 10,000 items from a CSV lab sheet (by ID number), the whole
#     `wangge campaign import` process and in process, against the sqlite3
#     shell applying the same 10,000 moves set-based (.import + INSERT …
#     SELECT + UPDATE, no validation, no per-row errors).
#
#   bash bench/campaigns.sh [--fresh]
#
# Builds Release into build-bench/ and the demo county into
# bench/out/campaigns.db (kept between runs; --fresh rebuilds it).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
DB=$OUT/campaigns.db
export WANGGE_TODAY=20261129
[ "${1:-}" = "--fresh" ] && rm -f "$DB" "$DB"-wal "$DB"-shm
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j2 --target wangge >/dev/null
W=$PWD/build-bench/wangge
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), SQLite $(sqlite3 --version | cut -d' ' -f1), load $(cut -d' ' -f1-3 /proc/loadavg)"
[ -f "$DB" ] || "$W" --db "$DB" demo --today 2026-11-29 --no-serve >/dev/null
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) * 1000}'; }
now() { date +%s.%N; }

# 1. Roll-up of the finished testing round (campaign #1, every resident).
"$W" --db "$DB" campaign rollup 1 --time 2>"$OUT/rollup.txt" >/dev/null
cat "$OUT/rollup.txt"
ours=$(sed -n 's/.*median \([0-9.]*\) ms, best.*/\1/p' "$OUT/rollup.txt")
ours_cpu=$(sed -n 's/.*CPU median \([0-9.]*\) ms.*/\1/p' "$OUT/rollup.txt")
PLAN=$(sqlite3 "$DB" 'SELECT id FROM plan WHERE status = 2')
# The same figures in plain SQL: items per unit per stage at all six levels.
cat >"$OUT/rollup.sql" <<SQL
.timer on
.output /dev/null
WITH fp AS (SELECT entrance_id, min(piece) AS piece FROM grid_assignment WHERE plan_id = $PLAN GROUP BY entrance_id),
w AS MATERIALIZED (SELECT i.stage, i.community, a.l1, a.l2, a.l3 FROM campaign_item i
  LEFT JOIN fp ON fp.entrance_id = i.entrance_id
  LEFT JOIN grid_assignment a ON a.plan_id = $PLAN AND a.entrance_id = i.entrance_id AND a.piece = fp.piece
  WHERE i.campaign_id = 1)
SELECT 'county', substr(community, 1, 6), stage, count(*) FROM w GROUP BY 2, 3
UNION ALL SELECT 'township', substr(community, 1, 9), stage, count(*) FROM w GROUP BY 2, 3
UNION ALL SELECT 'community', community, stage, count(*) FROM w GROUP BY 2, 3
UNION ALL SELECT 'grid1', l1, stage, count(*) FROM w GROUP BY 2, 3
UNION ALL SELECT 'grid2', l2, stage, count(*) FROM w GROUP BY 2, 3
UNION ALL SELECT 'grid3', l3, stage, count(*) FROM w GROUP BY 2, 3;
SQL
peer=()
for run in 1 2 3 4 5; do
  t=$(sqlite3 "$DB" <"$OUT/rollup.sql" 2>&1 | sed -n 's/Run Time: real \([0-9.]*\).*/\1/p' | tail -1)
  peer+=("$(awk -v t="$t" 'BEGIN {printf "%.1f", t * 1000}')")
done
peer_med=$(printf '%s\n' "${peer[@]}" | sort -n | sed -n 3p)
echo "peer: sqlite3 GROUP BY at 6 levels: ${peer[*]} ms, median $peer_med ms"
awk -v o="$ours" -v p="$peer_med" 'BEGIN {printf "roll-up: wangge %.1f ms vs sqlite3 GROUP BY %.1f ms: %.1fx faster\n", o, p, p / o}'

# 2. Marking 10,000 items from a lab sheet.
N=$(sqlite3 "$DB" "SELECT count(*) FROM campaign WHERE name LIKE 'bench %'")
"$W" --db "$DB" campaign create --name "bench $((N + 1)) wangge" --template testing >"$OUT/c1.txt"
"$W" --db "$DB" campaign create --name "bench $((N + 2)) sqlite3" --template testing >"$OUT/c2.txt"
C1=$(sed -n 's/campaign #\([0-9]*\) created.*/\1/p' "$OUT/c1.txt")
C2=$(sed -n 's/campaign #\([0-9]*\) created.*/\1/p' "$OUT/c2.txt")
{
  echo "身份证号,环节,备注"
  sqlite3 "$DB" "SELECT id_number || ',已采样,bench' FROM resident WHERE status = 1 ORDER BY (id * 7919) % 100003 LIMIT 10000"
} >"$OUT/lab.csv"
sync
t0=$(now)
"$W" --db "$DB" campaign import "$C1" "$OUT/lab.csv" --time 2>"$OUT/import.txt" >"$OUT/import.out"
t1=$(now)
cat "$OUT/import.out" "$OUT/import.txt"
whole=$(ms "$t0" "$t1")
cat >"$OUT/mark.sql" <<SQL
.timer on
CREATE TEMP TABLE sheet(id_number TEXT, stage TEXT, note TEXT);
.import --csv --skip 1 $OUT/lab.csv sheet
CREATE INDEX sheet_id ON sheet(id_number);
BEGIN;
INSERT INTO campaign_event(campaign_id, item_id, county, from_stage, to_stage, at, actor, note)
  SELECT $C2, i.id, i.county, i.stage, 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'peer', s.note
  FROM sheet s JOIN resident r ON r.id_number = s.id_number
  JOIN campaign_item i ON i.campaign_id = $C2 AND i.resident_id = r.id;
UPDATE campaign_item SET stage = 1, event_id = (SELECT max(e.id) FROM campaign_event e WHERE e.item_id = campaign_item.id)
  WHERE campaign_id = $C2 AND resident_id IN (SELECT r.id FROM sheet s JOIN resident r ON r.id_number = s.id_number);
COMMIT;
SQL
t2=$(now)
sqlite3 "$DB" <"$OUT/mark.sql" >/dev/null
t3=$(now)
peer=$(ms "$t2" "$t3")
moved=$(sqlite3 "$DB" "SELECT count(*) FROM campaign_item WHERE campaign_id = $C2 AND stage = 1")
echo "peer: sqlite3 shell, set-based, $moved items moved: $peer ms"
awk -v o="$whole" -v p="$peer" 'BEGIN {printf "marking 10,000: wangge import %.0f ms (whole process) vs sqlite3 set-based %.0f ms: ratio %.2f\n", o, p, o / p}'
