/// Where streamed output goes: standard output, a file, an HTTP response body. Chunks arrive
/// in order; each is at most about 64 KB.
public protocol ByteSink: AnyObject {
    func write(_ bytes: [UInt8]) throws
}

/// Collects streamed output in memory (tests, small responses).
public final class ByteBuffer: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: [UInt8]) { self.bytes += bytes }
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
