import CustodyCore
import CustodyXML

/// Tenable Nessus's `.nessus` export (NessusClientData_v2 XML): each `ReportItem` of each
/// `ReportHost`. A finding is identified by (plugin id, host, port/protocol): the host by its
/// stable asset id when the scan gives one (`tenable-uuid`, `host-uuid`), else its FQDN, else its
/// IP, else the name Nessus reported it under. Severity is the item's `severity` (0 info, 1 low,
/// 2 medium, 3 high, 4 critical). docs/formats.md.
public struct NessusReader: ReportReader {
    public let format = ReportFormat.nessus

    public init() {}

    public func detect(_ source: ReportSource) -> Bool { source.hasXMLRoot("NessusClientData_v2") }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let root = try source.xmlRoot("NessusClientData_v2", of: "Nessus")
        try emit(.run(tool: "Nessus", version: nil))
        var count = 0
        for report in root.children("Report") {
            for host in report.children("ReportHost") {
                let identity = Self.hostIdentity(host)
                guard let identity else {
                    throw Diagnostic(
                        file: source.file, place: "line \(host.line)", message: "a ReportHost needs a name or host-ip")
                }
                for item in host.children("ReportItem") {
                    try emit(.finding(try Self.finding(item, host: identity, file: source.file)))
                    count += 1
                }
            }
        }
        return ReportSummary(format: .nessus, tool: "Nessus", version: nil, findings: count)
    }

    /// The host's identity: a stable asset id, else its FQDN, else its IP, else its name.
    static func hostIdentity(_ host: XMLElement) -> String? {
        var tags: [String: String] = [:]
        for tag in host.child("HostProperties")?.children("tag") ?? [] {
            if let name = tag.attributes["name"] { tags[name] = tag.text.trimmingCharacters(in: .whitespaces) }
        }
        for key in ["tenable-uuid", "host-uuid", "host-fqdn", "host-ip"] {
            if let value = tags[key], !value.isEmpty { return value.lowercased() }
        }
        return host.attributes["name"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
    }

    static func finding(_ item: XMLElement, host: String, file: String) throws -> NormalizedFinding {
        let place = "line \(item.line)"
        guard let plugin = item.attributes["pluginID"], !plugin.isEmpty else {
            throw Diagnostic(file: file, place: place, message: "a ReportItem needs a pluginID")
        }
        let severity: Severity
        switch item.attributes["severity"] ?? "0" {
        case "0": severity = .info
        case "1": severity = .low
        case "2": severity = .medium
        case "3": severity = .high
        case "4": severity = .critical
        case let other:
            throw Diagnostic(file: file, place: place, message: "severity '\(other)' is not 0 to 4")
        }
        let name = item.attributes["pluginName"] ?? item.text(of: "plugin_name") ?? "plugin \(plugin)"
        let port = item.attributes["port"] ?? "0"
        let transport = (item.attributes["protocol"] ?? "tcp").lowercased()
        let cves = item.children("cve").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased() }
            .filter { $0.hasPrefix("CVE-") }
        var finding = NormalizedFinding(
            tool: "Nessus", toolVersion: nil, ruleID: plugin, message: item.text(of: "synopsis") ?? name,
            severity: severity,
            score: (item.text(of: "cvss3_base_score") ?? item.text(of: "cvss_base_score")).flatMap(Double.init),
            cves: cves, path: nil)
        finding.ruleName = name
        finding.cwes = item.children("cwe").map { "CWE-" + $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        finding.cvssVectors = [item.text(of: "cvss3_vector"), item.text(of: "cvss_vector")].compactMap { $0 }
        finding.vulnerabilityIDs = cves
        // The identity: the plugin on this host at this port.
        finding.place(onHost: host, endpoint: "\(port)/\(transport)")
        return finding
    }
}
