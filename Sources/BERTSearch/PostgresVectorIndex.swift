import BERTJSON
import Foundation
import Logging
import PostgresNIO

/// The index for when one machine is not enough: documents in a PostgreSQL table with a pgvector `vector(n)`
/// column and pgvector's HNSW index (inner product), shared by every server that connects. Tables are created on
/// first use; each `add` is one transaction of multi-row INSERTs (ids already stored are skipped).
///
/// The location is a PostgreSQL URL: `postgres://USER:PASSWORD@HOST:PORT/DATABASE?table=docs`, or a Unix socket
/// folder as libpq takes it (`postgresql://postgres:@/postgres?host=/run/postgresql`). Query options: `table`
/// (default `documents`), `hnsw_m` (16), `ef_construction` (64), `ef_search` (40), `sslmode` (`disable` or
/// `require`; default: TLS preferred over TCP).
///
/// Searches use the HNSW index (approximate, as pgvector does; metadata filters are applied to its candidates)
/// unless `exact` is set, which scans the table.
public final class PostgresVectorIndex: VectorIndex, @unchecked Sendable {
    /// The URL without its password, for messages.
    public let location: String
    /// The embeddings' settings, as recorded in `<table>_info`.
    public private(set) var settings: IndexSettings
    /// Scan the whole table instead of the HNSW index.
    public var exact = false
    /// pgvector's `hnsw.ef_search`: candidates the HNSW search keeps (higher = better recall, slower).
    public var efSearch: Int

    private let client: PostgresClient
    private let hnswM: Int
    private let efConstruction: Int
    private let runner: Task<Void, Never>
    private let table: String
    /// pgvector's `vector` type in this database (an extension type: its OID differs between databases).
    private var vectorType = PostgresDataType(0)
    /// Library code never prints: swift-log's default handler writes to stdout, so this logger discards.
    private static let silent = Logger(label: "swift-bert.search.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    private let logger = PostgresVectorIndex.silent
    /// Seconds to wait for the first connection before calling the server unreachable (the pool itself would
    /// keep retrying).
    package static let connectTimeout: Double = 10

    /// Connects to `url` and opens (or creates, with `settings`) its table.
    /// - Throws: `SearchError.invalidOption` for a malformed URL, `.database` when the server cannot be reached or
    ///   refuses, `.modelMismatch` when the table holds another model's vectors.
    public init(url: String, creating settings: IndexSettings?) async throws {
        let parsed = try PostgresLocation(url)
        if let socket = parsed.socketPath, !FileManager.default.fileExists(atPath: socket) {
            throw SearchError.database(index: parsed.redacted, reason: "no PostgreSQL socket at \(socket); is the server running and the URL right?")
        }
        location = parsed.redacted
        table = parsed.table
        efSearch = parsed.efSearch
        hnswM = parsed.hnswM
        efConstruction = parsed.efConstruction
        client = PostgresClient(configuration: parsed.configuration, backgroundLogger: Self.silent)
        let client = client
        runner = Task { await client.run() }
        let (table, location, m, efc) = (table, location, parsed.hnswM, parsed.efConstruction)
        do {
            self.settings = try await Self.withTimeout(Self.connectTimeout, location: location) {
                try await Self.prepare(client, table: table, location: location, settings: settings, m: m, efConstruction: efc)
            }
            vectorType = try await Self.guardedStatic(location) {
                var oid: Int64?
                for try await value in try await client.query(PostgresQuery(unsafeSQL: "SELECT oid::int8 FROM pg_type WHERE typname = 'vector'")).decode(Int64.self) {
                    oid = value
                }
                guard let oid, let raw = UInt32(exactly: oid) else {
                    throw SearchError.database(index: location, reason: "the pgvector extension's vector type is missing")
                }
                return PostgresDataType(raw)
            }
        } catch {
            runner.cancel()
            throw error
        }
    }

    deinit { runner.cancel() }

    // MARK: VectorIndex

    public func count() async throws -> Int {
        try await guarded {
            var count = 0
            for try await value in try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).decode(Int.self) {
                count = value
            }
            return count
        }
    }

    public func existingIds(_ ids: [String]) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try await guarded {
            var binds = PostgresBindings()
            binds.append(ids)
            var found = Set<String>()
            let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT id FROM \(table) WHERE id = ANY($1)", binds: binds))
            for try await id in rows.decode(String.self) { found.insert(id) }
            return found
        }
    }

    @discardableResult
    public func add(_ documents: [IndexDocument]) async throws -> Int {
        var seen = Set<String>()
        for document in documents {
            guard seen.insert(document.id).inserted else { throw SearchError.duplicateId(id: document.id) }
            guard document.vector.count == settings.dimension else {
                throw SearchError.dimensionMismatch(index: location, id: document.id, expected: settings.dimension, found: document.vector.count)
            }
        }
        guard !documents.isEmpty else { return 0 }
        let statements = try Self.insertStatements(documents, table: table, vectorType: vectorType)
        return try await guarded {
            try await client.withTransaction(logger: logger) { connection in
                var added = 0
                for statement in statements {
                    for try await _ in try await connection.query(statement, logger: logger).decode(Int64.self) { added += 1 }
                }
                return added
            }
        }
    }

    @discardableResult
    public func remove(ids: [String]) async throws -> Int {
        try await guarded {
            var binds = PostgresBindings()
            binds.append(ids)
            var removed = 0
            let rows = try await client.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE id = ANY($1) RETURNING rowid", binds: binds))
            for try await _ in rows.decode(Int64.self) { removed += 1 }
            return removed
        }
    }

    public func search(_ query: [Float], topK: Int, filter: [String: String] = [:]) async throws -> [SearchHit] {
        guard query.count == settings.dimension else {
            throw SearchError.dimensionMismatch(index: location, id: "(query)", expected: settings.dimension, found: query.count)
        }
        guard topK > 0 else { return [] }
        var binds = PostgresBindings()
        binds.append(Self.vectorLiteral(query))
        var conditions: [String] = []
        for (key, value) in filter.sorted(by: { $0.key < $1.key }) {
            binds.append(key)
            binds.append(value)
            conditions.append("metadata ->> $\(binds.count - 1) = $\(binds.count)")
        }
        binds.append(topK)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let exact = exact, efSearch = max(efSearch, topK)
        // PostgreSQL walks the HNSW index only for an ORDER BY on the distance alone: the exact scan breaks ties by
        // insertion order, the approximate one cannot.
        let sql = """
            SELECT id, text, metadata::text, (-(embedding <#> $1::vector))::float8 FROM \(table) \(whereClause)
            ORDER BY embedding <#> $1::vector\(exact ? ", rowid" : "") LIMIT $\(binds.count)
            """
        return try await guarded {
            try await client.withTransaction(logger: logger) { connection in
                // SET LOCAL lasts until the transaction ends.
                if exact {
                    try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL enable_indexscan = off"), logger: logger)
                } else {
                    try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL hnsw.ef_search = \(efSearch)"), logger: logger)
                }
                var hits: [SearchHit] = []
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                for try await (id, text, metadata, score) in rows.decode((String, String, String?, Double).self) {
                    var object = JSONObject()
                    if let metadata, case let .object(o)? = try? JSONValue.parse(metadata) { object = o }
                    hits.append(SearchHit(id: id, text: text, metadata: object, score: Float(score)))
                }
                return hits
            }
        }
    }

    // MARK: Set-up

    private static func prepare(_ client: PostgresClient, table: String, location: String, settings: IndexSettings?,
                                m: Int, efConstruction: Int) async throws -> IndexSettings {
        try await guardedStatic(location) {
            let exists = try await tableExists(client, "\(table)_info")
            if exists {
                var info: [String: String] = [:]
                for try await (key, value) in try await client.query(PostgresQuery(unsafeSQL: "SELECT key, value FROM \(table)_info")).decode((String, String).self) {
                    info[key] = value
                }
                let stored = try IndexSettings(info: info, location: location)
                if let settings { try stored.check(against: settings, location: location) }
                // A bulk load killed before `finishBulkLoad` left the table without its HNSW index: build it now.
                _ = try await client.query(PostgresQuery(unsafeSQL: hnswStatement(table, m: m, efConstruction: efConstruction)))
                return stored
            }
            guard let settings else {
                throw SearchError.notAnIndex(path: location, reason: "there is no table \(table)_info; create it with `bert index add`")
            }
            guard settings.quantization == .none else {
                throw SearchError.invalidOption("PostgreSQL indexes keep float32 vectors under pgvector's HNSW index; omit --quantization")
            }
            guard settings.dimension <= 16000 else { throw SearchError.invalidOption("pgvector holds at most 16,000 dimensions") }
            let statements = [
                "CREATE EXTENSION IF NOT EXISTS vector",
                "CREATE TABLE IF NOT EXISTS \(table) (rowid bigserial PRIMARY KEY, id text UNIQUE NOT NULL, text text NOT NULL, metadata jsonb, embedding vector(\(settings.dimension)) NOT NULL)",
                hnswStatement(table, m: m, efConstruction: efConstruction),
                "CREATE TABLE IF NOT EXISTS \(table)_info (key text PRIMARY KEY, value text NOT NULL)",
            ]
            try await client.withTransaction(logger: silent) { connection in
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: silent) }
                for (key, value) in settings.info {
                    var binds = PostgresBindings()
                    binds.append(key)
                    binds.append(value)
                    try await connection.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table)_info (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", binds: binds),
                                               logger: silent)
                }
            }
            return settings
        }
    }

    /// `body`, or `SearchError.database` when it has not finished after `seconds`.
    private static func withTimeout<T: Sendable>(_ seconds: Double, location: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw SearchError.database(index: location, reason: "no answer from PostgreSQL within \(Int(seconds)) s; is the server running and the URL right?")
            }
            return value
        }
    }

    private static func tableExists(_ client: PostgresClient, _ name: String) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(name)
        var found = false
        for try await _ in try await client.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM pg_tables WHERE tablename = $1", binds: binds)).decode(Int.self) {
            found = true
        }
        return found
    }

    /// Multi-row INSERTs of at most 1,000 rows (PostgreSQL takes up to 65,535 parameters a statement), vectors
    /// sent in pgvector's binary form (no decimal printing here nor parsing in the server).
    static func insertStatements(_ documents: [IndexDocument], table: String, vectorType: PostgresDataType) throws -> [PostgresQuery] {
        try stride(from: 0, to: documents.count, by: 1000).map { start in
            var binds = PostgresBindings()
            var rows: [String] = []
            for document in documents[start..<min(start + 1000, documents.count)] {
                let n = binds.count
                binds.append(document.id)
                binds.append(document.text)
                binds.append(document.metadata.isEmpty ? nil : String(decoding: try JSONValue.object(document.metadata).serialized(), as: UTF8.self))
                binds.append(BinaryVector(values: document.vector, type: vectorType))
                rows.append("($\(n + 1), $\(n + 2), $\(n + 3)::jsonb, $\(n + 4))")
            }
            return PostgresQuery(unsafeSQL: "INSERT INTO \(table) (id, text, metadata, embedding) VALUES " + rows.joined(separator: ", ")
                                 + " ON CONFLICT (id) DO NOTHING RETURNING rowid", binds: binds)
        }
    }

    /// A vector in pgvector's binary wire form (`vector_recv`): dimension and a zero as big-endian int16, then the
    /// values as big-endian float32; non-finite values are sent as 0, as `vectorLiteral` writes them.
    struct BinaryVector: PostgresDynamicTypeEncodable {
        let values: [Float]
        let type: PostgresDataType
        var psqlType: PostgresDataType { type }
        var psqlFormat: PostgresFormat { .binary }

        func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
            buffer.reserveCapacity(minimumWritableBytes: 4 + 4 * values.count)
            buffer.writeInteger(Int16(truncatingIfNeeded: values.count), endianness: .big)
            buffer.writeInteger(Int16(0), endianness: .big)
            for value in values { buffer.writeInteger((value.isFinite ? value : 0).bitPattern, endianness: .big) }
        }
    }

    /// pgvector's text form, `[x,y,...]`, each float in its shortest exact decimal form.
    static func vectorLiteral(_ vector: [Float]) -> String {
        "[" + vector.map { $0.isFinite ? "\($0)" : "0" }.joined(separator: ",") + "]"
    }

    // MARK: Errors

    /// Starts a bulk load: when the table is still empty its HNSW index is dropped, so rows go in without
    /// incremental graph inserts, and `finishBulkLoad` builds the graph once over all of them (pgvector's advice:
    /// several times faster). Returns whether the index was dropped. A run killed in between leaves a correct,
    /// unindexed table (searches scan it); the next open builds the index.
    @discardableResult
    public func beginBulkLoad() async throws -> Bool {
        guard try await count() == 0 else { return false }
        try await guarded { _ = try await client.query(PostgresQuery(unsafeSQL: "DROP INDEX IF EXISTS \(table)_hnsw")) }
        return true
    }

    /// Builds the HNSW index if it is missing, with `maintenance_work_mem` sized so the graph fits in memory (pgvector
    /// builds far slower once it does not) and with the server's `max_parallel_maintenance_workers` (pgvector ≥ 0.6
    /// builds in parallel; PostgreSQL's planner gives tables under 8 MB no workers unless the table asks for them, so
    /// it asks for the length of the build, in one transaction).
    public func finishBulkLoad() async throws {
        let rows = try await count()
        let bytes = Double(rows) * Double(settings.dimension * 4 + hnswM * 16 + 64) * 1.5
        let megabytes = Int(min(max(bytes / 1_048_576, 64), 4096))
        let statement = Self.hnswStatement(table, m: hnswM, efConstruction: efConstruction)
        try await guarded {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL maintenance_work_mem = '\(megabytes)MB'"), logger: logger)
                var workers = 0
                for try await setting in try await connection.query(PostgresQuery(unsafeSQL: "SHOW max_parallel_maintenance_workers"), logger: logger).decode(String.self) {
                    workers = min(Int(setting) ?? 0, 64)
                }
                if workers > 0 {
                    try await connection.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) SET (parallel_workers = \(workers))"), logger: logger)
                }
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                if workers > 0 {
                    try await connection.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) RESET (parallel_workers)"), logger: logger)
                }
            }
        }
    }

    private static func hnswStatement(_ table: String, m: Int, efConstruction: Int) -> String {
        "CREATE INDEX IF NOT EXISTS \(table)_hnsw ON \(table) USING hnsw (embedding vector_ip_ops) WITH (m = \(m), ef_construction = \(efConstruction))"
    }

    /// Drops the index's tables (benchmarks clean up after themselves).
    package func dropTables() async throws {
        try await guarded {
            _ = try await client.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(table), \(table)_info"))
        }
    }

    private func guarded<T>(_ body: () async throws -> T) async throws -> T { try await Self.guardedStatic(location, body) }

    private static func guardedStatic<T>(_ location: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as SearchError { throw error } catch let error as PSQLError {
            if let message = error.serverInfo?[.message] {
                throw SearchError.database(index: location, reason: "PostgreSQL: \(message)")
            }
            throw SearchError.database(index: location, reason: "cannot reach PostgreSQL (\(error.code)); is the server running and the URL right?")
        } catch {
            throw SearchError.database(index: location, reason: "\(error)")
        }
    }
}
