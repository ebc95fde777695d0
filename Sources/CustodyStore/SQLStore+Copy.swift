import CustodyCore
import Foundation

/// What `custody db copy` moved: rows per table.
public struct CopySummary: Sendable, Equatable {
    public var rows: [String: Int] = [:]
    public var total: Int { rows.values.reduce(0, +) }
}

extension SQLStore {
    /// The store's tables (all but the migrations' own), in name order.
    func tableNames() throws -> [String] {
        let sql =
            dialect.engine == .postgres
            ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        return try connection.statement(sql).rows([]) { $0.text(0) ?? "" }.filter { $0 != "schema_migrations" }
    }

    /// Copies every row of this store into `destination`, an empty store of the same schema
    /// version (on either engine), in one transaction of the destination: every event and hash
    /// arrives as it was, so the ledger verifies there as it does here. Foreign keys are checked
    /// at commit; PostgreSQL's generated keys continue after the copied ones.
    public func copy(into destination: SQLStore) throws -> CopySummary {
        try locked {
            try destination.locked {
                let version = try connection.statement("SELECT max(version) FROM schema_migrations").rows([]) {
                    $0.int(0)
                }.first
                let theirs = try destination.connection.statement("SELECT max(version) FROM schema_migrations")
                    .rows([]) { $0.int(0) }.first
                guard version == theirs else {
                    throw StoreRefusal(
                        .conflict,
                        "the stores are at schema versions \(version ?? 0) and \(theirs ?? 0): open both with this "
                            + "version of custody first")
                }
                let tables = try tableNames()
                guard Set(try destination.tableNames()) == Set(tables) else {
                    throw StoreRefusal(.conflict, "the stores have different tables")
                }
                for table in ["events", "findings", "teams"] {
                    let rows =
                        try destination.connection.statement("SELECT count(*) FROM \(table)").rows([]) {
                            $0.int(0)
                        }.first ?? 0
                    guard rows == 0 else {
                        throw StoreRefusal(
                            .conflict,
                            "the destination is not empty (\(rows) rows in \(table)): copy into a new database")
                    }
                }
                var summary = CopySummary()
                try destination.connection.transaction {
                    try destination.connection.execute(destination.dialect.deferForeignKeys)
                    for table in tables {
                        let read = try connection.statement("SELECT * FROM \(table)")
                        let columns = try read.columnNames()
                        let insert = try destination.connection.statement(
                            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ("
                                + columns.map { _ in "?" }.joined(separator: ", ") + ")")
                        var count = 0
                        try read.forEach([]) { row in
                            try insert.run((0..<Int32(columns.count)).map { row.value($0) })
                            count += 1
                            return true
                        }
                        summary.rows[table] = count
                    }
                    try destination.continueGeneratedKeys()
                }
                return summary
            }
        }
    }

    /// After rows were written with their keys, PostgreSQL's identity columns continue after the
    /// largest (SQLite's rowid keys always do).
    func continueGeneratedKeys() throws {
        guard dialect.engine == .postgres else { return }
        let identities = try connection.statement(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'
            """
        ).rows([]) { ($0.text(0) ?? "", $0.text(1) ?? "") }
        for (table, column) in identities {
            try connection.statement(
                """
                SELECT setval(pg_get_serial_sequence(?, ?), coalesce((SELECT max(\(column)) FROM \(table)), 0) + 1, false)
                """
            ).run([.text(table), .text(column)])
        }
    }
}
