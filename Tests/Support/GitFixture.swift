import Foundation

/// A real git repository made by a test: commits with fixed authors and dates.
public final class GitFixture: @unchecked Sendable {
    public let path: String
    private let directory: TemporaryDirectory

    public init() throws {
        directory = TemporaryDirectory()
        path = directory.file("repo")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"])
    }

    /// Writes `files` (path -> content) and commits them; returns the commit's SHA.
    @discardableResult
    public func commit(
        _ files: [String: String], message: String, author: String = "Ada Dev", email: String = "ada@example.gov",
        date: String = "2026-01-15T10:00:00Z"
    ) throws -> String {
        for (name, content) in files { try write(name, content) }
        try git(["add", "-A"])
        try git(
            ["commit", "-q", "-m", message],
            environment: [
                "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date,
                "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": date,
            ])
        return try git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes a file in the work tree without committing it.
    public func write(_ name: String, _ content: String) throws {
        let target = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: target, atomically: true, encoding: .utf8)
    }

    @discardableResult
    public func git(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let (status, text) = try output(
            of: "/usr/bin/git", ["-C", path, "-c", "user.name=Test", "-c", "user.email=test@example.gov"] + arguments,
            environment: environment)
        guard status == 0 else {
            throw NSError(domain: "git", code: Int(status), userInfo: [NSLocalizedDescriptionKey: "git \(arguments)"])
        }
        return text
    }
}
