#!/usr/bin/env bash
# Runs the arm64 NEON kernels on emulated arm64 CPUs: builds every C kernel with Tests/NativeKernels/
# arm64_kernels_test.c for aarch64 Linux (the Swift toolchain's clang and ld.lld, Debian's cross glibc and libgcc from
# scripts/install-system.sh) and runs the program under qemu-aarch64 (qemu-user) as CPUs with the ARMv8.2 dot product
# (max, neoverse-n1: the sdot kernel and the widening one) and without it (cortex-a72, cortex-a53: the widening one
# only, and sdot must not be offered). It compares the fp32 packed GEMM and the int8 kernels with float64 / int64
# references and the portable paths (see the test's header). Nothing is timed: speed under emulation means nothing.
# Prints "test-arm64: N passed, F failed"; exit status 1 on any failure or when the toolchain is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
CLANG="$(dirname "$(readlink -f "$(command -v swift)")")/clang"
SYSROOT=/usr/aarch64-linux-gnu
GCC_DIR="$(ls -d /usr/lib/gcc-cross/aarch64-linux-gnu/*/ 2>/dev/null | sort -V | tail -1)"
if ! command -v qemu-aarch64 >/dev/null || [ ! -d "$SYSROOT/lib" ] || [ ! -f "${GCC_DIR}crtbeginS.o" ]; then
    echo "test-arm64: needs qemu-user, libc6-dev-arm64-cross and libgcc-12-dev-arm64-cross (scripts/install-system.sh)" >&2
    exit 1
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# --gcc-install-dir (not --sysroot): Debian's cross libc.so names its libraries by absolute path.
if ! "$CLANG" -target aarch64-linux-gnu --gcc-install-dir="${GCC_DIR%/}" -fuse-ld=lld -O2 -Wall -Werror \
    -I Sources/CBERTKernels/include -I Sources/CBERTKernels Sources/CBERTKernels/*.c \
    Tests/NativeKernels/arm64_kernels_test.c -o "$WORK/arm64_kernels_test" -lm -ldl -lpthread; then
    echo "test-arm64: the kernels and their test do not build for aarch64" >&2
    exit 1
fi
# The runs choose their kernels themselves (the defaults, then the settings below), whatever the caller set.
unset BERT_KERNELS BERT_GEMM_KERNEL BERT_QGEMM_KERNEL
passed=0
failed=0
for cpu in "max 1" "neoverse-n1 1" "cortex-a72 0" "cortex-a53 0"; do
    set -- $cpu
    echo "test-arm64: qemu-aarch64 -cpu $1 (dot product: $2)"
    qemu-aarch64 -cpu "$1" -L "$SYSROOT" "$WORK/arm64_kernels_test" --dotprod "$2" | tee "$WORK/out"
    status=${PIPESTATUS[0]}
    line="$(grep -E '^arm64 kernel tests: [0-9]+ passed, [0-9]+ failed' "$WORK/out" | tail -1)"
    if [ -z "$line" ]; then
        echo "test-arm64: the test did not finish on $1 (status $status)" >&2
        failed=$((failed + 1))
        continue
    fi
    passed=$((passed + $(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
    failed=$((failed + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
    [ "$status" -ne 0 ] && [ "$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')" -eq 0 ] && failed=$((failed + 1))
done
# The environment's choices (kinds: packed 0 none / 3 neon; int8 0 portable / 5 neon / 6 sdot; rows 0 portable / 3 neon).
while read -r cpu dot env kinds; do
    result="$(env ${env//,/ } qemu-aarch64 -cpu "$cpu" -L "$SYSROOT" "$WORK/arm64_kernels_test" --dotprod "$dot" --kinds $kinds)"
    if echo "$result" | grep -q '^arm64 kernel tests: 1 passed, 0 failed'; then
        passed=$((passed + 1))
    else
        echo "test-arm64: -cpu $cpu $env: $result" >&2
        failed=$((failed + 1))
    fi
done <<'CHOICES'
max 1 BERT_KERNELS=best 3 6 3
cortex-a53 0 BERT_KERNELS=best 3 5 3
max 1 BERT_KERNELS=portable 0 0 0
max 1 BERT_GEMM_KERNEL=none 0 6 3
max 1 BERT_QGEMM_KERNEL=neon 3 5 3
cortex-a53 0 BERT_QGEMM_KERNEL=sdot 3 5 3
max 1 BERT_KERNELS=portable,BERT_GEMM_KERNEL=neon,BERT_QGEMM_KERNEL=sdot 3 6 0
max 1 BERT_GEMM_KERNEL=avx512,BERT_QGEMM_KERNEL=vnni 3 6 3
CHOICES
echo "test-arm64: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
