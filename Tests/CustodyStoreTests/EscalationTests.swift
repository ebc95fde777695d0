import CustodyCore
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

struct EscalationTests {
    let directory = TemporaryDirectory()

    @Test func theLadderIsClimbedOnceStepByStep() throws {
        let store = try SQLStore(path: TestDatabase.location(directory.file("e.db")))
        try store.importOrganisation(
            Organisation(
                units: [
                    OrgUnit(id: "state", name: "State", head: "cio@example.gov"),
                    OrgUnit(id: "treasury", name: "Treasury", parentID: "state", head: "dana@example.gov"),
                ],
                teams: [
                    Team(
                        id: "pay", name: "Payments", unitID: "treasury", lead: "bob@example.gov",
                        channels: ["slack:#payments"])
                ]), source: "t", actor: "x")
        let start = ISO8601DateFormatter().date(from: "2026-01-01T00:00:00Z")!
        var record = scan()
        record.startedAt = start
        var item = finding("A", path: "a.c", owner: "pay")
        item.dueAt = "2026-01-31T00:00:00Z"  // 30 days
        _ = try store.ingest { session in
            try session.beginScan(record)
            try session.record(item)
        }
        func at(_ day: Double) throws -> Int {
            try store.escalate(now: start.addingTimeInterval(day * 86_400), actor: "tick")
        }
        #expect(try at(10) == 0)  // not half-way
        #expect(try at(16) == 1)  // half-way: the team
        #expect(try at(17) == 0)  // once
        #expect(try at(39) == 2)  // due (lead) and 8 days over (unit head), in order
        #expect(try at(61) == 1)  // 30 days over: the executive
        #expect(try at(90) == 0)  // the top of the ladder
        let steps = try store.events(findingID: 1).filter { $0.kind.rawValue == "escalation.step" }.map(\.payload)
        #expect(steps.count == 4)
        #expect(steps[0].contains("\"stage\":\"team\",\"to\":[\"slack:#payments\"]"))
        #expect(steps[1].contains("\"stage\":\"team lead\",\"to\":[\"bob@example.gov\"]"))
        #expect(steps[2].contains("\"stage\":\"org-unit head\",\"to\":[\"dana@example.gov\"]"))
        #expect(steps[3].contains("\"stage\":\"executive\",\"to\":[\"cio@example.gov\"]"))
        #expect(try store.verifyLedger().broken == nil)
    }
}
