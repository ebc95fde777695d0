import CustodyCore
import CustodyStore

/// The JSON wire format of every entity: defined here once, used by every `--json`, `--jsonl`
/// and `--csv` of the CLI and by the API. Names are snake_case and stable; docs/wire-format.md
/// lists every field. Add fields at the end; never rename or drop one.
public enum Wire {
    /// A finding as listings show it (`findings list --json`, one line of `--jsonl`).
    public static func finding(_ row: FindingRow, into out: inout JSONWriter) {
        out.beginObject()
        findingMembers(row, into: &out)
        laterMembers(row, into: &out)
        out.endObject()
    }

    /// The members of ``finding(_:into:)``, for objects that extend it.
    static func findingMembers(_ row: FindingRow, into out: inout JSONWriter) {
        out.field("id", row.id)
        out.field("fingerprint", row.fingerprint)
        out.field("tool", row.tool)
        out.field("rule", row.rule)
        out.field("severity", row.severity.rawValue)
        out.field("status", row.status.rawValue)
        out.field("repository", row.repository)
        out.field("path", row.path)
        out.field("line", row.line)
        out.field("message", row.message)
        out.field("cwes", row.cwes)
        out.field("cves", row.cves)
        out.field("owner_team", row.ownerTeam)
        out.field("owner_handles", row.ownerHandles)
        out.field("owner_line", row.ownerLine)
        out.field("fingerprint_basis", row.fingerprintBasis)
        out.field("suppressed", row.suppressed)
        out.field("first_seen", row.firstSeen)
        out.field("last_seen", row.lastSeen)
        out.field("due_at", row.dueAt)
        out.field("kev_added", row.kevAdded)
        out.field("escalation", row.escalation.name)
        out.field("package", row.package)
        out.field("package_version", row.packageVersion)
        out.field("vulnerability_ids", row.vulnerabilityIDs)
        out.field("fixed_version", row.fixedVersion)
        out.field("cvss", row.cvssVectors)
        out.field("epss", row.epss)
        out.field("ssvc", row.ssvc)
        out.field("ssvc_inputs", row.ssvcInputs)
        out.field("asset", row.asset)
        out.field("sources", row.sources)
    }

    /// Members added after the first release of the format: written last in both objects, so
    /// every older field keeps its place.
    static func laterMembers(_ row: FindingRow, into out: inout JSONWriter) {
        out.field("risk_accepted_until", row.riskAcceptedUntil)
        out.field("risk_approver", row.riskApprover)
        out.field("justification", row.justification)
        out.field("priority", row.priority)
        out.field("category", row.category.rawValue)
    }

    /// One finding whole (`findings show --json`): the listing's members, then ownership
    /// evidence, the introducer and the related findings.
    public static func findingDetail(_ detail: FindingDetail, into out: inout JSONWriter) {
        let row = detail.finding
        let introducer = row.introducer
        out.beginObject()
        findingMembers(row, into: &out)
        out.field("owner_evidence", row.ownerEvidence.map { evidence($0) } ?? .null)
        out.field("introduced_commit", introducer?.commit)
        out.field("introduced_author", introducer.map { "\($0.author) <\($0.email)>" })
        out.field("introduced_at", introducer?.authoredAt)
        out.field("introduced_release", introducer?.release)
        out.field("introduced_team", introducer?.team)
        out.field("introduced_path", introducer?.pathThen)
        out.field("introduced_line", introducer?.lineThen)
        out.field("introducer_reason", detail.introducerReason)
        out.key("related")
        out.beginArray()
        for related in detail.related {
            out.beginObject()
            out.field("id", related.id)
            out.field("tool", related.tool)
            out.field("rule", related.rule)
            out.endObject()
        }
        out.endArray()
        out.field("unowned_reason", row.ownerTeam == nil ? detail.unownedReason : nil)
        out.field("identity", detail.identity)
        laterMembers(row, into: &out)
        out.endObject()
    }

    /// Ownership evidence: the rule that decided the owner, with members a caller adds.
    public static func evidence(_ evidence: OwnerEvidence, extra: [(String, JSONText.Value)] = []) -> JSONText.Value {
        .object(
            [
                ("source", .string(evidence.source)), ("file", .string(evidence.file)),
                ("revision", .optional(evidence.revision)), ("dialect", .string(evidence.dialect)),
                ("line", .int(Int64(evidence.line))), ("pattern", .string(evidence.pattern)),
                ("section", .optional(evidence.section)), ("handles", .strings(evidence.handles)),
            ] + extra)
    }

    /// The columns of `findings list --csv`, in order.
    public static let findingCSVColumns = [
        "id", "fingerprint", "tool", "rule", "severity", "status", "repository", "path", "line", "owner_team",
        "first_seen", "last_seen", "message",
    ]

    /// One CSV record of a finding (RFC 4180, CRLF-terminated).
    public static func findingCSV(_ row: FindingRow, into out: inout [UInt8]) {
        CSV.append(
            [
                String(row.id), row.fingerprint, row.tool, row.rule, row.severity.rawValue, row.status.rawValue,
                row.repository ?? "", row.path ?? "", row.line.map(String.init) ?? "", row.ownerTeam ?? "",
                row.firstSeen, row.lastSeen, row.message,
            ], to: &out)
    }
}

/// RFC 4180 CSV written as bytes. A cell a spreadsheet would run as a formula (starting with
/// = + - @ tab or CR) gets a leading apostrophe.
public enum CSV {
    public static func append(_ fields: [String], to out: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            append(field, to: &out)
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    public static func append(_ field: String, to out: inout [UInt8]) {
        var field = field
        field.withUTF8 { bytes in
            let formula = bytes.first.map { "=+-@\t\r".utf8.contains($0) } ?? false
            let quoted = bytes.contains {
                $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D
            }
            if quoted { out.append(UInt8(ascii: "\"")) }
            if formula { out.append(UInt8(ascii: "'")) }
            if quoted {
                for byte in bytes {
                    out.append(byte)
                    if byte == UInt8(ascii: "\"") { out.append(byte) }
                }
            } else {
                out.append(contentsOf: bytes)
            }
            if quoted { out.append(UInt8(ascii: "\"")) }
        }
    }

    /// One record as a String (tests, small outputs).
    public static func line(_ fields: [String]) -> String {
        var out: [UInt8] = []
        append(fields, to: &out)
        return String(decoding: out.dropLast(2), as: UTF8.self)
    }
}
