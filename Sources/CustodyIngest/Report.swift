import CustodyCore
import CustodyJSON
import Foundation

/// The report formats Custody reads.
public enum ReportFormat: String, Sendable, CaseIterable {
    case sarif
    case trivy
    case grype
    case osv
    case cyclonedx
    case semgrep
    case bandit
    case gitlab
    case generic
    case spdx
    /// Tenable Nessus `.nessus` (NessusClientData_v2 XML).
    case nessus
    /// Tenable's CSV exports (Nessus, Tenable Vulnerability Management).
    case tenableCSV = "tenable-csv"
    /// OWASP ZAP's XML report (OWASPZAPReport).
    case zap
    /// Greenbone / OpenVAS report XML (GMP `<report>`).
    case openvas
    /// Nmap's XML output (`<nmaprun>`).
    case nmap
    /// ProjectDiscovery Nuclei's JSON Lines or JSON array of results.
    case nuclei
    /// Gitleaks' JSON report (v7 and v8).
    case gitleaks
    /// TruffleHog v3's JSON Lines.
    case trufflehog
    /// Checkov's JSON output (one report, or one per check type).
    case checkov
    /// The AWS Security Finding Format (Security Hub's import and `get-findings` export).
    case asff
    /// Prowler's JSON: v3's checks and v4/v5's OCSF Detection Findings.
    case prowler
    /// hadolint's JSON (Dockerfile rules).
    case hadolint
    /// Aqua tfsec's JSON (Terraform rules).
    case tfsec
    /// A Yelp detect-secrets baseline.
    case detectSecrets = "detect-secrets"
    /// Aqua kube-bench's JSON (CIS Kubernetes Benchmark).
    case kubeBench = "kube-bench"
    /// Burp Suite's XML issues export.
    case burp
    /// Greenbone / OpenVAS's CSV results export.
    case openvasCSV = "openvas-csv"

    /// Whether reports of the format are XML documents.
    public var isXML: Bool { [.nessus, .zap, .openvas, .nmap, .burp].contains(self) }
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

    public init(format: ReportFormat, runs: [ToolRun], skipped: Int, warnings: [Diagnostic]) {
        self.format = format
        self.runs = runs
        self.skipped = skipped
        self.warnings = warnings
    }

    /// A report of one run of one tool (every format but SARIF), nothing skipped.
    init(format: ReportFormat, tool: String, version: String?, findings: Int, warnings: [Diagnostic] = []) {
        self.init(
            format: format, runs: [ToolRun(tool: tool, version: version, ruleCount: 0, resultCount: findings)],
            skipped: 0, warnings: warnings)
    }
}

/// What a reader streams: a run of a tool begins, or a finding of the current run.
public enum ReportItem: Sendable {
    /// A run of a tool; `startedAt` is when the report says the scan ran, if it says.
    case run(tool: String, version: String?, startedAt: Date? = nil)
    case finding(NormalizedFinding)
}

/// A report format: detects itself and streams its findings.
public protocol ReportReader: Sendable {
    var format: ReportFormat { get }
    /// True when the source looks like this format (from its top-level keys and small values).
    func detect(_ source: ReportSource) -> Bool
    /// Streams the report to `emit` in report order: each run (tool) first, then its findings.
    /// Throws a ``Diagnostic`` naming the file and JSON path on the first malformed part.
    func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary
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

/// One report file, read in parts: readers outline big arrays and parse one element at a time,
/// so memory follows the input's size, not its number of results.
public final class ReportSource {
    public let file: String
    public let input: JSONInput
    public let limits: InputLimits
    /// The top-level members, or nil when the top level is not an object.
    public let rootMembers: [(key: String, span: JSONSpan)]?
    /// The values of a JSON Lines report (`.jsonl`, `.ndjson`, or objects a line), each still
    /// to be parsed; nil when the report is one document.
    public let lines: [(line: Int, span: JSONSpan)]?
    private let parser: JSONParser

    public convenience init(file: String, limits: InputLimits = InputLimits()) throws {
        let input: JSONInput
        do {
            input = try JSONInput(contentsOfFile: file, maxBytes: limits.maxBytes)
        } catch let error as JSONError {
            throw Diagnostic(file: file, message: "cannot read: \(error.reason)")
        }
        try self.init(file: file, input: input, limits: limits)
    }

    /// A report already in memory (`file` names it in messages), as the fuzz targets feed them.
    public init(file: String, input raw: JSONInput, limits: InputLimits = InputLimits()) throws {
        guard raw.count <= limits.maxBytes else {
            throw Diagnostic(file: file, message: "cannot read: over the limit of \(limits.maxBytes) bytes")
        }
        let input = try ReportEncoding.prepare(raw, file: file, limits: limits)
        self.file = file
        self.limits = limits
        self.input = input
        parser = JSONParser(maxDepth: limits.maxDepth)
        let name = file.lowercased()
        var lines: [(line: Int, span: JSONSpan)]?
        if name.hasSuffix(".csv") {
            rootMembers = nil  // text, not JSON: the generic reader reads it as CSV
        } else if Self.isXML(input.bytes) {
            rootMembers = nil  // XML: its reader parses it with libxml2
        } else if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") {
            rootMembers = nil
            lines = input.lineSpans()
        } else if input.kind(of: input.whole) == .object {
            do {
                rootMembers = try input.outlineObject(input.whole)
            } catch let error as JSONError {
                // An object, then more on the next lines: JSON Lines under another name.
                guard error.reason == JSONInput.trailingContent, (error.location?.line ?? 1) > 1 else {
                    throw Self.diagnostic(error, file: file)
                }
                rootMembers = nil
                lines = input.lineSpans()
            }
        } else {
            // Not an object: parse it whole, so a syntax error is reported as such.
            _ = try Self.parse(input, input.whole, parser: parser, file: file)
            rootMembers = nil
        }
        self.lines = lines
    }

    static func diagnostic(_ error: JSONError, file: String) -> Diagnostic {
        let place = error.location.map { "line \($0.line), column \($0.column) (byte \($0.offset))" }
        return Diagnostic(file: file, place: place, message: "not valid JSON: \(error.reason)")
    }

    static func parse(_ input: JSONInput, _ span: JSONSpan, parser: JSONParser, file: String) throws -> JSONValue {
        do {
            return try parser.parse(input, span).root
        } catch var error as JSONError {
            // Errors without a position (too deep, say) are placed at the value they are in.
            if error.location == nil { error.location = input.location(ofOffset: span.offset) }
            throw diagnostic(error, file: file)
        }
    }

    /// Whether the text begins, after whitespace, with `<` (an XML document).
    static func isXML<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "<")
    }

    /// Whether the report is an XML document whose root element is `name`.
    public func hasXMLRoot(_ name: String) -> Bool {
        rootMembers == nil && Self.isXML(input.bytes) && ReportEncoding.rootName(of: input.bytes) == name
    }

    /// A top-level member's span.
    public func rootMember(_ key: String) -> JSONSpan? { rootMembers?.first { $0.key == key }?.span }

    /// Builds a document for `span`; valid until the next `value(_:)` call on this source.
    public func value(_ span: JSONSpan) throws -> JSONValue {
        try Self.parse(input, span, parser: parser, file: file)
    }

    /// Builds a document for `span` with a parser of the caller's, for values that must stay
    /// valid while others are parsed.
    public func value(_ span: JSONSpan, using parser: JSONParser) throws -> JSONValue {
        try Self.parse(input, span, parser: parser, file: file)
    }

    public func members(of span: JSONSpan) throws -> [(key: String, span: JSONSpan)] {
        do { return try input.outlineObject(span) } catch let error as JSONError {
            throw Self.diagnostic(error, file: file)
        }
    }

    public func elements(of span: JSONSpan) throws -> [JSONSpan] {
        do { return try input.outlineArray(span) } catch let error as JSONError {
            throw Self.diagnostic(error, file: file)
        }
    }

    public func kind(of span: JSONSpan) -> JSONValue.Kind? { input.kind(of: span) }
}

/// Opens report files and picks the reader for each.
public enum ReportRegistry {
    public static let readers: [any ReportReader] = [
        SARIFReader(), TrivyReader(), GrypeReader(), OSVReader(), CycloneDXReader(), SemgrepReader(), BanditReader(),
        GitLabReader(), TenableCSVReader(), OpenVASCSVReader(), GenericReader(), SPDXReader(), NessusReader(),
        ZAPReader(),
        OpenVASReader(), NmapReader(), NucleiReader(), GitleaksReader(), TruffleHogReader(),
        CheckovReader(), ASFFReader(), ProwlerReader(), HadolintReader(), TFSecReader(),
        DetectSecretsReader(), KubeBenchReader(), BurpReader(),
    ]

    /// Opens `path` and returns it with the reader for its format (`format` forces one;
    /// otherwise it is detected).
    public static func open(
        path: String, format: ReportFormat? = nil, limits: InputLimits = InputLimits()
    ) throws -> (source: ReportSource, reader: any ReportReader) {
        try reader(for: try ReportSource(file: path, limits: limits), format: format)
    }

    /// The reader for an opened report: `format`'s, or the one that recognises it.
    public static func reader(for source: ReportSource, format: ReportFormat? = nil) throws -> (
        source: ReportSource, reader: any ReportReader
    ) {
        let path = source.file
        if let format {
            guard let reader = readers.first(where: { $0.format == format }) else {
                throw Diagnostic(file: path, message: "no reader for format '\(format.rawValue)'")
            }
            return (source, reader)
        }
        guard let reader = readers.first(where: { $0.detect(source) }) else {
            let known = readers.map(\.format.rawValue).joined(separator: ", ")
            let seen: String
            if let members = source.rootMembers {
                let keys = members.prefix(6).map { "'\($0.key)'" }.joined(separator: ", ")
                seen = members.isEmpty ? "an empty JSON object" : "a JSON object with members \(keys)"
            } else {
                seen = "a JSON \(source.kind(of: source.input.whole).map { "\($0)" } ?? "value")"
            }
            throw Diagnostic(
                file: path, place: "$",
                message: "\(seen), which is none of the formats read (\(known)); use --format to force one")
        }
        return (source, reader)
    }
}
