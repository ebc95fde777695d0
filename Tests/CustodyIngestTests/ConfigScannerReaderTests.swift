import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// hadolint and tfsec reports from the corpora (code/hadolint, code/tfsec): a finding per rule
/// violation at its place. Counts cross-checked with an independent reading (Python's json) and
/// against DefectDojo's.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct ConfigScannerCorpusTests {
    @Test(arguments: [
        ("hadolint/defectdojo-one_dockerfile.json", ReportFormat.hadolint, 4),
        ("hadolint/defectdojo-many_dockerfile.json", .hadolint, 12), ("tfsec/defectdojo-no_findings.json", .tfsec, 0),
        ("tfsec/defectdojo-one_finding_legacy.json", .tfsec, 1),
        ("tfsec/defectdojo-many_findings_current.json", .tfsec, 13),
    ])
    func everyViolationIsAFindingAtItsPlace(_ file: String, _ format: ReportFormat, _ defectDojo: Int) throws {
        let path = Corpora.path("code/" + file)
        let (detected, findings) = try readFindings(path)
        #expect(detected == format)
        let script = """
            import json, sys
            data = json.load(open(sys.argv[1]))
            if isinstance(data, list):
                print(len(data), len({(e['code'], e['file'], e['line']) for e in data}))
            else:
                results = [r for r in data['results'] or [] if not r.get('passed') and r.get('status') != 'passed']
                print(len(results), len({(r['rule_id'], r['location']['filename'], r['location']['start_line']) for r in results}))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts.count == 2, "\(run.text)")
        #expect(findings.count == counts.first, "a finding per result")
        // DefectDojo merges results of a rule at one place (tfsec: 19 -> 13); they are kept here
        // and told apart by their resource when the store decides identities.
        #expect(counts.last == defectDojo)
        #expect(Set(findings.map { "\($0.ruleID)|\($0.path ?? "")|\($0.line ?? 0)" }).count == defectDojo)
    }

    @Test func pathsAndSeveritiesAreRead() throws {
        let hadolint = try readFindings(Corpora.path("code/hadolint/defectdojo-one_dockerfile.json")).findings
        #expect(hadolint.first?.path == "django-DefectDojo/Dockerfile.django", "a Windows path made a repository's")
        #expect(hadolint.first?.severity == .medium, "warning")
        #expect(hadolint.map(\.severity).contains(.low), "info")
        let tfsec = try readFindings(Corpora.path("code/tfsec/defectdojo-many_findings_current.json")).findings
        let open = try #require(tfsec.first { $0.ruleID == "aws-vpc-no-excessive-port-access" })
        #expect(open.severity == .critical)
        #expect(open.path == "tmp/aws-eks/modules/vpc-subnets/resources.tf")
        #expect(open.line == 155)
        let legacy = try readFindings(Corpora.path("code/tfsec/defectdojo-one_finding_legacy.json")).findings
        #expect(legacy.first?.severity == .medium, "WARNING")
    }
}
