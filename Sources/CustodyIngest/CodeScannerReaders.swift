import CustodyCore
import CustodyJSON

/// Semgrep's JSON output (`semgrep --json`): results with check id, path, start line, message,
/// severity (ERROR, WARNING, INFO), CWE metadata and the matched lines.
public struct SemgrepReader: ReportReader {
    public let format = ReportFormat.semgrep

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard source.rootMember("results") != nil, source.rootMember("errors") != nil else { return false }
        guard let first = try? source.rootArray("results").first, let result = try? source.value(first) else {
            return source.rootMember("paths") != nil
        }
        return result["check_id"] != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        let version = source.rootString("version")
        try emit(.run(tool: "Semgrep", version: version))
        var count = 0
        for (index, span) in try source.rootArray("results").enumerated() {
            let result = try source.value(span)
            let at = "$.results[\(index)]"
            try fields.object(result, at)
            let extra = result["extra"]
            let cwe = extra?["metadata"]?["cwe"]
            let cweTags = cwe?.string.map { [$0] } ?? (cwe?.array.map { $0.compactMap(\.string) } ?? [])
            var fingerprints: [String: String] = [:]
            // Semgrep's own fingerprint is "requires login" without an account: not an identity.
            if let print = extra?["fingerprint"]?.string, print != "requires login" { fingerprints["semgrep"] = print }
            var finding = NormalizedFinding(
                tool: "Semgrep", toolVersion: version,
                ruleID: try fields.required(result["check_id"], at + ".check_id"),
                message: try fields.string(extra?["message"], at + ".extra.message") ?? "",
                severity: try fields.severity(extra?["severity"], at + ".extra.severity"),
                cwes: Tags.cwes(in: cweTags),
                path: RepositoryPath.normalize(try fields.required(result["path"], at + ".path")),
                line: try fields.int(result["start"]?["line"], at + ".start.line"),
                column: try fields.int(result["start"]?["col"], at + ".start.col"),
                snippet: (try fields.string(extra?["lines"], at + ".extra.lines")).flatMap {
                    $0 == "requires login" ? nil : $0
                }, toolFingerprints: fingerprints)
            finding.securityTagged = extra?["metadata"]?["category"]?.string?.lowercased() == "security"
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .semgrep, tool: "Semgrep", version: version, findings: count)
    }
}

/// Bandit's JSON report (`bandit -f json`): test id and name, issue text, severity and
/// confidence, CWE, file, line and code.
public struct BanditReader: ReportReader {
    public let format = ReportFormat.bandit

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        source.rootMember("results") != nil && source.rootMember("generated_at") != nil
            && source.rootMember("metrics") != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        let generated = try fields.time(
            source.rootMember("generated_at").map { try source.value($0) }, "$.generated_at")
        try emit(.run(tool: "Bandit", version: nil, startedAt: generated))
        var count = 0
        for (index, span) in try source.rootArray("results").enumerated() {
            let result = try source.value(span)
            let at = "$.results[\(index)]"
            try fields.object(result, at)
            let cwe = try fields.int(result["issue_cwe"]?["id"], at + ".issue_cwe.id")
            // Bandit's "code" holds numbered lines around the issue; the flagged one is the line.
            let line = try fields.int(result["line_number"], at + ".line_number")
            var snippet: String?
            if let code = try fields.string(result["code"], at + ".code"), let line {
                snippet = code.split(separator: "\n").first { $0.hasPrefix("\(line) ") }.map {
                    String($0.dropFirst("\(line) ".count))
                }
            }
            let finding = NormalizedFinding(
                tool: "Bandit", ruleID: try fields.required(result["test_id"], at + ".test_id"),
                ruleName: try fields.string(result["test_name"], at + ".test_name"),
                message: try fields.string(result["issue_text"], at + ".issue_text") ?? "",
                severity: try fields.severity(result["issue_severity"], at + ".issue_severity"),
                cwes: cwe.map { ["CWE-\($0)"] } ?? [],
                path: RepositoryPath.normalize(try fields.required(result["filename"], at + ".filename")), line: line,
                column: try fields.int(result["col_offset"], at + ".col_offset").map { $0 + 1 }, snippet: snippet)
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .bandit, tool: "Bandit", version: nil, findings: count)
    }
}

/// GitLab's security report JSON (`gl-sast-report.json`, `gl-dependency-scanning-report.json`):
/// the scanner, and vulnerabilities with identifiers (CVE, CWE, GHSA...), severity and location
/// (a file and line for SAST; a file, package and version for dependency scanning).
public struct GitLabReader: ReportReader {
    public let format = ReportFormat.gitlab

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        source.rootMember("vulnerabilities") != nil && source.rootMember("scan") != nil
            && source.rootMember("version") != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        let scan = try source.rootMember("scan").map { try source.value($0) }
        let tool = scan?["scanner"]?["name"]?.string ?? scan?["analyzer"]?["name"]?.string ?? "GitLab"
        let version = scan?["scanner"]?["version"]?.string
        let started = try fields.time(scan?["start_time"], "$.scan.start_time")
        try emit(.run(tool: tool, version: version, startedAt: started))
        var count = 0
        for (index, span) in try source.rootArray("vulnerabilities").enumerated() {
            let item = try source.value(span)
            let at = "$.vulnerabilities[\(index)]"
            try fields.object(item, at)
            var ids: [String] = []
            var cwes: [String] = []
            for (i, identifier) in try fields.array(item["identifiers"], at + ".identifiers").enumerated() {
                let type = (try fields.string(identifier["type"], "\(at).identifiers[\(i)].type") ?? "").lowercased()
                let value = try fields.string(identifier["value"], "\(at).identifiers[\(i)].value") ?? ""
                if type == "cwe" {
                    cwes.append("CWE-\(value)")
                } else if ["cve", "ghsa", "osvdb"].contains(type) {
                    ids.append(value)
                }
            }
            let location = item["location"]
            let rule =
                try fields.array(item["identifiers"], at + ".identifiers").first?["value"]?.string
                ?? (try fields.required(item["id"], at + ".id"))
            var finding = NormalizedFinding(
                tool: tool, toolVersion: version, ruleID: ids.first ?? rule,
                ruleName: try fields.string(item["name"], at + ".name"),
                message: try fields.string(item["name"], at + ".name")
                    ?? (try fields.string(item["description"], at + ".description")) ?? rule,
                severity: try fields.severity(item["severity"], at + ".severity"), cwes: cwes,
                cves: ids.filter { $0.hasPrefix("CVE-") },
                path: try fields.string(location?["file"], at + ".location.file").map(RepositoryPath.normalize),
                line: try fields.int(location?["start_line"], at + ".location.start_line"))
            finding.securityTagged = true  // a GitLab security report holds security findings only
            if let dependency = location?["dependency"] {
                finding.package = try fields.string(
                    dependency["package"]?["name"], at + ".location.dependency.package.name")
                finding.packageVersion = try fields.string(dependency["version"], at + ".location.dependency.version")
                finding.vulnerabilityIDs = ids
            }
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .gitlab, tool: tool, version: version, findings: count)
    }
}
