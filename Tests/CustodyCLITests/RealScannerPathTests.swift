import CustodyJSON
import CustodyTestSupport
import Foundation
import Testing

/// Reports that real scanners wrote, run the way people run them: on absolute paths, from
/// another machine's checkout, from a subfolder. Every location must come out repository-relative,
/// so CODEOWNERS applies and the same results in another run are the same findings.
struct RealScannerPathTests {
    let session = Session()

    /// Runs a scanner from PyPI (installed by scripts/bootstrap); nil when it is not there.
    func scan(_ arguments: [String], in directory: String, output: String) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()  // ruff and bandit exit 1 when they found something
        guard process.terminationStatus <= 1, !data.isEmpty else { return nil }
        return try session.write(output, String(decoding: data, as: UTF8.self))
    }

    func repository() throws -> GitFixture {
        let repo = try GitFixture()
        try repo.commit(
            [
                "services/api/app/x.py":
                    "import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n\npassword = \"hunter2\"\n",
                "CODEOWNERS": "/services/api/ @org/api\n",
            ], message: "init")
        _ = try session.write("teams.yaml", "teams:\n  - id: api\n    handles: [\"@org/api\"]\n")
        #expect(session.run("teams", "import", session.directory.file("teams.yaml")).status == 0)
        return repo
    }

    func owners() throws -> [String] {
        let listing = try session.json(session.run("findings", "list", "--json").out)
        return (listing.array.map(Array.init) ?? []).map {
            ($0["path"]?.string ?? "") + " " + ($0["owner_team"]?.string ?? "-")
        }
    }

    @Test func ruffsAbsoluteURIsBecomeRepositoryRelative() throws {
        let repo = try repository()
        guard
            let report = try scan(
                ["ruff", "check", "--no-cache", "--output-format", "sarif", "--select", "S", repo.path + "/services"],
                in: repo.path, output: "ruff.sarif")
        else {
            Issue.record("ruff is not installed: run scripts/bootstrap")
            return
        }
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("file://" + repo.path))
        let result = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", report)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err.contains("paths made repository-relative: removed '\(repo.path.dropFirst())/' on 2"))
        #expect(try owners() == ["services/api/app/x.py api", "services/api/app/x.py api"])
        // The same report from another machine's checkout: the tree tells what to strip, and the
        // results are the findings already recorded (none new, none fixed).
        let elsewhere = try session.write(
            "ruff-ci.sarif",
            try String(contentsOfFile: report, encoding: .utf8).replacingOccurrences(
                of: repo.path, with: "/home/ci/builds/x"))
        let again = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", elsewhere)
        #expect(again.out.hasPrefix("2 findings: 0 new, 2 seen, 0 fixed"), "\(again.out) \(again.err)")
        #expect(again.err.contains("removed 'home/ci/builds/x/' on 2"))
    }

    @Test func banditRunInASubfolderIsPlacedUnderIt() throws {
        let repo = try repository()
        guard
            let report = try scan(
                ["bandit", "-q", "-r", "-f", "json", "app"], in: repo.path + "/services/api", output: "bandit.json")
        else {
            Issue.record("bandit is not installed: run scripts/bootstrap")
            return
        }
        let result = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", report)
        #expect(result.status == 0, "\(result.err)")
        let owners = try owners()
        #expect(owners.count >= 2 && Set(owners) == ["services/api/app/x.py api"])
        #expect(result.err.contains("added 'services/api/' on \(owners.count) locations"))
    }

    /// Semgrep without a login, as it runs offline on a local rule: JSON and SARIF of one scan.
    @Test func semgrepsJSONAndSARIFAreTheSameFindings() throws {
        let repo = try repository()
        let code = "import subprocess\n\ndef a(cmd):\n    return subprocess.call(cmd, shell=True)\n"
        try repo.commit(
            ["services/api/app/y.py": code + "\ndef b(cmd):\n    return subprocess.check_call(cmd, shell=True)\n"],
            message: "y")
        let rules = try session.write(
            "rules.yaml",
            """
            rules:
              - id: shell-true
                languages: [python]
                severity: INFO
                message: subprocess with shell=True
                metadata:
                  cwe: ["CWE-78: OS Command Injection"]
                pattern-either:
                  - pattern: subprocess.call(..., shell=True)
                  - pattern: subprocess.check_call(..., shell=True)
            """)
        let common = ["semgrep", "scan", "--metrics=off", "--disable-version-check", "--config", rules]
        guard let json = try scan(common + ["--json", repo.path + "/services"], in: repo.path, output: "sg.json"),
            let sarif = try scan(common + ["--sarif", repo.path + "/services"], in: repo.path, output: "sg.sarif")
        else {
            Issue.record("semgrep is not installed: run scripts/bootstrap")
            return
        }
        // What makes this hard, as Semgrep writes it: placeholder fingerprints, two tool names.
        #expect(try String(contentsOfFile: sarif, encoding: .utf8).contains("requires login"))
        #expect(try String(contentsOfFile: sarif, encoding: .utf8).contains("Semgrep OSS"))
        let first = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", json)
        #expect(first.out.hasPrefix("3 findings: 3 new"), "\(first.out) \(first.err)")
        let second = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", sarif)
        #expect(second.out.hasPrefix("3 findings: 0 new, 3 seen, 0 fixed"), "\(second.out) \(second.err)")
        let listing = try session.json(session.run("findings", "list", "--json").out).array.map(Array.init) ?? []
        #expect(listing.count == 3)
        #expect(Set(listing.compactMap { $0["tool"]?.string }) == ["Semgrep"])
        #expect(Set(listing.compactMap { $0["severity"]?.string }) == ["info"])  // INFO, from either format
        // Two results of one rule in one file are two identities, not one told apart by order.
        #expect(Set(listing.compactMap { $0["fingerprint_basis"]?.string }) == ["content"])
    }

    /// Ruff marks every result `error`: its Bandit-derived `S` rules are security findings, its
    /// style rules code quality (kept with their level, no due date, out of the team's counts).
    @Test func aLintersStyleRulesAreQualityNotSecurity() throws {
        let repo = try repository()
        try repo.commit(
            ["services/api/app/long.py": "x = '" + String(repeating: "a", count: 120) + "'\n"], message: "long")
        guard
            let report = try scan(
                ["ruff", "check", "--no-cache", "--output-format", "sarif", "--select", "S602,E501", "services"],
                in: repo.path, output: "ruff.sarif")
        else {
            Issue.record("ruff is not installed: run scripts/bootstrap")
            return
        }
        #expect(session.run("ingest", "--repo", repo.path, "--commit", "HEAD", report).status == 0)
        let rows = try session.json(session.run("findings", "list", "--json").out).array.map(Array.init) ?? []
        let byRule = Dictionary(rows.map { ($0["rule"]?.string ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byRule["S602"]?["category"]?.string == "security")
        #expect(byRule["S602"]?["due_at"]?.string != nil)
        #expect(byRule["E501"]?["category"]?.string == "quality")
        #expect(byRule["E501"]?["due_at"]?.string == nil)
        let summary = try session.json(session.run("summary", "--json").out).array.map(Array.init) ?? []
        #expect(summary.first { $0["team"]?.string == "api" }?["open"]?.int == 1)  // the security one
        // A policy that includes quality gives it a due date too.
        let config = try session.write("custody.yaml", "sla:\n  include_quality: true\n")
        let applied = session.run("sla", "apply", "--config", config)
        #expect(applied.status == 0, "\(applied.err)")
        let after = try session.json(session.run("findings", "list", "--json").out).array.map(Array.init) ?? []
        #expect(after.allSatisfy { $0["due_at"]?.string != nil })
    }

    /// Bandit's JSON and SARIF (bandit-sarif-formatter) of one scan of multi-line code: one set of
    /// findings, whichever format comes first.
    @Test func banditsJSONAndSARIFAreTheSameFindings() throws {
        let repo = try repository()
        try repo.commit(
            [
                "services/api/app/m.py":
                    "import subprocess\n\ndef run(cmd):\n    return subprocess.call(\n        cmd,\n        shell=True,\n    )\n"
            ], message: "multi-line")
        let directory = repo.path + "/services"
        guard let json = try scan(["bandit", "-q", "-r", "-f", "json", "api"], in: directory, output: "b.json"),
            let sarif = try scan(["bandit", "-q", "-r", "-f", "sarif", "api"], in: directory, output: "b.sarif")
        else {
            Issue.record("bandit or bandit-sarif-formatter is not installed: run scripts/bootstrap")
            return
        }
        let first = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", json)
        let count = try #require(Int(first.out.prefix { $0 != " " }), "\(first.out) \(first.err)")
        #expect(count >= 4)
        let second = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", sarif)
        #expect(second.out.hasPrefix("\(count) findings: 0 new, \(count) seen, 0 fixed"), "\(second.out) \(second.err)")
    }

    /// Two equal flagged lines in one file (bandit's B602 in two functions): the fix of the first
    /// closes that finding, and the other keeps its identity and history - whatever the order.
    @Test func aFixOfOneOfTwoEqualLinesClosesThatOne() throws {
        let repo = try repository()
        let call = "    return subprocess.call(cmd, shell=True)\n"
        try repo.commit(
            ["services/api/app/y.py": "import subprocess\n\ndef a(cmd):\n" + call + "\ndef b(cmd):\n" + call],
            message: "two")
        func ingest() throws -> (out: String, rows: [Int: Int]) {
            guard
                let report = try scan(
                    ["bandit", "-q", "-r", "-f", "json", "services/api/app/y.py"], in: repo.path, output: "y.json")
            else { throw Skip() }
            let result = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", report)
            let rows =
                try session.json(session.run("findings", "list", "--status", "open", "--json").out).array
                .map(Array.init) ?? []
            return (
                result.out,
                Dictionary(
                    rows.filter { $0["rule"]?.string == "B602" }.map { ($0["line"]?.int ?? 0, $0["id"]?.int ?? 0) },
                    uniquingKeysWith: { a, _ in a })
            )
        }
        struct Skip: Error {}
        do {
            let before = try ingest()
            #expect(before.rows.keys.sorted() == [4, 7])
            // The first call is made safe; the second stays, two lines higher.
            try repo.commit(
                [
                    "services/api/app/y.py":
                        "import subprocess\n\ndef a(cmd):\n    return subprocess.call(cmd)\n\ndef b(cmd):\n" + call
                ], message: "fix a")
            let after = try ingest()
            #expect(after.out.contains("1 fixed"), "\(after.out)")
            #expect(after.rows == [7: before.rows[7]!])  // b's finding, the same one
        } catch is Skip {
            Issue.record("bandit is not installed: run scripts/bootstrap")
        }
    }

    @Test func aFolderThatIsNotACheckoutIsRefusedWithACommit() throws {
        let folder = session.directory.file("plain")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let report = try session.write(
            "r.json", #"{"format": "custody-findings/1", "tool": "T", "findings": []}"#)
        let result = session.run("ingest", "--repo", folder, "--commit", "HEAD", report)
        #expect(result.status == 3)  // invalid input
        #expect(result.err.contains("is a directory but not a git checkout"))
        #expect(session.run("ingest", "--repo", folder, report).status == 0)  // a name then
    }

    @Test func locationsThatMatchNothingAreSaid() throws {
        let repo = try repository()
        let report = try session.write(
            "r.json",
            """
            {"format": "custody-findings/1", "tool": "Pentest", "findings": [
              {"id": "P-1", "title": "IDOR", "severity": "high", "path": "elsewhere/none.py", "line": 3}]}
            """)
        let result = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", report)
        #expect(result.status == 0)
        #expect(result.err.contains("1 location match no file of commit HEAD (e.g. 'elsewhere/none.py')"))
    }

    /// A SARIF report whose tool gives one fingerprint value to every result of a rule in a file.
    func sharedFingerprintReport(_ name: String, lines: [Int], snippets: [String]) throws -> String {
        let results = zip(lines, snippets).map { line, snippet in
            #"{"ruleId":"sql","message":{"text":"query built from input"},"partialFingerprints":{"hash/v1":"0f00ba11"},"#
                + #""locations":[{"physicalLocation":{"artifactLocation":{"uri":"services/api/app/x.py"},"#
                + #""region":{"startLine":\#(line),"snippet":{"text":"\#(snippet)"}}}}]}"#
        }
        // The same value on a result in another file is not shared: the file separates them.
        let other =
            #"{"ruleId":"sql","message":{"text":"query built from input"},"partialFingerprints":{"hash/v1":"0f00ba11"},"#
            + #""locations":[{"physicalLocation":{"artifactLocation":{"uri":"services/api/app/y.py"},"#
            + #""region":{"startLine":2,"snippet":{"text":"q = f(x)"}}}}]}"#
        return try session.write(
            name,
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Linty","rules":[{"id":"sql","properties":{"tags":["security"]}}]}},"results":["#
                + (results + [other]).joined(separator: ",") + "]}]}")
    }

    @Test func aToolFingerprintSharedByResultsElsewhereInTheFileIsIgnored() throws {
        let repo = try repository()
        let first = try sharedFingerprintReport(
            "one.sarif", lines: [3, 9], snippets: ["db.execute(a + b)", "db.execute(c + d)"])
        let result = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", first)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err.contains("2 results share a tool fingerprint with results elsewhere in their file"))
        func open() throws -> [String: (id: Int, basis: String)] {
            let rows =
                try session.json(session.run("findings", "list", "--status", "open", "--json").out).array
                .map(Array.init) ?? []
            return Dictionary(
                rows.map {
                    (
                        ($0["path"]?.string ?? "") + ":" + String($0["line"]?.int ?? 0),
                        ($0["id"]?.int ?? 0, $0["fingerprint_basis"]?.string ?? "")
                    )
                }, uniquingKeysWith: { a, _ in a })
        }
        let before = try open()
        #expect(
            before.keys.sorted() == ["services/api/app/x.py:3", "services/api/app/x.py:9", "services/api/app/y.py:2"])
        #expect(before["services/api/app/x.py:3"]?.basis == "content")
        #expect(before["services/api/app/y.py:2"]?.basis == "tool")
        // The first is fixed; the second moves up two lines. Order no longer tells them apart.
        let second = try sharedFingerprintReport("two.sarif", lines: [7], snippets: ["db.execute(c + d)"])
        let rescan = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", second)
        #expect(rescan.out.contains("1 fixed"), "\(rescan.out)")
        let after = try open()
        #expect(after["services/api/app/x.py:7"]?.id == before["services/api/app/x.py:9"]?.id)
        #expect(after["services/api/app/y.py:2"]?.id == before["services/api/app/y.py:2"]?.id)
        #expect(after.count == 2)
    }

    /// Checkov run on an absolute folder from another directory writes that folder's path without
    /// its leading slash; every result is `error`, its snippet the whole resource block.
    @Test func checkovsResourcesAreOwnedRatedAndKeptAcrossAFix() throws {
        let repo = try repository()
        let group = #"resource "aws_security_group" "open" {"#
        let open =
            "  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n"
            + "    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n"
        try repo.commit(
            ["services/api/infra/main.tf": group + "\n" + open, "CODEOWNERS": "/services/api/ @org/api\n"],
            message: "infra")
        struct Skip: Error {}
        func ingest(_ name: String) throws -> (out: String, rows: [String: JSONValue]) {
            let output = session.directory.file(name)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "checkov", "-d", repo.path + "/services/api/infra", "-o", "sarif", "--output-file-path", output,
                "--quiet", "--compact", "--framework", "terraform",
            ]
            process.currentDirectoryURL = URL(fileURLWithPath: "/")
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { throw Skip() }
            process.waitUntilExit()
            let report = output + "/results_sarif.sarif"
            guard FileManager.default.fileExists(atPath: report) else { throw Skip() }
            let result = session.run("ingest", "--repo", repo.path, "--commit", "HEAD", "--scope", "full", report)
            #expect(result.status == 0, "\(result.err)")
            let rows =
                try session.json(session.run("findings", "list", "--status", "open", "--json").out).array
                .map(Array.init) ?? []
            return (
                result.out, Dictionary(rows.map { ($0["rule"]?.string ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            )
        }
        do {
            let before = try ingest("one")
            #expect(before.rows["CKV_AWS_24"] != nil)  // port 22 open to the world
            let group23 = try #require(before.rows["CKV_AWS_23"])  // no description
            for row in before.rows.values {
                #expect(row["path"]?.string == "services/api/infra/main.tf")
                #expect(row["owner_team"]?.string == "api")
                #expect(row["severity"]?.string == "medium")
                #expect(row["category"]?.string == "security")
            }
            // Port 22 closed to the world inside the block: its snippet changes, the resource stays.
            try repo.commit(
                [
                    "services/api/infra/main.tf": group + "\n"
                        + open.replacingOccurrences(of: "0.0.0.0/0", with: "10.0.0.0/8")
                ], message: "private ssh")
            let after = try ingest("two")
            #expect(after.out.contains("1 fixed"), "\(after.out)")
            #expect(after.rows["CKV_AWS_24"] == nil)
            #expect(after.rows["CKV_AWS_23"]?["id"]?.int == group23["id"]?.int)
            #expect(after.rows.count == before.rows.count - 1)
        } catch is Skip {
            Issue.record("checkov is not installed: run scripts/bootstrap")
        }
    }
}
