import CustodyCore
import CustodyXML
import Foundation

/// Burp Suite's XML issues export (`<issues burpVersion=...>`): each `issue` is a finding of its
/// issue type at one place - (type, host, location: the path with the parameter Burp names, as
/// `/basket.jsp [b_id cookie]`); issues repeating that key are one finding. Severity is the
/// issue's (High, Medium, Low, Information); CWEs from `vulnerabilityClassifications`; the host
/// is the finding's asset. Requests and responses are not kept. docs/formats.md.
public struct BurpReader: ReportReader {
    public let format = ReportFormat.burp

    public init() {}

    public func detect(_ source: ReportSource) -> Bool { source.hasXMLRoot("issues") }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let root = try source.xmlRoot("issues", of: "Burp")
        let version = root.attributes["burpVersion"]
        try emit(.run(tool: "Burp", version: version))
        var seen: Set<String> = []
        var count = 0
        for issue in root.children("issue") {
            let place = "line \(issue.line)"
            guard let type = issue.text(of: "type"), let hostText = issue.text(of: "host") else {
                throw Diagnostic(file: source.file, place: place, message: "an issue needs a type and a host")
            }
            let severity: Severity
            switch (issue.text(of: "severity") ?? "").lowercased() {
            case "high": severity = .high
            case "medium": severity = .medium
            case "low": severity = .low
            case "information", "info": severity = .info
            case let other:
                throw Diagnostic(
                    file: source.file, place: place,
                    message: "severity '\(other)' is not High, Medium, Low or Information")
            }
            let host = WebEndpoint.host(hostText)
            let location = issue.text(of: "location") ?? issue.text(of: "path") ?? "/"
            guard seen.insert(type + "\u{0}" + host + "\u{0}" + location).inserted else { continue }
            let name = issue.text(of: "name") ?? "Burp issue \(type)"
            var finding = NormalizedFinding(
                tool: "Burp", toolVersion: version, ruleID: type, message: "\(name): \(hostText)\(location)",
                severity: severity)
            finding.ruleName = name
            finding.cwes = Self.cwes(in: issue.text(of: "vulnerabilityClassifications") ?? "")
            finding.place(onHost: host, endpoint: location)
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .burp, tool: "Burp", version: version, findings: count)
    }

    /// The CWE ids an HTML list of classifications names (`CWE-524: ...`), in order, once each.
    static func cwes(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: "CWE-") {
            let digits = rest[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, !found.contains("CWE-" + digits) { found.append("CWE-" + digits) }
            rest = rest[range.upperBound...]
        }
        return found
    }
}
