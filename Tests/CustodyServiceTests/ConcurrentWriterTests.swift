import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Synchronization
import Testing

/// Many writers, one truth: connections of their own writing at once end as one writer would
/// (on SQLite and, with `make test`, on PostgreSQL).
struct ConcurrentWriterTests {
    let directory = TemporaryDirectory()
    /// Eight reports over one pool of results: each shares the first results with the others.
    static let reports = (0..<8).map { Fixture.sarif(count: 30 + 10 * $0) }

    @Test func eightIngestsAtOnceEndAsTheyWouldInSequence() throws {
        let sequential = try Fixture()
        for report in Self.reports { try sequential.ingest(report, scope: .partial) }

        let concurrent = try Fixture()
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: Self.reports.count) { index in
            // A service, and so a connection, of its own: as another process would have.
            let writer = CustodyService(databasePath: concurrent.database)
            do {
                try concurrent.ingest(Self.reports[index], scope: .partial, through: writer)
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let expected = try sequential.service.counts()
        let found = try concurrent.service.counts()
        #expect(found == expected)
        #expect(found["findings"] == 100)
        #expect(found["sightings"] == Self.reports.indices.map { 30 + 10 * $0 }.reduce(0, +))
        let ledger = try concurrent.service.verifyLedger(publicKey: nil)
        #expect(ledger.broken == nil)
        #expect(ledger.count == (try sequential.service.verifyLedger(publicKey: nil)).count)
    }

    @Test func twoInitsAtOnceOnAnEmptyDatabaseBothSucceed() throws {
        let database = TestDatabase.location(directory.file("empty.db"))
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                _ = try CustodyService(databasePath: database).counts()
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
    }
}
