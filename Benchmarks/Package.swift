// swift-tools-version:6.1
// The benchmark target (ordo-one/package-benchmark), kept in its own package so that building and testing
// swift-bert never needs the benchmark tooling. Run from this folder:  swift package benchmark
// (`bert bench` in the main package measures the same things and prints ratios against PyTorch / ONNX Runtime.)
import PackageDescription

let package = Package(
    name: "swift-bert-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-bert", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "BERTBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "BERT", package: "swift-bert"),
            ],
            path: "Sources/BERTBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
    ],
    swiftLanguageModes: [.v5]
)
