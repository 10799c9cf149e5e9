#!/bin/sh
# Benchmark: import of N residents from CSV, validated, against the sqlite3
# shell's raw `.import` of the same file, in the same run. Prints rows/s,
# peak RSS and the ratio. Usage: bench/import.sh [N] [RUNS]
set -eu
N=${1:-1000000}
RUNS=${2:-3}
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j "$(nproc)" --target wangge >/dev/null
W=build-bench/wangge
cc -O2 -o "$OUT/gen_residents" bench/gen_residents.c
# Lan County's real village codes from the shipped NBS data.
CODES=$(awk -F, '$1 ~ /^141127/ {print $1}' data/divisions/villages_14_shanxi.csv | head -40)
# shellcheck disable=SC2086
"$OUT/gen_residents" "$N" $CODES > "$OUT/residents.csv"
echo "file: $N rows, $(du -m "$OUT/residents.csv" | cut -f1) MB"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
now() { date +%s.%N; }

for run in $(seq 1 "$RUNS"); do
  rm -f "$OUT"/bench.db* "$OUT"/raw.db*
  $W --db "$OUT/bench.db" init --county 141127 >/dev/null
  sync
  t0=$(now)
  /usr/bin/time -f "%M" -o "$OUT/rss" $W --db "$OUT/bench.db" import residents "$OUT/residents.csv" --quiet >/dev/null
  t1=$(now)
  sync
  t2=$(now)
  sqlite3 "$OUT/raw.db" ".import --csv $OUT/residents.csv residents"
  t3=$(now)
  ours=$(secs "$t0" "$t1")
  raw=$(secs "$t2" "$t3")
  rss=$(cat "$OUT/rss")
  awk -v n="$N" -v o="$ours" -v r="$raw" -v m="$rss" -v run="$run" 'BEGIN {
    printf "run %d: wangge import %.2f s = %.0f rows/s, peak RSS %.0f MB; sqlite3 .import %.2f s = %.0f rows/s; ratio %.2f\n",
      run, o, n / o, m / 1024, r, n / r, (n / o) / (n / r) }'
done
