import CustodyCore
import CustodyService
import Foundation

enum IngestCommand {
    static let command = Command(
        path: ["ingest"], abstract: "Read scanner reports into the store",
        discussion: """
            Each report is identified, deduplicated against known findings, attributed to a team
            through CODEOWNERS and recorded. All files of one call are one transaction: a bad file
            leaves the store exactly as it was. A scan with --scope full marks findings of the same
            repository, branch and tool that it no longer reports as fixed.
            """,
        options: [
            OptionSpec(
                "repo", value: "NAME|DIR",
                help: "the repository scanned; a local git checkout also gives CODEOWNERS at --commit"),
            OptionSpec("branch", value: "B", help: "the branch scanned"),
            OptionSpec("commit", value: "SHA", help: "the commit scanned"),
            OptionSpec("scope", value: "full|partial", help: "full scans prove fixes by absence (default: partial)"),
            OptionSpec(
                "scan-date", value: "TIME",
                help: "when the scans ran (default: the time the report states, else now; `now`: the clock's)"),
            OptionSpec(
                "release", value: "NAME",
                help: "the release the commit is part of (default: the earliest release tag containing it)"),
            OptionSpec(
                "codeowners", value: "PATH",
                help: "CODEOWNERS file, or a checkout (the file the platform would use)"),
            OptionSpec("codeowners-dialect", value: "github|gitlab", help: "force the dialect (default: detected)"),
            OptionSpec("source-root", value: "DIR", help: "checkout to read flagged lines from (for fingerprints)"),
            OptionSpec("release-pattern", value: "GLOB", help: "tags that are releases, for introducers (default v*)"),
            configOption,
            OptionSpec("no-introducers", help: "with --repo DIR --commit: skip finding who introduced each finding"),
            OptionSpec(
                "blame", value: "HOW",
                help:
                    "how introducers are found: auto (default), replay (the history once), lines (git blame -L of the flagged lines per file) or per-file (git blame of whole files)"
            ),
            OptionSpec(
                "format", value: "FORMAT",
                help: "force a format instead of detecting it: "
                    + ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")),
            OptionSpec(
                "minimum-severity", value: "S",
                help:
                    "leave out findings below S (critical, high, medium, low, info); a full scan then fixes none below it"
            ),
            OptionSpec("max-bytes", value: "N", help: "refuse reports larger than N bytes (default 4 GiB)"),
            OptionSpec("max-depth", value: "N", help: "refuse JSON nested deeper than N levels (default 256)"),
            OptionSpec("actor", value: "WHO", help: "who uploads (default: $USER)"),
            OptionSpec("name", value: "NAME", help: "what to call a report read from standard input (default: stdin)"),
            OptionSpec("json", help: "print the summary as JSON"),
        ],
        positionals: [PositionalSpec("FILE", help: "report files; - reads one from standard input", variadic: true)]
    ) { context in
        let arguments = context.arguments
        // "-" is standard input: a report piped in, named by --name in messages and the scan record.
        guard arguments.positionals.filter({ $0 == "-" }).count <= 1 else {
            throw UsageError(message: "standard input ('-') can be read once", command: "ingest")
        }
        let inputs = arguments.positionals.map { file in
            file == "-"
                ? ReportInput.bytes(name: arguments.value("name") ?? "stdin", Array(context.readInput().utf8))
                : ReportInput.file(file)
        }
        var request = IngestRequest(inputs: inputs)
        request.repository = arguments.value("repo")
        request.branch = arguments.value("branch")
        request.commit = arguments.value("commit")
        request.scope = try arguments.choice("scope", as: ScanScope.self, among: ScanScope.allCases) ?? .partial
        request.release = arguments.value("release")
        if arguments.value("scan-date") == "now" {
            request.usesReportedTime = false
        } else if arguments.value("scan-date") != nil {
            request.scanDate = try arguments.time("scan-date")
        }
        request.codeowners = arguments.value("codeowners")
        request.codeownersDialect = try arguments.choice(
            "codeowners-dialect", as: CodeownersDialect.self, among: CodeownersDialect.allCases)
        request.sourceRoot = arguments.value("source-root")
        request.attributeIntroducers = !arguments.flag("no-introducers")
        request.blameStrategy =
            try arguments.choice("blame", as: BlameStrategy.self, among: BlameStrategy.allCases) ?? .automatic
        request.releasePattern = arguments.value("release-pattern")
        request.format = try arguments.choice("format", as: ReportFormat.self, among: ReportFormat.allCases)
        request.minimumSeverity = try arguments.choice(
            "minimum-severity", as: Severity.self, among: Severity.allCases)
        if let maxDepth = try arguments.integer("max-depth", range: 2...1024) { request.limits.maxDepth = maxDepth }
        if let maxBytes = try arguments.integer("max-bytes", range: 1...(1 << 40)) {
            request.limits.maxBytes = maxBytes
        }
        switch try context.service(configured: true).ingest(request, by: context.principal()) {
        case .vex(let summary):
            if arguments.flag("json") {
                printJSON(context, Wire.vexSummary(summary))
            } else {
                context.console.out(
                    "\(summary.statements) VEX statements: \(summary.applied) applied to findings, \(summary.changed) changed status, \(summary.superseded) superseded by later statements"
                )
            }
        case .scans(let s, let warnings, let map):
            // Each reads "file: warning: message", as compilers write them.
            for warning in warnings { context.console.err(warning) }
            if arguments.flag("json") {
                printJSON(context, Wire.ingestSummary(s, warnings: warnings, ownershipMap: map))
            } else {
                context.console.out(
                    "\(s.findings) findings: \(s.new) new, \(s.seen) seen, \(s.fixed) fixed, \(s.reopened) reopened, \(s.unowned) unowned"
                )
            }
        }
        return 0
    }
}
