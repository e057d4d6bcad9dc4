#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a bounded time, two at a time, each over a
# scratch copy of its seed corpus (fuzz/corpus/<target>/, plus fuzz/crashes/<target>/ when it
# exists), with its dictionary when there is one. Builds nothing.
#
#   fuzz/run_bounded.sh BUILD_DIR SECONDS_PER_TARGET [TARGET...]
#
# BUILD_DIR is a build made with RINGKIT_BUILD_FUZZ=ON (the fuzz preset: build/fuzz).
# Prints execs, exec/s, coverage and features per target. When a target crashes, leaks, times
# out or runs out of memory, prints the sanitizer's report and the input that did it as hex,
# and exits 1 once every target has run. RINGKIT_FUZZ_JOBS sets how many run at once (2).
set -uo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 BUILD_DIR SECONDS_PER_TARGET [TARGET...]" >&2
  exit 2
fi
build_dir=$1
seconds=$2
shift 2
fuzz_src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(sqe_decode builders buf_ring registration sim_program)
fi
jobs=${RINGKIT_FUZZ_JOBS:-2}

for t in "${targets[@]}"; do
  if [[ ! -x $build_dir/fuzz/fuzz_$t ]]; then
    echo "run_bounded: $build_dir/fuzz/fuzz_$t is missing (configure with RINGKIT_BUILD_FUZZ=ON" \
         "and build it first)" >&2
    exit 2
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ringkit-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local t=$1 dir=$work/$1
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -r "$fuzz_src/corpus/$t/." "$dir/corpus/"
  if [[ -d $fuzz_src/crashes/$t ]]; then cp -r "$fuzz_src/crashes/$t/." "$dir/corpus/"; fi
  local dict=()
  if [[ -f $fuzz_src/$t.dict ]]; then dict=(-dict="$fuzz_src/$t.dict"); fi
  "$build_dir/fuzz/fuzz_$t" "$dir/corpus" "${dict[@]}" -max_total_time="$seconds" \
    -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    >"$dir/log" 2>&1
  echo $? >"$dir/rc"
}

running=0
for t in "${targets[@]}"; do
  if [[ $running -ge $jobs ]]; then
    wait -n
    running=$((running - 1))
  fi
  echo "run_bounded: fuzz_$t for ${seconds}s"
  run_one "$t" &
  running=$((running + 1))
done
wait

hexdump_of() {
  if command -v xxd >/dev/null; then xxd "$1"; else od -A x -t x1z -v "$1"; fi
}

failed=0
printf '%-14s %12s %10s %8s %8s  %s\n' target execs exec/s cov ft result
for t in "${targets[@]}"; do
  dir=$work/$t
  rc=$(cat "$dir/rc" 2>/dev/null || echo 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$dir/log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -oE 'ft: [0-9]+' "$dir/log" | tail -1 | cut -d' ' -f2)
  artifacts=$(find "$dir/artifacts" -type f 2>/dev/null | sort)
  result=ok
  if [[ $rc != 0 || -n $artifacts ]]; then result="FAILED (exit $rc)"; fi
  printf '%-14s %12s %10s %8s %8s  %s\n' "$t" "${execs:--}" "${rate:--}" "${cov:--}" \
    "${ft:--}" "$result"
  if [[ $result != ok ]]; then
    failed=1
    echo "---- fuzz_$t: log tail"
    tail -n 60 "$dir/log"
    for a in $artifacts; do
      echo "---- fuzz_$t: $(basename "$a") ($(stat -c %s "$a") bytes), as hex:"
      hexdump_of "$a"
    done
  fi
done
exit $failed
