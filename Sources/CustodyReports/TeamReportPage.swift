import CustodyCore
import CustodyMetrics
import CustodyService
import Foundation

/// A team's report as one HTML page: its scorecard first, then its trends and its open work.
public enum TeamReportPage {
    public static func render(_ report: TeamReport) -> String {
        let card = report.scorecard
        let m = card.metrics.total
        let period = "\(Format.date(card.metrics.since)) to \(Format.date(card.metrics.until))"
        return HTML.document(title: "\(card.team.name): security scorecard, \(period)") { html in
            html.element("h1", text: "\(card.team.name): security scorecard")
            html.element(
                "p", [("class", "sub")],
                text: [
                    card.unit.map { "Unit \($0.name)" }, card.team.lead.map { "lead \($0)" }, period,
                ].compactMap { $0 }.joined(separator: " \u{00B7} "))
            html.element("div", [("class", "tiles")]) { html in
                for (value, label, bad) in [
                    ("\(m.open)", "open (\(Format.serious(m)) critical or high)", Format.serious(m) > 0),
                    ("\(m.openPastDue)", "past due", m.openPastDue > 0),
                    (Format.days(m.timeToRemediate.medianDays), "median days to remediate", false),
                    (Format.percent(m.slaCompliance), "fixes within SLA", (m.slaCompliance ?? 1) < 0.8),
                ] {
                    html.element("div", [("class", bad ? "tile bad" : "tile")]) { html in
                        html.element("b", text: value)
                        html.element("span", text: label)
                    }
                }
            }
            let ladder = [EscalationStage.team, .lead, .unitHead, .executive].compactMap { stage in
                m.escalated[stage].map { "\(stage.name) \($0)" }
            }
            html.table(
                ["figure", "value"],
                [
                    [
                        "found / fixed in the period",
                        "\(m.new) / \(m.fixed) (capacity \(m.capacity.map { String(format: "%.2f", $0) } ?? "-"))",
                    ],
                    ["regressions (seen again after a fix)", String(m.reopened)],
                    [
                        "time to own (median, p90)",
                        "\(Format.days(m.timeToOwn.medianDays)) / \(Format.days(m.timeToOwn.p90Days)) days "
                            + "(\(m.timeToOwn.censored) waiting; naive mean \(Format.days(m.timeToOwn.naiveMeanDays)))",
                    ],
                    [
                        "time to remediate (median, p90)",
                        "\(Format.days(m.timeToRemediate.medianDays)) / \(Format.days(m.timeToRemediate.p90Days)) days "
                            + "(\(m.timeToRemediate.censored) open; naive mean \(Format.days(m.timeToRemediate.naiveMeanDays)))",
                    ],
                    ["escalated now", ladder.isEmpty ? "none" : ladder.joined(separator: ", ")],
                    [
                        "accepted risks",
                        "\(m.riskAccepted) (\(m.riskAcceptedExpiringIn30Days) expiring within 30 days)",
                    ],
                    ["release gate", "\(m.gateBlocked) blocked, \(m.gateWarned) warned"],
                    ["fixes proved by the team's own uploads", Format.percent(m.fixesBy.owningShare)],
                ])
            html.element("h2", text: "Open work over the period")
            html.raw(
                SVG.lineChart(
                    [SVG.Series("open findings", m.dailyOpen.map(Double.init))], first: Format.date(seconds: m.since),
                    last: Format.lastDay(m), title: "\(card.team.name): open findings, day by day"))
            html.element("h2", text: "Time to remediate by severity")
            let severities = Severity.allCases.filter { m.timeToRemediateBySeverity[$0] != nil }
            html.raw(
                SVG.stepCurves(
                    severities.map { ($0.rawValue, Format.steps(m.timeToRemediateBySeverity[$0]!)) },
                    days: max(1, card.metrics.until.timeIntervalSince(card.metrics.since) / 86_400),
                    title: "Share still open, by days since found (Kaplan-Meier)"))
            if !m.introducedByRelease.isEmpty {
                html.element("h2", text: "Findings introduced per release")
                html.raw(
                    SVG.barChart(
                        m.introducedByRelease.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(15)
                            .map { ($0.key, Double($0.value)) }, title: "Findings found in the period, by release"))
            }
            html.element("h2", text: "Open work, most urgent first (\(report.openWork.count) of \(report.openCount))")
            html.table(
                ["id", "severity", "status", "due", "rule", "location"],
                report.openWork.map { row in
                    [
                        String(row.id), row.severity.rawValue, row.status.rawValue,
                        row.dueAt.map { String($0.prefix(10)) } ?? "-",
                        row.rule,
                        [row.repository, row.path.map { $0 + (row.line.map { ":\($0)" } ?? "") } ?? row.package]
                            .compactMap { $0 }.joined(separator: " "),
                    ]
                }, numeric: [0])
        }
    }
}
