import CustodyCore
import CustodyReports
import CustodyService
import CustodyStore
import Foundation

/// Risk acceptances: every finding accepted as a risk that the principal may see, the soonest
/// to run out first, those ending within 30 days marked, with who approved and why.
struct AcceptancesPage {
    let service: CustodyService
    let session: SignedIn

    func render() throws(ServiceError) -> String {
        var filter = FindingFilter()
        filter.status = .riskAccepted
        let listing = try service.scoped(FindingListRequest(filter: filter, limit: 1_000), for: session.principal)
        var rows: [FindingRow] = []
        _ = try service.forEachFinding(listing) { rows.append($0) }
        rows.sort { ($0.riskAcceptedUntil ?? "", $0.id) < ($1.riskAcceptedUntil ?? "", $1.id) }
        let soon = Timestamp.string(Date().addingTimeInterval(30 * 86_400))
        let expiring = rows.filter { ($0.riskAcceptedUntil ?? "") <= soon }.count
        return Layout.page("Risk acceptances", session: session, current: "/acceptances") { html in
            html.element("h1", text: "Risk acceptances")
            html.element(
                "p", [("class", "sub")],
                text:
                    "\(rows.count) findings accepted as risks; \(expiring) run out within 30 days and become open work again."
            )
            guard !rows.isEmpty else {
                html.element("p", [("class", "muted")], text: "No risk is accepted now.")
                return
            }
            Layout.table(
                [
                    ("Finding", ""), ("Severity", ""), ("What", ""), ("Owner", ""), ("Until", ""),
                    ("Approved by", "wide"),
                ], into: &html
            ) { html in
                for row in rows {
                    html.element("tr") { html in
                        Layout.findingCells(row, into: &html)
                        html.element("td", text: row.rule)
                        html.element("td", text: row.ownerTeam ?? "nobody")
                        let until = String((row.riskAcceptedUntil ?? "-").prefix(10))
                        html.element(
                            "td", text: (row.riskAcceptedUntil ?? "") <= soon ? "\(until) (runs out soon)" : until)
                        html.element("td", [("class", "wide")], text: row.riskApprover ?? "-")
                    }
                }
            }
        }
    }
}
