import CustodyService
import Foundation

/// Bounds the ingests a server runs at once: `running` go ahead, up to `waiting` more wait their
/// turn in arrival order, and any beyond those are refused at once (503 with Retry-After) rather
/// than piling up threads and memory behind the store's one writer.
public final class IngestQueue: @unchecked Sendable {
    public let running: Int
    public let waiting: Int
    private let slots: DispatchSemaphore
    private let lock = NSLock()
    private var admitted = 0
    private var mostAdmitted = 0

    public init(running: Int, waiting: Int) {
        self.running = max(1, running)
        self.waiting = max(0, waiting)
        slots = DispatchSemaphore(value: self.running)
    }

    /// The ingests admitted now: running and waiting.
    public var load: Int {
        lock.lock()
        defer { lock.unlock() }
        return admitted
    }

    /// The most ingests admitted at once so far.
    public var peak: Int {
        lock.lock()
        defer { lock.unlock() }
        return mostAdmitted
    }

    /// Runs `body` when a slot is free; refused with `unavailable` when the queue is full.
    public func run<T>(_ body: () throws(ServiceError) -> T) throws(ServiceError) -> T {
        lock.lock()
        guard admitted < running + waiting else {
            lock.unlock()
            throw ServiceError(
                .unavailable, "\(running) ingests are running and \(waiting) waiting: try again shortly")
        }
        admitted += 1
        mostAdmitted = max(mostAdmitted, admitted)
        lock.unlock()
        slots.wait()
        defer {
            slots.signal()
            lock.lock()
            admitted -= 1
            lock.unlock()
        }
        return try body()
    }
}
