import CustodyCore
import CustodyStore
import Foundation

/// The next step of a team's escalation: which open finding reaches which stage when, and whom
/// it tells.
public struct NextEscalation: Sendable, Equatable {
    public var findingID: Int64
    public var stage: EscalationStage
    public var at: Date
    public var recipients: [String]
}

extension CustodyService {
    /// When each stage past the team's is reached, counted from a finding's due date: due (the
    /// lead), 7 days over (the unit's head), 30 days over (the executive). docs/lifecycle.md.
    static let escalationOffsets: [(EscalationStage, TimeInterval)] = [
        (.lead, 0), (.unitHead, 7 * 86_400), (.executive, 30 * 86_400),
    ]

    /// The soonest escalation step still ahead among a team's open findings (nil: none ahead), as
    /// `custody tick` will take it. Under the same rule as the team's findings.
    public func nextEscalation(team: String, now: Date = Date(), by principal: Principal) throws(ServiceError)
        -> NextEscalation?
    {
        var filter = FindingFilter()
        filter.team = team
        filter.activeOnly = true
        let listing = try scoped(FindingListRequest(filter: filter, sort: .due), for: principal)
        var next: (id: Int64, stage: EscalationStage, at: Date)?
        _ = try forEachFinding(listing) { row in
            guard let due = row.dueAt.flatMap(Timestamp.date) else { return }
            for (stage, offset) in Self.escalationOffsets where stage > row.escalation {
                let at = due.addingTimeInterval(offset)
                if at > now, next.map({ at < $0.at }) ?? true { next = (row.id, stage, at) }
                break
            }
        }
        guard let next else { return nil }
        let organisation = try organisation()
        return NextEscalation(
            findingID: next.id, stage: next.stage, at: next.at,
            recipients: next.stage.recipients(team: organisation.teamsByID[team], organisation: organisation))
    }
}
