import CustodyCore
import CustodyMetrics
import CustodyReports
import CustodyService
import Foundation

/// Releases: the findings of the last 90 days each release shipped (traced by git to their
/// introducing commit), by the team accountable for them, and the fixes each release proved.
/// A team's member sees its own team's; the others the organisation's (or their units').
struct ReleasesPage {
    let service: CustodyService
    let session: SignedIn

    func render() throws(ServiceError) -> String {
        let principal = session.principal
        let total: GroupMetrics
        let teams: [GroupMetrics]
        if principal.isTeamBound {
            let report = try service.metrics(
                MetricsRequest(scope: .team(principal.teams.sorted().first ?? "")), by: principal)
            total = report.total
            teams = [report.total].map { group in
                var group = group
                group.group = principal.teams.sorted().first ?? ""
                return group
            }
        } else {
            let overview = try service.overviewSnapshot(by: principal).overview
            total = overview.metrics.total
            teams = overview.teams.filter { $0.introduced > 0 }
        }
        let releases = total.introducedByRelease.keys.sorted(by: >)
        return Layout.page("Releases", session: session, current: "/releases") { html in
            html.element("h1", text: "Releases: where risk enters")
            html.element(
                "p", [("class", "sub")],
                text:
                    "Findings of the last 90 days by the release that first shipped them, and by the team accountable for them."
            )
            guard !releases.isEmpty else {
                html.element(
                    "p", [("class", "muted")],
                    text:
                        "No finding was traced to its introducing commit: register the repository (custody repos add) so that git can tell."
                )
                return
            }
            html.raw(
                SVG.heatMap(
                    rows: releases, columns: teams.map(\.group),
                    values: releases.map { release in teams.map { $0.introducedByRelease[release] ?? 0 } },
                    title: "Findings introduced, by release and by the team accountable for them"))
            Layout.table([("Release", ""), ("Introduced", "n")], into: &html) { html in
                for release in releases {
                    html.element("tr") { html in
                        html.element("th", [("scope", "row")], text: release)
                        html.element("td", [("class", "n")], text: "\(total.introducedByRelease[release] ?? 0)")
                    }
                }
            }
            html.element(
                "p", [("class", "muted")],
                text:
                    "Median \(Format.days(total.escapeTime.medianDays)) days shipped before found; by the team that owned the lines then: "
                    + total.introducedByTeam.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", "))
            let fixed = total.fixedByRelease.sorted { $0.key > $1.key }
            if !fixed.isEmpty {
                html.element("h2", text: "Fixes proved, by the release of the scan that proved them")
                html.raw(
                    SVG.barChart(
                        fixed.map { (label: $0.key, value: Double($0.value)) },
                        title: "Fixes proved by each release's scans"))
            }
        }
    }
}
