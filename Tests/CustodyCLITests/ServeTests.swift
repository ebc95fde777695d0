import CustodyTestSupport
import Foundation
import Testing

/// `custody serve` as a process: it says where it listens, answers, and stops cleanly on SIGTERM.
struct ServeTests {
    @Test func servesUntilSIGTERMAndStopsCleanly() throws {
        guard FileManager.default.isExecutableFile(atPath: FaultTests.binary) else {
            Issue.record("\(FaultTests.binary) is not built: run swift build first")
            return
        }
        let session = Session()
        let (codeowners, report) = try session.setUp()
        #expect(session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FaultTests.binary)
        process.arguments = ["--db", session.database, "serve", "--port", "0", "--threads", "2"]
        let printed = Pipe()
        process.standardOutput = printed
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // The first line says where: "custody: serving http://127.0.0.1:PORT/ (SIGTERM stops)".
        var line = Data()
        while !line.contains(10) {
            let chunk = printed.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let said = String(decoding: line, as: UTF8.self)
        let port = try #require(
            said.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, "\(said)")
        // curl --fail exits non-zero on a status of 400 or more.
        let health = try output(of: "/usr/bin/curl", ["-s", "--fail", "http://127.0.0.1:\(port)/healthz"])
        #expect(health.status == 0 && health.text == "{\"status\":\"ok\"}\n", "\(health.text)")
        let refused = try output(of: "/usr/bin/curl", ["-s", "--fail", "http://127.0.0.1:\(port)/api/v1/findings"])
        #expect(refused.status == 22)  // 401
        process.interrupt()  // SIGINT, as SIGTERM: both stop it
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(process.terminationReason == .exit)
    }
}
