import CustodyCore
import CustodyReports
import CustodyService
import CustodyStore
import Foundation

/// A team's page: its scorecard, its queue (highest priority first, filtered, a page at a time,
/// each finding's actions at hand), transfers waiting for it, and whom escalation reaches next.
struct TeamPage {
    let service: CustodyService
    let session: SignedIn

    func render(_ id: String, query: [String: String], notice: String?) throws(ServiceError) -> String {
        let principal = session.principal
        let card = try service.scorecard(team: id, by: principal)
        let organisation = try service.organisation()
        let m = card.metrics.total
        let here = "/teams/\(id)"
        let title = card.team.name
        // The queue, for those who may read findings; the filters stay in the address, so a
        // view is saved by bookmarking it.
        var rows: [FindingRow] = []
        var next: String?
        if principal.readsFindings {
            let listing = try FindingsPage.listing(query: query, team: id, defaultSort: .priority)
            let scoped = try service.scoped(listing, for: principal)
            next = try service.forEachFinding(scoped) { rows.append($0) }.nextCursor
        }
        let upcoming = principal.readsFindings ? try service.nextEscalation(team: id, by: principal) : nil
        let incoming =
            principal.readsFindings
            ? try service.transferRequests(pendingOnly: true, by: principal).filter { $0.toTeam == id } : []
        return Layout.page(title, session: session, current: here, notice: notice) { html in
            html.element("h1", text: title)
            html.element(
                "p", [("class", "sub")],
                text: [
                    card.unit.map { "Unit \($0.name)" }, card.team.lead.map { "lead \($0)" },
                    "\(Format.date(card.metrics.since)) to \(Format.date(card.metrics.until))",
                ].compactMap { $0 }.joined(separator: " \u{00B7} "))
            let reads = principal.readsFindings
            Layout.tiles(
                [
                    ("\(m.open)", "open", false, reads ? "\(here)?status=active" : nil),
                    ("\(Format.serious(m))", "open critical or high", Format.serious(m) > 0, nil),
                    (
                        "\(m.openPastDue)", "past due", m.openPastDue > 0,
                        reads ? "/findings?team=\(id)&overdue=true" : nil
                    ),
                    (Format.percent(m.slaCompliance), "fixes within SLA", (m.slaCompliance ?? 1) < 0.8, nil),
                    (Format.days(m.timeToOwn.medianDays), "median days to own", false, nil),
                    (Format.days(m.timeToRemediate.medianDays), "median days to fix", false, nil),
                    ("\(m.reopened)", "regressions", m.reopened > 0, nil),
                ], into: &html)
            escalation(card.team, organisation, next: upcoming, into: &html)
            if !incoming.isEmpty { transfers(incoming, here: here, into: &html) }
            if reads { queue(rows, next: next, team: id, query: query, organisation, into: &html) }
            html.element("h2", text: "Trends")
            Layout.dailyOpen(m, title: "\(title): open findings at the end of each day", into: &html)
            if let chart = Layout.releaseChart(
                m.introducedByRelease, limit: 10,
                title: "\(title): findings of the period by the release that shipped them")
            {
                html.element("h2", text: "Findings introduced per release")
                html.raw(chart)
            }
        }
    }

    /// Whom a missed due date reaches, stage by stage, by name, and the next step ahead.
    func escalation(_ team: Team, _ organisation: Organisation, next: NextEscalation?, into html: inout HTML) {
        html.element("h2", text: "Escalation")
        html.element("p", text: "An open finding's SLA runs out in stages; each tells someone more senior:")
        html.element("ol") { html in
            for stage in EscalationStage.allCases where stage != .none {
                let who = stage.recipients(team: team, organisation: organisation)
                html.element(
                    "li",
                    text: "\(stage.when): \(stage.name) (\(who.isEmpty ? "nobody named" : who.joined(separator: ", ")))"
                )
            }
        }
        if let next {
            html.element("p") { html in
                html.text("Next: ")
                html.element("a", [("href", "/findings/\(next.findingID)")], text: "#\(next.findingID)")
                html.text(
                    " reaches the \(next.stage.name) (\(next.recipients.isEmpty ? "nobody named" : next.recipients.joined(separator: ", "))) on "
                        + Timestamp.string(next.at).replacingOccurrences(of: "T", with: " "))
            }
        }
    }

    func transfers(_ requests: [TransferRequest], here: String, into html: inout HTML) {
        html.element("h2", text: "Transfers waiting for this team")
        Layout.table(
            [("Finding", ""), ("From", ""), ("Why", ""), ("Asked by", ""), ("Decide", "")], into: &html
        ) { html in
            for request in requests {
                html.element("tr") { html in
                    html.element("td") { html in
                        html.element(
                            "a", [("href", "/findings/\(request.findingID)")], text: "#\(request.findingID)")
                    }
                    html.element("td", text: request.fromTeam ?? "nobody")
                    html.element("td", text: request.reason)
                    html.element("td", text: "\(request.requestedBy), \(request.requestedAt.prefix(10))")
                    html.element("td") { html in
                        for step in ["accept", "reject"] {
                            Forms.post(
                                "/transfers/\(step)", session: session,
                                button: step == "accept"
                                    ? "Accept #\(request.findingID)" : "Reject #\(request.findingID)",
                                secondary: step == "reject", into: &html
                            ) { html in
                                html.raw("<input type=\"hidden\" name=\"finding\" value=\"\(request.findingID)\">")
                                html.raw("<input type=\"hidden\" name=\"back\" value=\"\(HTML.escape(here))\">")
                                Forms.field("Reason", name: "reason", into: &html)
                            }
                        }
                    }
                }
            }
        }
    }

    func queue(
        _ rows: [FindingRow], next: String?, team: String, query: [String: String], _ organisation: Organisation,
        into html: inout HTML
    ) {
        let here = "/teams/\(team)"
        html.element("h2", [("id", "queue")], text: "Queue")
        html.element("p", [("class", "muted")]) { html in
            html.text("Views: ")
            for (index, view) in [
                ("Open work", "status=active"), ("Critical", "status=active&severity=critical"),
                ("Past due", "overdue=true"), ("Due soonest", "status=active&sort=due"),
                ("Risk accepted", "status=risk_accepted"), ("Fixed", "status=fixed"),
            ].enumerated() {
                if index > 0 { html.text(" \u{00B7} ") }
                html.element("a", [("href", "\(here)?\(view.1)#queue")], text: view.0)
            }
        }
        FindingsPage.filters(action: here, query: query, into: &html)
        FindingsPage.table(rows, session: session, back: here, teams: organisation.teams, into: &html)
        FindingsPage.pager(next: next, base: here, query: query, into: &html)
    }
}
