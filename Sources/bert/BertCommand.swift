import ArgumentParser
import BERTCommandLine

/// The `bert` command-line tool: one subcommand per file in this folder. Exit status: 0 success, 1 an error the
/// user can fix (one line on stderr), 2 a usage mistake. Benchmarks and parity hooks live in `bert-dev`.
@main
struct BertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bert",
        abstract: "BERT encoders in Swift: tokenize, embed, run task heads, train.",
        discussion: "Exit status: 0 success, 1 error (one line on stderr), 2 usage mistake.",
        subcommands: BertCommand.allSubcommands)

    /// Every subcommand, registered here once so each file stays self-contained.
    static var allSubcommands: [ParsableCommand.Type] {
        [
            TokenizeCommand.self, EmbedCommand.self, SimilarityCommand.self, SearchCommand.self,
            FillMaskCommand.self, ClassifyCommand.self, NERCommand.self, QACommand.self, RerankCommand.self,
            PretrainingDataCommand.self, PretrainCommand.self, FinetuneCommand.self, EvaluateCommand.self,
            IndexCommand.self, DownloadCommand.self, CacheCommand.self, ServeCommand.self, TrainTokenizerCommand.self,
            QuantizeCommand.self, InfoCommand.self, DistillCommand.self,
        ]
    }

    static func main() async {
        await CommandMain.run(BertCommand.self)
    }
}
