import Foundation

/// A queue between two threads that blocks the producer when `capacity` items wait, so a fast
/// reader cannot run ahead of the store and fill memory. Either side can close it: the other
/// side then sees the end (or the error) at its next call.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private let capacity: Int
    private var finished = false
    private var failure: (any Error)?

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an item; false when the consumer has gone (stop producing).
    @discardableResult
    func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !finished { condition.wait() }
        guard !finished else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, nil at the end; rethrows a producer's failure.
    func pop() throws -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !finished { condition.wait() }
        if head == items.count {
            if let failure { throw failure }
            return nil
        }
        let item = items[head]
        head += 1
        // Drop what was taken, so items leave memory as soon as they are consumed.
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= capacity {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// Ends the stream; with an error, the consumer throws it once the queue is drained.
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        if failure == nil { failure = error }
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
