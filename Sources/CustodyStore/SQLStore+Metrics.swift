import CustodyCore
import CustodyMetrics
import Foundation

extension SQLStore {
    /// Every finding as the metrics see it (``FindingFacts``), in id order, one at a time:
    /// discovery from the first scan, the owner's first action and the first assignment from the
    /// events and owner spans (indexed by finding), fixes and due dates from the row.
    /// `since` and `until` bound the regressions counted (reopen events in the period).
    public func forEachFindingFacts(since: Date, until: Date, _ body: (FindingFacts) throws -> Void) throws {
        try locked(retrying: false) {
            let actions = [
                EventKind.findingAcknowledged, .findingRiskAccepted, .findingFalsePositive, .transferRequested,
            ].map { "'\($0.rawValue)'" }.joined(separator: ", ")
            let statement = try connection.statement(
                """
                SELECT f.id, f.severity, f.status, f.owner_team, s.started_at AS discovered_at, f.fixed_at, f.due_at,
                       f.escalation_stage, f.risk_accepted_until,
                       (SELECT count(*) FROM events e
                        WHERE e.finding_id = f.id AND e.kind = '\(EventKind.findingReopened.rawValue)'
                          AND e.at > ?1 AND e.at <= ?2) AS reopened,
                       (SELECT min(e.at) FROM events e
                        WHERE e.finding_id = f.id AND e.kind IN (\(actions))) AS owned_at,
                       (SELECT o.team FROM owner_spans o WHERE o.finding_id = f.id ORDER BY o.seq LIMIT 1) AS first_team,
                       (SELECT count(*) FROM owner_spans o WHERE o.finding_id = f.id) AS spans,
                       (SELECT min(o.from_at) FROM owner_spans o
                        WHERE o.finding_id = f.id AND o.team IS NOT NULL AND o.seq > 0) AS assigned_at
                FROM findings f JOIN scans s ON s.id = f.first_seen_scan
                ORDER BY f.id
                """)
            let id = try statement.column("id")
            let severity = try statement.column("severity")
            let status = try statement.column("status")
            let team = try statement.column("owner_team")
            let discovered = try statement.column("discovered_at")
            let fixed = try statement.column("fixed_at")
            let due = try statement.column("due_at")
            let owned = try statement.column("owned_at")
            let firstTeam = try statement.column("first_team")
            let spans = try statement.column("spans")
            let assigned = try statement.column("assigned_at")
            let escalation = try statement.column("escalation_stage")
            let acceptedUntil = try statement.column("risk_accepted_until")
            let reopened = try statement.column("reopened")
            func time(_ row: any SQLRow, _ column: Int32) -> Double? {
                row.text(column).flatMap(Timestamp.date)?.timeIntervalSince1970
            }
            try statement.forEach([.text(Timestamp.string(since)), .text(Timestamp.string(until))]) { row in
                let owner = row.text(team)
                // With owner spans, the first says who owned it on arrival; without, its owner
                // never changed.
                let arrivedUnowned = row.int(spans) > 0 ? row.isNull(firstTeam) : owner == nil
                var facts = FindingFacts(
                    id: row.int(id), severity: Severity(rawValue: row.text(severity) ?? "") ?? .info,
                    status: FindingStatus(rawValue: row.text(status) ?? "") ?? .open, team: owner,
                    discoveredAt: time(row, discovered) ?? 0, ownedAt: time(row, owned),
                    fixedAt: time(row, fixed), dueAt: time(row, due),
                    assignedAt: arrivedUnowned ? time(row, assigned) : nil, arrivedUnowned: arrivedUnowned)
                facts.reopenedInPeriod = Int(row.int(reopened))
                facts.escalation = EscalationStage(rawValue: Int(row.int(escalation))) ?? .none
                facts.riskAcceptedUntil = time(row, acceptedUntil)
                try body(facts)
                return true
            }
        }
    }
}
