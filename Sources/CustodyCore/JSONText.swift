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
            var out = ""
            write(to: &out)
            return out
        }

        public func write(to out: inout String) {
            switch self {
            case .null: out += "null"
            case .bool(let flag): out += flag ? "true" : "false"
            case .int(let number): out += String(number)
            case .double(let number):
                if number.isFinite {
                    out +=
                        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) + ".0" : String(number)
                } else {
                    out += "null"
                }
            case .string(let text): JSONText.quote(text, into: &out)
            case .raw(let text): out += text
            case .array(let items):
                out += "["
                for (index, item) in items.enumerated() {
                    if index > 0 { out += "," }
                    item.write(to: &out)
                }
                out += "]"
            case .object(let members):
                out += "{"
                for (index, (key, value)) in members.enumerated() {
                    if index > 0 { out += "," }
                    JSONText.quote(key, into: &out)
                    out += ":"
                    value.write(to: &out)
                }
                out += "}"
            }
        }
    }

    public static func quote(_ text: String, into out: inout String) {
        out += "\""
        var plainStart = text.unicodeScalars.startIndex
        var index = plainStart
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{2028}": escape = "\\u2028"
            case "\u{2029}": escape = "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                out += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        out += "\""
    }
}
