import CustodyCore
import CustodyMetrics
import Foundation

extension SQLStore {
    /// Every finding as the metrics see it (``FindingFacts``), in id order, one at a time.
    ///
    /// Read in four set-wise passes, not a subquery per finding (which cost 13 us a finding on
    /// SQLite): the owning teams' first actions and the period's regressions from the events of
    /// those kinds (the (kind, seq) index), the owner spans (only findings that changed owner
    /// have any), then the findings with their first scan. `since` and `until` bound the
    /// regressions counted. With `teams`, only those teams' findings are read, each pass through
    /// the (team, id) index: a team's scorecard reads its own findings, not the store's.
    public func forEachFindingFacts(
        since: Date, until: Date, teams: [String]? = nil, _ body: (FindingFacts) throws -> Void
    ) throws {
        if teams?.isEmpty == true { return }  // no team: no finding
        try locked(retrying: false) {
            // Either every finding, or those of the teams (their ids bound after the pass's own).
            let marks = (teams ?? []).map { _ in "?" }.joined(separator: ", ")
            let only = teams.map { _ in " AND f.owner_team IN (\(marks))" } ?? ""
            let teamValues = (teams ?? []).map(SQLValue.text)
            func time(_ row: any SQLRow, _ column: Int32) -> Double? {
                row.bytes(column).flatMap { Timestamp.seconds(utf8: $0) }
            }
            let actions = [
                EventKind.findingAcknowledged, .findingRiskAccepted, .findingFalsePositive, .transferRequested,
            ].map { "'\($0.rawValue)'" }.joined(separator: ", ")
            var ownedAt: [Int64: Double] = [:]
            try connection.statement(
                """
                SELECT e.finding_id, min(e.at) AS at FROM events e JOIN findings f ON f.id = e.finding_id
                WHERE e.kind IN (\(actions))\(only) GROUP BY e.finding_id
                """
            ).forEach(teamValues) { row in
                ownedAt[row.int(0)] = time(row, 1)
                return true
            }
            var reopened: [Int64: Int] = [:]
            try connection.statement(
                """
                SELECT e.finding_id, count(*) AS times FROM events e JOIN findings f ON f.id = e.finding_id
                WHERE e.kind = '\(EventKind.findingReopened.rawValue)' AND e.at > ? AND e.at <= ?\(only)
                GROUP BY e.finding_id
                """
            ).forEach([.text(Timestamp.string(since)), .text(Timestamp.string(until))] + teamValues) { row in
                reopened[row.int(0)] = Int(row.int(1))
                return true
            }
            // Per finding that changed owner: whether its first span had no team (it arrived
            // unowned), and when a later span first gave it one.
            var spans: [Int64: (arrivedUnowned: Bool, assignedAt: Double?)] = [:]
            try connection.statement(
                """
                SELECT o.finding_id, o.seq, o.team, o.from_at FROM owner_spans o JOIN findings f ON f.id = o.finding_id
                WHERE 1 = 1\(only) ORDER BY o.finding_id, o.seq
                """
            ).forEach(teamValues) { row in
                let id = row.int(0)
                if var known = spans[id] {
                    if known.assignedAt == nil, !row.isNull(2) { known.assignedAt = time(row, 3) }
                    spans[id] = known
                } else {
                    spans[id] = (row.isNull(2), nil)
                }
                return true
            }
            let statement = try connection.statement(
                """
                SELECT f.id, f.severity, f.status, f.owner_team, s.started_at AS discovered_at, f.fixed_at, f.due_at,
                       f.escalation_stage, f.risk_accepted_until
                FROM findings f JOIN scans s ON s.id = f.first_seen_scan
                WHERE 1 = 1\(only) ORDER BY f.id
                """)
            let id = try statement.column("id")
            let severity = try statement.column("severity")
            let status = try statement.column("status")
            let team = try statement.column("owner_team")
            let discovered = try statement.column("discovered_at")
            let fixed = try statement.column("fixed_at")
            let due = try statement.column("due_at")
            let escalation = try statement.column("escalation_stage")
            let acceptedUntil = try statement.column("risk_accepted_until")
            try statement.forEach(teamValues) { row in
                let findingID = row.int(id)
                let owner = row.text(team)
                // With owner spans, the first says who owned it on arrival; without, its owner
                // never changed.
                let span = spans[findingID]
                let arrivedUnowned = span?.arrivedUnowned ?? (owner == nil)
                var facts = FindingFacts(
                    id: findingID, severity: Severity(rawValue: row.text(severity) ?? "") ?? .info,
                    status: FindingStatus(rawValue: row.text(status) ?? "") ?? .open, team: owner,
                    discoveredAt: time(row, discovered) ?? 0, ownedAt: ownedAt[findingID],
                    fixedAt: time(row, fixed), dueAt: time(row, due),
                    assignedAt: arrivedUnowned ? span?.assignedAt : nil, arrivedUnowned: arrivedUnowned)
                facts.reopenedInPeriod = reopened[findingID] ?? 0
                facts.escalation = EscalationStage(rawValue: Int(row.int(escalation))) ?? .none
                facts.riskAcceptedUntil = time(row, acceptedUntil)
                try body(facts)
                return true
            }
        }
    }
}
