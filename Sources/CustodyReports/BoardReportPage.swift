import CustodyCore
import CustodyMetrics
import CustodyService
import Foundation

/// The board report as one HTML page (docs/reports.md): a first page an executive reads in two
/// minutes, then appendices, each on a page of its own when printed.
public enum BoardReportPage {
    public static func render(_ report: BoardReport, organisationName: String = "the organisation") -> String {
        let total = report.organisation.total
        let period = "\(Format.date(report.organisation.since)) to \(Format.date(report.organisation.until))"
        return HTML.document(title: "Security accountability: board report, \(period)") { html in
            summary(&html, report, total: total, period: period, name: organisationName)
            appendices(&html, report, total: total)
        }
    }

    static func summary(_ html: inout HTML, _ report: BoardReport, total: GroupMetrics, period: String, name: String) {
        html.element("h1", text: "Security accountability: board report")
        html.element("p", [("class", "sub")], text: "\(name), \(period). Figures: custody metrics (docs/metrics.md).")
        let gap = report.organisation.unowned
        let tiles: [(String, String, String)] = [
            ("\(Format.serious(total))", "open critical and high", Format.serious(total) > 0 ? "bad" : "good"),
            (
                Format.percent(total.slaCompliance), "fixes within SLA",
                (total.slaCompliance ?? 1) < 0.8 ? "bad" : "good"
            ),
            ("\(total.openPastDue)", "open past due", total.openPastDue > 0 ? "bad" : "good"),
            (Format.percent(gap?.share), "of open work unowned", (gap?.share ?? 0) > 0.05 ? "bad" : "good"),
        ]
        html.element("div", [("class", "tiles")]) { html in
            for (value, label, tone) in tiles {
                html.element("div", [("class", "tile \(tone)")]) { html in
                    html.element("b", text: value)
                    html.element("span", text: label)
                }
            }
        }
        html.element("h2", text: "What the board should know")
        html.element("ul", [("class", "findings")]) { html in
            for sentence in keyFindings(report, total: total) { html.element("li", text: sentence) }
        }
        html.element("figure") { html in
            html.raw(
                SVG.lineChart(
                    [
                        SVG.Series("open findings", total.dailyOpen.map(Double.init)),
                        SVG.Series("unowned", (report.unowned?.dailyOpen ?? []).map(Double.init)),
                    ], first: Format.date(seconds: total.since), last: Format.lastDay(total),
                    title: "Open findings and unowned findings, day by day"))
            html.element(
                "figcaption", text: "Open work at the end of each day of the period, and the part of it nobody owns.")
        }
        html.element(
            "p", [("class", "note")],
            text: "Appendices: A open risk trend; B SLA compliance by org unit; C org units by severity; "
                + "D teams with the most overdue risk; E the accountability gap; F risk introduced per release; "
                + "G time to remediate per unit.")
    }

    /// The sentences of the first page, each from the figures.
    static func keyFindings(_ report: BoardReport, total: GroupMetrics) -> [String] {
        var sentences: [String] = []
        let start = total.dailyOpen.first ?? 0
        sentences.append(
            "Open risk: \(total.open) findings open, \(Format.serious(total)) of them critical or high "
                + "(\(Format.change(from: start, to: total.open)) at the start of the period).")
        sentences.append(
            "Found \(total.new), fixed \(total.fixed) (capacity \(total.capacity.map { String(format: "%.2f", $0) } ?? "-"): "
                + ((total.capacity ?? 0) >= 1 ? "the backlog is shrinking" : "the backlog is growing") + ").")
        let remediate = total.timeToRemediate
        sentences.append(
            "Time to remediate: median \(Format.median(remediate, finished: "fixed")), p90 "
                + (remediate.p90Days.map { Format.days($0) + " days" } ?? "not reached") + " "
                + "(Kaplan-Meier, \(remediate.censored) still open counted as such); the naive mean of fixed findings "
                + "alone would say \(Format.days(remediate.naiveMeanDays)).")
        sentences.append(
            "SLA: \(Format.percent(total.slaCompliance)) of the period's fixes met their due date; "
                + "\(total.openPastDue) findings are past due now, \(Int(total.overdueDays.rounded())) days overdue in all."
        )
        if let worst = report.units.filter({ $0.depth == 0 }).max(by: {
            $0.metrics.openPastDue < $1.metrics.openPastDue
        }),
            worst.metrics.openPastDue > 0
        {
            let team = report.teams.max { $0.metrics.overdueDays < $1.metrics.overdueDays }
            sentences.append(
                "Most overdue: \(worst.unit.name) (\(worst.metrics.openPastDue) past due)"
                    + (team.map {
                        "; the team with the most overdue days is \($0.team.name) (lead \($0.team.lead ?? "none"))"
                    }
                        ?? "") + ".")
        }
        if let gap = report.organisation.unowned {
            sentences.append(
                "Accountability gap: \(gap.open) open findings (\(Format.percent(gap.share))) have no owning team; "
                    + "the oldest is \(Format.days(gap.oldestDays)) days old; median time to assign: "
                    + Format.median(gap.timeToAssign, finished: "assigned") + ".")
        }
        let releases = total.introducedByRelease.sorted { $0.value > $1.value }
        if let top = releases.first {
            sentences.append(
                "Where risk enters: \(total.introduced) of the \(total.new) findings found in the period were traced to "
                    + "the commit that shipped them; the release that introduced the most is \(top.key) (\(top.value)); "
                    + "median escape time (shipped to found) \(Format.days(total.escapeTime.medianDays)) days.")
        }
        if total.fixesBy.total > 0 {
            sentences.append(
                "Who fixes: \(Format.percent(total.fixesBy.owningShare)) of proved fixes and "
                    + "\(Format.percent(total.actionsBy.owningShare)) of lifecycle actions came from the owning teams.")
        }
        return sentences
    }

    static func appendices(_ html: inout HTML, _ report: BoardReport, total: GroupMetrics) {
        let first = Format.date(seconds: total.since)
        let last = Format.lastDay(total)
        section(&html, "A. Open risk trend") { html in
            let severities: [Severity] = [.critical, .high, .medium, .low]
            html.raw(
                SVG.lineChart(
                    [SVG.Series("all open", total.dailyOpen.map(Double.init))], first: first, last: last,
                    title: "Open findings, day by day"))
            let months = Arrivals.buckets(total, since: total.since, per: .month)
            html.table(
                caption: "Arrivals by month", ["month from", "found", "fixed", "reopened"],
                months.map { [$0.start, String($0.new), String($0.fixed), String($0.reopened)] }, numeric: [1, 2, 3])
            html.table(
                caption: "Open at the end of the period, by severity", severities.map(\.rawValue),
                [severities.map { String(total.openBySeverity[$0] ?? 0) }], numeric: Set(0..<4))
        }
        section(&html, "B. SLA compliance by org unit") { html in
            html.raw(
                SVG.barChart(
                    report.units.map {
                        (String(repeating: "  ", count: $0.depth) + $0.unit.name, ($0.metrics.slaCompliance ?? 0) * 100)
                    },
                    title: "Share of fixes within SLA, by org unit", format: { String(format: "%.0f%%", $0) },
                    maximum: 100))
            html.table(
                caption: "Agencies (top-level units), each with every unit below it",
                ["org unit", "fixed", "within SLA", "open past due", "overdue days"],
                report.units.filter { $0.depth == 0 }.map {
                    [
                        String(repeating: "\u{2003}", count: $0.depth) + $0.unit.name, String($0.metrics.fixed),
                        Format.percent($0.metrics.slaCompliance), String($0.metrics.openPastDue),
                        String(Int($0.metrics.overdueDays.rounded())),
                    ]
                }, numeric: [1, 2, 3, 4])
        }
        section(&html, "C. Org units by severity") { html in
            let severities: [Severity] = [.critical, .high, .medium, .low, .info]
            html.raw(
                SVG.heatMap(
                    rows: report.units.map { String(repeating: "  ", count: $0.depth) + $0.unit.name },
                    columns: severities.map(\.rawValue),
                    values: report.units.map { unit in severities.map { unit.metrics.openBySeverity[$0] ?? 0 } },
                    title: "Open findings by org unit and severity"))
        }
        section(&html, "D. Teams with the most overdue risk") { html in
            let ranked = report.teams.filter { $0.metrics.openPastDue > 0 }
                .sorted { ($0.metrics.overdueDays, $1.team.id) > ($1.metrics.overdueDays, $0.team.id) }.prefix(15)
            if ranked.isEmpty { html.element("p", text: "No team holds overdue work.") }
            html.table(
                ["team", "lead", "open", "critical/high", "past due", "overdue days", "median time to remediate"],
                ranked.map {
                    [
                        $0.team.name, $0.team.lead ?? "-", String($0.metrics.open), String(Format.serious($0.metrics)),
                        String($0.metrics.openPastDue), String(Int($0.metrics.overdueDays.rounded())),
                        Format.days($0.metrics.timeToRemediate.medianDays),
                    ]
                }, numeric: [2, 3, 4, 5, 6])
        }
        section(&html, "E. The accountability gap") { html in
            let gap = report.organisation.unowned
            html.element(
                "p",
                text:
                    "\(gap?.open ?? 0) open findings have no owning team (\(Format.percent(gap?.share)) of open work); "
                    + "the oldest is \(Format.days(gap?.oldestDays)) days old. Of those that arrived unowned in the period, "
                    + "median time until a team was assigned: "
                    + (gap.map { Format.median($0.timeToAssign, finished: "assigned") } ?? "-") + ".")
            html.raw(
                SVG.lineChart(
                    [SVG.Series("unowned open findings", (report.unowned?.dailyOpen ?? []).map(Double.init))],
                    first: first,
                    last: last, title: "Unowned open findings, day by day"))
        }
        section(&html, "F. Risk introduced per release") { html in
            let releases = total.introducedByRelease.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(20)
            if releases.isEmpty {
                html.element(
                    "p",
                    text:
                        "No finding of the period was traced to an introducing commit (ingest with --repo DIR --commit)."
                )
            } else {
                html.raw(
                    SVG.barChart(
                        releases.map { ($0.key, Double($0.value)) },
                        title: "Findings found in the period, by the release that shipped them"))
            }
            let teams = total.introducedByTeam.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(15)
            html.table(
                caption: "By the team that owned the code when it shipped", ["team", "findings introduced"],
                teams.map { [$0.key, String($0.value)] }, numeric: [1])
            html.element(
                "p",
                text: "Escape time (shipped to found): median \(Format.days(total.escapeTime.medianDays)) days, "
                    + "p90 \(Format.days(total.escapeTime.p90Days)).")
        }
        section(&html, "G. Time to remediate per org unit") { html in
            let top = report.units.filter {
                $0.depth == 0 && $0.metrics.timeToRemediate.observed + $0.metrics.timeToRemediate.censored > 0
            }
            .prefix(SVG.palette.count)
            let days = max(1, (report.organisation.until.timeIntervalSince(report.organisation.since)) / 86_400)
            html.raw(
                SVG.stepCurves(
                    top.map { ($0.unit.name, Format.steps($0.metrics.timeToRemediate)) }, days: days,
                    title: "Share of findings still open, by days since found (Kaplan-Meier)"))
            html.table(
                caption: "Days to remediate, agencies (top-level units)",
                ["org unit", "median", "p75", "p90", "fixed", "still open", "naive mean"],
                report.units.filter { $0.depth == 0 }.map {
                    let survival = $0.metrics.timeToRemediate
                    return [
                        String(repeating: "\u{2003}", count: $0.depth) + $0.unit.name, Format.days(survival.medianDays),
                        Format.days(survival.p75Days), Format.days(survival.p90Days), String(survival.observed),
                        String(survival.censored), Format.days(survival.naiveMeanDays),
                    ]
                }, numeric: [1, 2, 3, 4, 5, 6])
            html.element(
                "p", [("class", "note")],
                text: "Days from discovery to fix of the findings found in the period; those still open are censored "
                    + "(counted as open for as long as they have been), so a median is '-' until half are fixed.")
        }
    }

    static func section(_ html: inout HTML, _ title: String, _ content: (inout HTML) -> Void) {
        html.element("section", [("class", "appendix")]) { html in
            html.element("h2", text: title)
            content(&html)
        }
    }
}
