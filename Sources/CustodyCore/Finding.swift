/// The lifecycle state of a finding (see docs/lifecycle in the design sketch).
public enum FindingStatus: String, Sendable, CaseIterable, Codable {
    case open
    case acknowledged
    case fixed
    case closed
    case reopened
    case riskAccepted = "risk_accepted"
    case falsePositive = "false_positive"
    case transferred

    /// States in which the finding is still someone's open work.
    public var isActive: Bool {
        switch self {
        case .open, .acknowledged, .reopened, .transferred: true
        default: false
        }
    }
}

/// A suppression a tool recorded for a result (SARIF `suppressions[]`): kept, never dropped.
public struct Suppression: Sendable, Equatable, Codable {
    public var kind: String
    public var status: String?
    public var justification: String?

    public init(kind: String, status: String? = nil, justification: String? = nil) {
        self.kind = kind
        self.status = status
        self.justification = justification
    }
}

/// One finding as a report states it, before identity, ownership or storage.
/// Ingesters produce these and do nothing else.
public struct NormalizedFinding: Sendable, Equatable {
    public var tool: String
    public var toolVersion: String?
    public var ruleID: String
    public var ruleName: String?
    public var message: String
    public var severity: Severity
    /// The tool's numeric score (SARIF `security-severity`), when it gave one.
    public var score: Double?
    /// The SARIF `level` after rule-default fallback ("error", "warning", "note", "none").
    public var level: String?
    public var cwes: [String]
    public var cves: [String]
    /// Repository-relative path, normalised ("src/a.c"), or nil for results without a location.
    public var path: String?
    public var line: Int?
    public var column: Int?
    /// The flagged source text when the report carries it.
    public var snippet: String?
    /// The tool's own fingerprints (`fingerprints` and `partialFingerprints`), by name.
    public var toolFingerprints: [String: String]
    /// The report gives these fingerprints to other results of the rule elsewhere in the file:
    /// they identify none of them, the content does (`SharedFingerprints` in the SARIF reader).
    public var toolFingerprintsShared = false
    public var suppressions: [Suppression]
    public var baselineState: String?
    /// For dependency findings: the package (its name or package URL) and the installed version.
    public var package: String?
    public var packageVersion: String?
    /// Every id the vulnerability has (CVE, GHSA, OSV, distribution ids): cross-tool identity.
    public var vulnerabilityIDs: [String] = []
    public var fixedVersion: String?
    /// CVSS vectors as the report gives them (`CVSS:3.1/AV:N/...`, `CVSS:4.0/...`).
    public var cvssVectors: [String] = []
    /// The artifact scanned when there is no repository: an image, a file system, an SBOM.
    public var asset: String?
    /// The report marks the result as a security one (a `security` tag, a security severity).
    public var securityTagged = false
    /// The tags of the cloud resource the finding is on, as the report gives them (ASFF's
    /// `Resources[].Tags`): `tag` asset rules own a resource by them.
    public var resourceTags: [String: String] = [:]

    public init(
        tool: String, toolVersion: String? = nil, ruleID: String, ruleName: String? = nil,
        message: String, severity: Severity, score: Double? = nil, level: String? = nil,
        cwes: [String] = [], cves: [String] = [], path: String? = nil, line: Int? = nil,
        column: Int? = nil, snippet: String? = nil, toolFingerprints: [String: String] = [:],
        suppressions: [Suppression] = [], baselineState: String? = nil
    ) {
        self.tool = tool
        self.toolVersion = toolVersion
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.message = message
        self.severity = severity
        self.score = score
        self.level = level
        self.cwes = cwes
        self.cves = cves
        self.path = path
        self.line = line
        self.column = column
        self.snippet = snippet
        self.toolFingerprints = toolFingerprints
        self.suppressions = suppressions
        self.baselineState = baselineState
    }
}
