// swift-tools-version:6.1
// swift-bert: BERT, the whole system, in Swift. See README.md and ../shared/DESIGN.md for the layers.
import PackageDescription

let package = Package(
    name: "swift-bert",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .library(name: "BERT", targets: ["BERT"]),
        .library(name: "SafeTensors", targets: ["SafeTensors"]),
        .library(name: "BERTTokenizers", targets: ["BERTTokenizers"]),
        // Search indexes are their own product: SQLite (GRDB) and PostgreSQL (postgres-nio, swift-nio, BoringSSL) stay
        // out of `import BERT` and of builds that do not search.
        .library(name: "BERTSearch", targets: ["BERTSearch"]),
        .executable(name: "bert", targets: ["bert"]),
        .executable(name: "bert-dev", targets: ["bert-dev"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Only for `swift package generate-documentation` (the DocC catalogue in Sources/BERT); builds never use it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        // The embedded search index's SQLite store (needs the system's libsqlite3-dev: scripts/install-system.sh).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The search index's PostgreSQL + pgvector store.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // `bert serve` (BERTServer): HTTP, graceful shutdown, logs, Prometheus metrics; the client is for tests only.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Foundation-only leaves: never import the tensor stack. BERTJSON is the one JSON parser and writer.
        .target(name: "BERTJSON"),
        .target(name: "SafeTensors", dependencies: ["BERTJSON"]),
        .target(name: "BERTTokenizers", dependencies: ["BERTJSON"]),
        .target(name: "BERTHub", dependencies: ["BERTJSON"]),

        // The numeric stack, bottom to top.
        .target(
            name: "CBERTKernels",
            linkerSettings: [
                .linkedLibrary("dl", .when(platforms: [.linux])),
                .linkedLibrary("m", .when(platforms: [.linux])),
                .linkedFramework("Accelerate", .when(platforms: [.macOS, .iOS])),
            ]),
        .target(name: "BERTKernels", dependencies: ["CBERTKernels"]),
        .target(name: "BERTTensor", dependencies: ["BERTKernels"]),
        .target(name: "BERTNN", dependencies: ["BERTTensor"]),
        .target(name: "BERTModels", dependencies: ["BERTNN", "SafeTensors", "BERTHub"]),
        .target(name: "BERTTasks", dependencies: ["BERTModels", "BERTTokenizers"]),
        .target(name: "BERTTraining", dependencies: ["BERTModels", "BERTTokenizers", "BERTTasks", "BERTJSON"]),
        // Lasting vector indexes: the protocol, the SQLite store (GRDB) and the PostgreSQL + pgvector store.
        .target(
            name: "BERTSearch",
            dependencies: ["BERTJSON", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Logging", package: "swift-log")]),
        .target(name: "BERT", dependencies: ["BERTModels", "BERTTokenizers", "SafeTensors", "BERTHub", "BERTJSON", "BERTTasks", "BERTTraining"]),
        // The inference server: TEI and OpenAI routes, wire types and the batching queue (a library so tests run it
        // in-process; `bert serve` is one file in Sources/bert).
        .target(
            name: "BERTServer",
            dependencies: [
                "BERTTasks", "BERTTokenizers", "BERTModels", "BERTJSON", "BERTSearch",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        // The command line: option groups, input readers, the checked output writer and progress, shared by the
        // user's `bert` and the developers' `bert-dev` (benchmarks and parity hooks).
        .target(
            name: "BERTCommandLine",
            dependencies: ["BERT", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "bert",
            dependencies: [
                "BERTCommandLine", "BERT", "BERTServer", "BERTSearch", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "bert-dev",
            dependencies: ["BERTCommandLine", "BERT", "BERTSearch", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Tests. TestSupport holds assertClose, the finite-difference gradient checker, fixture loading and fixture folders.
        .target(name: "TestSupport", dependencies: ["BERTTensor", "BERTModels"], path: "Tests/TestSupport"),
        .testTarget(name: "BERTKernelsTests", dependencies: ["BERTKernels", "TestSupport"]),
        .testTarget(name: "BERTTensorTests", dependencies: ["BERTTensor", "TestSupport"]),
        .testTarget(name: "BERTJSONTests", dependencies: ["BERTJSON"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"]),
        .testTarget(name: "BERTTokenizersTests", dependencies: ["BERTTokenizers", "BERTJSON"]),
        .testTarget(name: "BERTHubTests", dependencies: ["BERTHub", "TestSupport"]),
        .testTarget(name: "BERTSearchTests", dependencies: ["BERTSearch", "BERTTasks", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "BERTModelsTests", dependencies: ["BERTModels", "BERTTokenizers", "TestSupport"]),
        .testTarget(name: "BERTTasksTests", dependencies: ["BERTTasks", "TestSupport"]),
        .testTarget(name: "BERTTrainingTests", dependencies: ["BERTTraining", "TestSupport"]),
        .testTarget(
            name: "BERTServerTests",
            dependencies: [
                "BERTServer", "BERTTasks", "BERTModels", "BERTTraining", "TestSupport", "SafeTensors", "BERTSearch", "BERTHub",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Runs the built `bert` and `bert-dev` binaries as a user would (exit codes, stdout, stderr).
        .testTarget(name: "BERTCommandLineTests", dependencies: ["bert", "bert-dev", "BERT", "BERTSearch", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
