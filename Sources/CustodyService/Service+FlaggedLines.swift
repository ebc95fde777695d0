import CustodyCore
import CustodyOwnership
import CustodyStore
import Foundation

/// The lines a finding flags, read from git at the commit its latest scan saw, with a few lines
/// around them.
public struct FlaggedLines: Sendable, Equatable {
    public var commit: String
    public var path: String
    /// The number of the first line in `lines`.
    public var firstLine: Int
    public var lines: [String]
    /// The flagged line's number.
    public var flagged: Int
}

extension CustodyService {
    /// The finding's flagged lines as its latest scan saw them: read from the registered
    /// repository's clone (`custody repos add`) at the scanned commit. Nil when the finding has
    /// no path or line, its repository is not registered, the scan named no commit, or git has
    /// no such file there. Under the same rule as the finding itself.
    public func flaggedLines(_ id: Int64, around context: Int = 3, by principal: Principal) throws(ServiceError)
        -> FlaggedLines?
    {
        let row = try finding(id, by: principal).finding
        guard let name = row.repository, let path = row.path, !path.hasPrefix("-"), !path.contains(":") else {
            return nil
        }
        let store = try store()
        guard let repository = try perform({ try store.repository(named: name) }),
            let sighting = try perform({ try store.latestSighting(findingID: id) }),
            let commit = sighting.commit, let line = sighting.line ?? row.line, line > 0,
            commit.utf8.count <= 64, commit.allSatisfy(\.isHexDigit)
        else { return nil }
        // The report's path and commit are passed to git as arguments, never through a shell.
        guard let text = try? Git(directory: repository.path).run(["show", "\(commit):\(path)"]),
            text.utf8.count <= 4 << 20
        else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line <= lines.count else { return nil }
        let first = max(1, line - context)
        let last = min(lines.count, line + context)
        return FlaggedLines(
            commit: commit, path: path, firstLine: first,
            lines: lines[(first - 1)..<last].map { String($0.prefix(400)) }, flagged: line)
    }
}
