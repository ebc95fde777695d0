import CustodyCore
import CustodyXML
import Foundation

/// Nmap's XML output (`-oX`, `<nmaprun>`): each open port of each host that is up is an
/// informational exposure finding (rule `open-port`, identity (host, port/protocol)), with the
/// service Nmap saw; each entry of the `vulners` script on a port is a finding of its own
/// (identity (vulnerability id, host, port/protocol)), its severity from its CVSS score in
/// CVSS bands (none given: medium). The host is known by its name (a user-given or PTR name) before its address;
/// it is the finding's asset. docs/formats.md.
public struct NmapReader: ReportReader {
    public let format = ReportFormat.nmap

    public init() {}

    public func detect(_ source: ReportSource) -> Bool { source.hasXMLRoot("nmaprun") }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let root = try source.xmlRoot("nmaprun", of: "Nmap")
        let version = root.attributes["version"]
        let started = root.attributes["start"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
        try emit(.run(tool: "Nmap", version: version, startedAt: started))
        var count = 0
        for host in root.children("host") where host.child("status")?.attributes["state"] ?? "up" == "up" {
            guard let identity = Self.hostIdentity(host) else {
                throw Diagnostic(file: source.file, place: "line \(host.line)", message: "a host needs an address")
            }
            for port in host.child("ports")?.children("port") ?? [] {
                guard port.child("state")?.attributes["state"] == "open" else { continue }
                for finding in try Self.findings(port, host: identity, version: version, file: source.file) {
                    try emit(.finding(finding))
                    count += 1
                }
            }
        }
        return ReportSummary(format: .nmap, tool: "Nmap", version: version, findings: count)
    }

    /// The open port as an exposure, then each vulnerability the vulners script lists for it.
    static func findings(_ port: XMLElement, host: String, version: String?, file: String) throws
        -> [NormalizedFinding]
    {
        guard let number = port.attributes["portid"], let portNumber = Int(number), (0...65_535).contains(portNumber)
        else {
            throw Diagnostic(file: file, place: "line \(port.line)", message: "a port needs a portid from 0 to 65535")
        }
        let endpoint = "\(portNumber)/\((port.attributes["protocol"] ?? "tcp").lowercased())"
        let service = port.child("service")?.attributes ?? [:]
        let described = [service["product"], service["version"], service["extrainfo"].map { "(\($0))" }]
            .compactMap { $0 }.joined(separator: " ")
        let serviceName = service["name"] ?? "unknown service"
        var open = NormalizedFinding(
            tool: "Nmap", toolVersion: version, ruleID: "open-port",
            message: "Open port \(endpoint) on \(host): \(serviceName)" + (described.isEmpty ? "" : ", \(described)"),
            severity: .info)
        open.ruleName = "Open port"
        open.place(onHost: host, endpoint: endpoint)
        var findings = [open]
        var seen: Set<String> = []
        for script in port.children("script") where script.attributes["id"] == "vulners" {
            for entry in Self.tables(in: script) {
                var values: [String: String] = [:]
                for element in entry.children("elem") {
                    if let key = element.attributes["key"] { values[key] = element.text }
                }
                guard let id = values["id"]?.trimmingCharacters(in: .whitespaces), !id.isEmpty,
                    seen.insert(id).inserted
                else { continue }
                let score = values["cvss"].flatMap(Double.init).map { min(10, max(0, $0)) }
                let cve = id.uppercased().hasPrefix("CVE-") ? [id.uppercased()] : []
                var finding = NormalizedFinding(
                    tool: "Nmap", toolVersion: version, ruleID: id,
                    message: "\(id) in \(serviceName) \(described) on \(host) \(endpoint)",
                    severity: score.map(Severity.init(score:)) ?? .medium,
                    score: score, cves: cve)
                finding.ruleName = id
                finding.vulnerabilityIDs = cve
                finding.place(onHost: host, endpoint: endpoint)
                finding.securityTagged = true  // a listed vulnerability, whatever its score
                findings.append(finding)
            }
        }
        return findings
    }

    /// The vulners script's entries: the tables that hold an `id`, at any depth.
    static func tables(in element: XMLElement) -> [XMLElement] {
        element.children("table").flatMap { table in
            table.children("elem").contains { $0.attributes["key"] == "id" } ? [table] : tables(in: table)
        }
    }

    /// The host's name (user-given, then PTR) before its IPv4 or IPv6 address.
    static func hostIdentity(_ host: XMLElement) -> String? {
        let names = host.child("hostnames")?.children("hostname") ?? []
        let name =
            names.first { $0.attributes["type"] == "user" }?.attributes["name"]
            ?? names.first?.attributes["name"]
        let address = host.children("address").first { $0.attributes["addrtype"] != "mac" }?.attributes["addr"]
        return [name, address].lazy.compactMap { $0 }.first { !$0.isEmpty }?.lowercased()
    }
}
