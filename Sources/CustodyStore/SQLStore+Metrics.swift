import CustodyCore
import CustodyMetrics
import Foundation

extension SQLStore {
    /// Every finding as the metrics see it (``FindingFacts``), in id order, one at a time.
    ///
    /// Read in five set-wise passes, not a subquery per finding (which cost 13 us a finding on
    /// SQLite): the owning teams' first actions, the period's regressions, and the period's
    /// actions with the release of each fix's scan, from the events of those kinds (the (kind,
    /// seq) index); the owner spans (only findings that changed owner have any); then the
    /// findings with their first scan and introducer. With `teams`, only the findings those teams
    /// own or ever owned are read, each pass finding by finding: a team's scorecard reads its own
    /// findings, not the store's.
    public func forEachFindingFacts(
        since: Date, until: Date, teams: [String]? = nil, _ body: (FindingFacts) throws -> Void
    ) throws {
        if teams?.isEmpty == true { return }  // no team: no finding
        try locked(retrying: false) {
            // Either every finding, or those of the teams (their ids bound after the pass's own).
            // A team's findings are those it owns now and those it ever owned (a span of its own).
            let marks = (teams ?? []).map { _ in "?" }.joined(separator: ", ")
            let only =
                teams.map { _ in
                    " AND f.id IN (SELECT id FROM findings WHERE owner_team IN (\(marks))"
                        + " UNION SELECT finding_id FROM owner_spans WHERE team IN (\(marks)))"
                } ?? ""
            let teamValues = (teams ?? []).map(SQLValue.text) + (teams ?? []).map(SQLValue.text)
            // The rows of a table about findings: all of them, or for teams, those of the teams'
            // findings, read finding by finding through the table's finding index (CROSS JOIN
            // keeps SQLite from scanning every event of a kind for a team's few).
            func rows(of table: String, _ alias: String, joining join: String = "") -> String {
                teams == nil
                    ? "\(table) \(alias)\(join) WHERE 1 = 1"
                    : "findings f CROSS JOIN \(table) \(alias)\(join) WHERE \(alias).finding_id = f.id\(only)"
            }
            func time(_ row: any SQLRow, _ column: Int32) -> Double? {
                row.bytes(column).flatMap { Timestamp.seconds(utf8: $0) }
            }
            let ownerActions: [EventKind] = [
                .findingAcknowledged, .findingRiskAccepted, .findingFalsePositive, .transferRequested,
            ]
            let firstActions = ownerActions.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            let period: [SQLValue] = [.text(Timestamp.string(since)), .text(Timestamp.string(until))]
            var ownedAt: [Int64: Double] = [:]
            try connection.statement(
                """
                SELECT e.finding_id, min(e.at) AS at FROM \(rows(of: "events", "e"))
                AND e.kind IN (\(firstActions)) GROUP BY e.finding_id
                """
            ).forEach(teamValues) { row in
                ownedAt[row.int(0)] = time(row, 1)
                return true
            }
            var reopened: [Int64: [Double]] = [:]
            try connection.statement(
                """
                SELECT e.finding_id, e.at FROM \(rows(of: "events", "e"))
                AND e.kind = '\(EventKind.findingReopened.rawValue)' AND e.at > ? AND e.at <= ?
                """
            ).forEach(teamValues + period) { row in
                if let at = time(row, 1) { reopened[row.int(0), default: []].append(at) }
                return true
            }
            // Who acted in the period, and the release of the scan that proved each fix.
            var actions: [Int64: [FindingFacts.Action]] = [:]
            var fixedIn: [Int64: String] = [:]
            let acted = (ownerActions + [.findingFixed]).map { "'\($0.rawValue)'" }.joined(separator: ", ")
            try connection.statement(
                """
                SELECT e.finding_id, e.kind, e.actor, e.at, s.release
                FROM \(rows(of: "events", "e", joining: " LEFT JOIN scans s ON s.id = e.scan_id"))
                AND e.kind IN (\(acted)) AND e.at > ? AND e.at <= ?
                """
            ).forEach(teamValues + period) { row in
                let id = row.int(0)
                let isFix = row.text(1) == EventKind.findingFixed.rawValue
                if let at = time(row, 3) {
                    actions[id, default: []].append(FindingFacts.Action(actor: row.text(2) ?? "", at: at, isFix: isFix))
                }
                if isFix, let release = row.text(4) { fixedIn[id] = release }
                return true
            }
            // Owners over time, for the findings that ever changed owner.
            var spans: [Int64: [FindingFacts.OwnerSpan]] = [:]
            try connection.statement(
                """
                SELECT o.finding_id, o.team, o.from_at FROM \(rows(of: "owner_spans", "o"))
                ORDER BY o.finding_id, o.seq
                """
            ).forEach(teamValues) { row in
                spans[row.int(0), default: []].append(
                    FindingFacts.OwnerSpan(from: time(row, 2) ?? 0, team: row.text(1)))
                return true
            }
            let statement = try connection.statement(
                """
                SELECT f.id, f.severity, f.status, f.owner_team, s.started_at AS discovered_at, f.fixed_at, f.due_at,
                       f.escalation_stage, f.risk_accepted_until, f.ssvc, i.team AS introducer_team,
                       c.release AS introduced_release, c.authored_at AS introduced_at, i.finding_id AS introduced
                FROM findings f JOIN scans s ON s.id = f.first_seen_scan
                LEFT JOIN introducers i ON i.finding_id = f.id LEFT JOIN commits c ON c.sha = i.commit_sha
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
            let ssvc = try statement.column("ssvc")
            let introducerTeam = try statement.column("introducer_team")
            let introducedRelease = try statement.column("introduced_release")
            let introducedAt = try statement.column("introduced_at")
            let introduced = try statement.column("introduced")
            try statement.forEach(teamValues) { row in
                let findingID = row.int(id)
                let owner = row.text(team)
                // With owner spans, the first says who owned it on arrival, and a later span
                // with a team when it was first given one; without, its owner never changed.
                let history = spans[findingID] ?? []
                let arrivedUnowned = history.first.map { $0.team == nil } ?? (owner == nil)
                let assignedAt = arrivedUnowned ? history.dropFirst().first { $0.team != nil }?.from : nil
                var facts = FindingFacts(
                    id: findingID, severity: Severity(rawValue: row.text(severity) ?? "") ?? .info,
                    status: FindingStatus(rawValue: row.text(status) ?? "") ?? .open, team: owner,
                    discoveredAt: time(row, discovered) ?? 0, ownedAt: ownedAt[findingID],
                    fixedAt: time(row, fixed), dueAt: time(row, due), assignedAt: assignedAt,
                    arrivedUnowned: arrivedUnowned)
                facts.ownerSpans = history
                facts.reopenedAt = reopened[findingID] ?? []
                facts.actions = actions[findingID] ?? []
                facts.fixedInRelease = fixedIn[findingID]
                facts.escalation = EscalationStage(rawValue: Int(row.int(escalation))) ?? .none
                facts.riskAcceptedUntil = time(row, acceptedUntil)
                facts.ssvc = row.text(ssvc).flatMap(SSVC.Decision.init(rawValue:))
                if !row.isNull(introduced) {
                    facts.introduction = FindingFacts.Introduction(
                        release: row.text(introducedRelease), team: row.text(introducerTeam),
                        at: time(row, introducedAt))
                }
                try body(facts)
                return true
            }
        }
    }
}
