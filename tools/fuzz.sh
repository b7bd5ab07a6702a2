#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan; build-fuzz/) and runs each for SECONDS
# (default 60) from its committed seed corpus, nproc at a time. Fails on any finding: a crash, a
# sanitizer report, a slow input (over 10 s) or memory over 2 GiB; the input that caused it is
# left in fuzz-out/<target>/ (replay: build-fuzz/tests/fuzz/fuzz_<target> FILE).
# CI runs `tools/fuzz.sh 60`; a campaign: `tools/fuzz.sh 1800`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
root=$PWD
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DPCMSIM_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"
targets=(onnx config idx cifar sidecar sweep)
rm -rf fuzz-out && mkdir -p fuzz-out
run_one() {
  local t=$1 dict=()
  mkdir -p "fuzz-out/$t/corpus"
  [[ -f tests/fuzz/$t.dict ]] && dict=(-dict="$root/tests/fuzz/$t.dict")
  # Inputs go to files of the target's own process in TMPDIR.
  if (cd "fuzz-out/$t" && TMPDIR="$PWD" "$root/build-fuzz/tests/fuzz/fuzz_$t" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "${dict[@]}" corpus "$root/tests/fuzz/corpus/$t" >log.txt 2>&1); then
    echo "fuzz_$t: $(grep -E '^#[0-9]+.*DONE' "fuzz-out/$t/log.txt" | tail -1)"
  else
    echo "fuzz_$t: FINDING (fuzz-out/$t/log.txt)"
    grep -E 'ERROR|SUMMARY|Test unit written' "fuzz-out/$t/log.txt" | head -5
    return 1
  fi
}
failed=0
pids=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  if ((${#pids[@]} >= $(nproc))); then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
exit $failed
