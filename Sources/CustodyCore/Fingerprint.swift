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
        /// A dependency finding: vulnerability, package and asset, whichever tool reported it.
        case dependency
    }

    public static func compute(
        for finding: NormalizedFinding, repository: String?, sourceLine: String? = nil
    ) -> (value: String, basis: Basis) {
        if let package = finding.package,
            let vulnerability = DependencyIdentity.vulnerabilityKey(finding.vulnerabilityIDs + finding.cves)
        {
            // No tool, no path: Trivy, Grype and OSV-Scanner reporting one CVE in one package of
            // one repository (or image) make one finding with three sources.
            var hasher = SHA256()
            hasher.update("custody-dep-v1")
            hasher.separate()
            hasher.update(repository ?? finding.asset ?? "")
            hasher.separate()
            hasher.update(vulnerability)
            hasher.separate()
            hasher.update(DependencyIdentity.packageKey(package))
            return (SHA256.hexString(Array(hasher.finalize().prefix(16))), .dependency)
        }
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
        // Placeholders ("requires login") would make every result of a rule in a file one
        // identity told apart by order only: they are ignored, the content decides instead.
        let toolFingerprints =
            finding.toolFingerprintsShared ? [:] : finding.toolFingerprints.filter { !isPlaceholder($0.value) }
        if !toolFingerprints.isEmpty {
            basis = .tool
            for key in toolFingerprints.keys.sorted() {
                hasher.update(key)
                hasher.update("=")
                hasher.update(toolFingerprints[key]!)
                hasher.separate()
            }
        } else if let text = (finding.snippet ?? sourceLine).map(flaggedLine), !text.isEmpty {
            basis = .content
            hasher.update(text)
        } else {
            basis = .location
            hasher.update(String(finding.line ?? 0))
            hasher.separate()
            hasher.update(foldWhitespace(finding.message))
        }
        return (SHA256.hexString(Array(hasher.finalize().prefix(16))), basis)
    }

    /// A content fingerprint made distinct by the place of its text in the file (see the
    /// pipeline's `SourceLines.repeatContext`): equal lines under different blocks differ.
    public static func within(_ fingerprint: String, context: String) -> String {
        var hasher = SHA256()
        hasher.update("custody-fp-context-v1")
        hasher.separate()
        hasher.update(fingerprint)
        hasher.separate()
        hasher.update(context)
        return SHA256.hexString(Array(hasher.finalize().prefix(16)))
    }

    /// The flagged line of a snippet, folded: its first line that is not blank. One line whatever
    /// the format: Checkov's snippet is the whole resource block, and a fix inside the block must
    /// not change the identity of the resource's other findings; Semgrep's SARIF snippet of a
    /// multi-line match is the match, its JSON gives (or, logged out, the checkout gives) the
    /// first line.
    public static func flaggedLine(_ snippet: String) -> String {
        for line in snippet.split(separator: "\n", omittingEmptySubsequences: true) {
            let folded = foldWhitespace(String(line))
            if !folded.isEmpty { return folded }
        }
        return ""
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
///
/// It counts by the fingerprint's first 64 bits (a report of a million results would otherwise
/// keep a million strings): two different fingerprints sharing them, about one chance in 10^7
/// for a million findings, only give the second a `:2` it did not need, the same on every run.
public struct OccurrenceCounter: Sendable {
    private var seen: Set<UInt64> = []
    private var repeats: [UInt64: Int] = [:]

    public init() {}

    public mutating func disambiguate(_ fingerprint: String) -> String {
        let key = Self.prefix(fingerprint)
        if seen.insert(key).inserted { return fingerprint }
        let count = repeats[key, default: 1] + 1
        repeats[key] = count
        return "\(fingerprint):\(count)"
    }

    /// The first 16 hex digits as a number.
    static func prefix(_ fingerprint: String) -> UInt64 {
        var value: UInt64 = 0
        var digits = 0
        for byte in fingerprint.utf8 where digits < 16 {
            value =
                value << 4 | UInt64(
                    byte <= UInt8(ascii: "9") ? byte &- UInt8(ascii: "0") : (byte | 0x20) &- UInt8(ascii: "a") &+ 10)
                & 0xF
            digits += 1
        }
        return value
    }
}
