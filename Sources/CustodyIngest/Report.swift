import CustodyCore
import CustodyJSON

/// The report formats Custody reads.
public enum ReportFormat: String, Sendable, CaseIterable {
    case sarif
}

/// What a report says about the run that produced it.
public struct ToolRun: Sendable, Equatable {
    public var tool: String
    public var version: String?
    public var ruleCount: Int
    public var resultCount: Int

    public init(tool: String, version: String?, ruleCount: Int, resultCount: Int) {
        self.tool = tool
        self.version = version
        self.ruleCount = ruleCount
        self.resultCount = resultCount
    }
}

/// What reading a report yields besides its findings.
public struct ReportSummary: Sendable, Equatable {
    public var format: ReportFormat
    public var runs: [ToolRun]
    /// Results that are not problems (SARIF `kind` pass or notApplicable), counted, not stored.
    public var skipped: Int
    public var warnings: [Diagnostic]
}

/// A report format: detects itself and streams its findings.
public protocol ReportReader: Sendable {
    var format: ReportFormat { get }
    /// True when `root` looks like this format.
    func detect(_ root: JSONValue) -> Bool
    /// Streams the report to `emit` in report order: each run (tool) first, then its findings.
    /// Throws a ``Diagnostic`` naming the file and JSON path on the first malformed part.
    func read(_ root: JSONValue, file: String, emit: (ReportItem) throws -> Void) throws -> ReportSummary
}

/// What a reader streams: a run of a tool begins, or a finding of the current run.
public enum ReportItem: Sendable {
    case run(tool: String, version: String?)
    case finding(NormalizedFinding)
}

/// Limits on what an ingest accepts.
public struct InputLimits: Sendable {
    public var maxBytes: Int
    public var maxDepth: Int

    public init(maxBytes: Int = 4 << 30, maxDepth: Int = 256) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }
}

/// Opens report files and picks the reader for each.
public enum ReportRegistry {
    public static let readers: [any ReportReader] = [SARIFReader()]

    /// Parses `path` as JSON and returns it with the reader for its format
    /// (`format` forces one; otherwise it is detected).
    public static func open(
        path: String, format: ReportFormat? = nil, limits: InputLimits = InputLimits()
    ) throws -> (document: JSONDocument, reader: any ReportReader) {
        let document: JSONDocument
        do {
            document = try JSONDocument(contentsOfFile: path, maxBytes: limits.maxBytes, maxDepth: limits.maxDepth)
        } catch let error as JSONError {
            let place = error.location.map { "line \($0.line), column \($0.column) (byte \($0.offset))" }
            throw Diagnostic(file: path, place: place, message: "not valid JSON: \(error.reason)")
        }
        if let format {
            guard let reader = readers.first(where: { $0.format == format }) else {
                throw Diagnostic(file: path, message: "no reader for format '\(format.rawValue)'")
            }
            return (document, reader)
        }
        guard let reader = readers.first(where: { $0.detect(document.root) }) else {
            let known = readers.map(\.format.rawValue).joined(separator: ", ")
            throw Diagnostic(
                file: path, place: "$",
                message: "not a recognised report format (known: \(known)); use --format to force one")
        }
        return (document, reader)
    }
}

