/// Writes JSON as UTF-8 straight into a byte buffer: objects and arrays opened and closed in
/// order, commas placed by the writer. Linear in the output; what streaming listings use, so a
/// million rows cost a million small appends and never a copy of what was written before.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8] = []
    /// One bit per open container (the innermost lowest): set once it has a member, so the next
    /// needs a comma. Containers nest at most 63 deep here; entities are two or three deep.
    private var hasMember: UInt64 = 0
    private var depth = 0
    /// Set between a key and its value, so the value is not preceded by a comma.
    private var pendingValue = false

    public init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        hasMember = 0
        depth = 0
        pendingValue = false
    }

    private mutating func separate() {
        guard depth > 0 else { return }
        if hasMember & 1 != 0 { bytes.append(UInt8(ascii: ",")) } else { hasMember |= 1 }
    }

    private mutating func open(_ bracket: UInt8) {
        beginValue()
        bytes.append(bracket)
        precondition(depth < 63, "JSONWriter: nested deeper than 63")
        hasMember <<= 1
        depth += 1
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        hasMember >>= 1
        depth -= 1
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// A member's key; its value is written next.
    public mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
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
