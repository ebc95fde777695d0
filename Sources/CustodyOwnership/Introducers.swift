import CustodyCore
import Foundation
import Synchronization

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
    /// when many small files hold findings), or with `git blame` per file on several threads
    /// (cheap when few files hold findings, or large files have long histories). `automatic`
    /// times its first few `git blame`s and chooses, once per ingest.
    public enum Strategy: String, Sendable, CaseIterable {
        case automatic = "auto"
        case replay
        case perFile = "per-file"
        /// Only the flagged lines, with one `git blame -L ... -L ...` per file on several threads:
        /// the walk stops where they are attributed (cheap for large files with long histories).
        case lines
    }

    public let git: Git
    public let commit: String
    public var strategy: Strategy = .automatic
    /// What `automatic` chose, on the first batch, for the whole ingest.
    private var chosen: Strategy?
    private let releasePattern: String
    private let teamByHandle: [String: String]
    private let dialect: CodeownersDialect?

    private var blames: [String: [BlameLine]?] = [:]
    /// Lines blamed one by one (``Strategy/lines``), by file and line number.
    private var lineBlames: [String: [Int: BlameLine]] = [:]
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

    /// The earliest release tag containing the scanned commit (nil: no release holds it yet).
    public func scannedRelease() throws -> String? { try releaseIndex()[commit] }

    /// Blames the flagged lines of `locations` not blamed yet: all their files at once by
    /// replaying history a single time (``HistoryReplay``, the history read once per ingest), or
    /// with `git blame` per file on `workers` threads at once (only the flagged lines, or whole
    /// files with ``Strategy/perFile``). A line left out (a failed blame) is blamed on demand.
    public func prefetch(locations: [(path: String, line: Int?)], workers: Int = 4) {
        lock.lock()
        var wanted: [String: [Int]] = [:]
        for (path, line) in locations where blames[path] == nil {
            guard let line else {
                if wanted[path] == nil { wanted[path] = [] }  // no line: the whole file
                continue
            }
            if lineBlames[path]?[line] == nil { wanted[path, default: []].append(line) }
        }
        lock.unlock()
        var missing = wanted.keys.sorted()
        guard !missing.isEmpty else { return }
        if strategy == .automatic, chosen == nil {
            // Blame a few files spread over the list by their lines, each timed, and compare the
            // rest at their pace (`workers` at a time, as they ran) with what the replay of this
            // history is expected to cost. The slowest of the sample is left out of the pace: one
            // huge generated file must not decide for a hundred ordinary ones (localstack's 1 MB
            // EC2 API module), while the mean of the rest still sees that lines introduced long
            // ago make the walks long (a median did not, on the generated history).
            let size = min(2 * workers, missing.count)
            let sample = (0..<size).map { missing[$0 * missing.count / size] }
            let seconds = blame(sample, lines: wanted, workers: workers).sorted().dropLast(size > 2 ? 1 : 0)
            missing.removeAll { sample.contains($0) }
            let pace = seconds.isEmpty ? 0 : seconds.reduce(0, +) / Double(seconds.count)
            let commits =
                (try? git.run(["rev-list", "--count", commit]))
                .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            let linesEstimate = pace * Double(missing.count) / Double(workers)
            chosen = linesEstimate > replayEstimate(commits: commits) ? .replay : .lines
            guard !missing.isEmpty else { return }
        }
        let strategy = chosen ?? strategy
        if strategy == .replay, let replayed = try? replayBlame(missing) {
            lock.lock()
            for path in missing { blames[path] = .some(replayed.lines[path]) }
            for (sha, facts) in replayed.commits where commits[sha] == nil { commits[sha] = facts }
            lock.unlock()
            return
        }
        blame(missing, lines: strategy == .perFile ? nil : wanted, workers: workers)
    }

    /// What the replay of `commits` commits is expected to cost, in seconds: reading the log
    /// (0.14 ms a commit) and the versions of the files, which grow with how much each commit
    /// stores (the repository's packed size per commit, from `git count-objects`). Fitted on the
    /// four histories measured (docs/benchmarks.md): 0.14 ms a commit on a generated history of
    /// small files (1.0 KiB packed a commit), 0.38 ms on flask (6.4 KiB), 0.75 ms on localstack
    /// (13 KiB); botocore's data files make it over-estimate there (1.9 ms against 0.45 ms),
    /// where `git blame` wins by far anyway. `automatic` weighs it against the pace of its first
    /// `git blame`s.
    func replayEstimate(commits: Int) -> Double {
        let counts = (try? git.run(["count-objects", "-v"])) ?? ""
        var kibibytes = 0.0
        for line in counts.split(separator: "\n") {
            let parts = line.split(separator: ":")
            guard parts.count == 2, parts[0] == "size" || parts[0] == "size-pack" else { continue }
            kibibytes += Double(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        let perCommit = 0.000_14 + 0.000_047 * kibibytes / Double(max(commits, 1))
        return Double(commits) * perCommit
    }

    /// Blames `paths` with `git blame` on `workers` threads: the `lines` of each (one walk per
    /// file, stopping where they are attributed), or whole files when `lines` is nil. Returns
    /// the seconds each took.
    @discardableResult
    private func blame(_ paths: [String], lines: [String: [Int]]?, workers: Int) -> [Double] {
        let durations = Mutex<[Double]>([])
        let results = Mutex<[String: ([(final: Int, line: BlameLine)], [String: CommitFacts])?]>([:])
        let next = Mutex(0)
        let git = self.git
        let commit = self.commit
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, paths.count))) { _ in
            while true {
                let mine = next.withLock { index in
                    defer { index += 1 }
                    return index
                }
                guard mine < paths.count else { return }
                let path = paths[mine]
                var facts: [String: CommitFacts] = [:]
                let start = DispatchTime.now().uptimeNanoseconds
                let blamed = try? Self.blame(git: git, commit: commit, path: path, only: lines?[path], commits: &facts)
                durations.withLock { $0.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
                results.withLock { $0[path] = blamed.map { ($0, facts) } }
            }
        }
        lock.lock()
        for (path, result) in results.withLock({ $0 }) {
            if lines != nil {
                for (final, line) in result?.0 ?? [] { lineBlames[path, default: [:]][final] = line }
            } else {
                blames[path] = .some(result?.0.map(\.line))
            }
            for (sha, facts) in result?.1 ?? [:] where commits[sha] == nil { commits[sha] = facts }
        }
        lock.unlock()
        return durations.withLock { $0 }
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
        if let blamed = lineBlames[path]?[line] {
            return introducer(of: blamed, path: path)
        }
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
        return introducer(of: lines[line - 1], path: path)
    }

    /// The introducer a blamed line names (the lock held).
    private func introducer(of blamed: BlameLine, path: String) -> Result<Introducer, Unknown> {
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
        try blame(git: git, commit: commit, path: path, only: nil, commits: &commits).map(\.line)
    }

    /// Blames `only` those lines of the file (1-based; every line when nil) in one walk of its
    /// history, which stops where they are all attributed: each with its line number at `commit`.
    private static func blame(
        git: Git, commit: String, path: String, only wanted: [Int]?, commits: inout [String: CommitFacts]
    ) throws -> [(final: Int, line: BlameLine)] {
        let ranges = (wanted.map { Set($0).sorted() } ?? []).flatMap { ["-L", "\($0),\($0)"] }
        let output = try git.run(["blame", "--line-porcelain", "-M"] + ranges + [commit, "--", path])
        var lines: [(final: Int, line: BlameLine)] = []
        var final = 0
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
                    lines.append((final, line))
                }
                current = nil
                continue
            }
            if current == nil {
                let fields = raw.split(separator: " ")
                if fields.count >= 3, fields[0].count == 40, let original = Int(fields[1]), let number = Int(fields[2])
                {
                    current = BlameLine(commit: String(fields[0]), originalPath: "", originalLine: original)
                    final = number
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

    /// Commit -> the earliest release tag containing it. The tags' history is read once (`git
    /// rev-list --parents`); then, for the tags in date order, a walk from each tag's commit marks
    /// what no earlier tag marked and stops at what one did (its ancestors are marked too), so
    /// every commit is visited once however many tags there are.
    private func releaseIndex() throws -> [String: String] {
        if let releases { return releases }
        let tags = try git.run([
            "for-each-ref", "--sort=creatordate", "--format=%(refname:short) %(objectname) %(*objectname)",
            "refs/tags/\(releasePattern)",
        ]).split(separator: "\n").compactMap { line -> (tag: String, commit: String)? in
            let fields = line.split(separator: " ")
            guard fields.count >= 2 else { return nil }
            return (String(fields[0]), String(fields.count >= 3 ? fields[2] : fields[1]))  // peeled when annotated
        }
        var index: [String: String] = [:]
        guard !tags.isEmpty else {
            releases = index
            return index
        }
        var parents: [String: [Substring]] = [:]
        let graph = String(
            decoding: try git.runBytes(
                ["rev-list", "--parents", "--stdin"],
                input: Array(Set(tags.map(\.commit)).joined(separator: "\n").utf8) + [10]), as: UTF8.self)
        for line in graph.split(separator: "\n") {
            let shas = line.split(separator: " ")
            if let sha = shas.first { parents[String(sha)] = Array(shas.dropFirst()) }
        }
        for (tag, commit) in tags where parents[commit] != nil && index[commit] == nil {
            var stack = [commit]
            index[commit] = tag
            while let sha = stack.popLast() {
                for parent in parents[sha] ?? [] where index[String(parent)] == nil {
                    index[String(parent)] = tag
                    stack.append(String(parent))
                }
            }
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
            let oldestFirst = Array(changes.reversed())
            let files = try git.codeowners(at: oldestFirst.map(\.0), dialect: dialect)
            codeownersVersions = zip(oldestFirst, files).map { change, file in (change.1, file?.rules) }
        }
        guard let version = codeownersVersions?.last(where: { $0.time <= time }), let rules = version.rules else {
            return nil
        }
        return rules.match(path)?.owners.lazy.compactMap { self.teamByHandle[$0.handle.lowercased()] }.first
    }
}
