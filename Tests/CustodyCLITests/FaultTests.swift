import CustodyTestSupport
import Foundation
import Testing

/// Faults a real process meets: the `custody` binary killed with SIGKILL in the middle of an
/// ingest, on either engine (`make test` runs this suite on SQLite and on PostgreSQL).
@Suite(.serialized)
struct FaultTests {
    /// The binary `swift build` wrote beside the tests.
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/debug/custody").standardized.path

    /// Starts `custody` with `arguments` on `session`'s store.
    func start(_ session: Session, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--db", session.database] + arguments
        process.environment = ["USER": "tester", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func anIngestKilledAnywhereLeavesTheStoreAsItWasAndARerunCompletes() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("\(Self.binary) is not built: run swift build first")
            return
        }
        let session = Session()
        let (codeowners, first) = try session.setUp()
        #expect(session.run("ingest", "--repo", "portal", "--codeowners", codeowners, first).status == 0)
        let before = session.run("summary", "--json").out
        let head = session.run("ledger", "verify").out
        // A report big enough that a kill lands inside its transaction (PostgreSQL's ingest is a
        // round trip per finding: a smaller one takes as long there).
        let results = TestDatabase.isPostgres ? 3_000 : 20_000
        let report = try session.write(
            "big.sarif", session.sarif((0..<results).map { "services/payments/f\($0 % 400).py" }))
        let arguments = ["ingest", "--repo", "portal", "--scope", "full", "--codeowners", codeowners, report]
        // How long a whole ingest takes here, to kill within it. Run twice, so that from then on
        // a completed ingest of this report changes nothing but adds its scan and its event.
        var whole = 0.0
        for _ in 0..<2 {
            let timing = try start(session, arguments)
            let started = Date()
            timing.waitUntilExit()
            whole = Date().timeIntervalSince(started)
            #expect(timing.terminationStatus == 0)
        }
        let summary = session.run("summary", "--json").out
        #expect(summary != before)
        func state() throws -> (scans: [Int], events: Int, verified: Bool) {
            let scans = try session.json(session.run("scans", "--json").out).array.map(Array.init) ?? []
            let verify = session.run("ledger", "verify")
            let events = Int(verify.out.split(separator: " ").dropFirst().first ?? "") ?? -1
            return (scans.compactMap { $0["findings"]?.int }, events, verify.status == 0)
        }
        var last = try state()
        #expect(last.verified && head != session.run("ledger", "verify").out)

        var generator = SystemRandomNumberGenerator()
        var killed = 0
        for _ in 0..<20 {
            let process = try start(session, arguments)
            Thread.sleep(forTimeInterval: Double.random(in: 0...(whole * 0.9), using: &generator))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
            // All or nothing: the same scans and chain, or (killed after its commit, or not
            // killed) one more scan holding the whole report and one more event. Never a part.
            let now = try state()
            #expect(now.verified)
            #expect(session.run("summary", "--json").out == summary)
            if process.terminationReason == .uncaughtSignal, now.scans == last.scans {
                #expect(now.events == last.events)
            } else {
                #expect(now.scans == [results] + last.scans, "\(now.scans.prefix(3)) after \(last.scans.prefix(3))")
                #expect(now.events == last.events + 1)
            }
            last = now
        }
        #expect(killed > 0)
        let rerun = session.run(arguments)
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(try state().events == last.events + 1)
        #expect(session.run("summary", "--json").out == summary)
    }
}
