import CustodyTestSupport
import Foundation
import Testing

@testable import CustodyOwnership

/// The one-pass replay must say what `git blame -M` says, line for line, on real repositories.
struct HistoryReplayTests {
    /// A small deterministic generator (tests must not depend on the system's randomness).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    func blame(_ repo: GitFixture, _ path: String) throws -> [String] {
        let output = try repo.git(["blame", "--line-porcelain", "-M", "HEAD", "--", path])
        var lines: [String] = []
        var header = ""
        var filename = ""
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("\t") {
                lines.append(header + " " + filename)
            } else if line.hasPrefix("filename ") {
                filename = String(line.dropFirst(9))
            } else if let first = line.split(separator: " ").first, first.count == 40,
                line.split(separator: " ").count >= 3
            {
                let fields = line.split(separator: " ")
                header = "\(fields[0]) \(fields[1])"
            }
        }
        return lines
    }

    func replayed(_ repo: GitFixture, _ paths: [String]) throws -> [String: [String]] {
        let git = Git(directory: repo.path)
        let replay = try HistoryReplay(git: git, tip: try git.resolve("HEAD"))
        let (lines, _) = try replay.replay(paths: Set(paths))
        return lines.mapValues { $0.map { "\($0.commit) \($0.originalLine) \($0.originalPath)" } }
    }

    @Test(arguments: [42, 7, 2026, 99, 123_456] as [UInt64])
    func agreesWithGitBlameOnAGeneratedHistoryWithRenamesMovesAndMerges(seed: UInt64) throws {
        let repo = try GitFixture()
        var random = Generator(state: seed)
        let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "lambda", "sigma"]
        func line() -> String {
            "value_\(words[random.next(words.count)]) = compute(\(random.next(1000)), \"\(words[random.next(words.count)])\")"
        }
        var files: [String: [String]] = [:]
        for index in 0..<4 { files["src/file\(index).py"] = (0..<12).map { _ in line() } }
        var day = 1
        func commit(_ message: String) throws {
            try repo.commit(
                files.mapValues { $0.joined(separator: "\n") + "\n" }, message: message,
                author: "Dev \(day % 3)", email: "dev\(day % 3)@example.gov",
                date: String(format: "2026-01-%02dT12:00:00Z", min(day, 28)))
            day += 1
        }
        func edit() {
            let path = files.keys.sorted()[random.next(files.count)]
            let before = files[path]!
            var lines = before
            switch random.next(4) {
            case 0: lines.insert(line(), at: random.next(lines.count + 1))
            case 1 where lines.count > 3: lines.remove(at: random.next(lines.count))
            case 2: lines[random.next(lines.count)] = line()
            default:  // move a block of three lines elsewhere in the file
                if lines.count > 8 {
                    let start = random.next(lines.count - 3)
                    let block = Array(lines[start..<start + 3])
                    lines.removeSubrange(start..<start + 3)
                    lines.insert(contentsOf: block, at: random.next(lines.count + 1))
                }
            }
            files[path] = lines
            if lines == before { edit() }  // nothing changed: edit again, so each commit has a change
        }
        try commit("start")
        for _ in 0..<12 {
            edit()
            try commit("edit")
        }
        // A rename on a branch while main goes on; then a merge.
        try repo.git(["checkout", "-q", "-b", "feature"])
        try repo.git(["mv", "src/file1.py", "src/renamed.py"])
        files["src/renamed.py"] = files.removeValue(forKey: "src/file1.py")
        try commit("rename")
        files["src/renamed.py"]!.insert(line(), at: 2)
        try commit("feature edit")
        try repo.git(["checkout", "-q", "main"])
        var mainFiles = files
        mainFiles["src/file1.py"] = mainFiles.removeValue(forKey: "src/renamed.py")
        files = mainFiles
        files["src/file0.py"]!.insert(line(), at: 0)
        try repo.commit(
            ["src/file0.py": files["src/file0.py"]!.joined(separator: "\n") + "\n"], message: "main edit",
            author: "Main", email: "main@example.gov", date: "2026-02-01T12:00:00Z")
        try repo.git(
            ["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
            environment: ["GIT_AUTHOR_DATE": "2026-02-02T12:00:00Z", "GIT_COMMITTER_DATE": "2026-02-02T12:00:00Z"])
        let merged = try repo.git(["ls-files"]).split(separator: "\n").map(String.init).filter { $0.hasPrefix("src/") }
        files = [:]
        for path in merged {
            files[path] = try String(contentsOfFile: repo.path + "/" + path, encoding: .utf8)
                .split(separator: "\n").map(String.init)
        }
        for _ in 0..<10 {
            edit()
            try commit("after merge")
        }

        let paths = files.keys.sorted()
        #expect(paths.contains("src/renamed.py"))
        let replay = try replayed(repo, paths)
        for path in paths {
            #expect(replay[path] == (try blame(repo, path)), "\(path)")
        }
    }
}
