import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// Greenbone / OpenVAS report XML from the corpora (hosts/openvas-xml): detected by its root,
/// read through libxml2, a finding per result identified by (NVT OID, host, port). Counts
/// cross-checked with an independent reading (Python's xml.etree) and DefectDojo's.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct OpenVASCorpusTests {
    /// The file; DefectDojo's count (SOURCES.md: one finding per result).
    @Test(arguments: [
        ("defectdojo-no_vuln.xml", 0), ("defectdojo-one_vuln.xml", 1), ("defectdojo-many_vuln.xml", 44),
    ])
    func everyResultIsAFindingOfItsHostAndPort(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("hosts/openvas-xml/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .openvas)
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            keys = []
            for result in root.iter('result'):
                host = result.find('host')
                name = (host.findtext('hostname') or '').strip() or (host.text or '').strip()
                keys.append((result.find('nvt').get('oid'), name.lower(), result.findtext('port')))
            print(len(keys), len(set(keys)))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts == [defectDojo, Set(findings.map(\.identityForTest)).count], "\(run.text)")
        #expect(findings.count == defectDojo, "a finding per result, as DefectDojo")
    }

    @Test func aResultCarriesItsNVTScoreCVEsAndHost() throws {
        let findings = try readFindings(Corpora.path("hosts/openvas-xml/defectdojo-one_vuln.xml")).findings
        let firefox = try #require(findings.first)
        #expect(firefox.ruleID == "1.3.6.1.4.1.25623.1.0.832260")
        #expect(firefox.severity == .critical, "severity 10.0")
        #expect(firefox.score == 10)
        #expect(firefox.asset == "10.0.101.2")
        #expect(firefox.toolFingerprints["endpoint"] == "general/tcp")
        #expect(firefox.cves.count == 12)
        #expect(firefox.cves.first == "CVE-2023-4573")
        let many = try readFindings(Corpora.path("hosts/openvas-xml/defectdojo-many_vuln.xml")).findings
        #expect(Set(many.compactMap(\.asset)) == ["b6b9f466d63"], "the host name before its (invalid) address")
        #expect(
            Set(many.map(\.severity)) == [.critical, .high, .medium], "scores 9.0 to 10.0, 7.4 to 8.1 and 4.0 to 6.8")
    }
}

/// OpenVAS reports made by hand: a result without its NVT, or with a score out of range, is
/// refused with its line; an XML report that is no OpenVAS report says what it lacks.
struct OpenVASInputTests {
    func read(_ text: String) throws -> [NormalizedFinding] {
        let directory = TemporaryDirectory()
        return try readFindings(try directory.write("gvm.xml", text)).findings
    }

    static func report(_ result: String) -> String {
        """
        <report id="r" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5"><report id="r">
        <results start="1" max="-1">
        \(result)
        </results></report></report>
        """
    }

    @Test func badResultsAreRefusedWithTheirLine() throws {
        let noNVT = Self.report(
            "<result id=\"1\"><host>10.0.0.1</host><port>22/tcp</port><severity>5.0</severity></result>")
        let badScore = Self.report(
            "<result id=\"1\"><host>10.0.0.1</host><port>22/tcp</port><nvt oid=\"1.3\"><name>x</name></nvt><severity>11</severity></result>"
        )
        for (text, words) in [(noNVT, "needs an <nvt>"), (badScore, "severity '11'")] {
            do {
                _ = try read(text)
                Issue.record("read: \(text)")
            } catch let error as Diagnostic {
                #expect(error.place == "line 3", "\(error)")
                #expect(error.message.contains(words), "\(error)")
            }
        }
        do {
            _ = try read("<report id=\"x\"><name>not a scan</name></report>")
            Issue.record("a report without results was read")
        } catch let error as Diagnostic {
            #expect(error.message.contains("holds no <results>"), "\(error)")
        }
    }

    @Test func aHostIsKnownByItsAssetIdThenNameThenAddress() throws {
        let findings = try read(
            Self.report(
                """
                <result id="1"><host>10.0.0.1<asset asset_id="A-17"/><hostname>db.example.gov</hostname></host><port>5432/tcp</port><nvt oid="1.3.6"><name>PostgreSQL weak</name></nvt><severity>7.5</severity></result>
                <result id="2"><host>10.0.0.2<asset asset_id=""/><hostname>Web.Example.gov</hostname></host><port>443/tcp</port><nvt oid="1.3.6"><name>PostgreSQL weak</name></nvt><severity>3.1</severity></result>
                <result id="3"><host>10.0.0.3</host><port>general/tcp</port><nvt oid="1.3.7"><name>Log</name></nvt><severity>0.0</severity></result>
                """))
        #expect(findings.map(\.asset) == ["a-17", "web.example.gov", "10.0.0.3"])
        #expect(findings.map(\.severity) == [.high, .low, .info])
    }
}

extension NormalizedFinding {
    /// The parts a host finding is identified by, for tests.
    var identityForTest: String {
        "\(ruleID)|\(toolFingerprints["host"] ?? "")|\(toolFingerprints["endpoint"] ?? "")"
    }
}

/// Greenbone / OpenVAS CSV exports from the corpora (hosts/openvas-csv): a finding per (NVT OID,
/// host, port), as from the XML. Counts cross-checked with an independent reading (Python's
/// csv) and against DefectDojo's.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct OpenVASCSVCorpusTests {
    @Test(arguments: [
        ("defectdojo-no_vuln.csv", 0), ("defectdojo-many_vuln.csv", 4), ("defectdojo-report_using_CVE.csv", 43),
    ])
    func everyResultRowIsAFindingOfItsHostAndPort(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("hosts/openvas-csv/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .openvasCSV)
        let script = """
            import csv, sys
            rows = [r for r in csv.DictReader(open(sys.argv[1], newline=''))]
            keys = {(r['NVT OID'], (r['Hostname'] or r['IP']).lower(), (r['Port'] or 'general') + '/' + (r['Port Protocol'] or 'tcp').lower()) for r in rows}
            print(len(rows), len(keys))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts.count == 2, "\(run.text)")
        #expect(findings.count == counts.last)
        #expect(counts.first == defectDojo)
        #expect(findings.count == defectDojo, "no two rows of these samples share a host, port and NVT")
    }

    @Test func aRowCarriesItsScoreCVEsAndHostName() throws {
        let findings = try readFindings(Corpora.path("hosts/openvas-csv/defectdojo-many_vuln.csv")).findings
        let timestamps = try #require(findings.first)
        #expect(timestamps.asset == "logsrv", "the host name before the address")
        #expect(timestamps.severity == .low, "CVSS 2.6")
        #expect(timestamps.toolFingerprints["endpoint"] == "general/tcp", "no port given")
        let cve = try readFindings(Corpora.path("hosts/openvas-csv/defectdojo-report_using_CVE.csv")).findings
        #expect(cve.allSatisfy { $0.ruleID.hasPrefix("CVE-") }, "the CVE scanner's NVT OIDs are CVE ids")
    }
}
