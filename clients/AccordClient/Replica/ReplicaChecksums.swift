import AccordCore
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Keeps each collection's checksum of the server's state up to date as the replica changes, so proving the
/// replica equals the server costs one read instead of digesting every record.
///
/// The maintained sum is the one `RecordDigest` defines over the replica's server state: the visible rows of
/// records without a shadow row, plus the shadow rows that exist. SQLite triggers on both tables add and
/// subtract each row's digest, whichever statement changes it, so no write path can forget the bookkeeping.
/// `PRAGMA recursive_triggers` makes the rows that `INSERT OR REPLACE` removes fire their delete triggers.
enum ReplicaChecksums {
    static let table = "_checksums"

    /// Whether the insert triggers of visible rows count, as they do but while a snapshot batch is written: that
    /// batch adds its rows' digests itself, from the values it has in hand, with one update per collection.
    final class Counting: Sendable {
        private let on = Atomic<Bool>(true)
        var isOn: Bool { on.load(ordering: .relaxed) }

        /// Runs `body` with the insert triggers not counting.
        func suspended<T>(_ body: () throws -> T) rethrows -> T {
            on.store(false, ordering: .relaxed)
            defer { on.store(true, ordering: .relaxed) }
            return try body()
        }
    }

    /// Registers the SQL functions the triggers call, on every connection.
    static func prepare(_ db: Database, counting: Counting, catalog: Catalog) throws {
        try db.execute(sql: "PRAGMA recursive_triggers = ON")
        // In C rather than as GRDB `DatabaseFunction`s: the update trigger calls three of them for every row a pull page
        // updates, and a `DatabaseFunction` first copies every argument into a `DatabaseValue` and every text into a
        // `String`.
        // The catalog travels as the function's user data, retained by SQLite until the connection drops it.
        let box = Unmanaged.passRetained(CatalogBox(catalog)).toOpaque()
        let code = sqlite3_create_function_v2(
            db.sqliteConnection, "accord_digest", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, box,
            { context, count, arguments in ReplicaChecksums.digest(context, Int(count), arguments) }, nil, nil,
            { box in box.map { Unmanaged<CatalogBox>.fromOpaque($0).release() } }
        )
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not register accord_digest") }
        // Wrapping arithmetic: SQLite's own `+` turns an overflowing integer into a float.
        try register("accord_add", arguments: 2, in: db) { context, _, arguments in
            sqlite3_result_int64(context, Int64(bitPattern: ReplicaChecksums.bits(arguments?[0]) &+ ReplicaChecksums.bits(arguments?[1])))
        }
        try register("accord_subtract", arguments: 2, in: db) { context, _, arguments in
            sqlite3_result_int64(context, Int64(bitPattern: ReplicaChecksums.bits(arguments?[0]) &- ReplicaChecksums.bits(arguments?[1])))
        }
        db.add(function: DatabaseFunction("accord_counting", argumentCount: 0, pure: false) { _ in counting.isOn })
    }

    /// Adds digests counted outside the triggers to a collection's sum.
    static func add(_ sum: CollectionChecksum, to schema: CollectionSchema, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE \(table) SET checksum = accord_add(checksum, ?), rows = rows + ? WHERE collection = ?")
            .execute(arguments: [Int64(bitPattern: sum.checksum), sum.rows, schema.name])
    }

    /// The digest the triggers would compute for a visible row written with these column values, in field order.
    static func digest(id: String, seq: Int64, columns: [DatabaseValue], _ schema: CollectionSchema) -> UInt64 {
        var builder = RecordDigest.Builder(idText: id, seq: seq)
        for (field, column) in zip(schema.fields, columns) { builder.add(field, field.type.value(of: column)) }
        return builder.hash
    }

    private static func register(
        _ name: String, arguments: Int32, in db: Database,
        _ function: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void
    ) throws {
        let code = sqlite3_create_function_v2(db.sqliteConnection, name, arguments, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, function, nil, nil, nil)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not register \(name)") }
    }

    /// `accord_digest(collection, id, seq, field…)`: the record's digest as a signed 64-bit bit pattern.
    private static func digest(_ context: OpaquePointer?, _ count: Int, _ arguments: UnsafeMutablePointer<OpaquePointer?>?) {
        let catalog = sqlite3_user_data(context).map { Unmanaged<CatalogBox>.fromOpaque($0).takeUnretainedValue().catalog }
        guard let arguments, count >= 3, let schema = catalog?.named(matching: text(arguments[0])), count == 3 + schema.fields.count else {
            sqlite3_result_error(context, "accord_digest needs a collection, an id, a seq and the collection's fields", -1)
            return
        }
        let id = text(arguments[1])
        let seq = sqlite3_value_type(arguments[2]) == SQLITE_INTEGER ? sqlite3_value_int64(arguments[2]) : 0
        // Ids are stored in lower case; one that is not is digested as its lowercase spelling.
        var builder = id.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
            ? RecordDigest.Builder(idText: String(decoding: id, as: UTF8.self).lowercased(), seq: seq)
            : RecordDigest.Builder(idText: id, seq: seq)
        for (index, field) in schema.fields.enumerated() {
            let value = arguments[3 + index]
            switch sqlite3_value_type(value) {
            case SQLITE_NULL: builder.add(field, .null)
            case SQLITE_INTEGER: builder.add(field, field.type.value(ofInteger: sqlite3_value_int64(value)))
            case SQLITE_FLOAT: builder.add(field, .double(sqlite3_value_double(value)))
            default: builder.add(field, text: text(value))
            }
        }
        sqlite3_result_int64(context, Int64(bitPattern: builder.hash))
    }

    /// A text (or blob) argument's bytes, valid until the function returns.
    private static func text(_ value: OpaquePointer?) -> UnsafeRawBufferPointer {
        // The bytes are counted after asking for the text, which is when SQLite has converted the value to it.
        guard let bytes = sqlite3_value_text(value) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_value_bytes(value)))
    }

    /// An integer argument's bits; NULL, text, and a float that is not a whole number count as zero.
    private static func bits(_ value: OpaquePointer?) -> UInt64 {
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER: UInt64(bitPattern: sqlite3_value_int64(value))
        case SQLITE_FLOAT: Int64(exactly: sqlite3_value_double(value)).map { UInt64(bitPattern: $0) } ?? 0
        default: 0
        }
    }

    /// Replaces the collection's triggers with this version's and recounts its sum.
    static func reinstall(for schema: CollectionSchema, in db: Database) throws {
        for suffix in ["visible_insert", "visible_update", "visible_delete", "shadow_insert", "shadow_update", "shadow_delete"] {
            try db.execute(sql: "DROP TRIGGER IF EXISTS \("\(schema.name)_checksum_\(suffix)".quotedDatabaseIdentifier)")
        }
        try install(for: schema, in: db)
    }

    /// Creates the checksum table when missing and the collection's triggers, then sets its sum from the rows.
    static func install(for schema: CollectionSchema, in db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(table) (
                collection TEXT PRIMARY KEY NOT NULL,
                checksum   INTEGER NOT NULL DEFAULT 0,
                rows       INTEGER NOT NULL DEFAULT 0
            )
            """)
        try db.execute(sql: triggers(for: schema))
        try recount(schema, in: db)
    }

    static func recount(_ schema: CollectionSchema, in db: Database) throws {
        let sum = try computed(for: schema, in: db)
        try db.execute(
            sql: "INSERT OR REPLACE INTO \(table) (collection, checksum, rows) VALUES (?, ?, ?)",
            arguments: [schema.name, Int64(bitPattern: sum.checksum), sum.rows]
        )
    }

    /// The maintained checksums.
    static func maintained(in db: Database) throws -> [String: CollectionChecksum] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT collection, checksum, rows FROM \(table)")).reduce(into: [:]) { result, row in
            result[row["collection"]] = CollectionChecksum(checksum: UInt64(bitPattern: row["checksum"]), rows: row["rows"])
        }
    }

    /// The checksum computed from every row, for installing the triggers and for a deep check of the bookkeeping.
    static func computed(for schema: CollectionSchema, in db: Database) throws -> CollectionChecksum {
        var checksum = CollectionChecksum()
        let visible = try Row.fetchCursor(
            db, sql: "SELECT \(schema.selectedColumns) FROM \(schema.quotedTable) WHERE id NOT IN (SELECT id FROM \(schema.quotedShadowTable))"
        )
        while let row = try visible.next() { checksum.add(digest(row, schema)) }
        let shadows = try Row.fetchCursor(db, sql: "SELECT \(schema.selectedColumns) FROM \(schema.quotedShadowTable) WHERE _exists = 1")
        while let row = try shadows.next() { checksum.add(digest(row, schema)) }
        return checksum
    }

    private static func digest(_ row: Row, _ schema: CollectionSchema) -> UInt64 {
        RecordDigest.digest(idText: (row[0] as String).lowercased(), seq: row[1], fields: schema.fields(of: row), schema: schema)
    }

    private static func triggers(for schema: CollectionSchema) -> String {
        let name = schema.name
        let literal = "'\(name.replacingOccurrences(of: "'", with: "''"))'"
        let (visible, shadow) = (schema.quotedTable, schema.quotedShadowTable)
        let digested = (["_seq"] + schema.fields.map(\.name)).map(\.quotedDatabaseIdentifier)
        let digestColumns = digested.joined(separator: ", ")
        func digest(_ row: String) -> String {
            "accord_digest(\(literal), \(row).id, \(digested.map { "\(row).\($0)" }.joined(separator: ", ")))"
        }
        func trigger(_ suffix: String) -> String { "\(name)_checksum_\(suffix)".quotedDatabaseIdentifier }
        let update = "UPDATE \(table) SET"
        let mine = "WHERE collection = \(literal)"
        let visibleDigest = "(SELECT \(digest("v")) FROM \(visible) v WHERE v.id"
        let visibleCount = "(SELECT count(*) FROM \(visible) v WHERE v.id"
        return """
            CREATE TRIGGER IF NOT EXISTS \(trigger("visible_insert")) AFTER INSERT ON \(visible)
            WHEN accord_counting() AND NOT EXISTS (SELECT 1 FROM \(shadow) WHERE id = NEW.id) BEGIN
                \(update) checksum = accord_add(checksum, \(digest("NEW"))), rows = rows + 1 \(mine);
            END;
            CREATE TRIGGER IF NOT EXISTS \(trigger("visible_update")) AFTER UPDATE OF \(digestColumns) ON \(visible)
            WHEN NOT EXISTS (SELECT 1 FROM \(shadow) WHERE id = NEW.id) BEGIN
                \(update) checksum = accord_add(accord_subtract(checksum, \(digest("OLD"))), \(digest("NEW"))) \(mine);
            END;
            CREATE TRIGGER IF NOT EXISTS \(trigger("visible_delete")) AFTER DELETE ON \(visible)
            WHEN NOT EXISTS (SELECT 1 FROM \(shadow) WHERE id = OLD.id) BEGIN
                \(update) checksum = accord_subtract(checksum, \(digest("OLD"))), rows = rows - 1 \(mine);
            END;
            CREATE TRIGGER IF NOT EXISTS \(trigger("shadow_insert")) AFTER INSERT ON \(shadow) BEGIN
                \(update) checksum = accord_subtract(checksum, \(visibleDigest) = NEW.id)), rows = rows - \(visibleCount) = NEW.id) \(mine);
                \(update) checksum = accord_add(checksum, \(digest("NEW"))), rows = rows + 1 \(mine) AND NEW._exists = 1;
            END;
            CREATE TRIGGER IF NOT EXISTS \(trigger("shadow_update")) AFTER UPDATE OF _exists, \(digestColumns) ON \(shadow) BEGIN
                \(update) checksum = accord_subtract(checksum, \(digest("OLD"))), rows = rows - 1 \(mine) AND OLD._exists = 1;
                \(update) checksum = accord_add(checksum, \(digest("NEW"))), rows = rows + 1 \(mine) AND NEW._exists = 1;
            END;
            CREATE TRIGGER IF NOT EXISTS \(trigger("shadow_delete")) AFTER DELETE ON \(shadow) BEGIN
                \(update) checksum = accord_subtract(checksum, \(digest("OLD"))), rows = rows - 1 \(mine) AND OLD._exists = 1;
                \(update) checksum = accord_add(checksum, \(visibleDigest) = OLD.id)), rows = rows + \(visibleCount) = OLD.id) \(mine);
            END;
            """
    }
}

/// The catalog as SQLite's user data for `accord_digest`, which is a C function and cannot capture it.
private final class CatalogBox {
    let catalog: Catalog
    init(_ catalog: Catalog) { self.catalog = catalog }
}
