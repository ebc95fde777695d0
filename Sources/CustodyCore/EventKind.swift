/// Every kind of event the chain of custody records: a closed set, so a writer cannot invent
/// one and a reader's `switch` is checked for every case. The raw value is what is stored and
/// hashed, so a case is never renamed.
public enum EventKind: String, Sendable, CaseIterable, Codable {
    case scanIngested = "scan.ingested"
    case organisationImported = "organisation.imported"
    case ownershipMap = "ownership.map"
    case ownershipTransferred = "ownership.transferred"
    case ownershipAssigned = "ownership.assigned"
    case findingFixed = "finding.fixed"
    case findingReopened = "finding.reopened"
    case findingAcknowledged = "finding.acknowledged"
    case findingRiskAccepted = "finding.risk_accepted"
    case findingFalsePositive = "finding.false_positive"
    case transferRequested = "transfer.requested"
    case transferRejected = "transfer.rejected"
    case transferArbitrated = "transfer.arbitrated"
    case escalationStep = "escalation.step"
    case slaDueChanged = "sla.due_changed"
    case kevAdded = "kev.added"
    case vexApplied = "vex.applied"
    case notificationDelivered = "notification.delivered"
    case notificationFailed = "notification.failed"
    case ticketOpened = "ticket.opened"
    case ticketClosed = "ticket.closed"
    case ticketReopened = "ticket.reopened"
    case gateDecided = "gate.decided"

    /// Events that change who owns a finding (each writes an owner span).
    public var changesOwner: Bool { self == .ownershipTransferred || self == .ownershipAssigned }
}

/// Where a request to move a finding to another team stands.
public enum TransferState: String, Sendable, CaseIterable, Codable {
    case pending, accepted, rejected, arbitrated
}
