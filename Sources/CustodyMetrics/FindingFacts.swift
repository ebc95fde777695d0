import CustodyCore
import Foundation

/// One finding as the metrics see it: when it arrived, who owns it, when it was owned and fixed,
/// when it was due. Times are seconds since 1970 (UTC), read from the stored timestamps.
public struct FindingFacts: Sendable, Equatable {
    public var id: Int64
    public var severity: Severity
    public var status: FindingStatus
    /// The team that owns it now (nil: nobody).
    public var team: String?
    /// When it was first seen: the start of the scan that first reported it.
    public var discoveredAt: Double
    /// The owning team's first action on it: its first acknowledgement, risk acceptance, false
    /// positive or transfer request (nil: none yet).
    public var ownedAt: Double?
    /// When a rescan proved it fixed, or the lifecycle closed it (nil: not fixed).
    public var fixedAt: Double?
    public var dueAt: Double?
    /// When it was first given an owner by hand or by a transfer, for findings that arrived
    /// without one (nil: never, or it had an owner from the start).
    public var assignedAt: Double?
    /// Whether it arrived without an owner.
    public var arrivedUnowned: Bool
    /// How often it was seen again after a fix in the period asked for (regressions).
    public var reopenedInPeriod = 0
    /// How far up the escalation ladder it is now.
    public var escalation = EscalationStage.none
    /// Until when its risk is accepted, for a finding accepted as a risk.
    public var riskAcceptedUntil: Double?

    public init(
        id: Int64, severity: Severity, status: FindingStatus, team: String?, discoveredAt: Double,
        ownedAt: Double? = nil, fixedAt: Double? = nil, dueAt: Double? = nil, assignedAt: Double? = nil,
        arrivedUnowned: Bool = false
    ) {
        self.id = id
        self.severity = severity
        self.status = status
        self.team = team
        self.discoveredAt = discoveredAt
        self.ownedAt = ownedAt
        self.fixedAt = fixedAt
        self.dueAt = dueAt
        self.assignedAt = assignedAt
        self.arrivedUnowned = arrivedUnowned
    }

    /// Whether it was still someone's open work at `time`: discovered by then, not fixed by then,
    /// and (for a fixed or closed finding) fixed after it. A finding accepted as a risk or marked
    /// a false positive is not open work now; its history before that is not replayed.
    public func isOpen(at time: Double) -> Bool {
        guard discoveredAt <= time else { return false }
        if let fixedAt { return fixedAt > time }
        return status.isActive
    }
}
