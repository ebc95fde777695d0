import CustodyCore
import CustodyIngest
import CustodyStore
import Foundation

/// `custody feeds`: threat intelligence from offline files.
enum FeedCommands {
    static let importKEV = Command(
        path: ["feeds", "import", "kev"], abstract: "Import CISA's Known Exploited Vulnerabilities catalog",
        discussion: """
            FILE is CISA's known_exploited_vulnerabilities.json. The catalog replaces the stored
            one; findings whose CVE it newly lists are marked, get the KEV due date (CISA's due
            date or 14 days, whichever is first) and one kev.added event each. Later ingests
            mark their findings at once.
            """,
        options: [
            configOption, OptionSpec("actor", value: "WHO", help: "who imports (default: $USER)"),
            OptionSpec("json", help: "print the summary as JSON"),
        ],
        positionals: [PositionalSpec("FILE", help: "the catalog (JSON)")]
    ) { context in
        let file = context.arguments.positionals[0]
        let catalog = try KEVReader.read(file: file)
        var digest = SHA256()
        digest.update(try Data(contentsOf: URL(fileURLWithPath: file)))
        let settings = try configuration(context)
        let store = try context.openStore()
        let summary = try store.importKEV(
            catalog, digest: SHA256.hexString(digest.finalize()),
            rules: DueDateRules(policy: settings.sla, criticality: settings.criticality), actor: actor(context),
            now: Date())
        if context.arguments.flag("json") {
            context.console.out(
                JSONText.Value.object([
                    ("catalog", .string(catalog.version)), ("entries", .int(Int64(summary.entries))),
                    ("new_entries", .int(Int64(summary.newEntries))), ("findings", .int(Int64(summary.findings))),
                    ("due_changed", .int(Int64(summary.dueChanged))),
                ]).text)
        } else {
            context.console.out(
                "KEV catalog \(catalog.version): \(summary.entries) entries (\(summary.newEntries) new); "
                    + "\(summary.findings) findings newly known exploited, \(summary.dueChanged) due dates moved")
        }
        return 0
    }
}
