#!/usr/bin/env bash
# The whole test suite from a fresh machine: system packages, test models, then the tests in release mode
# (numeric code in debug builds is tens of times slower).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system.sh
scripts/fetch-models.sh
scripts/fetch-pretraining-text.sh
scripts/extract_polarity.sh
swift test -c release "$@"
