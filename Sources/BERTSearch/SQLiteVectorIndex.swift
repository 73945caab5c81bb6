import BERTJSON
import Foundation
import GRDB

/// The embedded default index: documents, metadata and float32 vectors in one SQLite file (WAL mode, through
/// GRDB), searched by an exact scan over vectors held in memory — as float32, or as int8 / binary codes whose best
/// candidates are re-scored with the stored float32 vectors.
///
/// Each `add` is one transaction, so a process killed during an import loses at most the batch in flight, and a
/// re-run skips the ids already stored. The file records the model, dimension, pooling and normalisation, so a query
/// embedded with another model is refused.
///
/// ```swift
/// let index = try SQLiteVectorIndex(path: "docs.sqlite", creating: settings)
/// try index.add(documents)
/// let hits = try index.search(queryVector, topK: 10, filter: ["lang": "en"])
/// ```
public final class SQLiteVectorIndex: VectorIndex {
    /// The index file.
    public let path: String
    /// The embeddings' settings, as recorded in the file.
    public let settings: IndexSettings
    /// Quantised scans re-score this many times `topK` candidates with the float32 vectors; nil uses the default
    /// of the index's quantisation (`defaultRescoreMultiplier`).
    public var rescoreMultiplier: Int?

    /// Defaults chosen by measurement (all-MiniLM-L6-v2, 384 dimensions, polarity sentences, recall@10 against the
    /// exact scan): int8 × 4 → 1.0; binary × 4 → 0.74, × 16 → 0.94, × 24 → 0.97. Binary codes hold one bit per
    /// dimension, so narrow embeddings need a wider candidate pool.
    package static func defaultRescoreMultiplier(_ quantization: VectorQuantization) -> Int {
        switch quantization {
        case .none: return 1
        case .int8: return 4
        case .binary: return 24
        }
    }

    private let database: DatabasePool
    private var memory: InMemoryVectors?

    /// Opens the index at `path`, creating it with `settings` when the file does not exist; an existing index must
    /// have been built with the same model, dimension, pooling and normalisation (and quantisation).
    /// - Throws: `SearchError.modelMismatch`, `.notAnIndex` (not SQLite, corrupt, or another program's database),
    ///   `.database`.
    public init(path: String, creating settings: IndexSettings) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        database = try Self.open(path)
        if exists, let stored = try Self.readSettings(database, path: path) {
            try stored.check(against: settings, location: path)
            self.settings = stored
        } else {
            if exists { try Self.requireEmpty(database, path: path) }
            try Self.initialize(database, settings: settings, path: path)
            self.settings = settings
        }
    }

    /// Opens an existing index.
    /// - Throws: `SearchError.notAnIndex` when the file is missing, not SQLite, corrupt or not an index.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw SearchError.notAnIndex(path: path, reason: "no such file")
        }
        database = try Self.open(path)
        guard let stored = try Self.readSettings(database, path: path) else {
            throw SearchError.notAnIndex(path: path, reason: "it has no index_info table")
        }
        settings = stored
    }

    // MARK: VectorIndex

    public func count() throws -> Int {
        try guarded { try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM documents") ?? 0 } }
    }

    public func existingIds(_ ids: [String]) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try guarded {
            try database.read { db in
                var found = Set<String>()
                for chunk in stride(from: 0, to: ids.count, by: 500) {
                    let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
                    let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                    found.formUnion(try String.fetchAll(db, sql: "SELECT id FROM documents WHERE id IN (\(marks))",
                                                        arguments: StatementArguments(part)))
                }
                return found
            }
        }
    }

    @discardableResult
    public func add(_ documents: [IndexDocument]) throws -> Int {
        var seen = Set<String>()
        for document in documents {
            guard seen.insert(document.id).inserted else { throw SearchError.duplicateId(id: document.id) }
            guard document.vector.count == settings.dimension else {
                throw SearchError.dimensionMismatch(index: path, id: document.id, expected: settings.dimension, found: document.vector.count)
            }
        }
        let inserted: [(Int64, [Float])] = try guarded {
            try database.write { db in
                var rows: [(Int64, [Float])] = []
                for document in documents {
                    let metadata = document.metadata.isEmpty ? nil : String(decoding: try JSONValue.object(document.metadata).serialized(), as: UTF8.self)
                    try db.execute(sql: "INSERT OR IGNORE INTO documents (id, text, metadata, vector) VALUES (?, ?, ?, ?)",
                                   arguments: [document.id, document.text, metadata, Self.blob(document.vector)])
                    if db.changesCount > 0 { rows.append((db.lastInsertedRowID, document.vector)) }
                }
                return rows
            }
        }
        if memory != nil { for (rowid, vector) in inserted { memory!.append(rowid: rowid, vector: vector) } }
        return inserted.count
    }

    @discardableResult
    public func remove(ids: [String]) throws -> Int {
        let removed: [Int64] = try guarded {
            try database.write { db in
                var rowids: [Int64] = []
                for id in ids {
                    if let rowid = try Int64.fetchOne(db, sql: "SELECT rowid FROM documents WHERE id = ?", arguments: [id]) {
                        try db.execute(sql: "DELETE FROM documents WHERE rowid = ?", arguments: [rowid])
                        rowids.append(rowid)
                    }
                }
                return rowids
            }
        }
        memory?.remove(Set(removed))
        return removed.count
    }

    public func search(_ query: [Float], topK: Int, filter: [String: String] = [:]) throws -> [SearchHit] {
        guard query.count == settings.dimension else {
            throw SearchError.dimensionMismatch(index: path, id: "(query)", expected: settings.dimension, found: query.count)
        }
        guard topK > 0 else { return [] }
        let vectors = try loadedVectors()
        let allowed = try filter.isEmpty ? nil : rowids(matching: filter)
        let exact = settings.quantization == .none
        let multiplier = max(rescoreMultiplier ?? Self.defaultRescoreMultiplier(settings.quantization), 1)
        let candidates = vectors.best(query, k: exact ? topK : topK * multiplier, allowed: allowed)
        var ranked = candidates.map { (row: $0.row, rowid: vectors.rowids[$0.row], score: $0.score) }
        if !exact {
            let stored = try floatVectors(ranked.map(\.rowid))
            ranked = ranked.map { candidate in
                let vector = stored[candidate.rowid] ?? []
                let score = vector.withUnsafeBufferPointer { v in query.withUnsafeBufferPointer { q in dot(q.baseAddress!, v.baseAddress!, v.count) } }
                return (candidate.row, candidate.rowid, score)
            }
            ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.row < $1.row }
            ranked = Array(ranked.prefix(topK))
        }
        return try documents(ranked.map { ($0.rowid, $0.score) })
    }

    // MARK: Loading

    private func loadedVectors() throws -> InMemoryVectors {
        if let memory { return memory }
        let dimension = settings.dimension
        var ranges: (min: [Float], max: [Float])?
        if settings.quantization == .int8 {
            var lo = [Float](repeating: .infinity, count: dimension), hi = [Float](repeating: -.infinity, count: dimension)
            try eachVector { _, v in for d in 0..<dimension { lo[d] = min(lo[d], v[d]); hi[d] = max(hi[d], v[d]) } }
            ranges = (lo.map { $0.isFinite ? $0 : 0 }, hi.map { $0.isFinite ? $0 : 0 })
        }
        var loaded = InMemoryVectors(dimension: dimension, quantization: settings.quantization, ranges: ranges)
        try eachVector { rowid, v in loaded.append(rowid: rowid, vector: v) }
        memory = loaded
        return loaded
    }

    private func eachVector(_ body: (Int64, [Float]) throws -> Void) throws {
        try guarded {
            try database.read { db in
                let cursor = try Row.fetchCursor(db, sql: "SELECT rowid, vector FROM documents ORDER BY rowid")
                while let row = try cursor.next() {
                    let rowid: Int64 = row[0]
                    try body(rowid, try vector(row[1], rowid: rowid))
                }
            }
        }
    }

    private func vector(_ data: Data?, rowid: Int64) throws -> [Float] {
        guard let data, data.count == settings.dimension * 4 else {
            throw SearchError.notAnIndex(path: path, reason: "row \(rowid) holds a vector of \(data?.count ?? 0) bytes, not \(settings.dimension * 4)")
        }
        return data.withUnsafeBytes { raw in (0..<settings.dimension).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
    }

    private func floatVectors(_ rowids: [Int64]) throws -> [Int64: [Float]] {
        try guarded {
            try database.read { db in
                var out: [Int64: [Float]] = [:]
                let marks = Array(repeating: "?", count: rowids.count).joined(separator: ",")
                let rows = try Row.fetchAll(db, sql: "SELECT rowid, vector FROM documents WHERE rowid IN (\(marks))",
                                            arguments: StatementArguments(rowids))
                for row in rows { let rowid: Int64 = row[0]; out[rowid] = try vector(row[1], rowid: rowid) }
                return out
            }
        }
    }

    private func rowids(matching filter: [String: String]) throws -> Set<Int64> {
        try guarded {
            try database.read { db in
                var clauses: [String] = []
                var arguments: [any DatabaseValueConvertible] = []
                for (key, value) in filter.sorted(by: { $0.key < $1.key }) {
                    clauses.append("CAST(json_extract(metadata, ?) AS TEXT) = ?")
                    arguments.append("$.\"" + key.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
                    arguments.append(value)
                }
                return Set(try Int64.fetchAll(db, sql: "SELECT rowid FROM documents WHERE " + clauses.joined(separator: " AND "),
                                              arguments: StatementArguments(arguments)))
            }
        }
    }

    private func documents(_ ranked: [(rowid: Int64, score: Float)]) throws -> [SearchHit] {
        try guarded {
            try database.read { db in
                try ranked.compactMap { rowid, score in
                    guard let row = try Row.fetchOne(db, sql: "SELECT id, text, metadata FROM documents WHERE rowid = ?", arguments: [rowid])
                    else { return nil }
                    var metadata = JSONObject()
                    if let text: String = row[2], case let .object(object)? = try? JSONValue.parse(text) { metadata = object }
                    return SearchHit(id: row[0], text: row[1], metadata: metadata, score: score)
                }
            }
        }
    }

    // MARK: File

    private static func open(_ path: String) throws -> DatabasePool {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            return try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw translate(error, path: path)
        } catch {
            throw SearchError.database(index: path, reason: "\(error)")
        }
    }

    private static func readSettings(_ database: DatabasePool, path: String) throws -> IndexSettings? {
        do {
            return try database.read { db -> IndexSettings? in
                guard try db.tableExists("index_info") else { return nil }
                let pairs = try Row.fetchAll(db, sql: "SELECT key, value FROM index_info")
                var info: [String: String] = [:]
                for row in pairs { info[row[0]] = row[1] }
                return try IndexSettings(info: info, location: path)
            }
        } catch let error as DatabaseError {
            throw translate(error, path: path)
        }
    }

    private static func requireEmpty(_ database: DatabasePool, path: String) throws {
        let tables = try guardedStatic(path) {
            try database.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        }
        if !tables.isEmpty { throw SearchError.notAnIndex(path: path, reason: "it is a database with other tables (\(tables.joined(separator: ", ")))") }
    }

    private static func initialize(_ database: DatabasePool, settings: IndexSettings, path: String) throws {
        try guardedStatic(path) {
            try database.write { db in
                try db.execute(sql: """
                    CREATE TABLE index_info (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE documents (
                        id TEXT NOT NULL UNIQUE,
                        text TEXT NOT NULL,
                        metadata TEXT,
                        vector BLOB NOT NULL
                    );
                    """)
                let info = settings.info
                for (key, value) in info {
                    try db.execute(sql: "INSERT INTO index_info (key, value) VALUES (?, ?)", arguments: [key, value])
                }
            }
        }
    }

    // MARK: Errors

    private func guarded<T>(_ body: () throws -> T) throws -> T { try Self.guardedStatic(path, body) }

    private static func guardedStatic<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError { throw translate(error, path: path) }
    }

    private static func translate(_ error: DatabaseError, path: String) -> SearchError {
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notAnIndex(path: path, reason: "the file is not a SQLite database or is corrupt")
        case .SQLITE_FULL:
            return .database(index: path, reason: "the disk is full; free space and run the command again (stored batches are kept)")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return .database(index: path, reason: "cannot write or open the index (\(error.message ?? "permission")); check the path and its permissions")
        default:
            return .database(index: path, reason: "SQLite error \(error.resultCode.rawValue): \(error.message ?? "")")
        }
    }

    static func blob(_ vector: [Float]) -> Data {
        var data = Data(count: vector.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, value) in vector.enumerated() { raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        }
        return data
    }
}
