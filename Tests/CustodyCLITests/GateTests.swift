import CustodyCore
import CustodyService
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

/// `custody gate` on real stores: what blocks a commit, what lets it pass, and that every
/// decision is recorded in the chain of custody.
struct GateTests {
    /// payments owns a critical finding in services/payments, vendor/ is unowned; both were first
    /// seen by a scan of commit c1.
    func session() throws -> Session {
        let session = Session()
        let (codeowners, _) = try session.setUp()
        let report = try session.write(
            "critical.sarif",
            #"""
            {"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner","rules":[{"id":"SQLI","properties":{"security-severity":"9.8","tags":["security"]}},{"id":"XSS","properties":{"security-severity":"5.0","tags":["security"]}}]}},"results":[
             {"ruleId":"SQLI","message":{"text":"sql"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"services/payments/a.py"},"region":{"startLine":3,"snippet":{"text":"q(x)"}}}}]},
             {"ruleId":"XSS","message":{"text":"xss"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"vendor/lib.js"},"region":{"startLine":4,"snippet":{"text":"h(x)"}}}}]}]}]}
            """#)
        let ingest = session.run(
            "ingest", "--repo", "portal", "--commit", "c1", "--codeowners", codeowners, report)
        #expect(ingest.status == 0, "\(ingest.err)")
        return session
    }

    func config(_ session: Session, _ text: String) throws -> String { try session.write("custody.yaml", text) }

    @Test func aCommitShippingANewCriticalFindingIsBlockedWithItsReason() throws {
        let session = try session()
        let result = session.run("gate", "--repo", "portal", "--commit", "c1")
        #expect(result.status == 1, "\(result.out)\(result.err)")
        #expect(result.out.hasPrefix("BLOCK: portal@c1\n"))
        #expect(result.out.contains("the commit ships 1 new finding at or above high: 1 (critical, SQLI)"))
        // Another commit ships nothing new.
        let other = session.run("gate", "--repo", "portal", "--commit", "c2")
        #expect(other.status == 0 && other.out.hasPrefix("PASS: portal@c2"), "\(other.out)")
    }

    @Test func decisionsCountInTheMetricsOfTheTeamsTheyHoldToAccount() throws {
        let session = try session()
        #expect(session.run("gate", "--repo", "portal", "--commit", "c1").status == 1)
        #expect(session.run("gate", "--repo", "portal", "--commit", "c1", "--warn-only").status == 0)
        #expect(session.run("gate", "--repo", "portal", "--commit", "c2").status == 0)  // a pass names nobody
        let payments = try session.json(session.run("metrics", "--team", "payments", "--json").out)
        #expect(payments["total"]?["gate"]?["blocked"]?.int == 1)
        #expect(payments["total"]?["gate"]?["warned"]?.int == 1)
        let event = try #require(
            try SQLStore(path: session.database).events(findingID: nil).last { $0.kind == .gateDecided })
        #expect(event.payload.contains(#""teams":[]"#))  // the pass
        let csv = session.run("metrics", "--by", "team", "--csv").out.split(separator: "\r\n").map(String.init)
        let header = csv[0].split(separator: ",").map(String.init)
        let row = try #require(csv.first { $0.hasPrefix("payments,") }).split(
            separator: ",", omittingEmptySubsequences: false)
        #expect(row[try #require(header.firstIndex(of: "gate_blocked"))] == "1")
    }

    @Test func thePolicyDecidesThresholdsBudgetsAndTheUnownedLimit() throws {
        let session = try session()
        var config = try config(session, "gate:\n  block_new_at: critical\n  max_unowned: 0\n")
        var result = session.run("gate", "--repo", "portal", "--commit", "c2", "--config", config)
        #expect(result.status == 1)
        #expect(result.out.contains("the repository holds 1 unowned open findings (limit 0)"), "\(result.out)")
        // Due dates under the default SLA (critical: 15 days); 30 days on, payments is over budget.
        #expect(session.run("sla", "apply").status == 0)
        let later = Timestamp.string(Date().addingTimeInterval(30 * 86_400))
        config = try self.config(session, "gate:\n  block_new_at: critical\n  teams: {payments: 0}\n")
        result = session.run("gate", "--repo", "portal", "--commit", "c2", "--config", config, "--now", later)
        #expect(result.status == 1)
        #expect(result.out.contains("team payments holds 1 overdue known-exploited or critical finding (allowance 0)"))
        config = try self.config(session, "gate:\n  block_new_at: critical\n  teams: {payments: 1}\n")
        result = session.run("gate", "--repo", "portal", "--commit", "c2", "--config", config, "--now", later)
        #expect(result.status == 0, "\(result.out)")
        // A policy file beside the pipeline replaces the configuration's gate section.
        let policy = try session.write("policy.yaml", "gate:\n  block_new_at: critical\n  teams: {payments: 0}\n")
        result = session.run(
            "gate", "--repo", "portal", "--commit", "c2", "--config", config, "--policy", policy, "--now", later)
        #expect(result.status == 1 && result.out.contains("(allowance 0)"), "\(result.out)")
        // A wrong policy names its line.
        config = try self.config(session, "gate:\n  block_new_at: severe\n")
        result = session.run("gate", "--repo", "portal", "--commit", "c2", "--config", config)
        #expect(result.status == 3)
        #expect(result.err.contains("custody.yaml: line 2: error: block_new_at must be a severity"), "\(result.err)")
    }

    @Test func warnOnlyPassesAndEveryDecisionIsALedgerEvent() throws {
        let session = try session()
        let warned = session.run("gate", "--repo", "portal", "--commit", "c1", "--warn-only", "--json", "--actor", "ci")
        #expect(warned.status == 0)
        let decision = try session.json(warned.out)
        #expect(decision["outcome"]?.string == "warn")
        #expect(decision["new_findings"]?.array.map(Array.init)?.count == 2)
        session.run("gate", "--repo", "portal", "--commit", "c1")
        let events = try SQLStore(path: session.database).events(findingID: nil).filter { $0.kind == .gateDecided }
        #expect(events.map(\.actor) == ["ci", "tester"])
        #expect(events.first?.payload.contains(#""outcome":"warn""#) == true)
        #expect(events.last?.payload.contains(#""outcome":"block""#) == true)
        #expect(session.run("ledger", "verify").status == 0)
        // Without the commit it cannot decide: a usage error.
        #expect(session.run("gate", "--repo", "portal").status == 2)
    }
}
