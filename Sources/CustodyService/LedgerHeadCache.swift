import Foundation

/// One value read from the store, kept while the ledger's head stays where it was when it was
/// read: everything that changes what the store holds appends an event, so a head that has not
/// moved means the value is still what a read would give (the organisation, asked for by
/// nearly every request, is one read of every unit, team, member and rule).
final class LedgerHeadCache<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: (value: Value, head: Int64)?

    /// The value kept at `head`, or nil when there is none or the ledger has moved since.
    func value(at head: Int64) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        guard let kept, kept.head == head else { return nil }
        return kept.value
    }

    /// Keeps `value`, read after the ledger's head was `head` (the head is read first, so a
    /// change in between leaves an older head beside a newer value, never the reverse).
    func keep(_ value: Value, at head: Int64) {
        lock.lock()
        defer { lock.unlock() }
        if let kept, kept.head > head { return }
        kept = (value, head)
    }
}
