import CustodyCore
import Foundation

extension SQLConnection {
    /// Writes an outbox row for `event`, inside the caller's transaction: if the event commits,
    /// so does the notification; if it rolls back, nobody is told of something that did not happen.
    func enqueueNotification(
        event: Int64, kind: String, findingID: Int64?, team: String?, payload: JSONText.Value, at time: String
    ) throws {
        try statement(
            """
            INSERT INTO notifications (event_seq, kind, finding_id, team_id, payload, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """
        ).run([.integer(event), .text(kind), .optional(findingID), .optional(team), .text(payload.text), .text(time)])
    }
}

/// The notification outbox: planning deliveries from it, handing them to the worker, recording
/// how each attempt ended (docs/notifications.md).
extension SQLStore {
    /// A digest lists at most this many items; the rest are counted.
    public static let digestItemLimit = 200

    /// Turns the outbox and the state of findings into deliveries for `routes`; returns how many
    /// were planned. Idempotent: running it twice plans nothing new.
    public func planDeliveries(routes: [NotificationRoute], now: Date) throws -> Int {
        try locked {
            try connection.transaction {
                let time = Timestamp.string(now)
                let today = String(time.prefix(10))
                let yesterday = String(Timestamp.string(now.addingTimeInterval(-86_400)).prefix(10))
                var planned = 0
                func plan(
                    _ sink: String, _ kind: Delivery.Kind, _ key: String, team: String?, day: String?, finding: Int64?
                )
                    throws
                {
                    let inserted = try connection.statement(
                        """
                        INSERT INTO deliveries (sink, kind, idempotency_key, team_id, day, finding_id, state,
                                                next_attempt_at, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                        ON CONFLICT (idempotency_key) DO NOTHING
                        RETURNING id
                        """
                    ).rows([
                        .text(sink), .text(kind.rawValue), .text(key), .optional(team), .optional(day),
                        .optional(finding), .text(time), .text(time),
                    ]) { $0.int(0) }
                    planned += inserted.count
                }
                for route in routes {
                    switch route {
                    case .digest(let sink):
                        // Whole days only, each once: from the day after the cursor (for a new
                        // sink, yesterday) up to yesterday.
                        let cursor = try connection.statement(
                            "SELECT planned_through FROM notify_cursors WHERE sink = ?"
                        ).rows([.text(sink)]) { $0.text(0) ?? "" }.first
                        // After the cursor's last second; a new sink: after the bare date of
                        // yesterday, which sorts before all of that day's timestamps.
                        let after = cursor.map { $0 + "T23:59:59Z" } ?? yesterday
                        let groups = try connection.statement(
                            """
                            SELECT team_id, substr(created_at, 1, 10) AS day FROM notifications
                            WHERE created_at > ? AND created_at < ?
                            GROUP BY team_id, day ORDER BY day, team_id
                            """
                        ).rows([.text(after), .text(today + "T00:00:00Z")]) {
                            ($0.text(0), $0.text(1) ?? "")
                        }
                        for (team, day) in groups {
                            try plan(
                                sink, .digest, "digest:\(sink):\(team ?? "-"):\(day)", team: team, day: day,
                                finding: nil)
                        }
                        try connection.statement(
                            """
                            INSERT INTO notify_cursors (sink, planned_through) VALUES (?, ?)
                            ON CONFLICT (sink) DO UPDATE SET planned_through = excluded.planned_through
                            """
                        ).run([.text(sink), .text(yesterday)])
                    case .tickets(let sink, let stage, let severities):
                        guard !severities.isEmpty else { continue }
                        let marks = Array(repeating: "?", count: severities.count).joined(separator: ", ")
                        let open = try connection.statement(
                            """
                            SELECT f.id FROM findings f
                            WHERE f.escalation_stage >= ? AND f.status IN \(Self.activeStatuses) AND f.severity IN (\(marks))
                              AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.finding_id = f.id AND t.sink = ?)
                            ORDER BY f.id
                            """
                        ).rows(
                            [.integer(Int64(stage.rawValue))] + severities.map { .text($0.rawValue) } + [.text(sink)]
                        ) {
                            $0.int(0)
                        }
                        for id in open {
                            try plan(sink, .ticketOpen, "ticket.open:\(sink):\(id)", team: nil, day: nil, finding: id)
                        }
                        let changes = try connection.statement(
                            """
                            SELECT t.finding_id, t.generation, t.state = 'open' FROM tickets t
                            JOIN findings f ON f.id = t.finding_id
                            WHERE t.sink = ? AND ((t.state = 'open') <> (f.status IN \(Self.activeStatuses)))
                            ORDER BY t.finding_id
                            """
                        ).rows([.text(sink)]) { ($0.int(0), $0.int(1), $0.bool(2)) }
                        for (id, generation, isOpen) in changes {
                            let kind: Delivery.Kind = isOpen ? .ticketClose : .ticketReopen
                            try plan(
                                sink, kind, "\(kind.rawValue):\(sink):\(id):\(generation)", team: nil, day: nil,
                                finding: id)
                        }
                    }
                }
                return planned
            }
        }
    }

    /// Claims up to `limit` deliveries due at `now` for `lease` seconds (so two workers never
    /// send the same one) and returns them with their content. The claim appends nothing to the
    /// ledger, so it does not wait for the writer lock: on PostgreSQL each worker locks the rows
    /// it takes and skips those another is taking (`FOR UPDATE SKIP LOCKED`), and goes on while
    /// an ingest is writing.
    public func claimDeliveries(now: Date, limit: Int, lease: TimeInterval = 300) throws -> [Delivery] {
        try locked {
            try connection.transaction(serialised: false) {
                let time = Timestamp.string(now)
                let rows = try connection.statement(
                    """
                    UPDATE deliveries SET claimed_until = ?
                    WHERE id IN (SELECT id FROM deliveries
                                 WHERE state = 'pending' AND next_attempt_at <= ?
                                   AND (claimed_until IS NULL OR claimed_until <= ?)
                                 ORDER BY next_attempt_at, id LIMIT ?\(connection.dialect.skipLocked))
                    RETURNING id, sink, kind, idempotency_key, attempts, team_id, day, finding_id
                    """
                ).rows([
                    .text(Timestamp.string(now.addingTimeInterval(lease))), .text(time), .text(time),
                    .integer(Int64(limit)),
                ]) {
                    (
                        $0.int(0), $0.text(1) ?? "", $0.text(2) ?? "", $0.text(3) ?? "", Int($0.int(4)), $0.text(5),
                        $0.text(6), $0.isNull(7) ? nil : $0.int(7)
                    )
                }
                let teams = try organisationUnlocked().teamsByID
                var deliveries: [Delivery] = []
                for (id, sink, kind, key, attempts, team, day, finding) in rows.sorted(by: { $0.0 < $1.0 }) {
                    guard let kind = Delivery.Kind(rawValue: kind) else { continue }
                    var delivery = Delivery(
                        id: id, sink: sink, kind: kind, idempotencyKey: key, attempts: attempts,
                        team: team.flatMap { teams[$0] ?? Team(id: $0, name: $0) }, day: day)
                    if let day {
                        (delivery.items, delivery.moreItems) = try digestItems(team: team, day: day)
                    }
                    if let finding {
                        var query = FindingQuery()
                        query.id = finding
                        delivery.finding = try findingsUnlocked(query).first
                        delivery.ticket = try ticket(finding: finding, sink: sink)
                    }
                    deliveries.append(delivery)
                }
                return deliveries
            }
        }
    }

    private func digestItems(team: String?, day: String) throws -> ([DigestItem], Int) {
        let range: [SQLValue] = [.optional(team), .text(day + "T00:00:00Z"), .text(day + "T23:59:59Z")]
        let total =
            try connection.statement(
                "SELECT count(*) FROM notifications WHERE team_id IS NOT DISTINCT FROM ? AND created_at >= ? AND created_at <= ?"
            ).rows(range) { Int($0.int(0)) }.first ?? 0
        let items = try connection.statement(
            """
            SELECT n.kind, n.created_at, n.finding_id, n.payload, f.severity, f.rule_id, f.repository, f.path,
                   f.line, f.message, f.status, f.due_at
            FROM notifications n LEFT JOIN findings f ON f.id = n.finding_id
            WHERE n.team_id IS NOT DISTINCT FROM ? AND n.created_at >= ? AND n.created_at <= ?
            ORDER BY n.id LIMIT ?
            """
        ).rows(range + [.integer(Int64(Self.digestItemLimit))]) {
            DigestItem(
                kind: $0.text(0) ?? "", at: $0.text(1) ?? "", findingID: $0.isNull(2) ? nil : $0.int(2),
                payload: $0.text(3) ?? "{}", severity: $0.text(4), rule: $0.text(5), repository: $0.text(6),
                path: $0.text(7), line: $0.isNull(8) ? nil : Int($0.int(8)), message: $0.text(9), status: $0.text(10),
                dueAt: $0.text(11))
        }
        return (items, total - items.count)
    }

    private func ticket(finding: Int64, sink: String) throws -> Ticket? {
        try connection.statement(
            "SELECT external_id, url, state, generation FROM tickets WHERE finding_id = ? AND sink = ?"
        ).rows([.integer(finding), .text(sink)]) {
            Ticket(
                sink: sink, externalID: $0.text(0) ?? "", url: $0.text(1), open: $0.text(2) == "open",
                generation: Int($0.int(3)))
        }.first
    }

    /// Records how an attempt at `delivery` ended; deliveries and ticket changes are events of
    /// the chain of custody (who was told, when, through what).
    public func finishDelivery(_ delivery: Delivery, _ outcome: DeliveryOutcome, actor: String, now: Date) throws {
        try locked {
            try connection.transaction {
                let time = Timestamp.string(now)
                let id = SQLValue.integer(delivery.id)
                switch outcome {
                case .retry(let next, let error):
                    try connection.statement(
                        """
                        UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                                              claimed_until = NULL
                        WHERE id = ?
                        """
                    ).run([.text(next), .text(error), id])
                case .failed(let error):
                    try connection.statement(
                        """
                        UPDATE deliveries SET state = 'failed', attempts = attempts + 1, last_error = ?,
                                              claimed_until = NULL
                        WHERE id = ?
                        """
                    ).run([.text(error), id])
                    try connection.appendEvent(
                        kind: .notificationFailed, findingID: delivery.finding?.id, scanID: nil, actor: actor,
                        payload: .object([
                            ("sink", .string(delivery.sink)), ("key", .string(delivery.idempotencyKey)),
                            ("attempts", .int(Int64(delivery.attempts + 1))), ("error", .string(error)),
                        ]), at: time)
                case .delivered(let externalID, let url):
                    try connection.statement(
                        """
                        UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = ?,
                                              last_error = NULL, claimed_until = NULL
                        WHERE id = ?
                        """
                    ).run([.text(time), id])
                    try recordDelivered(delivery, externalID: externalID, url: url, actor: actor, at: time)
                }
            }
        }
    }

    private func recordDelivered(
        _ delivery: Delivery, externalID: String?, url: String?, actor: String, at time: String
    )
        throws
    {
        let sink = JSONText.Value.string(delivery.sink)
        guard let finding = delivery.finding?.id else {
            try connection.appendEvent(
                kind: .notificationDelivered, findingID: nil, scanID: nil, actor: actor,
                payload: .object([
                    ("sink", sink), ("key", .string(delivery.idempotencyKey)), ("team", .optional(delivery.team?.id)),
                    ("day", .optional(delivery.day)), ("items", .int(Int64(delivery.items.count + delivery.moreItems))),
                ]), at: time)
            return
        }
        let kind: EventKind
        switch delivery.kind {
        case .ticketOpen:
            try connection.statement(
                """
                INSERT INTO tickets (finding_id, sink, external_id, url, state, generation) VALUES (?, ?, ?, ?, 'open', 0)
                ON CONFLICT (finding_id, sink) DO UPDATE SET external_id = excluded.external_id, url = excluded.url,
                    state = 'open'
                """
            ).run([.integer(finding), .text(delivery.sink), .text(externalID ?? ""), .optional(url)])
            kind = .ticketOpened
        case .ticketClose, .ticketReopen:
            try connection.statement(
                "UPDATE tickets SET state = ?, generation = generation + 1 WHERE finding_id = ? AND sink = ?"
            ).run([.text(delivery.kind == .ticketClose ? "closed" : "open"), .integer(finding), .text(delivery.sink)])
            kind = delivery.kind == .ticketClose ? .ticketClosed : .ticketReopened
        case .digest:
            return
        }
        try connection.appendEvent(
            kind: kind, findingID: finding, scanID: nil, actor: actor,
            payload: .object([
                ("sink", sink), ("ticket", .optional(externalID ?? delivery.ticket?.externalID)),
                ("url", .optional(url ?? delivery.ticket?.url)),
            ]), at: time)
    }

    /// Deliveries, newest first; `state` filters.
    public func deliveries(state: String?, limit: Int) throws -> [DeliveryRow] {
        try locked {
            try connection.statement(
                """
                SELECT id, sink, kind, idempotency_key, state, attempts, next_attempt_at, last_error, delivered_at
                FROM deliveries WHERE CAST(?1 AS TEXT) IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2
                """
            ).rows([.optional(state), .integer(Int64(limit))]) {
                DeliveryRow(
                    id: $0.int(0), sink: $0.text(1) ?? "", kind: $0.text(2) ?? "", key: $0.text(3) ?? "",
                    state: $0.text(4) ?? "", attempts: Int($0.int(5)), nextAttempt: $0.text(6) ?? "",
                    lastError: $0.text(7), deliveredAt: $0.text(8))
            }
        }
    }

    /// Puts failed deliveries back in the queue (after fixing a sink's configuration, say).
    public func retryFailedDeliveries(now: Date) throws -> Int {
        try locked {
            try connection.transaction {
                try connection.statement(
                    """
                    UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, claimed_until = NULL
                    WHERE state = 'failed' RETURNING id
                    """
                ).rows([.text(Timestamp.string(now))]) { $0.int(0) }.count
            }
        }
    }
}
