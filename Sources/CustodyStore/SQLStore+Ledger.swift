import CustodyCore
import Foundation

extension SQLStore {
    public func events(findingID: Int64?) throws -> [EventRow] {
        try locked {
            let sql =
                findingID == nil
                ? "SELECT seq, at, kind, finding_id, scan_id, actor, payload FROM events ORDER BY seq"
                : "SELECT seq, at, kind, finding_id, scan_id, actor, payload FROM events WHERE finding_id = ? ORDER BY seq"
            return try connection.statement(sql).rows(findingID.map { [.integer($0)] } ?? []) {
                let kind = $0.text(2) ?? ""
                guard let known = EventKind(rawValue: kind) else {
                    throw DatabaseError(
                        code: -1, message: "event \($0.int(0)) has a kind this version does not know: '\(kind)'")
                }
                return EventRow(
                    sequence: $0.int(0), at: $0.text(1) ?? "", kind: known, findingID: $0.optionalInt(3),
                    scanID: $0.optionalInt(4), actor: $0.text(5) ?? "", payload: $0.text(6) ?? "")
            }
        }
    }

    /// The events of one kind recorded in a period (after `since`, at or before `until`), oldest
    /// first.
    public func events(kind: EventKind, since: Date, until: Date) throws -> [EventRow] {
        try locked {
            try connection.statement(
                """
                SELECT seq, at, finding_id, scan_id, actor, payload FROM events
                WHERE kind = ? AND at > ? AND at <= ? ORDER BY seq
                """
            ).rows([.text(kind.rawValue), .text(Timestamp.string(since)), .text(Timestamp.string(until))]) {
                EventRow(
                    sequence: $0.int(0), at: $0.text(1) ?? "", kind: kind, findingID: $0.optionalInt(2),
                    scanID: $0.optionalInt(3), actor: $0.text(4) ?? "", payload: $0.text(5) ?? "")
            }
        }
    }

    /// Checks the whole chain of custody (see ``Ledger``).
    public func verifyLedger(publicKey: String? = nil) throws -> Ledger.Report {
        try locked {
            let statement = try connection.statement(
                "SELECT seq, at, kind, finding_id, scan_id, actor, payload, prev_hash, hash FROM events ORDER BY seq")
            var verifier = Ledger.StreamingVerifier()
            try statement.forEach([]) { row in
                verifier.check(
                    sequence: row.int(0), at: row.bytes(1), kind: row.bytes(2), findingID: row.optionalInt(3),
                    scanID: row.optionalInt(4), actor: row.bytes(5), payload: row.bytes(6), previousHash: row.bytes(7),
                    hash: row.bytes(8))
            }
            var report = Ledger.Report(count: verifier.count, head: verifier.head, broken: verifier.broken)
            if report.broken == nil { try checkCheckpoints(&report, publicKey: publicKey) }
            return report
        }
    }

    /// Checkpoints must cover events that exist, name their hashes, and (with the public key)
    /// carry a valid signature: cutting the newest events and re-hashing cannot pass.
    private func checkCheckpoints(_ report: inout Ledger.Report, publicKey: String?) throws {
        let checkpoints = try connection.statement(
            "SELECT seq, head_hash, at, key_id, signature FROM checkpoints ORDER BY id"
        ).rows([]) { ($0.int(0), $0.text(1) ?? "", $0.text(2) ?? "", $0.text(3) ?? "", $0.text(4) ?? "") }
        let keyID = publicKey.map(Signing.keyID)
        for (sequence, head, at, key, signature) in checkpoints {
            guard sequence <= Int64(report.count) else {
                report.broken = (
                    sequence,
                    "a checkpoint covers event \(sequence) but the chain ends at \(report.count): events were cut"
                )
                return
            }
            let stored = try connection.statement("SELECT hash FROM events WHERE seq = ?").rows([.integer(sequence)]) {
                $0.text(0) ?? ""
            }.first
            guard stored == head else {
                report.broken = (sequence, "the checkpoint's head hash is not this event's hash")
                return
            }
            if let publicKey, let keyID {
                let message = Ledger.checkpointMessage(sequence: sequence, head: head, at: at, keyID: key)
                guard key == keyID, try Signing.verify(message, signature: signature, publicKey: publicKey) else {
                    report.broken = (sequence, "the checkpoint's signature does not verify with this public key")
                    return
                }
            }
            report.checkpoints += 1
            report.lastCheckpoint = (sequence, at, key)
        }
    }

    /// Signs the chain's head with an Ed25519 private key (PEM) and stores the checkpoint.
    public func checkpoint(privateKey: String, publicKey: String, actor: String) throws -> (
        sequence: Int64, head: String
    ) {
        try locked {
            try connection.transaction {
                guard
                    let (sequence, head) = try connection.statement(
                        "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
                    ).rows([], { ($0.int(0), $0.text(1) ?? "") }).first
                else { throw StoreRefusal(.refused, "the ledger has no events to sign") }
                let at = Timestamp.string(Date())
                let keyID = Signing.keyID(publicKey)
                let signature = try Signing.sign(
                    Ledger.checkpointMessage(sequence: sequence, head: head, at: at, keyID: keyID),
                    privateKey: privateKey)
                guard
                    try Signing.verify(
                        Ledger.checkpointMessage(sequence: sequence, head: head, at: at, keyID: keyID),
                        signature: signature,
                        publicKey: publicKey)
                else { throw StoreRefusal(.invalid, "the public key does not belong to the private key") }
                try connection.statement(
                    "INSERT INTO checkpoints (seq, head_hash, at, key_id, signature, actor) VALUES (?, ?, ?, ?, ?, ?)"
                ).run([.integer(sequence), .text(head), .text(at), .text(keyID), .text(signature), .text(actor)])
                return (sequence, head)
            }
        }
    }

    /// The sequence number of the last event (0: none): it moves whenever anything is recorded.
    public func ledgerHead() throws -> Int64 {
        try locked {
            try connection.statement("SELECT coalesce(max(seq), 0) AS head FROM events").rows([]) { try $0.int("head") }
                .first ?? 0
        }
    }

    /// Every event with its chain fields, in order, for export.
    public func ledgerEntries(after sequence: Int64 = 0) throws -> [Ledger.Entry] {
        var entries: [Ledger.Entry] = []
        try forEachLedgerEntry(after: sequence) { entries.append($0) }
        return entries
    }

    /// Hands the events after `sequence` to `body` in order, as they are read (an export of
    /// millions of events holds one).
    public func forEachLedgerEntry(after sequence: Int64 = 0, _ body: (Ledger.Entry) throws -> Void) throws {
        try locked(retrying: false) {
            try connection.statement(
                """
                SELECT seq, at, kind, finding_id, scan_id, actor, payload, prev_hash, hash FROM events
                WHERE seq > ? ORDER BY seq
                """
            ).forEach([.integer(sequence)]) { row in
                try body(Self.entry(row))
                return true
            }
        }
    }

    private static func entry(_ row: any SQLRow) -> Ledger.Entry {
        Ledger.Entry(
            sequence: row.int(0), at: row.text(1) ?? "", kind: row.text(2) ?? "", findingID: row.optionalInt(3),
            scanID: row.optionalInt(4), actor: row.text(5) ?? "", payload: row.text(6) ?? "",
            previousHash: row.text(7) ?? "", hash: row.text(8) ?? "")
    }

    /// Appends events in one transaction, each its own link of the chain (bulk changes: one
    /// event per finding, as the lifecycle requires); returns their sequence numbers.
    @discardableResult
    public func appendEvents(_ events: [(kind: EventKind, findingID: Int64?, actor: String, payload: JSONText.Value)])
        throws -> [Int64]
    {
        try locked {
            try connection.transaction {
                try events.map { event in
                    try connection.appendEvent(
                        kind: event.kind, findingID: event.findingID, scanID: nil, actor: event.actor,
                        payload: event.payload)
                }
            }
        }
    }
}
