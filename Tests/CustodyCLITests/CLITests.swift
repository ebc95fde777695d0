import CustodyCLI
import CustodyCore
import CustodyJSON
import CustodyService
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

/// Runs `custody` in-process against a real database in a temporary directory.
final class Session {
    let directory = TemporaryDirectory()
    /// The environment commands see.
    var environment = ["USER": "tester"]
    /// The store: a SQLite file here, or a schema of its own on PostgreSQL (``TestDatabase``).
    lazy var database: String = TestDatabase.location(directory.file("custody.db"))

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    @discardableResult
    func run(_ arguments: String..., input: String = "") -> Result {
        run(arguments, input: input)
    }

    func run(_ arguments: [String], input: String = "") -> Result {
        let console = Console(capture: true)
        let status = CLI.run(["--db", database] + arguments, console: console, environment: environment) {
            input
        }
        return Result(status: status, out: console.capturedOut, err: console.capturedErr)
    }

    func write(_ name: String, _ text: String) throws -> String { try directory.write(name, text) }

    func json(_ text: String) throws -> JSONValue { try JSONDocument(bytes: Array(text.utf8)).root }

    /// Teams, CODEOWNERS and a two-result SARIF report.
    func setUp() throws -> (codeowners: String, report: String) {
        let teams = try write(
            "teams.yaml",
            """
            units:
              - id: treasury
                name: Treasury
            teams:
              - id: payments
                name: Payments
                unit: treasury
                lead: bob@example.gov
                handles: ["@example/payments"]
            """)
        #expect(run("teams", "import", teams).status == 0)
        let codeowners = try write("CODEOWNERS", "/services/payments/ @example/payments\n/vendor/\n")
        let report = try write("r.sarif", sarif(["services/payments/a.py", "vendor/lib.js"]))
        return (codeowners, report)
    }

    func sarif(_ paths: [String]) -> String {
        let results = paths.enumerated().map { index, path in
            #"{"ruleId":"R1","level":"error","message":{"text":"bad \#(index)"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"\#(path)"},"region":{"startLine":\#(index + 3),"snippet":{"text":"code(\#(index))"}}}}]}"#
        }
        return
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner","rules":[{"id":"R1","properties":{"tags":["security"]}}]}},"results":[\#(results.joined(separator: ","))]}]}"#
    }
}

struct CLITests {
    @Test func aLongTableStreamsPastItsSampleWithTheSampleWidths() throws {
        let session = Session()
        let (codeowners, _) = try session.setUp()
        let report = try session.write("big.sarif", session.sarif((0..<1_200).map { "services/payments/f\($0).py" }))
        #expect(session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report).status == 0)
        let lines = session.run("findings", "list").out.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 1_200 + 1)
        #expect(lines.last == "1200 findings")
        // Rows after the first thousand keep the columns where the header put them.
        let header = lines[0]
        let teamColumn = try #require(header.range(of: "TEAM")).lowerBound.utf16Offset(in: header)
        for line in [lines[1], lines[1_000], lines[1_100], lines[1_200]] {
            let team = try #require(line.range(of: "payments")).lowerBound.utf16Offset(in: line)
            #expect(team == teamColumn, "\(line)")
        }
        #expect(lines[1_200].hasPrefix("1200 "))
    }

    @Test func scansAreListedNewestFirstWithWhoAndWhat() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        session.run("ingest", "--repo", "portal", "--branch", "main", "--codeowners", codeowners, report)
        session.environment["USER"] = "ci-bot"
        session.run("ingest", "--repo", "other", "--scope", "full", report)
        let scans = Array(try session.json(session.run("scans", "--json").out).array!)
        #expect(scans.map { $0["repository"]?.string } == ["other", "portal"])
        #expect(scans.map { $0["uploader"]?.string } == ["ci-bot", "tester"])
        #expect(scans.first?["scope"]?.string == "full")
        #expect(scans.last?["branch"]?.string == "main")
        #expect(scans.allSatisfy { $0["findings"]?.int == 2 && $0["tool"]?.string == "Scanner" })
        let one = Array(try session.json(session.run("scans", "--repo", "portal", "--json").out).array!)
        #expect(one.count == 1)
        #expect(session.run("scans").out.contains("ci-bot"))
    }

    @Test func unitsAreListedWithTheirTeams() throws {
        let session = Session()
        _ = try session.setUp()
        let units = Array(try session.json(session.run("teams", "units", "--json").out).array!)
        #expect(units.map { $0["id"]?.string } == ["treasury"])
        #expect(units.first?["name"]?.string == "Treasury")
        #expect(session.run("teams", "units").out.contains("treasury  Treasury  -       -         1"))
    }

    @Test func aReportPipedToStandardInputIngestsUnderItsName() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        let body = try String(contentsOfFile: report, encoding: .utf8)
        var result = session.run(
            ["ingest", "--repo", "portal", "--codeowners", codeowners, "--name", "ci-upload.sarif", "-"], input: body)
        #expect(result.status == 0)
        #expect(result.out == "2 findings: 2 new, 0 seen, 0 fixed, 0 reopened, 1 unowned\n")
        // The same report from a file is the same findings.
        result = session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report)
        #expect(result.out.hasPrefix("2 findings: 0 new, 2 seen"))
        // A broken body is named as given, with the place.
        result = session.run(["ingest", "--name", "ci-upload.sarif", "-"], input: String(body.prefix(40)))
        #expect(result.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(result.err.hasPrefix("ci-upload.sarif: line 1"))
    }

    @Test func ingestPrintsTheSummaryLineAndDeduplicates() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        var result = session.run("ingest", "--repo", "portal", "--scope", "full", "--codeowners", codeowners, report)
        #expect(result.status == 0)
        #expect(result.out == "2 findings: 2 new, 0 seen, 0 fixed, 0 reopened, 1 unowned\n")
        result = session.run(
            "ingest", "--repo", "portal", "--scope", "full", "--codeowners", codeowners, report, "--json")
        let summary = try session.json(result.out)
        #expect(summary["findings"]?.int == 2)
        #expect(summary["new"]?.int == 0)
        #expect(summary["seen"]?.int == 2)
        #expect(summary["fixed"]?.int == 0)
        #expect(summary["reopened"]?.int == 0)
        #expect(summary["unowned"]?.int == 1)

        // A full rescan without the vendored finding fixes it; seeing it again reopens it.
        let smaller = try session.write("r2.sarif", session.sarif(["services/payments/a.py"]))
        result = session.run("ingest", "--repo", "portal", "--scope", "full", "--codeowners", codeowners, smaller)
        #expect(result.out == "1 findings: 0 new, 1 seen, 1 fixed, 0 reopened, 0 unowned\n")
        result = session.run("ingest", "--repo", "portal", "--scope", "full", "--codeowners", codeowners, report)
        #expect(result.out == "2 findings: 0 new, 1 seen, 0 fixed, 1 reopened, 1 unowned\n")
    }

    @Test func findingsListJSONAndCSV() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report)
        let result = session.run("findings", "list", "--json")
        #expect(result.status == 0)
        let rows = Array(try session.json(result.out).array!)
        #expect(rows.count == 2)
        for key in [
            "id", "fingerprint", "tool", "rule", "severity", "status", "path", "line", "owner_team", "first_seen",
            "last_seen",
        ] {
            #expect(rows.allSatisfy { $0.member(key) != nil }, "\(key)")
        }
        #expect(rows[0]["owner_team"]?.string == "payments")
        #expect(rows[0]["path"]?.string == "services/payments/a.py")
        #expect(rows[0]["line"]?.int == 3)
        #expect(rows[0]["severity"]?.string == "high")
        #expect(rows[0]["status"]?.string == "open")
        #expect(rows[1]["owner_team"]?.isNull == true)

        let unowned = Array(try session.json(session.run("findings", "list", "--unowned", "--json").out).array!)
        #expect(unowned.map { $0["path"]?.string } == ["vendor/lib.js"])
        #expect(unowned[0]["owner_line"]?.int == 2)
        let table = session.run("findings", "list", "--unowned").out
        #expect(table.contains("WHY UNOWNED"))
        #expect(table.contains("CODEOWNERS line 2 unsets ownership"))
        let team = Array(try session.json(session.run("findings", "list", "--team", "payments", "--json").out).array!)
        #expect(team.count == 1)
        let none = Array(try session.json(session.run("findings", "list", "--status", "fixed", "--json").out).array!)
        #expect(none.isEmpty)

        let csv = session.run("findings", "list", "--csv").out
        let lines = csv.split(separator: "\r\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("id,fingerprint,tool,rule,severity,status"))
        #expect(lines[1].contains(",payments,"))
    }

    @Test func ownersResolveFromArgumentsAndStdin() throws {
        let session = Session()
        let codeowners = try session.write("CODEOWNERS", "*.js @web\n/apps/ @org/apps\n/apps/github\n")
        var result = session.run(
            "owners", "resolve", "--codeowners", codeowners, "apps/x/a.py", "lib/a.js", "apps/github/x")
        #expect(result.status == 0)
        #expect(
            result.out.split(separator: "\n") == [
                #"{"path":"apps/x/a.py","owners":["@org/apps"],"line":2}"#,
                #"{"path":"lib/a.js","owners":["@web"],"line":1}"#,
                #"{"path":"apps/github/x","owners":[],"line":null}"#,
            ])
        result = session.run(["owners", "resolve", "--codeowners", codeowners], input: "README\nx.js\n")
        #expect(
            result.out.split(separator: "\n") == [
                #"{"path":"README","owners":[],"line":null}"#, #"{"path":"x.js","owners":["@web"],"line":1}"#,
            ])
    }

    @Test func ownersExplainGivesTheEvidence() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report)
        var result = session.run("owners", "explain", "1")
        #expect(result.status == 0)
        #expect(result.out.contains("owner:    payments (Payments), lead bob@example.gov"))
        #expect(result.out.contains("rule:     \(codeowners) line 1: /services/payments/"))
        #expect(result.out.contains("team:     @example/payments is a handle of team payments"))
        let json = try session.json(session.run("owners", "explain", "2", "--json").out)
        #expect(json["owner_team"]?.isNull == true)
        #expect(json["reason"]?.string == "CODEOWNERS line 2 unsets ownership")
        #expect(json["owner_evidence"]?["line"]?.int == 2)
        #expect(json["owner_evidence"]?["pattern"]?.string == "/vendor/")
        #expect(json["owner_evidence"]?["dialect"]?.string == "github")
        result = session.run("owners", "explain", "77")
        #expect(result.status == ServiceError.Kind.notFound.exitStatus)
        #expect(result.err.contains("no finding 77"))
        #expect(session.run("owners", "explain", "x").status == 2)
    }

    @Test func unownedQueueAndAssignment() throws {
        let session = Session()
        let (codeowners, _) = try session.setUp()
        let report = try session.write(
            "u.sarif",
            session.sarif(["services/payments/a.py", "vendor/lib.js", "vendor/lib2.js", "services/ops_%/x.sh"]))
        session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report)
        var groups = Array(try session.json(session.run("unowned", "--json").out).array!)
        #expect(groups.map { $0["directory"]?.string } == ["vendor", "services/ops_%"])
        #expect(groups[0]["findings"]?.array.map { Array($0).compactMap(\.int) } == [2, 3])
        #expect(groups[0]["high"]?.int == 2)
        // The nearest owned code is under services/: payments owns a finding there. The "%" and
        // "_" of the directory name are matched as themselves.
        let suggestions = Array(groups[1]["suggestions"]!.array!)
        #expect(suggestions.map { $0["team"]?.string } == ["payments"])
        #expect(suggestions.first?["near"]?.string == "services/")

        var result = session.run("unowned", "assign", "--team", "payments", "2", "3")
        #expect(result.status == 2)
        #expect(result.err.contains("missing --reason"))
        result = session.run("unowned", "assign", "--team", "nobody", "--reason", "r", "2")
        #expect(result.status == ServiceError.Kind.notFound.exitStatus)
        #expect(result.err.contains("unknown team 'nobody'"))
        result = session.run("unowned", "assign", "--team", "payments", "--reason", "vendored for payments", "2", "3")
        #expect(result.out == "2 findings assigned to payments\n")
        groups = Array(try session.json(session.run("unowned", "--json").out).array!)
        #expect(groups.count == 1)
        let store = try SQLStore(path: session.database)
        let events = try store.events(findingID: 2).filter { $0.kind.rawValue == "ownership.assigned" }
        #expect(events.count == 1)
        #expect(events.first?.actor == "tester")
        #expect(events.first?.payload.contains("vendored for payments") == true)
        let explained = session.run("owners", "explain", "2").out
        #expect(explained.contains("evidence: assigned by tester at "))
        #expect(explained.contains(": vendored for payments"))
    }

    @Test func codeownersIsReadFromTheScannedCommit() throws {
        let session = Session()
        let teams = try session.write(
            "teams.yaml",
            """
            teams:
              - {id: a, name: A, handles: ["@org/a"]}
              - {id: b, name: B, handles: ["@org/b"]}
              - {id: c, name: C, handles: ["@org/c"]}
            """)
        #expect(session.run("teams", "import", teams).status == 0)
        let repo = try GitFixture()
        let first = try repo.commit(["CODEOWNERS": "/src/ @org/a\n", "src/app.py": "x\n"], message: "one")
        let second = try repo.commit(["CODEOWNERS": "/src/ @org/b\n"], message: "two", date: "2026-02-01T09:00:00Z")
        try repo.write("CODEOWNERS", "/src/ @org/c\n")  // the working tree differs from both commits

        func ingest(_ path: String, _ arguments: [String]) throws -> (
            team: String?, revision: String?, repository: String?
        ) {
            let report = try session.write("r.sarif", session.sarif([path]))
            let result = session.run(["ingest", "--repo", repo.path] + arguments + [report])
            #expect(result.status == 0, "\(result.err)")
            let rows = Array(try session.json(session.run("findings", "list", "--json").out).array!)
            let row = try #require(rows.last { $0["path"]?.string == path })
            let explained = try session.json(session.run("owners", "explain", String(row["id"]!.int!), "--json").out)
            return (
                row["owner_team"]?.string, explained["owner_evidence"]?["revision"]?.string, row["repository"]?.string
            )
        }
        var found = try ingest("src/app.py", ["--commit", String(first.prefix(8))])
        #expect(found.team == "a")
        #expect(found.revision == first)
        #expect(found.repository == "repo")  // a checkout's name is its directory's
        found = try ingest("src/later.py", ["--commit", second])
        #expect(found.team == "b")
        #expect(found.revision == second)
        found = try ingest("src/now.py", [])  // no commit: the working tree
        #expect(found.team == "c")
        #expect(found.revision == nil)
        // Each new map is one event of the map's history, with the time it took effect.
        _ = try ingest("src/now.py", [])  // the same map again: no event
        let maps = try SQLStore(path: session.database).events(findingID: nil).filter {
            $0.kind.rawValue == "ownership.map"
        }
        #expect(maps.count == 3)
        let firstMap = try session.json(maps[0].payload)
        #expect(firstMap["map"]?.string == "CODEOWNERS at \(first)")
        #expect(firstMap["effective_at"]?.string == "2026-01-15T10:00:00Z")
        #expect(try session.json(maps[1].payload)["previous"]?.string == "CODEOWNERS at \(first)")
        #expect(try session.json(maps[2].payload)["map"]?.string == repo.path + "/CODEOWNERS")

        let before = try SQLStore(path: session.database).counts()
        let report = try session.write("r.sarif", session.sarif(["src/x.py"]))
        var bad = session.run("ingest", "--repo", repo.path, "--commit", "0123abcd", report)
        #expect(bad.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(bad.err.contains("commit '0123abcd' is not in the repository"))
        bad = session.run("ingest", "--repo", repo.path, "--commit", "--output=/tmp/x", report)
        #expect(bad.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(bad.err.contains("is not a revision"))
        #expect(try SQLStore(path: session.database).counts() == before)
    }

    /// Every blame strategy gives the same introducers (the replay must say what git blame says).
    @Test(arguments: ["auto", "replay", "lines", "per-file"])
    func introducersFromGitHistory(blame: String) throws {
        let session = Session()
        #expect(
            session.run(
                "teams", "import",
                try session.write(
                    "teams.yaml",
                    "teams:\n  - {id: a, name: A, handles: [\"@org/a\"]}\n  - {id: b, name: B, handles: [\"@org/b\"]}\n"
                )
            ).status == 0)
        let repo = try GitFixture()
        let first = try repo.commit(
            [
                "CODEOWNERS": "/src/ @org/a\n",
                "src/app.py": "import os\ndef f(cmd):\n    os.system(cmd)\n    return 1\n",
            ], message: "first", author: "Ada", email: "ada@example.gov", date: "2026-01-10T12:00:00Z")
        try repo.git(["tag", "v1.0"], environment: ["GIT_COMMITTER_DATE": "2026-01-11T00:00:00Z"])
        let second = try repo.commit(
            [
                "CODEOWNERS": "/src/ @org/b\n",
                "src/app.py": "# header\n# more\nimport os\ndef f(cmd):\n    os.system(cmd)\n    return 2\n",
            ], message: "second", author: "Bob", email: "bob@example.gov", date: "2026-02-01T12:00:00Z")
        try repo.git(["tag", "v1.1"], environment: ["GIT_COMMITTER_DATE": "2026-02-02T00:00:00Z"])
        // A rename on a branch, merged back.
        try repo.git(["checkout", "-q", "-b", "feature"])
        try repo.git(["mv", "src/app.py", "src/main.py"])
        try repo.commit([:], message: "rename", author: "Cy", email: "cy@example.gov", date: "2026-03-01T12:00:00Z")
        try repo.git(["checkout", "-q", "main"])
        try repo.commit(
            ["README": "hi\n"], message: "readme", author: "Dee", email: "dee@example.gov", date: "2026-03-02T12:00:00Z"
        )
        try repo.git(
            ["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
            environment: ["GIT_AUTHOR_DATE": "2026-03-03T12:00:00Z", "GIT_COMMITTER_DATE": "2026-03-03T12:00:00Z"])
        let last = try repo.commit(
            ["src/new.py": "eval(x)\n"], message: "new", author: "Eve", email: "eve@example.gov",
            date: "2026-04-01T12:00:00Z")

        let report = try session.write(
            "r.sarif", session.sarif(["src/main.py", "src/main.py", "src/new.py", "src/gone.py"]))
        // The helper flags lines 3, 4, 5, 6: fix them to the lines that matter.
        let text = try String(contentsOfFile: report, encoding: .utf8)
            .replacingOccurrences(of: "\"startLine\":3", with: "\"startLine\":5")
            .replacingOccurrences(of: "\"startLine\":4", with: "\"startLine\":6")
            .replacingOccurrences(
                of: "\"startLine\":5,\"snippet\":{\"text\":\"code(2)",
                with: "\"startLine\":1,\"snippet\":{\"text\":\"code(2)")
        try text.write(toFile: report, atomically: true, encoding: .utf8)
        let result = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--blame", blame, report)
        #expect(result.status == 0, "\(result.err)")

        func show(_ id: Int) throws -> JSONValue {
            try session.json(session.run("findings", "show", String(id), "--json").out)
        }
        // os.system: moved down two lines and renamed since, still Ada's first commit.
        var found = try show(1)
        #expect(found["line"]?.int == 5)
        #expect(found["introduced_commit"]?.string == first)
        #expect(found["introduced_author"]?.string == "Ada <ada@example.gov>")
        #expect(found["introduced_at"]?.string == "2026-01-10T12:00:00Z")
        #expect(found["introduced_release"]?.string == "v1.0")
        #expect(found["introduced_team"]?.string == "a")  // CODEOWNERS of January
        #expect(found["introduced_path"]?.string == "src/app.py")
        #expect(found["introduced_line"]?.int == 3)
        #expect(found["owner_team"]?.string == "b")  // accountable now: CODEOWNERS at HEAD
        #expect(found["introducer_reason"]?.isNull == true)
        // "return 2": Bob's change, in v1.1, when team b owned src/.
        found = try show(2)
        #expect(found["introduced_commit"]?.string == second)
        #expect(found["introduced_release"]?.string == "v1.1")
        #expect(found["introduced_team"]?.string == "b")
        // Not released yet.
        found = try show(3)
        #expect(found["introduced_commit"]?.string == last)
        #expect(found["introduced_release"]?.isNull == true)
        // A path the commit does not have: no introducer, and why.
        found = try show(4)
        #expect(found["introduced_commit"]?.isNull == true)
        #expect(found["introducer_reason"]?.string == "src/gone.py is not in the scanned commit")
        let table = session.run("findings", "show", "1").out
        #expect(table.contains("introduced: \(first.prefix(12)) by Ada <ada@example.gov> at 2026-01-10T12:00:00Z"))
        #expect(table.contains("release:    v1.0"))
    }

    @Test func unownedCodeSuggestsTheTeamsOfThoseWhoShippedIt() throws {
        let session = Session()
        let teams = """
            teams:
              - {id: a, name: A, handles: ["@org/a"], members: [ada@example.gov]}
              - {id: b, name: B, handles: ["@org/b"]}
            """
        #expect(session.run("teams", "import", try session.write("teams.yaml", teams)).status == 0)
        let repo = try GitFixture()
        try repo.commit(
            ["CODEOWNERS": "/src/ @org/b\n", "src/app.py": "eval(x)\n"], message: "app", author: "Bob",
            email: "bob@example.gov", date: "2026-01-10T12:00:00Z")
        try repo.commit(
            ["tools/deploy.py": "os.system(cmd)\n"], message: "tools", author: "Ada", email: "ada@example.gov",
            date: "2026-02-10T12:00:00Z")
        let report = try session.write("r.sarif", session.sarif(["src/app.py", "tools/deploy.py"]))
        let text = try String(contentsOfFile: report, encoding: .utf8)
            .replacingOccurrences(of: "\"startLine\":3", with: "\"startLine\":1")
            .replacingOccurrences(of: "\"startLine\":4", with: "\"startLine\":1")
        try text.write(toFile: report, atomically: true, encoding: .utf8)
        #expect(session.run("ingest", "--repo", repo.path, "--commit", "HEAD", report).status == 0)
        let groups = Array(try session.json(session.run("unowned", "--json").out).array!)
        #expect(groups.count == 1)
        #expect(groups[0]["directory"]?.string == "tools")
        let suggestions = Array(groups[0]["suggestions"]!.array!)
        // Ada, a member of team a, wrote the unowned code; team b owns code nearby.
        #expect(suggestions.map { $0["team"]?.string } == ["a", "b"])
        #expect(suggestions[0]["basis"]?.string == "introducers")
        #expect(Array(suggestions[0]["introduced_by"]!.array!).compactMap(\.string) == ["ada@example.gov"])
        #expect(suggestions[1]["basis"]?.string == "nearby")
        #expect(session.run("unowned").out.contains("a (introduced 1: ada@example.gov), b (1 under /)"))
    }

    @Test func dependencyFindingsAreAttributedToTheCommitThatPinnedTheirVersion() throws {
        let session = Session()
        #expect(
            session.run(
                "teams", "import",
                try session.write("teams.yaml", "teams:\n  - {id: a, name: A, handles: [\"@org/a\"]}\n")
            ).status == 0)
        let repo = try GitFixture()
        try repo.commit(
            ["CODEOWNERS": "* @org/a\n", "requirements.txt": "django==4.1.0\nrequests==2.28.0\n"],
            message: "first", author: "Ada", email: "ada@example.gov", date: "2026-01-10T12:00:00Z")
        let bump = try repo.commit(
            ["requirements.txt": "# web\ndjango==4.2.1\nrequests==2.28.0\n"], message: "bump django", author: "Bob",
            email: "bob@example.gov", date: "2026-02-01T12:00:00Z")
        try repo.commit(
            ["requirements.txt": "# web\ndjango==4.2.1\nrequests==2.31.0\n"], message: "bump requests", author: "Cy",
            email: "cy@example.gov", date: "2026-03-01T12:00:00Z")
        try repo.git(["tag", "v2.0"], environment: ["GIT_COMMITTER_DATE": "2026-03-02T00:00:00Z"])
        let lock = try repo.commit(
            [
                "web/package-lock.json":
                    #"{"lockfileVersion": 3, "packages": {"": {}, "node_modules/lodash": {"version": "4.17.20"}}}"#
            ], message: "add web", author: "Dee", email: "dee@example.gov", date: "2026-04-01T12:00:00Z")
        func result(_ rule: String, _ path: String, _ message: String, properties: String = "{}") -> String {
            #"{"ruleId":"\#(rule)","level":"error","message":{"text":"\#(message)"},"properties":\#(properties),"locations":[{"physicalLocation":{"artifactLocation":{"uri":"\#(path)"},"region":{"startLine":1}}}]}"#
        }
        let results = [
            result(
                "CVE-2023-31047", "requirements.txt",
                #"Package: Django\nInstalled Version: 4.2.1\nFixed Version: 4.2.2"#),
            result(
                "CVE-2021-23337", "web/package-lock.json", "Command injection in lodash",
                properties: #"{"purl":"pkg:npm/lodash@4.17.20"}"#),
            result("CVE-2023-32681", "requirements.txt", #"Package: requests\nInstalled Version: 2.28.0"#),
        ]
        let report = try session.write(
            "deps.sarif",
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Trivy"}},"results":[\#(results.joined(separator: ","))]}]}"#
        )
        let outcome = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", report)
        #expect(outcome.status == 0, "\(outcome.err)")
        func show(_ id: Int) throws -> JSONValue {
            try session.json(session.run("findings", "show", String(id), "--json").out)
        }
        // Django 4.2.1 arrived with Bob's bump (line 2 then), not Ada's first pin of 4.1.0 nor Cy's
        // later change of another line; released in v2.0; team a owned the file then.
        var found = try show(1)
        #expect(found["package"]?.string == "Django")
        #expect(found["package_version"]?.string == "4.2.1")
        #expect(found["introduced_commit"]?.string == bump)
        #expect(found["introduced_author"]?.string == "Bob <bob@example.gov>")
        #expect(found["introduced_release"]?.string == "v2.0")
        #expect(found["introduced_team"]?.string == "a")
        #expect(found["introduced_path"]?.string == "requirements.txt")
        #expect(found["introduced_line"]?.int == 2)
        found = try show(2)
        #expect(found["introduced_commit"]?.string == lock)
        #expect(found["introduced_release"]?.isNull == true)
        // The scanner saw requests 2.28.0 but the scanned commit pins 2.31.0: no guess, a reason.
        found = try show(3)
        #expect(found["introduced_commit"]?.isNull == true)
        #expect(
            found["introducer_reason"]?.string
                == "requirements.txt at the scanned commit pins requests 2.31.0, not the reported 2.28.0")
    }

    @Test func ownersHistoryAndTeamAtATime() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report)
        #expect(
            session.run("unowned", "assign", "--team", "payments", "--reason", "vendored for payments", "2").status == 0
        )
        let history = Array(try session.json(session.run("owners", "history", "2", "--json").out).array!)
        #expect(history.map { $0["team"]?.string } == [nil, "payments"])
        #expect(history.map { $0["reason"]?.string } == ["first seen", "vendored for payments"])
        let now = Array(
            try session.json(session.run("findings", "list", "--team", "payments", "--at", "2100-01-01", "--json").out)
                .array!)
        #expect(now.map { $0["id"]?.int } == [1, 2])
        let before = Array(
            try session.json(session.run("findings", "list", "--team", "payments", "--at", "2000-01-01", "--json").out)
                .array!)
        #expect(before.isEmpty)
        #expect(session.run("findings", "list", "--at", "2026-01-01").status == 2)
        #expect(
            session.run("findings", "list", "--team", "payments", "--at", "yesterday").err.contains(
                "invalid time 'yesterday'"))
    }

    @Test(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
    func catalogImportAndRepositoryRules() throws {
        let session = Session()
        let result = session.run(
            "teams", "import", Corpora.path("backstage/team-a-group.yaml"),
            Corpora.path("backstage/artist-lookup-component.yaml"),
            try session.write("assets.yaml", "assets:\n  - repository: \"artist-*\"\n    team: team-a\n"))
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("1 teams and 2 asset rules"))
        let teams = Array(try session.json(session.run("teams", "list", "--json").out).array!)
        try #require(teams.count == 1)
        #expect(teams.map { $0["id"]?.string } == ["team-a"])
        #expect(teams[0]["unit"]?.isNull == true)  // its parent group is in no file
        let report = try session.write("r.sarif", session.sarif(["src/main.java"]))
        #expect(session.run("ingest", "--repo", "artist-lookup", report).out.hasSuffix("0 unowned\n"))
        let explained = try session.json(session.run("owners", "explain", "1", "--json").out)
        #expect(explained["owner_team"]?.string == "team-a")
        #expect(explained["owner_evidence"]?["source"]?.string == "asset-rule")
        #expect(explained["owner_evidence"]?["pattern"]?.string == "repository artist-*")
    }

    /// A SQLite store copied into a new one (a PostgreSQL schema under `make test`'s second run):
    /// every event and hash arrives, the ledger verifies there, and it goes on from there.
    @Test func aStoreIsCopiedWithItsLedgerIntact() throws {
        let source = Session()
        source.database = source.directory.file("source.db")  // SQLite whatever the run
        let (codeowners, report) = try source.setUp()
        #expect(source.run("ingest", "--repo", "portal", "--codeowners", codeowners, report).status == 0)
        let head = source.run("ledger", "verify").out
        let target = Session()
        let copied = target.run("db", "copy", "--from", source.database, "--to", target.database)
        #expect(copied.status == 0, "\(copied.err)")
        #expect(copied.out.contains("events: 3 rows"))
        #expect(copied.out.contains("ledger OK 3 events"))
        #expect(target.run("ledger", "verify").out == head)
        #expect(target.run("summary").out == source.run("summary").out)
        // New events continue the copied chain, with keys after the copied ones.
        #expect(target.run("ingest", "--repo", "portal", "--codeowners", codeowners, report).status == 0)
        #expect(target.run("ledger", "verify").out.hasPrefix("OK 4 events"))
        // A store that is not empty is never written over.
        let again = target.run("db", "copy", "--from", source.database, "--to", target.database)
        #expect(again.status == 6)
        #expect(again.err.hasPrefix(target.database + ": error: the destination is not empty"), "\(again.err)")
    }

    @Test func ledgerVerifyAndExport() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report)
        var result = session.run("ledger", "verify")
        #expect(result.status == 0)
        #expect(result.out.hasPrefix("OK 3 events, head "))
        let lines = session.run("ledger", "export").out.split(separator: "\n")
        #expect(lines.count == 3)
        let last = try session.json(String(lines[2]))
        #expect(result.out.contains("head \(last["hash"]!.string!)\n"))
        #expect(session.run("ledger", "export", "--after", "2").out.split(separator: "\n").count == 1)
        try SQLStore(path: session.database).executeForTesting(
            TestDatabase.dropEventsTrigger("update") + "; UPDATE events SET actor = 'mallory' WHERE seq = 1")
        result = session.run("ledger", "verify")
        #expect(result.status == 1)
        #expect(result.out.hasPrefix("BROKEN at event 1: its hash does not match its content"))
    }

    @Test func signedCheckpointsCatchACutChain() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report)
        let keys = session.directory.file("keys")
        var result = session.run("ledger", "keygen", keys)
        #expect(result.status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: keys + "/ledger-key.pem")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // never overwrites a key
        #expect(session.run("ledger", "keygen", keys).status == ServiceError.Kind.conflict.exitStatus)
        result = session.run("ledger", "checkpoint", "--key", keys + "/ledger-key.pem")
        #expect(result.out.hasPrefix("signed the head at event 3: "))
        // More events after the checkpoint are fine.
        #expect(session.run("unowned", "assign", "--team", "payments", "--reason", "r", "2").status == 0)
        result = session.run("ledger", "verify", "--public-key", keys + "/ledger-key.pub.pem")
        #expect(result.status == 0)
        #expect(result.out.contains("OK 4 events"))
        #expect(result.out.contains("1 checkpoints hold; signatures verified"))

        // Another key does not verify the checkpoint.
        let other = session.directory.file("other")
        session.run("ledger", "keygen", other)
        result = session.run("ledger", "verify", "--public-key", other + "/ledger-key.pub.pem")
        #expect(result.status == 1)
        #expect(result.out.contains("signature does not verify"))

        // Cutting the newest events (the chain that is left is valid) is caught by the checkpoint.
        try SQLStore(path: session.database).executeForTesting(
            TestDatabase.dropEventsTrigger("delete") + "; DELETE FROM events WHERE seq >= 3")
        result = session.run("ledger", "verify")
        #expect(result.status == 1)
        #expect(result.out.contains("BROKEN at event 3: a checkpoint covers event 3 but the chain ends at 2"))
    }

    @Test func inputSizeLimits() throws {
        let session = Session()
        let big = try session.write("CODEOWNERS", String(repeating: "# padding line of a huge file\n", count: 110_000))
        let result = session.run("owners", "resolve", "--codeowners", big, "a.py")
        #expect(result.status == ServiceError.Kind.limitExceeded.exitStatus)
        #expect(result.err.contains("over the limit of 3145728 bytes"))
        let report = try session.write("r.sarif", session.sarif(["a.py"]))
        let limited = session.run("ingest", "--max-bytes", "100", report)
        #expect(limited.status == ServiceError.Kind.limitExceeded.exitStatus)
        #expect(limited.err.contains("over the limit of 100 bytes"))
    }

    @Test func ownersResolveReadsGitLabSections() throws {
        let session = Session()
        let codeowners = try session.write(
            "CODEOWNERS", "* @org/everyone\n!*.lock\n[Security] @org/appsec\nauth/\n[Docs]\n*.md @org/docs\n")
        var result = session.run("owners", "resolve", "--codeowners", codeowners, "auth/login.md", "yarn.lock")
        #expect(result.status == 0)
        #expect(
            result.out.split(separator: "\n") == [
                #"{"path":"auth/login.md","owners":["@org/everyone","@org/appsec","@org/docs"],"line":1}"#,
                #"{"path":"yarn.lock","owners":[],"line":null}"#,
            ])
        // Forced to GitHub, the same file reads differently: sections are not GitHub syntax.
        result = session.run(
            "owners", "resolve", "--codeowners", codeowners, "--codeowners-dialect", "github", "auth/login.md")
        #expect(result.out.contains(#""owners":["@org/docs"]"#))
    }

    @Test func badReportChangesNothingAndExitsNonZero() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report)
        let before = try SQLStore(path: session.database).counts()
        let broken = try session.write(
            "broken.sarif",
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"R","level":7}]}]}"#)
        // A good file followed by a bad one: the whole call is one transaction.
        let good = try session.write("good.sarif", session.sarif(["services/payments/new.py"]))
        let result = session.run("ingest", "--repo", "portal", good, broken)
        #expect(result.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(
            result.err.contains("broken.sarif: $.runs[0].results[0].level: error: expected a string, found integer"))
        #expect(try SQLStore(path: session.database).counts() == before)
    }

    @Test func everyCommandHasHelp() throws {
        let session = Session()
        for command in CLI.commands {
            let result = session.run(command.path + ["--help"])
            #expect(result.status == 0, "\(command.name)")
            #expect(result.out.contains("Usage: custody \(command.name)"), "\(command.name)")
            for option in command.options {
                #expect(result.out.contains("--\(option.name)"), "\(command.name) --\(option.name)")
            }
        }
        let overview = session.run("--help")
        #expect(overview.status == 0)
        #expect(overview.out.contains("findings list"))
    }

    @Test func usageErrorsSayWhatToType() throws {
        let session = Session()
        var result = session.run("ingest", "--scope", "everything", "x.sarif")
        #expect(result.status == 2)
        #expect(result.err.contains("invalid value 'everything' for --scope; expected one of: full, partial"))
        result = session.run("findings", "list", "--teem", "x")
        #expect(result.status == 2)
        #expect(result.err.contains("unknown option '--teem' (did you mean --team?)"))
        result = session.run("findngs", "list")
        #expect(result.err.contains("unknown command 'findngs' (did you mean 'findings'?)"))
        result = session.run("teams")
        #expect(result.status == 2)
        #expect(result.err.contains("needs a subcommand"))
        result = session.run("ingest")
        #expect(result.err.contains("missing argument FILE"))
        result = session.run("findings", "list", "--team", "ghosts")
        #expect(result.status == ServiceError.Kind.notFound.exitStatus)
        #expect(result.err.contains("unknown team 'ghosts'"))
        result = session.run("owners", "resolve", "a.py")
        #expect(result.err.contains("missing --codeowners PATH"))
    }

    @Test func databaseFromEnvironment() throws {
        let session = Session()
        let console = Console(capture: true)
        let status = CLI.run(["init"], console: console, environment: ["CUSTODY_DB": session.database])
        #expect(status == 0)
        #expect(console.capturedOut.hasPrefix(session.database + ": schema version \(Schema.migrations.last!.version)"))
        #expect(TestDatabase.isPostgres || FileManager.default.fileExists(atPath: session.database))
    }

    @Test func teamsListAndSummary() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        session.run("ingest", "--codeowners", codeowners, report)
        let teams = Array(try session.json(session.run("teams", "list", "--json").out).array!)
        #expect(teams.map { $0["id"]?.string } == ["payments"])
        #expect(teams[0]["lead"]?.string == "bob@example.gov")
        let table = session.run("summary").out
        #expect(table.contains("payments"))
        #expect(table.contains("(unowned)"))
        let summary = Array(try session.json(session.run("summary", "--json").out).array!)
        #expect(summary.map { $0["open"]?.int } == [1, 1])
    }

    @Test func demoSampleIngests() throws {
        let session = Session()
        let directory = session.directory.file("demo")
        #expect(session.run("sample", "demo", directory).status == 0)
        #expect(session.run("teams", "import", directory + "/teams.yaml").status == 0)
        var result = session.run(
            "ingest", "--repo", "gov-portal", "--branch", "main", "--scope", "full", "--codeowners",
            directory + "/CODEOWNERS",
            directory + "/semgrep-week1.sarif", directory + "/codeql-week1.sarif")
        #expect(result.out == "14 findings: 14 new, 0 seen, 0 fixed, 0 reopened, 3 unowned\n")
        result = session.run(
            "ingest", "--repo", "gov-portal", "--branch", "main", "--scope", "full", "--codeowners",
            directory + "/CODEOWNERS",
            directory + "/semgrep-week2.sarif", directory + "/codeql-week2.sarif")
        #expect(result.out == "13 findings: 1 new, 12 seen, 2 fixed, 0 reopened, 3 unowned\n")
    }
}
