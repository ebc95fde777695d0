/// The stable identity of a finding across scans.
///
/// Order of evidence: the tool's own fingerprints when the report has them; otherwise the
/// flagged text (snippet, or the line read from a checkout), whitespace-folded, so a finding
/// keeps its identity when lines above it move; only when neither exists, the line number and
/// message. Tool, rule, repository and normalised path are always part of it, so equal code in
/// two files or two repositories stays two findings.
public enum Fingerprint {
    /// Which evidence a fingerprint was derived from.
    public enum Basis: String, Sendable {
        case tool, content, location
    }

    public static func compute(
        for finding: NormalizedFinding, repository: String?, sourceLine: String? = nil
    ) -> (value: String, basis: Basis) {
        var hasher = SHA256()
        hasher.update("custody-fp-v1")
        hasher.separate()
        hasher.update(repository ?? "")
        hasher.separate()
        hasher.update(finding.tool.lowercased())
        hasher.separate()
        hasher.update(finding.ruleID)
        hasher.separate()
        hasher.update(finding.path ?? "")
        hasher.separate()
        let basis: Basis
        if !finding.toolFingerprints.isEmpty {
            basis = .tool
            for key in finding.toolFingerprints.keys.sorted() {
                hasher.update(key)
                hasher.update("=")
                hasher.update(finding.toolFingerprints[key]!)
                hasher.separate()
            }
        } else if let text = finding.snippet ?? sourceLine, !foldWhitespace(text).isEmpty {
            basis = .content
            hasher.update(foldWhitespace(text))
        } else {
            basis = .location
            hasher.update(String(finding.line ?? 0))
            hasher.separate()
            hasher.update(foldWhitespace(finding.message))
        }
        return (SHA256.hexString(Array(hasher.finalize().prefix(16))), basis)
    }

    /// Trims and collapses runs of white space to one space.
    public static func foldWhitespace(_ text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Gives repeated fingerprints within one scan an occurrence number, as CodeQL does,
/// so two identical results in one file stay two findings.
public struct OccurrenceCounter: Sendable {
    private var seen: [String: Int] = [:]

    public init() {}

    public mutating func disambiguate(_ fingerprint: String) -> String {
        let count = seen[fingerprint, default: 0] + 1
        seen[fingerprint] = count
        return count == 1 ? fingerprint : "\(fingerprint):\(count)"
    }
}
