#!/usr/bin/env bash
# System packages swift-bert uses at run time: OpenBLAS for fast GEMM (the code runs without it, slower).
set -euo pipefail
if ! ldconfig -p 2>/dev/null | grep -q 'libopenblas.so.0'; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libopenblas0-pthread >/dev/null
fi
