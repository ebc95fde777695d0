import CustodyCore
import CustodyIngest
import CustodyStore
import Foundation

/// `custody feeds`: threat intelligence from offline files.
enum FeedCommands {
    /// The SHA-256 of a feed file as imported, recorded with the import.
    static func fileDigest(_ file: String) throws -> String {
        var digest = SHA256()
        digest.update(try Data(contentsOf: URL(fileURLWithPath: file)))
        return SHA256.hexString(digest.finalize())
    }

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
        let settings = try configuration(context)
        let store = try context.openStore()
        let summary = try store.importKEV(
            catalog, digest: try fileDigest(file),
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

extension FeedCommands {
    static let importEPSS = Command(
        path: ["feeds", "import", "epss"], abstract: "Import FIRST's EPSS scores (CSV, gzip accepted)",
        discussion: """
            FILE is FIRST's daily epss_scores-YYYY-MM-DD.csv.gz (or the CSV): a #model_version,score_date
            line, the header cve,epss,percentile, then one row per CVE. The scores replace the
            stored ones and every finding with a CVE gets the highest score of its CVEs; later
            ingests get them at once.
            """,
        options: [OptionSpec("actor", value: "WHO", help: "who imports (default: $USER)")],
        positionals: [PositionalSpec("FILE", help: "the EPSS CSV, gzip or plain")]
    ) { context in
        let file = context.arguments.positionals[0]
        let feed = try EPSSReader.read(file: file)
        let summary = try context.openStore().importEPSS(
            feed.scores, version: feed.modelVersion ?? "unknown", released: feed.scoreDate,
            digest: try fileDigest(file), actor: actor(context))
        context.console.out(
            "EPSS \(feed.modelVersion ?? "(no model version)") of \(feed.scoreDate ?? "(no date)"): \(summary.scores) scores; \(summary.findings) findings updated"
        )
        return 0
    }

    static let priority = Command(
        path: ["priority"], abstract: "Open findings in priority order: SSVC, KEV, EPSS, severity, asset criticality",
        discussion: """
            Decides CISA's SSVC (Track, Track*, Attend, Act) for every open finding from what Custody
            knows (KEV, EPSS, CVSS vectors, severity, the asset's criticality), stores it with its
            inputs, and lists the first findings in priority order (docs/prioritization.md).
            """,
        options: [
            configOption, OptionSpec("team", value: "TEAM", help: "only this team's findings"),
            OptionSpec("limit", value: "N", help: "how many (default 20)"), OptionSpec("json", help: "print JSON"),
        ],
        positionals: []
    ) { context in
        let settings = try configuration(context)
        let rows = try context.openStore().prioritize(
            criticality: settings.criticality, team: context.arguments.value("team"),
            limit: try context.arguments.integer("limit", range: 1...1_000_000) ?? 20)
        if context.arguments.flag("json") {
            context.console.out(
                JSONText.Value.array(
                    rows.map {
                        .object([
                            ("id", .int($0.id)), ("priority", .double($0.priority)), ("ssvc", .string($0.decision)),
                            ("ssvc_inputs", .string($0.inputs)), ("severity", .string($0.severity)),
                            ("kev", .bool($0.kev)),
                            ("epss", .optional($0.epss)), ("owner_team", .optional($0.team)),
                            ("rule", .string($0.rule)),
                            ("repository", .optional($0.repository)), ("path", .optional($0.path)),
                            ("line", .optional($0.line)),
                        ])
                    }
                ).text)
            return 0
        }
        var table = TextTable(["#", "ID", "SSVC", "INPUTS", "SEVERITY", "KEV", "EPSS", "TEAM", "RULE", "WHERE"])
        for (rank, row) in rows.enumerated() {
            table.add([
                String(rank + 1), String(row.id), row.decision, row.inputs, row.severity, row.kev ? "yes" : "",
                row.epss.map { String(format: "%.3f", $0) } ?? "", row.team ?? "(unowned)", row.rule,
                (row.repository.map { $0 + " " } ?? "") + (row.path ?? "") + (row.line.map { ":\($0)" } ?? ""),
            ])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }
}
