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

/// `custody cvss`: scores of CVSS vectors.
enum CVSSCommand {
    static let command = Command(
        path: ["cvss"], abstract: "Score CVSS v3.0, v3.1 and v4.0 vectors",
        discussion: "Prints each vector's base score and severity (v3: also temporal and environmental).",
        options: [OptionSpec("json", help: "print JSON lines")],
        positionals: [PositionalSpec("VECTOR", help: "CVSS:3.1/AV:N/... or CVSS:4.0/AV:N/...", variadic: true)]
    ) { context in
        var failed = false
        for vector in context.arguments.positionals {
            do {
                let score = try CVSS.score(vector)
                if context.arguments.flag("json") {
                    context.console.out(
                        JSONText.Value.object([
                            ("vector", .string(vector)), ("version", .string(score.version)),
                            ("base", .double(score.base)),
                            ("temporal", .optional(score.temporal)), ("environmental", .optional(score.environmental)),
                            ("severity", .string(score.severity.rawValue)),
                        ]).text)
                } else {
                    var line = "\(score.base) \(score.severity.rawValue)"
                    if let temporal = score.temporal, let environmental = score.environmental {
                        line += " (temporal \(temporal), environmental \(environmental))"
                    }
                    context.console.out("\(line)  \(vector)")
                }
            } catch {
                context.console.err("\(vector): error: \(error)")
                failed = true
            }
        }
        return failed ? 1 : 0
    }
}
