#!/usr/bin/env bash
# The whole test suite from a fresh machine: system packages, test models and data, then the tests in release
# mode (numeric code in debug builds is tens of times slower). Ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system.sh
scripts/fetch-models.sh
scripts/fetch-pretraining-text.sh
scripts/extract_polarity.sh
# PostgreSQL + pgvector for the search-index tests (PostgresVectorIndexTests), on a Unix socket.
eval "$(scripts/start-postgres.sh)"
# Every reader's libFuzzer target for a few seconds each (about a minute, plus the sanitized build; see
# docs/fuzzing.md). FUZZ_SECONDS sets the time per target; 0 only replays the committed corpus. A failure is
# counted as one failed check in the summary line and the tests still run.
set +e
Fuzz/run.sh "${FUZZ_SECONDS:-6}"
FUZZ_STATUS=$?
set -e
LOG="$(mktemp)"
set +e
swift test -c release --disable-swift-testing "$@" 2>&1 | tee "$LOG"
STATUS=${PIPESTATUS[0]}
# What `import BERT` gives a user (and that the raw kernels stay out), against the release build just made.
scripts/public-api.sh --check
API_STATUS=$?
# The C kernels must build for arm64 too, and the NEON ones pass their tests under qemu-aarch64.
scripts/check-arm64.sh
ARM_STATUS=$?
scripts/test-arm64.sh
ARM_TEST_STATUS=$?
# On an AVX-512 machine: the kernel and inference tests again as on an AVX2-only CPU (CPUID faulting).
scripts/test-avx2-cpu.sh
AVX2_STATUS=$?
set -e
SUMMARY="$(grep -E "Executed [0-9]+ tests?, with" "$LOG" | tail -1 || true)"
rm -f "$LOG"
if [ -n "$SUMMARY" ]; then
    TOTAL=$(echo "$SUMMARY" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
    FAILED=$(echo "$SUMMARY" | grep -oE '[0-9]+ failures?' | head -1 | grep -oE '^[0-9]+' || echo 0)
    SKIPPED=$(echo "$SUMMARY" | grep -oE '[0-9]+ tests? skipped' | grep -oE '^[0-9]+' || echo 0)
    [ "$FUZZ_STATUS" -ne 0 ] && echo "fuzzing failed (see Fuzz/run.sh output above)"
    [ "$API_STATUS" -ne 0 ] && echo "the public API check failed (see scripts/public-api.sh output above)"
    [ "$ARM_STATUS" -ne 0 ] && echo "the arm64 compile check failed (see scripts/check-arm64.sh output above)"
    [ "$ARM_TEST_STATUS" -ne 0 ] && echo "the arm64 kernel tests failed (see scripts/test-arm64.sh output above)"
    [ "$AVX2_STATUS" -ne 0 ] && echo "the tests as on an AVX2-only CPU failed (see scripts/test-avx2-cpu.sh output above)"
    echo "$((TOTAL - FAILED - SKIPPED)) passed, $((FAILED + (FUZZ_STATUS != 0) + (API_STATUS != 0) + (ARM_STATUS != 0) + (ARM_TEST_STATUS != 0) + (AVX2_STATUS != 0))) failed, $SKIPPED skipped"
fi
[ "$STATUS" -eq 0 ] && { [ "$FUZZ_STATUS" -ne 0 ] || [ "$API_STATUS" -ne 0 ] || [ "$ARM_STATUS" -ne 0 ] || [ "$ARM_TEST_STATUS" -ne 0 ] || [ "$AVX2_STATUS" -ne 0 ]; } && exit 1
exit "$STATUS"
