import CustodyCore
import Foundation

extension SQLConnection {
    /// Appends one event of the chain of custody. Every state change goes through here.
    /// Each event is chained to the one before: its sequence number and hash are computed here,
    /// inside the caller's write transaction, from the chain's head. Returns its sequence number.
    @discardableResult
    func appendEvent(
        kind: EventKind, findingID: Int64?, scanID: Int64?, actor: String, payload: JSONText.Value, at: String? = nil
    ) throws -> Int64 {
        let head =
            try ledgerHead
            ?? statement("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").rows([]) {
                (sequence: $0.int(0), hash: $0.text(1) ?? Ledger.genesis)
            }.first ?? (sequence: 0, hash: Ledger.genesis)
        let time = at ?? Timestamp.string(Date())
        let text = payload.text
        let sequence = head.0 + 1
        let hash = Ledger.sha256(
            Ledger.canonical(
                sequence: sequence, at: time, kind: kind.rawValue, findingID: findingID, scanID: scanID, actor: actor,
                payload: text, previousHash: head.1))
        try statement(
            """
            INSERT INTO events (seq, at, kind, finding_id, scan_id, actor, payload, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run([
            .integer(sequence), .text(time), .text(kind.rawValue), .optional(findingID), .optional(scanID),
            .text(actor),
            .text(text), .text(head.1), .text(hash),
        ])
        ledgerHead = (sequence, hash)
        if let findingID, kind.changesOwner {
            try recordOwnerSpan(findingID: findingID, sequence: sequence, at: time, actor: actor, payload: payload)
        }
        return sequence
    }

    /// Keeps `owner_spans` with the event that changes an owner: the first change also writes the
    /// span from first seen; the open span ends where the new one begins.
    private func recordOwnerSpan(
        findingID: Int64, sequence: Int64, at time: String, actor: String, payload: JSONText.Value
    ) throws {
        func member(_ key: String) -> String? {
            guard case .object(let members) = payload,
                case .string(let text)? = members.first(where: { $0.0 == key })?.1
            else { return nil }
            return text
        }
        let known = try statement("SELECT 1 FROM owner_spans WHERE finding_id = ? LIMIT 1").rows([.integer(findingID)])
        {
            _ in true
        }
        if known.isEmpty {
            try statement(
                """
                INSERT INTO owner_spans (finding_id, seq, team, from_at, until_at, reason, actor)
                SELECT f.id, 0, ?, s.started_at, ?, 'first seen', s.uploader
                FROM findings f JOIN scans s ON s.id = f.first_seen_scan WHERE f.id = ?
                """
            ).run([.optional(member("from")), .text(time), .integer(findingID)])
        } else {
            try statement("UPDATE owner_spans SET until_at = ? WHERE finding_id = ? AND until_at IS NULL").run([
                .text(time), .integer(findingID),
            ])
        }
        try statement(
            """
            INSERT INTO owner_spans (finding_id, seq, team, from_at, until_at, reason, actor)
            VALUES (?, ?, ?, ?, NULL, ?, ?)
            """
        ).run([
            .integer(findingID), .integer(sequence), .optional(member("to")), .text(time),
            .text(member("reason") ?? ""), .text(actor),
        ])
    }
}
