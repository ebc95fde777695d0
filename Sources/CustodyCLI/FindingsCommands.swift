import CustodyCore
import CustodyService
import Foundation

enum FindingsCommands {
    static let list = Command(
        path: ["findings", "list"], abstract: "List findings, optionally by team, status or ownership",
        discussion: """
            --json, --jsonl and --csv stream rows as the store yields them (any number of rows in
            flat memory). With --limit N, the last line on standard error is the cursor of the next
            page: pass it as --after CURSOR (with the same --sort) to go on.
            """,
        options: [
            OptionSpec("team", value: "T", help: "only findings owned by team T"),
            OptionSpec(
                "status", value: "S",
                help: "only findings in status S (\(FindingStatus.allCases.map(\.rawValue).joined(separator: ", ")))"),
            OptionSpec("severity", value: "S", help: "only findings of severity S (critical, high, medium, low, info)"),
            OptionSpec("unowned", help: "only findings no team owns"),
            OptionSpec("overdue", help: "only open work past its SLA due date"),
            OptionSpec(
                "at", value: "TIME", help: "with --team: what the team owned then (2026-03-01 or 2026-03-01T12:00:00Z)"),
            OptionSpec("repo", value: "NAME", help: "only findings of one repository"),
            OptionSpec("cve", value: "ID", help: "only findings with this CVE (or GHSA or other vulnerability id)"),
            OptionSpec("rule", value: "ID", help: "only findings of one rule"),
            OptionSpec(
                "sort", value: "ORDER",
                help: "id (default), severity (critical first), due (soonest first) or priority (highest first)"),
            OptionSpec("limit", value: "N", help: "at most N findings (a page)"),
            OptionSpec("after", value: "CURSOR", help: "the page after the one that printed this cursor"),
        ] + streamOptions,
        positionals: []
    ) { context in
        let arguments = context.arguments
        let format = try streamFormat(context, command: "findings list")
        var filter = FindingFilter()
        filter.team = arguments.value("team")
        filter.status = try arguments.choice("status", as: FindingStatus.self, among: FindingStatus.allCases)
        filter.severity = try arguments.choice("severity", as: Severity.self, among: Severity.allCases)
        filter.unownedOnly = arguments.flag("unowned")
        filter.overdue = arguments.flag("overdue")
        filter.ownedAt = arguments.value("at")
        filter.repository = arguments.value("repo")
        filter.cve = arguments.value("cve")
        filter.rule = arguments.value("rule")
        if filter.ownedAt != nil, filter.team == nil {
            throw UsageError(message: "--at needs --team: whose findings at that time?", command: "findings list")
        }
        let request = FindingListRequest(
            filter: filter,
            sort: try arguments.choice("sort", as: FindingSort.self, among: FindingSort.allCases) ?? .id,
            cursor: arguments.value("after"),
            limit: try arguments.integer("limit", range: 1...FindingListRequest.maximumLimit))
        let service = try context.service()
        let summary: FindingListSummary
        if let format {
            summary = try service.writeFindings(request, as: format, to: context.console)
        } else {
            let unowned = arguments.flag("unowned")
            var header = ["ID", "SEVERITY", "STATUS", "TEAM", "TOOL", "RULE", "LOCATION"]
            if unowned { header.append("WHY UNOWNED") }
            var table = StreamingTable(header, console: context.console)
            summary = try service.forEachFinding(request) { row in
                var cells = [
                    String(row.id), row.severity.rawValue, row.status.rawValue, row.ownerTeam ?? "(unowned)", row.tool,
                    row.rule, location(row),
                ]
                if unowned { cells.append(CustodyService.unownedReason(row)) }
                table.add(cells)
            }
            table.flush()
            context.console.out("\(summary.count) findings")
        }
        if let cursor = summary.nextCursor { context.console.err("next page: --after \(cursor)") }
        return 0
    }

    static let show = Command(
        path: ["findings", "show"], abstract: "One finding: what, where, who owns it and who introduced it",
        options: [OptionSpec("json", help: "print a JSON object")],
        positionals: [PositionalSpec("FINDING_ID", help: "a finding's id")]
    ) { context in
        let detail = try context.service().finding(try findingID(context, command: "findings show"))
        if context.arguments.flag("json") {
            var writer = JSONWriter()
            Wire.findingDetail(detail, into: &writer)
            writer.bytes.append(0x0A)
            context.console.write(writer.bytes)
            return 0
        }
        let row = detail.finding
        let out = context.console
        out.out("finding \(row.id)  \(row.severity.rawValue)  \(row.status.rawValue)")
        out.out("what:       \(row.tool) \(row.rule): \(row.message)")
        out.out("where:      \(row.repository.map { $0 + " " } ?? "")\(location(row, none: "(no file location)"))")
        if let package = row.package {
            out.out(
                "package:    \(package) \(row.packageVersion ?? "")"
                    + (row.fixedVersion.map { " (fixed in \($0))" } ?? ""))
        }
        if !row.vulnerabilityIDs.isEmpty { out.out("ids:        \(row.vulnerabilityIDs.joined(separator: ", "))") }
        out.out("reported by: \(row.sources.joined(separator: ", "))")
        if let identity = detail.identity {
            out.out("identity:   \(identity) (one finding whichever tool reports it; docs/formats.md)")
        }
        if let epss = row.epss { out.out("epss:       \(epss) (probability of exploitation in 30 days)") }
        if let ssvc = row.ssvc { out.out("ssvc:       \(ssvc) (\(row.ssvcInputs ?? ""))") }
        for related in detail.related {
            out.out("related:    finding \(related.id): \(related.tool) \(related.rule) at the same line, same CWE")
        }
        out.out("owner:      \(row.ownerTeam ?? "none (\(detail.unownedReason))")")
        if let introducer = row.introducer {
            out.out(
                "introduced: \(introducer.commit.prefix(12)) by \(introducer.author) <\(introducer.email)> at \(introducer.authoredAt)"
            )
            out.out("            in \(introducer.pathThen):\(introducer.lineThen)")
            out.out("release:    \(introducer.release ?? "not yet in a release")")
            out.out("team then:  \(introducer.team ?? "no team owned the path then")")
        } else {
            out.out("introduced: unknown - \(detail.introducerReason ?? "")")
        }
        out.out("seen:       first \(row.firstSeen), last \(row.lastSeen)")
        out.out("due:        \(row.dueAt ?? "no due date")")
        if let until = row.riskAcceptedUntil {
            out.out("accepted:   until \(until) by \(row.riskApprover ?? "?")")
        }
        if let justification = row.justification, row.status == .falsePositive {
            out.out("not a problem: \(justification)")
        }
        if row.escalation != .none {
            out.out("escalated:  to the \(row.escalation.name) (custody trace \(row.id) shows each step)")
        }
        if let added = row.kevAdded { out.out("exploited:  in CISA's KEV catalog since \(added)") }
        return 0
    }
}

enum ScansCommand {
    static let command = Command(
        path: ["scans"], abstract: "Recorded scans, newest first: tool, file, target, who uploaded, when",
        options: [
            OptionSpec("repo", value: "NAME", help: "only scans of one repository"),
            OptionSpec("limit", value: "N", help: "at most N (default 50)"),
            OptionSpec("json", help: "print a JSON array"),
        ],
        positionals: []
    ) { context in
        let rows = try context.service().scans(
            repository: context.arguments.value("repo"),
            limit: try context.arguments.integer("limit", range: 1...1_000_000) ?? 50)
        if context.arguments.flag("json") {
            printJSON(context, .array(rows.map(Wire.scan)))
            return 0
        }
        var table = TextTable(["SCAN", "WHEN", "TOOL", "SCOPE", "REPOSITORY", "COMMIT", "FINDINGS", "BY", "FILE"])
        for scan in rows {
            table.add([
                String(scan.id), scan.startedAt, scan.tool + (scan.toolVersion.map { " " + $0 } ?? ""), scan.scope,
                (scan.repository ?? "-") + (scan.branch.map { "@" + $0 } ?? ""),
                scan.commit.map { String($0.prefix(12)) } ?? "-",
                String(scan.findings), scan.uploader, scan.sourceFile,
            ])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }
}

enum SummaryCommand {
    static let command = Command(
        path: ["summary"], abstract: "Open findings per team, by severity, with the unowned row last",
        options: [OptionSpec("json", help: "print a JSON array")], positionals: []
    ) { context in
        let rows = try context.service().teamSummaries()
        if context.arguments.flag("json") {
            printJSON(context, .array(rows.map(Wire.teamSummary)))
            return 0
        }
        var table = TextTable(["TEAM", "NAME", "OPEN", "CRITICAL", "HIGH", "MEDIUM", "LOW", "FIXED"], numeric: 2...7)
        for row in rows {
            table.add([
                row.team ?? "(unowned)", row.teamName ?? "no team owns these", String(row.open), String(row.critical),
                String(row.high), String(row.medium), String(row.low), String(row.fixed),
            ])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }
}
