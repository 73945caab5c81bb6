import BERTTokenizers
import Foundation

/// The tokenizer files a pre-training checkpoint carries, checked when the run starts: the folder must hold a
/// tokenizer that loads and whose vocabulary matches the data's, and every checkpoint gets `vocab.txt` (written from
/// the vocabulary when the folder has only tokenizer.json) so both `BertTokenizer` and `BertTokenizerFast` load it.
package struct CheckpointTokenizerFiles {
    /// Files copied when present.
    package static let names = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
    /// The tokenizer folder.
    package let directory: URL
    private let vocabulary: [String]

    /// Loads and checks the tokenizer of `directory`; `vocabularySize`, when given, must equal its vocabulary size.
    /// - Throws: `TrainingError.noTokenizer`, `.vocabularyMismatch`, or the tokenizer's own error for a bad file.
    package init(directory: URL, vocabularySize: Int?, expectedBy: String = "the training data") throws {
        let fm = FileManager.default
        guard ["tokenizer.json", "vocab.txt"].contains(where: { fm.fileExists(atPath: directory.appendingPathComponent($0).path) }) else {
            throw TrainingError.noTokenizer(directory: directory.path)
        }
        let tokenizer = try Tokenizer(directory: directory)
        if let expected = vocabularySize, tokenizer.vocabularySize != expected {
            throw TrainingError.vocabularyMismatch(directory: directory.path, tokenizer: tokenizer.vocabularySize, expected: expected,
                                                   expectedBy: expectedBy)
        }
        self.directory = directory
        vocabulary = (0..<tokenizer.vocabularySize).map { tokenizer.idToToken($0) ?? "[unused\($0)]" }
    }

    /// Copies the tokenizer files into `folder`, writing `vocab.txt` (one token per line, in id order) when the
    /// source has none.
    package func write(into folder: URL) throws {
        let fm = FileManager.default
        for name in Self.names {
            let source = directory.appendingPathComponent(name), target = folder.appendingPathComponent(name)
            guard fm.fileExists(atPath: source.path) else { continue }
            try? fm.removeItem(at: target)
            try fm.copyItem(at: source, to: target)
        }
        let vocab = folder.appendingPathComponent("vocab.txt")
        if !fm.fileExists(atPath: vocab.path) {
            try Data(vocabulary.map { $0 + "\n" }.joined().utf8).write(to: vocab, options: .atomic)
        }
    }
}
