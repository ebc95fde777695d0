import CustodyCore
import CustodyJSON
import CustodyStore

/// One moment of a finding's chain of custody, told in words.
public struct TimelineEntry: Sendable, Equatable {
    public var at: String
    public var what: String
    public var who: String
}

extension CustodyService {
    /// A finding's whole chain of custody: introduced (commit, author, release, team then),
    /// discovered, owned, acknowledged, transferred, fixed, reopened; every event, in order.
    public func trace(_ id: Int64) throws(ServiceError) -> (finding: FindingRow, timeline: [TimelineEntry]) {
        let store = try store()
        let row = try findingRow(id, store: store)
        var timeline: [TimelineEntry] = []
        if let introducer = row.introducer {
            timeline.append(
                TimelineEntry(
                    at: introducer.authoredAt,
                    what:
                        "introduced in \(introducer.commit.prefix(12)) (\(introducer.pathThen):\(introducer.lineThen)), "
                        + "release \(introducer.release ?? "none yet"), team then \(introducer.team ?? "none")",
                    who: "\(introducer.author) <\(introducer.email)>"))
        }
        let history = try perform { try store.ownerHistory(findingID: id) }
        timeline.append(
            TimelineEntry(
                at: row.firstSeen,
                what: "discovered by \(row.tool) (\(row.rule)); owner \(history.first?.team ?? "none")",
                who: history.first?.actor ?? ""))
        for event in try perform({ try store.events(findingID: id) }) {
            timeline.append(TimelineEntry(at: event.at, what: Self.narrate(event), who: event.actor))
        }
        return (row, timeline)
    }

    /// What an event means, in words.
    static func narrate(_ event: EventRow) -> String {
        let payload = try? JSONDocument(bytes: Array(event.payload.utf8)).root
        func text(_ key: StaticString, _ fallback: String = "?") -> String { payload?[key]?.string ?? fallback }
        var what: String
        switch event.kind {
        case .findingAcknowledged: what = "acknowledged"
        case .findingFixed: what = "fixed: \(text("reason", ""))"
        case .findingReopened: what = "reopened: \(text("reason", ""))"
        case .findingRiskAccepted: what = "risk accepted until \(text("until", "")) by \(text("approver", ""))"
        case .findingFalsePositive: what = "false positive: \(text("justification", ""))"
        case .escalationStep:
            let to = payload?["to"]?.array.map { Array($0).compactMap(\.string).joined(separator: ", ") } ?? ""
            what = "escalated to the \(text("stage", ""))" + (to.isEmpty ? "" : " (\(to))")
        case .ownershipTransferred, .ownershipAssigned:
            what = "owner \(text("from", "none")) -> \(text("to", "none"))"
        case .kevAdded:
            what = "known exploited: in CISA's KEV since \(text("date_added")); due \(text("due_to", "unchanged"))"
        case .vexApplied:
            what = "VEX \(text("status")) from \(text("document")): \(text("from", "")) -> \(text("to", ""))"
        case .slaDueChanged: what = "due date \(text("from", "none")) -> \(text("to", "none"))"
        case .ticketOpened, .ticketClosed, .ticketReopened:
            let verb = event.kind.rawValue.dropFirst("ticket.".count)
            what =
                "ticket \(text("ticket")) \(verb) in \(text("sink"))"
                + (payload?["url"]?.string.map { " (\($0))" } ?? "")
        case .transferRequested: what = "transfer to \(text("to")) requested"
        case .transferRejected: what = "transfer to \(text("to")) rejected"
        case .transferArbitrated: what = "transfer to \(text("to")) arbitrated: owner unchanged"
        case .notificationFailed: what = "notification through \(text("sink")) given up: \(text("error", ""))"
        case .notificationDelivered: what = "notified through \(text("sink"))"
        case .gateDecided:
            what = "release gate: \(text("outcome")) for \(text("repository"))@\(text("commit"))"
        case .scanIngested, .organisationImported, .ownershipMap: what = event.kind.rawValue
        }
        if let reason = payload?["reason"]?.string, !what.contains(reason) { what += " (\(reason))" }
        return what
    }
}
