import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// Burp XML exports from the corpora (dast/burp-xml): a finding per issue type at each place.
/// Counts cross-checked with an independent reading (Python's xml.etree) and against
/// DefectDojo's, which keeps one finding per issue type.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct BurpCorpusTests {
    @Test(arguments: [
        ("defectdojo-one_finding_with_cwe.xml", 1), ("defectdojo-one_finding_with_blank_response.xml", 1),
        ("defectdojo-seven_findings.xml", 7),
    ])
    func everyIssueIsAFindingAtItsPlace(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("dast/burp-xml/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .burp)
        let script = """
            import sys, xml.etree.ElementTree as ET
            issues = list(ET.parse(sys.argv[1]).getroot().iter('issue'))
            print(len({(i.findtext('type'), i.findtext('host'), i.findtext('location')) for i in issues}),
                  len({i.findtext('type') for i in issues}))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts.count == 2, "\(run.text)")
        #expect(findings.count == counts.first, "a finding per (type, host, location)")
        // DefectDojo keeps each issue type once (16 issues -> 7); each place keeps its own here.
        #expect(counts.last == defectDojo)
        #expect(Set(findings.map(\.ruleID)).count == defectDojo)
    }

    @Test func anIssueCarriesItsPlaceSeverityAndCWE() throws {
        let cwe = try readFindings(Corpora.path("dast/burp-xml/defectdojo-one_finding_with_cwe.xml")).findings
        #expect(cwe.first?.cwes.first == "CWE-524")
        #expect(cwe.first?.severity == .info)
        #expect(cwe.first?.asset == "example.com")
        let sql = try readFindings(Corpora.path("dast/burp-xml/defectdojo-one_finding_with_blank_response.xml"))
            .findings
        let injection = try #require(sql.first)
        #expect(injection.severity == .high)
        #expect(injection.toolFingerprints["endpoint"] == "/bodgeit/basket.jsp [b_id cookie]")
        #expect(injection.asset == "bwa")
    }
}
