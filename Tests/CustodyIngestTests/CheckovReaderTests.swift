import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// Checkov JSON from the corpora (code/checkov): one report or one per check type, a finding
/// per failed check identified by (check, file, resource). Counts cross-checked with an
/// independent reading (Python's json) and against DefectDojo's.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct CheckovCorpusTests {
    @Test(arguments: [
        ("defectdojo-checkov2-report-0-vuln.json", 0), ("defectdojo-checkov-report-severity.json", 4),
        ("defectdojo-checkov-report-multiple-check_type.json", 13),
    ])
    func everyFailedCheckIsAFinding(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("code/checkov/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .checkov)
        let script = """
            import json, sys
            data = json.load(open(sys.argv[1]))
            reports = data if isinstance(data, list) else [data]
            checks = [c for r in reports for c in (r.get('results') or {}).get('failed_checks', [])]
            print(len(checks), len({(c['check_id'], (c.get('repo_file_path') or c['file_path']).lstrip('/'), c['resource']) for c in checks}))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts == [defectDojo, defectDojo], "\(run.text)")
        #expect(findings.count == defectDojo)
        #expect(
            Set(findings.map { "\($0.ruleID)|\($0.path ?? "")|\($0.toolFingerprints["resource"] ?? "")" }).count
                == findings.count)
    }

    @Test func aCheckCarriesItsFileLineResourceAndSeverity() throws {
        let findings = try readFindings(Corpora.path("code/checkov/defectdojo-checkov-report-multiple-check_type.json"))
            .findings
        let rds = try #require(findings.first { $0.ruleID == "CKV_AWS_161" })
        #expect(rds.path == "infra/terraform/aws/db-app.tf", "the repository's path")
        #expect(rds.line == 1)
        #expect(rds.toolFingerprints["resource"] == "aws_db_instance.default")
        #expect(rds.severity == .medium, "no severity given")
        let docker = try #require(findings.first { $0.ruleID == "CKV_DOCKER_3" })
        #expect(docker.line == nil, "a range of 0 is the whole file")
        let graded = try readFindings(Corpora.path("code/checkov/defectdojo-checkov-report-severity.json")).findings
        #expect(graded.first?.severity == .medium)
        #expect(Set(graded.map(\.severity)).count > 1, "Checkov's severities are read")
    }
}
