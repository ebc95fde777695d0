import Foundation

/// The organisation's overview as last computed, and whether a recomputation is under way. At a
/// million findings an overview is one pass of seconds: pages are drawn from the last one (it
/// says when it was computed) while the next is computed beside them.
final class OverviewCache: @unchecked Sendable {
    struct Entry {
        var overview: Overview
        /// The ledger's head when it was computed: anything recorded since moves it.
        var head: Int64
        var computedAt: Date
    }

    private let lock = NSLock()
    /// Held while the first overview is computed, so that pages asked for meanwhile wait for it
    /// rather than computing it again.
    let computing = NSLock()
    private var entry: Entry?
    private var refreshing = false

    var current: Entry? {
        lock.lock()
        defer { lock.unlock() }
        return entry
    }

    func store(_ new: Entry) {
        lock.lock()
        defer { lock.unlock() }
        if entry.map({ $0.computedAt <= new.computedAt }) ?? true { entry = new }
    }

    /// Claims the one recomputation: false when another is already running.
    func beginRefresh() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if refreshing { return false }
        refreshing = true
        return true
    }

    func endRefresh() {
        lock.lock()
        refreshing = false
        lock.unlock()
    }
}
