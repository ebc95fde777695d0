import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// Nmap XML from the corpora (hosts/nmap-xml): each open port of each host that is up is an
/// informational exposure, each vulners entry a finding of its own. Counts cross-checked with an
/// independent reading (Python's xml.etree) and against DefectDojo's, which keeps one finding
/// per port number for the whole file.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct NmapCorpusTests {
    /// The file; DefectDojo's count (SOURCES.md: a finding per port number plus a finding per
    /// vulners id).
    @Test(arguments: [
        ("defectdojo-nmap_0port.xml", 0), ("defectdojo-issue12411.xml", 2), ("defectdojo-issue4406.xml", 67),
    ])
    func everyOpenPortOfEveryHostIsAnExposure(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("hosts/nmap-xml/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .nmap)
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            open_ports, numbers, vulns = 0, set(), 0
            for host in root.iter('host'):
                if host.find('status') is not None and host.find('status').get('state') != 'up':
                    continue
                for port in host.iter('port'):
                    if port.find('state').get('state') != 'open':
                        continue
                    open_ports += 1
                    numbers.add(port.get('portid'))
                    for s in port.iter('script'):
                        if s.get('id') == 'vulners':
                            vulns += len({e.text for e in s.iter('elem') if e.get('key') == 'id'})
            print(open_ports, vulns, len(numbers) + vulns)
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts.count == 3, "\(run.text)")
        #expect(findings.filter { $0.ruleID == "open-port" }.count == counts.first, "an exposure per host and port")
        #expect(findings.filter { $0.ruleID != "open-port" }.count == counts.dropFirst().first)
        #expect(Set(findings.map(\.identityForTest)).count == findings.count)
        // DefectDojo merges a port's hosts into one finding; Custody keeps each host's, so that
        // each host's owner answers for its own open port.
        #expect(counts.last == defectDojo)
    }

    @Test func anExposureNamesItsServiceAndAVulnerabilityItsScore() throws {
        let findings = try readFindings(Corpora.path("hosts/nmap-xml/defectdojo-issue4406.xml")).findings
        let ssh = try #require(
            findings.first { $0.ruleID == "open-port" && $0.toolFingerprints["endpoint"] == "22/tcp" })
        #expect(ssh.severity == .info)
        #expect(ssh.asset == "ip-10-250-195-71.eu-west-1.compute.internal", "the PTR name before the address")
        #expect(ssh.message.contains("ssh, OpenSSH 7.4 (protocol 2.0)"), "\(ssh.message)")
        let cves = findings.filter { !$0.cves.isEmpty }
        #expect(cves.count == 8)
        #expect(cves.allSatisfy { $0.cves == [$0.ruleID.uppercased()] && $0.score != nil })
        let exploit = try #require(findings.first { $0.ruleID == "MSF:ILITIES/UBUNTU-CVE-2019-6111/" })
        #expect(exploit.severity == .medium, "cvss 5.8")
    }
}

/// Nmap output made by hand: closed ports and hosts that are down are not findings; a bad port
/// number is refused with its line.
struct NmapInputTests {
    let directory = TemporaryDirectory()

    func read(_ text: String) throws -> [NormalizedFinding] {
        try readFindings(try directory.write("scan.xml", text)).findings
    }

    @Test func onlyOpenPortsOfHostsThatAreUp() throws {
        let findings = try read(
            """
            <?xml version="1.0"?>
            <nmaprun scanner="nmap" version="7.94" start="1795000000">
            <host><status state="up"/><address addr="10.0.0.5" addrtype="ipv4"/><address addr="AA:BB:CC:DD:EE:FF" addrtype="mac"/>
            <ports><port protocol="tcp" portid="443"><state state="open"/><service name="https"/></port>
            <port protocol="tcp" portid="8080"><state state="closed"/></port></ports></host>
            <host><status state="down"/><address addr="10.0.0.6" addrtype="ipv4"/></host>
            </nmaprun>
            """)
        #expect(findings.map(\.message) == ["Open port 443/tcp on 10.0.0.5: https"])
        #expect(findings.first?.asset == "10.0.0.5")
    }

    @Test func aPortOutOfRangeIsRefusedWithItsLine() throws {
        do {
            _ = try read(
                """
                <nmaprun version="7.94"><host><address addr="10.0.0.5" addrtype="ipv4"/>
                <ports><port protocol="tcp" portid="70000"><state state="open"/></port></ports></host></nmaprun>
                """)
            Issue.record("port 70000 was read")
        } catch let error as Diagnostic {
            #expect(error.place == "line 2", "\(error)")
        }
    }
}
