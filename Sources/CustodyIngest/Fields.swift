import CustodyCore
import CustodyJSON
import Foundation

/// Typed reads of JSON members for the report readers: absent and null are nil, a wrong type is
/// an error naming the file and the JSON path.
struct Fields {
    let file: String

    func fail(_ place: String, _ message: String) -> Diagnostic {
        Diagnostic(file: file, place: place, message: message)
    }

    func kind(_ value: JSONValue) -> String { "\(value.kind)" }

    func object(_ value: JSONValue, _ place: String) throws {
        guard value.kind == .object else { throw fail(place, "expected an object, found \(kind(value))") }
    }

    func string(_ value: JSONValue?, _ place: String) throws -> String? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.string else { throw fail(place, "expected a string, found \(kind(value))") }
        return text
    }

    func required(_ value: JSONValue?, _ place: String) throws -> String {
        guard let text = try string(value, place), !text.isEmpty else { throw fail(place, "missing") }
        return text
    }

    /// An ISO 8601 time a report states (when its scan ran); a value that is not one is an error.
    func time(_ value: JSONValue?, _ place: String) throws -> Date? {
        guard let text = try string(value, place), !text.isEmpty else { return nil }
        guard let stored = Timestamp.normalize(text), let date = Timestamp.date(stored) else {
            throw fail(place, "'\(text)' is not an ISO 8601 time")
        }
        return date
    }

    func int(_ value: JSONValue?, _ place: String) throws -> Int? {
        guard let value, !value.isNull else { return nil }
        guard let number = value.int else { throw fail(place, "expected an integer, found \(kind(value))") }
        return number
    }

    func double(_ value: JSONValue?, _ place: String) throws -> Double? {
        guard let value, !value.isNull else { return nil }
        guard let number = value.double else { throw fail(place, "expected a number, found \(kind(value))") }
        return number
    }

    func array(_ value: JSONValue?, _ place: String) throws -> [JSONValue] {
        guard let value, !value.isNull else { return [] }
        guard let items = value.array else { throw fail(place, "expected an array, found \(kind(value))") }
        return Array(items)
    }

    func strings(_ value: JSONValue?, _ place: String) throws -> [String] {
        try array(value, place).enumerated().map { index, item in
            guard let text = item.string else {
                throw fail("\(place)[\(index)]", "expected a string, found \(kind(item))")
            }
            return text
        }
    }

    /// A cloud resource's tags: a mapping of strings, or AWS's list of `{Key, Value}`.
    func tags(_ value: JSONValue?, _ place: String) throws -> [String: String] {
        var tags: [String: String] = [:]
        if let members = value?.object {
            for member in members { if let text = member.value.string { tags[member.key] = text } }
            return tags
        }
        for tag in try array(value, place) {
            if let key = tag["Key"]?.string, let text = tag["Value"]?.string { tags[key] = text }
        }
        return tags
    }

    /// A severity word; an unknown one is an error listing what is understood.
    func severity(_ value: JSONValue?, _ place: String, default fallback: Severity = .medium) throws -> Severity {
        guard let word = try string(value, place) else { return fallback }
        guard let severity = Severity(word: word) else {
            throw fail(place, "unknown severity '\(word)' (critical, high, medium, low, info)")
        }
        return severity
    }
}

extension ReportSource {
    /// The spans of a top-level array member, or [] when it is absent or null; any other kind
    /// is an error.
    func rootArray(_ key: String) throws -> [JSONSpan] {
        guard let span = rootMember(key), kind(of: span) != .null else { return [] }
        guard kind(of: span) == .array else {
            throw Diagnostic(
                file: file, place: "$.\(key)",
                message: "expected an array, found \(kind(of: span).map { "\($0)" } ?? "nothing")")
        }
        return try elements(of: span)
    }

    /// A top-level string member.
    func rootString(_ key: String) -> String? {
        rootMember(key).flatMap { try? value($0).string }
    }

    /// The report's records, each with the place it is named by in messages: the lines of a
    /// JSON Lines report (`line 3`), or the elements of a top-level array (`$[2]`).
    func records() throws -> [(place: String, span: JSONSpan)] {
        if let lines {
            return lines.map { ("line \($0.line)", $0.span) }
        }
        guard rootMembers == nil, kind(of: input.whole) == .array else {
            throw Diagnostic(
                file: file, place: "$", message: "expected a JSON array or JSON Lines (one object a line)")
        }
        return try elements(of: input.whole).enumerated().map { ("$[\($0.offset)]", $0.element) }
    }

    /// The first record, parsed, for detection (nil: none, or not one that parses).
    func firstRecord() -> JSONValue? {
        guard let first = try? records().first else { return nil }
        return try? value(first.span)
    }

    /// The first element of a top-level array, parsed, for detection: nil for JSON Lines, an
    /// object, an empty array or one whose first element does not parse.
    func firstArrayElement() -> JSONValue? { lines == nil ? firstRecord() : nil }

    /// The records of a report written as a top-level array (or JSON Lines), or as a small
    /// object wrapping them under the first of `keys` it has (Security Hub's `Findings`,
    /// kube-bench's `Controls`).
    func records(wrappedIn keys: [String]) throws -> [(place: String, span: JSONSpan)] {
        guard rootMembers != nil else { return try records() }
        guard let key = keys.first(where: { rootMember($0) != nil }) else {
            throw Diagnostic(
                file: file, place: "$", message: "expected \(keys.joined(separator: " or ")) at the top level")
        }
        return try rootArray(key).enumerated().map { ("$.\(key)[\($0.offset)]", $0.element) }
    }

    /// The first of ``records(wrappedIn:)``, parsed, for detection: nil when there is none, or
    /// when the wrapping object has more than three members (it is some other document).
    func firstRecord(wrappedIn keys: [String]) -> JSONValue? {
        guard let members = rootMembers else { return firstArrayElement() }
        guard members.count <= 3, let first = try? records(wrappedIn: keys).first else { return nil }
        return try? value(first.span)
    }

    func requireObject() throws {
        guard rootMembers != nil else {
            throw Diagnostic(file: file, place: "$", message: "expected a JSON object at the top level")
        }
    }
}
