internal import CSimdJSON
import Foundation

/// A byte range inside a ``JSONInput``.
public struct JSONSpan: Sendable, Equatable {
    public var offset: Int
    public var length: Int

    public init(offset: Int, length: Int) {
        self.offset = offset
        self.length = length
    }
}

/// The bytes of one JSON input, padded as simdjson needs, read once.
///
/// Large reports are read in parts: ``outlineObject(_:)`` and ``outlineArray(_:)`` find the byte
/// ranges of members and elements without building a document (simdjson On-Demand), and a
/// ``JSONParser`` then builds a small document for one part at a time. Memory stays near the
/// input's size however many results a report has; whole-document DOMs cost several times it.
public final class JSONInput: @unchecked Sendable {
    // Immutable after init; freed in deinit.
    let base: UnsafeMutablePointer<UInt8>
    public let count: Int
    private let padding: Int

    public var whole: JSONSpan { JSONSpan(offset: 0, length: count) }

    /// The input's bytes (valid while the input lives).
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    public init(bytes: [UInt8]) {
        padding = csj_padding()
        count = bytes.count
        base = .allocate(capacity: count + padding)
        bytes.withUnsafeBufferPointer { if let source = $0.baseAddress { base.update(from: source, count: count) } }
        (base + count).initialize(repeating: 0, count: padding)
    }

    /// Reads the file at `path`, refusing one larger than `maxBytes`.
    public init(contentsOfFile path: String, maxBytes: Int = 4 << 30) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw JSONError(reason: "cannot open: \(String(cString: strerror(errno)))", location: nil)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw JSONError(reason: "cannot stat: \(String(cString: strerror(errno)))", location: nil)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw JSONError(reason: "not a regular file", location: nil) }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw JSONError(reason: "file is \(size) bytes, over the limit of \(maxBytes) bytes", location: nil)
        }
        padding = csj_padding()
        count = size
        base = .allocate(capacity: size + padding)
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
    }

    deinit { base.deallocate() }

    /// The reason given for a value followed by more than white space.
    public static let trailingContent = "content after the JSON value"

    /// The input's lines that hold more than white space, as spans with their line numbers (a
    /// line's `\r` left out): the values of a JSON Lines document.
    public func lineSpans() -> [(line: Int, span: JSONSpan)] {
        var spans: [(line: Int, span: JSONSpan)] = []
        var start = 0
        var line = 1
        func close(_ end: Int) {
            var last = end
            while last > start, [0x0D, 0x20, 0x09].contains(base[last - 1]) { last -= 1 }
            var first = start
            while first < last, [0x20, 0x09].contains(base[first]) { first += 1 }
            if first < last { spans.append((line, JSONSpan(offset: first, length: last - first))) }
        }
        for index in 0..<count where base[index] == 0x0A {
            close(index)
            start = index + 1
            line += 1
        }
        close(count)
        return spans
    }

    /// The first byte of the value in `span` that is not white space, which tells its kind.
    public func kind(of span: JSONSpan) -> JSONValue.Kind? {
        var index = span.offset
        let end = span.offset + span.length
        while index < end, [0x20, 0x0A, 0x0D, 0x09].contains(base[index]) { index += 1 }
        guard index < end else { return nil }
        switch base[index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: return .double
        }
    }

    /// The members of the object in `span`, in order, with the byte range of each value.
    public func outlineObject(_ span: JSONSpan) throws -> [(key: String, span: JSONSpan)] {
        final class Box { var members: [(key: String, span: JSONSpan)] = [] }
        let box = Box()
        try outline(span, context: Unmanaged.passUnretained(box).toOpaque()) { pointer, capacity, context, error in
            csj_outline_object(
                pointer, span.length, capacity, context,
                { context, key, keyLength, offset, length in
                    let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
                    let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keyLength), as: UTF8.self)
                    box.members.append((name, JSONSpan(offset: offset, length: length)))
                }, error, 256)
        }
        try checkEnd(of: span, after: box.members.last.map { $0.span.offset + $0.span.length }, closer: "}")
        return box.members.map { ($0.key, JSONSpan(offset: $0.span.offset + span.offset, length: $0.span.length)) }
    }

    /// The byte ranges of the elements of the array in `span`, in order.
    public func outlineArray(_ span: JSONSpan) throws -> [JSONSpan] {
        final class Box { var elements: [JSONSpan] = [] }
        let box = Box()
        try outline(span, context: Unmanaged.passUnretained(box).toOpaque()) { pointer, capacity, context, error in
            csj_outline_array(
                pointer, span.length, capacity, context,
                { context, offset, length in
                    Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue().elements.append(
                        JSONSpan(offset: offset, length: length))
                }, error, 256)
        }
        try checkEnd(of: span, after: box.elements.last.map { $0.offset + $0.length }, closer: "]")
        let shift = span.offset
        return box.elements.map { JSONSpan(offset: $0.offset + shift, length: $0.length) }
    }

    /// Refuses content after the container in `span` (a second value, a stray bracket): simdjson's
    /// on-demand outline stops at the container's end and would ignore it. `after` is the end of
    /// its last child relative to the span (nil: it has none).
    private func checkEnd(of span: JSONSpan, after: Int?, closer: Character) throws {
        let end = span.offset + span.length
        let blank: Set<UInt8> = [0x20, 0x0A, 0x0D, 0x09]
        var index = span.offset + (after ?? 0)
        if after == nil {  // past the opening bracket
            while index < end, blank.contains(base[index]) { index += 1 }
            index += 1
        }
        while index < end, blank.contains(base[index]) { index += 1 }
        guard index < end, base[index] == closer.asciiValue! else { return }  // the outline reported it
        index += 1
        while index < end, blank.contains(base[index]) { index += 1 }
        guard index == end else {
            throw JSONError(reason: Self.trailingContent, location: location(ofOffset: index))
        }
    }

    private func outline(
        _ span: JSONSpan, context: UnsafeMutableRawPointer,
        _ call: (UnsafePointer<UInt8>, Int, UnsafeMutableRawPointer, UnsafeMutablePointer<CChar>) -> Int32
    ) throws {
        var message = [CChar](repeating: 0, count: 256)
        // Everything after the span up to the end of the padding is readable.
        let capacity = count + padding - span.offset
        let status = message.withUnsafeMutableBufferPointer {
            call(base + span.offset, capacity, context, $0.baseAddress!)
        }
        guard status == 0 else {
            throw JSONError(reason: Self.text(message), location: firstErrorLocation(in: span))
        }
    }

    /// Where the first syntax error in `span` is (for messages; runs only on failure).
    func firstErrorLocation(in span: JSONSpan) -> JSONError.Location? {
        let bytes = Array(UnsafeBufferPointer(start: base + span.offset, count: span.length))
        guard let local = JSONSyntaxLocator.firstError(in: bytes) else { return nil }
        return location(ofOffset: span.offset + local.offset)
    }

    /// A NUL-terminated message from the shim.
    static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The line and column of a byte offset.
    public func location(ofOffset offset: Int) -> JSONError.Location {
        var line = 1
        var column = 1
        for index in 0..<min(offset, count) {
            if base[index] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if base[index] & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONError.Location(offset: offset, line: line, column: column)
    }

    func withBytes<T>(_ span: JSONSpan, _ body: (UnsafePointer<UInt8>, Int) throws -> T) rethrows -> T {
        try body(base + span.offset, span.length)
    }
}

/// Builds DOM documents, reusing its buffers from one parse to the next.
///
/// A document it returns is valid until this parser parses again: read it, then move on.
public final class JSONParser: @unchecked Sendable {
    let handle: OpaquePointer
    public let maxDepth: Int

    public init(maxDepth: Int = 1024) {
        self.maxDepth = maxDepth
        guard let handle = csj_parser_new(maxDepth) else { fatalError("simdjson: cannot allocate a parser") }
        self.handle = handle
    }

    deinit { csj_parser_free(handle) }

    /// Parses the part of `input` in `span`.
    public func parse(_ input: JSONInput, _ span: JSONSpan) throws -> JSONDocument {
        var message = [CChar](repeating: 0, count: 256)
        let status = input.withBytes(span) { pointer, length in
            csj_parser_parse(handle, pointer, length, &message, message.count)
        }
        guard status == 0 else {
            throw JSONError(reason: JSONInput.text(message), location: input.firstErrorLocation(in: span))
        }
        return JSONDocument(parser: self, input: input)
    }
}

/// A parsed JSON document: simdjson's tape, walked by ``JSONValue``.
public final class JSONDocument: @unchecked Sendable {
    let parser: JSONParser
    let input: JSONInput
    let tape: UnsafePointer<UInt64>
    let strings: UnsafePointer<UInt8>

    init(parser: JSONParser, input: JSONInput) {
        self.parser = parser
        self.input = input
        tape = csj_parser_tape(parser.handle)
        strings = csj_parser_strings(parser.handle)
    }

    /// The document's top-level value.
    public var root: JSONValue { JSONValue(document: self, index: 1) }

    /// Parses `bytes` as one document.
    public convenience init(bytes: [UInt8], maxDepth: Int = 1024) throws {
        let input = JSONInput(bytes: bytes)
        let document = try JSONParser(maxDepth: maxDepth).parse(input, input.whole)
        self.init(parser: document.parser, input: input)
    }

    /// Reads and parses the file at `path` as one document.
    public convenience init(contentsOfFile path: String, maxBytes: Int = 4 << 30, maxDepth: Int = 1024) throws {
        let input = try JSONInput(contentsOfFile: path, maxBytes: maxBytes)
        let document = try JSONParser(maxDepth: maxDepth).parse(input, input.whole)
        self.init(parser: document.parser, input: input)
    }
}

/// A JSON input could not be read: why, and where (byte offset, line and column) when known.
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
