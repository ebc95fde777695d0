internal import CSQLite

/// A failed SQLite call: the result code, SQLite's message and the statement that failed.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?

    public var description: String {
        if let sql { return "database error \(code): \(message) (in: \(sql.prefix(120)))" }
        return "database error \(code): \(message)"
    }
}

/// One SQLite connection. Not Sendable: the store that owns it serialises access.
final class SQLiteConnection {
    let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    /// The ledger's head (sequence, hash) as this connection last wrote it, valid inside one write
    /// transaction only (another process may append between transactions).
    var ledgerHead: (sequence: Int64, hash: String)?

    init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw DatabaseError(code: code, message: "\(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5_000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ code: Int32, sql: String? = nil) -> DatabaseError {
        DatabaseError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements that take no parameters.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw DatabaseError(code: code, message: text, sql: sql)
        }
    }

    /// A prepared statement, cached by its text.
    func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        let statement = try SQLiteStatement(connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        ledgerHead = nil
        defer { ledgerHead = nil }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

/// A value bound to or read from a statement.
enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String
    unowned let connection: SQLiteConnection

    init(connection: SQLiteConnection, sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw connection.error(code, sql: sql) }
        handle = statement
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// The result columns by name (as the SQL names them: `AS alias` or the bare column).
    lazy var columnIndex: [String: Int32] = {
        var names: [String: Int32] = [:]
        for column in 0..<sqlite3_column_count(handle) {
            if let name = sqlite3_column_name(handle, column) { names[String(cString: name)] = column }
        }
        return names
    }()

    /// The index of a result column, or an error naming the statement: a query and the code
    /// reading it disagree, which a test catches at once.
    func column(_ name: String) throws -> Int32 {
        guard let index = columnIndex[name] else {
            throw DatabaseError(code: -1, message: "no result column '\(name)'", sql: sql)
        }
        return index
    }

    /// Runs a query and hands each row to `body` as it is stepped: nothing is collected, so
    /// memory stays flat in the number of rows. `body` returns false to stop early.
    func forEach(_ values: [SQLValue] = [], _ body: (Row) throws -> Bool) throws {
        try withBindings(values) {
            while try step() {
                if try !body(Row(statement: self)) { break }
            }
        }
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    @discardableResult
    func bind(_ values: [SQLValue]) -> SQLiteStatement {
        for (offset, value) in values.enumerated() { bind(value, at: Int32(offset + 1)) }
        return self
    }

    func bind(_ value: SQLValue, at index: Int32) {
        switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .integer(let number): sqlite3_bind_int64(handle, index, number)
        case .real(let number): sqlite3_bind_double(handle, index, number)
        case .text(let text): sqlite3_bind_text(handle, index, text, -1, custody_sqlite_transient())
        }
    }

    /// Steps once; true when a row is available.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(code, sql: sql)
        }
    }

    /// Runs a statement that returns no rows.
    func run(_ values: [SQLValue] = []) throws {
        try withBindings(values) { while try step() {} }
    }

    /// Runs a statement with `values` and then `extra` (numbers, no text) as its parameters.
    func run(_ values: [SQLValue], then extra: [SQLValue]) throws {
        try withBindings(values) {
            for (offset, value) in extra.enumerated() { bind(value, at: Int32(values.count + offset + 1)) }
            while try step() {}
        }
    }

    /// Runs a query and maps each row.
    func rows<T>(_ values: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        var out: [T] = []
        try withBindings(values) {
            while try step() { out.append(try map(Row(statement: self))) }
        }
        return out
    }

    /// Binds `values` without copying text (SQLite reads the Swift strings in place while
    /// `body` steps), then resets, so no binding outlives the strings it points to.
    private func withBindings(_ values: [SQLValue], _ body: () throws -> Void) throws {
        sqlite3_reset(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        try bind(values, from: 0, body)
    }

    private func bind(_ values: [SQLValue], from index: Int, _ body: () throws -> Void) throws {
        guard index < values.count else { return try body() }
        if case .text(let text) = values[index] {
            try text.withCString { pointer in
                sqlite3_bind_text(handle, Int32(index + 1), pointer, -1, nil)  // nil: SQLITE_STATIC
                try bind(values, from: index + 1, body)
            }
        } else {
            bind(values[index], at: Int32(index + 1))
            try bind(values, from: index + 1, body)
        }
    }

    struct Row {
        let statement: SQLiteStatement

        /// Columns read by name (through the statement's column map).
        func text(_ name: String) throws -> String? { text(try statement.column(name)) }
        func int(_ name: String) throws -> Int64 { int(try statement.column(name)) }
        func optionalInt(_ name: String) throws -> Int64? { optionalInt(try statement.column(name)) }
        func double(_ name: String) throws -> Double? { double(try statement.column(name)) }

        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement.handle, column) == SQLITE_NULL }
        func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement.handle, column) }
        func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
        func double(_ column: Int32) -> Double? {
            isNull(column) ? nil : sqlite3_column_double(statement.handle, column)
        }
        /// The column's UTF-8 bytes without making a String; valid until the next step.
        func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
            guard let pointer = sqlite3_column_text(statement.handle, column) else { return nil }
            return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement.handle, column)))
        }

        func text(_ column: Int32) -> String? {
            guard let pointer = sqlite3_column_text(statement.handle, column) else { return nil }
            let length = Int(sqlite3_column_bytes(statement.handle, column))
            return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
        }
    }
}
