import Foundation
import PostgresNIO

/// A PostgreSQL index location parsed from its URL (see `PostgresVectorIndex`).
struct PostgresLocation {
    var configuration: PostgresClient.Configuration
    var table: String
    var hnswM = 16
    var efConstruction = 64
    var efSearch = 40
    /// The URL with the password replaced by `***`.
    var redacted: String
    /// The Unix socket, when the URL names one.
    var socketPath: String?

    /// Whether `location` names a PostgreSQL index rather than a file.
    static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    init(_ url: String) throws {
        guard Self.isPostgres(url), let components = URLComponents(string: url) else {
            throw SearchError.invalidOption("\(url): not a postgres:// URL")
        }
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] { options[item.name] = item.value ?? "" }
        table = options["table"] ?? "documents"
        let first = table.unicodeScalars.first.map { CharacterSet.lowercaseLetters.contains($0) || $0 == "_" } ?? false
        guard first, table.count <= 48, table.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            throw SearchError.invalidOption("table=\(table): use lowercase letters, digits and _ (at most 48), starting with a letter")
        }
        func number(_ key: String, _ range: ClosedRange<Int>, _ fallback: Int) throws -> Int {
            guard let text = options[key] else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw SearchError.invalidOption("\(key)=\(text): give a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        hnswM = try number("hnsw_m", 2...100, 16)
        efConstruction = try number("ef_construction", 4...1000, 64)
        efSearch = try number("ef_search", 1...1000, 40)
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.password.flatMap { $0.removingPercentEncoding }
        var database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        if database.isEmpty { database = user }
        let port = components.port ?? 5432
        if let socketFolder = options["host"], socketFolder.hasPrefix("/") {
            socketPath = socketFolder + "/.s.PGSQL.\(port)"
            configuration = .init(unixSocketPath: socketPath!, username: user, password: password, database: database)
        } else {
            let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
            let tls: PostgresClient.Configuration.TLS
            switch options["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "require": tls = .require(.makeClientConfiguration())
            default: tls = .prefer(.makeClientConfiguration())
            }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        var shown = components
        if shown.password != nil { shown.password = "***" }
        redacted = shown.string ?? url
    }
}
