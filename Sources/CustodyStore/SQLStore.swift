import CustodyCore
import Foundation

/// The store: every query of Custody, written once over ``SQLConnection``. Opened on a SQLite
/// file (the embedded default); the queries that differ between engines go through
/// ``SQLDialect``.
///
/// A connection is not thread-safe; a lock serialises every call, so one store may be shared by
/// threads (a server holds a pool of them, one connection each).
public final class SQLStore: Store, @unchecked Sendable {
    let connection: any SQLConnection
    private let lock = NSLock()
    /// The transient failure the connection has not recovered from yet (under `lock`).
    private var unrecovered: (any Error)?
    /// Where the database is: the SQLite file's path, or the PostgreSQL URL.
    public let path: String
    public var dialect: SQLDialect { connection.dialect }

    /// Opens the database at `path` and applies pending migrations: a PostgreSQL database when it
    /// is a `postgres://` or `postgresql://` URL (``isDatabaseURL(_:)``), else the SQLite file at
    /// that path (created if needed).
    public init(path: String, migrate: Bool = true) throws {
        self.path = path
        connection =
            Self.isDatabaseURL(path) ? try PostgresConnection(url: path) : try SQLiteConnection(path: path)
        if migrate { try self.migrate() }
    }

    /// Whether `location` names a PostgreSQL database rather than a SQLite file.
    public static func isDatabaseURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// `path` with a PostgreSQL URL's password hidden, for messages.
    public static func displayed(_ location: String) -> String {
        isDatabaseURL(location) ? PostgresConnection.redacted(location) : location
    }

    /// How many times an operation is tried when the database fails in a way a retry may cure
    /// (``SQLConnection/isTransient(_:)``: a lost connection, a restarting server, a serialisation
    /// failure). The last failure is the error.
    public static let attempts = 4

    /// Runs `body` alone on the connection. When it fails transiently, the connection recovers
    /// and `body` runs again, up to ``attempts`` times: a transaction that failed was rolled back
    /// whole, so running it again is running it once. `retrying: false` is for bodies that hand
    /// rows or inputs to a caller's closure (an ingest, a streamed listing), which cannot be
    /// repeated here; their caller repeats the whole operation (the ingest pipeline does).
    func locked<T>(retrying: Bool = true, _ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        var attempt = 1
        while true {
            do {
                if let failure = unrecovered {
                    unrecovered = nil
                    try connection.recover(after: failure)
                }
                return try body()
            } catch  where connection.isTransient(error) {
                // Recovered before the next try, or before the next operation when this one ends.
                unrecovered = error
                guard retrying, attempt < Self.attempts else { throw error }
                attempt += 1
            } catch let failure as DatabaseError where failure.state?.hasPrefix("08") == true {
                // A connection lost where a retry is not safe (a commit of unknown outcome): the
                // next operation reconnects.
                unrecovered = failure
                throw failure
            }
        }
    }

    /// The statuses of open work (``FindingStatus/isActive``) as an SQL list: `('open', ...)`.
    static let activeStatuses =
        "(" + FindingStatus.allCases.filter(\.isActive).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// Whether `error` is a transient database failure a caller may cure by running its whole
    /// operation again (``locked(retrying:_:)``).
    public func isTransient(_ error: any Error) -> Bool { connection.isTransient(error) }

    // MARK: Migrations

    /// Applies pending migrations, each in its own transaction. On PostgreSQL, under a session
    /// advisory lock: processes starting together apply each migration once, in order.
    public func migrate() throws {
        try locked {
            try connection.withMigrationLock { try applyMigrations() }
        }
    }

    private func applyMigrations() throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
            """)
        let applied = Set(try connection.statement("SELECT version FROM schema_migrations").rows { $0.int(0) })
        for migration in Schema.migrations where !applied.contains(Int64(migration.version)) {
            try connection.transaction {
                // Asked again under the write lock: another process may have applied it since.
                let done = try connection.statement("SELECT 1 FROM schema_migrations WHERE version = ?")
                    .first([.integer(Int64(migration.version))]) { _ in true }
                guard done == nil else { return }
                try connection.execute(migration.sql(dialect))
                try migration.rewrite?(connection)
                try connection.statement(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
                )
                .run([.integer(Int64(migration.version)), .text(migration.name), .text(Timestamp.string(Date()))])
            }
        }
    }

    public func appliedMigrations() throws -> [(version: Int, name: String)] {
        try locked {
            try connection.statement("SELECT version, name FROM schema_migrations ORDER BY version").rows {
                (Int($0.int(0)), $0.text(1) ?? "")
            }
        }
    }
    /// Runs raw SQL, for tests that play an attacker with direct access to the file.
    public func executeForTesting(_ sql: String) throws {
        try connection.execute(sql)
    }

    /// The names of the store's indexes, for tests that check one is there.
    public func indexNamesForTesting() throws -> Set<String> {
        try locked {
            let sql =
                dialect.engine == .postgres
                ? "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                : "SELECT name FROM sqlite_master WHERE type = 'index'"
            return Set(try connection.statement(sql).rows([]) { $0.text(0) ?? "" })
        }
    }

    /// The engine's query plan for `sql`, for tests that check an index is there and used
    /// (PostgreSQL's with sequential scans and sorts priced out, as on a table of a million rows).
    public func queryPlanForTesting(_ sql: String) throws -> String {
        try locked { try connection.queryPlan(sql) }
    }
}
