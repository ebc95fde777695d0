import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// A report's format as detected, and its findings.
func readFindings(_ path: String) throws -> (format: ReportFormat, findings: [NormalizedFinding]) {
    let (source, reader) = try ReportRegistry.open(path: path)
    var findings: [NormalizedFinding] = []
    _ = try reader.read(source) { item in
        if case .finding(let finding) = item { findings.append(finding) }
    }
    return (reader.format, findings)
}

/// Tenable Nessus `.nessus` exports from the corpora (hosts/nessus-xml): detected, read through
/// libxml2, a finding per ReportItem identified by (plugin, host, port/protocol). Counts
/// cross-checked with an independent reading (Python's xml.etree, run by the test) and against
/// DefectDojo's, which merges every host's item of a plugin into one finding.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct NessusCorpusTests {
    /// The file; DefectDojo's count (SOURCES.md: one finding per plugin and severity).
    @Test(arguments: [
        ("defectdojo-nessus_was_no_vuln.xml", 0), ("defectdojo-nessus_many_vuln.xml", 6),
        ("defectdojo-nessus_v_unknown.xml", 32),
    ])
    func everyReportItemIsAFindingOfItsHostAndPort(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("hosts/nessus-xml/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .nessus)
        // The independent reading: every (host, plugin, port, protocol), and the plugins.
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            items = []
            for host in root.iter('ReportHost'):
                tags = {t.get('name'): t.text for t in host.iter('tag')}
                name = (tags.get('tenable-uuid') or tags.get('host-uuid') or tags.get('host-fqdn')
                        or tags.get('host-ip') or host.get('name')).lower()
                items += [(name, i.get('pluginID'), i.get('port'), i.get('protocol')) for i in host.iter('ReportItem')]
            print(len(items), len(set(items)), len({(i.get('severity'), i.get('pluginName')) for i in root.iter('ReportItem')}))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts.count == 3, "\(run.text)")
        #expect(findings.count == counts.first, "a finding per ReportItem")
        let identities = Set(findings.map { "\($0.asset ?? "")|\($0.ruleID)|\($0.toolFingerprints["endpoint"] ?? "")" })
        #expect(identities.count == counts.dropFirst().first, "each (host, plugin, port/protocol) once")
        // DefectDojo keeps one finding per plugin for the whole file, its hosts as endpoints;
        // Custody keeps each host's, so that each host's owner is accountable for its own.
        #expect(counts.last == defectDojo)
        #expect(Set(findings.map { "\($0.severity.rawValue)|\($0.ruleName ?? "")" }).count == defectDojo)
    }

    @Test func aHostIsKnownByItsFQDNAndAnItemByItsPluginPortAndScores() throws {
        let findings = try readFindings(Corpora.path("hosts/nessus-xml/defectdojo-nessus_v_unknown.xml")).findings
        let nla = try #require(findings.first { $0.ruleID == "58453" && $0.asset == "qa3app09" })
        #expect(nla.severity == .medium)
        #expect(nla.toolFingerprints["endpoint"] == "3389/tcp")
        #expect(nla.ruleName == "Terminal Services Doesn't Use Network Level Authentication (NLA)")
        #expect(Set(findings.compactMap(\.asset)).count == 7)
        #expect(findings.filter { $0.severity == .info }.count == 266)
    }
}

/// XML that is not a Nessus report, or not XML a reader may trust: refused with the file and
/// line, and an external entity never read.
struct NessusInputTests {
    func read(_ text: String) throws -> [NormalizedFinding] {
        let directory = TemporaryDirectory()
        let path = try directory.write("scan.nessus", text)
        let (source, reader) = try ReportRegistry.open(path: path, format: .nessus)
        var findings: [NormalizedFinding] = []
        _ = try reader.read(source) { item in
            if case .finding(let finding) = item { findings.append(finding) }
        }
        return findings
    }

    @Test func anExternalEntityIsNeverReadAndBrokenXMLNamesItsLine() throws {
        let secret = try TemporaryDirectory().write("secret.txt", "TOP-SECRET-VALUE")
        let hostile = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY leak SYSTEM "file://\(secret)">]>
            <NessusClientData_v2><Report name="r"><ReportHost name="10.0.0.1">
            <ReportItem port="22" protocol="tcp" severity="3" pluginID="1" pluginName="x"><synopsis>&leak;</synopsis></ReportItem>
            </ReportHost></Report></NessusClientData_v2>
            """
        let findings = try read(hostile)
        #expect(findings.count == 1)
        #expect(!(findings.first?.message.contains("TOP-SECRET") ?? true), "\(findings)")
        #expect(findings.first?.severity == .high)
        #expect(findings.first?.asset == "10.0.0.1")
        do {
            _ = try read("<NessusClientData_v2>\n<Report>\n<ReportHost name='a'>\n</Report>")
            Issue.record("broken XML was read")
        } catch let diagnostic as Diagnostic {
            #expect(diagnostic.file.hasSuffix("scan.nessus"))
            #expect(diagnostic.place?.hasPrefix("line") == true, "\(diagnostic)")
        }
        #expect(throws: Diagnostic.self) {
            _ = try read(
                "<NessusClientData_v2><Report><ReportHost name='a'><ReportItem severity='9' pluginID='1'/></ReportHost></Report></NessusClientData_v2>"
            )
        }
        #expect(throws: Diagnostic.self) { _ = try read("<other/>") }
    }
}

/// Tenable's CSV exports from the corpora (hosts/tenable-csv): Nessus's comma layout, one row per
/// CVE, and Tenable Vulnerability Management's `;` layout. Counts as DefectDojo asserts them
/// (SOURCES.md), cross-checked with an independent reading (Python's csv module).
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct TenableCSVCorpusTests {
    @Test(arguments: [
        ("defectdojo-nessus_was_no_vuln.csv", 0), ("defectdojo-tenable_many_vuln.csv", 9),
        ("defectdojo-nessus_new.csv", 99),
    ])
    func aFindingPerPluginHostAndPortWithEveryCVEOfItsRows(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("hosts/tenable-csv/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .tenableCSV)
        #expect(findings.count == defectDojo)
        let script = """
            import csv, sys
            text = open(sys.argv[1], newline='').read()
            first = text.split('\\n', 1)[0]
            rows = list(csv.reader(text.splitlines(), delimiter=';' if first.count(';') > first.count(',') else ','))
            head = {n.lower(): i for i, n in reversed(list(enumerate(rows[0]))) if n}
            modern = 'definition.id' in head
            get = lambda r, a, b: r[head[b if modern else a]].strip() if (b if modern else a) in head else ''
            keys = set()
            for r in rows[1:]:
                if not any(x.strip() for x in r) or not get(r, 'name', 'definition.name'): continue
                host = (get(r, 'asset uuid', 'asset.id') or get(r, 'fqdn', 'asset.display_fqdn')
                        or get(r, 'ip address', 'asset.display_ipv4_address') or get(r, 'host', 'asset.host_name')).lower()
                keys.add((get(r, 'plugin id', 'definition.id'), host, get(r, 'port', 'port'), get(r, 'protocol', 'protocol').lower()))
            print(len(keys))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        #expect(Int(run.text.trimmingCharacters(in: .whitespacesAndNewlines)) == findings.count, "\(run.text)")
        #expect(
            Set(findings.map { "\($0.asset ?? "")|\($0.ruleID)|\($0.toolFingerprints["endpoint"] ?? "")" }).count
                == findings.count)
        if name == "defectdojo-tenable_many_vuln.csv" {
            // Rows of one plugin, host and port that differ by CVE are one finding with every CVE.
            #expect(findings.contains { $0.cves.count > 1 }, "\(findings.map(\.cves))")
            #expect(Set(findings.map(\.severity)) == [.high, .medium])
        }
    }
}
