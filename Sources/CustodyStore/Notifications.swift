import CustodyCore

/// How a sink takes notifications: a daily digest per team, or one ticket per finding.
public enum NotificationRoute: Sendable, Equatable {
    /// One message per team per (UTC) day listing what happened to its findings that day,
    /// planned once the day is over.
    case digest(sink: String)
    /// A ticket for each open finding that reaches `openAt` on the escalation ladder with one
    /// of `severities`; closed when the finding leaves open work, reopened when it returns.
    case tickets(sink: String, openAt: EscalationStage, severities: [Severity])

    public var sink: String {
        switch self {
        case .digest(let sink), .tickets(let sink, _, _): sink
        }
    }
}

/// A delivery ready to be sent: what it is and everything its message needs.
public struct Delivery: Sendable {
    public enum Kind: String, Sendable {
        case digest
        case ticketOpen = "ticket.open"
        case ticketClose = "ticket.close"
        case ticketReopen = "ticket.reopen"
    }

    public var id: Int64
    public var sink: String
    public var kind: Kind
    public var idempotencyKey: String
    /// Attempts made before this one.
    public var attempts: Int
    /// Digests: the team (nil: findings nobody owns), the day and what happened.
    public var team: Team?
    public var day: String?
    public var items: [DigestItem] = []
    /// Items of the day beyond those listed (digests list at most ``SQLStore/digestItemLimit``).
    public var moreItems = 0
    /// Tickets: the finding, and its ticket when one exists.
    public var finding: FindingRow?
    public var ticket: Ticket?
}

/// One line of a digest: a notification and the finding it is about.
public struct DigestItem: Sendable, Equatable {
    /// escalation, transfer or kev.
    public var kind: String
    public var at: String
    public var findingID: Int64?
    /// The notification's payload (JSON text): stage and recipients, transfer reason, CVEs.
    public var payload: String
    public var severity: String?
    public var rule: String?
    public var repository: String?
    public var path: String?
    public var line: Int?
    public var message: String?
    public var status: String?
    public var dueAt: String?
}

/// A finding's issue in another tracker (Jira, GitHub).
public struct Ticket: Sendable, Equatable {
    public var sink: String
    public var externalID: String
    public var url: String?
    public var open: Bool
    public var generation: Int
}

/// How an attempt ended.
public enum DeliveryOutcome: Sendable {
    /// Delivered; for ticket openings, the issue created.
    case delivered(externalID: String? = nil, url: String? = nil)
    /// Failed for now: try again at `nextAttempt` (ISO 8601 UTC).
    case retry(nextAttempt: String, error: String)
    /// Given up: the error will not go away by retrying, or the attempts ran out.
    case failed(error: String)
}

/// Deliveries by state, for `custody notify status`.
public struct DeliveryRow: Sendable, Equatable {
    public var id: Int64
    public var sink: String
    public var kind: String
    public var key: String
    public var state: String
    public var attempts: Int
    public var nextAttempt: String
    public var lastError: String?
    public var deliveredAt: String?
}
