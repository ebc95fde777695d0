import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// Every endpoint x every role, over HTTP: 401 without a valid token, 403 outside the role, and a
/// team's token never sees another team's finding - not in a list, a detail or an error.
@Suite struct RoleMatrixTests {
    /// One request and the status each role gets. The fixture: findings 1 and 4 are payments'
    /// (`services/payments/a.py`), 2 and 5 web's (`web/b.js`), 3 and 6 nobody's (`vendor/c.go`).
    struct Endpoint: CustomStringConvertible {
        var method = "GET"
        var path: String
        var body: String?
        /// security, team, lead, executive, auditor, uploader; then security, executive and
        /// auditor scoped to payments' unit (treasury).
        var statuses: [Int]

        var description: String { "\(method) \(path)" }
    }

    /// Each role with its teams and its units.
    static let roles: [(Principal.Role, [String], [String])] = [
        (.security, [], []), (.team, ["payments"], []), (.lead, ["payments"], []), (.executive, [], []),
        (.auditor, [], []), (.uploader, [], []), (.security, [], ["treasury"]), (.executive, [], ["treasury"]),
        (.auditor, [], ["treasury"]),
    ]

    static let acceptance = #"{"until":"2099-01-01","approver":"pat@example.gov","reason":"a WAF rule"}"#
    static let report = String(decoding: oneResult("services/payments/new.py", rule: "N"), as: UTF8.self)

    // swift-format-ignore
    static let endpoints: [Endpoint] = [
        //                                                             sec  team lead exec aud  upl  sec@ exe@ aud@ (treasury)
        Endpoint(path: "/api/v1/findings?team=payments", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Endpoint(path: "/api/v1/findings?team=web", statuses: [200, 403, 403, 403, 200, 403, 403, 403, 403]),
        Endpoint(path: "/api/v1/findings?unowned=true", statuses: [200, 403, 403, 403, 200, 403, 403, 403, 403]),
        Endpoint(path: "/api/v1/findings/1", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Endpoint(path: "/api/v1/findings/2", statuses: [200, 404, 404, 403, 200, 403, 404, 403, 404]),
        Endpoint(path: "/api/v1/findings/3", statuses: [200, 404, 404, 403, 200, 403, 404, 403, 404]),
        Endpoint(path: "/api/v1/findings/999", statuses: [404, 404, 404, 403, 404, 403, 404, 403, 404]),
        Endpoint(path: "/api/v1/findings/1/explain", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Endpoint(path: "/api/v1/findings/2/explain", statuses: [200, 404, 404, 403, 200, 403, 404, 403, 404]),
        Endpoint(path: "/api/v1/findings/2/history", statuses: [200, 404, 404, 403, 200, 403, 404, 403, 404]),
        Endpoint(path: "/api/v1/findings/2/trace", statuses: [200, 404, 404, 403, 200, 403, 404, 403, 404]),
        Endpoint(path: "/api/v1/findings/1/trace", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Endpoint(path: "/api/v1/metrics?team=payments", statuses: [200, 200, 200, 200, 200, 403, 200, 200, 200]),
        Endpoint(path: "/api/v1/metrics?team=web", statuses: [200, 403, 403, 200, 200, 403, 403, 403, 403]),
        Endpoint(path: "/metrics", statuses: [200, 200, 200, 200, 200, 403, 200, 200, 200]),
        Endpoint(path: "/api/v1/teams", statuses: [200, 200, 200, 200, 200, 403, 200, 200, 200]),
        Endpoint(path: "/api/v1/units", statuses: [200, 200, 200, 200, 200, 403, 200, 200, 200]),
        Endpoint(path: "/api/v1/priority", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Endpoint(path: "/api/v1/priority?team=web", statuses: [200, 403, 403, 403, 200, 403, 403, 403, 403]),
        Endpoint(path: "/api/v1/transfers", statuses: [200, 200, 200, 403, 200, 403, 200, 403, 200]),
        Endpoint(path: "/api/v1/unowned", statuses: [200, 403, 403, 403, 403, 403, 403, 403, 403]),
        Endpoint(path: "/api/v1/notify/deliveries", statuses: [200, 403, 403, 403, 403, 403, 403, 403, 403]),
        Endpoint(path: "/api/v1/ledger/verify", statuses: [200, 403, 403, 403, 200, 403, 200, 403, 200]),
        Endpoint(path: "/api/v1/ledger/export", statuses: [200, 403, 403, 403, 200, 403, 403, 403, 403]),
        Endpoint(method: "POST", path: "/api/v1/ingest?repository=portal", body: report, statuses: [200, 200, 200, 403, 403, 200, 200, 403, 403]),
        Endpoint(method: "POST", path: "/api/v1/findings/2/acknowledge", body: #"{"reason":"r"}"#, statuses: [200, 404, 404, 403, 403, 403, 404, 403, 404]),
        Endpoint(method: "POST", path: "/api/v1/findings/1/acknowledge", body: #"{"reason":"r"}"#, statuses: [200, 200, 200, 403, 403, 403, 200, 403, 403]),
        Endpoint(method: "POST", path: "/api/v1/findings/4/accept-risk", body: acceptance, statuses: [200, 403, 200, 403, 403, 403, 200, 403, 403]),
        Endpoint(method: "POST", path: "/api/v1/findings/2/transfer", body: #"{"to":"payments","reason":"r"}"#, statuses: [200, 404, 404, 403, 403, 403, 404, 403, 403]),
        Endpoint(method: "POST", path: "/api/v1/findings/1/transfer", body: #"{"to":"web","reason":"r"}"#, statuses: [200, 200, 200, 403, 403, 403, 200, 403, 403]),
        Endpoint(method: "POST", path: "/api/v1/transfers", body: #"{"findings":[1],"step":"resolve","reason":"r"}"#, statuses: [200, 403, 403, 403, 403, 403, 200, 403, 403]),
        Endpoint(method: "POST", path: "/api/v1/unowned/assign", body: #"{"findings":[3],"team":"web","reason":"r"}"#, statuses: [200, 403, 403, 403, 403, 403, 403, 403, 403]),
        Endpoint(method: "POST", path: "/api/v2/product_types/", body: #"{"name":"Agency"}"#, statuses: [201, 201, 201, 403, 403, 201, 201, 403, 403]),
        Endpoint(path: "/api/v2/products/", statuses: [200, 200, 200, 403, 403, 200, 200, 403, 403]),
        Endpoint(path: "/api/v2/test_types/", statuses: [200, 200, 200, 200, 200, 200, 200, 200, 200]),
        Endpoint(method: "POST", path: "/api/v1/gate", body: #"{"repository":"portal","commit":"abc"}"#, statuses: [200, 403, 403, 403, 403, 200, 403, 403, 403]),
        Endpoint(path: "/api/v1/teams/payments/scorecard", statuses: [200, 200, 200, 200, 200, 403, 200, 200, 200]),
        Endpoint(path: "/api/v1/teams/web/scorecard", statuses: [200, 403, 403, 200, 200, 403, 403, 403, 403]),
        Endpoint(method: "POST", path: "/api/v1/tick", statuses: [200, 403, 403, 403, 403, 403, 403, 403, 403]),
        Endpoint(path: "/api/v1/reports/board", statuses: [200, 403, 403, 200, 200, 403, 403, 403, 403]),
        Endpoint(path: "/api/v1/reports/teams/payments", statuses: [200, 200, 200, 200, 200, 403, 200, 200, 200]),
        Endpoint(path: "/api/v1/reports/teams/web", statuses: [200, 403, 403, 200, 200, 403, 403, 403, 403]),
    ]

    /// Two agencies of a state, a team each. A lead may accept risk as the SLA policy's approvers
    /// allow: the organisation names one.
    static let organisation = """
        units:
          - {id: state, name: State}
          - {id: treasury, name: Treasury, parent: state}
          - {id: digital, name: Digital Services, parent: state}
        teams:
          - {id: payments, name: Payments, unit: treasury, handles: ["@example/payments"], lead: pat@example.gov}
          - {id: web, name: Web, unit: digital, handles: ["@example/web"]}
        """

    /// Teams whose findings payments' tokens must never see: web's file and the unowned one.
    static let othersPaths = ["web/b.js", "vendor/c.go"]

    @Test(arguments: roles.indices)
    func eachRoleGetsWhatItsRoleAllowsAndNoOtherTeamsFinding(_ index: Int) throws {
        let (role, teams, units) = Self.roles[index]
        let served = try Served()
        _ = try served.service.importOrganisation([.text(name: "teams.yaml", Self.organisation)], by: served.security)
        let name = "\(role.rawValue)\(units.isEmpty ? "" : "-" + units.joined(separator: "-"))-token"
        let token = try served.token(name, role, teams: teams, units: units)
        var mismatches: [String] = []
        for endpoint in Self.endpoints {
            let answer = try served.call(
                endpoint.path, method: endpoint.method, token: token, body: endpoint.body.map { Data($0.utf8) })
            if answer.status != endpoint.statuses[index] {
                mismatches.append("\(endpoint): \(answer.status), not \(endpoint.statuses[index]): \(answer.body)")
            }
            if role == .team || role == .lead || !units.isEmpty {
                for path in Self.othersPaths where answer.body.contains(path) {
                    mismatches.append("\(endpoint) showed \(path) to \(role.rawValue): \(answer.body)")
                }
            }
            #expect(answer.status < 500, "\(endpoint): \(answer.body)")
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches.joined(separator: "\n"))")
    }

    /// A token scoped to the state (both agencies below it) lists both teams' findings in one
    /// list, never the unowned; it makes no token and reads nothing organisation-wide; its
    /// metrics default to its unit. Units are checked when a token is made.
    @Test func aUnitScopedTokenSeesItsUnitsTeamsAndNothingOrganisationWide() throws {
        let served = try Served()
        let teamsFile = """
            units:
              - {id: state, name: State}
              - {id: treasury, name: Treasury, parent: state}
              - {id: elsewhere, name: Elsewhere}
            teams:
              - {id: payments, unit: treasury, handles: ["@example/payments"]}
              - {id: web, unit: state, handles: ["@example/web"]}
            """
        _ = try served.service.importOrganisation([.text(name: "teams.yaml", teamsFile)], by: served.security)
        let state = try served.token("state-officer", .security, units: ["state"])
        let listed = try served.call("/api/v1/findings?limit=100", token: state)
        #expect(listed.status == 200, "\(listed.body)")
        let paths = (listed.json?["findings"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(Set(paths) == ["services/payments/a.py", "web/b.js"], "\(listed.body)")
        #expect(paths.count == 4)
        #expect(try served.call("/api/v1/findings?team=web", token: state).status == 200)
        #expect(try served.call("/api/v1/unowned", token: state).status == 403)
        let metrics = try served.call("/api/v1/metrics", token: state)
        #expect(metrics.status == 200, "\(metrics.body)")
        #expect(metrics.body.contains("unit state"), "\(metrics.body)")
        #expect(try served.call("/api/v1/metrics?unit=elsewhere", token: state).status == 403)
        // A scoped officer cannot make itself an unscoped token.
        let scoped = try served.service.authenticate(token: state)
        #expect(scoped.teams == ["payments", "web"])
        #expect(throws: ServiceError.self) {
            try served.service.createToken(TokenRequest(name: "escape", role: .security), by: scoped)
        }
        // Units are checked, and a team token is scoped by its teams.
        #expect(throws: ServiceError.self) {
            try served.service.createToken(
                TokenRequest(name: "x", role: .security, units: ["nowhere"]), by: served.security)
        }
        #expect(throws: ServiceError.self) {
            try served.service.createToken(
                TokenRequest(name: "y", role: .team, teams: ["web"], units: ["state"]), by: served.security)
        }
        let treasury = try served.token("treasury-officer", .security, units: ["treasury"])
        let moved = try served.call(
            "/api/v1/transfers", method: "POST", token: treasury,
            body: Data(#"{"findings":[1],"step":"resolve","to":"web","reason":"r"}"#.utf8))
        #expect(moved.status == 403, "web is outside treasury: \(moved.body)")
    }

    /// Reports over HTTP are HTML; an executive's team report has the figures and no finding.
    @Test func reportsAreHTMLAndAnExecutivesTeamReportNamesNoFinding() throws {
        let served = try Served()
        let security = try served.call("/api/v1/reports/teams/payments", token: try served.token("s", .security))
        #expect(security.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(security.body.contains("services/payments/a.py"), "the security team sees the open work")
        let executive = try served.call("/api/v1/reports/teams/payments", token: try served.token("e", .executive))
        #expect(executive.status == 200)
        #expect(!executive.body.contains("services/payments/a.py"), "figures only")
        let board = try served.call("/api/v1/reports/board?title=State", token: try served.token("b", .executive))
        #expect(board.status == 200 && board.body.contains("State"))
        #expect(board.headers["content-security-policy"]?.contains("default-src 'none'") == true)
    }

    @Test func withoutAValidTokenEveryEndpointIs401() throws {
        let served = try Served()
        let expired = try served.token("expired", .security, expires: Date().addingTimeInterval(1))
        let revoked = try served.token("revoked", .security)
        try served.service.revokeToken(name: "revoked", by: served.security)
        Thread.sleep(forTimeInterval: 1.1)
        for endpoint in Self.endpoints {
            for token in [nil, "cst_0000", expired, revoked] {
                let answer = try served.call(
                    endpoint.path, method: endpoint.method, token: token, body: endpoint.body.map { Data($0.utf8) })
                #expect(answer.status == 401, "\(endpoint) with \(token == nil ? "no" : "a bad") token: \(answer.body)")
                #expect(answer.json?["error"] as? String == "unauthenticated")
            }
        }
        #expect(try served.service.counts()["findings"] == 6, "nothing was written")
    }
}
