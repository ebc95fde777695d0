/// The little the store needs of a database: prepared statements with positional parameters,
/// rows read by column, and transactions. Every query of the store is written once against it;
/// each engine (SQLite now) implements it in one file, and the SQL that differs between engines
/// lives in ``SQLDialect``.
///
/// Connections are not thread-safe: the store that owns one serialises access.
protocol SQLConnection: AnyObject {
    /// The engine's spelling of what differs (types, functions, append-only rules).
    var dialect: SQLDialect { get }
    /// The ledger's head (sequence, hash) as this connection last wrote it, valid inside one write
    /// transaction only (another writer may append between transactions).
    var ledgerHead: (sequence: Int64, hash: String)? { get set }
    /// A prepared statement, cached by its text. Parameters are `?` (or `?N`), in order.
    func statement(_ sql: String) throws -> any SQLStatement
    /// Runs one or more statements that take no parameters (schema steps, index builds).
    func execute(_ sql: String) throws
    /// Runs `body` in one write transaction: committed when it returns, rolled back when it
    /// throws. With `serialised`, writers are serialised for its whole length (every transaction
    /// that appends to the ledger or reads what it then changes); without, it takes only the row
    /// locks its statements take (a notification worker claiming deliveries with `SKIP LOCKED`
    /// goes on while an ingest holds the writer lock). SQLite serialises every write transaction.
    func transaction<T>(serialised: Bool, _ body: () throws -> T) throws -> T
    /// Runs `body` (the migrations) so that processes starting together apply each once: under
    /// a session lock on PostgreSQL; SQLite's write transactions already queue.
    func withMigrationLock<T>(_ body: () throws -> T) throws -> T
    /// The engine's plan for `sql`, for tests that check an index is there and used.
    func queryPlan(_ sql: String) throws -> String
    /// Whether a retry may cure `error`: a lost connection, a server shutting down or starting
    /// up, a serialisation failure or a deadlock (PostgreSQL). Never on SQLite, whose busy
    /// writers wait inside the engine.
    func isTransient(_ error: any Error) -> Bool
    /// Makes the connection usable after a transient failure, before the caller tries again: a
    /// lost connection is opened anew (waiting a bounded time for a server that is restarting)
    /// and what the old session held (prepared statements, pipeline, keys) is forgotten.
    func recover(after error: any Error) throws
}

/// A prepared statement. `forEach` binds the values, steps the rows and resets it, so no binding
/// outlives the call.
protocol SQLStatement: AnyObject {
    var sql: String { get }
    /// The index of a result column by the name the SQL gives it (`AS alias` or the bare column),
    /// or an error naming the statement: a query and the code reading it disagree.
    func column(_ name: String) throws -> Int32
    /// The result columns' names, in order.
    func columnNames() throws -> [String]
    /// Runs the statement with `values` and hands each row to `body` as it is produced: nothing is
    /// collected, so memory stays flat in the number of rows. `body` returns false to stop early.
    func forEach(_ values: [SQLValue], _ body: (any SQLRow) throws -> Bool) throws
    /// Runs an INSERT into a table with a generated `id` and returns the new row's id. (SQLite
    /// reads it back from the connection: `RETURNING` costs SQLite an allocation per row, which
    /// measured 1.9x slower for a million findings; PostgreSQL appends `RETURNING id`.)
    func insert(_ values: [SQLValue]) throws -> Int64
    /// Runs the statement for its effect. An engine may queue it and send it with the next ones
    /// (PostgreSQL's pipeline: no round trip per row); a failure then surfaces at the next
    /// statement that reads, or at commit, and fails the transaction as a whole.
    func run(_ values: [SQLValue]) throws
}

/// One row of a result, valid only inside the `forEach` body that received it.
protocol SQLRow {
    func isNull(_ column: Int32) -> Bool
    func int(_ column: Int32) -> Int64
    /// A truth value: a comparison in the select list (SQLite gives 0 or 1, PostgreSQL a boolean).
    func bool(_ column: Int32) -> Bool
    func double(_ column: Int32) -> Double?
    func text(_ column: Int32) -> String?
    /// The column's UTF-8 bytes without making a String; valid until the next row.
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>?
    /// The index of a result column by name (see ``SQLStatement/column(_:)``).
    func column(_ name: String) throws -> Int32
    /// The column as the value it holds, of the type the engine gives it (copying a store).
    func value(_ column: Int32) -> SQLValue
}

/// A value bound to or read from a statement.
enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
    static func optional(_ number: Int64?) -> SQLValue { number.map(SQLValue.integer) ?? .null }
    static func optional(_ number: Int?) -> SQLValue { number.map { .integer(Int64($0)) } ?? .null }
    static func optional(_ number: Double?) -> SQLValue { number.map(SQLValue.real) ?? .null }
}

/// A failed database call: the engine's code, its message and the statement that failed.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?
    /// PostgreSQL's SQLSTATE (`40001` a serialisation failure, `08006` a lost connection), nil
    /// for SQLite.
    public var state: String?

    public init(code: Int32, message: String, sql: String? = nil, state: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.state = state
    }

    public var description: String {
        if let sql { return "database error \(code): \(message) (in: \(sql.prefix(120)))" }
        return "database error \(code): \(message)"
    }
}

extension SQLConnection {
    /// A serialised write transaction (``transaction(serialised:_:)``).
    func transaction<T>(_ body: () throws -> T) throws -> T { try transaction(serialised: true, body) }
}

extension SQLStatement {
    /// Runs a statement for its effect with no parameters.
    func run() throws { try run([]) }

    /// Runs a query and maps each row.
    func rows<T>(_ values: [SQLValue] = [], _ map: (any SQLRow) throws -> T) throws -> [T] {
        var out: [T] = []
        try forEach(values) { row in
            out.append(try map(row))
            return true
        }
        return out
    }

    /// The first row mapped, or nil when there is none (the rest are not read).
    func first<T>(_ values: [SQLValue] = [], _ map: (any SQLRow) throws -> T) throws -> T? {
        var out: T?
        try forEach(values) { row in
            out = try map(row)
            return false
        }
        return out
    }
}

extension SQLRow {
    /// Columns read by name.
    func text(_ name: String) throws -> String? { text(try column(name)) }
    func int(_ name: String) throws -> Int64 { int(try column(name)) }
    func optionalInt(_ name: String) throws -> Int64? { optionalInt(try column(name)) }
    func double(_ name: String) throws -> Double? { double(try column(name)) }
    func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
}
