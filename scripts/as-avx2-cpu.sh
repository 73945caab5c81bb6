#!/usr/bin/env bash
# Runs a command as if this x86 CPU had no AVX-512 (an AVX2-only CPU such as AMD Zen 3): every library in the
# process and its children (ours, OpenBLAS, ONNX Runtime's MLAS, PyTorch, numpy) sees CPUID without AVX-512,
# VNNI, BF16 or AVX-VNNI and picks its AVX2 code. See scripts/cpu_without_avx512.c for how and its limits.
#
#   scripts/as-avx2-cpu.sh .build/release/bert-dev bench embed --dtype fp32 int8 --repeats 9 --threads 2
#
# The microarchitecture stays this CPU's (caches, clock, two 256-bit FMA pipes as on Zen 3): it stands in for
# an AVX2-only CPU's instruction set, not for its exact speed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$#" -eq 0 ]; then echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; fi
if ! grep -qw cpuid_fault /proc/cpuinfo; then
  echo "as-avx2-cpu: this CPU/kernel has no CPUID faulting (cpuid_fault flag); cannot hide AVX-512" >&2; exit 1
fi
lib="${TMPDIR:-/tmp}/cpu_without_avx512.$(id -u).so"
if [ ! -f "$lib" ] || [ "$here/cpu_without_avx512.c" -nt "$lib" ]; then
  # Any C compiler; the Swift toolchain's clang is always there.
  compiler="${CC:-$(command -v cc || echo "$(dirname "$(readlink -f "$(command -v swift)")")/clang")}"
  "$compiler" -O2 -Wall -shared -fPIC -o "$lib.tmp.$$" "$here/cpu_without_avx512.c"
  mv -f "$lib.tmp.$$" "$lib"
fi
# LD_AUDIT (not LD_PRELOAD): it runs before the program is relocated, so IFUNC resolvers see the masked CPUID.
# Swift's backtracer would replace the SIGSEGV handler that emulates CPUID.
export LD_AUDIT="$lib" SWIFT_BACKTRACE=enable=no
# glibc chooses memcpy and friends in the loader, before the audit library: tell it too.
export GLIBC_TUNABLES="glibc.cpu.hwcaps=-AVX512F,-AVX512CD,-AVX512ER,-AVX512PF,-AVX512VL,-AVX512DQ,-AVX512BW${GLIBC_TUNABLES:+:$GLIBC_TUNABLES}"
unset BERT_KERNELS OPENBLAS_CORETYPE
exec "$@"
