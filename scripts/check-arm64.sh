#!/usr/bin/env bash
# Compiles every C kernel for arm64 Linux (aarch64, -O2 -Wall -Werror) with the Swift toolchain's clang against
# Debian's cross glibc headers (libc6-dev-arm64-cross, from scripts/install-system.sh): the x86 paths must stay behind
# their `#if`s and the portable ones must build where NEON is the only SIMD (clang vectorises them with it). The
# Swift sources cannot be cross-compiled here (no arm64 Swift SDK on this machine); they hold no x86 code (every
# intrinsic is in C; Swift uses only the portable SIMD types). Exit status 1 names the files that failed.
set -uo pipefail
cd "$(dirname "$0")/.."
CLANG="$(dirname "$(readlink -f "$(command -v swift)")")/clang"
SYSROOT=/usr/aarch64-linux-gnu
if [ ! -d "$SYSROOT/include" ]; then
    echo "check-arm64: $SYSROOT/include is missing: apt-get install libc6-dev-arm64-cross (scripts/install-system.sh)" >&2
    exit 1
fi
failed=0
for f in Sources/CBERTKernels/*.c; do
    if ! "$CLANG" -target aarch64-linux-gnu --sysroot="$SYSROOT" -O2 -Wall -Werror -c -o /dev/null \
        -I Sources/CBERTKernels/include "$f"; then
        echo "check-arm64: $f does not compile for aarch64" >&2
        failed=1
    fi
done
[ "$failed" -eq 0 ] && echo "check-arm64: every C kernel compiles for aarch64 ($(ls Sources/CBERTKernels/*.c | wc -l) files)"
exit "$failed"
