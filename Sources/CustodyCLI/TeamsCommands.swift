import CustodyCore
import CustodyService
import Foundation

enum InitCommand {
    static let command = Command(
        path: ["init"], abstract: "Create the database (or bring its schema up to date)",
        discussion: "Safe to run again: only migrations not yet applied run.", options: [], positionals: []
    ) { context in
        let applied = try context.service().migrate()
        context.console.out(
            "\(CustodyService.displayed(context.databasePath)): schema version \(applied.last?.version ?? 0) (\(applied.count) migrations applied)"
        )
        return 0
    }
}

enum TeamsCommands {
    static let importCommand = Command(
        path: ["teams", "import"], abstract: "Load org units, teams and asset rules from teams and catalog files",
        discussion: """
            Files are Custody teams files or Backstage catalog files (detected by their
            apiVersion), merged in order. The result replaces the organisation in one transaction;
            owners decided by CODEOWNERS handles are re-decided with the new handles, each change a
            transfer event. A catalog group whose parent is in no file is kept without a unit.
            """,
        options: [OptionSpec("actor", value: "WHO", help: "who imports (recorded in the event; default: $USER)")],
        positionals: [PositionalSpec("FILE", help: "teams files (YAML) and Backstage catalog files", variadic: true)]
    ) { context in
        let result = try context.service().importOrganisation(
            context.arguments.positionals.map(TextInput.file), by: context.principal())
        for warning in result.warnings { context.console.err(warning) }
        context.console.out(
            "imported \(result.units) units, \(result.teams) teams and \(result.assetRules) asset rules from \(result.source)"
        )
        return 0
    }

    static let listCommand = Command(
        path: ["teams", "list"], abstract: "List teams with their unit, lead and handles",
        options: [OptionSpec("json", help: "print a JSON array")], positionals: []
    ) { context in
        let organisation = try context.service().organisation()
        if context.arguments.flag("json") {
            printJSON(context, .array(organisation.teams.map(Wire.team)))
            return 0
        }
        let units = Dictionary(organisation.units.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var table = TextTable(["TEAM", "NAME", "UNIT", "LEAD", "HANDLES"])
        for team in organisation.teams {
            table.add([
                team.id, team.name, team.unitID.map { units[$0] ?? $0 } ?? "-", team.lead ?? "-",
                team.handles.joined(separator: " "),
            ])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }

    static let unitsCommand = Command(
        path: ["teams", "units"], abstract: "List org units with their parent, head and number of teams",
        options: [OptionSpec("json", help: "print a JSON array")], positionals: []
    ) { context in
        let organisation = try context.service().organisation()
        if context.arguments.flag("json") {
            printJSON(context, .array(organisation.units.map(Wire.unit)))
            return 0
        }
        var table = TextTable(["UNIT", "NAME", "PARENT", "HEAD", "TEAMS"], numeric: 4...4)
        for unit in organisation.units {
            let teams = organisation.teams.filter { $0.unitID == unit.id }.count
            table.add([unit.id, unit.name, unit.parentID ?? "-", unit.head ?? "-", String(teams)])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }
}
