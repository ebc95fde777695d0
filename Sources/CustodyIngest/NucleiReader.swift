import CustodyCore
import CustodyJSON
import Foundation

/// ProjectDiscovery Nuclei's results: JSON Lines (`-jsonl`, one result a line; older versions
/// write `templateID` and `matched`) or a JSON array (`-json-export`, `template-id` and
/// `matched-at`). A finding is a template (with its matcher, when it names one) at one endpoint:
/// (template and matcher, host, the matched URL without its query, or `host:port`); results
/// repeating that key are one finding. Severity is the template's `info.severity` (`unknown`:
/// medium); CVEs and CWEs from `info.classification`; the host is the finding's asset.
/// docs/formats.md.
public struct NucleiReader: ReportReader {
    public let format = ReportFormat.nuclei

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        // An empty JSON Lines file is no one's: Nuclei writes one when nothing matched.
        if let lines = source.lines, lines.isEmpty { return true }
        guard let first = source.firstRecord(), first.kind == .object else { return false }
        return (first["template-id"] ?? first["templateID"]) != nil && first["info"] != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        let records = try source.records()
        try emit(.run(tool: "Nuclei", version: nil))
        var seen: Set<String> = []
        var count = 0
        for (place, span) in records {
            let result = try source.value(span)
            try fields.object(result, place)
            let template = try fields.required(result["template-id"] ?? result["templateID"], place + " template-id")
            let matcher = try fields.string(result["matcher-name"] ?? result["matcher_name"], place + " matcher-name")
            let rule = matcher.map { template + ":" + $0 } ?? template
            guard let info = result["info"], info.kind == .object else {
                throw fields.fail(place, "a result needs info")
            }
            let matched =
                try fields.string(result["matched-at"] ?? result["matched"], place + " matched-at")
                ?? fields.required(result["host"], place + " host")
            let host = WebEndpoint.host(try fields.string(result["host"], place + " host") ?? matched)
            let endpoint = matched.contains("://") ? WebEndpoint.withoutQuery(matched) : matched.lowercased()
            guard seen.insert(rule + "\u{0}" + host + "\u{0}" + endpoint).inserted else { continue }
            let name = try fields.string(info["name"], place + " info.name") ?? template
            // Nuclei's `unknown` is a template that did not say: medium, as for no severity.
            let severity =
                try fields.string(info["severity"], place + " info.severity")?.lowercased() == "unknown"
                ? .medium : try fields.severity(info["severity"], place + " info.severity")
            let classification = info["classification"]
            let cves = try Self.list(classification?["cve-id"], fields, place + " info.classification.cve-id")
                .map { $0.uppercased() }.filter { $0.hasPrefix("CVE-") }
            var finding = NormalizedFinding(
                tool: "Nuclei", toolVersion: nil, ruleID: rule, message: "\(name): \(endpoint)", severity: severity,
                score: try fields.double(classification?["cvss-score"], place + " info.classification.cvss-score"),
                cves: cves)
            finding.ruleName = name
            finding.cwes = try Self.list(classification?["cwe-id"], fields, place + " info.classification.cwe-id")
                .map { $0.uppercased() }.filter { $0.hasPrefix("CWE-") }
            finding.vulnerabilityIDs = cves
            if let vector = try fields.string(classification?["cvss-metrics"], place + " cvss-metrics") {
                finding.cvssVectors = [vector]
            }
            finding.place(onHost: host, endpoint: endpoint)
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .nuclei, tool: "Nuclei", version: nil, findings: count)
    }

    /// A string or an array of strings (Nuclei writes either), or none.
    static func list(_ value: JSONValue?, _ fields: Fields, _ place: String) throws -> [String] {
        if let text = value?.string {
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return try fields.strings(value, place)
    }
}
