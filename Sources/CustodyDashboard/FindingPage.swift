import CustodyCore
import CustodyReports
import CustodyService
import CustodyStore
import Foundation

/// A finding's page: the evidence (tool and sources, rule, location, package, scores), who owns
/// it and why, who introduced it, and its chain of custody with the delay of each hand-off.
struct FindingPage {
    let service: CustodyService
    let session: SignedIn

    func render(_ id: Int64, notice: String?) throws(ServiceError) -> String {
        let principal = session.principal
        let detail = try service.finding(id, by: principal)
        let explanation = try service.explainOwner(id, by: principal)
        let timeline = try service.trace(id, by: principal)
        let flagged = try service.flaggedLines(id, by: principal)
        let teams = try service.organisation().teams
        let row = detail.finding
        return Layout.page("Finding #\(id)", session: session, notice: notice) { html in
            html.element("h1", text: "#\(id) \(row.rule)")
            html.element("p", [("class", "sub")], text: row.message)
            html.element("h2", text: "Evidence")
            facts(
                [
                    ("Severity", row.severity.rawValue),
                    ("Status", row.status.rawValue.replacingOccurrences(of: "_", with: " ")),
                    ("Tool", ([row.tool] + row.sources.filter { $0 != row.tool }).joined(separator: ", ")),
                    ("Location", Self.location(row)),
                    (
                        "Package",
                        row.package.map {
                            "\($0) \(row.packageVersion ?? "")" + (row.fixedVersion.map { ", fixed in \($0)" } ?? "")
                        }
                    ),
                    (
                        "Advisories",
                        (row.cves + row.vulnerabilityIDs).isEmpty
                            ? nil : Array(Set(row.cves + row.vulnerabilityIDs)).sorted().joined(separator: ", ")
                    ),
                    ("CWE", row.cwes.isEmpty ? nil : row.cwes.joined(separator: ", ")),
                    ("CVSS", row.cvssVectors.isEmpty ? nil : row.cvssVectors.joined(separator: " ")),
                    ("EPSS", row.epss.map { String(format: "%.3f", $0) }),
                    ("KEV", row.kevAdded.map { "in CISA's catalogue since \($0)" }),
                    ("SSVC", row.ssvc), ("Priority", row.priority.map { String(format: "%.2f", $0) }),
                    ("Due", row.dueAt),
                    ("Escalation", row.escalation == .none ? nil : "reached \(row.escalation.name)"),
                    ("Risk accepted until", row.riskAcceptedUntil.map { "\($0) (\(row.riskApprover ?? "-"))" }),
                    ("Justification", row.justification), ("Identity", detail.identity),
                ], into: &html)
            if let flagged {
                html.element("figure") { html in
                    html.element("pre", [("class", "code"), ("tabindex", "0")]) { html in
                        for (offset, text) in flagged.lines.enumerated() {
                            let number = flagged.firstLine + offset
                            html.element("span", [("class", number == flagged.flagged ? "line flagged" : "line")]) {
                                html in
                                html.text(String(format: "%5d  ", number) + text)
                            }
                        }
                    }
                    html.element(
                        "figcaption",
                        text:
                            "\(flagged.path) at \(flagged.commit.prefix(12)), as the latest scan saw it (line \(flagged.flagged) flagged)"
                    )
                }
            }
            if !detail.related.isEmpty {
                html.element("p") { html in
                    html.text("The same issue as seen by other tools: ")
                    for (index, related) in detail.related.enumerated() {
                        if index > 0 { html.text(", ") }
                        html.element(
                            "a", [("href", "/findings/\(related.id)")],
                            text: "#\(related.id) \(related.tool) \(related.rule)")
                    }
                }
            }
            html.element("h2", text: "Owner, and why")
            facts(
                [
                    ("Owner", explanation.team.map { "\($0.name) (\($0.id))" } ?? "nobody"),
                    (
                        "Rule",
                        row.ownerEvidence.map {
                            "\($0.file):\($0.line) \($0.pattern) \($0.handles.joined(separator: " "))"
                        }
                    ),
                    ("Handle", explanation.claimedHandle), ("Assigned", explanation.assignment),
                    ("Precedence", explanation.precedence),
                    ("Reason", explanation.reason == explanation.assignment ? nil : explanation.reason),
                    (
                        "Introduced by",
                        row.introducer.map {
                            "\($0.author), \($0.commit.prefix(12)), \($0.authoredAt.prefix(10)), release \($0.release ?? "none yet")"
                        } ?? detail.introducerReason
                    ),
                ], into: &html)
            if principal.mayChange, row.status.isActive {
                html.element("h2", text: "Act")
                Self.actions(row, session: session, back: "/findings/\(id)", teams: teams, into: &html)
            } else if principal.mayChange, !row.status.isActive {
                html.element("h2", text: "Act")
                Forms.post("/findings/\(id)/reopen", session: session, button: "Reopen", into: &html) { html in
                    Forms.field("Reason", name: "reason", required: true, into: &html)
                }
            }
            html.element("h2", text: "Chain of custody")
            html.element("ol", [("class", "timeline")]) { html in
                var previous: Date?
                for entry in timeline {
                    let at = Timestamp.date(entry.at)
                    html.element("li") { html in
                        html.element(
                            "time", [("datetime", entry.at)], text: entry.at.replacingOccurrences(of: "T", with: " "))
                        html.text(" \u{2014} \(entry.what), by \(entry.who)")
                        if let at, let previous, at.timeIntervalSince(previous) >= 3600 {
                            html.element(
                                "span", [("class", "muted")],
                                text: " (\(Self.delay(at.timeIntervalSince(previous))) after the step before)")
                        }
                    }
                    if let at { previous = at }
                }
            }
        }
    }

    func facts(_ facts: [(String, String?)], into html: inout HTML) {
        html.element("dl", [("class", "facts")]) { html in
            for (name, value) in facts {
                guard let value, !value.isEmpty else { continue }
                html.element("dt", text: name)
                html.element("dd", text: value)
            }
        }
    }

    static func delay(_ seconds: TimeInterval) -> String {
        seconds >= 86_400 ? String(format: "%.1f days", seconds / 86_400) : String(format: "%.0f hours", seconds / 3600)
    }

    static func location(_ row: FindingRow) -> String {
        let place = [row.repository, row.path.map { path in row.line.map { "\(path):\($0)" } ?? path }]
            .compactMap { $0 }.joined(separator: " ")
        return place.isEmpty ? (row.asset ?? "-") : place
    }

    /// The forms for a finding's next step: acknowledge, ask another team to take it, mark it a
    /// false positive with its VEX justification, and (for those who may) accept its risk.
    static func actions(_ row: FindingRow, session: SignedIn, back: String, teams: [Team], into html: inout HTML) {
        let base = "/findings/\(row.id)"
        func backField(_ html: inout HTML) {
            html.raw("<input type=\"hidden\" name=\"back\" value=\"\(HTML.escape(back))\">")
        }
        if row.status != .acknowledged {
            Forms.post("\(base)/acknowledge", session: session, button: "Acknowledge", into: &html) { html in
                backField(&html)
                Forms.field("Reason", name: "reason", into: &html)
            }
        }
        Forms.post("\(base)/transfer", session: session, button: "Request transfer", secondary: true, into: &html) {
            html in
            backField(&html)
            Forms.select(
                "To team", name: "to", teams.filter { $0.id != row.ownerTeam }.map { ($0.id, $0.name) }, into: &html)
            Forms.field("Reason", name: "reason", required: true, into: &html)
        }
        Forms.post(
            "\(base)/false-positive", session: session, button: "Mark false positive", secondary: true, into: &html
        ) {
            html in
            backField(&html)
            Forms.select(
                "VEX justification", name: "justification",
                VEXJustification.allCases.map { ($0.rawValue, $0.rawValue.replacingOccurrences(of: "_", with: " ")) },
                into: &html)
            Forms.field("Reason", name: "reason", required: true, into: &html)
        }
        if session.principal.mayAcceptRisk {
            Forms.post("\(base)/accept-risk", session: session, button: "Accept risk", secondary: true, into: &html) {
                html in
                backField(&html)
                Forms.field("Until", name: "until", required: true, type: "date", into: &html)
                // Who approves, as the SLA policy's approvers name them (the team's lead, at first).
                let lead = teams.first { $0.id == row.ownerTeam }?.lead ?? ""
                Forms.field("Approved by", name: "approver", value: lead, required: true, into: &html)
                Forms.field("Reason", name: "reason", required: true, into: &html)
            }
        }
    }
}
