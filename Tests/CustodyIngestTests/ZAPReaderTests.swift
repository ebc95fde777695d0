import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// OWASP ZAP XML reports from the corpora (dast/zap-xml): detected, read through libxml2, a
/// finding per (alert, site, endpoint, parameter). Counts cross-checked with an independent
/// reading (Python's xml.etree) and against DefectDojo's, which keeps one finding per alert.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct ZAPCorpusTests {
    /// The file; DefectDojo's count (SOURCES.md: one finding per alertitem).
    @Test(arguments: [
        ("defectdojo-empty_2.9.0.xml", 0), ("defectdojo-some_2.9.0.xml", 7),
        ("defectdojo-zap_2.16.1_with_req_resp.xml", 4),
    ])
    func everyAlertIsAFindingAtEachEndpointAndParameter(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("dast/zap-xml/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .zap)
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            keys, alerts = set(), 0
            for site in root.iter('site'):
                for alert in site.iter('alertitem'):
                    alerts += 1
                    rule = (alert.findtext('alertRef') or alert.findtext('pluginid')).strip()
                    for instance in alert.iter('instance'):
                        uri = (instance.findtext('uri') or '').strip().split('?')[0].split('#')[0]
                        method = (instance.findtext('method') or 'GET').strip().upper()
                        keys.add((site.get('host'), rule, method, uri, (instance.findtext('param') or '').strip()))
            print(len(keys), alerts)
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts.count == 2, "\(run.text)")
        #expect(findings.count == counts.first, "a finding per (alert, endpoint, parameter)")
        let identities = Set(
            findings.map {
                "\($0.ruleID)|\($0.toolFingerprints["endpoint"] ?? "")|\($0.toolFingerprints["parameter"] ?? "")"
            })
        #expect(identities.count == findings.count)
        // DefectDojo keeps each alert once, its instances as endpoints; Custody keeps each
        // endpoint's, so a page's owner is accountable for its own.
        #expect(counts.last == defectDojo)
        #expect(Set(findings.map(\.ruleID)).count == defectDojo)
    }

    @Test func anAlertCarriesItsSiteSeverityCWEAndEvidence() throws {
        let findings = try readFindings(Corpora.path("dast/zap-xml/defectdojo-some_2.9.0.xml")).findings
        let cookie = try #require(findings.first { $0.ruleID == "10011" && $0.toolFingerprints["parameter"] == "dmid" })
        #expect(cookie.severity == .low)
        #expect(cookie.asset == "mainsite.com")
        #expect(cookie.cwes == ["CWE-614"])
        #expect(cookie.snippet == "Set-Cookie: dmid")
        #expect(cookie.toolFingerprints["endpoint"] == "GET https://mainsite.com")
        #expect(cookie.message == "Cookie Without Secure Flag: GET https://mainsite.com (dmid)")
        #expect(cookie.toolVersion == "2.9.0")
    }
}

/// ZAP reports made by hand: query strings are not part of the endpoint, a repeated instance
/// is the same finding, bad values are refused with their line.
struct ZAPInputTests {
    func read(_ text: String) throws -> [NormalizedFinding] {
        let directory = TemporaryDirectory()
        let path = try directory.write("zap.xml", text)
        return try readFindings(path).findings
    }

    static func report(_ instances: String, risk: String = "3") -> String {
        """
        <?xml version="1.0"?>
        <OWASPZAPReport version="2.15.0"><site name="https://Shop.Example.gov:8443" host="Shop.Example.gov" port="8443">
        <alerts><alertitem><pluginid>40012</pluginid><alertRef>40012</alertRef><alert>Cross Site Scripting (Reflected)</alert>
        <riskcode>\(risk)</riskcode><cweid>79</cweid><instances>\(instances)</instances></alertitem></alerts></site></OWASPZAPReport>
        """
    }

    @Test func theQueryIsNotPartOfTheEndpointAndARepeatIsOneFinding() throws {
        let findings = try read(
            Self.report(
                """
                <instance><uri>https://SHOP.example.gov:8443/search?q=1</uri><method>get</method><param>q</param></instance>
                <instance><uri>https://shop.example.gov:8443/search?q=2#top</uri><method>GET</method><param>q</param></instance>
                <instance><uri>https://shop.example.gov:8443/search</uri><method>POST</method><param>q</param></instance>
                """))
        #expect(findings.count == 2)
        #expect(
            findings.map { $0.toolFingerprints["endpoint"] } == [
                "GET https://shop.example.gov:8443/search", "POST https://shop.example.gov:8443/search",
            ])
        #expect(findings.allSatisfy { $0.asset == "shop.example.gov" && $0.severity == .high })
    }

    @Test func aRiskOutsideZeroToThreeIsRefusedWithItsLine() throws {
        do {
            _ = try read(Self.report("<instance><uri>https://a/</uri></instance>", risk: "7"))
            Issue.record("a riskcode of 7 was read")
        } catch let error as Diagnostic {
            #expect(error.place == "line 3", "\(error)")
            #expect(error.message.contains("riskcode '7'"), "\(error)")
        }
    }

    @Test func anotherXMLDocumentIsRefusedNamingWhatIsRead() throws {
        do {
            _ = try read("<?xml version=\"1.0\"?><Report><x/></Report>")
            Issue.record("an unknown XML document was read")
        } catch let error as Diagnostic {
            #expect(error.message.contains("ZAP (<OWASPZAPReport>)"), "\(error)")
            #expect(error.message.contains("Nessus (<NessusClientData_v2>)"), "\(error)")
        }
    }
}
