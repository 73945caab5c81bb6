#!/usr/bin/env bash
# Creates .venv with the Python reference stack used by scripts/ to make golden files
# and by the benchmarks (torch CPU, transformers, tokenizers, sentence-transformers, onnxruntime).
# `swift test` never needs this. Usage: scripts/setup-python.sh [VENV_DIR]
set -euo pipefail
VENV="${1:-$(cd "$(dirname "$0")/.." && pwd)/.venv}"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
PIP="$VENV/bin/pip"
"$PIP" install -q --upgrade pip
# A CPU build of torch without the CUDA wheels the default one pulls.
"$PIP" install -q --no-deps "torch==2.13.0+cpu"
"$PIP" install -q filelock sympy networkx jinja2 fsspec typing_extensions numpy
"$PIP" install -q "transformers==5.24.*" "tokenizers==0.23.3" safetensors sentence-transformers onnxruntime onnx scipy seqeval sentencepiece protobuf
echo "python reference stack ready in $VENV"
