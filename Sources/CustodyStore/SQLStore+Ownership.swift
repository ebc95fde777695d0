import CustodyCore
import Foundation

extension SQLStore {
    /// Makes `team` the owner of the findings, one event each, dated `at` (nil: now).
    public func assignOwner(
        findingIDs: [Int64], team: String, actor: String, reason: String, at: Date? = nil
    ) throws -> Int {
        try locked {
            try connection.transaction {
                guard
                    try connection.statement("SELECT 1 FROM teams WHERE id = ?").rows([.text(team)], { _ in 1 }).count
                        == 1
                else { throw StoreRefusal(.notFound, "unknown team '\(team)'") }
                var changed = 0
                for id in findingIDs {
                    let previous = try connection.statement("SELECT owner_team FROM findings WHERE id = ?")
                        .rows([.integer(id)]) { $0.text(0) }
                    guard let old = previous.first else { throw StoreRefusal(.notFound, "no finding \(id)") }
                    if old == team { continue }
                    try connection.statement("UPDATE findings SET owner_team = ?, owner_rule = NULL WHERE id = ?")
                        .run([.text(team), .integer(id)])
                    try connection.appendEvent(
                        kind: .ownershipAssigned, findingID: id, scanID: nil, actor: actor,
                        payload: .object([("from", .optional(old)), ("to", .string(team)), ("reason", .string(reason))]
                        ),
                        at: at.map(Timestamp.string))
                    changed += 1
                }
                return changed
            }
        }
    }

    public func ownerHistory(findingID: Int64) throws -> [OwnerSpan] {
        try locked { try ownerHistoryUnlocked(findingID) }
    }

    private func ownerHistoryUnlocked(_ findingID: Int64) throws -> [OwnerSpan] {
        let spans = try connection.statement(
            "SELECT from_at, team, reason, actor FROM owner_spans WHERE finding_id = ? ORDER BY seq"
        ).rows([.integer(findingID)]) { row in
            OwnerSpan(
                from: try row.text("from_at") ?? "", team: try row.text("team"), reason: try row.text("reason") ?? "",
                actor: try row.text("actor") ?? "")
        }
        if !spans.isEmpty { return spans }
        // Never changed owner: its owner since first seen is the one on the finding.
        return try connection.statement(
            """
            SELECT f.owner_team, s.started_at, s.uploader FROM findings f JOIN scans s ON s.id = f.first_seen_scan
            WHERE f.id = ?
            """
        ).rows([.integer(findingID)]) { row in
            OwnerSpan(
                from: try row.text("started_at") ?? "", team: try row.text("owner_team"), reason: "first seen",
                actor: try row.text("uploader") ?? "")
        }
    }

    /// The owning team of each finding that exists among `ids` (nil: unowned); one key lookup each.
    public func ownerTeams(of ids: [Int64]) throws -> [Int64: String?] {
        try locked {
            let statement = try connection.statement("SELECT owner_team FROM findings WHERE id = ?")
            var owners: [Int64: String?] = [:]
            for id in ids {
                try statement.forEach([.integer(id)]) { row in
                    owners[id] = try row.text("owner_team")
                    return false
                }
            }
            return owners
        }
    }

    public func findingIDs(ownedBy team: String, at time: String) throws -> [Int64] {
        try locked {
            // Spans of findings whose owner changed, and findings that never changed owner (no
            // spans) owned by the team since first seen: two indexed reads, no event is parsed.
            try connection.statement(Self.ownedAtSQL + " ORDER BY 1").rows([
                .text(team), .text(time), .text(time), .text(team), .text(time),
            ]) { try $0.int("id") }
        }
    }

    /// The findings a team (parameters 1 and 4) owned at a time (2, 3 and 5): spans of findings whose
    /// owner changed, and findings that never changed owner (no spans) owned by the team since
    /// first seen. Two indexed reads; no event is parsed.
    static let ownedAtSQL = """
        SELECT finding_id AS id FROM owner_spans
        WHERE team = ? AND from_at <= ? AND (until_at IS NULL OR until_at > ?)
        UNION
        SELECT sf.id FROM findings sf JOIN scans ss ON ss.id = sf.first_seen_scan
        WHERE sf.owner_team = ? AND ss.started_at <= ?
          AND NOT EXISTS (SELECT 1 FROM owner_spans o WHERE o.finding_id = sf.id)
        """
}
