import CustodyCore
import CustodyOwnership
import Foundation

/// Makes report locations repository-relative, the way CODEOWNERS, git and the fingerprint
/// need them. Readers normalise a path (`file:///home/ci/src/app/x.py` becomes
/// `home/ci/src/app/x.py`); this strips what is above the repository:
///
/// 1. a checkout root the ingest knows (`--repo DIR`, `--source-root DIR`, as absolute paths);
/// 2. failing that, with the scanned commit's tree: the leading directories of a path that is
///    not in the tree when the rest is (an absolute path from another machine), or the
///    directory a path is under in the tree when the report was written relative to it (a
///    scan of a subfolder). Each such prefix is learned once and applied to the paths after it.
///
/// It counts what it did, for the ingest's summary, and the paths that match nothing.
struct PathRebaser {
    /// Absolute roots, normalised (no leading `/`), longest first.
    private let roots: [String]
    /// The scanned commit's files, and the same by file name, when a checkout was given.
    private let tree: Set<String>?
    private var byName: [Substring: [String]] = [:]
    /// Prefixes learned from earlier paths: to strip (`home/ci/src/`) or to add (`services/api/`).
    private var stripped: [String] = []
    private var added: [String] = []
    /// Each path's answer, and how it was reached (nil: unchanged; "": matched nothing).
    private var cache: [String: (path: String, how: String?)] = [:]
    private(set) var rebased: [String: Int] = [:]
    private(set) var unmatched = 0
    private(set) var unmatchedExample: String?

    init(roots: [String], tree: Set<String>?) {
        self.roots = Set(roots.map(RepositoryPath.normalize).filter { !$0.isEmpty }).sorted { $0.count > $1.count }
        self.tree = tree
        for path in tree ?? [] {
            byName[Self.name(of: path), default: []].append(path)
        }
    }

    /// The roots of `options` (its checkout and source root, made absolute) and, with a
    /// checkout, the files of the scanned commit (HEAD when none is named).
    init(options: IngestOptions) throws {
        let directory = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String {
            URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory, isDirectory: true))
                .standardizedFileURL.path
        }
        let roots = [options.checkout, options.sourceRoot].compactMap { $0 }.map(absolute)
        var tree: Set<String>?
        if let checkout = options.checkout {
            do {
                let commit = options.commit ?? "HEAD"
                let listing = try Git(directory: checkout).run(["ls-tree", "-r", "--name-only", "-z", commit])
                tree = Set(listing.split(separator: "\0").map(String.init))
            } catch let failure as Git.Failure {
                throw Diagnostic(file: checkout, message: failure.message)
            }
        }
        self.init(roots: roots, tree: tree)
    }

    static func name(of path: String) -> Substring {
        path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? Substring(path)
    }

    /// The repository-relative form of a normalised report path.
    mutating func rebase(_ path: String) -> String {
        let answer = cache[path] ?? compute(path)
        cache[path] = answer
        switch answer.how {
        case nil: break
        case ""?:
            unmatched += 1
            if unmatchedExample == nil { unmatchedExample = path }
        case let how?: rebased[how, default: 0] += 1
        }
        return answer.path
    }

    private mutating func compute(_ path: String) -> (path: String, how: String?) {
        guard !path.isEmpty else { return (path, nil) }
        for root in roots where path.hasPrefix(root + "/") {
            return (String(path.dropFirst(root.count + 1)), "removed '\(root)/'")
        }
        guard let tree else { return (path, nil) }
        if tree.contains(path) { return (path, nil) }
        for prefix in stripped where path.hasPrefix(prefix) {
            let rest = String(path.dropFirst(prefix.count))
            if tree.contains(rest) { return (rest, "removed '\(prefix)'") }
        }
        for prefix in added where tree.contains(prefix + path) {
            return (prefix + path, "added '\(prefix)'")
        }
        // The files of the tree with the same name: one whose path ends the report's (strip the
        // report's extra leading directories) or whose path the report's ends (add a directory).
        let candidates = byName[Self.name(of: path)] ?? []
        if let longest = candidates.filter({ path.hasSuffix("/" + $0) }).max(by: { $0.count < $1.count }) {
            let prefix = String(path.dropLast(longest.count))
            stripped.append(prefix)
            return (longest, "removed '\(prefix)'")
        }
        let containing = candidates.filter { $0.hasSuffix("/" + path) }
        if containing.count == 1, let full = containing.first {
            let prefix = String(full.dropLast(path.count))
            added.append(prefix)
            return (full, "added '\(prefix)'")
        }
        return (path, "")
    }

    /// What the rebasing did and what matched nothing since the last call, as sentences for the
    /// ingest's warnings about `file`.
    mutating func takeSummary(file: String, commit: String?) -> [Diagnostic] {
        defer { (rebased, unmatched, unmatchedExample) = ([:], 0, nil) }
        var out = rebased.sorted { $0.key < $1.key }.map { how, count in
            Diagnostic(
                .warning, file: file,
                message: "paths made repository-relative: \(how) on \(count) location\(count == 1 ? "" : "s")")
        }
        if unmatched > 0, let example = unmatchedExample {
            out.append(
                Diagnostic(
                    .warning, file: file,
                    message:
                        "\(unmatched) location\(unmatched == 1 ? "" : "s") match no file of commit "
                        + "\(commit.map { String($0.prefix(12)) } ?? "HEAD") (e.g. '\(example)'): "
                        + "is the report from this repository and commit?"))
        }
        return out
    }
}
