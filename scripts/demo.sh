#!/usr/bin/env bash
# The main job from a fresh machine: install, fetch all-MiniLM-L6-v2, build, and show similarity and search.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system.sh
scripts/fetch-models.sh
swift build -c release --product bert
.build/release/bert --help
