import CustodyCore
import CustodyMetrics
import CustodyReports
import CustodyService
import Foundation

/// The organisation overview (or one org unit's): open risk by unit and team, SLA compliance,
/// what is overdue, the accountability gap, escalations, regressions and the risk each release
/// let in. Every figure of findings links to those findings, for a principal who may read them.
struct OverviewPage {
    let service: CustodyService
    let session: SignedIn

    func render(unit: String?, notice: String?) throws(ServiceError) -> String {
        let organisation = try service.organisation(by: session.principal)
        let (overview, computedAt) = try service.overviewSnapshot(unit: unit, by: session.principal)
        let m = overview.metrics.total
        let unitName = unit.flatMap { id in organisation.units.first { $0.id == id }?.name }
        let title = unitName.map { "Overview: \($0)" } ?? "Organisation overview"
        let reads = session.principal.readsFindings
        return Layout.page(title, session: session, current: "/", notice: notice) { html in
            html.element("h1", text: title)
            html.element(
                "p", [("class", "sub")],
                text:
                    "\(overview.metrics.scope), \(Format.date(overview.metrics.since)) to \(Format.date(overview.metrics.until)); "
                    + "figures as of \(Self.time(computedAt))")
            var tiles: [(String, String, Bool, String?)] = [
                ("\(m.open)", "open findings", false, reads ? "/findings?status=active" : nil),
                ("\(Format.serious(m))", "open critical or high", Format.serious(m) > 0, nil),
                (
                    "\(m.openPastDue)", "past due (SLA missed)", m.openPastDue > 0,
                    reads ? "/findings?overdue=true" : nil
                ),
                (Format.percent(m.slaCompliance), "fixes within SLA", (m.slaCompliance ?? 1) < 0.8, nil),
                (Format.days(m.timeToOwn.medianDays), "median days to own", false, nil),
                (
                    "\(m.reopened)", "regressions (seen again after a fix)", m.reopened > 0,
                    reads ? "/findings?status=reopened" : nil
                ),
            ]
            if let gap = overview.metrics.unowned {
                tiles.insert(
                    (
                        "\(gap.open)", "unowned (\(Format.percent(gap.share)) of open work)", gap.open > 0,
                        Layout.links(for: session.principal).contains { $0.1 == "/unowned" } ? "/unowned" : nil
                    ), at: 3)
            }
            Layout.tiles(tiles, into: &html)
            Layout.dailyOpen(m, title: "Open findings at the end of each day", into: &html)
            units(overview, organisation, into: &html)
            teams(overview.teams, organisation, into: &html)
            escalations(m, into: &html)
            releases(m, into: &html)
        }
    }

    /// The teams page: every team the principal may see, with its figures.
    func renderTeams() throws(ServiceError) -> String {
        let organisation = try service.organisation(by: session.principal)
        let (overview, computedAt) = try service.overviewSnapshot(by: session.principal)
        return Layout.page("Teams", session: session, current: "/teams") { html in
            html.element("h1", text: "Teams")
            html.element("p", [("class", "sub")], text: "The last 90 days; figures as of \(Self.time(computedAt))")
            teams(overview.teams, organisation, into: &html)
        }
    }

    /// When figures were computed, to the second (UTC).
    static func time(_ date: Date) -> String {
        Timestamp.string(date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    func units(_ overview: Overview, _ organisation: Organisation, into html: inout HTML) {
        guard !overview.units.isEmpty else { return }
        html.element("h2", text: "Open risk by org unit")
        Layout.table(
            [("Unit", ""), ("Open", "n"), ("Critical or high", "n"), ("Past due", "n"), ("Fixes within SLA", "n")],
            into: &html
        ) { html in
            let names = Dictionary(uniqueKeysWithValues: organisation.units.map { ($0.id, $0.name) })
            for group in overview.units.sorted(by: { Format.serious($0) > Format.serious($1) }) {
                html.element("tr") { html in
                    html.element("th", [("scope", "row")]) { html in
                        html.element(
                            "a", [("href", "/?unit=\(group.group)")], text: names[group.group] ?? group.group)
                    }
                    for value in [
                        "\(group.open)", "\(Format.serious(group))", "\(group.openPastDue)",
                        Format.percent(group.slaCompliance),
                    ] {
                        html.element("td", [("class", "n")], text: value)
                    }
                }
            }
        }
    }

    func teams(_ groups: [GroupMetrics], _ organisation: Organisation, into html: inout HTML) {
        html.element("h2", text: "Open risk by team")
        guard !groups.isEmpty else {
            html.element("p", [("class", "muted")], text: "No findings in the period.")
            return
        }
        let reads = session.principal.readsFindings
        let names = organisation.teamsByID
        Layout.table(
            [
                ("Team", ""), ("Open", "n"), ("Critical or high", "n"), ("Past due", "n"), ("Fixes within SLA", "n"),
                ("Median days to fix", "n wide"), ("Escalated", "n wide"),
            ], into: &html
        ) { html in
            for group in groups.sorted(by: { ($0.openPastDue, $0.open) > ($1.openPastDue, $1.open) }) {
                let unowned = group.group == "(unowned)"
                let query = unowned ? "unowned=true" : "team=\(group.group)"
                html.element("tr") { html in
                    html.element("th", [("scope", "row")]) { html in
                        if unowned {
                            html.text("Nobody (the accountability gap)")
                        } else {
                            html.element(
                                "a", [("href", "/teams/\(group.group)")],
                                text: names[group.group]?.name ?? group.group)
                        }
                    }
                    html.element("td", [("class", "n")]) { html in
                        Layout.link("\(group.open)", reads ? "/findings?\(query)&status=active" : nil, into: &html)
                    }
                    html.element("td", [("class", "n")], text: "\(Format.serious(group))")
                    html.element("td", [("class", "n")]) { html in
                        Layout.link(
                            "\(group.openPastDue)", reads ? "/findings?\(query)&overdue=true" : nil, into: &html)
                    }
                    html.element("td", [("class", "n")], text: Format.percent(group.slaCompliance))
                    html.element("td", [("class", "n wide")], text: Format.days(group.timeToRemediate.medianDays))
                    let escalated = group.escalated.filter { $0.key.rawValue >= EscalationStage.lead.rawValue }
                    html.element("td", [("class", "n wide")], text: "\(escalated.values.reduce(0, +))")
                }
            }
        }
    }

    func escalations(_ m: GroupMetrics, into html: inout HTML) {
        let stages = [EscalationStage.team, .lead, .unitHead, .executive]
        guard stages.contains(where: { (m.escalated[$0] ?? 0) > 0 }) else { return }
        html.element("h2", text: "Escalations")
        html.raw(
            SVG.barChart(
                stages.map { (label: "reached \($0.name)", value: Double(m.escalated[$0] ?? 0)) },
                title: "Open findings by the escalation stage they have reached"))
    }

    func releases(_ m: GroupMetrics, into html: inout HTML) {
        html.element("h2", text: "Where risk enters: findings introduced per release")
        guard
            let chart = Layout.releaseChart(
                m.introducedByRelease, limit: 12,
                title: "Findings found in the period, by the release that first shipped them")
        else {
            html.element(
                "p", [("class", "muted")],
                text:
                    "No finding of the period was traced to the commit that introduced it (git attribution needs a registered repository)."
            )
            return
        }
        html.raw(chart)
        html.element(
            "p", [("class", "muted")],
            text:
                "\(m.introduced) findings of the period traced to their introducing commit; median \(Format.days(m.escapeTime.medianDays)) days shipped before found."
        )
    }
}
