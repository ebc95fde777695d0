import CustodyCore
import Foundation

/// One line of `git blame --line-porcelain`.
struct BlameLine: Sendable {
    var commit: String
    var originalPath: String
    var originalLine: Int
}

/// What a commit says about itself, from blame's headers.
struct CommitFacts: Sendable {
    var author: String
    var email: String
    var authorTime: Int64
}

/// Attributes findings to the commits that introduced them, reading `git` output once per file
/// and scanned commit, and once per release tag and CODEOWNERS version.
public final class IntroducerAttributor: @unchecked Sendable {
    /// How files are blamed: by replaying the scanned commit's whole history once (cheap per file
    /// when many files hold findings), or with `git blame` per file on several threads (cheap
    /// when few files hold findings in a long history). `automatic` chooses per batch.
    public enum Strategy: String, Sendable, CaseIterable {
        case automatic = "auto"
        case replay
        case perFile = "per-file"
    }

    public let git: Git
    public let commit: String
    public var strategy: Strategy = .automatic
    /// The commits the history replay would read (counted once, for `automatic`).
    private var historyLength: Int?
    private let releasePattern: String
    private let teamByHandle: [String: String]
    private let dialect: CodeownersDialect?

    private var blames: [String: [BlameLine]?] = [:]
    private var commits: [String: CommitFacts] = [:]
    private var releases: [String: String]?
    private var codeownersVersions: [(time: Int64, rules: (any CodeownersMatching)?)]?
    /// The history, read once, for blaming many files in one pass.
    private var replay: HistoryReplay?
    /// Per manifest: the commits that changed it (newest first) with the versions each pinned.
    private var manifests: [String: [ManifestVersion]] = [:]
    private let lock = NSLock()

    /// Why a finding has no introducer (when it has none).
    public enum Unknown: Error, Sendable, Equatable {
        case noLocation
        case notInCommit(String)
        case lineOutOfRange(Int)
        case git(String)
        case notPinned(package: String, manifest: String)
        case otherVersion(package: String, manifest: String, pinned: String, reported: String)

        public var reason: String {
            switch self {
            case .notPinned(let package, let manifest): "\(manifest) at the scanned commit does not pin \(package)"
            case .otherVersion(let package, let manifest, let pinned, let reported):
                "\(manifest) at the scanned commit pins \(package) \(pinned), not the reported \(reported)"
            case .noLocation: "the finding has no file and line"
            case .notInCommit(let path): "\(path) is not in the scanned commit"
            case .lineOutOfRange(let line): "line \(line) is past the end of the file at the scanned commit"
            case .git(let message): message
            }
        }
    }

    /// `commit` is resolved first; a commit that is not in the repository is an error.
    public init(
        checkout: String, commit: String, releasePattern: String = "v*", organisation: Organisation,
        dialect: CodeownersDialect? = nil
    ) throws {
        git = Git(directory: checkout)
        self.commit = try git.resolve(commit)
        // Blame walks history once per file; git's commit-graph with changed-path Bloom filters
        // lets it skip commits that did not touch the file (measured: 112 ms -> 18 ms a file on a
        // 10,000-commit history). It is a cache git maintains itself (`git maintenance` writes
        // it); when it cannot be written (a read-only checkout), blame is only slower.
        _ = try? git.run(["commit-graph", "write", "--reachable", "--changed-paths"])
        self.releasePattern = releasePattern
        self.dialect = dialect
        var map: [String: String] = [:]
        for team in organisation.teams {
            for handle in team.handles { map[handle.lowercased()] = team.id }
        }
        teamByHandle = map
    }

    /// Blames the files of `paths` not blamed yet: all at once by replaying history a single
    /// time (``HistoryReplay``, the history read once per ingest), or, should that fail, with
    /// `git blame` per file on `workers` threads at once.
    public func prefetch(paths: [String], workers: Int = 4) {
        lock.lock()
        let missing = Array(Set(paths.filter { blames[$0] == nil }))
        lock.unlock()
        guard !missing.isEmpty else { return }
        if usesReplay(files: missing.count), let replayed = try? replayBlame(missing) {
            lock.lock()
            for path in missing { blames[path] = .some(replayed.lines[path]) }
            for (sha, facts) in replayed.commits where commits[sha] == nil { commits[sha] = facts }
            lock.unlock()
            return
        }
        final class Results: @unchecked Sendable {
            var lines: [String: ([BlameLine], [String: CommitFacts])?] = [:]
            let lock = NSLock()
        }
        let results = Results()
        let next = Results()  // its `lines.count` is unused; the lock guards `index`
        nonisolated(unsafe) var index = 0
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, missing.count))) { _ in
            while true {
                next.lock.lock()
                let mine = index
                index += 1
                next.lock.unlock()
                guard mine < missing.count else { return }
                let path = missing[mine]
                var facts: [String: CommitFacts] = [:]
                let blamed = try? Self.blame(git: git, commit: commit, path: path, commits: &facts)
                results.lock.lock()
                results.lines[path] = blamed.map { ($0, facts) }
                results.lock.unlock()
            }
        }
        lock.lock()
        for (path, result) in results.lines {
            blames[path] = .some(result?.0)
            for (sha, facts) in result?.1 ?? [:] where commits[sha] == nil { commits[sha] = facts }
        }
        lock.unlock()
    }

    /// Whether to blame `files` files by replay. Measured (bench/introducers-real, bench/introducers):
    /// the replay costs 0.15-0.5 ms per commit of the history (2.8 s for flask's 5,531 commits,
    /// 4.6 s for a generated 30,000), a `git blame` of one file with the commit-graph's Bloom
    /// filters 55-75 ms (four at a time). Break-even measured at 1/440 of the history's length in
    /// files on the generated history and 1/170 on flask; the replay is chosen from 1/200, where
    /// every shape measured gave at least 6x per-finding blame. Once built, the replay serves every
    /// later batch.
    private func usesReplay(files: Int) -> Bool {
        switch strategy {
        case .replay: return true
        case .perFile: return false
        case .automatic:
            if replay != nil { return true }
            if historyLength == nil {
                historyLength = (try? git.run(["rev-list", "--count", commit]))
                    .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
            return files * 200 >= (historyLength ?? 0)
        }
    }

    private func replayBlame(_ paths: [String]) throws -> (lines: [String: [BlameLine]], commits: [String: CommitFacts])
    {
        if replay == nil { replay = try HistoryReplay(git: git, tip: commit) }
        return try replay!.replay(paths: Set(paths))
    }

    /// The introducer of the flagged `line` of `path` (1-based, as scanned).
    public func introducer(path: String?, line: Int?) -> Result<Introducer, Unknown> {
        guard let path, let line, line >= 1 else { return .failure(.noLocation) }
        lock.lock()
        defer { lock.unlock() }
        let lines: [BlameLine]
        if let cached = blames[path] {
            guard let cached else { return .failure(.notInCommit(path)) }
            lines = cached
        } else {
            do {
                var facts: [String: CommitFacts] = [:]
                let blamed = try Self.blame(git: git, commit: commit, path: path, commits: &facts)
                for (sha, fact) in facts where commits[sha] == nil { commits[sha] = fact }
                blames[path] = .some(blamed)
                lines = blamed
            } catch {
                blames[path] = .some(nil)
                return .failure(.notInCommit(path))
            }
        }
        guard line <= lines.count else { return .failure(.lineOutOfRange(line)) }
        let blamed = lines[line - 1]
        let facts = commits[blamed.commit] ?? CommitFacts(author: "", email: "", authorTime: 0)
        do {
            let release = try releaseIndex()[blamed.commit]
            let team = try teamThen(path: blamed.originalPath, time: facts.authorTime)
            return .success(
                Introducer(
                    commit: blamed.commit, author: facts.author, email: facts.email,
                    authoredAt: Timestamp.string(Date(timeIntervalSince1970: TimeInterval(facts.authorTime))),
                    release: release, team: team, pathThen: blamed.originalPath, lineThen: blamed.originalLine))
        } catch {
            return .failure(.git("\(error)"))
        }
    }

    /// A version of a manifest: the commit that wrote it and what it pinned.
    struct ManifestVersion {
        var commit: String
        var facts: CommitFacts
        var pins: [String: DependencyManifest.Pin]
    }

    /// The introducer of a dependency finding: the commit that made `manifest` pin `package` at
    /// `version`, i.e. the oldest of the unbroken run of the manifest's versions, back from the
    /// scanned commit, that pin that version. Each manifest's history is read once per ingest.
    public func introducer(manifest path: String, package: String, version: String) -> Result<Introducer, Unknown> {
        guard let kind = DependencyManifest(path: path) else { return .failure(.noLocation) }
        lock.lock()
        defer { lock.unlock() }
        let history: [ManifestVersion]
        if let cached = manifests[path] {
            history = cached
        } else {
            do {
                history = try manifestHistory(path: path, kind: kind)
            } catch {
                return .failure(.git("\(error)"))
            }
            manifests[path] = history
        }
        let name = kind.canonicalName(package)
        guard let current = history.first else { return .failure(.notInCommit(path)) }
        guard let pinned = current.pins[name] else { return .failure(.notPinned(package: name, manifest: path)) }
        guard DependencyIdentity.sameVersion(pinned.version, version) else {
            return .failure(.otherVersion(package: name, manifest: path, pinned: pinned.version, reported: version))
        }
        var introducing = current
        for older in history.dropFirst() {
            guard let pin = older.pins[name], DependencyIdentity.sameVersion(pin.version, version) else { break }
            introducing = older
        }
        do {
            return .success(
                Introducer(
                    commit: introducing.commit, author: introducing.facts.author, email: introducing.facts.email,
                    authoredAt: Timestamp.string(
                        Date(timeIntervalSince1970: TimeInterval(introducing.facts.authorTime))),
                    release: try releaseIndex()[introducing.commit],
                    team: try teamThen(path: path, time: introducing.facts.authorTime), pathThen: path,
                    lineThen: introducing.pins[name]?.line ?? 0))
        } catch {
            return .failure(.git("\(error)"))
        }
    }

    private func manifestHistory(path: String, kind: DependencyManifest) throws -> [ManifestVersion] {
        let log = try git.run(["log", "--format=%H%x09%an%x09%ae%x09%at", commit, "--", path])
        var versions: [ManifestVersion] = []
        for line in log.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 4 else { continue }
            let sha = String(fields[0])
            // The commit may have deleted the file: then it pins nothing.
            let text = (try? git.run(["show", "\(sha):\(path)"])) ?? ""
            if versions.isEmpty && text.isEmpty { break }  // not in the scanned commit
            versions.append(
                ManifestVersion(
                    commit: sha,
                    facts: CommitFacts(
                        author: String(fields[1]), email: String(fields[2]), authorTime: Int64(fields[3]) ?? 0),
                    pins: text.utf8.count <= TextFile.sourceLimit ? kind.pins(in: text) : [:]))
        }
        return versions
    }

    /// Blames the whole file once: every line's commit, original path and line.
    private static func blame(
        git: Git, commit: String, path: String, commits: inout [String: CommitFacts]
    ) throws -> [BlameLine] {
        let output = try git.run(["blame", "--line-porcelain", "-M", commit, "--", path])
        var lines: [BlameLine] = []
        var current: BlameLine?
        var author = ""
        var email = ""
        var time: Int64 = 0
        for raw in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if raw.hasPrefix("\t") {
                if var line = current {
                    if commits[line.commit] == nil {
                        commits[line.commit] = CommitFacts(author: author, email: email, authorTime: time)
                    }
                    if line.originalPath.isEmpty { line.originalPath = path }
                    lines.append(line)
                }
                current = nil
                continue
            }
            if current == nil {
                let fields = raw.split(separator: " ")
                if fields.count >= 3, fields[0].count == 40, let original = Int(fields[1]) {
                    current = BlameLine(commit: String(fields[0]), originalPath: "", originalLine: original)
                }
                continue
            }
            if raw.hasPrefix("author ") {
                author = String(raw.dropFirst(7))
            } else if raw.hasPrefix("author-mail ") {
                email = String(raw.dropFirst(12)).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            } else if raw.hasPrefix("author-time ") {
                time = Int64(raw.dropFirst(12)) ?? 0
            } else if raw.hasPrefix("filename ") {
                current?.originalPath = String(raw.dropFirst(9))
            }
        }
        return lines
    }

    /// Commit -> the earliest release tag containing it: for the tags in date order, the commits
    /// each adds over all earlier ones (one `git rev-list` per tag, not one query per commit).
    private func releaseIndex() throws -> [String: String] {
        if let releases { return releases }
        let tags = try git.run([
            "for-each-ref", "--sort=creatordate", "--format=%(refname:short)", "refs/tags/\(releasePattern)",
        ]).split(separator: "\n").map(String.init)
        var index: [String: String] = [:]
        var earlier: [String] = []
        for tag in tags {
            let added = try git.run(["rev-list", tag + "^{commit}"] + earlier.map { "^" + $0 + "^{commit}" })
            for sha in added.split(separator: "\n") where index[String(sha)] == nil { index[String(sha)] = tag }
            earlier.append(tag)
        }
        releases = index
        return index
    }

    /// The team that owned `path` at `time`: the CODEOWNERS version in force then (the latest
    /// change of a CODEOWNERS location at or before it, along the scanned commit's history).
    private func teamThen(path: String, time: Int64) throws -> String? {
        if codeownersVersions == nil {
            let locations = CodeownersDialect.allCases.flatMap(\.locations)
            let changes = try git.run(["log", "--format=%H %at", commit, "--"] + locations)
                .split(separator: "\n").compactMap { line -> (String, Int64)? in
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let time = Int64(parts[1]) else { return nil }
                    return (String(parts[0]), time)
                }
            var versions: [(time: Int64, rules: (any CodeownersMatching)?)] = []
            for (sha, changeTime) in changes.reversed() {
                versions.append((changeTime, try git.codeowners(at: sha, dialect: dialect)?.rules))
            }
            codeownersVersions = versions
        }
        guard let version = codeownersVersions?.last(where: { $0.time <= time }), let rules = version.rules else {
            return nil
        }
        return rules.match(path)?.owners.lazy.compactMap { self.teamByHandle[$0.handle.lowercased()] }.first
    }
}
