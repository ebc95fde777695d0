import CustodyCore
import CustodyReports
import CustodyService
import CustodyStore

/// The security team's unowned queue: findings nobody owns, grouped by repository and
/// directory, with the teams that could own each group and assignment in one step (the whole
/// group, or the findings ticked).
struct UnownedPage {
    let service: CustodyService
    let session: SignedIn

    func render(notice: String?) throws(ServiceError) -> String {
        let groups = try service.unownedQueue(by: session.principal)
        let teams = try service.organisation().teams
        return Layout.page("Unowned", session: session, current: "/unowned", notice: notice) { html in
            html.element("h1", text: "Unowned findings")
            let count = groups.map(\.findingIDs.count).reduce(0, +)
            html.element(
                "p", [("class", "sub")],
                text:
                    "\(count) open findings in \(groups.count) places have no accountable team. Assign each place to a team; the change is in the ledger."
            )
            for (index, group) in groups.enumerated() {
                let place = [
                    group.repository ?? "(no repository)", group.directory.map { $0.isEmpty ? "/" : $0 + "/" },
                ]
                .compactMap { $0 }.joined(separator: " ")
                html.element("section", [("aria-labelledby", "group-\(index)")]) { html in
                    html.element("h2", [("id", "group-\(index)")], text: place)
                    html.element(
                        "p", [("class", "muted")],
                        text:
                            "\(group.findingIDs.count) findings: \(group.critical) critical, \(group.high) high, \(group.medium) medium, \(group.low) low; oldest \(group.oldestAgeDays) days"
                    )
                    if !group.suggestions.isEmpty {
                        html.element("p") { html in
                            html.text("Suggested: ")
                            for (position, suggestion) in group.suggestions.enumerated() {
                                if position > 0 { html.text("; ") }
                                html.element("b", text: suggestion.team)
                                html.text(" (\(Self.why(suggestion)))")
                            }
                        }
                    }
                    let suggested = group.suggestions.map(\.team)
                    let options =
                        suggested.map { ($0, "\($0) (suggested)") }
                        + teams.map(\.id).filter { !suggested.contains($0) }.map { ($0, $0) }
                    Forms.post("/unowned/assign", session: session, button: "Assign", into: &html) { html in
                        html.element("fieldset") { html in
                            html.element("legend", text: "Findings to assign")
                            for id in group.findingIDs.prefix(200) {
                                html.element("label", [("class", "check")]) { html in
                                    html.raw("<input type=\"checkbox\" name=\"finding\" value=\"\(id)\" checked>")
                                    html.element("a", [("href", "/findings/\(id)")], text: "#\(id)")
                                }
                            }
                        }
                        Forms.select("Team", name: "team", options, into: &html)
                        Forms.field("Reason", name: "reason", required: true, into: &html)
                    }
                }
            }
            if groups.isEmpty { html.element("p", text: "Every open finding has an owner.") }
        }
    }

    static func why(_ suggestion: UnownedGroup.Suggestion) -> String {
        switch suggestion.basis {
        case .nearby: "owns \(suggestion.findings) findings near, in \(suggestion.near)"
        case .introducers:
            "its members introduced \(suggestion.findings): \(suggestion.introducedBy.joined(separator: ", "))"
        case .ownedThen: "owned the paths when \(suggestion.findings) were introduced"
        }
    }
}
