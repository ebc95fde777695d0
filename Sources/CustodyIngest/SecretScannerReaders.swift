import CustodyCore
import CustodyJSON

/// What secret scanners' findings share: a leaked secret is one finding per (rule or detector,
/// file, secret) - the same secret found again in the file's history or on another line is the
/// same leak - and the secret itself is never kept: only a digest of it enters the identity,
/// and neither the match nor the line is kept as the flagged text.
enum LeakedSecret {
    static func finding(
        tool: String, version: String?, rule: String, name: String, secret: String, path: String?, line: Int?,
        severity: Severity
    ) -> NormalizedFinding {
        let file = path.map(RepositoryPath.normalize)
        var finding = NormalizedFinding(
            tool: tool, toolVersion: version, ruleID: rule, message: "\(name) found in \(file ?? "the scanned source")",
            severity: severity, cwes: ["CWE-798"], path: file, line: line)
        finding.ruleName = name
        finding.securityTagged = true
        finding.toolFingerprints = ["secret": SHA256.hex("custody-secret-v1\u{0}" + secret)]
        return finding
    }

    /// The leak a finding is: its rule, file and secret digest - a report naming it again (in
    /// the file's history, on another line) names the same leak.
    static func key(of finding: NormalizedFinding) -> String {
        [finding.ruleID, finding.path ?? "", finding.toolFingerprints["secret"] ?? ""].joined(separator: "\u{0}")
    }
}

/// Gitleaks' JSON report (`gitleaks detect --report-format json`): v8's entries (`RuleID`,
/// `Description`, `File`, `StartLine`, `Secret`) and v7's (`rule`, `file`, `lineNumber`,
/// `offender`); `null` when nothing leaked. Every leak is high. docs/formats.md.
public struct GitleaksReader: ReportReader {
    public let format = ReportFormat.gitleaks

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        if source.rootMembers == nil, source.lines == nil, source.kind(of: source.input.whole) == .null { return true }
        guard let first = source.firstArrayElement() else { return false }
        return (first["RuleID"] != nil && first["Secret"] != nil) || (first["offender"] != nil && first["rule"] != nil)
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try emit(.run(tool: "Gitleaks", version: nil))
        guard source.kind(of: source.input.whole) != .null else {
            return ReportSummary(format: .gitleaks, tool: "Gitleaks", version: nil, findings: 0)
        }
        let fields = Fields(file: source.file)
        var seen: Set<String> = []
        var count = 0
        for (place, span) in try source.records() {
            let entry = try source.value(span)
            try fields.object(entry, place)
            let modern = entry["RuleID"] != nil
            let rule = try fields.required(
                modern ? entry["RuleID"] : entry["rule"], place + (modern ? ".RuleID" : ".rule"))
            let secret = try fields.required(
                modern ? entry["Secret"] ?? entry["Match"] : entry["offender"],
                place + (modern ? ".Secret" : ".offender"))
            let path = try fields.string(modern ? entry["File"] : entry["file"], place + (modern ? ".File" : ".file"))
            let line = try fields.int(modern ? entry["StartLine"] : entry["lineNumber"], place + ".line")
            let name = try fields.string(entry["Description"], place + ".Description") ?? rule
            let finding = LeakedSecret.finding(
                tool: "Gitleaks", version: nil, rule: rule, name: name, secret: secret, path: path, line: line,
                severity: .high)
            guard seen.insert(LeakedSecret.key(of: finding)).inserted else { continue }
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .gitleaks, tool: "Gitleaks", version: nil, findings: count)
    }
}

/// TruffleHog v3's JSON Lines (`trufflehog git ... --json`): each record's detector, the file and
/// line from its source metadata (git, GitHub, file system), the raw secret (digested). A
/// verified secret - TruffleHog logged in with it - is critical, an unverified one high.
/// docs/formats.md.
public struct TruffleHogReader: ReportReader {
    public let format = ReportFormat.trufflehog

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard let first = source.firstRecord() else { return false }
        return first["DetectorName"] != nil && first["SourceMetadata"] != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        try emit(.run(tool: "TruffleHog", version: nil))
        var seen: Set<String> = []
        var count = 0
        for (place, span) in try source.records() {
            let record = try source.value(span)
            try fields.object(record, place)
            let detector = try fields.required(record["DetectorName"], place + " DetectorName")
            let secret = try fields.required(record["RawV2"] ?? record["Raw"], place + " Raw")
            // The metadata is one object under the source's name: Git, Github, Filesystem, ...
            let data = record["SourceMetadata"]?["Data"]
            let origin = data?.object?.first { _ in true }?.value
            let path = try fields.string(origin?["file"], place + " SourceMetadata.Data.file")
            let line = try fields.int(origin?["line"], place + " SourceMetadata.Data.line")
            let verified = record["Verified"]?.bool ?? false
            let finding = LeakedSecret.finding(
                tool: "TruffleHog", version: nil, rule: detector,
                name: (verified ? "verified " : "") + detector + " secret", secret: secret, path: path, line: line,
                severity: verified ? .critical : .high)
            guard seen.insert(LeakedSecret.key(of: finding)).inserted else { continue }
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .trufflehog, tool: "TruffleHog", version: nil, findings: count)
    }
}

/// A detect-secrets baseline (`detect-secrets scan > .secrets.baseline`): `results` by file, each
/// a secret's type, line and SHA-1 (`hashed_secret`; the baseline never holds the secret). A
/// verified secret is critical, any other high. docs/formats.md.
public struct DetectSecretsReader: ReportReader {
    public let format = ReportFormat.detectSecrets

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        source.rootMember("plugins_used") != nil && source.rootMember("results") != nil
            && source.rootMember("generated_at") != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        let version = source.rootString("version")
        try emit(.run(tool: "detect-secrets", version: version))
        var count = 0
        guard let results = source.rootMember("results") else {
            return ReportSummary(format: .detectSecrets, tool: "detect-secrets", version: version, findings: 0)
        }
        for (file, span) in try source.members(of: results) {
            for (index, entry) in try fields.array(try source.value(span), "$.results[\"\(file)\"]").enumerated() {
                let at = "$.results[\"\(file)\"][\(index)]"
                try fields.object(entry, at)
                let kind = try fields.required(entry["type"], at + ".type")
                let verified = entry["is_verified"]?.bool ?? false
                let finding = LeakedSecret.finding(
                    tool: "detect-secrets", version: version, rule: kind, name: kind,
                    secret: try fields.required(entry["hashed_secret"], at + ".hashed_secret"),
                    path: try fields.string(entry["filename"], at + ".filename") ?? file,
                    line: try fields.int(entry["line_number"], at + ".line_number"),
                    severity: verified ? .critical : .high)
                try emit(.finding(finding))
                count += 1
            }
        }
        return ReportSummary(format: .detectSecrets, tool: "detect-secrets", version: version, findings: count)
    }
}
