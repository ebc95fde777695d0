import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// Nuclei results from the corpora (dast/nuclei): JSON Lines (also under a `.json` name) and the
/// JSON array export, a finding per (template and matcher, host, endpoint). Counts cross-checked
/// with an independent reading (Python's json); DefectDojo's counts, which key on the template,
/// type, matcher and host only, are a floor.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct NucleiCorpusTests {
    @Test(arguments: [
        ("defectdojo-empty.jsonl", 0), ("defectdojo-many_findings.json", 16), ("defectdojo-multiple_v3.json", 5),
    ])
    func everyTemplateMatchIsAFindingAtItsEndpoint(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("dast/nuclei/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .nuclei)
        let script = """
            import json, sys
            text = open(sys.argv[1]).read()
            try:
                results = json.loads(text) if text.strip() else []
            except json.JSONDecodeError:
                results = [json.loads(line) for line in text.splitlines() if line.strip()]
            ours = set()
            for r in results:
                template = r.get('template-id') or r.get('templateID')
                matcher = r.get('matcher-name') or r.get('matcher_name')
                matched = (r.get('matched-at') or r.get('matched')).split('?')[0]
                ours.add((template, matcher, matched))
            print(len(results), len(ours))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts.count == 2, "\(run.text)")
        #expect(findings.count == counts.last, "a finding per template match and endpoint")
        // DefectDojo's key leaves the endpoint out (SOURCES.md: 18 results -> 16, 6 -> 5): two
        // pages matching one template on a host are one finding there, two here (18 and 5).
        #expect(findings.count >= defectDojo)
        #expect(counts.first ?? 0 >= findings.count)
    }

    @Test func aResultCarriesItsSeverityHostAndClassification() throws {
        let v3 = try readFindings(Corpora.path("dast/nuclei/defectdojo-multiple_v3.json")).findings
        let caa = try #require(v3.first { $0.ruleID == "caa-fingerprint" })
        #expect(caa.cwes == ["CWE-200"])
        #expect(caa.asset == "www.asdf.de")
        #expect(caa.severity == .info)
        let wix = try #require(v3.first { $0.ruleID.hasPrefix("dns-saas-service-detection") })
        #expect(wix.ruleID == "dns-saas-service-detection:wix", "the matcher is part of the rule")
        let old = try readFindings(Corpora.path("dast/nuclei/defectdojo-many_findings.json")).findings
        let setup = try #require(old.first { $0.ruleID == "phpmyadmin-setup" })
        #expect(setup.severity == .medium)
        #expect(setup.toolFingerprints["endpoint"] == "https://nuclei-example.com/phpmyadmin/setup/index.php")
        #expect(setup.asset == "nuclei-example.com")
    }
}

/// Nuclei output made by hand: a bad line is refused naming its line; an unknown severity is
/// medium; the query is not part of the endpoint.
struct NucleiInputTests {
    let directory = TemporaryDirectory()

    func read(_ text: String, name: String = "nuclei.jsonl") throws -> [NormalizedFinding] {
        try readFindings(try directory.write(name, text)).findings
    }

    static func line(_ matched: String, severity: String = "high") -> String {
        #"{"template-id":"xss-reflected","info":{"name":"Reflected XSS","severity":"\#(severity)","classification":{"cve-id":"cve-2024-1234","cwe-id":["cwe-79"]}},"type":"http","host":"https://app.example.gov","matched-at":"\#(matched)"}"#
    }

    @Test func aBadLineIsRefusedByItsLineNumber() throws {
        let text = [Self.line("https://app.example.gov/a"), "", #"{"template-id": 7, "info": {}}"#].joined(
            separator: "\n")
        do {
            _ = try read(text)
            Issue.record("a numeric template id was read")
        } catch let error as Diagnostic {
            #expect(error.place?.hasPrefix("line 3") == true, "\(error)")
        }
    }

    @Test func theQueryIsNotPartOfTheEndpointAndUnknownIsMedium() throws {
        let findings = try read(
            [
                Self.line("https://app.example.gov/search?q=1"), Self.line("https://app.example.gov/search?q=2"),
                Self.line("https://app.example.gov/other", severity: "unknown"),
            ].joined(separator: "\n"), name: "results.json")
        #expect(findings.count == 2)
        #expect(findings.map(\.severity) == [.high, .medium])
        #expect(findings.first?.cves == ["CVE-2024-1234"])
        #expect(findings.first?.cwes == ["CWE-79"])
    }
}
