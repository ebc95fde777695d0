import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A browser's side of the dashboard without the browser: it keeps the session cookie itself
/// and does not follow redirects, so each answer's status and headers are the server's own.
final class WebClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let port: UInt16
    var cookie: String?
    private var session: URLSession!

    init(port: UInt16) {
        self.port = port
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) { completionHandler(nil) }

    /// A GET, or a POST of the form `fields` (url-encoded, as a browser sends it).
    func call(_ path: String, form fields: [(String, String)]? = nil) throws -> Served.Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        if let fields {
            request.httpMethod = "POST"
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(
                fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
                    .joined(separator: "&").utf8)
        }
        if let cookie { request.setValue("custody_session=\(cookie)", forHTTPHeaderField: "Cookie") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: Served.Answer?
        nonisolated(unsafe) var failure: (any Error)?
        session.dataTask(with: request) { data, response, error in
            if let error { failure = error }
            answer = Served.Answer(response, data)
            done.signal()
        }.resume()
        done.wait()
        if let failure { throw failure }
        return try #require(answer)
    }

    /// Signs in with `token`, keeping the session cookie; the answer of the sign-in.
    @discardableResult
    func signIn(_ token: String) throws -> Served.Answer {
        let answer = try call("/signin", form: [("token", token)])
        if let header = answer.headers["set-cookie"], let value = header.split(separator: ";").first {
            cookie = String(value.dropFirst("custody_session=".count))
        }
        return answer
    }

    /// The form token of the session, read from a page as a browser's form would carry it.
    func csrf() throws -> String {
        let page = try call("/ledger").body + (try call("/findings").body) + (try call("/").body)
        let marker = "name=\"csrf\" value=\""
        guard let start = page.range(of: marker)?.upperBound,
            let end = page[start...].firstIndex(of: "\"")
        else { throw ServiceError(.notFound, "no form token on the pages") }
        return String(page[start..<end])
    }
}

/// The dashboard over a real server on loopback: sign-in and sessions, form tokens, the headers
/// that forbid scripts, and every page and action for every role - the same refusals as the
/// JSON API, and no other team's finding on any page a team's session opens.
@Suite struct DashboardTests {

    struct Page: CustomStringConvertible {
        var path: String
        var form: [(String, String)]?
        /// As RoleMatrixTests.roles: security, team, lead, executive, auditor, uploader; then
        /// security, executive and auditor scoped to treasury (payments' unit).
        var statuses: [Int]
        var description: String { "\(form == nil ? "GET" : "POST") \(path)" }
    }

    // swift-format-ignore
    static let pages: [Page] = [
        //                                                sec  team lead exec aud  upl  sec@ exe@ aud@
        Page(path: "/", statuses: [200, 303, 303, 200, 200, 403, 200, 200, 200]),
        Page(path: "/teams", statuses: [200, 303, 303, 200, 200, 403, 200, 200, 200]),
        Page(path: "/teams/payments", statuses: [200, 200, 200, 200, 200, 403, 200, 200, 200]),
        Page(path: "/teams/web", statuses: [200, 403, 403, 200, 200, 403, 403, 403, 403]),
        Page(path: "/findings", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Page(path: "/findings?q=R1", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Page(path: "/findings/1", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Page(path: "/findings/2", statuses: [200, 404, 404, 403, 200, 403, 404, 403, 404]),
        Page(path: "/findings/3", statuses: [200, 404, 404, 403, 200, 403, 404, 403, 404]),
        Page(path: "/unowned", statuses: [200, 403, 403, 403, 403, 403, 403, 403, 403]),
        Page(path: "/ledger", statuses: [200, 403, 403, 403, 200, 403, 200, 403, 200]),
        Page(path: "/acceptances", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Page(path: "/releases", statuses: [200, 200, 200, 200, 200, 403, 200, 200, 200]),
        Page(path: "/gate", statuses: [200, 200, 200, 200, 200, 403, 200, 200, 200]),
        Page(path: "/findings/2/acknowledge", form: [("reason", "r")], statuses: [303, 404, 404, 403, 403, 403, 404, 403, 404]),
        Page(path: "/findings/1/acknowledge", form: [("reason", "r")], statuses: [303, 303, 303, 403, 403, 403, 303, 403, 403]),
        Page(path: "/findings/4/accept-risk", form: [("until", "2099-01-01"), ("approver", "pat@example.gov"), ("reason", "a WAF rule")], statuses: [303, 403, 303, 403, 403, 403, 303, 403, 403]),
        Page(path: "/findings/1/transfer", form: [("to", "web"), ("reason", "r")], statuses: [303, 303, 303, 403, 403, 403, 303, 403, 403]),
        Page(path: "/unowned/assign", form: [("finding", "3"), ("team", "web"), ("reason", "r")], statuses: [303, 403, 403, 403, 403, 403, 403, 403, 403]),
    ]

    @Test(arguments: RoleMatrixTests.roles.indices)
    func eachRoleOpensWhatItsRoleAllowsAndNoOtherTeamsFinding(_ index: Int) throws {
        let (role, teams, units) = RoleMatrixTests.roles[index]
        let served = try Served()
        _ = try served.service.importOrganisation(
            [.text(name: "teams.yaml", RoleMatrixTests.organisation)], by: served.security)
        let name = "\(role.rawValue)\(units.isEmpty ? "" : "-" + units.joined(separator: "-"))"
        let client = WebClient(port: served.server.port)
        #expect(try client.signIn(try served.token(name, role, teams: teams, units: units)).status == 303)
        let csrf = try served.service.authenticate(session: try #require(client.cookie)).csrf
        var mismatches: [String] = []
        for page in Self.pages {
            let answer = try client.call(page.path, form: page.form.map { $0 + [("csrf", csrf)] })
            if answer.status != page.statuses[index] {
                mismatches.append("\(page): \(answer.status), not \(page.statuses[index])")
            }
            if role == .team || role == .lead || !units.isEmpty {
                for path in RoleMatrixTests.othersPaths where answer.body.contains(path) {
                    mismatches.append("\(page) showed \(path) to \(name)")
                }
            }
            #expect(!answer.body.contains("<script"), "\(page)")
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches.joined(separator: "\n"))")
    }

    @Test func signInExchangesTheTokenForAHardenedCookieKeptOnlyAsItsHash() throws {
        let served = try Served()
        let client = WebClient(port: served.server.port)
        #expect(try client.call("/").status == 303, "a page without a session sends to sign-in")
        #expect(try client.call("/").headers["location"] == "/signin")
        let refused = try client.signIn("cst_not-a-token")
        #expect(refused.status == 401)
        #expect(refused.body.contains("not valid"))
        #expect(client.cookie == nil)
        let token = try served.token("alice", .security)
        let signed = try client.signIn(token)
        #expect(signed.status == 303)
        let cookie = try #require(signed.headers["set-cookie"])
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
            #expect(cookie.contains(attribute), "\(cookie)")
        }
        #expect(!cookie.contains("Secure"), "plain HTTP: no Secure attribute")
        let session = try #require(client.cookie)
        #expect(session.hasPrefix("css_") && session != token)
        // The SQLite file holds the session's hash, never the session (on PostgreSQL the store
        // is the server's: the same code writes it).
        let files = ["custody.db", "custody.db-wal"].compactMap {
            try? String(contentsOfFile: served.directory.file($0), encoding: .isoLatin1)
        }
        if !files.isEmpty {
            let store = files.joined()
            #expect(!store.contains(session), "the store keeps the session's hash, not the session")
            #expect(store.contains(SHA256.hex(session)))
        }
        let page = try client.call("/")
        #expect(page.status == 200)
        #expect(page.body.contains("token:alice"))
        let policy = try #require(page.headers["content-security-policy"])
        #expect(policy.contains("default-src 'none'") && !policy.contains("unsafe-inline"), "\(policy)")
        #expect(page.headers["x-content-type-options"] == "nosniff")
        #expect(page.headers["cache-control"] == "no-store")
        #expect(try client.call("/static/dashboard.css").headers["content-type"]?.hasPrefix("text/css") == true)
    }

    @Test func aFormWithoutTheSessionsTokenIsRefusedAndChangesNothing() throws {
        let served = try Served()
        let client = WebClient(port: served.server.port)
        try client.signIn(try served.token("alice", .security))
        let events = try served.service.counts()["events"]
        for form in [[("reason", "r")], [("reason", "r"), ("csrf", "0123")]] {
            let answer = try client.call("/findings/1/acknowledge", form: form)
            #expect(answer.status == 403, "\(answer.body)")
            #expect(answer.body.contains("stale or came from elsewhere"))
        }
        #expect(try served.service.counts()["events"] == events)
        #expect(try served.service.finding(1).finding.status == .open)
        // With it, the change is made and recorded under the session's token.
        let done = try client.call("/findings/1/acknowledge", form: [("reason", "on it"), ("csrf", try client.csrf())])
        #expect(done.status == 303)
        #expect(done.headers["location"] == "/findings/1?done=acknowledge")
        #expect(try served.service.finding(1).finding.status == .acknowledged)
        let trace = try served.service.trace(1).timeline
        #expect(trace.contains { $0.who == "token:alice" && $0.what.contains("acknowledged") }, "\(trace)")
        #expect(try client.call("/findings/1?done=acknowledge").body.contains("Acknowledged: recorded in the ledger."))
        // A "back" that leaves the site is not followed.
        let away = try client.call(
            "/findings/4/acknowledge",
            form: [("reason", "r"), ("back", "//evil.example/"), ("csrf", try client.csrf())])
        #expect(away.headers["location"] == "/findings/4?done=acknowledge")
    }

    @Test func signingOutOrRevokingTheTokenEndsTheSession() throws {
        let served = try Served()
        let client = WebClient(port: served.server.port)
        try client.signIn(try served.token("alice", .security))
        let first = try #require(client.cookie)
        #expect(try client.call("/signout", form: [("csrf", try client.csrf())]).status == 303)
        #expect(try client.call("/").status == 303, "signed out: back to sign-in")
        #expect(throws: ServiceError.self) { try served.service.authenticate(session: first) }
        try client.signIn(try served.token("bob", .security))
        #expect(try client.call("/").status == 200)
        try served.service.revokeToken(name: "bob", by: served.security)
        #expect(try client.call("/").status == 303, "the token revoked: its sessions end")
        // A session lasts a working day.
        let carol = try served.service.signIn(token: try served.token("carol", .security))
        #expect(throws: Never.self) { try served.service.authenticate(session: carol.session) }
        #expect(throws: ServiceError.self) {
            try served.service.authenticate(session: carol.session, now: Date().addingTimeInterval(8 * 3600 + 1))
        }
    }

    @Test func theFindingPageShowsTheFlaggedLinesFromGitAtTheScannedCommit() throws {
        let served = try Served()
        let repository = try GitFixture()
        let lines = (1...9).map { "line \($0)" }
        var flagged = lines
        flagged[4] = "query(\"SELECT \" + name)  # <b>flagged</b>"
        let scanned = try repository.commit(
            ["app/db.py": flagged.joined(separator: "\n") + "\n", "CODEOWNERS": "/app/ @example/web\n"],
            message: "add")
        try repository.commit(["app/db.py": lines.joined(separator: "\n") + "\n"], message: "fix")
        let sarif =
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner"}},"results":[{"ruleId":"sql","level":"error","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"app/db.py"},"region":{"startLine":5}}}]}]}]}"#
        var ingest = IngestRequest(inputs: [.bytes(name: "r.sarif", Array(sarif.utf8))])
        ingest.repository = repository.path
        ingest.commit = scanned
        _ = try served.service.ingest(ingest, by: served.security)
        let client = WebClient(port: served.server.port)
        try client.signIn(try served.token("alice", .security))
        let id = 7
        #expect(!(try client.call("/findings/\(id)").body.contains("line flagged")), "not registered: no lines")
        _ = try served.service.addRepository(name: "repo", path: repository.path, by: served.security)
        let page = try client.call("/findings/\(id)").body
        #expect(page.contains("line flagged"), "\(page)")
        #expect(
            page.contains("query(&quot;SELECT &quot; + name)  # &lt;b&gt;flagged&lt;/b&gt;"),
            "read at the scanned commit, escaped")
        #expect(page.contains("    2  line 2") && page.contains("    8  line 8") && !page.contains("line 9"))
        #expect(page.contains("at \(scanned.prefix(12))"))
    }

    @Test func theTeamPageSaysWhomTheNextEscalationReachesAndWhen() throws {
        let served = try Served()
        _ = try served.service.importOrganisation(
            [.text(name: "teams.yaml", RoleMatrixTests.organisation)], by: served.security)
        // The fixture's findings are code quality, which has no due date: nothing escalates.
        #expect(try served.service.nextEscalation(team: "payments", by: served.security) == nil)
        let sarif =
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner","rules":[{"id":"sqli","properties":{"tags":["security"],"security-severity":"8.1"}}]}},"results":[{"ruleId":"sqli","level":"error","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"services/payments/q.py"},"region":{"startLine":2}}}]}]}]}"#
        var ingest = IngestRequest(inputs: [.bytes(name: "s.sarif", Array(sarif.utf8))])
        ingest.repository = "portal"
        ingest.codeowners = served.directory.file("CODEOWNERS")
        _ = try served.service.ingest(ingest, by: served.security)
        let next = try #require(try served.service.nextEscalation(team: "payments", by: served.security))
        #expect(next.findingID == 7)
        #expect(next.stage == .lead)
        #expect(next.recipients == ["pat@example.gov"])
        let due = try #require(try served.service.finding(next.findingID).finding.dueAt.flatMap(Timestamp.date))
        #expect(next.at == due, "the lead is told when it falls due")
        let web = Principal(name: "web", role: .team, teams: ["web"])
        #expect(throws: ServiceError.self) { try served.service.nextEscalation(team: "payments", by: web) }
        let client = WebClient(port: served.server.port)
        try client.signIn(try served.token("alice", .security))
        let page = try client.call("/teams/payments").body
        #expect(page.contains("reaches the team lead (pat@example.gov) on"), "\(page)")
        #expect(page.contains("30 days overdue: executive"))
    }

    @Test func theLedgerPageNamesTheLastSignedCheckpoint() throws {
        let served = try Served()
        let client = WebClient(port: served.server.port)
        try client.signIn(try served.token("auditor", .auditor))
        #expect(try client.call("/ledger").body.contains("none yet"))
        let keys = try CustodyService.writeKeyPair(directory: served.directory.file("keys"))
        let signed = try served.service.checkpoint(
            privateKey: try String(contentsOfFile: keys.privatePath, encoding: .utf8),
            publicKey: try String(contentsOfFile: keys.publicPath, encoding: .utf8), by: served.security)
        let page = try client.call("/ledger").body
        #expect(page.contains("event \(signed.sequence), "), "\(page)")
        #expect(page.contains("key \(keys.keyID.prefix(16))"), "\(page)")
        let verified = try served.call("/api/v1/ledger/verify", token: try served.token("a2", .auditor))
        let last = verified.json?["last_checkpoint"] as? [String: Any]
        #expect(last?["sequence"] as? Int == Int(signed.sequence), "\(verified.body)")
    }

    @Test func namesFromTeamsFilesAndReportsAreEscapedAndBadFormsNameTheField() throws {
        let served = try Served()
        let teams = """
            teams:
              - {id: payments, name: "<script>alert(1)</script>", handles: ["@example/payments"]}
              - {id: web, name: Web, handles: ["@example/web"]}
            """
        _ = try served.service.importOrganisation([.text(name: "teams.yaml", teams)], by: served.security)
        let client = WebClient(port: served.server.port)
        try client.signIn(try served.token("alice", .security))
        for path in ["/", "/teams", "/teams/payments", "/findings/1", "/unowned"] {
            let page = try client.call(path)
            #expect(page.status == 200, "\(path)")
            #expect(!page.body.contains("<script"), "\(path)")
        }
        #expect(try client.call("/teams/payments").body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let bad = try client.call("/findings/1/accept-risk", form: [("reason", "r"), ("csrf", try client.csrf())])
        #expect(bad.status == 400, "\(bad.body)")
        #expect(bad.body.contains("the acceptance needs an end"), "\(bad.body)")
        #expect(try client.call("/findings?status=nonsense").status == 400)
        #expect(try client.call("/nowhere").status == 404)
    }
}

/// The overview pages are drawn from the organisation's overview as last computed: the same
/// one while nothing is recorded, the old one (saying when it was computed) while a new one is
/// computed beside it after a change, and cut to a unit for a unit-scoped principal.
@Suite struct OverviewSnapshotTests {
    @Test func theOverviewIsReusedUntilSomethingIsRecordedThenRecomputedBesideThePages() throws {
        let served = try Served()
        _ = try served.service.importOrganisation(
            [.text(name: "teams.yaml", RoleMatrixTests.organisation)], by: served.security)
        let first = try served.service.overviewSnapshot(by: served.security)
        #expect(first.overview.metrics.total.open == 6)
        #expect(first.overview.metrics.unowned?.open == 2)
        #expect(try served.service.overviewSnapshot(by: served.security).computedAt == first.computedAt)
        _ = try served.service.transition(
            TransitionRequest(
                selection: .ids([1]), action: .falsePositive(justification: "code_not_present"), reason: "r"),
            by: served.security)
        // The page right after the change is drawn from the old overview, which says so.
        let stale = try served.service.overviewSnapshot(by: served.security)
        #expect(stale.computedAt == first.computedAt)
        var fresh = stale
        for _ in 0..<100 where fresh.computedAt == first.computedAt {
            Thread.sleep(forTimeInterval: 0.05)
            fresh = try served.service.overviewSnapshot(by: served.security)
        }
        #expect(fresh.computedAt > first.computedAt, "recomputed beside the pages")
        #expect(fresh.overview.metrics.total.open == 5)
        // A treasury officer: treasury's figures, its team only, no organisation-wide gap.
        let officer = Principal(name: "officer", role: .security, teams: ["payments"], units: ["treasury"])
        let treasury = try served.service.overviewSnapshot(by: officer).overview
        #expect(treasury.metrics.scope == "unit treasury")
        #expect(treasury.metrics.total.open == 1)
        #expect(treasury.teams.map(\.group) == ["payments"])
        #expect(treasury.metrics.unowned == nil)
        #expect(throws: ServiceError.self) { try served.service.overviewSnapshot(unit: "digital", by: officer) }
        let member = Principal(name: "member", role: .team, teams: ["payments"])
        #expect(throws: ServiceError.self) { try served.service.overviewSnapshot(by: member) }
    }
}
