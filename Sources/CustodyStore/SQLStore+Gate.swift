import CustodyCore
import Foundation

/// What the release gate decides on, read in one go: a commit's new findings, the overdue
/// budget use of the teams owning the repository's open work, and its unowned work.
public struct GateFacts: Sendable, Equatable {
    public struct NewFinding: Sendable, Equatable {
        public var id: Int64
        public var severity: Severity
        public var team: String?
        public var rule: String
        public var path: String?
    }

    /// Open findings first seen by a scan of the commit.
    public var newFindings: [NewFinding] = []
    /// For each team owning open work in the repository: its open findings, anywhere, past due
    /// and known exploited (KEV) or critical.
    public var overdueByTeam: [String: Int] = [:]
    /// Open findings of the repository no team owns.
    public var unowned = 0
}

extension SQLStore {

    public func gateFacts(repository: String, commit: String, now: Date) throws -> GateFacts {
        try locked {
            var facts = GateFacts()
            facts.newFindings = try connection.statement(
                """
                SELECT f.id, f.severity, f.owner_team, f.rule_id, f.path FROM findings f
                JOIN scans s ON s.id = f.first_seen_scan
                WHERE f.repository = ? AND s.commit_sha = ? AND f.status IN \(Self.activeStatuses)
                ORDER BY f.id
                """
            ).rows([.text(repository), .text(commit)]) {
                GateFacts.NewFinding(
                    id: $0.int(0), severity: Severity(rawValue: $0.text(1) ?? "") ?? .info, team: $0.text(2),
                    rule: $0.text(3) ?? "", path: $0.text(4))
            }
            let teams = try connection.statement(
                """
                SELECT DISTINCT owner_team FROM findings
                WHERE repository = ? AND owner_team IS NOT NULL AND status IN \(Self.activeStatuses)
                """
            ).rows([.text(repository)]) { $0.text(0) ?? "" }
            let overdue = try connection.statement(
                """
                SELECT count(*) FROM findings
                WHERE owner_team = ? AND status IN \(Self.activeStatuses) AND due_at < ?
                  AND (kev_added IS NOT NULL OR severity = 'critical')
                """)
            for team in teams.sorted() {
                facts.overdueByTeam[team] =
                    Int(try overdue.first([.text(team), .text(Timestamp.string(now))]) { $0.int(0) } ?? 0)
            }
            facts.unowned = Int(
                try connection.statement(
                    "SELECT count(*) FROM findings WHERE repository = ? AND owner_team IS NULL AND status IN \(Self.activeStatuses)"
                ).first([.text(repository)]) { $0.int(0) } ?? 0)
            return facts
        }
    }
}
