/// CISA's SSVC decision for a deployer (Stakeholder-Specific Vulnerability Categorization, the
/// CISA tree: exploitation, automatable, technical impact, mission and well-being -> Track,
/// Track*, Attend, Act), and the priority order Custody derives from it (docs/prioritization.md).
public enum SSVC {
    public enum Exploitation: String, Sendable, CaseIterable {
        case none
        case publicPoC = "poc"
        case active
    }

    public enum Level: String, Sendable, CaseIterable {
        case low, medium, high
    }

    public enum Decision: String, Sendable, CaseIterable, Comparable {
        case track = "Track"
        case trackStar = "Track*"
        case attend = "Attend"
        case act = "Act"

        public var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
    }

    public struct Inputs: Sendable, Equatable {
        public var exploitation: Exploitation
        public var automatable: Bool
        public var totalImpact: Bool
        public var mission: Level

        public init(exploitation: Exploitation, automatable: Bool, totalImpact: Bool, mission: Level) {
            self.exploitation = exploitation
            self.automatable = automatable
            self.totalImpact = totalImpact
            self.mission = mission
        }

        /// `E:active/A:yes/T:total/M:high`: what the decision was made from.
        public var text: String {
            "E:\(exploitation.rawValue)/A:\(automatable ? "yes" : "no")/T:\(totalImpact ? "total" : "partial")/M:\(mission.rawValue)"
        }
    }

    /// The CISA tree, leaf by leaf: for exploitation, automatable and technical impact, the
    /// decisions for low, medium and high mission and well-being (CERT/CC's SSVC data, CISA
    /// levels).
    static let tree: [String: [Decision]] = [
        "none/no/partial": [.track, .track, .track], "none/no/total": [.track, .track, .trackStar],
        "none/yes/partial": [.track, .track, .attend], "none/yes/total": [.track, .track, .attend],
        "poc/no/partial": [.track, .track, .trackStar], "poc/no/total": [.track, .trackStar, .attend],
        "poc/yes/partial": [.track, .track, .attend], "poc/yes/total": [.track, .trackStar, .attend],
        "active/no/partial": [.track, .track, .attend], "active/no/total": [.track, .attend, .act],
        "active/yes/partial": [.attend, .attend, .act], "active/yes/total": [.attend, .act, .act],
    ]

    public static func decide(_ inputs: Inputs) -> Decision {
        let key =
            "\(inputs.exploitation.rawValue)/\(inputs.automatable ? "yes" : "no")/\(inputs.totalImpact ? "total" : "partial")"
        return tree[key]![Level.allCases.firstIndex(of: inputs.mission)!]
    }

    /// What Custody knows, mapped onto the tree's inputs:
    /// - exploitation: active when the CVE is in CISA's KEV catalog; public PoC when a CVSS vector
    ///   says exploit code exists (v4 E:P, v3 E:P/F/H) or EPSS gives at least `pocEPSS` (10%);
    ///   none otherwise.
    /// - automatable: CVSS v4 AU:Y; otherwise a network attack with low complexity, no
    ///   privileges and no user interaction (AV:N/AC:L/PR:N/UI:N).
    /// - technical impact: total when a vector gives high confidentiality and integrity impact
    ///   (C:H/I:H, or VC:H/VI:H); without a vector, when the finding is critical.
    /// - mission and well-being: the asset's criticality (critical and high -> high; medium;
    ///   low); medium when unknown.
    public static func inputs(
        kev: Bool, epss: Double?, vectors: [String], severity: Severity, criticality: Criticality?,
        pocEPSS: Double = 0.1
    ) -> Inputs {
        let metrics = vectors.compactMap { try? CVSS.metrics(of: $0) }
        let exploitCode = metrics.contains { ["P", "F", "H"].contains($0["E"] ?? "") }
        let exploitation: Exploitation =
            kev ? .active : (exploitCode || (epss ?? 0) >= pocEPSS) ? .publicPoC : .none
        let automatable = metrics.contains {
            $0["AU"] == "Y" || ($0["AV"] == "N" && $0["AC"] == "L" && $0["PR"] == "N" && $0["UI"] == "N")
        }
        let total =
            metrics.isEmpty
            ? severity == .critical
            : metrics.contains { ($0["C"] == "H" && $0["I"] == "H") || ($0["VC"] == "H" && $0["VI"] == "H") }
        let mission: Level =
            switch criticality {
            case .critical, .high: .high
            case .low: .low
            case .medium, nil: .medium
            }
        return Inputs(exploitation: exploitation, automatable: automatable, totalImpact: total, mission: mission)
    }

    /// One number that orders open work, highest first: the SSVC decision; within it, KEV; then
    /// the EPSS band (>= 50%, >= 10%, >= 1%, less); then severity; then asset criticality; then
    /// the exact EPSS probability.
    public static func priority(
        decision: Decision, kev: Bool, epss: Double?, severity: Severity, criticality: Criticality?
    ) -> Double {
        let probability = epss ?? 0
        let band = probability >= 0.5 ? 3 : probability >= 0.1 ? 2 : probability >= 0.01 ? 1 : 0
        let critical = criticality.map { Criticality.allCases.firstIndex(of: $0)! + 1 } ?? 2
        return Double(decision.rank * 100_000 + (kev ? 10_000 : 0) + band * 1_000 + severity.rank * 100 + critical * 10)
            + probability
    }
}
