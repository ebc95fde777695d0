import CustodyCore
import CustodyService
import Foundation

/// `custody metrics`: the accountability numbers of a team, a unit or the organisation over a
/// period (docs/metrics.md), as a table, JSON, CSV or Prometheus text.
enum MetricsCommand {
    static let command = Command(
        path: ["metrics"],
        abstract: "Open risk, arrivals, time to own and to fix (Kaplan-Meier), SLA compliance, the unowned gap",
        options: [
            OptionSpec("team", value: "TEAM", help: "one team's findings"),
            OptionSpec("unit", value: "UNIT", help: "an org unit's, with every unit below it"),
            OptionSpec("since", value: "TIME", help: "start of the period (default: 90 days before --until)"),
            OptionSpec("until", value: "TIME", help: "end of the period (default: now)"),
            OptionSpec("by", value: "KIND", help: "a row per team, unit or severity"),
            OptionSpec("json", help: "print JSON (docs/metrics.md)"),
            OptionSpec("csv", help: "print CSV, a row per group"),
            OptionSpec("prometheus", help: "print the Prometheus text exposition format"),
        ],
        positionals: []
    ) { context in
        let arguments = context.arguments
        var request = MetricsRequest()
        switch (arguments.value("team"), arguments.value("unit")) {
        case (let team?, nil): request.scope = .team(team)
        case (nil, let unit?): request.scope = .unit(unit)
        case (nil, nil): request.scope = .organisation
        default: throw UsageError(message: "--team and --unit cannot be given together", command: "metrics")
        }
        if arguments.value("since") != nil { request.since = try arguments.time("since") }
        if arguments.value("until") != nil { request.until = try arguments.time("until") }
        request.breakdown = try arguments.choice(
            "by", as: MetricsRequest.Breakdown.self, among: MetricsRequest.Breakdown.allCases)
        let formats = ["json", "csv", "prometheus"].filter { arguments.flag($0) }
        guard formats.count <= 1 else {
            throw UsageError(message: "choose one of --json, --csv and --prometheus", command: "metrics")
        }
        let report = try context.service().metrics(request, by: context.principal())
        switch formats.first {
        case "json": printJSON(context, Wire.metricsReport(report))
        case "csv": context.console.out(Wire.metricsCSV(report), terminator: "")
        case "prometheus": context.console.out(Wire.metricsPrometheus(report), terminator: "")
        default: printTable(context, report)
        }
        return 0
    }

    static func days(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }

    static func printTable(_ context: CommandContext, _ report: MetricsReport) {
        let out = context.console
        out.out("\(report.scope), \(Timestamp.string(report.since)) to \(Timestamp.string(report.until))")
        var table = TextTable(
            [
                "GROUP", "OPEN", "CRIT", "HIGH", "NEW", "FIXED", "TTO MEDIAN", "TTR MEDIAN", "TTR P90", "NAIVE MEAN",
                "SLA MET", "PAST DUE",
            ], numeric: 1...11)
        for metrics in [report.total] + report.groups {
            table.add([
                metrics.group, String(metrics.open), String(metrics.openBySeverity[.critical] ?? 0),
                String(metrics.openBySeverity[.high] ?? 0), String(metrics.new), String(metrics.fixed),
                days(metrics.timeToOwn.medianDays), days(metrics.timeToRemediate.medianDays),
                days(metrics.timeToRemediate.p90Days), days(metrics.timeToRemediate.naiveMeanDays),
                metrics.slaCompliance.map { String(format: "%.0f%%", $0 * 100) } ?? "-", String(metrics.openPastDue),
            ])
        }
        out.out(table.render(), terminator: "")
        if let gap = report.unowned {
            out.out(
                "unowned: \(gap.open) open (\(gap.share.map { String(format: "%.0f%%", $0 * 100) } ?? "-") of open work), "
                    + "oldest \(days(gap.oldestDays)) days, median time to assign \(days(gap.timeToAssign.medianDays)) days"
            )
        }
        out.out("TTO: time to own, TTR: time to remediate, in days (Kaplan-Meier; open findings censored)")
    }
}

/// `custody scorecard TEAM`: one team on one screen.
enum ScorecardCommand {
    static let command = Command(
        path: ["scorecard"], abstract: "One team on one screen: open risk, time to own and fix, SLA, most urgent work",
        options: [
            OptionSpec("since", value: "TIME", help: "start of the period (default: 90 days before --until)"),
            OptionSpec("until", value: "TIME", help: "end of the period (default: now)"),
            OptionSpec("json", help: "print the team's metrics as JSON (as metrics --team --json)"),
        ],
        positionals: [PositionalSpec("TEAM", help: "the team")]
    ) { context in
        let arguments = context.arguments
        let card = try context.service().scorecard(
            team: arguments.positionals[0],
            since: arguments.value("since") != nil ? try arguments.time("since") : nil,
            until: arguments.value("until") != nil ? try arguments.time("until") : nil, by: context.principal())
        if arguments.flag("json") {
            printJSON(context, Wire.metricsReport(card.metrics))
            return 0
        }
        let out = context.console
        let m = card.metrics.total
        let days = MetricsCommand.days
        func share(_ value: Double?) -> String { value.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
        out.out(
            "\(card.team.id) - \(card.team.name)"
                + (card.unit.map { " (unit \($0.id): \($0.name))" } ?? "")
                + (card.team.lead.map { ", lead \($0)" } ?? ""))
        out.out("\(Timestamp.string(card.metrics.since)) to \(Timestamp.string(card.metrics.until))")
        let severities = [Severity.critical, .high, .medium, .low].map { "\($0.rawValue) \(m.openBySeverity[$0] ?? 0)" }
        out.out("open:              \(m.open) (\(severities.joined(separator: ", ")))")
        out.out(String(format: "past due:          %d (%.0f days in all)", m.openPastDue, m.overdueDays))
        let ladder = [EscalationStage.team, .lead, .unitHead, .executive].compactMap { stage in
            m.escalated[stage].map { "\(stage.name) \($0)" }
        }
        out.out("escalated:         " + (ladder.isEmpty ? "none" : ladder.joined(separator: ", ")))
        out.out(
            "found / fixed:     \(m.new) / \(m.fixed) (capacity \(m.capacity.map { String(format: "%.2f", $0) } ?? "-")), "
                + "\(m.reopened) regressions")
        for (label, estimate) in [("time to own:      ", m.timeToOwn), ("time to remediate:", m.timeToRemediate)] {
            out.out(
                "\(label) median \(days(estimate.medianDays)), p90 \(days(estimate.p90Days)) days "
                    + "(\(estimate.observed) done, \(estimate.censored) waiting; naive mean \(days(estimate.naiveMeanDays)))"
            )
        }
        out.out("SLA met:           \(share(m.slaCompliance)) of \(m.fixedWithDueDate) fixed with a due date")
        out.out("accepted risks:    \(m.riskAccepted) (\(m.riskAcceptedExpiringIn30Days) expiring within 30 days)")
        guard !card.mostUrgent.isEmpty else {
            out.out("most urgent:       nothing open")
            return 0
        }
        out.out("most urgent:")
        var table = TextTable(["ID", "SEVERITY", "STATUS", "DUE", "RULE", "LOCATION"])
        for row in card.mostUrgent {
            table.add([
                String(row.id), row.severity.rawValue, row.status.rawValue, row.dueAt ?? "-", row.rule, location(row),
            ])
        }
        out.out(table.render(), terminator: "")
        return 0
    }
}
