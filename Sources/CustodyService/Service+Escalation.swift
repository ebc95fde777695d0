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
            // The stages past the team's, counted from the due date (docs/lifecycle.md).
            for stage in EscalationStage.allCases where stage > row.escalation {
                guard let days = stage.daysOverdue else { continue }
                let at = due.addingTimeInterval(TimeInterval(days) * 86_400)
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
