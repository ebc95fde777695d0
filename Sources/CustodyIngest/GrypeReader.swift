import CustodyCore
import CustodyJSON

/// Grype's JSON report (`grype ... -o json`): each match of a vulnerability to a package.
public struct GrypeReader: ReportReader {
    public let format = ReportFormat.grype

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        source.rootMember("matches") != nil && source.rootMember("descriptor") != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        let version = source.rootMember("descriptor").flatMap { try? source.value($0)["version"]?.string }
        // The scanned artifact: an image's user input, or a directory or file.
        var asset: String?
        if let span = source.rootMember("source"), let target = try? source.value(span)["target"] {
            asset = target.string ?? target["userInput"]?.string
        }
        let timestamp = try fields.time(
            source.rootMember("descriptor").flatMap { try source.value($0)["timestamp"] }, "$.descriptor.timestamp")
        try emit(.run(tool: "Grype", version: version, startedAt: timestamp))
        var count = 0
        for (index, span) in try source.rootArray("matches").enumerated() {
            let match = try source.value(span)
            let at = "$.matches[\(index)]"
            try fields.object(match, at)
            guard let vulnerability = match["vulnerability"], let artifact = match["artifact"] else {
                throw fields.fail(at, "a match needs vulnerability and artifact")
            }
            let id = try fields.required(vulnerability["id"], at + ".vulnerability.id")
            let related = try fields.array(match["relatedVulnerabilities"], at + ".relatedVulnerabilities").compactMap {
                $0["id"]?.string
            }
            let name = try fields.required(artifact["name"], at + ".artifact.name")
            let installed = try fields.string(artifact["version"], at + ".artifact.version")
            var purl = try fields.string(artifact["purl"], at + ".artifact.purl")
            if purl?.isEmpty ?? true {
                purl = DependencyIdentity.packageURL(
                    ecosystem: try fields.string(artifact["type"], at + ".artifact.type") ?? "", name: name,
                    version: installed)
            }
            var vectors: [String] = []
            var score: Double?
            for (c, entry) in try fields.array(vulnerability["cvss"], at + ".vulnerability.cvss").enumerated() {
                if let vector = try fields.string(entry["vector"], "\(at).vulnerability.cvss[\(c)].vector"),
                    !vectors.contains(vector)
                {
                    vectors.append(vector)
                }
                if let value = entry["metrics"]?["baseScore"]?.double { score = max(score ?? 0, value) }
            }
            let location = try fields.array(artifact["locations"], at + ".artifact.locations").first
            let ids = [id] + related.filter { $0 != id }
            var finding = NormalizedFinding(
                tool: "Grype", toolVersion: version, ruleID: id, message: "\(id) in \(name) \(installed ?? "")",
                severity: try fields.severity(vulnerability["severity"], at + ".vulnerability.severity"), score: score,
                cves: ids.filter { $0.hasPrefix("CVE-") },
                path: (location?["path"]?.string).map(RepositoryPath.normalize))
            finding.package = purl ?? name
            finding.packageVersion = installed
            finding.vulnerabilityIDs = ids
            finding.fixedVersion = try fields.strings(
                vulnerability["fix"]?["versions"], at + ".vulnerability.fix.versions"
            )
            .first
            finding.cvssVectors = vectors
            finding.asset = asset
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(format: .grype, tool: "Grype", version: version, findings: count)
    }
}
