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
        // How long a whole ingest takes here, to kill within it.
        let timing = try start(session, arguments + ["--branch", "timing"])
        let started = Date()
        timing.waitUntilExit()
        let whole = Date().timeIntervalSince(started)
        #expect(timing.terminationStatus == 0)
        #expect(session.run("ledger", "verify").status == 0)
        var afterTiming = session.run("summary", "--json").out
        var timedHead = session.run("ledger", "verify").out
        #expect(timedHead != head)

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
            if process.terminationReason == .uncaughtSignal {
                // Nothing of the killed ingest: the same findings, the same chain.
                #expect(session.run("summary", "--json").out == afterTiming)
                #expect(session.run("ledger", "verify").out == timedHead)
            } else {
                // It finished before the kill: whole, and the state to compare with from now on.
                #expect(process.terminationStatus == 0)
                afterTiming = session.run("summary", "--json").out
                timedHead = session.run("ledger", "verify").out
            }
        }
        #expect(killed > 0)
        let rerun = session.run(arguments)
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(session.run("ledger", "verify").status == 0)
        #expect(before != afterTiming)
    }
}
