import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// Prowler JSON from the corpora (cloud/prowler-json v3, cloud/prowler-ocsf v4/v5): a finding per
/// check that failed on a resource, identified by (check, resource, account). Counts
/// cross-checked with an independent reading (Python's json) and against DefectDojo's.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct ProwlerCorpusTests {
    @Test(arguments: [
        ("prowler-json/defectdojo-no_vuln.json", 0), ("prowler-json/defectdojo-one_vuln.json", 1),
        ("prowler-json/defectdojo-many_vuln.json", 3), ("prowler-ocsf/defectdojo-no_vuln.ocsf.json", 0),
        ("prowler-ocsf/defectdojo-many_vuln_after_4_5_0.ocsf.json", 2),
        ("prowler-ocsf/defectdojo-example_output_kubernetes.ocsf.json", 3),
    ])
    func everyFailedCheckOnAResourceIsAFinding(_ file: String, _ defectDojo: Int) throws {
        let path = Corpora.path("cloud/" + file)
        // An empty array is no tool's in particular: it is read as Prowler's when named so.
        let (source, reader) = try ReportRegistry.open(path: path, format: defectDojo == 0 ? .prowler : nil)
        #expect(reader.format == .prowler)
        var findings: [NormalizedFinding] = []
        let summary = try reader.read(source) { if case .finding(let finding) = $0 { findings.append(finding) } }
        let script = """
            import json, sys
            keys, skipped = set(), 0
            for r in json.load(open(sys.argv[1])):
                if 'CheckID' in r:
                    failed = r['Status'] == 'FAIL'
                    key = (r['CheckID'], r.get('ResourceArn') or r.get('ResourceId'), r.get('AccountId'))
                else:
                    failed = r['status_code'] == 'FAIL' and r.get('status') != 'Suppressed'
                    key = (r['metadata']['event_code'], r['resources'][0]['uid'], ((r.get('cloud') or {}).get('account') or {}).get('uid'))
                if failed:
                    keys.add(key)
                else:
                    skipped += 1
            print(len(keys), skipped)
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts == [findings.count, summary.skipped], "\(run.text)")
        #expect(findings.count == defectDojo)
    }

    @Test func aFindingIsOnItsResourceWithItsTagsAndDetail() throws {
        let classic = try readFindings(Corpora.path("cloud/prowler-json/defectdojo-one_vuln.json")).findings
        let certificate = try #require(classic.first)
        #expect(certificate.ruleID == "acm_certificates_expiration_check")
        #expect(certificate.severity == .high)
        #expect(certificate.asset?.hasPrefix("arn:aws:acm:us-east-1:999999999999:certificate/") == true)
        #expect(certificate.message.contains("about to expire in 7 days"))
        let ocsf = try readFindings(Corpora.path("cloud/prowler-ocsf/defectdojo-many_vuln_after_4_5_0.ocsf.json"))
        let audit = try #require(ocsf.findings.first { $0.asset == "arn:aws:iam::123456789012:role/AuditRole" })
        #expect(audit.resourceTags == ["some-label": "some value"])
        #expect(audit.toolFingerprints["account"] == "123456789012")
        #expect(audit.toolVersion == "4.2.1")
    }
}
