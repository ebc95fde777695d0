import CustodyCore
import CustodyService
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
        let result = try context.service(configured: true).importKEV(
            file: context.arguments.positionals[0], by: context.principal())
        if context.arguments.flag("json") {
            printJSON(context, Wire.kevImport(result))
        } else {
            let summary = result.summary
            context.console.out(
                "KEV catalog \(result.catalogVersion): \(summary.entries) entries (\(summary.newEntries) new); "
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
        for result in CustodyService.scoreCVSS(context.arguments.positionals) {
            guard let score = result.score else {
                context.console.err("\(result.vector): error: \(result.error ?? "")")
                failed = true
                continue
            }
            if context.arguments.flag("json") {
                printJSON(context, Wire.cvss(result))
            } else {
                var line = "\(score.base) \(score.severity.rawValue)"
                if let temporal = score.temporal, let environmental = score.environmental {
                    line += " (temporal \(temporal), environmental \(environmental))"
                }
                context.console.out("\(line)  \(result.vector)")
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
        let result = try context.service().importEPSS(file: context.arguments.positionals[0], by: context.principal())
        context.console.out(
            "EPSS \(result.modelVersion ?? "(no model version)") of \(result.scoreDate ?? "(no date)"): \(result.summary.scores) scores; \(result.summary.findings) findings updated"
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
        let rows = try context.service(configured: true).priority(
            team: context.arguments.value("team"),
            limit: try context.arguments.integer("limit", range: 1...1_000_000) ?? 20)
        if context.arguments.flag("json") {
            printJSON(context, .array(rows.map(Wire.priority)))
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
