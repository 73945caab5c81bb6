import BERTJSON
import BERTSearch

/// The index `bert serve --index` answers `/search` and `/index` from: a `VectorIndex` (SQLite file or PostgreSQL)
/// built with the served model. Index stores are not `Sendable` (GRDB's connection, the in-memory vector cache),
/// so every call goes through one FIFO gate: requests reach the store one at a time, in arrival order.
package final class SearchService: @unchecked Sendable {
    /// Where the index is (a path or a postgres:// URL), for messages.
    package let location: String
    /// What the stored vectors are.
    package let settings: IndexSettings
    /// Only touched inside `serialized`.
    private let index: any VectorIndex
    private let gate = FIFOGate()

    /// Serves `index`, which must hold vectors of the served model.
    /// - Throws: `ServerError(.validation)` naming both models when the index was built with another model
    ///   (fingerprint) or another vector width, so a server never answers with nonsense distances.
    package init(location: String, index: any VectorIndex, modelFingerprint: String, modelName: String,
                 dimension: Int) throws(ServerError) {
        let stored = index.settings
        guard stored.modelFingerprint == modelFingerprint else {
            throw ServerError(.validation, SearchError.modelMismatch(
                index: location, field: "model", stored: "\(stored.model) (fingerprint \(stored.modelFingerprint.prefix(12)))",
                given: "\(modelName) (fingerprint \(modelFingerprint.prefix(12)))").description)
        }
        guard stored.dimension == dimension else {
            throw ServerError(.validation, SearchError.modelMismatch(index: location, field: "dimension", stored: "\(stored.dimension)",
                                                                     given: "\(dimension)").description)
        }
        (self.location, settings, self.index) = (location, stored, index)
    }

    /// The `topK` documents nearest `vector` whose metadata matches `filter`.
    package func search(_ vector: [Float], topK: Int, filter: [String: String]) async throws -> [SearchHit] {
        try await serialized { try await index.search(vector, topK: topK, filter: filter) }
    }

    /// Stores the documents whose ids are not stored yet (one transaction); returns (added, skipped, total stored).
    package func add(_ documents: [IndexDocument]) async throws -> (added: Int, skipped: Int, count: Int) {
        try await serialized {
            let added = try await index.add(documents)
            return (added, documents.count - added, try await index.count())
        }
    }

    /// Removes documents by id; returns (removed, total stored).
    package func remove(_ ids: [String]) async throws -> (removed: Int, count: Int) {
        try await serialized {
            let removed = try await index.remove(ids: ids)
            return (removed, try await index.count())
        }
    }

    /// Documents stored.
    package func count() async throws -> Int { try await serialized { try await index.count() } }

    private func serialized<T>(_ body: () async throws -> T) async throws -> T {
        await gate.enter()
        do {
            let result = try await body()
            await gate.leave()
            return result
        } catch {
            await gate.leave()
            throw Self.serverError(error)
        }
    }

    /// A store failure: the client's input (duplicate ids, a wrong width) is a 422, the database's trouble a 424.
    static func serverError(_ error: any Error) -> ServerError {
        switch error {
        case let error as ServerError: error
        case let error as SearchError:
            switch error {
            case .duplicateId, .dimensionMismatch, .invalidOption: ServerError(.validation, error.description)
            default: ServerError(.backend, error.description)
            }
        default: ServerError(.backend, "the index failed: \(error)")
        }
    }
}

/// One holder at a time, others resumed in arrival order (an async mutex without blocking a thread).
actor FIFOGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
