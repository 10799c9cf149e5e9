#!/bin/sh
# Benchmark: the divide core side by side with METIS (libmetis-dev, per level
# and per parent, k = ceil(H/T), -contig) and a max-p region-growing baseline,
# on the Arkansas 2020 block groups and the generated demo county; stability
# after moving 1% of households. Prints Markdown tables.
# Usage: bench/divide_compare.sh [RUNS] [extra divide_compare arguments]
# Needs libmetis-dev and libjansson-dev (Debian).
set -eu
RUNS=${1:-5}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
cc -std=c17 -O2 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc \
  -o "$OUT/divide_compare" bench/divide_compare.c src/divide/*.c src/util/err.c \
  -lmetis -ljansson -lm
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(cc --version | head -1), METIS $(dpkg-query -W -f '${Version}' libmetis-dev 2>/dev/null || echo '?')"
"$OUT/divide_compare" --reps "$RUNS" "$@" \
  bench/data/arkansas-bg-2020/05_bg_census_consolidated.json
