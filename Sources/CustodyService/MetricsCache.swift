import CustodyStore
import Foundation

/// Metrics reports as last computed, by the scope, period and breakdown they answer: a team's
/// dashboard and its clients ask for the same figures again and again, and each is a pass over
/// the team's findings and events. An entry serves while nothing has been recorded since (the
/// ledger's head is where it was) and it is younger than ``CustodyService/metricsMaxAge``.
final class MetricsCache: @unchecked Sendable {
    struct Key: Hashable {
        var scope: String
        var since: Date?
        var until: Date?
        var breakdown: String?
    }

    struct Entry {
        var report: MetricsReport
        var head: Int64
        var computedAt: Date
    }

    /// The most reports kept: the oldest goes when a new one would pass it.
    static let capacity = 1_024

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]

    func entry(_ key: Key, head: Int64, now: Date, maxAge: TimeInterval) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[key] else { return nil }
        guard entry.head == head, now.timeIntervalSince(entry.computedAt) < maxAge else {
            entries[key] = nil
            return nil
        }
        return entry
    }

    func store(_ key: Key, _ entry: Entry) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= Self.capacity, entries[key] == nil,
            let oldest = entries.min(by: { $0.value.computedAt < $1.value.computedAt })?.key
        {
            entries[oldest] = nil
        }
        entries[key] = entry
    }
}
