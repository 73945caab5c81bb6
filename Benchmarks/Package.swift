// swift-tools-version:6.1
// The benchmark target (google/swift-benchmark), kept in its own package so that building and testing swift-bert
// never needs the benchmark tooling. Run from this folder:
//     swift run -c release BERTBenchmarks [--filter REGEX]
// (`bert bench` in the main package measures the same things and prints ratios against PyTorch / ONNX Runtime.)
// ordo-one/benchmark was used first; on Linux with Swift 6.3 it needs swift-runtime-interposer, which this
// machine's package mirror does not have, and without it no benchmark registers.
import PackageDescription

let package = Package(
    name: "swift-bert-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-bert", path: ".."),
        .package(url: "https://github.com/google/swift-benchmark", from: "0.1.2"),
    ],
    targets: [
        .executableTarget(
            name: "BERTBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "swift-benchmark"),
                .product(name: "BERT", package: "swift-bert"),
            ],
            path: "Sources/BERTBenchmarks"),
    ],
    swiftLanguageModes: [.v5]
)
