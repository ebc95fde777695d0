import CustodyCore
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

struct LedgerTests {
    let directory = TemporaryDirectory()

    /// A store with five events: an import, a scan, three assignments.
    func store(_ name: String) throws -> SQLStore {
        let store = try SQLStore(path: TestDatabase.location(directory.file(name)))
        try store.importOrganisation(Organisation(teams: [Team(id: "a", name: "A")]), source: "t.yaml", actor: "x")
        _ = try store.ingest { session in
            try session.beginScan(scan())
            for index in 0..<3 { try session.record(finding("R\(index)", path: "f\(index).c")) }
        }
        _ = try store.assignOwner(findingIDs: [1, 2, 3], team: "a", actor: "sec", reason: "triage")
        return store
    }

    @Test func anUntouchedChainHolds() throws {
        let store = try store("ok.db")
        let report = try store.verifyLedger()
        #expect(report.broken == nil)
        #expect(report.count == 5)
        let entries = try store.ledgerEntries()
        #expect(entries.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(entries.first?.previousHash == Ledger.genesis)
        #expect(report.head == entries.last?.hash)
        // The hash is SHA-256 of the documented canonical bytes: anyone can recompute it.
        let second = entries[1]
        let canonical = Ledger.canonical(
            sequence: second.sequence, at: second.at, kind: second.kind, findingID: second.findingID,
            scanID: second.scanID, actor: second.actor, payload: second.payload, previousHash: second.previousHash)
        #expect(SHA256.hex(canonical) == second.hash)
        #expect(entries[2].previousHash == second.hash)
    }

    @Test func alteredPayloadIsFound() throws {
        let store = try store("payload.db")
        try store.executeForTesting(
            TestDatabase.dropEventsTrigger("update")
                + "; UPDATE events SET payload = '{\"reason\":\"nothing to see\"}' WHERE seq = 3"
        )
        let report = try store.verifyLedger()
        #expect(report.broken?.sequence == 3)
        #expect(report.broken?.reason == "its hash does not match its content")
        #expect(report.count == 2)
    }

    @Test func aForgedHashBreaksTheNextLink() throws {
        let store = try store("forged.db")
        let third = try store.ledgerEntries()[2]
        let forged = Ledger.sha256(
            Ledger.canonical(
                sequence: 3, at: third.at, kind: third.kind, findingID: third.findingID, scanID: third.scanID,
                actor: "nobody", payload: third.payload, previousHash: third.previousHash))
        try store.executeForTesting(
            TestDatabase.dropEventsTrigger("update")
                + "; UPDATE events SET actor = 'nobody', hash = '\(forged)' WHERE seq = 3")
        let report = try store.verifyLedger()
        #expect(report.broken?.sequence == 4)
        #expect(report.broken?.reason == "it does not point at the previous event's hash")
    }

    @Test func aDeletedEventIsFound() throws {
        let store = try store("deleted.db")
        try store.executeForTesting(TestDatabase.dropEventsTrigger("delete") + "; DELETE FROM events WHERE seq = 2")
        let report = try store.verifyLedger()
        #expect(report.broken?.sequence == 3)
        #expect(report.broken?.reason == "events 2 to 2 are missing")
    }

    @Test func reorderedEventsAreFound() throws {
        let store = try store("order.db")
        try store.executeForTesting(
            TestDatabase.dropEventsTrigger("update") + """
                ;
                UPDATE events SET seq = 100 WHERE seq = 2;
                UPDATE events SET seq = 2 WHERE seq = 3;
                UPDATE events SET seq = 3 WHERE seq = 100;
                """)
        let report = try store.verifyLedger()
        #expect(report.broken?.sequence == 2)
    }

    @Test func textThatNeedsEscapingHashesTheSameWhenWrittenAndWhenVerified() throws {
        // The appender and the verifier build canonical bytes from Strings and from SQLite's
        // buffers respectively: quotes, control characters and U+2028 must come out the same.
        let store = try store("escapes.db")
        try store.appendEvents([
            (.findingAcknowledged, nil, "tab\tand \\ backslash \"q\"", .object([("n", 1)])),
            (.findingReopened, nil, "Zoë \u{2028} line separator", .object([("n \"q\"", 2)])),
        ])
        let report = try store.verifyLedger()
        #expect(report.broken == nil)
        #expect(report.count == 7)
    }

    @Test func bulkEventsAreOneLinkEach() throws {
        let store = try store("bulk.db")
        try store.appendEvents((0..<100).map { (.findingAcknowledged, nil, "sec", .object([("n", .int(Int64($0)))])) })
        let report = try store.verifyLedger()
        #expect(report.broken == nil)
        #expect(report.count == 105)
    }
}
