import CustodyCore
import CustodyJSON

/// Checkov's JSON output (`checkov -o json`): one report, or an array of one report per check
/// type (terraform, dockerfile, kubernetes, ...); each `results.failed_checks` entry is a
/// finding identified by (check id, file, resource). The file is the repository's
/// (`repo_file_path`, else `file_path`); the line the start of `file_line_range`. Severity is the
/// check's `severity` when Checkov gives one (its platform's), else medium. Checkov's summary-only
/// output (no results) has none. docs/formats.md.
public struct CheckovReader: ReportReader {
    public let format = ReportFormat.checkov

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        if source.rootMember("check_type") != nil, source.rootMember("results") != nil { return true }
        if source.rootMember("checkov_version") != nil, source.rootMember("failed") != nil { return true }
        guard let first = source.firstArrayElement() else { return false }
        return first["check_type"] != nil && first["results"] != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        // One report, or one per check type.
        var reports: [(place: String, span: JSONSpan)] = [("$", source.input.whole)]
        if source.rootMembers == nil { reports = try source.records() }
        let version = source.rootString("checkov_version")
        try emit(.run(tool: "Checkov", version: version))
        var count = 0
        for (place, span) in reports {
            let report = try source.value(span)
            try fields.object(report, place)
            let checkType = try fields.string(report["check_type"], place + ".check_type")
            for (index, check) in try fields.array(
                report["results"]?["failed_checks"], place + ".results.failed_checks"
            )
            .enumerated() {
                let at = "\(place).results.failed_checks[\(index)]"
                try fields.object(check, at)
                let id = try fields.required(check["check_id"], at + ".check_id")
                let file =
                    try fields.string(check["repo_file_path"], at + ".repo_file_path")
                    ?? fields.required(check["file_path"], at + ".file_path")
                let resource = try fields.string(check["resource"], at + ".resource") ?? ""
                let range = try fields.array(check["file_line_range"], at + ".file_line_range")
                let start = range.first?.int.flatMap { $0 > 0 ? $0 : nil }
                let name = try fields.string(check["check_name"], at + ".check_name") ?? id
                var finding = NormalizedFinding(
                    tool: "Checkov", toolVersion: version, ruleID: id,
                    message: resource.isEmpty ? name : "\(name): \(resource)",
                    severity: try fields.severity(check["severity"], at + ".severity"),
                    path: RepositoryPath.normalize(file), line: start)
                finding.ruleName = name
                finding.securityTagged = true
                finding.toolFingerprints = ["resource": resource, "check_type": checkType ?? ""]
                try emit(.finding(finding))
                count += 1
            }
        }
        return ReportSummary(format: .checkov, tool: "Checkov", version: version, findings: count)
    }
}
