import CustodyCore
import CustodyJSON

/// Custody's own format for findings no scanner wrote: penetration tests, bug bounty reports,
/// AI-driven discovery (docs/formats.md). JSON:
///
/// ```json
/// {"format": "custody-findings/1", "tool": "Pentest 2026-Q3",
///  "findings": [{"id": "PT-14", "title": "IDOR on /api/payments/{id}", "severity": "high",
///                "path": "services/payments/api.py", "line": 88, "cwe": ["CWE-639"]}]}
/// ```
///
/// or CSV (a `.csv` file) with a header naming the same fields: `id,title,severity,description,
/// path,line,cwe,cve,package,version,asset,cvss` (`tool` too, per row); lists are separated by
/// `;` in a CSV cell.
public struct GenericReader: ReportReader {
    public let format = ReportFormat.generic
    public static let formatName = "custody-findings/1"
    static let columns = [
        "id", "title", "severity", "description", "path", "line", "cwe", "cve", "package", "version", "asset", "cvss",
        "tool",
    ]

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        if source.rootMembers == nil { return source.file.lowercased().hasSuffix(".csv") }
        return source.rootString("format") == Self.formatName
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        var count = 0
        if source.rootMembers == nil {
            let rows = try CSV.rows(source.input.bytes, file: source.file)
            guard let header = rows.first else { throw fields.fail("line 1", "empty: expected a header row") }
            let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            for name in names where !Self.columns.contains(name) {
                throw fields.fail("line 1", "unknown column '\(name)' (known: \(Self.columns.joined(separator: ", ")))")
            }
            for required in ["id", "title", "severity"] where !names.contains(required) {
                throw fields.fail("line 1", "missing column '\(required)'")
            }
            var currentTool: String?
            for (number, row) in rows.enumerated().dropFirst() where !(row.count == 1 && row[0].isEmpty) {
                let place = "line \(number + 1)"
                guard row.count == names.count else {
                    throw fields.fail(place, "\(row.count) fields where the header has \(names.count)")
                }
                var values: [String: String] = [:]
                for (name, value) in zip(names, row) where !value.isEmpty { values[name] = value }
                let record = Record(csv: values)
                let tool = record.tool ?? "custody-findings"
                if tool != currentTool {
                    try emit(.run(tool: tool, version: nil))
                    currentTool = tool
                }
                try emit(.finding(try finding(record, tool: tool, place: place, fields: fields)))
                count += 1
            }
            return ReportSummary(
                format: .generic, tool: currentTool ?? "custody-findings", version: nil, findings: count)
        }
        guard let tool = source.rootString("tool"), !tool.isEmpty else { throw fields.fail("$.tool", "missing") }
        try emit(.run(tool: tool, version: nil))
        for (index, span) in try source.rootArray("findings").enumerated() {
            let item = try source.value(span)
            let at = "$.findings[\(index)]"
            try fields.object(item, at)
            var record = Record()
            for (key, value) in item.object! {
                let place = "\(at).\(key)"
                switch key {
                case "id": record.id = try fields.string(value, place)
                case "title": record.title = try fields.string(value, place)
                case "severity": record.severity = try fields.string(value, place)
                case "description": record.description = try fields.string(value, place)
                case "path": record.path = try fields.string(value, place)
                case "line": record.line = try fields.int(value, place).map(String.init)
                case "cwe": record.cwe = try value.string.map { [$0] } ?? fields.strings(value, place)
                case "cve": record.cve = try value.string.map { [$0] } ?? fields.strings(value, place)
                case "package": record.package = try fields.string(value, place)
                case "version": record.version = try fields.string(value, place)
                case "asset": record.asset = try fields.string(value, place)
                case "cvss": record.cvss = try fields.string(value, place)
                case "tool": record.tool = try fields.string(value, place)
                default:
                    throw fields.fail(place, "unknown field (known: \(Self.columns.joined(separator: ", ")))")
                }
            }
            try emit(.finding(try finding(record, tool: tool, place: at, fields: fields)))
            count += 1
        }
        return ReportSummary(format: .generic, tool: tool, version: nil, findings: count)
    }

    /// One finding's fields, from a JSON object or a CSV row.
    struct Record {
        var id, title, severity, description, path, line, package, version, asset, cvss, tool: String?
        var cwe: [String] = []
        var cve: [String] = []

        init() {}

        init(csv values: [String: String]) {
            func list(_ key: String) -> [String] {
                (values[key] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            }
            (id, title, severity, description) = (
                values["id"], values["title"], values["severity"], values["description"]
            )
            (path, line, package, version) = (values["path"], values["line"], values["package"], values["version"])
            (asset, cvss, tool) = (values["asset"], values["cvss"], values["tool"])
            (cwe, cve) = (list("cwe"), list("cve"))
        }
    }

    private func finding(_ record: Record, tool: String, place: String, fields: Fields) throws -> NormalizedFinding {
        func required(_ value: String?, _ key: String) throws -> String {
            guard let value, !value.isEmpty else { throw fields.fail(place, "missing \(key)") }
            return value
        }
        let severityWord = try required(record.severity, "severity")
        guard let severity = Severity(word: severityWord) else {
            throw fields.fail(place, "unknown severity '\(severityWord)' (critical, high, medium, low, info)")
        }
        var line: Int?
        if let text = record.line {
            guard let number = Int(text), number >= 1 else { throw fields.fail(place, "line must be a number >= 1") }
            line = number
        }
        for cve in record.cve where !Tags.isCVE(cve) { throw fields.fail(place, "'\(cve)' is not a CVE id") }
        let title = try required(record.title, "title")
        var finding = NormalizedFinding(
            tool: tool, ruleID: try required(record.id, "id"), ruleName: title,
            message: record.description.map { "\(title): \($0)" } ?? title, severity: severity,
            cwes: Tags.cwes(in: record.cwe), cves: record.cve, path: record.path.map(RepositoryPath.normalize),
            line: line)
        finding.package = record.package
        finding.packageVersion = record.version
        if finding.package != nil { finding.vulnerabilityIDs = record.cve }
        finding.asset = record.asset
        finding.securityTagged = true  // pentest, bug-bounty and AI findings are reported as security
        finding.cvssVectors = record.cvss.map { [$0] } ?? []
        return finding
    }
}

/// RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF line ends; the separator a comma
/// unless told (Tenable's exports use `;` too).
enum CSV {
    static func rows(_ bytes: UnsafeBufferPointer<UInt8>, file: String, separator: UInt8 = UInt8(ascii: ","))
        throws -> [[String]]
    {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var index = 0
        var line = 1
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if byte == separator {
                endField()
            } else if byte == UInt8(ascii: "\n") {
                endField()
                rows.append(row)
                row = []
                line += 1
            } else if byte != UInt8(ascii: "\r") {
                field.append(byte)
            }
            index += 1
        }
        if quoted { throw Diagnostic(file: file, place: "line \(line)", message: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty {
            endField()
            rows.append(row)
        }
        return rows
    }
}
