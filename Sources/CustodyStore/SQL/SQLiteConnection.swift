internal import CSQLite
import Foundation

/// One SQLite connection: the embedded engine of ``SQLStore``, a file in WAL mode.
final class SQLiteConnection: SQLConnection {
    let handle: OpaquePointer
    let dialect = SQLDialect.sqlite
    var ledgerHead: (sequence: Int64, hash: String)?
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (creating if needed) the file at `path`.
    init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw DatabaseError(code: code, message: "\(path): \(message)")
        }
        guard sqlite3_db_readonly(db, "main") != 1 else {
            // SQLite opens a file it cannot write read-only; the store cannot even read it so
            // (its journal, beside the file, must be written), and says why at once.
            sqlite3_close_v2(db)
            throw DatabaseError(
                code: SQLITE_READONLY,
                message: "\(path): the file or its folder is read-only (the store writes its journal beside it)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5_000)
        sqlite3_extended_result_codes(db, 1)
        // Two connections turning a new file to WAL at once: SQLite answers the one that would
        // deadlock busy at once, without its busy handler; it tries again shortly (5 s in all).
        var attempts = 0
        while true {
            do {
                try execute(
                    """
                    PRAGMA page_size = 16384;
                    PRAGMA journal_mode = WAL;
                    PRAGMA synchronous = NORMAL;
                    PRAGMA foreign_keys = ON;
                    PRAGMA temp_store = MEMORY;
                    PRAGMA cache_size = -65536;
                    """)
                return
            } catch let error as DatabaseError where error.code & 0xFF == SQLITE_BUSY && attempts < 100 {
                attempts += 1
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ code: Int32, sql: String? = nil) -> DatabaseError {
        DatabaseError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw DatabaseError(code: code, message: text, sql: sql)
        }
    }

    func statement(_ sql: String) throws -> any SQLStatement {
        if let cached = statements[sql] { return cached }
        let statement = try SQLiteStatement(connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// BEGIN IMMEDIATE takes the write lock at once, so two writers queue (busy timeout) instead
    /// of one failing at its first write.
    func transaction<T>(serialised: Bool, _ body: () throws -> T) throws -> T {
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

    func withMigrationLock<T>(_ body: () throws -> T) throws -> T { try body() }
    func isTransient(_ error: any Error) -> Bool { false }
    func recover(after error: any Error) throws {}

    /// SQLite's query plan for `sql`, for tests that check an index is there and used.
    func queryPlan(_ sql: String) throws -> String {
        try statement("EXPLAIN QUERY PLAN " + sql).rows([]) { $0.text(3) ?? "" }.joined(separator: "\n")
    }
}

final class SQLiteStatement: SQLStatement {
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

    private lazy var columnIndex: [String: Int32] = {
        var names: [String: Int32] = [:]
        for column in 0..<sqlite3_column_count(handle) {
            if let name = sqlite3_column_name(handle, column) { names[String(cString: name)] = column }
        }
        return names
    }()

    func columnNames() throws -> [String] {
        (0..<sqlite3_column_count(handle)).map { String(cString: sqlite3_column_name(handle, $0)) }
    }

    func column(_ name: String) throws -> Int32 {
        guard let index = columnIndex[name] else {
            throw DatabaseError(code: -1, message: "no result column '\(name)'", sql: sql)
        }
        return index
    }

    /// Binds `values` without copying text (SQLite reads the Swift strings in place while the
    /// rows are stepped), then resets, so no binding outlives the strings it points to.
    func forEach(_ values: [SQLValue], _ body: (any SQLRow) throws -> Bool) throws {
        sqlite3_reset(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        try bind(values, from: 0) {
            let row = SQLiteRow(statement: self)
            while try step() {
                if try !body(row) { break }
            }
        }
    }

    /// Steps the statement to its end (every row it returns is dropped).
    func run(_ values: [SQLValue]) throws {
        try forEach(values) { _ in true }
    }

    func insert(_ values: [SQLValue]) throws -> Int64 {
        try forEach(values) { _ in true }
        return sqlite3_last_insert_rowid(connection.handle)
    }

    private func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(code, sql: sql)
        }
    }

    private func bind(_ values: [SQLValue], from index: Int, _ body: () throws -> Void) throws {
        guard index < values.count else { return try body() }
        let position = Int32(index + 1)
        switch values[index] {
        case .text(let text):
            try text.withCString { pointer in
                sqlite3_bind_text(handle, position, pointer, -1, nil)  // nil: SQLITE_STATIC
                try bind(values, from: index + 1, body)
            }
            return
        case .null: sqlite3_bind_null(handle, position)
        case .integer(let number): sqlite3_bind_int64(handle, position, number)
        case .real(let number): sqlite3_bind_double(handle, position, number)
        }
        try bind(values, from: index + 1, body)
    }
}

struct SQLiteRow: SQLRow {
    let statement: SQLiteStatement

    func column(_ name: String) throws -> Int32 { try statement.column(name) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement.handle, column) == SQLITE_NULL }
    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement.handle, column) }
    func bool(_ column: Int32) -> Bool { int(column) != 0 }
    func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(statement.handle, column) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer(int(column))
        case SQLITE_FLOAT: .real(sqlite3_column_double(statement.handle, column))
        default: .optional(text(column))
        }
    }
    func double(_ column: Int32) -> Double? {
        isNull(column) ? nil : sqlite3_column_double(statement.handle, column)
    }
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let pointer = sqlite3_column_text(statement.handle, column) else { return nil }
        return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement.handle, column)))
    }
    func text(_ column: Int32) -> String? {
        guard let bytes = bytes(column) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
