import CustodyCore
import Foundation

extension SQLStore {
    public func escalate(now: Date, actor: String) throws -> Int {
        try locked {
            try connection.transaction {
                let organisation = try organisationUnlocked()
                let teams = organisation.teamsByID
                let time = Timestamp.string(now)
                // Only findings whose half-time has passed can have a new stage: the due-date index
                // narrows a million open findings to those, and SQL computes the half-time.
                // The stage each open finding has reached, computed by SQLite for all of them in one
                // pass (the thresholds of EscalationStage); only those past their stored stage return.
                let days = connection.dialect.days
                let (now, due) = (days("?1"), days("f.due_at"))
                // The stages past the due date, latest first: constants of EscalationStage.
                let overdue = EscalationStage.allCases.reversed().compactMap { stage in
                    stage.daysOverdue.map { "WHEN \(now) - \(due) >= \($0) THEN \(stage.rawValue)" }
                }.joined(separator: " ")
                let candidates = try connection.statement(
                    """
                    SELECT id, owner_team, escalation_stage, due_at, reached FROM (
                      SELECT f.id, f.owner_team, f.escalation_stage, f.due_at,
                        CASE \(overdue)
                             WHEN \(now) >= (\(days("s.started_at")) + \(due)) / 2 THEN 1
                             ELSE 0 END AS reached
                      FROM findings f JOIN scans s ON s.id = f.first_seen_scan
                      WHERE f.due_at IS NOT NULL AND f.escalation_stage < 4
                        AND f.status IN ('open', 'acknowledged', 'reopened', 'transferred')) AS candidates
                    WHERE reached > escalation_stage
                    """
                ).rows([.text(time)]) { ($0.int(0), $0.text(1), Int($0.int(2)), $0.text(3) ?? "", Int($0.int(4))) }
                var steps = 0
                for (id, team, stored, dueText, stage) in candidates {
                    let reached = EscalationStage(rawValue: stage) ?? .none
                    // Each step once, in order, even when a tick finds several passed at once.
                    for stage in EscalationStage.allCases where stage.rawValue > stored && stage <= reached {
                        let recipients = stage.recipients(team: team.flatMap { teams[$0] }, organisation: organisation)
                        let payload = JSONText.Value.object([
                            ("stage", .string(stage.name)), ("to", .strings(recipients)), ("due", .string(dueText)),
                        ])
                        let event = try connection.appendEvent(
                            kind: .escalationStep, findingID: id, scanID: nil, actor: actor, payload: payload,
                            at: time)
                        try connection.enqueueNotification(
                            event: event, kind: "escalation", findingID: id, team: team, payload: payload, at: time)
                        steps += 1
                    }
                    try connection.statement("UPDATE findings SET escalation_stage = ? WHERE id = ?")
                        .run([.integer(Int64(reached.rawValue)), .integer(id)])
                }
                return steps
            }
        }
    }

    public func expireRiskAcceptances(now: Date, actor: String) throws -> [Int64] {
        try locked {
            try connection.transaction {
                let time = Timestamp.string(now)
                let expired = try connection.statement(
                    """
                    UPDATE findings SET status = 'reopened', risk_accepted_until = NULL, risk_approver = NULL
                    WHERE status = 'risk_accepted' AND risk_accepted_until < ?
                    RETURNING id
                    """
                ).rows([.text(time)]) { $0.int(0) }.sorted()
                for id in expired {
                    try connection.appendEvent(
                        kind: .findingReopened, findingID: id, scanID: nil, actor: actor,
                        payload: .object([("reason", "risk acceptance expired")]), at: time)
                }
                return expired
            }
        }
    }
}
