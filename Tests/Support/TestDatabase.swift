import Foundation

/// Where a test's store lives: a SQLite file in its temporary directory, or, when
/// `CUSTODY_TEST_DATABASE_URL` names a PostgreSQL database (`make test` starts a private cluster
/// with scripts/postgres-cluster and runs the store, service and CLI suites again so), a schema
/// of its own in that database, created empty for it.
public enum TestDatabase {
    public static let url: String? = {
        let value = ProcessInfo.processInfo.environment["CUSTODY_TEST_DATABASE_URL"] ?? ""
        return value.isEmpty ? nil : value
    }()

    /// Whether the tests run on PostgreSQL.
    public static var isPostgres: Bool { url != nil }

    /// The statement that lifts the events' append-only rule for `action` (`update`, `delete`),
    /// as an attacker with the database owner's rights would, on either engine.
    public static func dropEventsTrigger(_ action: String) -> String {
        "DROP TRIGGER events_no_\(action)" + (isPostgres ? " ON events" : "")
    }

    /// A fresh database for one test: `file` itself on SQLite, a new schema on PostgreSQL.
    public static func location(_ file: String) -> String {
        guard let url else { return file }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", "CREATE SCHEMA \(schema)"]
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            fatalError("psql could not be started to create a test schema: \(error)")
        }
        precondition(process.terminationStatus == 0, "psql could not create schema \(schema) in \(url)")
        return url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }
}
