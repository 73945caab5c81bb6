import BERTJSON
import Foundation

/// The files of a local model directory, found and parsed once: the Sentence-Transformers pipeline when there is
/// one, the encoder's `config.json`, and its safetensors weights (one file or the shards of an index).
///
/// ```swift
/// let files = try ModelFiles.resolve("sentence-transformers/all-MiniLM-L6-v2")
/// let config = files.config                 // BertConfig
/// for url in files.weightFiles { ... }      // open each with SafeTensorsFile(url:)
/// ```
package struct ModelFiles: Sendable {
    /// The directory the model was resolved to.
    package let directory: URL
    /// The Sentence-Transformers layout, when the directory has `modules.json`.
    package let sentenceTransformer: SentenceTransformerLayout?
    /// The directory holding the encoder's config.json, weights and tokenizer: `directory` itself, or the
    /// Transformer module's folder for Sentence-Transformers models that keep it in a subfolder.
    package let encoderDirectory: URL
    /// The encoder configuration.
    package let config: BertConfig
    /// The safetensors files holding the encoder weights: `model.safetensors`, or the distinct shards named by
    /// `model.safetensors.index.json`, sorted.
    package let weightFiles: [URL]

    /// Reads the model in `directory`.
    /// - Throws: `BERTHubError` from the layout or config, or `.weightsMissing` when there are no safetensors
    ///   weights (naming any `pytorch_model.bin` found).
    ///   Files that are symlinks leading outside the model folder are `.pathOutsideModel` (see `ModelBoundary`).
    package init(directory: URL) throws {
        self.directory = directory
        let boundary = ModelBoundary(modelDirectory: directory)
        try boundary.checkFiles(ModelBoundary.standardFiles, in: directory)
        let layout = SentenceTransformerLayout.isSentenceTransformer(directory)
            ? try SentenceTransformerLayout(directory: directory) : nil
        sentenceTransformer = layout
        encoderDirectory = layout?.transformerDirectory ?? directory
        try boundary.checkFiles(ModelBoundary.standardFiles, in: encoderDirectory)
        config = try BertConfig(contentsOf: encoderDirectory.appendingPathComponent("config.json"))
        weightFiles = try Self.weights(in: encoderDirectory)
        for url in weightFiles { try boundary.check(url, referencedBy: encoderDirectory.path) }
    }

    /// Resolves `reference` (a directory or a cached model id, see `ModelLocator.resolve`) and reads it.
    package static func resolve(_ reference: String, revision: String? = nil,
                               locator: ModelLocator = ModelLocator()) throws -> ModelFiles {
        try ModelFiles(directory: try locator.resolve(reference, revision: revision))
    }

    /// `encoderDirectory/name` if that file exists (e.g. "tokenizer.json", "vocab.txt").
    package func optionalFile(_ name: String) -> URL? {
        let url = encoderDirectory.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// `encoderDirectory/name`.
    /// - Throws: `BERTHubError.fileMissing` naming the path.
    package func requiredFile(_ name: String) throws -> URL {
        guard let url = optionalFile(name) else {
            throw BERTHubError.fileMissing(path: encoderDirectory.appendingPathComponent(name).path)
        }
        return url
    }

    private static func weights(in directory: URL) throws -> [URL] {
        let fm = FileManager.default
        let single = directory.appendingPathComponent("model.safetensors")
        if try FileProbe.exists(single.path) { return [single] }
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        if try FileProbe.exists(index.path) {
            let map = try readFields(try JSONValue.load(index), file: index.path) { f in
                try f.required(f.object("weight_map"), "weight_map").object.dictionary
            }
            var shards = Set<String>()
            for (tensor, value) in map {
                guard case let .string(shard) = value, !shard.hasPrefix("/"), !shard.contains("..") else {
                    throw BERTHubError.invalidField(file: index.path, key: "weight_map.\(tensor)",
                                                    expected: "a shard file name", found: value.description)
                }
                shards.insert(shard)
            }
            let urls = shards.sorted().map { directory.appendingPathComponent($0) }
            if let missing = urls.first(where: { !fm.fileExists(atPath: $0.path) }) {
                throw BERTHubError.fileMissing(path: missing.path)
            }
            return urls
        }
        let others = ["pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "model.onnx", "flax_model.msgpack"]
            .filter { fm.fileExists(atPath: directory.appendingPathComponent($0).path) }
        throw BERTHubError.weightsMissing(directory: directory.path, found: others)
    }
}
