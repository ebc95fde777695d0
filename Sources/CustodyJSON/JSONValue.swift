/// One value inside a ``JSONDocument``: a position on its tape.
///
/// Values keep their document alive. Lookups by key are linear in the object's size,
/// and arrays are walked in order (never indexed), which is how simdjson's tape is fast.
public struct JSONValue: @unchecked Sendable {
    public enum Kind: Sendable, Equatable {
        case object, array, string, integer, double, bool, null
    }

    let document: JSONDocument
    let index: Int

    init(document: JSONDocument, index: Int) {
        self.document = document
        self.index = index
    }

    @inline(__always) private var word: UInt64 { document.tape[index] }
    @inline(__always) private var tag: UInt8 { UInt8(truncatingIfNeeded: word >> 56) }
    @inline(__always) private var payload: UInt64 { word & 0x00FF_FFFF_FFFF_FFFF }

    public var kind: Kind {
        switch tag {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "l"), UInt8(ascii: "u"): return .integer
        case UInt8(ascii: "d"): return .double
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        default: return .null
        }
    }

    /// The tape index just past this value (its next sibling, or its container's end).
    @inline(__always) var indexAfter: Int {
        switch tag {
        case UInt8(ascii: "{"), UInt8(ascii: "["): return Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: payload))
        case UInt8(ascii: "l"), UInt8(ascii: "u"), UInt8(ascii: "d"): return index + 2
        default: return index + 1
        }
    }

    // MARK: Scalars

    /// The string's UTF-8 bytes, valid while the document lives.
    public var utf8: UnsafeBufferPointer<UInt8>? {
        guard tag == UInt8(ascii: "\"") else { return nil }
        let start = document.strings + Int(payload)
        let length = UnsafeRawPointer(start).loadUnaligned(as: UInt32.self).littleEndian
        return UnsafeBufferPointer(start: start + 4, count: Int(length))
    }

    public var string: String? {
        guard let bytes = utf8 else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A number as a `Double` (integers are converted).
    public var double: Double? {
        switch tag {
        case UInt8(ascii: "d"): return Double(bitPattern: document.tape[index + 1])
        case UInt8(ascii: "l"): return Double(Int64(bitPattern: document.tape[index + 1]))
        case UInt8(ascii: "u"): return Double(document.tape[index + 1])
        default: return nil
        }
    }

    /// An integer (a double with no fractional part is accepted).
    public var int: Int? {
        switch tag {
        case UInt8(ascii: "l"): return Int(truncatingIfNeeded: Int64(bitPattern: document.tape[index + 1]))
        case UInt8(ascii: "u"):
            let value = document.tape[index + 1]
            return value <= UInt64(Int.max) ? Int(value) : nil
        case UInt8(ascii: "d"):
            let value = Double(bitPattern: document.tape[index + 1])
            return value.rounded() == value && abs(value) < 9.0e15 ? Int(value) : nil
        default: return nil
        }
    }

    public var bool: Bool? {
        switch tag {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: return nil
        }
    }

    public var isNull: Bool { tag == UInt8(ascii: "n") }

    // MARK: Containers

    /// The value of `key` in this object, or nil (also when this is not an object).
    public subscript(key: StaticString) -> JSONValue? {
        key.withUTF8Buffer { member(utf8Key: $0) }
    }

    /// The value of `key` in this object, or nil (also when this is not an object).
    public func member(_ key: String) -> JSONValue? {
        var key = key
        return key.withUTF8 { member(utf8Key: $0) }
    }

    private func member(utf8Key key: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        guard tag == UInt8(ascii: "{") else { return nil }
        let end = indexAfter - 1
        var position = index + 1
        while position < end {
            let name = JSONValue(document: document, index: position)
            let value = JSONValue(document: document, index: position + 1)
            if let bytes = name.utf8, bytes.count == key.count,
                bytes.count == 0 || memcmp(bytes.baseAddress!, key.baseAddress!, key.count) == 0
            {
                return value
            }
            position = value.indexAfter
        }
        return nil
    }

    /// The elements of this array, or nil when this is not an array.
    public var array: Elements? {
        guard tag == UInt8(ascii: "[") else { return nil }
        return Elements(document: document, start: index + 1, end: indexAfter - 1)
    }

    /// The members of this object in document order, or nil when this is not an object.
    public var object: Members? {
        guard tag == UInt8(ascii: "{") else { return nil }
        return Members(document: document, start: index + 1, end: indexAfter - 1)
    }

    public struct Elements: Sequence, IteratorProtocol, @unchecked Sendable {
        let document: JSONDocument
        var position: Int
        let end: Int

        init(document: JSONDocument, start: Int, end: Int) {
            self.document = document
            self.position = start
            self.end = end
        }

        public mutating func next() -> JSONValue? {
            guard position < end else { return nil }
            let value = JSONValue(document: document, index: position)
            position = value.indexAfter
            return value
        }

        public var isEmpty: Bool { position >= end }
    }

    public struct Members: Sequence, IteratorProtocol, @unchecked Sendable {
        let document: JSONDocument
        var position: Int
        let end: Int

        init(document: JSONDocument, start: Int, end: Int) {
            self.document = document
            self.position = start
            self.end = end
        }

        public mutating func next() -> (key: String, value: JSONValue)? {
            guard position < end else { return nil }
            let name = JSONValue(document: document, index: position)
            let value = JSONValue(document: document, index: position + 1)
            position = value.indexAfter
            return (name.string ?? "", value)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
