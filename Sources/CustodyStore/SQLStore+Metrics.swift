import CustodyCore
import CustodyMetrics
import Foundation

extension SQLStore {
    /// Every finding as the metrics see it (``FindingFacts``), in id order, one at a time.
    ///
    /// Read in four set-wise passes, not a subquery per finding (which cost 13 us a finding on
    /// SQLite): the kinds and times of the events that matter (the owning teams' actions, and
    /// the fixes and regressions since the period began), who acted in the period with the
    /// release of each fix's scan, the owner spans (only findings that changed owner have any),
    /// then the findings with their first scan and introducer. With `teams`, only the findings
    /// those teams own or ever owned are read, each pass finding by finding through the
    /// (finding, kind, at) index: a team's scorecard reads its own findings, not the store's.
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
            // One pass over the events that matter: the owning teams' actions (all of them, for the
            // first), fixes and regressions (those after `since`), with the release of a fix's scan.
            // Ids are dense: every finding's facts are kept in arrays indexed by id (a dictionary's
            // hashing was an eighth of a million-finding read); a team's few in dictionaries.
            let count =
                teams == nil
                ? try connection.statement("SELECT coalesce(max(id), 0) AS top FROM findings").first([]) {
                    Int($0.int(0)) + 1
                } : nil
            var ownedAt = ByFinding<Double?>(count: count, empty: nil)
            var reopened = ByFinding<[Double]>(count: count, empty: [])
            var expired = ByFinding<[Double]>(count: count, empty: [])
            var actions = ByFinding<[FindingFacts.Action]>(count: count, empty: [])
            var fixedIn = ByFinding<String?>(count: count, empty: nil)
            let (start, end) = (since.timeIntervalSince1970, until.timeIntervalSince1970)
            let fixKind = EventKind.findingFixed.rawValue
            let regression = EventKind.findingReopened.rawValue
            // Kind and time only, so that a team's read stays in the (finding, kind, at) index;
            // who acted, and a fix's release, are read for the period's own events after.
            try connection.statement(
                """
                SELECT e.finding_id, CASE WHEN e.kind = '\(fixKind)' THEN 1
                       WHEN e.kind = '\(regression)' AND e.payload LIKE '%risk acceptance expired%' THEN 3
                       WHEN e.kind = '\(regression)' THEN 2 ELSE 0 END AS code,
                       e.at
                FROM \(rows(of: "events", "e"))
                AND (e.kind IN (\(firstActions)) OR (e.kind IN ('\(fixKind)', '\(regression)') AND e.at > ?))
                """
            ).forEach(teamValues + [.text(Timestamp.string(since))]) { row in
                guard let at = time(row, 2) else { return true }
                let id = row.int(0)
                let code = row.int(1)
                if code == 0, ownedAt[id].map({ at < $0 }) ?? true { ownedAt[id] = at }
                guard at > start, at <= end else { return true }
                switch code {
                case 2: reopened.update(id) { $0.append(at) }
                case 3: expired.update(id) { $0.append(at) }
                default: break
                }
                return true
            }
            // The period's actions: for every finding through the kind index, for a team's through
            // the (finding, kind, at) index.
            try connection.statement(
                """
                SELECT e.finding_id, e.kind, e.actor, e.at, s.release
                FROM \(rows(of: "events", "e", joining: " LEFT JOIN scans s ON s.id = e.scan_id"))
                AND e.kind IN (\(firstActions), '\(fixKind)') AND e.at > ? AND e.at <= ?
                """
            ).forEach(teamValues + [.text(Timestamp.string(since)), .text(Timestamp.string(until))]) { row in
                let id = row.int(0)
                guard let at = time(row, 3) else { return true }
                let isFix = row.text(1) == fixKind
                let action = FindingFacts.Action(actor: row.text(2) ?? "", at: at, isFix: isFix)
                actions.update(id) { $0.append(action) }
                if isFix, let release = row.text(4) { fixedIn[id] = release }
                return true
            }
            // Owners over time, for the findings that ever changed owner.
            var spans = ByFinding<[FindingFacts.OwnerSpan]>(count: count, empty: [])
            try connection.statement(
                """
                SELECT o.finding_id, o.team, o.from_at FROM \(rows(of: "owner_spans", "o"))
                ORDER BY o.finding_id, o.seq
                """
            ).forEach(teamValues) { row in
                let span = FindingFacts.OwnerSpan(from: time(row, 2) ?? 0, team: row.text(1))
                spans.update(row.int(0)) { $0.append(span) }
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
                let history = spans[findingID]
                let arrivedUnowned = history.first.map { $0.team == nil } ?? (owner == nil)
                let assignedAt = arrivedUnowned ? history.dropFirst().first { $0.team != nil }?.from : nil
                var facts = FindingFacts(
                    id: findingID, severity: Severity(rawValue: row.text(severity) ?? "") ?? .info,
                    status: FindingStatus(rawValue: row.text(status) ?? "") ?? .open, team: owner,
                    discoveredAt: time(row, discovered) ?? 0, ownedAt: ownedAt[findingID],
                    fixedAt: time(row, fixed), dueAt: time(row, due), assignedAt: assignedAt,
                    arrivedUnowned: arrivedUnowned)
                facts.ownerSpans = history
                facts.reopenedAt = reopened[findingID]
                facts.riskExpiredAt = expired[findingID]
                facts.actions = actions[findingID]
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

/// Values by finding id: an array indexed by id when every finding is read (ids are dense), a
/// dictionary when a team's few are. An id past the array (a finding added since) reads as empty.
struct ByFinding<Value> {
    private var dense: [Value]
    private var sparse: [Int64: Value] = [:]
    private let empty: Value
    private let isDense: Bool

    init(count: Int?, empty: Value) {
        self.empty = empty
        isDense = count != nil
        dense = Array(repeating: empty, count: count ?? 0)
    }

    subscript(id: Int64) -> Value {
        get {
            if isDense { return id >= 0 && id < dense.count ? dense[Int(id)] : empty }
            return sparse[id] ?? empty
        }
        set { update(id) { $0 = newValue } }
    }

    /// Changes the value of `id` in place (an append does not copy the array it appends to).
    mutating func update(_ id: Int64, _ change: (inout Value) -> Void) {
        if isDense {
            if id >= 0 && id < dense.count { change(&dense[Int(id)]) }
        } else {
            let fallback = empty
            change(&sparse[id, default: fallback])
        }
    }
}
