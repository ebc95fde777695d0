/// The justifications VEX (CISA's minimum requirements, OpenVEX) allows for "not affected".
public enum VEXJustification: String, Sendable, CaseIterable, Codable {
    case codeNotPresent = "code_not_present"
    case codeNotReachable = "code_not_reachable"
    case requiresConfiguration = "requires_configuration"
    case requiresDependency = "requires_dependency"
    case requiresEnvironment = "requires_environment"
    case protectedByCompiler = "protected_by_compiler"
    case protectedAtRuntime = "protected_at_runtime"
    case protectedAtPerimeter = "protected_at_perimeter"
    case protectedByMitigatingControl = "protected_by_mitigating_control"
}

/// A change of a finding's state that a person asks for. Each is one event.
public enum Transition: Sendable, Equatable {
    case acknowledge
    case acceptRisk(until: String, approver: String)
    case falsePositive(VEXJustification)
    case reopen

    public var name: String {
        switch self {
        case .acknowledge: "acknowledge"
        case .acceptRisk: "accept the risk of"
        case .falsePositive: "mark as false positive"
        case .reopen: "reopen"
        }
    }

    public var target: FindingStatus {
        switch self {
        case .acknowledge: .acknowledged
        case .acceptRisk: .riskAccepted
        case .falsePositive: .falsePositive
        case .reopen: .reopened
        }
    }

    /// The states this transition may start from.
    public var allowedFrom: Set<FindingStatus> {
        switch self {
        case .acknowledge: [.open, .reopened, .transferred]
        case .acceptRisk: [.open, .acknowledged, .reopened, .transferred]
        case .falsePositive: [.open, .acknowledged, .reopened, .transferred, .riskAccepted]
        case .reopen: [.fixed, .closed, .riskAccepted, .falsePositive]
        }
    }

    public var eventKind: EventKind {
        switch self {
        case .acknowledge: .findingAcknowledged
        case .acceptRisk: .findingRiskAccepted
        case .falsePositive: .findingFalsePositive
        case .reopen: .findingReopened
        }
    }
}

/// Who may accept a finding's risk, by its severity: a critical one needs the head of the
/// owning team's org unit (or of a unit above it); a high one that, or the team's lead; others
/// anyone named. An unowned critical or high finding needs a unit head.
public enum RiskApproval {
    public static func refusal(
        approver: String, severity: Severity, team: Team?, organisation: Organisation
    ) -> String? {
        let heads = unitHeads(above: team?.unitID, in: organisation, unowned: team == nil)
        let approver = approver.lowercased()
        switch severity {
        case .critical:
            if heads.contains(approver) { return nil }
            return "a critical finding's risk is accepted by an org-unit head (\(describe(heads)))"
        case .high:
            if heads.contains(approver) || team?.lead?.lowercased() == approver { return nil }
            let lead = team?.lead.map { "the team lead \($0) or " } ?? ""
            return "a high finding's risk is accepted by \(lead)an org-unit head (\(describe(heads)))"
        default:
            return approver.isEmpty ? "name the approver" : nil
        }
    }

    /// Heads of the unit and every unit above it; for unowned findings, every unit's head.
    static func unitHeads(above unit: String?, in organisation: Organisation, unowned: Bool) -> Set<String> {
        if unowned { return Set(organisation.units.compactMap { $0.head?.lowercased() }) }
        var heads = Set<String>()
        var current = unit
        var seen = Set<String>()
        while let id = current, seen.insert(id).inserted, let found = organisation.units.first(where: { $0.id == id }) {
            if let head = found.head { heads.insert(head.lowercased()) }
            current = found.parentID
        }
        return heads
    }

    private static func describe(_ heads: Set<String>) -> String {
        heads.isEmpty ? "none is on record" : heads.sorted().joined(separator: ", ")
    }
}
