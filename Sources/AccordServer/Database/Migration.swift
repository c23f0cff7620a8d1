public import Foundation

/// One numbered SQL file from `migrations/`, such as `0001_tenancy.sql`.
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations shipped with the server, in version order.
    public static func bundled() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "migrations", withExtension: nil) else {
            throw ConfigurationError("the server was built without its migrations folder")
        }
        return try load(from: directory)
    }

    /// Reads `NNNN_name.sql` files in version order; any other file name is an error, so none is skipped silently.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        let migrations = try files.map { file in
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw ConfigurationError("migration file \(file) must be named NNNN_description.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql)
        }.sorted { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw ConfigurationError("two migrations share version \(next.version): \(previous.name) and \(next.name)")
        }
        return migrations
    }
}
