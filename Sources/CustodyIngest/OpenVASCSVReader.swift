import CustodyCore

/// Greenbone / OpenVAS's CSV results export (`IP,Hostname,Port,Port Protocol,CVSS,Severity,...`):
/// a finding per (NVT OID, host, port/protocol), as in the XML reader - rows repeating that key
/// are one finding with every CVE; the host by its name before its address; a row without a port
/// is on `general/<protocol>`. Severity is the CVSS score in CVSS bands, or the Severity word
/// (`Log` info) when the score is missing. docs/formats.md.
public struct OpenVASCSVReader: ReportReader {
    public let format = ReportFormat.openvasCSV

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard source.rootMembers == nil, source.file.lowercased().hasSuffix(".csv") else { return false }
        let header = String(
            decoding: source.input.bytes.prefix { $0 != UInt8(ascii: "\n") }.prefix(2048), as: UTF8.self)
        return header.hasPrefix("IP,Hostname,Port,Port Protocol,") && header.contains("NVT OID")
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        let rows = try CSV.rows(source.input.bytes, file: source.file, separator: UInt8(ascii: ","))
        guard let header = rows.first else { throw fields.fail("line 1", "empty: expected a header row") }
        var columns: [String: Int] = [:]
        for (index, name) in header.enumerated() where columns[name.lowercased()] == nil {
            columns[name.lowercased()] = index
        }
        guard let oidColumn = columns["nvt oid"], let nameColumn = columns["nvt name"] else {
            throw fields.fail("line 1", "an OpenVAS export needs its NVT OID and NVT Name columns")
        }
        try emit(.run(tool: "OpenVAS", version: nil))
        var merged = HostRows()
        for (number, row) in rows.enumerated().dropFirst() where row.contains(where: { !$0.isEmpty }) {
            let place = "line \(number + 1)"
            func value(_ name: String) -> String? {
                guard let index = columns[name], index < row.count else { return nil }
                let text = row[index].trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty ? nil : text
            }
            guard let oid = row.indices.contains(oidColumn) ? value("nvt oid") : nil else {
                throw fields.fail(place, "a row needs its NVT OID")
            }
            guard let host = (value("hostname") ?? value("ip"))?.lowercased() else {
                throw fields.fail(place, "a row needs its host (Hostname or IP)")
            }
            let transport = (value("port protocol") ?? "tcp").lowercased()
            let endpoint = "\(value("port") ?? "general")/\(transport)"
            let cves = (value("cves") ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).uppercased()
            }
            .filter { $0.hasPrefix("CVE-") }
            if merged.merge(check: oid, host: host, endpoint: endpoint, cves: cves) { continue }
            let score = value("cvss").flatMap(Double.init)
            let severity: Severity
            if let score, (0...10).contains(score) {
                severity = Severity(score: score)
            } else if let word = value("severity") {
                guard let known = word.lowercased() == "log" ? .info : Severity(word: word) else {
                    throw fields.fail(place, "unknown severity '\(word)' (High, Medium, Low, Log)")
                }
                severity = known
            } else {
                throw fields.fail(place, "a row needs its CVSS score or severity")
            }
            let name = row.indices.contains(nameColumn) ? value("nvt name") ?? oid : oid
            var finding = NormalizedFinding(
                tool: "OpenVAS", toolVersion: nil, ruleID: oid, message: value("summary") ?? name, severity: severity,
                score: score, cves: cves, path: nil)
            finding.ruleName = name
            merged.add(finding, host: host, endpoint: endpoint)
        }
        try merged.emit(emit)
        return ReportSummary(format: .openvasCSV, tool: "OpenVAS", version: nil, findings: merged.count)
    }
}
