import ArgumentParser
import BERT

/// The `bert` command-line tool: one subcommand per file in this folder.
@main
struct BertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bert",
        abstract: "BERT encoders in Swift: tokenize, embed, run task heads, train, serve.",
        subcommands: BertCommand.allSubcommands)

    /// Every subcommand, registered here once so each file stays self-contained.
    static var allSubcommands: [ParsableCommand.Type] {
        [
            TokenizeCommand.self, EmbedCommand.self, SimilarityCommand.self, SearchCommand.self, ForwardCommand.self,
            FillMaskCommand.self, ClassifyCommand.self, NERCommand.self, QACommand.self, RerankCommand.self,
            PretrainingDataCommand.self, PretrainCommand.self, FinetuneCommand.self, EvaluateCommand.self,
            BenchCommand.self,
        ]
    }
}
