import CustodyCore
import CustodyServer
import CustodyService
import CustodyTestSupport
import Foundation
import Synchronization
import Testing

/// The server's bound on ingests at once, and many clients uploading at once over HTTP.
@Suite struct IngestQueueTests {
    /// A report of the tool Pool with results 0..<count of one pool: reports share their first results.
    static func pool(_ count: Int) -> Data {
        let results = (0..<count).map { index in
            #"{"ruleId":"Q\#(index % 5)","level":"error","message":{"text":"m\#(index)"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"web/f\#(index % 4).js"},"region":{"startLine":\#(index + 1),"snippet":{"text":"p\#(index)"}}}}]}"#
        }
        return Data(
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Pool"}},"results":[\#(results.joined(separator: ","))]}]}"#
                .utf8)
    }

    @Test func ingestsBeyondTheRunningAndWaitingAreRefusedAtOnce() throws {
        let queue = IngestQueue(running: 1, waiting: 1)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let finished = Mutex<[Int]>([])
        for index in 0..<2 {
            DispatchQueue.global().async(group: done) {
                _ = try? queue.run { () throws(ServiceError) in
                    if index == 0 { release.wait() }
                    finished.withLock { $0.append(index) }
                }
            }
            // The first holds the slot before the second arrives to wait for it.
            while queue.load < index + 1 { usleep(1_000) }
        }
        #expect(throws: ServiceError.self) {
            try queue.run { () throws(ServiceError) in () }
        }
        do {
            try queue.run { () throws(ServiceError) in () }
        } catch {
            #expect(error.kind == .unavailable)
        }
        #expect(finished.withLock { $0 }.isEmpty, "the waiting one waits")
        release.signal()
        done.wait()
        #expect(finished.withLock { $0 } == [0, 1], "in arrival order")
        #expect(queue.load == 0)
        try queue.run { () throws(ServiceError) in () }  // free again
    }

    @Test func aFullQueueIs503WithRetryAfterAndNothingIsWritten() throws {
        let queue = IngestQueue(running: 1, waiting: 0)
        let served = try Served(ingests: queue)
        let token = try served.token("ci", .security)
        let before = try served.service.counts()
        // The test holds the one slot, as a long ingest would.
        let release = DispatchSemaphore(value: 0)
        let held = DispatchGroup()
        DispatchQueue.global().async(group: held) {
            _ = try? queue.run { () throws(ServiceError) in release.wait() }
        }
        while queue.load < 1 { usleep(1_000) }
        let refused = try served.call(
            "/api/v1/ingest?repository=pool", method: "POST", token: token, body: Self.pool(3))
        #expect(refused.status == 503, "\(refused.body)")
        #expect(refused.headers["retry-after"] == "1")
        #expect(refused.json?["error"] as? String == "unavailable", "\(refused.body)")
        #expect(try served.service.counts() == before)
        release.signal()
        held.wait()
        let accepted = try served.call(
            "/api/v1/ingest?repository=pool", method: "POST", token: token, body: Self.pool(3))
        #expect(accepted.status == 200, "\(accepted.body)")
    }

    @Test func sixteenClientsUploadingAtOnceEndAsASequentialRun() throws {
        let reports = (0..<16).map { Self.pool(40 + 5 * $0) }
        let sequential = try Served()
        let sequentialToken = try sequential.token("ci", .security)
        for report in reports {
            let answer = try sequential.call(
                "/api/v1/ingest?repository=portal", method: "POST", token: sequentialToken, body: report)
            #expect(answer.status == 200, "\(answer.body)")
        }
        let queue = IngestQueue(running: 2, waiting: 16)
        let concurrent = try Served(threads: 20, ingests: queue)
        let token = try concurrent.token("ci", .security)
        let statuses = Mutex<[Int]>([])
        // Sixteen threads of their own (not the pool's few), released together.
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for report in reports {
            done.enter()
            Thread {
                start.wait()
                let answer = try? concurrent.call(
                    "/api/v1/ingest?repository=portal", method: "POST", token: token, body: report)
                statuses.withLock { $0.append(answer?.status ?? -1) }
                done.leave()
            }.start()
        }
        // The test holds one slot until two uploads are admitted beside it, so they overlap
        // however fast or loaded the machine is.
        let held = DispatchGroup()
        let holding = DispatchSemaphore(value: 0)
        DispatchQueue.global().async(group: held) {
            _ = try? queue.run { () throws(ServiceError) in
                holding.signal()
                let deadline = Date().addingTimeInterval(30)
                while queue.load < 3 && Date() < deadline { usleep(1_000) }
            }
        }
        holding.wait()
        for _ in reports { start.signal() }
        done.wait()
        held.wait()
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 16))
        #expect(queue.peak >= 3, "two uploads admitted beside the held slot; overlapped: \(queue.peak) at once")
        let found = try concurrent.service.counts()
        #expect(found == (try sequential.service.counts()))
        #expect(found["findings"] == 6 + 115, "the six of the fixture and the pool's 115")
        #expect(found["sightings"] == 6 + reports.indices.map { 40 + 5 * $0 }.reduce(0, +))
        let verified = try concurrent.call("/api/v1/ledger/verify", token: token)
        #expect(verified.status == 200, "\(verified.body)")
        // portal's map (recorded with the fixture) owns them: web's 2 of the fixture and 115.
        let web = try concurrent.call("/api/v1/findings?repository=portal&team=web&limit=1000", token: token)
        #expect((web.json?["findings"] as? [Any])?.count == 2 + 115, "\(web.body)")
    }
}
