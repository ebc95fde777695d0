import CustodyCore

/// Tenable's CSV exports: Nessus's (`Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,...`) and
/// Tenable Vulnerability Management's (`;`-separated, `asset.*` and `definition.*` columns). A
/// finding per (plugin, host, port/protocol), as in the `.nessus` reader: rows that differ only by
/// CVE (Nessus writes one row per CVE) are one finding with every CVE; rows without a plugin
/// name are skipped. The host: its asset id, else FQDN, else IP, else the Host column.
public struct TenableCSVReader: ReportReader {
    public let format = ReportFormat.tenableCSV

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard source.rootMembers == nil, source.file.lowercased().hasSuffix(".csv") else { return false }
        let head = String(decoding: source.input.bytes.prefix(2048), as: UTF8.self)
        let header = head.prefix { $0 != "\n" && $0 != "\r\n" }
        return header.hasPrefix("Plugin ID,") || (header.contains("definition.id") && header.contains("asset."))
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        let firstLine = source.input.bytes.prefix { $0 != UInt8(ascii: "\n") }
        let semicolons = firstLine.filter { $0 == UInt8(ascii: ";") }.count
        let commas = firstLine.filter { $0 == UInt8(ascii: ",") }.count
        let rows = try CSV.rows(
            source.input.bytes, file: source.file, separator: UInt8(ascii: semicolons > commas ? ";" : ","))
        guard let header = rows.first else { throw fields.fail("line 1", "empty: expected a header row") }
        var columns: [String: Int] = [:]
        for (index, name) in header.enumerated() where !name.isEmpty && columns[name.lowercased()] == nil {
            columns[name.lowercased()] = index
        }
        let modern = columns["definition.id"] != nil
        func column(_ classic: String, _ current: String) -> Int? { columns[modern ? current : classic] }
        guard let plugin = column("plugin id", "definition.id"), let name = column("name", "definition.name") else {
            throw fields.fail("line 1", "a Tenable export needs its plugin id and name columns")
        }
        let hosts = [
            column("asset uuid", "asset.id"), column("fqdn", "asset.display_fqdn"),
            column("ip address", "asset.display_ipv4_address"), column("host", "asset.host_name"),
        ].compactMap { $0 }
        let severityColumn = column("risk", "severity")
        let (portColumn, protocolColumn) = (column("port", "port"), column("protocol", "protocol"))
        let cveColumn = column("cve", "definition.cve")
        // The findings in the order first met, rows of one (plugin, host, port) merged.
        var merged = HostRows()
        try emit(.run(tool: "Nessus", version: nil))
        for (number, row) in rows.enumerated().dropFirst() where row.contains(where: { !$0.isEmpty }) {
            let place = "line \(number + 1)"
            func value(_ index: Int?) -> String? {
                guard let index, index < row.count else { return nil }
                let text = row[index].trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty ? nil : text
            }
            guard let title = value(name) else { continue }
            guard let id = value(plugin) else { throw fields.fail(place, "a row needs its plugin id") }
            guard let host = hosts.lazy.compactMap(value).first?.lowercased() else {
                throw fields.fail(place, "a row needs its host (asset id, FQDN, IP or host)")
            }
            let endpoint = "\(value(portColumn) ?? "0")/\((value(protocolColumn) ?? "tcp").lowercased())"
            let cves = Self.cves(in: value(cveColumn) ?? "")
            if merged.merge(check: id, host: host, endpoint: endpoint, cves: cves) { continue }
            let severity = try Self.severity(value(severityColumn), place: place, fields: fields)
            var finding = NormalizedFinding(
                tool: "Nessus", toolVersion: nil, ruleID: id,
                message: value(column("synopsis", "definition.synopsis")) ?? title, severity: severity,
                score: nil, cves: cves, path: nil)
            finding.ruleName = title
            finding.cvssVectors = [
                value(column("cvss3 vector", "definition.cvss3.base_vector")),
                value(column("cvss vector", "definition.cvss2.base_vector")),
            ].compactMap { $0 }
            merged.add(finding, host: host, endpoint: endpoint)
        }
        try merged.emit(emit)
        return ReportSummary(format: .tenableCSV, tool: "Nessus", version: nil, findings: merged.count)
    }

    static func severity(_ text: String?, place: String, fields: Fields) throws -> Severity {
        switch (text ?? "none").lowercased() {
        case "none", "info", "informational", "0": return .info
        case "low", "1": return .low
        case "medium", "2": return .medium
        case "high", "3": return .high
        case "critical", "4": return .critical
        case let other: throw fields.fail(place, "unknown risk '\(other)' (None, Low, Medium, High, Critical)")
        }
    }

    /// Every CVE id in a cell (one, a list, or JSON).
    static func cves(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text.uppercased())
        while let start = rest.range(of: "CVE-") {
            let tail = rest[start.lowerBound...]
            let id = tail.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if id.split(separator: "-").count == 3, !found.contains(String(id)) { found.append(String(id)) }
            rest = rest[start.upperBound...]
        }
        return found
    }
}
