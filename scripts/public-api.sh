#!/usr/bin/env bash
# The public surface: counts `public`/`open` declarations per module (issue 20 tracks the total), and with --check
# type-checks what a user writes against the release build: `import BERT` gives models, tensors, tokenizers,
# pipelines, the thread count and the BLAS in use, but not the raw-pointer kernels (GEMM, Kernels, Parallel).
set -euo pipefail
cd "$(dirname "$0")/.."
total=0
spi=0
for dir in Sources/*/; do
    # `@_spi(...) public` declarations are not public API (only a client that imports the SPI sees them): the
    # fuzz harness, a separate package, reads a few readers' internals that way. They are counted apart.
    n=$({ grep -rhE "^\s*(@[A-Za-z]+(\([^)]*\))? )*(public|open) " "$dir" --include=*.swift || true; } | { grep -v '@_spi(' || true; } | wc -l)
    s=$({ grep -rhE "^\s*(@[A-Za-z_]+(\([^)]*\))? )*(public|open) " "$dir" --include=*.swift || true; } | { grep '@_spi(' || true; } | wc -l)
    spi=$((spi + s))
    if [ "$n" -gt 0 ]; then printf '%6d %s\n' "$n" "$(basename "$dir")"; fi
    total=$((total + n))
done
printf '%6d total public declarations (%d more behind @_spi)\n' "$total" "$spi"
[ "${1:-}" = "--check" ] || exit 0
BUILD=.build/release
flags=(-typecheck -I "$BUILD/Modules")
# Every C module a dependency may need: the maps the build generated, the packages' own (include/), and GRDB's
# system SQLite (not its SQLCipher variant, which would redefine the same module).
for map in "$BUILD"/*.build/module.modulemap .build/checkouts/*/Sources/*/include/module.modulemap \
           .build/checkouts/GRDB.swift/Sources/GRDBSQLite/module.modulemap; do
    case "$map" in *GRDBSQLCipher*) continue ;; esac
    [ -f "$map" ] && flags+=(-Xcc "-fmodule-map-file=$map")
done
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/uses.swift" <<'SWIFT'
import BERT
import Foundation
Threads.set(2)
_ = BLAS.description
let model: SentenceTransformer? = nil
let tokenizer: Tokenizer? = nil
let tensor: Tensor? = nil
let pipeline: FillMaskPipeline? = nil
SWIFT
swiftc "${flags[@]}" "$tmp/uses.swift"
for symbol in GEMM Kernels Parallel PackedMatrix QuantizedMatrix; do
    printf 'import BERT\n_ = %s.self\n' "$symbol" > "$tmp/leak.swift"
    if swiftc "${flags[@]}" "$tmp/leak.swift" 2>/dev/null; then
        echo "public-api: \`import BERT\` exposes $symbol" >&2
        exit 1
    fi
done
# The README's library example, as a user's program would compile it (top-level code, so as main.swift).
mkdir -p "$tmp/readme"
awk '/^```swift$/ && !done {inside=1; next} /^```$/ && inside {inside=0; done=1} inside' README.md > "$tmp/readme/main.swift"
grep -q '^import BERT' "$tmp/readme/main.swift" || { echo "public-api: no swift example found in README.md" >&2; exit 1; }
swiftc "${flags[@]}" "$tmp/readme/main.swift"
# The fuzz harness (Fuzz/, its own package) compiles against the public API plus `@_spi(Fuzzing)` alone.
swiftc "${flags[@]}" -swift-version 5 $(ls Fuzz/Sources/BERTFuzz/*.swift | grep -v '/main.swift$')
echo "public-api: import BERT gives the user surface and no raw kernels; the README example and the fuzz harness type-check against it"
