import ArgumentParser
import BERT
import BERTCommandLine
import BERTTraining
import Foundation


/// `--lowercase` / `--cased` of `bert train-tokenizer`.
enum CasingChoice: String, EnumerableFlag {
    case lowercase, cased
}

/// `bert train-tokenizer`: learn a WordPiece, byte-level BPE or Unigram vocabulary from text files, as the
/// `tokenizers` trainers do, and write a tokenizer folder transformers loads.
struct TrainTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-tokenizer",
        abstract: "Train a tokenizer (wordpiece, bpe or unigram) on text files and write its folder.",
        discussion: """
            Each line of each FILE is one document, as tokenizers' train_from_iterator takes it (- reads stdin). The folder gets tokenizer.json, \
            tokenizer_config.json and special_tokens_map.json, plus vocab.txt (wordpiece) or vocab.json and merges.txt \
            (bpe); transformers.AutoTokenizer and tokenizers.Tokenizer load it. It is written to a temporary sibling \
            and renamed into place, so it is never half-written. Presets: wordpiece = BERT's (lowercased unless \
            --cased; [PAD] [UNK] [CLS] [SEP] [MASK]); bpe = RoBERTa's byte-level BPE (<s> <pad> </s> <unk> <mask>); \
            unigram = SentencePiece-style (NFKC, Metaspace, XLM-R's special tokens).
            Example: bert train-tokenizer --model wordpiece --vocab-size 30000 --output my-tokenizer corpus.txt
            """)

    @Option(help: "The tokenizer model to train.") var model: TokenizerModelKind
    @Option(help: "Vocabulary size, special tokens included.") var vocabSize: Int
    @Option(help: "Merge only pairs seen at least this often (wordpiece, bpe).") var minFrequency = 0
    @Option(help: "Special tokens, comma-separated or repeated; the model's own ([UNK], <s>, ...) are added when missing.")
    var specialTokens: [String] = []
    @Option(help: "Keep at most this many characters in the alphabet (wordpiece, bpe).") var limitAlphabet: Int?
    @Flag(help: "Lowercase the text (default: wordpiece lowercases, bpe and unigram keep case).") var casing: CasingChoice?
    @Option(help: "Output folder (replaced only with --overwrite, and only if it holds a tokenizer).") var output: String
    @Flag(help: "Replace an existing tokenizer folder at --output.") var overwrite = false
    @Option(help: "Threads counting words (results do not depend on it).") var threads = 1
    @OptionGroup var progressOptions: ProgressOptions
    @Argument(help: "Text files, one document per line; - reads stdin.") var files: [String]

    /// Names a tokenizer folder may hold, so --overwrite never deletes anything else.
    static let tokenizerFiles: Set<String> = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
                                              "vocab.json", "merges.txt"]

    func validate() throws {
        guard vocabSize >= 1 else { throw ValidationError("--vocab-size must be at least 1") }
        guard minFrequency >= 0 else { throw ValidationError("--min-frequency must be at least 0") }
        if let limitAlphabet, limitAlphabet < 0 { throw ValidationError("--limit-alphabet must be at least 0") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard !files.isEmpty else { throw ValidationError("give at least one text FILE (- reads stdin)") }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: output)
        try checkOutputFolder(folder)
        var texts: [String] = []
        for file in files { texts += try TextLines.read(file, keepEmpty: true).map(\.text) }
        let specials = specialTokens.flatMap { $0.split(separator: ",").map(String.init) }
        let trainer = TokenizerTrainer(kind: model, vocabSize: vocabSize, minFrequency: minFrequency,
                                       specialTokens: specials.isEmpty ? nil : specials, limitAlphabet: limitAlphabet,
                                       lowercase: casing.map { $0 == .lowercase }, threads: threads)
        var display: (stage: String, view: ProgressDisplay)?
        let trained = try trainer.train(texts: texts) { report in
            if display?.stage != report.stage {
                display?.view.finish()
                display = (report.stage, ProgressDisplay(report.stage, total: report.total, quiet: progressOptions.quiet))
            }
            display?.view.update(report.done)
        }
        display?.view.finish()
        do {
            try AtomicFolder.write(folder) { try trained.write(to: $0) }
        } catch let error as TokenizerTrainingError {
            throw error
        } catch {
            throw TokenizerTrainingError.unwritableOutput(path: folder.path, reason: oneLineDescription(error))
        }
        let summary: JSONValue = ["output": .string(output), "model": .string(model.rawValue),
                                  "vocab_size": .integer(Int64(trained.vocabulary.count)),
                                  "files": .array(trained.files.map { .string($0.name) })]
        try StandardOutput.line(try summary.serializedString())
    }

    /// Refuses an output folder that exists and is not empty, unless `--overwrite` and it holds only tokenizer files.
    func checkOutputFolder(_ folder: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw TokenizerTrainingError.unwritableOutput(path: folder.path, reason: "it is a file, not a folder")
        }
        let items = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        if items.isEmpty { return }
        guard overwrite else {
            throw TokenizerTrainingError.unwritableOutput(path: folder.path, reason: "the folder is not empty; "
                + "pass --overwrite to replace a tokenizer there, or choose a new folder")
        }
        if let other = items.sorted().first(where: { !Self.tokenizerFiles.contains($0) }) {
            throw TokenizerTrainingError.unwritableOutput(path: folder.path, reason: "it holds \(other), which is not a "
                + "tokenizer file; --overwrite replaces only tokenizer folders")
        }
    }
}
