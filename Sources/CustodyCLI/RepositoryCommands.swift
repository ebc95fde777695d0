import CustodyCore
import CustodyService
import Foundation

/// `custody repos add|list|remove`: the clones the server reads for uploads that name a
/// repository (CODEOWNERS at the scanned commit, introducers).
enum RepositoryCommands {
    static let add = Command(
        path: ["repos", "add"], abstract: "Register a local clone or mirror for uploads that name the repository",
        options: [
            OptionSpec("path", value: "DIR", help: "the clone or mirror (a git directory the server can read)"),
            OptionSpec("actor", value: "WHO", help: "who registers it (default: $USER)"),
        ],
        positionals: [PositionalSpec("NAME", help: "the repository's name, as uploads give it")]
    ) { context in
        guard let path = context.arguments.value("path") else {
            throw UsageError(message: "missing --path DIR", command: "repos add")
        }
        let row = try context.service().addRepository(
            name: context.arguments.positionals[0], path: path, by: context.principal())
        context.console.out("repository '\(row.name)' reads \(row.path)")
        return 0
    }

    static let list = Command(
        path: ["repos", "list"], abstract: "Registered repositories: name, clone, when and by whom",
        options: [OptionSpec("json", help: "print a JSON array")], positionals: []
    ) { context in
        let rows = try context.service().repositories(by: context.principal())
        if context.arguments.flag("json") {
            printJSON(context, .array(rows.map(Wire.repository)))
            return 0
        }
        var table = TextTable(["NAME", "PATH", "ADDED", "BY"])
        for row in rows { table.add([row.name, row.path, row.addedAt, row.addedBy]) }
        context.console.out(table.render(), terminator: "")
        return 0
    }

    static let remove = Command(
        path: ["repos", "remove"], abstract: "Forget a registered repository (its findings stay)",
        options: [OptionSpec("actor", value: "WHO", help: "who removes it (default: $USER)")],
        positionals: [PositionalSpec("NAME", help: "the repository's name")]
    ) { context in
        try context.service().removeRepository(name: context.arguments.positionals[0], by: context.principal())
        context.console.err("repository '\(context.arguments.positionals[0])' removed")
        return 0
    }
}
