import CustodyCore
import CustodyJSON

/// hadolint's JSON (`hadolint -f json`): an array of rule violations in Dockerfiles - `code`
/// (DL3008, SC2086), `message`, `file`, `line`, `column`, `level` (error, warning, info, style).
/// Identity: the tool's rule in the file at its line (no flagged text is given). docs/formats.md.
public struct HadolintReader: ReportReader {
    public let format = ReportFormat.hadolint

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard let first = source.firstArrayElement() else { return false }
        return first["code"] != nil && first["level"] != nil && first["file"] != nil && first["line"] != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        try emit(.run(tool: "hadolint", version: nil))
        var count = 0
        for (place, span) in try source.records() {
            let entry = try source.value(span)
            try fields.object(entry, place)
            let level = try fields.string(entry["level"], place + ".level") ?? "warning"
            let severity: Severity
            switch level.lowercased() {
            case "error": severity = .high
            case "warning": severity = .medium
            case "info": severity = .low
            case "style": severity = .info
            default: throw fields.fail(place + ".level", "unknown level '\(level)' (error, warning, info, style)")
            }
            let code = try fields.required(entry["code"], place + ".code")
            var finding = NormalizedFinding(
                tool: "hadolint", ruleID: code,
                message: try fields.string(entry["message"], place + ".message") ?? code,
                severity: severity, path: RepositoryPath.normalize(try fields.required(entry["file"], place + ".file")),
                line: try fields.int(entry["line"], place + ".line"),
                column: try fields.int(entry["column"], place + ".column"))
            finding.level = level
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .hadolint, tool: "hadolint", version: nil, findings: count)
    }
}

/// Aqua tfsec's JSON (`tfsec --format json`): `results` (null when nothing was found), each a
/// rule (`rule_id`, the legacy id kept as an alias) on a Terraform file's lines; current and
/// legacy schemas. Severity: CRITICAL, HIGH, MEDIUM, LOW, or the legacy ERROR and WARNING.
/// Identity: the rule in the file at its start line, told apart by the resource in its
/// description. A result marked passed is not a finding. docs/formats.md.
public struct TFSecReader: ReportReader {
    public let format = ReportFormat.tfsec

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard let members = source.rootMembers, members.count <= 2, source.rootMember("results") != nil else {
            return false
        }
        guard let first = try? source.rootArray("results").first, let result = try? source.value(first) else {
            // `{"results": null}`: tfsec's way of saying nothing was found.
            return members.count == 1 && source.kind(of: source.rootMember("results")!) == .null
        }
        return result["rule_id"] != nil && result["rule_provider"] != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        try emit(.run(tool: "tfsec", version: nil))
        var count = 0
        for (index, span) in try source.rootArray("results").enumerated() {
            let result = try source.value(span)
            let at = "$.results[\(index)]"
            try fields.object(result, at)
            let status = try fields.string(result["status"], at + ".status")
            if result["passed"]?.bool == true || status == "passed" { continue }
            let rule = try fields.required(result["rule_id"], at + ".rule_id")
            let location = result["location"]
            var finding = NormalizedFinding(
                tool: "tfsec", ruleID: rule,
                message: try fields.string(result["description"], at + ".description")
                    ?? fields.string(result["rule_description"], at + ".rule_description") ?? rule,
                severity: try fields.severity(result["severity"], at + ".severity"),
                path: RepositoryPath.normalize(try fields.required(location?["filename"], at + ".location.filename")),
                line: try fields.int(location?["start_line"], at + ".location.start_line"))
            finding.ruleName = try fields.string(result["rule_description"], at + ".rule_description")
            finding.securityTagged = true
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .tfsec, tool: "tfsec", version: nil, findings: count)
    }
}
