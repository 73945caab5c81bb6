#!/usr/bin/env bash
# On an AVX-512 machine, runs the kernel and inference tests again as on an AVX2-only CPU (scripts/as-avx2-cpu.sh:
# CPUID without AVX-512/VNNI/BF16), so the default choice of every kernel family on such a CPU (AMD Zen 3, Intel
# Haswell-Comet Lake) is tested as CPU detection makes it, not only through the BERT_KERNELS=avx2 override.
# Needs the release build with tests (scripts/test.sh makes it). Skips (exit 0) where there is nothing to hide
# (no AVX-512) or no CPUID faulting. Ends with "test-avx2-cpu: N passed, N failed" or a "skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! grep -qw avx512f /proc/cpuinfo; then echo "test-avx2-cpu: skipped (this CPU has no AVX-512: the main run was AVX2 already)"; exit 0; fi
if ! grep -qw cpuid_fault /proc/cpuinfo; then echo "test-avx2-cpu: skipped (no CPUID faulting here to hide AVX-512)"; exit 0; fi
failed=0
info="$(scripts/as-avx2-cpu.sh .build/release/bert info 2>&1)"
echo "$info"
expect() {
    if ! grep -qE "$1" <<<"$info"; then echo "test-avx2-cpu: bert info lacks /$1/ as an AVX2-only CPU" >&2; failed=$((failed + 1)); fi
}
expect '^features: avx2 fma f16c$'
expect 'core Haswell; packed weights: avx2$'
expect '^int8 GEMM: avx2$'
expect '^bf16 GEMM: avx2$'
expect '^softmax, GELU, layer norm rows: avx2$'
LOG="$(mktemp)"
scripts/as-avx2-cpu.sh swift test -c release --disable-swift-testing --skip-build \
    --filter 'QuantizedGEMMTests|FusedQuantizationTests|RowKernelTests|PackedGEMMTests|AttentionKernelTests|BF16GEMMTests|HalfPrecisionTests|PackedInferenceTests|PreparedInferenceTests|Int8InferenceTests|Int8OnlyLoadingTests|FP16InferenceTests|HalfOnlyLoadingTests|ConcurrentInferenceTests|MiniLMParityTests' \
    2>&1 | tee "$LOG" | grep -E 'error:|failed \(|skipped:' | cut -c1-400 || true
SUMMARY="$(grep -E "Executed [0-9]+ tests?, with" "$LOG" | tail -1 || true)"
rm -f "$LOG"
if [ -z "$SUMMARY" ]; then echo "test-avx2-cpu: the tests did not run" >&2; exit 1; fi
TOTAL=$(echo "$SUMMARY" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
FAILURES=$(echo "$SUMMARY" | grep -oE '[0-9]+ failures?' | head -1 | grep -oE '^[0-9]+' || echo 0)
SKIPPED=$(echo "$SUMMARY" | grep -oE '[0-9]+ tests? skipped' | grep -oE '^[0-9]+' || echo 0)
echo "test-avx2-cpu: $((TOTAL - FAILURES - SKIPPED + 5 - failed)) passed, $((FAILURES + failed)) failed, $SKIPPED skipped (5 kernel choices in bert info + the tests, as on an AVX2-only CPU)"
[ "$FAILURES" -eq 0 ] && [ "$failed" -eq 0 ]
