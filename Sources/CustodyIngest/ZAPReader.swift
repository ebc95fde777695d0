import CustodyCore
import CustodyXML
import Foundation

/// OWASP ZAP's XML report (`OWASPZAPReport`, ZAP 2.x): each `alertitem` of each `site`. A
/// finding is an alert at one endpoint and parameter - (alert, site, method and URL without its
/// query, parameter) - so an alert found on ten pages is ten findings with owners and fixes of
/// their own; instances repeating that key are the same finding. The alert is its `alertRef`
/// (ZAP 2.10+, which tells a scan rule's variants apart) or its `pluginid`. Severity is the
/// `riskcode` (0 info, 1 low, 2 medium, 3 high); the asset is the site's host, so host rules
/// and the inventory own it. docs/formats.md.
public struct ZAPReader: ReportReader {
    public let format = ReportFormat.zap

    public init() {}

    public func detect(_ source: ReportSource) -> Bool { source.hasXMLRoot("OWASPZAPReport") }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let root = try source.xmlRoot("OWASPZAPReport", of: "ZAP")
        let version = root.attributes["version"]
        try emit(.run(tool: "ZAP", version: version))
        var count = 0
        for site in root.children("site") {
            guard let host = (site.attributes["host"] ?? site.attributes["name"]).map(WebEndpoint.host), !host.isEmpty
            else {
                throw Diagnostic(file: source.file, place: "line \(site.line)", message: "a site needs a host or name")
            }
            for alert in site.child("alerts")?.children("alertitem") ?? [] {
                for finding in try Self.findings(alert, site: site, host: host, version: version, file: source.file) {
                    try emit(.finding(finding))
                    count += 1
                }
            }
        }
        return ReportSummary(format: .zap, tool: "ZAP", version: version, findings: count)
    }

    /// One finding per endpoint and parameter of the alert's instances, in report order.
    static func findings(
        _ alert: XMLElement, site: XMLElement, host: String, version: String?, file: String
    ) throws -> [NormalizedFinding] {
        let place = "line \(alert.line)"
        guard let rule = alert.text(of: "alertRef") ?? alert.text(of: "pluginid") else {
            throw Diagnostic(file: file, place: place, message: "an alertitem needs a pluginid")
        }
        let severity: Severity
        switch alert.text(of: "riskcode") ?? "" {
        case "0": severity = .info
        case "1": severity = .low
        case "2": severity = .medium
        case "3": severity = .high
        case let other:
            throw Diagnostic(file: file, place: place, message: "riskcode '\(other)' is not 0 to 3")
        }
        let name = alert.text(of: "alert") ?? alert.text(of: "name") ?? "ZAP alert \(rule)"
        // Older reports put one instance's fields on the alert itself.
        var instances = alert.child("instances")?.children("instance") ?? []
        if instances.isEmpty { instances = [alert] }
        var seen: Set<String> = []
        var findings: [NormalizedFinding] = []
        for instance in instances {
            let method = (instance.text(of: "method") ?? "GET").uppercased()
            let url = instance.text(of: "uri").map(WebEndpoint.withoutQuery) ?? site.attributes["name"] ?? host
            let parameter = instance.text(of: "param") ?? ""
            let endpoint = method + " " + url
            guard seen.insert(endpoint + "\u{0}" + parameter).inserted else { continue }
            var finding = NormalizedFinding(
                tool: "ZAP", toolVersion: version, ruleID: rule,
                message: parameter.isEmpty ? "\(name): \(endpoint)" : "\(name): \(endpoint) (\(parameter))",
                severity: severity, snippet: instance.text(of: "evidence"))
            finding.ruleName = name
            if let cwe = alert.text(of: "cweid"), let number = Int(cwe), number > 0 { finding.cwes = ["CWE-\(number)"] }
            finding.place(onHost: host, endpoint: endpoint, parameter: parameter)
            findings.append(finding)
        }
        return findings
    }
}
