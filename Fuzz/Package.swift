// swift-tools-version:6.1
// libFuzzer targets for swift-bert's readers, kept in their own package so the main build never needs sanitizer
// flags. One executable holds every target; FUZZ_TARGET picks one (see Sources/BERTFuzz/Entry.swift for why).
// Build and run from this folder (run.sh does both; docs/fuzzing.md has more):
//     swift build -c release -Xswiftc -sanitize=fuzzer,address
//     FUZZ_TARGET=json .build/release/BERTFuzz -max_len=4096 Corpus/json
// A plain `swift build` fails to link: LLVMFuzzerRunDriver comes with -sanitize=fuzzer.
import PackageDescription

let package = Package(
    name: "swift-bert-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-bert", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "BERTFuzz",
            dependencies: [.product(name: "BERT", package: "swift-bert"), "CFuzzerDriver"],
            path: "Sources/BERTFuzz"),
        .target(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
    ],
    swiftLanguageModes: [.v5]
)
