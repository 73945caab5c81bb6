import ArgumentParser

/// `bert bench`: speed measurements against the reference runtimes.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks.")
}
