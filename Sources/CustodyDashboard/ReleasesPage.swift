import CustodyCore
import CustodyMetrics
import CustodyReports
import CustodyService
import Foundation

/// Releases: the findings of the last year each release shipped (traced by git to their
/// introducing commit), by the team that owned the lines then, and the fixes each release proved.
struct ReleasesPage {
    let service: CustodyService
    let session: SignedIn

    func render() throws(ServiceError) -> String {
        let principal = session.principal
        let scope: MetricsRequest.Scope =
            principal.isTeamBound ? .team(principal.teams.sorted().first ?? "") : .organisation
        let report = try service.metrics(
            MetricsRequest(scope: scope, since: Date().addingTimeInterval(-365 * 86_400), breakdown: .release),
            by: principal)
        let releases = report.groups.filter { $0.introduced > 0 }.sorted { $0.group > $1.group }
        let teams = Array(Set(releases.flatMap(\.introducedByTeam.keys))).sorted()
        return Layout.page("Releases", session: session, current: "/releases") { html in
            html.element("h1", text: "Releases: where risk enters")
            html.element(
                "p", [("class", "sub")],
                text:
                    "Findings of the last year by the release that first shipped them, and the team that owned the lines then (\(report.scope))."
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
                    rows: releases.map(\.group), columns: teams,
                    values: releases.map { release in teams.map { release.introducedByTeam[$0] ?? 0 } },
                    title: "Findings introduced, by release and by the team that owned the lines"))
            Layout.table(
                [("Release", ""), ("Introduced", "n"), ("Still open", "n"), ("Median days shipped before found", "n")],
                into: &html
            ) { html in
                for release in releases {
                    html.element("tr") { html in
                        html.element("th", [("scope", "row")], text: release.group)
                        html.element("td", [("class", "n")], text: "\(release.introduced)")
                        html.element("td", [("class", "n")], text: "\(release.open)")
                        html.element("td", [("class", "n")], text: Format.days(release.escapeTime.medianDays))
                    }
                }
            }
            let fixed = report.total.fixedByRelease.sorted { $0.key > $1.key }
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
