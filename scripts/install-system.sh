#!/usr/bin/env bash
# System packages swift-bert uses: OpenBLAS for fast GEMM at run time (the code runs without it, slower), SQLite's
# headers, which the search index's GRDB dependency builds against, and Open MPI for data-parallel training
# (`mpirun -np N bert pretrain ...`; loaded at run time too, so builds and single-process runs need none of it), and
# arm64 glibc and libgcc so scripts/check-arm64.sh can compile the C kernels for aarch64 and scripts/test-arm64.sh can
# link their tests and run them under qemu-user.
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libopenblas.so.0' || missing+=(libopenblas0-pthread)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || missing+=(libsqlite3-dev)
command -v mpirun >/dev/null 2>&1 || missing+=(openmpi-bin)
ldconfig -p 2>/dev/null | grep -q 'libmpi.so.40' || missing+=(libopenmpi-dev)
dpkg -s libc6-dev-arm64-cross >/dev/null 2>&1 || missing+=(libc6-dev-arm64-cross)
dpkg -s libgcc-12-dev-arm64-cross >/dev/null 2>&1 || missing+=(libgcc-12-dev-arm64-cross)
command -v qemu-aarch64 >/dev/null 2>&1 || missing+=(qemu-user)
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
