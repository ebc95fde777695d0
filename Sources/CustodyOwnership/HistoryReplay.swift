import CustodyCore
import Foundation
import Synchronization

/// Blames many files at once by replaying history a single time: `git log` lists every change
/// of every commit (oldest first, renames detected), `git cat-file --batch` hands over the
/// versions of the files that matter, and each version's lines inherit their origins from the
/// version before through a line diff. `git blame` walks the whole history once per file; this
/// walks it once per ingest.
///
/// It follows `git blame -M`: unchanged lines keep their origin, renamed files keep their
/// lines' origins, lines moved within a file keep theirs when the moved block carries at least
/// 20 letters and digits (git's threshold), and at a merge a line the first parent does not
/// have is looked for in the other parents before it is blamed on the merge itself.
final class HistoryReplay {
    /// One change of one commit against one of its parents (`git log --raw`).
    struct Change {
        var status: UInt8  // A, M, D, R, C, T
        var oldPath: String
        var newPath: String
        var newBlob: String
    }

    /// A commit with its changes against its first parent.
    struct Commit {
        var sha: String
        var parents: [Int]
        var facts: CommitFacts
        var changes: [Change] = []
    }

    struct Origin {
        var commit: Int32
        var line: Int32
        var path: Int32
    }

    /// A version of a file: its lines (by hash), their weights (letters and digits) and origins.
    struct FileState {
        var lines: [UInt64]
        var weights: [UInt16]
        var origins: [Origin]
    }

    let git: Git
    let tip: String
    private(set) var commits: [Commit] = []
    private var paths: [String] = []
    private var pathIndex: [String: Int32] = [:]

    /// Reads the history of `tip` (a resolved commit) once; `replay(paths:)` then blames files.
    init(git: Git, tip: String) throws {
        self.git = git
        self.tip = tip
        let log = try git.runBytes([
            "log", "--topo-order", "--reverse", "--diff-merges=first-parent", "--raw", "-M", "--no-abbrev", "-z",
            "--format=@%H %P%x09%an%x09%ae%x09%at", tip, "--",
        ])
        try parse(log)
    }

    private func parse(_ bytes: [UInt8]) throws {
        var index: [String: Int] = [:]
        // With -z, a record is a header line, then raw entries whose fields are NUL-separated:
        // ":modes... blobs... STATUS\0path\0[newpath\0]".
        var position = 0
        func field() -> String {
            let start = position
            while position < bytes.count && bytes[position] != 0 { position += 1 }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            position += 1
            return text
        }
        var current = -1
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "\n") || bytes[position] == 0 {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "@") {
                var end = position
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") && bytes[end] != 0 { end += 1 }
                let line = String(decoding: bytes[(position + 1)..<end], as: UTF8.self)
                position = end + 1
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
                let shas = parts[0].split(separator: " ").map(String.init)
                guard parts.count == 4, let sha = shas.first else { throw Git.Failure(message: "unreadable git log") }
                let facts = CommitFacts(
                    author: String(parts[1]), email: String(parts[2]), authorTime: Int64(parts[3]) ?? 0)
                let parents = shas.dropFirst().compactMap { index[$0] }
                commits.append(Commit(sha: sha, parents: parents, facts: facts))
                current = commits.count - 1
                index[sha] = current
                continue
            }
            guard bytes[position] == UInt8(ascii: ":"), current >= 0 else {
                throw Git.Failure(message: "unreadable git log at byte \(position)")
            }
            let meta = field().split(separator: " ")
            guard meta.count == 5, let status = meta[4].utf8.first else {
                throw Git.Failure(message: "unreadable git log entry")
            }
            let first = field()
            let second = status == UInt8(ascii: "R") || status == UInt8(ascii: "C") ? field() : first
            let change = Change(status: status, oldPath: first, newPath: second, newBlob: String(meta[3]))
            commits[current].changes.append(change)
        }
    }

    private func pathNumber(_ path: String) -> Int32 {
        if let known = pathIndex[path] { return known }
        paths.append(path)
        pathIndex[path] = Int32(paths.count - 1)
        return Int32(paths.count - 1)
    }

    /// Blames `wanted` (paths at the tip) as `git blame -M` would: every line's commit, path and
    /// line in that commit. Paths the tip does not have are left out.
    func replay(paths wanted: Set<String>) throws -> (lines: [String: [BlameLine]], commits: [String: CommitFacts]) {
        // The names a wanted file had before its renames: walk the changes newest first.
        var tracked = wanted
        for commit in commits.reversed() {
            for change in commit.changes
            where (change.status == UInt8(ascii: "R") || change.status == UInt8(ascii: "C"))
                && tracked.contains(change.newPath)
            {
                tracked.insert(change.oldPath)
            }
        }
        var blobs: Set<String> = []
        for commit in commits {
            for change in commit.changes where change.status != UInt8(ascii: "D") && tracked.contains(change.newPath) {
                blobs.insert(change.newBlob)
            }
        }
        let contents = try read(blobs: Array(blobs))

        var children = [Int](repeating: 0, count: commits.count)
        for commit in commits { for parent in commit.parents { children[parent] += 1 } }
        var snapshots: [Int: [String: FileState]] = [:]
        var state: [String: FileState] = [:]
        for (number, commit) in commits.enumerated() {
            let parentStates = commit.parents.map { snapshots[$0] ?? [:] }
            state = parentStates.first ?? [:]
            for change in commit.changes {
                if change.status == UInt8(ascii: "D") || change.status == UInt8(ascii: "R") {
                    state[change.oldPath] = nil
                }
                guard change.status != UInt8(ascii: "D"), tracked.contains(change.newPath),
                    let content = contents[change.newBlob]
                else { continue }
                let pathNumber = pathNumber(change.newPath)
                var origins = [Origin?](repeating: nil, count: content.lines.count)
                let firstBase =
                    change.status == UInt8(ascii: "A") ? nil : parentStates.first?[change.oldPath]
                if let base = firstBase { inherit(&origins, content, from: base) }
                // At a merge, what the first parent lacks may come from another parent (under the
                // new name, or the old one when the rename happened on the first parent's side).
                for other in parentStates.dropFirst() where origins.contains(where: { $0 == nil }) {
                    if let base = other[change.newPath] ?? other[change.oldPath] {
                        inherit(&origins, content, from: base)
                    }
                }
                state[change.newPath] = FileState(
                    lines: content.lines, weights: content.weights,
                    origins: origins.enumerated().map { line, origin in
                        origin ?? Origin(commit: Int32(number), line: Int32(line + 1), path: pathNumber)
                    })
            }
            for parent in commit.parents {
                children[parent] -= 1
                if children[parent] == 0 { snapshots[parent] = nil }
            }
            if children[number] > 0 { snapshots[number] = state }
        }
        var result: [String: [BlameLine]] = [:]
        var facts: [String: CommitFacts] = [:]
        for path in wanted {
            guard let file = state[path] else { continue }
            result[path] = file.origins.map { origin in
                let commit = commits[Int(origin.commit)]
                facts[commit.sha] = commit.facts
                return BlameLine(
                    commit: commit.sha, originalPath: paths[Int(origin.path)], originalLine: Int(origin.line))
            }
        }
        return (result, facts)
    }

    /// Lines of `content` the diff against `base` leaves unchanged take `base`'s origins; then
    /// blocks moved within the file (at least 20 letters and digits) take theirs.
    private func inherit(
        _ origins: inout [Origin?], _ content: (lines: [UInt64], weights: [UInt16]), from base: FileState
    ) {
        var usedOld = [Bool](repeating: false, count: base.lines.count)
        for (old, new) in LineDiff.matches(base.lines, content.lines) where origins[new] == nil {
            origins[new] = base.origins[old]
            usedOld[old] = true
        }
        var candidates: [UInt64: [Int]] = [:]
        for (old, hash) in base.lines.enumerated() where !usedOld[old] { candidates[hash, default: []].append(old) }
        guard !candidates.isEmpty else { return }
        var new = 0
        while new < content.lines.count {
            guard origins[new] == nil, let starts = candidates[content.lines[new]] else {
                new += 1
                continue
            }
            var best = (start: -1, length: 0, weight: 0)
            for start in starts where !usedOld[start] {
                var length = 0
                var weight = 0
                while new + length < content.lines.count, start + length < base.lines.count,
                    origins[new + length] == nil, !usedOld[start + length],
                    base.lines[start + length] == content.lines[new + length]
                {
                    weight += Int(content.weights[new + length])
                    length += 1
                }
                if weight > best.weight { best = (start, length, weight) }
            }
            guard best.weight >= 20 else {
                new += 1
                continue
            }
            for offset in 0..<best.length {
                origins[new + offset] = base.origins[best.start + offset]
                usedOld[best.start + offset] = true
            }
            new += best.length
        }
    }

    /// Reads blobs through `git cat-file --batch`, each as line hashes and weights: in parts of
    /// a few dozen blobs (the text of all versions is never in memory at once), the parts read
    /// and hashed on every core at once.
    private func read(blobs: [String]) throws -> [String: (lines: [UInt64], weights: [UInt16])] {
        guard !blobs.isEmpty else { return [:] }
        let parts = stride(from: 0, to: blobs.count, by: 48).map { Array(blobs[$0..<min($0 + 48, blobs.count)]) }
        let results = Mutex([[String: (lines: [UInt64], weights: [UInt16])]?](repeating: nil, count: parts.count))
        let failure = Mutex<(any Error)?>(nil)
        let git = self.git
        DispatchQueue.concurrentPerform(iterations: parts.count) { number in
            do {
                let bytes = try git.runBytes(
                    ["cat-file", "--batch"], input: Array(parts[number].joined(separator: "\n").utf8) + [10])
                let part = bytes.withUnsafeBufferPointer { Self.blobs(in: $0) }
                results.withLock { $0[number] = part }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        var out: [String: (lines: [UInt64], weights: [UInt16])] = [:]
        for part in results.withLock({ $0 }) { out.merge(part ?? [:]) { first, _ in first } }
        return out
    }

    /// The blobs of one `git cat-file --batch` output, by id.
    private static func blobs(in bytes: UnsafeBufferPointer<UInt8>) -> [String: (lines: [UInt64], weights: [UInt16])] {
        var out: [String: (lines: [UInt64], weights: [UInt16])] = [:]
        var position = 0
        while position < bytes.count {
            var end = position
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let header = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
                .split(separator: " ")
            position = end + 1
            guard header.count == 3, let size = Int(header[2]) else { continue }  // "missing"
            let body = UnsafeBufferPointer(rebasing: bytes[position..<min(position + size, bytes.count)])
            position += size + 1
            out[String(header[0])] = lines(body)
        }
        return out
    }

    /// Line hashes (FNV-1a, 64 bits) and weights (letters and digits) of a file's text.
    static func lines(_ body: UnsafeBufferPointer<UInt8>) -> (lines: [UInt64], weights: [UInt16]) {
        var lines: [UInt64] = []
        var weights: [UInt16] = []
        lines.reserveCapacity(body.count / 32)
        weights.reserveCapacity(body.count / 32)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var weight: UInt16 = 0
        var pending = false
        for byte in body {
            if byte == UInt8(ascii: "\n") {
                lines.append(hash)
                weights.append(weight)
                hash = 0xcbf2_9ce4_8422_2325
                weight = 0
                pending = false
                continue
            }
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            let folded = byte | 0x20
            if (byte &- 0x30) < 10 || (folded &- 0x61) < 26 { weight &+= 1 }
            pending = true
        }
        if pending {
            lines.append(hash)
            weights.append(weight)
        }
        return (lines, weights)
    }
}

/// The longest common subsequence of two line sequences (Myers' O(ND) algorithm, after the
/// common prefix and suffix are taken off): the pairs of (old, new) line indexes that match.
enum LineDiff {
    static func matches(_ old: [UInt64], _ new: [UInt64]) -> [(Int, Int)] {
        var prefix = 0
        while prefix < old.count && prefix < new.count && old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix && suffix < new.count - prefix
            && old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        var pairs = (0..<prefix).map { ($0, $0) }
        let a = old[prefix..<(old.count - suffix)]
        let b = new[prefix..<(new.count - suffix)]
        if !a.isEmpty && !b.isEmpty { pairs += myers(Array(a), Array(b)).map { ($0.0 + prefix, $0.1 + prefix) } }
        pairs += (0..<suffix).map { (old.count - suffix + $0, new.count - suffix + $0) }
        return pairs
    }

    private static func myers(_ a: [UInt64], _ b: [UInt64]) -> [(Int, Int)] {
        let n = a.count
        let m = b.count
        let maximum = n + m
        // Beyond this many edits, the files have little in common: match nothing (the lines are new).
        let limit = min(maximum, 2000)
        let offset = maximum + 1
        var v = [Int](repeating: 0, count: 2 * maximum + 3)
        // Before step d, only diagonals -d...d matter: keep that slice (O(D^2) memory, not O(D(N+M))).
        var trace: [[Int]] = []
        var found = false
        for d in 0...limit {
            trace.append(Array(v[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x =
                    (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                    ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n && y >= m {
                    found = true
                    break
                }
            }
            if found { break }
        }
        guard found else { return [] }
        // Walk the trace back from (n, m), collecting the diagonal moves.
        var pairs: [(Int, Int)] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let slice = trace[d]
            func at(_ k: Int) -> Int { slice[k + d + 1] }
            let k = x - y
            let previousK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : at(previousK)
            let previousY = d == 0 ? 0 : previousX - previousK
            while x > previousX && y > previousY {
                x -= 1
                y -= 1
                pairs.append((x, y))
            }
            if d > 0 {
                x = previousX
                y = previousY
            }
        }
        return pairs.reversed()
    }
}
