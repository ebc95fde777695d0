import CustodyCore
import Foundation

extension SQLStore {
    /// Applies `transition` to the findings, one event each; `at` dates the events (nil: now; a
    /// history generator replays a past, the service always says now).
    public func transition(
        findingIDs: [Int64], _ transition: Transition, actor: String, reason: String, skipRefused: Bool,
        at: Date? = nil
    ) throws -> TransitionOutcome {
        try locked {
            try connection.transaction {
                // Only a risk acceptance needs the organisation (who may approve).
                var organisation: Organisation?
                if case .acceptRisk = transition { organisation = try organisationUnlocked() }
                var outcome = TransitionOutcome()
                var planned: [Int64] = []
                for id in findingIDs {
                    guard
                        let (statusText, severityText, owner) = try connection.statement(
                            "SELECT status, severity, owner_team FROM findings WHERE id = ?"
                        ).rows([.integer(id)], { ($0.text(0) ?? "", $0.text(1) ?? "", $0.text(2)) }).first
                    else {
                        outcome.refused.append((id, "no such finding"))
                        continue
                    }
                    let status = FindingStatus(rawValue: statusText) ?? .open
                    guard transition.allowedFrom.contains(status) else {
                        outcome.refused.append((id, "cannot \(transition.name) a finding that is \(status.rawValue)"))
                        continue
                    }
                    if case .acceptRisk(_, let approver) = transition, let organisation {
                        let team = owner.flatMap { owner in organisation.teams.first { $0.id == owner } }
                        if let refusal = RiskApproval.refusal(
                            approver: approver, severity: Severity(rawValue: severityText) ?? .info, team: team,
                            organisation: organisation)
                        {
                            outcome.refused.append((id, refusal))
                            continue
                        }
                    }
                    planned.append(id)
                }
                if !outcome.refused.isEmpty && !skipRefused { throw TransitionRefused(refused: outcome.refused) }
                for id in planned {
                    var payload: [(String, JSONText.Value)] = [("reason", .string(reason))]
                    switch transition {
                    case .acceptRisk(let until, let approver):
                        try connection.statement(
                            "UPDATE findings SET status = ?, risk_accepted_until = ?, risk_approver = ? WHERE id = ?"
                        ).run([.text(transition.target.rawValue), .text(until), .text(approver), .integer(id)])
                        payload += [("until", .string(until)), ("approver", .string(approver))]
                    case .falsePositive(let justification):
                        try connection.statement("UPDATE findings SET status = ?, justification = ? WHERE id = ?")
                            .run([.text(transition.target.rawValue), .text(justification.rawValue), .integer(id)])
                        payload.append(("justification", .string(justification.rawValue)))
                    case .acknowledge, .reopen:
                        try connection.statement(
                            """
                            UPDATE findings SET status = ?, risk_accepted_until = NULL, risk_approver = NULL,
                                justification = NULL, fixed_at = NULL
                            WHERE id = ?
                            """
                        ).run([.text(transition.target.rawValue), .integer(id)])
                    }
                    try connection.appendEvent(
                        kind: transition.eventKind, findingID: id, scanID: nil, actor: actor, payload: .object(payload),
                        at: at.map(Timestamp.string))
                    outcome.changed.append(id)
                }
                return outcome
            }
        }
    }
}
