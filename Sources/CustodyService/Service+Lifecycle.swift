import CustodyCore
import CustodyStore
import Foundation

/// The findings a change applies to: given by id, or chosen by a filter.
public enum FindingSelection: Sendable, Equatable {
    case ids([Int64])
    case filter(FindingFilter)
}

/// A lifecycle change as a client asks for it, in words: the service checks every part.
public enum LifecycleAction: Sendable, Equatable {
    case acknowledge
    /// Until a date (2027-03-31 or 2027-03-31T00:00:00Z), approved by someone the rules accept.
    case acceptRisk(until: String, approver: String)
    /// With a VEX justification (`code_not_reachable`...).
    case falsePositive(justification: String)
    case reopen
}

public struct TransitionRequest: Sendable, Equatable {
    public var selection: FindingSelection
    public var action: LifecycleAction
    public var reason: String
    /// Change the findings that can change and report the others; by default all or none.
    public var skipRefused = false

    public init(selection: FindingSelection, action: LifecycleAction, reason: String, skipRefused: Bool = false) {
        self.selection = selection
        self.action = action
        self.reason = reason
        self.skipRefused = skipRefused
    }
}

public struct TransitionResponse: Sendable, Equatable {
    public var target: FindingStatus
    public var changed: [Int64]
    public var refused: [RefusedFinding]
}

public struct RefusedFinding: Sendable, Equatable {
    public var id: Int64
    public var reason: String
}

extension CustodyService {
    /// Applies a lifecycle change to the selected findings, one event each, in one transaction.
    public func transition(_ request: TransitionRequest, by principal: Principal) throws(ServiceError)
        -> TransitionResponse
    {
        try authorize(principal, "change findings")
        if case .acceptRisk = request.action, !principal.mayAcceptRisk {
            throw ServiceError(
                .forbidden,
                "\(principal.name) (\(principal.role.rawValue)) may not accept risk: a team lead or the security team does"
            )
        }
        let reason = try Self.required(request.reason, "reason: every change of state says why")
        let transition = try Self.transition(request.action)
        let store = try store()
        let ids = try selectedIDs(request.selection, startingFrom: transition.allowedFrom, store: store)
        try authorizeTeams(principal, ids, store: store)
        let outcome = try perform {
            try store.transition(
                findingIDs: ids, transition, actor: principal.name, reason: reason, skipRefused: request.skipRefused)
        }
        return TransitionResponse(
            target: transition.target, changed: outcome.changed,
            refused: outcome.refused.map { RefusedFinding(id: $0.id, reason: $0.reason) })
    }

    /// The transition an action asks for, with its parts checked.
    static func transition(_ action: LifecycleAction) throws(ServiceError) -> Transition {
        switch action {
        case .acknowledge: return .acknowledge
        case .reopen: return .reopen
        case .acceptRisk(let untilText, let approver):
            guard let until = Timestamp.parse(untilText) else {
                throw ServiceError(
                    .invalidInput, "the acceptance needs an end: 2027-03-31 or 2027-03-31T00:00:00Z, not '\(untilText)'"
                )
            }
            guard until > Timestamp.string(Date()) else {
                throw ServiceError(.invalidInput, "the acceptance would end at \(untilText), which is in the past")
            }
            return .acceptRisk(until: until, approver: try required(approver, "approver: who approves the risk"))
        case .falsePositive(let text):
            guard let justification = VEXJustification(rawValue: text) else {
                throw ServiceError(
                    .invalidInput,
                    "unknown justification '\(text)'; one of \(VEXJustification.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return .falsePositive(justification)
        }
    }

    /// The ids of a selection. A filter picks the findings the change can start from (or, with a
    /// status, those in it); an empty selection is refused, so a typo never "changes 0 findings".
    func selectedIDs(_ selection: FindingSelection, startingFrom allowed: Set<FindingStatus>? = nil, store: SQLStore)
        throws(ServiceError) -> [Int64]
    {
        switch selection {
        case .ids(let ids):
            guard !ids.isEmpty else {
                throw ServiceError(.invalidInput, "no findings: give ids or a filter that selects some")
            }
            guard let bad = ids.first(where: { $0 <= 0 }) else { return ids }
            throw ServiceError(.invalidInput, "'\(bad)' is not a finding id")
        case .filter(let filter):
            guard filter.selectsSome else {
                throw ServiceError(.invalidInput, "a bulk change needs a team, rule, CVE or repository filter")
            }
            let query = try query(filter, store: store)
            // Ids only: a bulk change of a million findings holds a million numbers, not rows.
            var ids: [Int64] = []
            try perform {
                try store.forEachFinding(query) { row in
                    if filter.status != nil || allowed?.contains(row.status) ?? true { ids.append(row.id) }
                    return true
                }
            }
            guard !ids.isEmpty else { throw ServiceError(.notFound, "no findings: the filter selects none") }
            return ids
        }
    }

    /// Reopens expired risk acceptances and moves overdue work up the escalation ladder.
    public func tick(now: Date, by principal: Principal) throws(ServiceError) -> TickResponse {
        try authorizeSecurity(principal, "apply the clock")
        let store = try store()
        return try perform {
            let reopened = try store.expireRiskAcceptances(now: now, actor: principal.name)
            let steps = try store.escalate(now: now, actor: principal.name)
            return TickResponse(reopened: reopened, escalationSteps: steps)
        }
    }

    /// Recomputes due dates of open work under the configured SLA policy.
    public func applySLA(by principal: Principal) throws(ServiceError) -> Int {
        try authorizeSecurity(principal, "change due dates")
        let store = try store()
        return try perform {
            try store.applySLA(configuration.sla, criticality: configuration.criticality, actor: principal.name)
        }
    }
}

public struct TickResponse: Sendable, Equatable {
    public var reopened: [Int64]
    public var escalationSteps: Int
}
