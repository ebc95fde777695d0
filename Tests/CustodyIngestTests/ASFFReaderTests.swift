import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// ASFF from the corpora (cloud/asff, cloud/aws-securityhub): bare arrays and Security Hub's
/// `get-findings` export, a finding per (control or vulnerability, resource, account). Counts
/// cross-checked with an independent reading (Python's json) and against DefectDojo's, which
/// also counts controls that passed.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct ASFFCorpusTests {
    @Test(arguments: [
        ("asff/defectdojo-one_vuln.json", 1), ("asff/defectdojo-many_vulns.json", 5),
        ("aws-securityhub/defectdojo-config_one_finding.json", 1),
        ("aws-securityhub/defectdojo-config_repeated_findings.json", 1),
        ("aws-securityhub/defectdojo-inspector_ecr.json", 7),
    ])
    func everyFailedCheckOnAResourceIsAFinding(_ file: String, _ defectDojo: Int) throws {
        let path = Corpora.path("cloud/" + file)
        let (source, reader) = try ReportRegistry.open(path: path)
        #expect(reader.format == .asff)
        var findings: [NormalizedFinding] = []
        let summary = try reader.read(source) { if case .finding(let finding) = $0 { findings.append(finding) } }
        let script = """
            import json, sys
            data = json.load(open(sys.argv[1]))
            entries = data if isinstance(data, list) else (data.get('Findings') or data.get('findings'))
            keys, passed = set(), 0
            for f in entries:
                if (f.get('Compliance') or {}).get('Status') == 'PASSED' or f.get('RecordState') == 'ARCHIVED':
                    passed += 1
                    continue
                rule = ((f.get('ProductFields') or {}).get('ControlId') or (f.get('Compliance') or {}).get('SecurityControlId')
                        or (f.get('Vulnerabilities') or [{}])[0].get('Id') or f['GeneratorId'])
                keys.add((rule, f['Resources'][0]['Id'], f['AwsAccountId']))
            print(len(keys), passed, len({f['Id'] for f in entries}))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts.count == 3, "\(run.text)")
        #expect(findings.count == counts.first)
        #expect(summary.skipped == counts.dropFirst().first, "controls that passed are counted, not kept")
        // DefectDojo keeps a finding per ASFF Id, passed controls included.
        #expect(counts.last == defectDojo)
    }

    @Test func aFindingIsOnItsResourceInItsAccount() throws {
        let (_, findings) = try readFindings(Corpora.path("cloud/aws-securityhub/defectdojo-inspector_ecr.json"))
        let poetry = try #require(findings.first { $0.ruleID == "CVE-2023-37920" })
        #expect(poetry.severity == .critical)
        #expect(poetry.asset?.hasPrefix("arn:aws:ecr:eu-central-1:123456789012:repository/repo-poetry") == true)
        #expect(poetry.toolFingerprints["account"] == "123456789012")
        #expect(poetry.cves == ["CVE-2023-37920"])
        #expect(poetry.package != nil)
    }
}
