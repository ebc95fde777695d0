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
        let (process, port) = try serve(session, [])
        defer { if process.isRunning { process.terminate() } }
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

    /// Starts `custody serve --port 0` with `extra` options; returns it and the port it printed.
    func serve(_ session: Session, _ extra: [String]) throws -> (Process, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FaultTests.binary)
        process.arguments = ["--db", session.database, "serve", "--port", "0", "--threads", "2"] + extra
        let printed = Pipe()
        process.standardOutput = printed
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where: "custody: serving http://127.0.0.1:PORT/ (SIGTERM stops)".
        var line = Data()
        while !line.contains(10) {
            let chunk = printed.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let said = String(decoding: line, as: UTF8.self)
        let port = try #require(said.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, "\(said)")
        return (process, port)
    }

    @Test func servesHTTPSWithACertificateAndNothingElse() throws {
        guard FileManager.default.isExecutableFile(atPath: FaultTests.binary),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
        else {
            print("skipped: needs the built custody and openssl (scripts/bootstrap installs it)")
            return
        }
        let session = Session()
        _ = try session.setUp()
        let key = session.directory.file("key.pem")
        let certificate = session.directory.file("cert.pem")
        let made = try output(
            of: "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        #expect(made.status == 0)
        let (process, port) = try serve(session, ["--tls-cert", certificate, "--tls-key", key])
        defer { if process.isRunning { process.terminate() } }
        let secure = try output(
            of: "/usr/bin/curl", ["-s", "--fail", "--cacert", certificate, "https://127.0.0.1:\(port)/healthz"])
        #expect(secure.status == 0 && secure.text == "{\"status\":\"ok\"}\n", "\(secure)")
        // Plain HTTP to the TLS port gets no answer.
        let plain = try output(of: "/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(port)/healthz"])
        #expect(plain.status != 0 && plain.text.isEmpty)
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // One without the other is a usage error; a key that is not one, the server cannot start.
        #expect(session.run("serve", "--port", "0", "--tls-cert", certificate).status == 2)
        #expect(session.run("serve", "--port", "0", "--tls-cert", certificate, "--tls-key", certificate).status == 9)
    }
}
