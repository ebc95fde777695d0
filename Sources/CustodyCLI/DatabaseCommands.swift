import CustodyService

/// `custody db copy`: moves a store to another engine.
enum DatabaseCommands {
    static let copy = Command(
        path: ["db", "copy"], abstract: "Copy the whole store into a new, empty database (SQLite to PostgreSQL)",
        discussion:
            "Every row moves in one transaction of the destination, events and hashes unchanged; the ledger is then "
            + "verified there (exit 1 if it does not hold). The source is --from, else the store of --db / "
            + "--database-url; the destination must be empty.",
        options: [
            OptionSpec("from", value: "FILE|URL", help: "the store to copy (default: the current store)"),
            OptionSpec("to", value: "FILE|URL", help: "the new store: a SQLite file or postgres://user@host:port/db"),
        ],
        positionals: []
    ) { context in
        guard let destination = context.arguments.value("to") else {
            throw UsageError(message: "db copy needs --to FILE|URL", command: "db copy")
        }
        let source = context.arguments.value("from").map {
            CustodyService(databasePath: $0, environment: context.environment)
        }
        let copied = try (source ?? context.service()).copyStore(to: destination, by: context.principal())
        for (table, rows) in copied.rows.sorted(by: { $0.key < $1.key }) where rows > 0 {
            context.console.out("\(table): \(rows) rows")
        }
        if let broken = copied.ledger.broken {
            context.console.out("BROKEN at event \(broken.sequence) in \(copied.destination): \(broken.reason)")
            return 1
        }
        context.console.out(
            "copied \(copied.rows.values.reduce(0, +)) rows into \(copied.destination); ledger OK "
                + "\(copied.ledger.count) events, head \(copied.ledger.head)")
        return 0
    }
}
