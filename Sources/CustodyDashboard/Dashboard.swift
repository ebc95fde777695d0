import CustodyCore
import CustodyReports
import CustodyService
import Foundation

/// A form as posted: its fields in order, a name given more than once (checkboxes) kept each time.
public struct DashboardForm: Sendable {
    public var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)]) { self.fields = fields }

    public func value(_ name: String) -> String? { fields.last { $0.name == name }?.value }
    public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }
}

/// What a dashboard request comes to: a page to show, or where to go next.
public enum DashboardAnswer: Sendable, Equatable {
    case page(String)
    case redirect(String)
}

/// The web dashboard (docs/dashboard.md): HTML pages over the service, as the session's principal.
/// It holds no rule of who may see what: every read and change asks the service, exactly as the
/// JSON API does, so a page can show no more than the API would.
public final class Dashboard: Sendable {
    let service: CustodyService

    public init(service: CustodyService) { self.service = service }

    public static var styleSheet: String { Layout.styleSheet }

    /// The page at `parts` (the path's segments) for a GET.
    public func page(_ parts: [String], query: [String: String], session: SignedIn) throws(ServiceError)
        -> DashboardAnswer
    {
        let notice = query["done"].flatMap(Self.notices.index(forKey:)).map { Self.notices[$0].value }
        let principal = session.principal
        switch (parts.first ?? "", parts.count) {
        case ("", 0):
            // A team's member starts at its team: the organisation's figures are not its to see.
            if principal.isTeamBound, let team = principal.teams.sorted().first { return .redirect("/teams/\(team)") }
            return .page(
                try OverviewPage(service: service, session: session).render(unit: query["unit"], notice: notice))
        case ("teams", 1):
            if principal.isTeamBound, let team = principal.teams.sorted().first { return .redirect("/teams/\(team)") }
            return .page(try OverviewPage(service: service, session: session).renderTeams())
        case ("teams", 2):
            return .page(
                try TeamPage(service: service, session: session).render(parts[1], query: query, notice: notice))
        case ("findings", 1):
            return try FindingsPage(service: service, session: session).render(query: query)
        case ("findings", 2):
            guard let id = Int64(parts[1]), id > 0 else {
                throw ServiceError(.notFound, "'\(parts[1])' is not a finding id")
            }
            return .page(try FindingPage(service: service, session: session).render(id, notice: notice))
        case ("unowned", 1):
            return .page(try UnownedPage(service: service, session: session).render(notice: notice))
        case ("acceptances", 1):
            return .page(try AcceptancesPage(service: service, session: session).render())
        case ("releases", 1):
            return .page(try ReleasesPage(service: service, session: session).render())
        case ("gate", 1):
            return .page(try GatePage(service: service, session: session).render())
        case ("ledger", 1):
            return .page(try LedgerPage(service: service, session: session).render())
        default:
            throw ServiceError(.notFound, "no page /\(parts.joined(separator: "/"))")
        }
    }

    /// Performs a form's action (a POST to `parts`) and says where to go: back to the page it
    /// came from, with a notice. Every change is the service's, in the ledger under the
    /// session's principal.
    public func act(_ parts: [String], form: DashboardForm, session: SignedIn) throws(ServiceError) -> String {
        let principal = session.principal
        let reason = form.value("reason") ?? ""
        switch (parts.first ?? "", parts.count) {
        case ("findings", 3):
            guard let id = Int64(parts[1]), id > 0 else { throw ServiceError(.notFound, "no finding '\(parts[1])'") }
            // Another team's finding is not found, before anything is said about the action.
            _ = try service.finding(id, by: principal)
            let back = form.value("back").flatMap(Self.localPath) ?? "/findings/\(id)"
            switch parts[2] {
            case "acknowledge", "reopen", "false-positive", "accept-risk":
                let action: LifecycleAction
                switch parts[2] {
                case "acknowledge": action = .acknowledge
                case "reopen": action = .reopen
                case "false-positive": action = .falsePositive(justification: form.value("justification") ?? "")
                default:
                    action = .acceptRisk(until: form.value("until") ?? "", approver: form.value("approver") ?? "")
                }
                _ = try service.transition(
                    TransitionRequest(selection: .ids([id]), action: action, reason: reason), by: principal)
                return Self.with(back, done: parts[2])
            case "transfer":
                guard let team = form.value("to"), !team.isEmpty else {
                    throw ServiceError(.invalidInput, "name the team asked to take it", file: "form", place: "to")
                }
                _ = try service.transfer(
                    TransferRequestInput(findingIDs: [id], step: .request(to: team), reason: reason), by: principal)
                return Self.with(back, done: "transfer")
            default: throw ServiceError(.notFound, "no action '\(parts[2])'")
            }
        case ("transfers", 2) where ["accept", "reject"].contains(parts[1]):
            let ids = try Self.ids(form.values("finding"))
            _ = try service.transfer(
                TransferRequestInput(
                    findingIDs: ids, step: parts[1] == "accept" ? .accept : .reject, reason: reason), by: principal)
            return Self.with(form.value("back").flatMap(Self.localPath) ?? "/", done: parts[1])
        case ("unowned", 2) where parts[1] == "assign":
            guard let team = form.value("team"), !team.isEmpty else {
                throw ServiceError(.invalidInput, "choose the team made accountable", file: "form", place: "team")
            }
            let ids = try Self.ids(form.values("finding"))
            _ = try service.assignOwner(AssignRequest(findingIDs: ids, team: team, reason: reason), by: principal)
            return Self.with("/unowned", done: "assign")
        default:
            throw ServiceError(.notFound, "no action /\(parts.joined(separator: "/"))")
        }
    }

    /// The sign-in page; `problem` says why the last try failed.
    public func signInPage(problem: String? = nil) -> String {
        Layout.page("Sign in", session: nil) { html in
            html.element("h1", text: "Sign in to Custody")
            html.element(
                "p", [("class", "sub")],
                text:
                    "Paste the API token you were given (custody tokens create). The session acts with its role and teams."
            )
            if let problem { html.element("p", [("class", "problem"), ("role", "alert")], text: problem) }
            html.element("form", [("method", "post"), ("action", "/signin"), ("class", "inline")]) { html in
                Forms.field("API token", name: "token", required: true, type: "password", into: &html)
                html.element("button", [("type", "submit")], text: "Sign in")
            }
        }
    }

    /// The page that says why a request failed, in the service's words.
    public func problemPage(_ error: ServiceError, session: SignedIn?) -> String {
        Layout.page(error.kind == .notFound ? "Not found" : "Refused", session: session) { html in
            html.element("h1", text: error.kind == .notFound ? "Not found" : "That could not be done")
            html.element("p", [("class", "problem"), ("role", "alert")], text: error.message)
            html.element("p") { html in html.element("a", [("href", "/")], text: "Back to the start") }
        }
    }

    /// What a page says after an action sent it back there.
    static let notices: [String: String] = [
        "acknowledge": "Acknowledged: recorded in the ledger.", "reopen": "Reopened.",
        "false-positive": "Marked a false positive with its justification.",
        "accept-risk": "Risk accepted until the date given.", "transfer": "Transfer requested.",
        "accept": "Transfer accepted: the findings are the team's now.", "reject": "Transfer rejected.",
        "assign": "Owner assigned: recorded in the ledger.",
    ]

    static func with(_ path: String, done: String) -> String {
        path + (path.contains("?") ? "&" : "?") + "done=" + done
    }

    /// A path on this site (`/teams/web?status=open`), never another site's address.
    static func localPath(_ text: String) -> String? {
        guard text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), text.count < 500,
            !text.unicodeScalars.contains(where: { $0.value < 0x20 })
        else { return nil }
        return text
    }

    static func ids(_ texts: [String]) throws(ServiceError) -> [Int64] {
        var ids: [Int64] = []
        for text in texts {
            guard let id = Int64(text), id > 0 else {
                throw ServiceError(.invalidInput, "'\(text)' is not a finding id", file: "form", place: "finding")
            }
            ids.append(id)
        }
        guard !ids.isEmpty else { throw ServiceError(.invalidInput, "choose at least one finding", file: "form") }
        return ids
    }
}
