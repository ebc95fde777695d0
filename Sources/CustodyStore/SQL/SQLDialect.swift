/// The SQL that differs between engines, kept in one place: every other statement of the store
/// is written in the subset SQLite and PostgreSQL both speak (`ON CONFLICT`, `RETURNING`,
/// `FILTER (WHERE ...)`, `IS NOT DISTINCT FROM`, `BIGINT`, `DOUBLE PRECISION`, `coalesce`).
public struct SQLDialect: Sendable {
    public enum Engine: String, Sendable { case sqlite, postgres }

    public var engine: Engine
    /// The column type of a generated 64-bit key.
    public var autoIncrementKey: String
    /// The column type of a 64-bit primary key given by the writer (a finding's id in a child table).
    public var givenKey: String
    /// Text compared without case (team handles).
    public var caseInsensitiveText: String
    /// What follows a table made only of its primary key's columns.
    public var keyOnlyTable: String
    /// Statements that make a table's rows append-only (run after it is created).
    public var appendOnly: @Sendable (_ table: String) -> String
    /// The text of a JSON document's top-level member, or NULL. Payloads are stored as the exact
    /// text that was hashed, so JSON is read through this function, never through a JSON type.
    public var jsonMember: @Sendable (_ column: String, _ key: String) -> String
    /// A timestamp column or parameter (ISO 8601 text) as a number of days, for date arithmetic.
    public var days: @Sendable (_ expression: String) -> String
    /// The distinct values of a text expression over a group, joined by commas.
    public var distinctList: @Sendable (_ expression: String) -> String
    /// The statement that lets one transaction break foreign keys until it commits.
    public var deferForeignKeys: String

    public static let sqlite = SQLDialect(
        engine: .sqlite,
        // Rows are never deleted (events are append-only), so a plain rowid key is already
        // increasing; AUTOINCREMENT would add a sqlite_sequence write to every insert.
        autoIncrementKey: "INTEGER PRIMARY KEY",
        givenKey: "INTEGER PRIMARY KEY",
        caseInsensitiveText: "TEXT COLLATE NOCASE",
        keyOnlyTable: "WITHOUT ROWID",
        appendOnly: { table in
            """
            CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) are append-only'); END;
            CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
            BEGIN SELECT RAISE(ABORT, '\(table) are append-only'); END;
            """
        },
        jsonMember: { column, key in "json_extract(\(column), '$.\(key)')" },
        days: { expression in "julianday(\(expression))" },
        distinctList: { expression in "group_concat(DISTINCT \(expression))" },
        deferForeignKeys: "PRAGMA defer_foreign_keys = ON")
}
