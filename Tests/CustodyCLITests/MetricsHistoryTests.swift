import CustodyCore
import CustodyTestSupport
import Foundation
import Testing

/// Metrics over a history with git behind it: escapes per release and the release that fixed
/// them, who did the fixing, a report's own time as its scan date, and months as periods.
struct MetricsHistoryTests {
    /// Team a (member: the tester who uploads) owns everything. v1.0 ships app.py's flaw
    /// (10 January); v1.1 ships new.py's (1 February); v1.2 removes new.py's flaw.
    func history() throws -> (Session, GitFixture) {
        let session = Session()
        let teams = try session.write(
            "teams.yaml", "teams:\n  - {id: a, name: A, handles: [\"@org/a\"], members: [tester]}\n")
        #expect(session.run("teams", "import", teams).status == 0)
        let repo = try GitFixture()
        try repo.commit(
            ["CODEOWNERS": "* @org/a\n", "src/app.py": "import os\ndef f(cmd):\n    os.system(cmd)\n"],
            message: "app", author: "Ada", email: "ada@example.gov", date: "2026-01-10T12:00:00Z")
        try repo.git(["tag", "v1.0"], environment: ["GIT_COMMITTER_DATE": "2026-01-11T00:00:00Z"])
        try repo.commit(
            ["src/new.py": "import os\n\n\ndef g(x):\n    eval(x)\n"], message: "new", author: "Bob",
            email: "bob@example.gov", date: "2026-02-01T12:00:00Z")
        try repo.git(["tag", "v1.1"], environment: ["GIT_COMMITTER_DATE": "2026-02-02T00:00:00Z"])
        // Flags app.py line 3 and new.py line 4.
        let both = try session.write("both.sarif", session.sarif(["src/app.py", "src/new.py"]))
        let scan = session.run(
            "ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", "--scan-date", "2026-02-05", both)
        #expect(scan.status == 0, "\(scan.err)")
        let fix = try repo.commit(
            ["src/new.py": "import os\n"], message: "fix", author: "Bob", email: "bob@example.gov",
            date: "2026-02-10T12:00:00Z")
        try repo.git(["tag", "v1.2", fix], environment: ["GIT_COMMITTER_DATE": "2026-02-11T00:00:00Z"])
        let one = try session.write("one.sarif", session.sarif(["src/app.py"]))
        let rescan = session.run(
            "ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", "--scan-date", "2026-02-12", one)
        #expect(rescan.status == 0, "\(rescan.err)")
        return (session, repo)
    }

    @Test func escapesPerReleaseTheReleaseThatFixedThemAndWhoFixed() throws {
        let (session, _) = try history()
        let result = session.run(
            "metrics", "--since", "2026-02-01", "--until", "2026-03-01", "--by", "release", "--json")
        #expect(result.status == 0, "\(result.err)")
        let report = try session.json(result.out)
        let escapes = try #require(report["total"]?["escapes"])
        #expect(escapes["introduced"]?.int == 2)
        #expect(escapes["by_release"]?["v1.0"]?.int == 1 && escapes["by_release"]?["v1.1"]?.int == 1)
        #expect(escapes["by_introducing_team"]?["a"]?.int == 2)
        // Shipped 10 January 12:00 and 1 February 12:00, found 5 February: 25.5 and 3.5 days.
        #expect(escapes["escape_time"]?["median_days"]?.double == 3.5)
        #expect(escapes["escape_time"]?["naive_mean_days"]?.double == 14.5)
        #expect(escapes["fixed_by_release"]?["v1.2"]?.int == 1)
        // One group per introducing release.
        let groups = try #require(report["groups"]?.array.map { Array($0).compactMap { $0["group"]?.string } })
        #expect(groups == ["v1.0", "v1.1"])
        // The fix was proved by the tester's upload, a member of the owning team.
        #expect(report["total"]?["fixes_by"]?["owning_team"]?.int == 1)
        #expect(report["total"]?["fixes_by"]?["owning_team_share"]?.double == 1)
        // The scan records its release.
        let scans = try #require(try session.json(session.run("scans", "--json").out).array.map(Array.init))
        #expect(scans.compactMap { $0["release"]?.string } == ["v1.2", "v1.1"])  // newest first
    }

    @Test func monthsArePeriodsOfTheirOwn() throws {
        let (session, _) = try history()
        let report = try session.json(
            session.run("metrics", "--since", "2026-01-20", "--until", "2026-03-01", "--by", "month", "--json").out)
        let months = try #require(report["groups"]?.array.map(Array.init))
        #expect(months.compactMap { $0["group"]?.string } == ["2026-01", "2026-02"])
        #expect(months[0]["new"]?.int == 0 && months[1]["new"]?.int == 2 && months[1]["fixed"]?.int == 1)
        #expect(months[0]["daily_open"]?.array.map(Array.init)?.count == 12)  // 20 to 31 January
        let weekly = try #require(report["total"]?["arrivals"]?["weekly"]?.array.map(Array.init))
        #expect(weekly.first?["start"]?.string == "2026-01-20")
        #expect(weekly.compactMap { $0["new"]?.int }.reduce(0, +) == 2)
    }

    @Test func anExpiredRiskAcceptanceIsCountedAsSuchNotAsARegression() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        #expect(session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report).status == 0)
        let day = 86_400.0
        let until = String(Timestamp.string(Date().addingTimeInterval(2 * day)).prefix(10))
        let accepted = session.run(
            "accept-risk", "1", "--until", until, "--approver", "bob@example.gov", "--reason", "mitigated")
        #expect(accepted.status == 0, "\(accepted.err)")
        let later = Timestamp.string(Date().addingTimeInterval(5 * day))
        #expect(session.run("tick", "--now", later).status == 0)
        let metrics = try session.json(
            session.run(
                "metrics", "--team", "payments", "--until", Timestamp.string(Date().addingTimeInterval(6 * day)),
                "--json"
            ).out)
        let total = try #require(metrics["total"])
        #expect(total["risk_accepted"]?["expired_in_period"]?.int == 1)
        #expect(total["risk_accepted"]?["active"]?.int == 0)
        #expect(total["reopened"]?.int == 0)
        #expect(total["open"]?["total"]?.int == 1)  // open work again
        // Owned (accepted) within the day it was found: time to own by severity.
        #expect(total["time_to_own_by_severity"]?["high"]?["observed"]?.int == 1)
    }

    func dated(_ session: Session, _ name: String, _ time: String, _ paths: [String]) throws -> String {
        let report = session.sarif(paths).replacingOccurrences(
            of: #""results":"#,
            with: #""invocations":[{"executionSuccessful":true,"startTimeUtc":"\#(time)"}],"results":"#)
        return try session.write(name, report)
    }

    @Test func aReportsOwnTimeIsItsScanDate() throws {
        let session = Session()
        let (codeowners, _) = try session.setUp()
        func ingest(_ file: String, _ extra: String...) -> Session.Result {
            session.run(["ingest", "--repo", "portal", "--codeowners", codeowners] + extra + [file])
        }
        let march = try dated(session, "march.sarif", "2026-03-01T08:00:00.123+01:00", ["services/payments/a.py"])
        #expect(ingest(march).status == 0)
        let shown = try session.json(session.run("findings", "show", "1", "--json").out)
        #expect(shown["first_seen"]?.string == "2026-03-01T07:00:00Z", "\(shown)")
        // An older report of the same repository and tool: refused, as with --scan-date.
        let february = try dated(session, "february.sarif", "2026-02-01T00:00:00Z", ["services/payments/b.py"])
        let refused = ingest(february)
        #expect(refused.status == 5 && refused.err.contains("load a history oldest first"), "\(refused.err)")
        // `--scan-date now` takes the clock's time instead.
        #expect(ingest(february, "--scan-date", "now").status == 0)
        // A time that is not one names its place.
        let bad = try dated(session, "bad.sarif", "yesterday", ["services/payments/c.py"])
        let failed = ingest(bad)
        #expect(failed.status != 0)
        #expect(
            failed.err.contains("bad.sarif: $.runs[0].invocations[0].startTimeUtc: error: 'yesterday' is not an ISO"))
    }
}
