/// Writes JSON as UTF-8 straight into a byte buffer: objects and arrays opened and closed in
/// order, commas placed by the writer. Linear in the output; what streaming listings use, so a
/// million rows cost a million small appends and never a copy of what was written before.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8] = []
    /// Whether the container being written already has a member (so the next needs a comma).
    private var hasMember: [Bool] = []
    /// Set between a key and its value, so the value is not preceded by a comma.
    private var pendingValue = false

    public init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        hasMember.removeAll(keepingCapacity: true)
        pendingValue = false
    }

    private mutating func separate() {
        guard let last = hasMember.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) } else { hasMember[hasMember.count - 1] = true }
    }

    public mutating func beginObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        hasMember.append(false)
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        hasMember.removeLast()
    }

    public mutating func beginArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        hasMember.append(false)
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        hasMember.removeLast()
    }

    /// A member's key; its value is written next.
    public mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        pendingValue = true
    }

    private mutating func beginValue() {
        if pendingValue {
            pendingValue = false  // the value of the member just keyed: no comma
        } else {
            separate()
        }
    }

    public mutating func null() {
        beginValue()
        bytes.append(contentsOf: "null".utf8)
    }

    public mutating func string(_ text: String) {
        beginValue()
        JSONText.quote(text, into: &bytes)
    }

    public mutating func int(_ number: Int64) {
        beginValue()
        JSONText.append(number, to: &bytes)
    }

    public mutating func double(_ number: Double) {
        beginValue()
        JSONText.append(number, to: &bytes)
    }

    public mutating func bool(_ flag: Bool) {
        beginValue()
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    }

    /// A value already built (small, rare parts of an entity).
    public mutating func value(_ value: JSONText.Value) {
        beginValue()
        value.write(to: &bytes)
    }

    // Members: a key and its value in one call.
    public mutating func field(_ key: StaticString, _ text: String) {
        self.key(key)
        string(text)
    }

    public mutating func field(_ key: StaticString, _ text: String?) {
        self.key(key)
        if let text { string(text) } else { null() }
    }

    public mutating func field(_ key: StaticString, _ number: Int64) {
        self.key(key)
        int(number)
    }

    public mutating func field(_ key: StaticString, _ number: Int?) {
        self.key(key)
        if let number { int(Int64(number)) } else { null() }
    }

    public mutating func field(_ key: StaticString, _ number: Double?) {
        self.key(key)
        if let number { double(number) } else { null() }
    }

    public mutating func field(_ key: StaticString, _ flag: Bool) {
        self.key(key)
        bool(flag)
    }

    public mutating func field(_ key: StaticString, _ texts: [String]) {
        self.key(key)
        beginArray()
        for text in texts { string(text) }
        endArray()
    }

    public mutating func field(_ key: StaticString, _ value: JSONText.Value) {
        self.key(key)
        self.value(value)
    }
}
