#!/usr/bin/env bash
# Regenerates the tables in docs/performance.md: builds needtrail in release
# mode, generates corpora of 1k, 10k and 100k requirements (and, with
# FULL=1, 1M items), and times the bare parse, `check` and `report` on each
# as whole processes; then runs the criterion stage benchmarks at the same
# sizes (BENCH=0 skips them) and tabulates their means.
# Each process time is the best of RUNS runs (default 5; for report,
# REPORT_RUNS, default 3), start included. The first report run waits
# SETTLE seconds (default 60) after a sync; see below. `report` is timed
# twice, in turns: as the machine gives it (each run IDLE seconds, default
# 5, after the one before), and each run just after WARM_MB (default 3000)
# MiB of memory were written and freed; see below.
#
#   scripts/perf-table.sh            # prints the Markdown tables
#   FULL=1 RUNS=3 scripts/perf-table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
REPORT_RUNS=${REPORT_RUNS:-3}
WORK=${WORK:-target/perf}
cargo build --release --quiet --bin needtrail --example bare_parse --example warm_memory
BIN=target/release/needtrail
BARE=target/release/examples/bare_parse
WARM=target/release/examples/warm_memory
mkdir -p "$WORK"

# Whether time $1 beats the best so far, $2 (none yet: empty).
faster() {
  [ -z "$2" ] || awk "BEGIN{exit !($1 < $2)}"
}

# Best wall time (seconds, ms precision) and peak memory (MB) of RUNS runs,
# and the processor time in user space and in the kernel (seconds) of the
# run with the best wall time.
best() {
  local best_t="" best_m=0 best_u="" best_s="" mem_file
  mem_file=$(mktemp)
  for _ in $(seq "$RUNS"); do
    local start end t m u s
    start=$(date +%s.%N)
    /usr/bin/time -o "$mem_file" -f "%M %U %S" "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    t=$(awk "BEGIN{printf \"%.3f\", $end - $start}")
    read -r m u s < <(tail -n 1 "$mem_file") || { m=0 u=? s=?; }
    if faster "$t" "$best_t"; then
      best_t=$t best_u=$u best_s=$s
    fi
    if [ "$m" -gt "$best_m" ]; then best_m=$m; fi
  done
  rm -f "$mem_file"
  echo "$best_t $((best_m / 1024)) $best_u $best_s"
}

# Reports written by the timed runs, deleted when the script ends.
REPORTS="$WORK/reports-$$"
mkdir -p "$REPORTS"
trap 'rm -rf "$REPORTS"' EXIT

sizes=${SIZES:-"1000 10000 100000"}
# 250,000 requirements make about 1M items.
[ "${FULL:-0}" = 1 ] && sizes="$sizes 250000"

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(rustc --version)"
echo
echo "| requirements | items | TOML | bare parse | check | check / bare | check peak memory | report | user + kernel | report, memory warmed | user + kernel | report peak memory | largest page |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $sizes; do
  dir="$WORK/corpus-$n"
  [ -d "$dir" ] || "$BIN" generate "$dir" --requirements "$n" >/dev/null
  size=$(du -sm "$dir" | cut -f1)
  json=$("$BIN" check "$dir" --format json --fail-on never)
  items=$(grep -m1 '"items"' <<<"$json" | tr -dc 0-9)
  # The bare parse and check take turns, so that both meet the machine in
  # the same moods; each keeps its best time.
  bare="" check="" mem=0
  for _ in $(seq "$RUNS"); do
    read -r t _ _ _ < <(RUNS=1 best "$BARE" "$dir")
    if faster "$t" "$bare"; then bare=$t; fi
    read -r t m _ _ < <(RUNS=1 best "$BIN" check "$dir" --fail-on never)
    if faster "$t" "$check"; then check=$t; fi
    if [ "$m" -gt "$mem" ]; then mem=$m; fi
  done
  report="—" report_cpu="—" warm="—" warm_cpu="—" report_mem="—" largest="—"
  if [ "$n" -le 100000 ]; then
    # Into a new folder each time: replacing an earlier report also
    # deletes it, which the file system may make slow or fast. The
    # reports are deleted only when every run is over: on ext4 without a
    # journal, a new file skips past every inode freed in the last minute
    # (the last six, while the inode table is not yet written back),
    # which makes creating thousands of files after deleting thousands
    # quadratic; a real run does not follow such a deletion. For the
    # same reason the first report run waits a minute after a sync, in
    # case files were deleted just before the script started.
    if [ -z "${waited:-}" ]; then
      sync
      sleep "${SETTLE:-60}"
      waited=1
    fi
    report="" warm="" report_mem=0
    # The two timings take turns. A plain run starts after a pause, so that
    # what the runs before freed has gone idle, as between real runs; a
    # warmed run starts just after another process has written to and
    # freed WARM_MB of memory (more than any run here needs): on a virtual
    # machine that hands idle memory back to its host, this measures the
    # work rather than the host's faults (see examples/warm_memory.rs).
    for run in $(seq "$REPORT_RUNS"); do
      # Each run starts with the writes of the one before on disk, not
      # still being written back while it runs.
      sync
      sleep "${IDLE:-5}"
      read -r t m u k < <(RUNS=1 best "$BIN" report "$dir" --out "$REPORTS/report-$n-$run" --fail-on never)
      if faster "$t" "$report"; then
        report=$t report_cpu="$u + $k s"
      fi
      if [ "$m" -gt "$report_mem" ]; then report_mem=$m; fi
      sync
      "$WARM" "${WARM_MB:-3000}" >/dev/null || echo "warm_memory failed" >&2
      read -r t _ u k < <(RUNS=1 best "$BIN" report "$dir" --out "$REPORTS/warm-$n-$run" --fail-on never)
      if faster "$t" "$warm"; then
        warm=$t warm_cpu="$u + $k s"
      fi
    done
    report="$report s"
    warm="$warm s"
    report_mem="$report_mem MB"
    largest=$(find "$REPORTS/report-$n-1" -name '*.html' -printf '%s\n' | sort -n | tail -n 1)
    largest="$(awk "BEGIN{printf \"%.1f\", $largest / 1000000}") MB"
  fi
  ratio=$(awk "BEGIN{printf \"%.2f\", $check / ($bare > 0 ? $bare : 0.001)}")
  echo "| $n | $items | ${size} MB | ${bare} s | ${check} s | ${ratio}× | ${mem} MB | ${report} | ${report_cpu} | ${warm} | ${warm_cpu} | ${report_mem} | ${largest} |"
done

[ "${BENCH:-1}" = 1 ] || exit 0
# The criterion stage benchmarks (benches/pipeline.rs), at the same sizes
# (up to 100k requirements), as the mean time of one iteration.
bench_sizes=$(echo "$sizes" | tr ' ' '\n' | awk '$1 <= 100000' | paste -sd, -)
NEEDTRAIL_BENCH_SIZES="$bench_sizes" cargo bench --quiet --bench pipeline -- \
  --warm-up-time 1 --measurement-time 3 >/dev/null 2>&1
mean() {
  sed -E 's/.*"mean":\{"confidence_interval":\{[^}]*\},"point_estimate":([0-9.e+-]+).*/\1/' \
    "target/criterion/check/$1/$2/new/estimates.json"
}
echo
printf "| stage (criterion mean) |"
for n in ${bench_sizes//,/ }; do printf " %s |" "$n"; done
echo
printf "|---|"
for _ in ${bench_sizes//,/ }; do printf -- "---:|"; done
echo
for stage in bare_parse load graph graph_cold rules rules_cold check report; do
  printf "| %s |" "$stage"
  for n in ${bench_sizes//,/ }; do
    printf " %s |" "$(awk "BEGIN{v=$(mean "$stage" "$n")/1e6; if (v < 10) printf \"%.2f ms\", v; else printf \"%.0f ms\", v}")"
  done
  echo
done
