/// How bad a finding is, on the scale every tool's own scale is mapped onto.
public enum Severity: String, Sendable, CaseIterable, Codable, Comparable {
    case critical, high, medium, low, info

    /// Higher is worse: critical is 4, info is 0.
    public var rank: Int {
        switch self {
        case .critical: 4
        case .high: 3
        case .medium: 2
        case .low: 1
        case .info: 0
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// GitHub's thresholds for a CVSS-like score: critical >= 9.0, high >= 7.0,
    /// medium >= 4.0, low > 0; a score of 0 is informational.
    public init(score: Double) {
        switch score {
        case 9.0...: self = .critical
        case 7.0..<9.0: self = .high
        case 4.0..<7.0: self = .medium
        case let value where value > 0: self = .low
        default: self = .info
        }
    }

    /// A severity written as a word, as Semgrep and others write it ("HIGH", "Moderate", "error").
    public init?(word: String) {
        switch word.lowercased() {
        case "critical", "crit": self = .critical
        case "high", "error", "severe": self = .high
        case "medium", "moderate", "warning", "med": self = .medium
        case "low", "note", "minor": self = .low
        case "info", "informational", "none", "negligible", "unknown": self = .info
        default: return nil
        }
    }

    /// A SARIF `level` (error, warning, note, none) mapped onto the scale.
    public init?(sarifLevel: String) {
        switch sarifLevel {
        case "error": self = .high
        case "warning": self = .medium
        case "note": self = .low
        case "none": self = .info
        default: return nil
        }
    }
}
