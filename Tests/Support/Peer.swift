import Foundation

/// A real server on loopback, run by one of the scripts in Tests/Peers (an HTTP receiver, an
/// SMTP server): started with a log file, stopped when released. Each request it took is a
/// JSON line of `log`.
public final class Peer: @unchecked Sendable {
    public let port: Int
    public let log: String
    private let process: Process

    /// Starts `script` (a file of Tests/Peers) with `arguments` after the log's path.
    public init(script: String, arguments: [String] = [], directory: TemporaryDirectory) throws {
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Peers").standardized.path
        log = directory.file(script + ".log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scripts + "/" + script, log] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The first line is the port.
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data([10]) {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw PeerError(
                message: "\(script) did not start (is python3 with its modules installed? scripts/bootstrap)")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child started from the test runner inherits its blocked signals, SIGTERM among them.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The requests (or messages) taken so far, one JSON text each.
    public func entries() throws -> [String] {
        try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    public struct PeerError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
