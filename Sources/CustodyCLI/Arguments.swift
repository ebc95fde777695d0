import CustodyCore
import Foundation

/// A command-line option as declared: its name, its value's placeholder (nil for a flag) and help.
public struct OptionSpec: Sendable {
    public var name: String
    public var value: String?
    public var help: String
    public var repeatable = false

    public init(_ name: String, value: String? = nil, help: String, repeatable: Bool = false) {
        self.name = name
        self.value = value
        self.help = help
        self.repeatable = repeatable
    }
}

/// A positional argument as declared.
public struct PositionalSpec: Sendable {
    public var name: String
    public var help: String
    public var required: Bool
    public var variadic: Bool

    public init(_ name: String, help: String, required: Bool = true, variadic: Bool = false) {
        self.name = name
        self.help = help
        self.required = required
        self.variadic = variadic
    }
}

/// A wrong command line: what is wrong and what to type instead. Exit status 2.
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var command: String
    public var description: String { message }
}

/// The parsed command line of one command.
public struct ParsedArguments: Sendable {
    public var values: [String: [String]] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []
    let command: String

    public func value(_ name: String) -> String? { values[name]?.last }
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of `name` read as a time (`2026-11-24` or `2026-11-24T08:00:00Z`), or now.
    public func time(_ name: String) throws -> Date {
        guard let text = value(name) else { return Date() }
        guard let date = Timestamp.date(text) else {
            throw UsageError(message: "--\(name) needs a time: 2026-11-24 or 2026-11-24T08:00:00Z", command: command)
        }
        return date
    }

    /// The value of `name` read as one of `choices`, or a usage error listing them.
    public func choice<T: RawRepresentable>(_ name: String, as type: T.Type, among choices: [T]) throws -> T?
    where T.RawValue == String {
        guard let text = value(name) else { return nil }
        guard let parsed = T(rawValue: text) else {
            throw UsageError(
                message:
                    "invalid value '\(text)' for --\(name); expected one of: \(choices.map(\.rawValue).joined(separator: ", "))",
                command: command)
        }
        return parsed
    }

    public func integer(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(
                message:
                    "invalid value '\(text)' for --\(name); expected a whole number from \(range.lowerBound) to \(range.upperBound)",
                command: command)
        }
        return number
    }
}

/// Parses `arguments` against declared options and positionals. `--name value`, `--name=value`
/// and `--` (end of options) are understood; unknown options are refused with a suggestion.
func parse(_ arguments: [String], options: [OptionSpec], positionals: [PositionalSpec], command: String) throws
    -> ParsedArguments
{
    var parsed = ParsedArguments(command: command)
    var index = 0
    var onlyPositionals = false
    while index < arguments.count {
        let argument = arguments[index]
        index += 1
        if onlyPositionals || !argument.hasPrefix("--") || argument == "-" {
            if argument.hasPrefix("-") && argument.count > 1 && !onlyPositionals && argument != "-" {
                throw UsageError(message: "unknown option '\(argument)'", command: command)
            }
            parsed.positionals.append(argument)
            continue
        }
        if argument == "--" {
            onlyPositionals = true
            continue
        }
        var name = String(argument.dropFirst(2))
        var inlineValue: String?
        if let equals = name.firstIndex(of: "=") {
            inlineValue = String(name[name.index(after: equals)...])
            name = String(name[..<equals])
        }
        guard let spec = options.first(where: { $0.name == name }) else {
            let close = options.map(\.name).min { editDistance($0, name) < editDistance($1, name) }
            let hint = close.flatMap { editDistance($0, name) <= 3 ? " (did you mean --\($0)?)" : nil } ?? ""
            throw UsageError(message: "unknown option '--\(name)'\(hint)", command: command)
        }
        if let placeholder = spec.value {
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw UsageError(
                        message: "option --\(name) needs a value: --\(name) \(placeholder)", command: command)
                }
                value = arguments[index]
                index += 1
            }
            if !spec.repeatable, parsed.values[name] != nil {
                throw UsageError(message: "option --\(name) given twice", command: command)
            }
            parsed.values[name, default: []].append(value)
        } else {
            if inlineValue != nil { throw UsageError(message: "option --\(name) takes no value", command: command) }
            parsed.flags.insert(name)
        }
    }
    let required = positionals.filter(\.required)
    if parsed.positionals.count < required.count {
        let missing = required[parsed.positionals.count]
        throw UsageError(message: "missing argument \(missing.name): \(missing.help)", command: command)
    }
    if !positionals.contains(where: \.variadic), parsed.positionals.count > positionals.count {
        throw UsageError(message: "unexpected argument '\(parsed.positionals[positionals.count])'", command: command)
    }
    return parsed
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
