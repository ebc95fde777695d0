import CustodyCore
import CustodyTestSupport
import Foundation
import Testing

/// `custody metrics` on a real store: a finding found, acknowledged and fixed by a full rescan,
/// one left unowned; the JSON, CSV and Prometheus renderings and who may see what.
struct MetricsTests {
    func session() throws -> (Session, codeowners: String) {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        #expect(
            session.run("ingest", "--repo", "portal", "--scope", "full", "--codeowners", codeowners, report).status == 0
        )
        #expect(session.run("ack", "1", "--reason", "ours", "--actor", "bob@example.gov").status == 0)
        // A full rescan without services/payments/a.py (finding 1 is fixed), with vendor/lib.js
        // as before (2) and a new unowned finding (3).
        let rescan = try session.write("rescan.sarif", session.sarif(["vendor/other.js", "vendor/lib.js"]))
        #expect(
            session.run("ingest", "--repo", "portal", "--scope", "full", "--codeowners", codeowners, rescan).status == 0
        )
        return (session, codeowners)
    }

    @Test func theJSONShapeCountsArrivalsFixesAndTheGap() throws {
        let (session, _) = try session()
        let result = session.run("metrics", "--by", "team", "--json")
        #expect(result.status == 0, "\(result.err)")
        let report = try session.json(result.out)
        let total = try #require(report["total"])
        #expect(total["new"]?.int == 3)
        #expect(total["fixed"]?.int == 1)
        #expect(total["open"]?["total"]?.int == 2)
        let payments = try #require(report["groups"]?.array?.first { $0["group"]?.string == "payments" })
        let remediate = try #require(payments["time_to_remediate"])
        #expect(remediate["observed"]?.int == 1 && remediate["censored"]?.int == 0)
        // Found and fixed within the same test: well under a day, and the curve falls to 0.
        #expect((remediate["median_days"]?.double ?? 99) < 0.01)
        #expect(remediate["curve"]?.array.map(Array.init)?.last?["survival"]?.double == 0)
        #expect(payments["time_to_own"]?["observed"]?.int == 1)
        let unowned = try #require(report["groups"]?.array?.first { $0["group"]?.string == "(unowned)" })
        #expect(unowned["time_to_remediate"]?["censored"]?.int == 2)
        #expect(unowned["time_to_remediate"]?["median_days"]?.isNull == true)
        #expect(report["unowned"]?["open"]?.int == 2)
        #expect(report["unowned"]?["share_of_open"]?.double == 1)
    }

    @Test func csvAndPrometheusCarryTheSameFigures() throws {
        let (session, _) = try session()
        let csv = session.run("metrics", "--by", "team", "--csv").out.split(separator: "\r\n").map(String.init)
        #expect(csv.first?.hasPrefix("group,open,critical,high,medium,low,info,new,fixed,") == true)
        #expect(csv.count == 4)  // header, total, (unowned), payments
        #expect(csv[1].hasPrefix("total,2,0,2,0,0,0,3,1,"))
        let prometheus = session.run("metrics", "--by", "team", "--prometheus").out
        #expect(prometheus.contains(#"custody_fixed_findings{group="payments",scope="organisation"} 1.0"#))
        #expect(prometheus.contains(#"custody_unowned_open_findings{scope="organisation"} 2.0"#))
        guard let promtool = Self.promtool else {
            print("skipped promtool check: promtool is not installed (scripts/bootstrap installs prometheus)")
            return
        }
        let file = try session.write("metrics.prom", prometheus)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        let errors = session.directory.file("promtool.err")
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        process.standardOutput = process.standardError
        try process.run()
        process.waitUntilExit()
        let said = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(said)")
    }

    @Test func aPeriodBeforeAnythingHappenedIsEmptyAndABackwardOneIsRefused() throws {
        let (session, _) = try session()
        let empty = try session.json(
            session.run("metrics", "--since", "2020-01-01", "--until", "2020-02-01", "--json").out)
        #expect(empty["total"]?["new"]?.int == 0 && empty["total"]?["open"]?["total"]?.int == 0)
        #expect(empty["total"]?["daily_open"]?.array.map(Array.init)?.count == 31)
        let backward = session.run("metrics", "--since", "2026-02-01", "--until", "2026-01-01")
        #expect(backward.status == 3)
        #expect(backward.err.contains("the period starts (2026-02-01T00:00:00Z) after it ends"))
        #expect(session.run("metrics", "--team", "nobody").status == 4)
        #expect(session.run("metrics", "--team", "payments", "--unit", "treasury").status == 2)
    }

    static let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// A history loaded from archived reports (`--scan-date`), with answers in whole days:
    /// found on 1 January, a.py fixed by the full scan of 11 January, b.py still open.
    @Test func aBackfilledHistoryGivesExactDurations() throws {
        let session = Session()
        let (codeowners, _) = try session.setUp()
        let first = try session.write(
            "jan1.sarif", session.sarif(["services/payments/a.py", "services/payments/b.py", "vendor/lib.js"]))
        let second = try session.write(
            "jan11.sarif", session.sarif(["x/new.py", "services/payments/b.py", "vendor/lib.js"]))
        func ingest(_ file: String, at date: String) -> Session.Result {
            session.run(
                "ingest", "--repo", "portal", "--scope", "full", "--codeowners", codeowners, "--scan-date", date, file)
        }
        #expect(ingest(first, at: "2026-01-01T00:00:00Z").status == 0)
        #expect(ingest(second, at: "2026-01-11T00:00:00Z").status == 0)
        // Out of order: refused, nothing written.
        let late = ingest(first, at: "2026-01-05T00:00:00Z")
        #expect(late.status == 5, "\(late.err)")
        #expect(
            late.err.contains(
                "before the newest Scanner scan of portal (2026-01-11T00:00:00Z): load a history oldest first"))
        let report = try session.json(
            session.run(
                "metrics", "--since", "2025-12-31T00:00:00Z", "--until", "2026-01-31T00:00:00Z", "--by", "team",
                "--json"
            ).out)
        #expect(report["total"]?["new"]?.int == 4)
        #expect(report["total"]?["fixed"]?.int == 1)
        let payments = try #require(report["groups"]?.array?.first { $0["group"]?.string == "payments" })
        #expect(payments["new"]?.int == 2 && payments["open"]?["total"]?.int == 1)
        // 10 days (fixed) and 30 (open on 31 January, censored): S(10) = 1/2.
        let remediate = try #require(payments["time_to_remediate"])
        #expect(remediate["median_days"]?.double == 10)
        #expect(remediate["naive_mean_days"]?.double == 10)
        #expect(remediate["observed"]?.int == 1 && remediate["censored"]?.int == 1)
        #expect(remediate["p75_days"]?.isNull == true)
        // The daily series (day i ends at 31 December + i + 1 days): two open at the end of day 0
        // (1 January 00:00), one from the end of day 10 (11 January 00:00).
        let daily = try #require(payments["daily_open"]?.array.map { Array($0).compactMap(\.int) })
        #expect(daily.count == 31)
        #expect(daily[0] == 2 && daily[9] == 2 && daily[10] == 1 && daily.last == 1, "\(daily)")
    }

    @Test func aTeamsScorecardAndAUnitsMetricsReadOnlyTheirFindings() throws {
        let (session, _) = try session()
        let card = session.run("scorecard", "payments")
        #expect(card.status == 0, "\(card.err)")
        let lines = card.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "payments - Payments (unit treasury: Treasury), lead bob@example.gov")
        #expect(lines.contains("open:              0 (critical 0, high 0, medium 0, low 0)"))
        #expect(lines.contains("found / fixed:     1 / 1 (capacity 1.00), 0 regressions"))
        #expect(lines.contains { $0.hasPrefix("time to own:       median 0.0, p90 0.0 days (1 done, 0 waiting") })
        #expect(lines.last == "most urgent:       nothing open")
        #expect(session.run("scorecard", "nobody").status == 4)
        // The unit holds payments alone: its findings, not the unowned ones.
        let unit = try session.json(session.run("metrics", "--unit", "treasury", "--json").out)
        #expect(unit["scope"]?.string == "unit treasury")
        #expect(unit["total"]?["new"]?.int == 1 && unit["total"]?["fixed"]?.int == 1)
        #expect(unit["unowned"] == nil)
    }
}
