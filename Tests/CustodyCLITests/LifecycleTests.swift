import CustodyCLI
import CustodyCore
import CustodyService
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

struct LifecycleTests {
    /// payments (lead bob, unit treasury headed by dana) owns 3 findings; one unowned; web owns none.
    func session() throws -> Session {
        let session = Session()
        #expect(
            session.run(
                "teams", "import",
                try session.write(
                    "teams.yaml",
                    """
                    units:
                      - {id: treasury, name: Treasury, head: dana@example.gov}
                    teams:
                      - {id: payments, name: Payments, unit: treasury, lead: bob@example.gov, handles: ["@example/payments"]}
                      - {id: web, name: Web, unit: treasury, lead: kim@example.gov}
                    """)
            ).status == 0)
        let codeowners = try session.write("CODEOWNERS", "/pay/ @example/payments\n")
        let report = try session.write("r.sarif", session.sarif(["pay/a.py", "pay/b.py", "pay/c.py", "misc/d.py"]))
        #expect(session.run("ingest", "--repo", "r", "--codeowners", codeowners, report).status == 0)
        return session
    }

    func status(_ session: Session, _ id: Int) throws -> String? {
        try session.json(session.run("findings", "show", String(id), "--json").out)["status"]?.string
    }

    @Test func acknowledgeOnceWithAReason() throws {
        let session = try session()
        var result = session.run("ack", "1")
        #expect(result.status == 2)
        #expect(result.err.contains("missing --reason"))
        result = session.run("ack", "1", "--reason", "we own the ledger query", "--actor", "bob@example.gov")
        #expect(result.out == "1 findings acknowledged\n")
        #expect(try status(session, 1) == "acknowledged")
        let events = try SQLStore(path: session.database).events(findingID: 1).filter {
            $0.kind.rawValue == "finding.acknowledged"
        }
        #expect(events.count == 1)
        #expect(events.first?.actor == "bob@example.gov")
        #expect(events.first?.payload.contains("we own the ledger query") == true)
        // Again: refused, nothing changes, and the message says why.
        result = session.run("ack", "1", "2", "--reason", "again")
        #expect(result.status == ServiceError.Kind.refused.exitStatus)
        #expect(result.err.contains("finding 1: cannot acknowledge a finding that is acknowledged"))
        #expect(try status(session, 2) == "open")
        // Unless the valid ones should go ahead.
        result = session.run("ack", "1", "2", "--reason", "again", "--skip-invalid")
        #expect(result.out == "1 findings acknowledged\n")
        #expect(result.err.contains("skipped finding 1"))
        #expect(try status(session, 2) == "acknowledged")
    }

    @Test func riskAcceptanceNeedsTheRightApprover() throws {
        let session = try session()
        // The findings are "error" level: high. Lead or unit head may approve; others may not.
        var result = session.run(
            "accept-risk", "1", "--until", "2099-01-01", "--approver", "eve@example.gov", "--reason", "r")
        #expect(result.status == ServiceError.Kind.refused.exitStatus)
        #expect(result.err.contains("accepted by the team lead bob@example.gov or an org-unit head (dana@example.gov)"))
        result = session.run(
            "accept-risk", "1", "--until", "2000-01-01", "--approver", "bob@example.gov", "--reason", "r")
        #expect(result.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(result.err.contains("is in the past"))
        result = session.run(
            "accept-risk", "1", "--until", "2099-01-01", "--approver", "bob@example.gov", "--reason",
            "compensating WAF rule")
        #expect(result.status == 0)
        #expect(try status(session, 1) == "risk_accepted")
        let accepted = try session.json(session.run("findings", "show", "1", "--json").out)
        #expect(accepted["risk_accepted_until"]?.string?.hasPrefix("2099-01-01") == true)
        #expect(accepted["risk_approver"]?.string == "bob@example.gov")
        #expect(session.run("findings", "show", "1").out.contains("accepted:   until 2099-01-01"))
        // The unowned finding needs a unit head.
        result = session.run(
            "accept-risk", "4", "--until", "2099-01-01", "--approver", "bob@example.gov", "--reason", "r")
        #expect(result.status == ServiceError.Kind.refused.exitStatus)
        #expect(
            session.run("accept-risk", "4", "--until", "2099-01-01", "--approver", "dana@example.gov", "--reason", "r")
                .status == 0)
        // Expiry reopens: time moves on.
        let store = try SQLStore(path: session.database)
        // 2100-01-01:
        let expired = try store.expireRiskAcceptances(now: Date(timeIntervalSince1970: 4_102_444_800), actor: "tick")
        #expect(expired == [1, 4])
        #expect(try status(session, 1) == "reopened")
        let events = try store.events(findingID: 1).map(\.kind)
        #expect(events.suffix(2) == [.findingRiskAccepted, .findingReopened])
        #expect(session.run("tick").out.hasPrefix("0 risk acceptances expired and reopened\n"))
    }

    @Test func falsePositiveWithVEXJustificationThenReopen() throws {
        let session = try session()
        var result = session.run("false-positive", "2", "--justification", "it_is_fine", "--reason", "r")
        #expect(result.status == 2)
        #expect(result.err.contains("expected one of: code_not_present"))
        result = session.run(
            "false-positive", "2", "--justification", "code_not_reachable", "--reason", "dead code path")
        #expect(result.status == 0)
        #expect(try status(session, 2) == "false_positive")
        #expect(
            try SQLStore(path: session.database).events(findingID: 2).last?.payload.contains("code_not_reachable")
                == true)
        #expect(session.run("reopen", "2", "--reason", "the path is reachable after all").status == 0)
        #expect(try status(session, 2) == "reopened")
        #expect(session.run("reopen", "2", "--reason", "again").status == ServiceError.Kind.refused.exitStatus)
    }

    @Test func traceTellsTheWholeStory() throws {
        let session = try session()
        #expect(session.run("ack", "1", "--reason", "ours", "--actor", "bob@example.gov").status == 0)
        #expect(
            session.run("false-positive", "1", "--justification", "protected_at_perimeter", "--reason", "WAF").status
                == 0)
        #expect(session.run("reopen", "1", "--reason", "WAF rule removed").status == 0)
        let timeline = Array(try session.json(session.run("trace", "1", "--json").out).array!)
        let what = timeline.compactMap { $0["what"]?.string }
        #expect(what.count == 4)
        #expect(what[0].hasPrefix("discovered by Scanner (R1); owner payments"))
        #expect(what[1] == "acknowledged (ours)")
        #expect(what[2] == "false positive: protected_at_perimeter (WAF)")
        #expect(what[3] == "reopened: WAF rule removed")
        #expect(timeline[1]["who"]?.string == "bob@example.gov")
    }

    @Test func transfersAreAskedAcceptedRejectedAndArbitrated() throws {
        let session = try session()
        var result = session.run("transfer", "1", "2", "3", "--to", "web", "--reason", "the widget is web's")
        #expect(result.out == "3 transfers to web requested\n")
        #expect(try status(session, 1) == "transferred")
        #expect(
            session.run("transfer", "1", "--to", "web", "--reason", "again").status
                == ServiceError.Kind.refused.exitStatus)  // already asked
        let pending = Array(try session.json(session.run("transfer", "list", "--json").out).array!)
        #expect(pending.map { $0["finding"]?.int } == [1, 2, 3])
        // Web accepts one, rejects one; the third waits.
        #expect(session.run("transfer", "accept", "1", "--actor", "kim@example.gov").status == 0)
        #expect(try session.json(session.run("findings", "show", "1", "--json").out)["owner_team"]?.string == "web")
        #expect(try status(session, 1) == "open")
        result = session.run("transfer", "reject", "2", "--reason", "not ours", "--actor", "kim@example.gov")
        #expect(result.status == 0)
        #expect(try status(session, 2) == "open")  // back to where it was
        // nothing pending any more
        #expect(session.run("transfer", "accept", "2").status == ServiceError.Kind.refused.exitStatus)
        // Security arbitrates the dispute: web it is.
        result = session.run(
            "transfer", "resolve", "2", "--to", "web", "--reason", "CODEOWNERS is stale", "--actor", "sec")
        #expect(result.out == "1 transfers resolved: owned by web\n")
        #expect(session.run("transfer", "resolve", "3", "--keep", "--to", "web", "--reason", "x").status == 2)
        #expect(session.run("transfer", "resolve", "3", "--keep", "--reason", "stays with payments").status == 0)
        #expect(
            try session.json(session.run("findings", "show", "3", "--json").out)["owner_team"]?.string == "payments")
        let history = Array(try session.json(session.run("owners", "history", "2", "--json").out).array!)
        #expect(history.map { $0["team"]?.string } == ["payments", "web"])
        #expect(history.last?["actor"]?.string == "sec")
        #expect(Array(try session.json(session.run("transfer", "list", "--json").out).array!).isEmpty)
        #expect(session.run("transfer", "4", "--to", "nobody", "--reason", "x").err.contains("unknown team 'nobody'"))
        #expect(try SQLStore(path: session.database).verifyLedger().broken == nil)
    }

    @Test func dueDatesFollowThePolicy() throws {
        let session = try session()
        // Default policy: the "error" level findings are high, due in 30 days from first seen.
        let row = try session.json(session.run("findings", "show", "1", "--json").out)
        let firstSeen = try #require(ISO8601DateFormatter().date(from: row["first_seen"]!.string!))
        #expect(row["due_at"]?.string == Timestamp.string(firstSeen.addingTimeInterval(30 * 86_400)))
        // A stricter policy for the treasury unit, business days for everyone.
        let config = try session.write(
            "custody.yaml",
            """
            sla:
              days: {high: 20}
              business_days: true
              overrides:
                - unit: treasury
                  days: {high: 5}
            """)
        let result = session.run("sla", "apply", "--config", config)
        #expect(result.out == "4 due dates changed\n")
        let payments = try session.json(session.run("findings", "show", "1", "--json").out)["due_at"]?.string
        let unowned = try session.json(session.run("findings", "show", "4", "--json").out)["due_at"]?.string
        // Counted the other way, with Foundation's calendar: the weekdays after the first
        // sighting up to the due date, which falls on a weekday (whatever day the test runs).
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let weekdays = { (text: String?) -> Int in
            let due = ISO8601DateFormatter().date(from: text!)!
            guard !calendar.isDateInWeekend(due) else { return -1 }
            var count = 0
            var day = firstSeen
            while day < due {
                day = day.addingTimeInterval(86_400)
                if !calendar.isDateInWeekend(day) { count += 1 }
            }
            return count
        }
        #expect(weekdays(payments) == 5)
        #expect(weekdays(unowned) == 20)
        #expect(try SQLStore(path: session.database).events(findingID: 1).last?.kind == .slaDueChanged)
        #expect(session.run("sla", "apply", "--config", config).out == "0 due dates changed\n")
        // Nothing is overdue yet.
        #expect(Array(try session.json(session.run("findings", "list", "--overdue", "--json").out).array!).isEmpty)
        let bad = try session.write("bad.yaml", "sla:\n  days: {urgent: 3}\n")
        #expect(session.run("sla", "apply", "--config", bad).err.contains("line 2: error: unknown severity 'urgent'"))
    }

    @Test func bulkByQueryIsOneEventPerFinding() throws {
        let session = try session()
        let result = session.run("ack", "--team", "payments", "--reason", "sprint triage")
        #expect(result.out == "3 findings acknowledged\n")
        let store = try SQLStore(path: session.database)
        for id: Int64 in [1, 2, 3] {
            #expect(try store.events(findingID: id).filter { $0.kind.rawValue == "finding.acknowledged" }.count == 1)
        }
        #expect(try status(session, 4) == "open")
        // The already acknowledged are left out of a second bulk run, not refused.
        #expect(
            session.run("ack", "--team", "payments", "--reason", "again").status
                == ServiceError.Kind.notFound.exitStatus)  // none selected
        #expect(session.run("ack", "--rule", "R1", "1", "--reason", "x").status == 2)  // ids or filters
        #expect(try store.verifyLedger().broken == nil)
    }
}
