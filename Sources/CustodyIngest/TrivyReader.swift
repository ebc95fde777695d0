import CustodyCore
import CustodyJSON

/// Trivy's JSON report (`trivy ... --format json`, SchemaVersion 2): for each result (a
/// target: a lock file, an image layer's OS packages, a Dockerfile), its vulnerabilities,
/// misconfigurations and secrets.
public struct TrivyReader: ReportReader {
    public let format = ReportFormat.trivy

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        source.rootMember("SchemaVersion") != nil && source.rootMember("ArtifactName") != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        let version = source.rootMember("Trivy").flatMap { try? source.value($0)["Version"]?.string }
        let artifact = source.rootString("ArtifactName")
        let createdAt = try fields.time(source.rootMember("CreatedAt").map { try source.value($0) }, "$.CreatedAt")
        try emit(.run(tool: "Trivy", version: version, startedAt: createdAt))
        var count = 0
        for (index, span) in try source.rootArray("Results").enumerated() {
            let result = try source.value(span)
            let place = "$.Results[\(index)]"
            try fields.object(result, place)
            let target = try fields.string(result["Target"], place + ".Target")
            let path = target.map(RepositoryPath.normalize)
            for (v, item) in try fields.array(result["Vulnerabilities"], place + ".Vulnerabilities").enumerated() {
                let at = "\(place).Vulnerabilities[\(v)]"
                try fields.object(item, at)
                let id = try fields.required(item["VulnerabilityID"], at + ".VulnerabilityID")
                let name = try fields.required(item["PkgName"], at + ".PkgName")
                let installed = try fields.string(item["InstalledVersion"], at + ".InstalledVersion")
                let purl = try fields.string(item["PkgIdentifier"]?["PURL"], at + ".PkgIdentifier.PURL")
                var vectors: [String] = []
                var score: Double?
                if let cvss = item["CVSS"]?.object {
                    for (_, entry) in cvss {
                        for key in ["V40Vector", "V3Vector"] {
                            if let vector = entry.member(key)?.string, !vectors.contains(vector) {
                                vectors.append(vector)
                            }
                        }
                        if let value = entry["V3Score"]?.double { score = max(score ?? 0, value) }
                    }
                }
                var finding = NormalizedFinding(
                    tool: "Trivy", toolVersion: version, ruleID: id,
                    ruleName: try fields.string(item["Title"], at + ".Title"),
                    message: try fields.string(item["Title"], at + ".Title")
                        ?? "\(id) in \(name) \(installed ?? "")",
                    severity: try fields.severity(item["Severity"], at + ".Severity"), score: score,
                    cwes: try fields.strings(item["CweIDs"], at + ".CweIDs"),
                    cves: id.hasPrefix("CVE-") ? [id] : [], path: path)
                finding.package = purl ?? name
                finding.packageVersion = installed
                finding.vulnerabilityIDs = [id] + (try fields.strings(item["VendorIDs"], at + ".VendorIDs"))
                finding.fixedVersion = try fields.string(item["FixedVersion"], at + ".FixedVersion")
                finding.cvssVectors = vectors
                finding.asset = artifact
                try emit(.finding(finding))
                count += 1
            }
            for (m, item) in try fields.array(result["Misconfigurations"], place + ".Misconfigurations").enumerated() {
                let at = "\(place).Misconfigurations[\(m)]"
                try fields.object(item, at)
                // Passed checks are reported too; only failures are findings.
                guard (try fields.string(item["Status"], at + ".Status")) != "PASS" else { continue }
                let id = try fields.required(item["ID"], at + ".ID")
                let line = try fields.int(item["CauseMetadata"]?["StartLine"], at + ".CauseMetadata.StartLine")
                let finding = NormalizedFinding(
                    tool: "Trivy", toolVersion: version, ruleID: id,
                    ruleName: try fields.string(item["Title"], at + ".Title"),
                    message: try fields.string(item["Message"], at + ".Message")
                        ?? (try fields.string(item["Title"], at + ".Title")) ?? id,
                    severity: try fields.severity(item["Severity"], at + ".Severity"), path: path, line: line)
                try emit(.finding(finding))
                count += 1
            }
            for (s, item) in try fields.array(result["Secrets"], place + ".Secrets").enumerated() {
                let at = "\(place).Secrets[\(s)]"
                try fields.object(item, at)
                let id = try fields.required(item["RuleID"], at + ".RuleID")
                let finding = NormalizedFinding(
                    tool: "Trivy", toolVersion: version, ruleID: id,
                    ruleName: try fields.string(item["Title"], at + ".Title"),
                    message: "\(try fields.string(item["Title"], at + ".Title") ?? id) (secret)",
                    severity: try fields.severity(item["Severity"], at + ".Severity", default: .high),
                    cwes: ["CWE-798"],
                    path: path, line: try fields.int(item["StartLine"], at + ".StartLine"),
                    // The match is masked by Trivy ("GITHUB_PAT=*****"): safe to keep as the flagged text.
                    snippet: try fields.string(item["Match"], at + ".Match"))
                try emit(.finding(finding))
                count += 1
            }
        }
        return ReportSummary(format: .trivy, tool: "Trivy", version: version, findings: count)
    }
}
