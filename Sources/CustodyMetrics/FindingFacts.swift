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
    /// When it was seen again after a fix, in the period asked for (regressions).
    public var reopenedAt: [Double] = []
    public var reopenedInPeriod: Int { reopenedAt.count }
    /// When its risk acceptance ran out and it became open work again, in the period.
    public var riskExpiredAt: [Double] = []
    /// Its owners over time, when it ever changed owner (empty: `team` owned it throughout):
    /// from when each owned it, the first from its discovery.
    public var ownerSpans: [OwnerSpan] = []
    /// The CISA SSVC decision for it now (nil: not decided, no CVE or no inputs).
    public var ssvc: SSVC.Decision?
    /// The commit that introduced it, when git told (docs/introducers.md).
    public var introduction: Introduction?
    /// The release of the scan that proved it fixed, when that scan named one.
    public var fixedInRelease: String?
    /// Who acted on it in the period asked for: fixes proved (the scan's uploader) and lifecycle
    /// actions (acknowledge, accept a risk, false positive, request a transfer), with when.
    public var actions: [Action] = []
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

    public struct OwnerSpan: Sendable, Equatable {
        public var from: Double
        public var team: String?

        public init(from: Double, team: String?) {
            self.from = from
            self.team = team
        }
    }

    public struct Introduction: Sendable, Equatable {
        /// The earliest release tag containing the commit (nil: in none yet).
        public var release: String?
        /// The team that owned the lines then (CODEOWNERS at the commit).
        public var team: String?
        /// When the commit was authored.
        public var at: Double?

        public init(release: String?, team: String?, at: Double?) {
            self.release = release
            self.team = team
            self.at = at
        }
    }

    public struct Action: Sendable, Equatable {
        public var actor: String
        public var at: Double
        /// A fix proved by a rescan, rather than a lifecycle action.
        public var isFix: Bool

        public init(actor: String, at: Double, isFix: Bool) {
            self.actor = actor
            self.at = at
            self.isFix = isFix
        }
    }

    /// The team that owned it at `time` (nil: nobody).
    public func owner(at time: Double) -> String? {
        guard !ownerSpans.isEmpty else { return team }
        var owner = ownerSpans[0].team
        for span in ownerSpans.dropFirst() where span.from <= time { owner = span.team }
        return owner
    }

    /// The team a period ending at `until` holds to account for it: the owner when it was
    /// fixed, if it was fixed by then, else the owner at the end of the period.
    public func accountableTeam(until: Double) -> String? {
        owner(at: min(fixedAt ?? until, until))
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
