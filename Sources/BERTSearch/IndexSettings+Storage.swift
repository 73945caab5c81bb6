/// How every store records and checks an index's settings (key → value rows).
extension IndexSettings {
    /// The rows a store writes.
    var info: [(String, String)] {
        [
            ("format", "swift-bert-index"), ("format_version", "1"), ("model", model), ("model_fingerprint", modelFingerprint),
            ("dimension", "\(dimension)"), ("normalized", normalized ? "true" : "false"), ("pooling", pooling),
            ("quantization", quantization.rawValue),
        ]
    }

    /// Settings read back from a store's rows.
    /// - Throws: `SearchError.notAnIndex` when a field is missing or unusable.
    init(info: [String: String], location: String) throws {
        guard let model = info["model"], let fingerprint = info["model_fingerprint"],
              let dimension = info["dimension"].flatMap(Int.init), dimension > 0, dimension <= 1 << 16,
              let normalized = info["normalized"].map({ $0 == "true" }), let pooling = info["pooling"],
              let quantization = info["quantization"].flatMap(VectorQuantization.init(rawValue:)) else {
            throw SearchError.notAnIndex(path: location, reason: "its settings are incomplete")
        }
        self.init(model: model, modelFingerprint: fingerprint, dimension: dimension, normalized: normalized,
                  pooling: pooling, quantization: quantization)
    }

    /// Refuses `given` when it describes other embeddings than these stored ones.
    func check(against given: IndexSettings, location: String) throws {
        if modelFingerprint != given.modelFingerprint {
            throw SearchError.modelMismatch(index: location, field: "model", stored: "\(model) (fingerprint \(modelFingerprint.prefix(12)))",
                                            given: "\(given.model) (fingerprint \(given.modelFingerprint.prefix(12)))")
        }
        let fields: [(String, String, String)] = [
            ("dimension", "\(dimension)", "\(given.dimension)"), ("normalization", "\(normalized)", "\(given.normalized)"),
            ("pooling", pooling, given.pooling), ("quantization", quantization.rawValue, given.quantization.rawValue),
        ]
        for (field, a, b) in fields where a != b { throw SearchError.modelMismatch(index: location, field: field, stored: a, given: b) }
    }
}

/// Opens the index at `location`: a PostgreSQL URL (`postgres://…`) or an SQLite file path; creating it with
/// `settings` when given and absent.
public func openVectorIndex(_ location: String, creating settings: IndexSettings? = nil) async throws -> any VectorIndex {
    if PostgresLocation.isPostgres(location) { return try await PostgresVectorIndex(url: location, creating: settings) }
    if let settings { return try SQLiteVectorIndex(path: location, creating: settings) }
    return try SQLiteVectorIndex(path: location)
}
