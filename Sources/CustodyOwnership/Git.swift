import CustodyCore
import Foundation

/// Runs the `git` program (the reference implementation) in one repository.
///
/// Arguments are passed as an array, never through a shell, and every revision a caller gives
/// is checked and placed after `--end-of-options`, so no input can become an option or a command.
public struct Git: Sendable {
    public let directory: String

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public init(directory: String) { self.directory = directory }

    /// True when `directory` is inside a git work tree.
    public static func isRepository(_ directory: String) -> Bool {
        (try? Git(directory: directory).run(["rev-parse", "--is-inside-work-tree"]))?.hasPrefix("true") == true
    }

    /// The full SHA of the commit `revision` names; a clear error when it names none.
    public func resolve(_ revision: String) throws -> String {
        guard !revision.isEmpty, !revision.hasPrefix("-"), !revision.contains(where: { $0.isWhitespace || $0 == "\0" })
        else { throw Failure(message: "'\(revision)' is not a revision") }
        do {
            return try run(["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw Failure(message: "commit '\(revision)' is not in the repository at \(directory)")
        }
    }

    /// The content of `path` at `commit`, or nil when the commit has no such file.
    public func file(_ path: String, at commit: String) throws -> String? {
        let sha = try resolve(commit)
        guard (try? run(["cat-file", "-e", "\(sha):\(path)"])) != nil else { return nil }
        return try run(["show", "\(sha):\(path)"])
    }

    /// Runs git with `arguments` in the repository; its standard output, or a failure with its error.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", directory] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"], uniquingKeysWith: { _, new in new })
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(message: "cannot run git: \(error.localizedDescription)")
        }
        // Read both pipes to the end before waiting, so a large output cannot block git.
        final class Collected: @unchecked Sendable { var data = Data() }  // written by one thread, read after wait()
        let errorOutput = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorOutput.data = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errorOutput.data
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(
                message:
                    "git \(arguments.first ?? ""): \(message.isEmpty ? "exit \(process.terminationStatus)" : message)")
        }
        return String(decoding: outData, as: UTF8.self)
    }
}
