#!/usr/bin/env bash
# Builds the libFuzzer targets (sanitized: coverage + AddressSanitizer, leaks included) and runs each for a bounded
# time, starting from the committed seeds in Fuzz/Corpus/<target>/. New inputs go to a scratch folder, never to the
# committed corpus. Exits non-zero if any target crashes, leaks, times out (-timeout), allocates past the limits,
# or breaks an invariant its harness checks; the input is saved under the artifacts folder printed at the end.
#
#   Fuzz/run.sh [seconds-per-target] [target ...]      default: 6 seconds, every target
#
# Environment: FUZZ_RUNS=N runs N inputs per target instead of a time limit (both may be given);
# FUZZ_BIN=PATH runs that BERTFuzz binary instead of building; FUZZ_WORK=DIR keeps the scratch corpora and
# artifacts there (default: a temporary folder, removed on success);
# FUZZ_FLAGS adds libFuzzer flags; FUZZ_TOKENIZER overrides the tokenizer.json the encode target uses
# (default models/all-MiniLM-L6-v2/tokenizer.json, as scripts/fetch-models.sh leaves it).
# docs/fuzzing.md describes the targets and the long runs.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${1:-6}"
shift || true
ALL_TARGETS=(safetensors json tokenizer encode config tabular conll squad pretraining)
[ $# -gt 0 ] && TARGETS=("$@") || TARGETS=("${ALL_TARGETS[@]}")

# Largest input per target: big enough for the seeds, small enough to keep executions fast.
max_len() {
    case "$1" in
        encode) echo 1024 ;;
        *) echo 4096 ;;
    esac
}

if [ -n "${FUZZ_BIN:-}" ]; then
    BIN="$FUZZ_BIN"    # a binary built earlier (long runs use a copy, so rebuilding meanwhile is safe)
else
    # -use-ld=lld: gold fails on the sanitized link ("internal error in format_file_lineno").
    echo "== building the fuzz targets (swift build -c release -sanitize=fuzzer,address)"
    BUILD_START=$(date +%s)
    FLAGS=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
    BUILD_LOG="$(mktemp)"
    if ! swift build "${FLAGS[@]}" >"$BUILD_LOG" 2>&1; then
        grep -vE "ld(\.gold|\.lld)?: warning" "$BUILD_LOG" | tail -40 >&2
        rm -f "$BUILD_LOG"
        echo "fuzz build failed" >&2
        exit 1
    fi
    grep -E "Build complete" "$BUILD_LOG" || true
    rm -f "$BUILD_LOG"
    BIN="$(swift build "${FLAGS[@]}" --show-bin-path)/BERTFuzz"
    [ -x "$BIN" ] || { echo "fuzz build failed: no $BIN" >&2; exit 1; }
    echo "== built in $(( $(date +%s) - BUILD_START )) s"
fi

# Leaks in the toolchain's own libraries (see lsan.supp) are not findings. Swift's crash backtracer is off:
# libFuzzer prints the stack itself, and the backtracer's memory reads trip ASan (and can hang for 30 s).
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="suppressions=$PWD/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

WORK="${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/bert-fuzz.XXXXXX")}"
mkdir -p "$WORK"
# The harness's per-process file folder (see Entry.swift), under one folder per run so that a crashed target's
# files go too.
if [ -z "${FUZZ_SCRATCH:-}" ]; then
    [ -w /dev/shm ] && SHM=/dev/shm || SHM="${TMPDIR:-/tmp}"
    export FUZZ_SCRATCH="$(mktemp -d "$SHM/bert-fuzz-run.XXXXXX")"
    trap 'rm -rf "$FUZZ_SCRATCH"' EXIT
fi
FAILED=()
for target in "${TARGETS[@]}"; do
    [ -d "Corpus/$target" ] || { echo "unknown target $target (no Corpus/$target)" >&2; exit 2; }
    mkdir -p "$WORK/corpus/$target" "$WORK/artifacts"
    LOG="$WORK/$target.log"
    LIMITS=(-max_total_time="$SECONDS_PER_TARGET")
    [ -n "${FUZZ_RUNS:-}" ] && LIMITS+=(-runs="$FUZZ_RUNS")
    [ "$SECONDS_PER_TARGET" = 0 ] && LIMITS=(-runs="${FUZZ_RUNS:-0}")
    set +e
    # shellcheck disable=SC2086
    FUZZ_TARGET="$target" "$BIN" "${LIMITS[@]}" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$target-" ${FUZZ_FLAGS:-} \
        "$WORK/corpus/$target" "Corpus/$target" >"$LOG" 2>&1
    STATUS=$?
    set -e
    EXECS=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$LOG" | grep -oE "[0-9]+$" || echo "?")
    RATE=$(grep -oE "stat::average_exec_per_sec: *[0-9]+" "$LOG" | grep -oE "[0-9]+$" || echo "?")
    COV=$(grep -oE "cov: [0-9]+ ft: [0-9]+" "$LOG" | tail -1 || echo "cov: ?")
    if [ "$STATUS" -eq 0 ]; then
        printf '%-12s ok    %10s execs %7s exec/s  %s\n' "$target" "$EXECS" "$RATE" "$COV"
    else
        printf '%-12s FAIL  (exit %s) %s execs; log %s\n' "$target" "$STATUS" "$EXECS" "$LOG"
        grep -E "ERROR: |SUMMARY: |invariant failed|Fatal error|Test unit written|^ *#[0-9]+ 0x" "$LOG" | head -25 | sed 's/^/    /'
        FAILED+=("$target")
    fi
done

if [ ${#FAILED[@]} -gt 0 ]; then
    echo "fuzzing failed: ${FAILED[*]} (reproducers in $WORK/artifacts; replay: FUZZ_TARGET=<target> $BIN <file>)" >&2
    exit 1
fi
[ -z "${FUZZ_WORK:-}" ] && rm -rf "$WORK"
echo "fuzzing passed: ${#TARGETS[@]} targets"
