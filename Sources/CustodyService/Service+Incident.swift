import CustodyCore
import CustodyStore
import Foundation

/// A post-incident review of one finding: who shipped it and when, who owns it now and who
/// takes the incident call, and every hand-off of its chain of custody with its delay.
public struct IncidentReview: Sendable {
    /// One owner's turn: from when, for how long (nil: it still holds the finding).
    public struct Custody: Sendable, Equatable {
        public var team: String?
        public var from: String
        public var heldDays: Double?
        public var reason: String
        public var actor: String
    }

    public var finding: FindingRow
    /// The owning team now and its lead: the person for the incident call.
    public var owner: Team?
    public var unit: OrgUnit?
    /// Days from the introducing commit to discovery (nil: no introducer).
    public var escapeDays: Double?
    /// Every owner in turn, the first from discovery.
    public var custody: [Custody]
    /// The first acknowledgement, and how long after discovery it came.
    public var acknowledged: (at: String, by: String, afterDays: Double)?
    /// Escalation steps reached, in order.
    public var escalations: [TimelineEntry]
    /// Against the due date: fixed within it, overdue by so many days now, or not yet due.
    public var slaStatus: String
    /// The whole chain of custody, in order.
    public var timeline: [TimelineEntry]
}

extension CustodyService {
    /// The incident review of each finding (docs/reports.md). A team's principal reviews its own
    /// teams' findings only.
    public func incidentReviews(_ ids: [Int64], now: Date = Date(), by principal: Principal) throws(ServiceError)
        -> [IncidentReview]
    {
        guard !ids.isEmpty else { throw ServiceError(.invalidInput, "name at least one finding") }
        guard ids.count <= 100 else { throw ServiceError(.invalidInput, "at most 100 findings a review") }
        let store = try store()
        try authorizeTeams(principal, ids, store: store)
        let organisation = try organisation()
        let teams = organisation.teamsByID
        return try ids.map { id throws(ServiceError) in
            let (row, timeline) = try trace(id)
            let spans = try perform { try store.ownerHistory(findingID: id) }
            let events = try perform { try store.events(findingID: id) }
            func days(_ from: String, _ to: String) -> Double? {
                guard let start = Timestamp.date(from), let end = Timestamp.date(to) else { return nil }
                return end.timeIntervalSince(start) / 86_400
            }
            // Owner spans exist once the owner changed; before that, one owner since discovery.
            var custody = spans.map {
                IncidentReview.Custody(team: $0.team, from: $0.from, heldDays: nil, reason: $0.reason, actor: $0.actor)
            }
            if custody.isEmpty {
                custody = [
                    .init(team: row.ownerTeam, from: row.firstSeen, heldDays: nil, reason: "first seen", actor: "")
                ]
            }
            for index in custody.indices.dropLast() {
                custody[index].heldDays = days(custody[index].from, custody[index + 1].from)
            }
            let ack = events.first { $0.kind == .findingAcknowledged }
            let escalations = events.filter { $0.kind == .escalationStep }.map {
                TimelineEntry(at: $0.at, what: Self.narrate($0), who: $0.actor)
            }
            let owner = row.ownerTeam.flatMap { teams[$0] }
            return IncidentReview(
                finding: row, owner: owner, unit: organisation.units.first { $0.id == owner?.unitID },
                escapeDays: row.introducer.flatMap { days($0.authoredAt, row.firstSeen) }, custody: custody,
                acknowledged: ack.map { ($0.at, $0.actor, days(row.firstSeen, $0.at) ?? 0) },
                escalations: escalations, slaStatus: Self.slaStatus(row, now: now), timeline: timeline)
        }
    }

    /// Where a finding stands against its due date, in words.
    static func slaStatus(_ row: FindingRow, now: Date) -> String {
        guard let due = row.dueAt, let dueDate = Timestamp.date(due) else { return "no due date" }
        if !row.status.isActive {
            return "\(row.status.rawValue); was due \(due)"
        }
        let late = now.timeIntervalSince(dueDate) / 86_400
        return late > 0 ? String(format: "overdue by %.1f days (due %@)", late, due) : "due \(due)"
    }
}
