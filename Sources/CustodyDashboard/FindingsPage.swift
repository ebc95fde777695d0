import CustodyCore
import CustodyReports
import CustodyService
import CustodyStore
import Foundation

/// Findings listed and searched: by id, CVE or other advisory id, team, rule, repository, package,
/// asset or path prefix, with the team page's filters, a page of 50 at a time.
struct FindingsPage {
    let service: CustodyService
    let session: SignedIn

    func render(query: [String: String]) throws(ServiceError) -> DashboardAnswer {
        var query = query
        let teams = try service.organisation().teams
        let search = (query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        if !search.isEmpty {
            let bare = search.hasPrefix("#") ? String(search.dropFirst()) : search
            if let id = Int64(bare), id > 0 { return .redirect("/findings/\(id)") }
            let upper = search.uppercased()
            if ["CVE-", "GHSA-", "OSV-", "PYSEC-", "GO-", "RUSTSEC-"].contains(where: upper.hasPrefix) {
                query["cve"] = search
            } else if teams.contains(where: { $0.id == search }) {
                query["team"] = search
            } else {
                query["text"] = search
            }
        }
        let listing = try service.scoped(
            try Self.listing(query: query, team: query["team"], defaultSort: .priority), for: session.principal)
        var rows: [FindingRow] = []
        let next = try service.forEachFinding(listing) { rows.append($0) }.nextCursor
        return .page(
            Layout.page("Findings", session: session, current: "/findings") { html in
                html.element("h1", text: "Findings")
                html.element(
                    "form", [("method", "get"), ("action", "/findings"), ("class", "inline"), ("role", "search")]
                ) {
                    html in
                    Forms.field(
                        "Search: id, CVE, team, rule, repository, package, asset or path", name: "q", value: search,
                        type: "search", into: &html)
                    html.element("button", [("type", "submit")], text: "Search")
                }
                Self.filters(action: "/findings", query: query, into: &html)
                Self.table(rows, session: session, back: "/findings", teams: teams, into: &html)
                Self.pager(next: next, base: "/findings", query: query, into: &html)
            })
    }

    /// The listing a page's query asks for: open work by default, 50 rows, the given sort.
    static func listing(query: [String: String], team: String?, defaultSort: FindingSort) throws(ServiceError)
        -> FindingListRequest
    {
        var filter = FindingFilter()
        filter.team = team
        filter.cve = query["cve"].flatMap { $0.isEmpty ? nil : $0 }
        filter.text = query["text"].flatMap { $0.isEmpty ? nil : $0 }
        filter.repository = query["repository"].flatMap { $0.isEmpty ? nil : $0 }
        filter.unownedOnly = query["unowned"] == "true"
        filter.overdue = query["overdue"] == "true"
        switch query["status"] ?? "active" {
        case "active": filter.activeOnly = true
        case "", "all": break
        case let text:
            guard let status = FindingStatus(rawValue: text) else {
                throw ServiceError(.invalidInput, "unknown status '\(text)'", file: "query", place: "status")
            }
            filter.status = status
        }
        if let text = query["severity"], !text.isEmpty {
            guard let severity = Severity(rawValue: text) else {
                throw ServiceError(.invalidInput, "unknown severity '\(text)'", file: "query", place: "severity")
            }
            filter.severity = severity
        }
        var sort = defaultSort
        if let text = query["sort"], !text.isEmpty {
            guard let parsed = FindingSort(rawValue: text) else {
                throw ServiceError(.invalidInput, "unknown sort '\(text)'", file: "query", place: "sort")
            }
            sort = parsed
        }
        return FindingListRequest(filter: filter, sort: sort, cursor: query["cursor"], limit: 50)
    }

    /// The filters form: status, severity and order; it keeps the other arguments of the view.
    static func filters(action: String, query: [String: String], into html: inout HTML) {
        html.element("form", [("method", "get"), ("action", action), ("class", "filters")]) { html in
            for key in ["cve", "text", "repository", "unowned", "overdue", "team"] where action == "/findings" {
                if let value = query[key], !value.isEmpty {
                    html.raw("<input type=\"hidden\" name=\"\(key)\" value=\"\(HTML.escape(value))\">")
                }
            }
            Forms.select(
                "Status", name: "status",
                [("active", "open work"), ("all", "any")]
                    + FindingStatus.allCases.map { ($0.rawValue, $0.rawValue.replacingOccurrences(of: "_", with: " ")) },
                selected: query["status"] ?? "active", into: &html)
            Forms.select(
                "Severity", name: "severity", [("", "any")] + Severity.allCases.map { ($0.rawValue, $0.rawValue) },
                selected: query["severity"] ?? "", into: &html)
            Forms.select(
                "Order", name: "sort",
                [("priority", "priority"), ("due", "due date"), ("severity", "severity"), ("id", "oldest first")],
                selected: query["sort"] ?? "priority", into: &html)
            html.element("button", [("type", "submit")], text: "Apply")
        }
    }

    /// The findings, each with its actions in a disclosure (no script: a `details` element).
    static func table(
        _ rows: [FindingRow], session: SignedIn, back: String, teams: [Team], into html: inout HTML
    ) {
        guard !rows.isEmpty else {
            html.element("p", [("class", "muted")], text: "No findings match.")
            return
        }
        Layout.table(
            [
                ("Finding", ""), ("Severity", ""), ("What", ""), ("Where", "wide"), ("Owner", "wide"), ("Status", ""),
                ("Due", ""), ("Act", ""),
            ], into: &html
        ) { html in
            for row in rows {
                html.element("tr") { html in
                    Layout.findingCells(row, into: &html)
                    html.element(
                        "td", text: row.rule + (row.cves.isEmpty ? "" : " (\(row.cves.joined(separator: ", ")))"))
                    html.element("td", [("class", "wide")], text: FindingPage.location(row))
                    html.element("td", [("class", "wide")], text: row.ownerTeam ?? "nobody")
                    html.element("td", text: row.status.rawValue.replacingOccurrences(of: "_", with: " "))
                    html.element("td", text: row.dueAt.map { String($0.prefix(10)) } ?? "-")
                    html.element("td") { html in
                        if session.principal.mayChange, row.status.isActive {
                            html.element("details") { html in
                                html.element("summary", text: "Act on #\(row.id)")
                                FindingPage.actions(row, session: session, back: back, teams: teams, into: &html)
                            }
                        }
                    }
                }
            }
        }
    }

    /// A link to the next page, keeping the view's arguments.
    static func pager(next: String?, base: String, query: [String: String], into html: inout HTML) {
        guard let next else { return }
        var arguments = query.filter { !["cursor", "done", "q"].contains($0.key) }
        arguments["cursor"] = next
        let text = arguments.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.encoded($0.value))" }
            .joined(separator: "&")
        html.element("p", [("class", "pages")]) { html in
            html.element("a", [("href", "\(base)?\(text)"), ("rel", "next")], text: "Next page")
        }
    }

    static func encoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
