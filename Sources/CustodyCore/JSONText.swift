/// Writes JSON text: the one place values are escaped for output, event payloads and the API.
public enum JSONText {
    /// A JSON value to write. Objects keep their key order.
    public indirect enum Value: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case null
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)
        case array([Value])
        case object([(String, Value)])
        /// JSON text written as it is: only for text this program wrote (stored event payloads).
        case raw(String)

        public init(stringLiteral value: String) { self = .string(value) }
        public init(integerLiteral value: Int) { self = .int(Int64(value)) }

        public static func optional(_ text: String?) -> Value { text.map(Value.string) ?? .null }
        public static func optional(_ number: Int?) -> Value { number.map { .int(Int64($0)) } ?? .null }
        public static func optional(_ number: Int64?) -> Value { number.map(Value.int) ?? .null }
        public static func optional(_ number: Double?) -> Value { number.map(Value.double) ?? .null }
        public static func strings(_ items: [String]) -> Value { .array(items.map(Value.string)) }

        public static func == (lhs: Value, rhs: Value) -> Bool { lhs.text == rhs.text }

        /// Compact JSON text.
        public var text: String {
            var out: [UInt8] = []
            write(to: &out)
            return String(decoding: out, as: UTF8.self)
        }

        public func write(to out: inout String) {
            var bytes: [UInt8] = []
            write(to: &bytes)
            out += String(decoding: bytes, as: UTF8.self)
        }

        /// Appends the compact JSON text as UTF-8.
        public func write(to out: inout [UInt8]) {
            switch self {
            case .null: out.append(contentsOf: "null".utf8)
            case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
            case .int(let number): JSONText.append(number, to: &out)
            case .double(let number): JSONText.append(number, to: &out)
            case .string(let text): JSONText.quote(text, into: &out)
            case .raw(let text): out.append(contentsOf: text.utf8)
            case .array(let items):
                out.append(UInt8(ascii: "["))
                for (index, item) in items.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    item.write(to: &out)
                }
                out.append(UInt8(ascii: "]"))
            case .object(let members):
                out.append(UInt8(ascii: "{"))
                for (index, (key, value)) in members.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    JSONText.quote(key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    value.write(to: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
        }
    }

    /// Appends an integer's decimal digits.
    public static func append(_ number: Int64, to out: inout [UInt8]) {
        if number >= 0 && number < 10 {
            out.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            if number < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(20 - count)..<20]))
        }
    }

    /// Appends a double as JSON: whole numbers below 1e15 as `N.0`, non-finite numbers as null.
    public static func append(_ number: Double, to out: inout [UInt8]) {
        guard number.isFinite else { return out.append(contentsOf: "null".utf8) }
        if number == number.rounded() && abs(number) < 1e15 {
            append(Int64(number), to: &out)
            out.append(contentsOf: ".0".utf8)
        } else {
            out.append(contentsOf: String(number).utf8)
        }
    }

    /// Appends `text` as a JSON string. Linear in `text`: the escaping runs over UTF-8 bytes
    /// and unescaped runs are appended in one piece.
    public static func quote(_ text: String, into out: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        quote(text, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a JSON string to UTF-8 output: `"`, `\\`, control characters and
    /// U+2028/U+2029 escaped (the ledger hashes exactly these bytes).
    public static func quote(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var plainStart = 0
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                // The common case first: a byte that needs no escape.
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != 0xE2 {
                    index += 1
                    continue
                }
                var escapeLength = 1
                let escape: StaticString?
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0xE2 where index + 2 < count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xA8:
                    escape = "\\u2028"
                    escapeLength = 3
                case 0xE2 where index + 2 < count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xA9:
                    escape = "\\u2029"
                    escapeLength = 3
                case 0..<0x20: escape = nil
                default:
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]))
                if let escape {
                    escape.withUTF8Buffer { out.append(contentsOf: $0) }
                } else {
                    out.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        hexDigit(byte >> 4), hexDigit(byte & 0x0F),
                    ])
                }
                index += escapeLength
                plainStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
