import GRDB
import GRDBSQLite

extension Statement {
    /// Binds `values` to the statement's parameters in order and runs it to the end.
    ///
    /// For the statements run once per pulled change or snapshot record: `StatementArguments` boxes every value
    /// as an existential, which for a snapshot's or a catch-up's rows cost more than SQLite's own work for them.
    func execute(binding values: [DatabaseValue]) throws {
        let statement = sqliteStatement
        guard values.count == Int(sqlite3_bind_parameter_count(statement)) else {
            throw DatabaseError(message: "\(values.count) values for the \(sqlite3_bind_parameter_count(statement)) parameters of \(sql)")
        }
        sqlite3_reset(statement)
        for (offset, value) in values.enumerated() {
            let code = value.bind(to: statement, at: CInt(offset + 1))
            guard code == SQLITE_OK else { throw error(code) }
        }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                sqlite3_reset(statement)
                throw error(code)
            }
        }
        sqlite3_reset(statement)
    }

    private func error(_ code: CInt) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }
}
