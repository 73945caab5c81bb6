import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder a model's files must stay inside, so that a `modules.json` path such as `../../x`, an absolute path,
/// or a symlink cannot make a model read another folder's config and weights.
///
/// The boundary is the model folder itself, and inside a Hugging Face cache also the repository folder: a snapshot
/// (`models--ORG--NAME/snapshots/<commit>/`, or a folder below it) holds relative symlinks into
/// `models--ORG--NAME/blobs/`, so there files may resolve anywhere in that `models--ORG--NAME` folder. Paths are
/// compared after resolving every symlink (`realpath`), so the model folder itself may be reached through one.
///
/// ```swift
/// let boundary = ModelBoundary(modelDirectory: directory)
/// try boundary.check(directory.appendingPathComponent("model.safetensors"), referencedBy: "model folder")
/// ```
package struct ModelBoundary: Equatable, Sendable {
    /// The folders, symlinks resolved, that every file must resolve inside: the model folder, and the cache's
    /// `models--ORG--NAME` folder when the model is a snapshot in one.
    package let roots: [String]

    /// The boundary for the model in `modelDirectory`.
    package init(modelDirectory: URL) {
        let directory = modelDirectory.standardizedFileURL
        var folders = [directory]
        var probe = directory
        while probe.pathComponents.count > 2 {
            let parent = probe.deletingLastPathComponent()
            if parent.lastPathComponent == "snapshots", parent.deletingLastPathComponent().lastPathComponent.hasPrefix("models--") {
                folders.append(parent.deletingLastPathComponent())
                break
            }
            probe = parent
        }
        roots = folders.map { Self.realPath($0.path) ?? $0.path }
    }

    /// The roots, for messages.
    private var description: String { roots.joined(separator: " or ") }

    /// Checks that `url`, once its symlinks are resolved, lies inside one of `roots`. A path that does not exist passes:
    /// the reader that needs it reports it missing.
    /// - Throws: `BERTHubError.pathOutsideModel` naming `referencedBy` (the file or folder that led to `url`),
    ///   the path, where it resolves, and the boundary.
    package func check(_ url: URL, referencedBy: String) throws {
        guard let real = Self.realPath(url.path) else { return }
        let inside = roots.contains { root in real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
        guard inside else {
            throw BERTHubError.pathOutsideModel(file: referencedBy, path: url.path, resolved: real, boundary: description)
        }
    }

    /// `directory/relative` for a path named in a model file (`modules.json`'s `path`), refused when it is
    /// absolute, climbs with `..`, or resolves outside `roots`.
    /// - Throws: `BERTHubError.pathOutsideModel` naming `file`.
    package func resolve(_ relative: String, in directory: URL, file: String) throws -> URL {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
        guard !relative.hasPrefix("/"), !relative.hasPrefix("~"), !parts.contains("..") else {
            throw BERTHubError.pathOutsideModel(file: file, path: relative, resolved: nil, boundary: description)
        }
        let url = parts.isEmpty ? directory : directory.appendingPathComponent(relative)
        try check(url, referencedBy: file)
        return url
    }

    /// Checks each of `names` that exists in `directory` (the files a loader reads from a model folder).
    package func checkFiles(_ names: [String], in directory: URL) throws {
        for name in names { try check(directory.appendingPathComponent(name), referencedBy: directory.path) }
    }

    /// The standard files of a Hugging Face model folder that loaders open by name.
    package static let standardFiles = [
        "config.json", "model.safetensors", "model.safetensors.index.json", "modules.json", "tokenizer.json",
        "vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "sentence_bert_config.json",
    ]

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
