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
    /// Where the database is: the SQLite file's path.
    public let path: String
    public var dialect: SQLDialect { connection.dialect }

    /// Opens (creating if needed) the SQLite database at `path` and applies pending migrations.
    public init(path: String, migrate: Bool = true) throws {
        self.path = path
        connection = try SQLiteConnection(path: path)
        if migrate { try self.migrate() }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: Migrations

    public func migrate() throws {
        try locked {
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
                """)
            let applied = Set(try connection.statement("SELECT version FROM schema_migrations").rows { $0.int(0) })
            for migration in Schema.migrations where !applied.contains(Int64(migration.version)) {
                try connection.transaction {
                    try connection.execute(migration.sql(dialect))
                    try migration.rewrite?(connection)
                    try connection.statement(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
                    )
                    .run([.integer(Int64(migration.version)), .text(migration.name), .text(Timestamp.string(Date()))])
                }
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

    /// SQLite's query plan for `sql`, for tests that check an index is there and used.
    public func queryPlanForTesting(_ sql: String) throws -> String {
        try locked {
            guard let sqlite = connection as? SQLiteConnection else {
                throw DatabaseError(code: -1, message: "query plans are read from SQLite only")
            }
            return try sqlite.queryPlan(sql)
        }
    }
}
