import CustodyCore
import CustodyService
import Foundation

enum OwnersCommands {
    static let resolve = Command(
        path: ["owners", "resolve"], abstract: "Show which CODEOWNERS line owns each path",
        discussion:
            "Prints one JSON object per path: {\"path\": ..., \"owners\": [...], \"line\": N}.\nPaths come from the arguments, else from standard input, one per line.",
        options: [
            OptionSpec("codeowners", value: "PATH", help: "the CODEOWNERS file, or a checkout holding one (required)"),
            OptionSpec("codeowners-dialect", value: "github|gitlab", help: "force the dialect (default: detected)"),
        ],
        positionals: [PositionalSpec("PATH", help: "repository-relative paths", required: false, variadic: true)]
    ) { context in
        guard let file = context.arguments.value("codeowners") else {
            throw UsageError(message: "missing --codeowners PATH", command: "owners resolve")
        }
        let dialect = try context.arguments.choice(
            "codeowners-dialect", as: CodeownersDialect.self, among: CodeownersDialect.allCases)
        var paths = context.arguments.positionals
        if paths.isEmpty {
            paths = context.readInput().split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        }
        let (owners, warnings) = try context.service().resolveOwners(codeowners: file, dialect: dialect, paths: paths)
        for warning in warnings { context.console.err(warning) }
        for entry in owners { printJSON(context, Wire.pathOwners(entry)) }
        return 0
    }

    static let explain = Command(
        path: ["owners", "explain"], abstract: "Show why a finding has its owner (or has none), with the evidence",
        options: [OptionSpec("json", help: "print a JSON object")],
        positionals: [PositionalSpec("FINDING_ID", help: "a finding's id (see 'custody findings list')")]
    ) { context in
        let explanation = try context.service().explainOwner(try findingID(context, command: "owners explain"))
        if context.arguments.flag("json") {
            printJSON(context, Wire.explanation(explanation))
            return 0
        }
        let row = explanation.finding
        context.console.out("finding \(row.id): \(row.rule) at \(location(row, none: "(no file location)"))")
        if let team = explanation.team {
            context.console.out("owner:    \(team.id) (\(team.name))" + (team.lead.map { ", lead \($0)" } ?? ""))
        } else {
            context.console.out("owner:    none - \(CustodyService.unownedReason(row))")
        }
        if let assigned = explanation.assignment { context.console.out("evidence: \(assigned)") }
        if let evidence = row.ownerEvidence {
            let revision = evidence.revision.map { " at \($0)" } ?? ""
            let section = evidence.section.map { ", section [\($0)]" } ?? ""
            context.console.out(
                "rule:     \(evidence.file)\(revision) line \(evidence.line)\(section): \(evidence.pattern)")
            if evidence.source == "asset-rule" {
                context.console.out("names:    team \(row.ownerTeam ?? "(none)") (an asset rule names its team)")
            } else {
                context.console.out(
                    "names:    "
                        + (evidence.handles.isEmpty
                            ? "(no owners: the rule unsets ownership)" : evidence.handles.joined(separator: " ")))
            }
            if let claimed = explanation.claimedHandle, let team = explanation.team {
                context.console.out("team:     \(claimed) is a handle of team \(team.id) (teams file)")
            }
            context.console.out("order:    \(explanation.precedence)")
        }
        return 0
    }

    static let history = Command(
        path: ["owners", "history"], abstract: "Who owned a finding from when, and why it changed",
        options: [OptionSpec("json", help: "print a JSON array")],
        positionals: [PositionalSpec("FINDING_ID", help: "a finding's id")]
    ) { context in
        let spans = try context.service().ownerHistory(try findingID(context, command: "owners history"))
        if context.arguments.flag("json") {
            printJSON(context, .array(spans.map(Wire.ownerSpan)))
            return 0
        }
        var table = TextTable(["FROM", "OWNER", "WHY", "BY"])
        for span in spans { table.add([span.from, span.team ?? "(unowned)", span.reason, span.actor]) }
        context.console.out(table.render(), terminator: "")
        return 0
    }
}

enum UnownedCommands {
    static let queue = Command(
        path: ["unowned"], abstract: "The accountability gap: open findings no team owns, worst first",
        discussion: """
            Groups unowned open findings by repository and directory, with their severities and ages
            (first seen 0-7, 8-30, 31-90, over 90 days ago), and suggests the teams that own findings
            nearest to each group. 'custody unowned assign' gives them an owner.
            """,
        options: [OptionSpec("json", help: "print a JSON array")], positionals: []
    ) { context in
        let groups = try context.service().unownedQueue()
        if context.arguments.flag("json") {
            printJSON(context, .array(groups.map(Wire.unownedGroup)))
            return 0
        }
        var table = TextTable([
            "REPOSITORY", "DIRECTORY", "FINDINGS", "C/H/M/L", "OLDEST", "AGES 7/30/90/+", "SUGGESTED OWNERS",
        ])
        for group in groups {
            let suggestions = group.suggestions.map { suggestion in
                switch suggestion.basis {
                case .nearby: "\(suggestion.team) (\(suggestion.findings) under \(suggestion.near))"
                case .introducers:
                    "\(suggestion.team) (introduced \(suggestion.findings): \(suggestion.introducedBy.joined(separator: " ")))"
                case .ownedThen: "\(suggestion.team) (owned the code when \(suggestion.findings) were introduced)"
                }
            }
            table.add([
                group.repository ?? "-", group.directory.map { $0.isEmpty ? "/" : $0 + "/" } ?? "(no path)",
                String(group.findingIDs.count), "\(group.critical)/\(group.high)/\(group.medium)/\(group.low)",
                "\(group.oldestAgeDays)d", group.ages.map(String.init).joined(separator: "/"),
                suggestions.isEmpty ? "-" : suggestions.joined(separator: ", "),
            ])
        }
        context.console.out(table.render(), terminator: "")
        let total = groups.reduce(0) { $0 + $1.findingIDs.count }
        context.console.out("\(total) unowned findings in \(groups.count) groups")
        return 0
    }

    static let assign = Command(
        path: ["unowned", "assign"], abstract: "Give unowned findings an owner, with a reason (one event each)",
        options: [
            OptionSpec("team", value: "T", help: "the team that becomes accountable (required)"),
            OptionSpec("reason", value: "TEXT", help: "why (required; recorded in each event)"),
            OptionSpec("actor", value: "WHO", help: "who assigns (default: $USER)"),
        ],
        positionals: [PositionalSpec("FINDING_ID", help: "finding ids", variadic: true)]
    ) { context in
        guard let team = context.arguments.value("team") else {
            throw UsageError(message: "missing --team T", command: "unowned assign")
        }
        let reason = try requiredReason(context, command: "unowned assign", hint: "say why this team is accountable")
        let ids = try findingIDs(context, command: "unowned assign")
        let changed = try context.service().assignOwner(
            AssignRequest(findingIDs: ids, team: team, reason: reason), by: context.principal())
        context.console.out("\(changed) findings assigned to \(team)")
        return 0
    }
}
