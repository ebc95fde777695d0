import CustodyCore
import CustodyReports
import CustodyService
import Foundation

/// The release gate's decisions of the last 90 days, newest first: what was asked, the outcome,
/// every reason, and the teams it held to account.
struct GatePage {
    let service: CustodyService
    let session: SignedIn

    func render() throws(ServiceError) -> String {
        let records = try service.gateDecisions(
            since: Date().addingTimeInterval(-MetricsRequest.defaultDays * 86_400), by: session.principal)
        return Layout.page("Release gate", session: session, current: "/gate") { html in
            html.element("h1", text: "Release gate decisions")
            let blocked = records.filter { $0.outcome == "block" }.count
            html.element(
                "p", [("class", "sub")],
                text: "\(records.count) decisions in the last 90 days, \(blocked) blocked (docs/gate.md).")
            guard !records.isEmpty else {
                html.element("p", [("class", "muted")], text: "No decision yet: pipelines ask with custody gate.")
                return
            }
            Layout.table(
                [
                    ("When", ""), ("Release", ""), ("Outcome", ""), ("Why", ""), ("Teams held", ""),
                    ("Asked by", "wide"),
                ],
                into: &html
            ) { html in
                for record in records.prefix(500) {
                    html.element("tr") { html in
                        html.element("td", text: record.at.replacingOccurrences(of: "T", with: " "))
                        html.element("td", text: "\(record.repository) \(record.commit.prefix(12))")
                        html.element(
                            "td", [("class", record.outcome == "block" ? "sev-critical" : "")], text: record.outcome)
                        html.element("td", text: record.reasons.isEmpty ? "-" : record.reasons.joined(separator: "; "))
                        html.element("td", text: record.teams.joined(separator: ", "))
                        html.element("td", [("class", "wide")], text: record.actor)
                    }
                }
            }
        }
    }
}
