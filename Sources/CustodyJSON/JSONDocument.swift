internal import CSimdJSON
import Foundation

/// A parsed JSON document, read with simdjson.
///
/// Every ingester reads its input through this one type. Parsing builds simdjson's
/// tape (see simdjson's doc/tape.md); ``JSONValue`` walks that tape directly, so reading
/// a field costs a few loads and no allocation until a Swift `String` is asked for.
public final class JSONDocument: @unchecked Sendable {
    // Immutable after init; the tape and strings are owned by `handle` and freed in deinit.
    private let handle: OpaquePointer
    let tape: UnsafePointer<UInt64>
    let strings: UnsafePointer<UInt8>

    /// The document's top-level value.
    public var root: JSONValue { JSONValue(document: self, index: 1) }

    /// Parses `bytes`. `maxDepth` bounds nesting (simdjson's default is 1024).
    public init(bytes: [UInt8], maxDepth: Int = 1024) throws {
        let padding = csj_padding()
        var padded = [UInt8](repeating: 0, count: bytes.count + padding)
        padded.withUnsafeMutableBufferPointer { buffer in
            bytes.withUnsafeBufferPointer { source in
                if let base = source.baseAddress {
                    buffer.baseAddress!.update(from: base, count: source.count)
                }
            }
        }
        handle = try padded.withUnsafeBufferPointer { buffer throws in
            try JSONDocument.parse(buffer.baseAddress!, count: bytes.count, maxDepth: maxDepth) {
                bytes
            }
        }
        tape = csj_tape(handle)
        strings = csj_strings(handle)
    }

    /// Reads and parses the file at `path`, refusing files larger than `maxBytes`.
    /// The file's bytes are released as soon as parsing ends.
    public init(contentsOfFile path: String, maxBytes: Int = 4 << 30, maxDepth: Int = 1024)
        throws
    {
        let buffer = try JSONDocument.readPadded(path: path, maxBytes: maxBytes)
        defer { buffer.base.deallocate() }
        handle = try JSONDocument.parse(
            UnsafePointer(buffer.base), count: buffer.count, maxDepth: maxDepth
        ) {
            Array(UnsafeBufferPointer(start: buffer.base, count: buffer.count))
        }
        tape = csj_tape(handle)
        strings = csj_strings(handle)
    }

    deinit { csj_free(handle) }

    private static func parse(
        _ base: UnsafePointer<UInt8>, count: Int, maxDepth: Int, bytesForDiagnosis: () -> [UInt8]
    ) throws -> OpaquePointer {
        var message = [CChar](repeating: 0, count: 256)
        guard let document = csj_parse(base, count, maxDepth, &message, message.count) else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // simdjson does not say where a syntax error is; find the place on this rare path.
            let place = JSONSyntaxLocator.firstError(in: bytesForDiagnosis())
            throw JSONError(reason: reason, location: place)
        }
        return document
    }

    private static func readPadded(path: String, maxBytes: Int) throws -> (
        base: UnsafeMutablePointer<UInt8>, count: Int
    ) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw JSONError(reason: "cannot open: \(String(cString: strerror(errno)))", location: nil)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw JSONError(reason: "cannot stat: \(String(cString: strerror(errno)))", location: nil)
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw JSONError(reason: "file is \(size) bytes, over the limit of \(maxBytes) bytes", location: nil)
        }
        let padding = csj_padding()
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: size + padding)
        (base + size).initialize(repeating: 0, count: padding)
        var done = 0
        while done < size {
            let n = read(fd, base + done, size - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                base.deallocate()
                throw JSONError(reason: "read failed after \(done) bytes", location: nil)
            }
            done += n
        }
        return (base, size)
    }
}

/// A JSON document could not be read: why, and where (byte offset, line and column) when known.
public struct JSONError: Error, Sendable, CustomStringConvertible {
    public struct Location: Sendable, Equatable {
        public var offset: Int
        public var line: Int
        public var column: Int

        public init(offset: Int, line: Int, column: Int) {
            self.offset = offset
            self.line = line
            self.column = column
        }
    }
    public var reason: String
    public var location: Location?

    public var description: String {
        guard let location else { return reason }
        return "\(reason) at line \(location.line), column \(location.column) (byte offset \(location.offset))"
    }
}
