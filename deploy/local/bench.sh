#!/usr/bin/env bash
# `make bench`: time and peak memory of `jvap validate --format json` against a bare calamine read of the
# same workbook in the same run (the ratio is what matters; this prints figures and asserts nothing).
# Workbooks: 10,000, 100,000 and 1,000,000 rows in the template's shape, and a sparse one with a row at
# 2 and a row at 1,000,000. Release build. RUNS=3 by default (median); the 1M files run once.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
DIR=${JVAP_BENCH_DIR:-$PWD/target/bench}
mkdir -p "$DIR"

if [ ! -x /usr/bin/time ]; then
  [ "$(id -u)" = 0 ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
echo "bench: building (release)"
cargo build -q --release -p jvap-tests -p jvap-cli --bins
BIN=$PWD/target/release

for spec in 10000:r10k 100000:r100k 1000000:r1m 1000000:sparse; do
  rows=${spec%%:*} name=${spec##*:}
  [ -s "$DIR/$name.xlsx" ] && continue
  echo "bench: generating $name.xlsx"
  if [ "$name" = sparse ]; then "$BIN/jvap-bench-gen" "$rows" "$DIR/$name.xlsx" --sparse
  else "$BIN/jvap-bench-gen" "$rows" "$DIR/$name.xlsx"; fi
done

measure() { # runs command; prints "seconds peak_kib" of the median run
  local runs=$1; shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$DIR/.time" "$@" >/dev/null 2>"$DIR/.stderr" || [ $? -le 1 ] || { cat "$DIR/.stderr" >&2; exit 1; }
    # GNU time puts "Command exited with non-zero status 1" (a rejected file) before the figures.
    tail -n 1 "$DIR/.time"
  done | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

printf '\n%-8s %10s %12s %12s %8s %14s %14s\n' file size bare_read_s validate_s ratio bare_peak_MB validate_peak_MB
for name in r10k r100k r1m sparse; do
  file="$DIR/$name.xlsx"; runs=$RUNS
  [ "$name" = r1m ] && runs=1
  read -r bare_s bare_kb < <(measure "$runs" "$BIN/jvap-bench-read" "$file")
  read -r val_s val_kb < <(measure "$runs" "$BIN/jvap" validate "$file" --format json)
  size=$(du -h "$file" | cut -f1)
  # A validation far faster than the read did not read the rows: the file was refused as a whole (the
  # million-row workbook is past the default upload and inflated-size limits). Say so, not a ratio.
  note=""
  if awk -v bs="$bare_s" -v vs="$val_s" 'BEGIN { exit !(vs < bs / 5) }' && [ "$name" != sparse ]; then
    code=$("$BIN/jvap" validate "$file" --format json 2>/dev/null | grep -m1 -o '"code": "file\.[a-z_]*"' || true)
    [ -n "$code" ] && note="  refused whole: ${code#*: }"
  fi
  awk -v n="$name" -v z="$size" -v bs="$bare_s" -v vs="$val_s" -v bk="$bare_kb" -v vk="$val_kb" -v note="$note" \
    'BEGIN { printf "%-8s %10s %12.2f %12.2f %8.2f %14.0f %14.0f%s\n", n, z, bs, vs, (bs > 0 ? vs / bs : 0), bk / 1024, vk / 1024, note }'
done
echo
echo "targets (issue 3): validate <= 1.3x the bare read; peak <= 150 MB and flat from 10k to 1M; sparse < 1 s"

# The outputs of a round of 100,000 initiatives (issue 4): the seven files through outputs::build, as
# the aggregation service and `jvap consolidate` make them, against a baseline in the same run: the bare
# rust_xlsxwriter write of the same Initiatives cells to a one-sheet constant-memory workbook. Then each
# step alone, to show where the time goes.
N=${OUTPUTS:-100000}
echo
echo "bench: outputs of $N initiatives"
/usr/bin/time -f "%e %M" -o "$DIR/.time" "$BIN/jvap-bench-outputs" "$N" build >"$DIR/.build"
read -r build_s build_kb < <(tail -n 1 "$DIR/.time")
/usr/bin/time -f "%e %M" -o "$DIR/.time" "$BIN/jvap-bench-outputs" "$N" bare >"$DIR/.bare"
read -r _ bare_kb < <(tail -n 1 "$DIR/.time")
build=$(grep -o 'build=[0-9.]*' "$DIR/.build" | cut -d= -f2 || true)
bare=$(grep -o 'bare_xlsx=[0-9.]*' "$DIR/.bare" | cut -d= -f2 || true)
[ -n "$build" ] && [ -n "$bare" ] || { echo "bench: jvap-bench-outputs printed no build= or bare_xlsx= time" >&2; exit 1; }
sed 's/ build=/\n  build=/; s/ (/\n    (/' "$DIR/.build"
awk -v b="$build" -v x="$bare" -v bk="$build_kb" -v xk="$bare_kb" -v s="$build_s" 'BEGIN {
  printf "%-28s %10s %10s\n", "", "seconds", "peak_MB"
  printf "%-28s %10.2f %10.0f\n", "outputs::build (7 files)", b, bk / 1024
  printf "%-28s %10.2f %10.0f\n", "bare write (Initiatives)", x, xk / 1024
  printf "ratio build / bare: %.2f   (build process: %.2f s wall)\n", (x > 0 ? b / x : 0), s
}'
"$BIN/jvap-bench-outputs" "$N" steps | sed 's/.*steps: /each step alone: /'
