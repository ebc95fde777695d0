import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// The dashboard in a real headless Chromium, driven by selenium (Tests/Peers/dashboard_browser.py):
/// each role signs in, opens every page, acts and sees the ledger grow, is refused outside its
/// role and team, and works the team page with the keyboard only; axe-core checks every page.
/// Screenshots go to `CUSTODY_SCREENSHOTS` when it is set (docs/dashboard.md shows them).
@Suite struct BrowserTests {
    @Test func everyRoleUsesTheDashboardInARealBrowser() throws {
        let served = try Served()
        _ = try served.service.importOrganisation(
            [.text(name: "teams.yaml", RoleMatrixTests.organisation)], by: served.security)
        let tokens: [(String, Principal.Role, [String])] = [
            ("security", .security, []), ("team", .team, ["payments"]), ("lead", .lead, ["payments"]),
            ("web", .team, ["web"]), ("executive", .executive, []), ("auditor", .auditor, []),
        ]
        var map: [String: String] = [:]
        for (name, role, teams) in tokens { map[name] = try served.token(name, role, teams: teams) }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: map), as: UTF8.self)
        let shots = ProcessInfo.processInfo.environment["CUSTODY_SCREENSHOTS"] ?? served.directory.file("shots")
        let events = try #require(try served.service.counts()["events"])
        let run = try output(
            of: "/usr/bin/env",
            [
                "python3", DefectDojoTests.peers + "/dashboard_browser.py", "http://127.0.0.1:\(served.server.port)",
                json, shots,
            ])
        // Each check's line, in the test log.
        print(run.text)
        #expect(run.status == 0, "\(run.text)")
        // What the browser did is in the store: #1 acknowledged then web's, #4 a false positive,
        // the unowned place assigned.
        #expect(try served.service.finding(1).finding.ownerTeam == "web", "\(run.text)")
        #expect(try served.service.finding(4).finding.status == .falsePositive, "\(run.text)")
        #expect(try served.service.finding(3).finding.ownerTeam != nil, "\(run.text)")
        #expect(try #require(try served.service.counts()["events"]) >= events + 7)
        #expect(FileManager.default.fileExists(atPath: shots + "/team-390.png"))
    }
}
