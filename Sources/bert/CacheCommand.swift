import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert cache`: see and prune the models in the Hugging Face cache.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "List or remove models in the Hugging Face cache (as huggingface-cli scan-cache / delete-cache).",
        subcommands: [CacheListCommand.self, CacheRemoveCommand.self])
}

/// `bert cache list`: one JSON line per cached model, or a table with --pretty.
struct CacheListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List cached models (JSON lines, or a table with --pretty).")

    @Flag(help: "Print a readable table instead of JSON.") var pretty = false

    func run() throws {
        let models = try HubCacheInventory().models()
        if pretty {
            try StandardOutput.line(pad(["MODEL", "SIZE", "FILES", "REFS", "PATH"], [40, 10, 6, 16]))
            for model in models {
                let refs = model.revisions.flatMap(\.refs).joined(separator: ",")
                try StandardOutput.line(pad([model.id, ProgressDisplay.size(Double(model.sizeOnDisk)), "\(model.blobCount)", refs,
                                             model.folder.path], [40, 10, 6, 16]))
            }
            return
        }
        for model in models {
            var object: JSONObject = [
                "id": .string(model.id), "path": .string(model.folder.path), "size_on_disk": .integer(model.sizeOnDisk),
                "blobs": .integer(Int64(model.blobCount)),
                "revisions": .array(model.revisions.map { revision in
                    ["commit": .string(revision.commit), "refs": .array(revision.refs.map { .string($0) }),
                     "files": .integer(Int64(revision.fileCount)), "snapshot": .string(revision.snapshot.path)]
                }),
            ]
            if let date = model.lastModified { object["last_modified"] = .string(ISO8601DateFormatter().string(from: date)) }
            try StandardOutput.jsonLine(.object(object))
        }
    }

    private func pad(_ columns: [String], _ widths: [Int]) -> String {
        zip(columns, widths + [0]).map { text, width in text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }
            .joined().trimmingCharacters(in: .whitespaces)
    }
}

/// `bert cache remove`: delete a model, or one revision of it, from the cache.
struct CacheRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a cached model, or only one revision and the files no other revision uses.")

    @Argument(help: "Model id (ORG/NAME).") var id: String
    @Option(help: "Remove only this revision (branch, tag or commit).") var revision: String?

    func run() throws {
        let freed = try HubCacheInventory().remove(id, revision: revision)
        var object: JSONObject = ["removed": .string(id), "freed_bytes": .integer(freed)]
        if let revision { object["revision"] = .string(revision) }
        try StandardOutput.jsonLine(.object(object))
    }
}
