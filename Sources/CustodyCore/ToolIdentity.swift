import Foundation

/// One name per scanner, whatever its output format says: Semgrep's JSON says nothing and its
/// SARIF says "Semgrep OSS" (or "Semgrep Pro"); Bandit's SARIF says "Bandit"; ruff's says "ruff".
/// The name is part of every code finding's fingerprint and of the target a full scan proves
/// fixed, so one scan written in two formats must give one name.
public enum ToolIdentity {
    /// Lower-cased names (or their first word followed by an edition) and the scanner they mean.
    static let canonical: [String: String] = [
        "semgrep": "Semgrep", "semgrep oss": "Semgrep", "semgrep pro": "Semgrep", "semgrep cli": "Semgrep",
        "semgrep code": "Semgrep", "bandit": "Bandit", "ruff": "Ruff", "codeql": "CodeQL", "trivy": "Trivy",
        "grype": "Grype", "osv-scanner": "OSV-Scanner", "checkov": "Checkov", "gitleaks": "Gitleaks",
        "eslint": "ESLint", "gosec": "gosec", "snyk open source": "Snyk", "snyk code": "Snyk Code",
    ]

    /// Scanners whose SARIF levels stand for their own severities, mapped as their other formats
    /// map them (docs/formats.md): Semgrep writes INFO as `note`, which is `info` from its JSON.
    static let sarifLevels: [String: [String: Severity]] = [
        "Semgrep": ["error": .high, "warning": .medium, "note": .info],
        // Checkov without a platform key has no severities and writes every result as `error`;
        // its JSON says `"severity": null`. Medium, as DefectDojo reads it.
        "Checkov": ["error": .medium, "warning": .medium, "note": .low],
    ]

    /// What SARIF levels mean for `tool` when the scanner has its own table, else nil (looked up
    /// once per run).
    public static func sarifLevels(tool: String) -> [String: Severity]? {
        sarifLevels[name(tool)]
    }

    /// Scanners whose every result is a security finding, whatever its tags say.
    static let securityScanners: Set<String> = [
        "Bandit", "Gitleaks", "Trivy", "Grype", "OSV-Scanner", "Checkov", "Snyk", "Snyk Code", "gosec",
    ]
    /// Linters whose security rules are one family of rule ids: Ruff's `S` rules are Bandit's.
    static let securityRulePrefixes: [String: [String]] = ["Ruff": ["S"], "ESLint": ["security/"]]

    /// Whether a finding (its tool as ``name(_:)`` gives it) is a security finding or a
    /// code-quality one (a linter's style rule):
    /// security when it names a weakness (CWE), a vulnerability or a package, when the report tags
    /// it security or gives it a security severity, when its scanner finds nothing else, or when
    /// its rule is of a linter's security family; quality otherwise. Quality findings are kept with
    /// their level but get no due date and stay out of security counts (docs/formats.md).
    public static func category(of finding: NormalizedFinding) -> FindingCategory {
        if finding.securityTagged || !finding.cwes.isEmpty || !finding.cves.isEmpty
            || !finding.vulnerabilityIDs.isEmpty || finding.package != nil
        {
            return .security
        }
        let tool = finding.tool
        if securityScanners.contains(tool) { return .security }
        if let prefixes = securityRulePrefixes[tool] {
            return prefixes.contains { finding.ruleID.hasPrefix($0) } ? .security : .quality
        }
        return .quality
    }

    /// The scanner's one name: a known one's canonical spelling, otherwise the name as given.
    public static func name(_ reported: String) -> String {
        let key = reported.trimmingCharacters(in: .whitespaces).lowercased()
        return canonical[key] ?? reported
    }
}

/// What kind of finding it is: a security one (the default of every count and SLA) or code quality.
public enum FindingCategory: String, Sendable, CaseIterable, Codable {
    case security, quality
}

extension Fingerprint {
    /// Values tools write where a fingerprint would go without being one: Semgrep without a login
    /// writes "requires login" on every result. A real fingerprint is a hash or an id: no spaces,
    /// not one repeated character, not a word for "none".
    public static func isPlaceholder(_ value: String) -> Bool {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard let first = text.first else { return true }
        if text.contains(where: \.isWhitespace) { return true }
        if text.allSatisfy({ $0 == first }) { return true }
        return ["none", "null", "nil", "n/a", "unknown", "undefined", "requires_login", "login_required"].contains(
            text.lowercased())
    }
}
