import CustodyCore
import Foundation

extension SQLStore {
    public func requestTransfer(findingIDs: [Int64], to team: String, actor: String, reason: String) throws -> [Int64] {
        try locked {
            try connection.transaction {
                try requireTeam(team)
                let now = Timestamp.string(Date())
                for id in findingIDs {
                    guard
                        let (statusText, owner) = try connection.statement(
                            "SELECT status, owner_team FROM findings WHERE id = ?"
                        ).rows([.integer(id)], { ($0.text(0) ?? "", $0.text(1)) }).first
                    else { throw StoreRefusal(.notFound, "no finding \(id)") }
                    let status = FindingStatus(rawValue: statusText) ?? .open
                    guard [.open, .acknowledged, .reopened].contains(status) else {
                        throw StoreRefusal(
                            .refused, "finding \(id) is \(status.rawValue): only open work can be transferred")
                    }
                    guard owner != team else {
                        throw StoreRefusal(.conflict, "finding \(id) is already owned by \(team)")
                    }
                    try connection.statement(
                        """
                        INSERT INTO transfer_requests (finding_id, from_team, to_team, reason, requested_by, requested_at,
                                                       previous_status, state)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
                        """
                    ).run([
                        .integer(id), .optional(owner), .text(team), .text(reason), .text(actor), .text(now),
                        .text(status.rawValue),
                    ])
                    try connection.statement("UPDATE findings SET status = 'transferred' WHERE id = ?").run([
                        .integer(id)
                    ])
                    let payload = JSONText.Value.object([
                        ("from", .optional(owner)), ("to", .string(team)), ("reason", .string(reason)),
                    ])
                    let event = try connection.appendEvent(
                        kind: .transferRequested, findingID: id, scanID: nil, actor: actor, payload: payload, at: now)
                    // The receiving team is asked: it hears of the request in its digest.
                    try connection.enqueueNotification(
                        event: event, kind: "transfer", findingID: id, team: team, payload: payload, at: now)
                }
                return findingIDs
            }
        }
    }

    public func decideTransfer(findingIDs: [Int64], _ decision: TransferDecision, actor: String, reason: String) throws
        -> [Int64]
    {
        try locked {
            try connection.transaction {
                if case .arbitrate(let team?) = decision { try requireTeam(team) }
                let now = Timestamp.string(Date())
                for id in findingIDs {
                    // Teams decide pending requests; the security team also rules on rejected ones.
                    let states = decision == .accept || decision == .reject ? "('pending')" : "('pending', 'rejected')"
                    guard
                        let (request, from, to, previous) = try connection.statement(
                            """
                            SELECT id, from_team, to_team, previous_status FROM transfer_requests
                            WHERE finding_id = ? AND state IN \(states) ORDER BY id DESC LIMIT 1
                            """
                        ).rows([.integer(id)], { ($0.int(0), $0.text(1), $0.text(2) ?? "", $0.text(3) ?? "open") })
                            .first
                    else {
                        throw StoreRefusal(
                            .refused,
                            "finding \(id) has no \(decision == .accept || decision == .reject ? "pending" : "pending or disputed") transfer request"
                        )
                    }
                    let newOwner: String?
                    let state: TransferState
                    switch decision {
                    case .accept: (newOwner, state) = (to, .accepted)
                    case .reject: (newOwner, state) = (nil, .rejected)
                    case .arbitrate(let team): (newOwner, state) = (team, .arbitrated)
                    }
                    try connection.statement(
                        "UPDATE transfer_requests SET state = ?, decided_by = ?, decided_at = ?, decision = ? WHERE id = ?"
                    ).run([.text(state.rawValue), .text(actor), .text(now), .text(reason), .integer(request)])
                    if let newOwner {
                        // Given by a decision, not by a rule: the ownership map will not undo it.
                        try connection.statement(
                            "UPDATE findings SET owner_team = ?, owner_rule = NULL, status = ? WHERE id = ?"
                        ).run([.text(newOwner), .text(previous), .integer(id)])
                        try connection.appendEvent(
                            kind: .ownershipTransferred, findingID: id, scanID: nil, actor: actor,
                            payload: .object([
                                ("from", .optional(from)), ("to", .string(newOwner)), ("reason", .string(reason)),
                                ("decision", .string(state.rawValue)), ("request", .int(request)),
                            ]), at: now)
                    } else {
                        try connection.statement("UPDATE findings SET status = ? WHERE id = ?")
                            .run([.text(previous), .integer(id)])
                        try connection.appendEvent(
                            kind: state == .rejected ? .transferRejected : .transferArbitrated, findingID: id,
                            scanID: nil, actor: actor,
                            payload: .object([
                                ("to", .string(to)), ("reason", .string(reason)), ("request", .int(request)),
                            ]), at: now)
                    }
                }
                return findingIDs
            }
        }
    }

    public func transferRequests(pendingOnly: Bool) throws -> [TransferRequest] {
        try locked {
            try connection.statement(
                """
                SELECT id, finding_id, from_team, to_team, reason, requested_by, requested_at, state, decided_by, decision
                FROM transfer_requests \(pendingOnly ? "WHERE state IN ('pending', 'rejected')" : "") ORDER BY id
                """
            ).rows([]) {
                TransferRequest(
                    id: $0.int(0), findingID: $0.int(1), fromTeam: $0.text(2), toTeam: $0.text(3) ?? "",
                    reason: $0.text(4) ?? "", requestedBy: $0.text(5) ?? "", requestedAt: $0.text(6) ?? "",
                    state: TransferState(rawValue: $0.text(7) ?? "") ?? .pending, decidedBy: $0.text(8),
                    decision: $0.text(9))
            }
        }
    }

    private func requireTeam(_ team: String) throws {
        guard try connection.statement("SELECT 1 FROM teams WHERE id = ?").rows([.text(team)], { _ in 1 }).count == 1
        else { throw StoreRefusal(.notFound, "unknown team '\(team)'") }
    }
}
