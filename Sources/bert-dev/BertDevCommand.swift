import ArgumentParser
import BERTCommandLine

/// `bert-dev`: the developers' tool beside `bert` — benchmarks against the Python references and parity hooks
/// (raw encoder outputs, evaluation dumps), kept out of the user's `--help`.
@main
struct BertDevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bert-dev",
        abstract: "swift-bert developer tools: benchmarks and parity hooks.",
        subcommands: [BenchCommand.self, ForwardCommand.self, DumpOutputsCommand.self])

    static func main() async {
        await CommandMain.run(BertDevCommand.self)
    }
}
