import CustodyService
import Foundation

/// The body of a streamed response between its producer (a thread of its own, writing as it
/// reads the store) and libmicrohttpd (reading as the client takes it). At most `capacity`
/// bytes wait in it: a producer ahead of a slow client waits, so memory stays flat in the size
/// of the body.
final class StreamPipe: ByteSink, @unchecked Sendable {
    struct Cancelled: Error {}

    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var offset = 0
    private var buffered = 0
    private let capacity: Int
    private(set) var finished = false
    private(set) var failure: ServiceError?
    private var cancelled = false
    private var wrote = false

    init(capacity: Int = 1 << 20) { self.capacity = capacity }

    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        while buffered >= capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        chunks.append(bytes)
        buffered += bytes.count
        wrote = true
        condition.broadcast()
    }

    /// The producer is done (`failure`: it failed part-way).
    func finish(_ failure: ServiceError? = nil) {
        condition.lock()
        finished = true
        self.failure = failure
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the first bytes are written or the producer is done, so that a failure
    /// before any byte is answered with its own status.
    func waitForStart() -> (started: Bool, failure: ServiceError?) {
        condition.lock()
        defer { condition.unlock() }
        while !wrote && !finished { condition.wait() }
        return (wrote, wrote ? nil : failure)
    }

    /// Copies up to `max` bytes into `buffer`, waiting for some: the count, or -1 at the end, -2
    /// when the producer failed part-way (libmicrohttpd then cuts the connection, so the client
    /// sees a body that did not end properly).
    func read(into buffer: UnsafeMutablePointer<CChar>, max: Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !finished { condition.wait() }
        guard !chunks.isEmpty else { return failure == nil ? -1 : -2 }
        var copied = 0
        while copied < max, !chunks.isEmpty {
            let chunk = chunks[0]
            let count = min(max - copied, chunk.count - offset)
            chunk.withUnsafeBytes { bytes in
                (buffer + copied).update(
                    from: bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self), count: count)
            }
            copied += count
            offset += count
            if offset == chunk.count {
                chunks.removeFirst()
                offset = 0
            }
        }
        buffered -= copied
        condition.broadcast()
        return copied
    }

    /// The client went away: the producer stops at its next write.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
