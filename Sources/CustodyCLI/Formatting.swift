import CustodyCore
import CustodyService
import Foundation

/// The FINDING_ID arguments of a command (possibly none), checked.
func findingIDs(_ context: CommandContext, command: String) throws -> [Int64] {
    try context.arguments.positionals.map { text in
        guard let id = Int64(text), id > 0 else {
            throw UsageError(message: "'\(text)' is not a finding id", command: command)
        }
        return id
    }
}

/// The FINDING_ID argument of a command, checked.
func findingID(_ context: CommandContext, command: String) throws -> Int64 {
    guard let id = Int64(context.arguments.positionals[0]), id > 0 else {
        throw UsageError(message: "FINDING_ID must be a positive number", command: command)
    }
    return id
}

/// The required --reason of a command that changes state: every change says why.
func requiredReason(_ context: CommandContext, command: String, hint: String) throws -> String {
    guard let reason = context.arguments.value("reason"), !reason.isEmpty else {
        throw UsageError(message: "missing --reason TEXT: \(hint)", command: command)
    }
    return reason
}

let configOption = OptionSpec(
    "config", value: "FILE", help: "the configuration (default: $CUSTODY_CONFIG, else ./custody.yaml if present)")

/// The output options of a listing: --json, --jsonl and --csv exclude each other.
let streamOptions = [
    OptionSpec("json", help: "print a JSON array"), OptionSpec("jsonl", help: "print JSON Lines (one object a line)"),
    OptionSpec("csv", help: "print CSV (RFC 4180)"),
]

/// The stream format asked for, or nil for the table.
func streamFormat(_ context: CommandContext, command: String) throws -> StreamFormat? {
    let chosen = StreamFormat.allCases.filter { context.arguments.flag($0.rawValue) }
    guard chosen.count <= 1 else {
        throw UsageError(
            message: chosen.map { "--\($0.rawValue)" }.joined(separator: " and ") + " exclude each other; pick one",
            command: command)
    }
    return chosen.first
}

/// Prints one JSON value on a line.
func printJSON(_ context: CommandContext, _ value: JSONText.Value) {
    context.console.out(value.text)
}

/// `(path):(line)` of a finding, or a placeholder.
/// Where a finding is: its file and line, else the host or image it is on, else `none`.
func location(_ row: FindingRow, none: String = "-") -> String {
    guard let path = row.path else { return row.asset ?? none }
    return path + (row.line.map { ":\($0)" } ?? "")
}

/// Aligned columns for any number of rows: widths come from the first `sample` rows, which are
/// held; after them each row is written as it comes (a longer cell just pushes its line out), so
/// a table of a million findings needs the memory of a thousand.
struct StreamingTable {
    private var table: TextTable
    private var widths: [Int]?
    private let console: Console
    private let sample: Int

    init(_ header: [String], console: Console, sample: Int = 1_000) {
        table = TextTable(header)
        self.console = console
        self.sample = sample
    }

    mutating func add(_ row: [String]) {
        if let widths {
            console.out(TextTable.line(row, widths: widths, numeric: nil))
            return
        }
        table.add(row)
        if table.rows.count >= sample { flush() }
    }

    /// Writes what is held (the header and the sample) and fixes the widths.
    mutating func flush() {
        guard widths == nil else { return }
        widths = table.widths
        console.out(table.render(), terminator: "")
    }
}

/// Aligned plain-text columns.
struct TextTable {
    let header: [String]
    let numeric: ClosedRange<Int>?
    var rows: [[String]] = []

    init(_ header: [String], numeric: ClosedRange<Int>? = nil) {
        self.header = header
        self.numeric = numeric
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// Widths in Unicode scalars: close to what a terminal shows, and linear to count.
    static func width(_ text: String) -> Int { text.unicodeScalars.count }

    var widths: [Int] {
        var widths = header.map(Self.width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], Self.width(cell)) } }
        return widths
    }

    static func line(_ row: [String], widths: [Int], numeric: ClosedRange<Int>?) -> String {
        var line = ""
        for (i, cell) in row.enumerated() {
            let pad = String(repeating: " ", count: max(0, widths[i] - width(cell)))
            let right = numeric?.contains(i) == true
            line += right ? pad + cell : cell + (i == row.count - 1 ? "" : pad)
            if i < row.count - 1 { line += "  " }
        }
        return line
    }

    func render() -> String {
        let widths = widths
        var out = ""
        for row in [header] + rows { out += Self.line(row, widths: widths, numeric: numeric) + "\n" }
        return out
    }
}
