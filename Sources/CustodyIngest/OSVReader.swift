import CustodyCore
import CustodyJSON

/// OSV-Scanner's JSON output (`osv-scanner --format json`): per source (a lock file), per
/// package, its vulnerabilities (OSV entries with aliases); `groups` tie aliases together and
/// carry the highest severity.
public struct OSVReader: ReportReader {
    public let format = ReportFormat.osv

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard let span = source.rootMember("results"), source.kind(of: span) == .array else { return false }
        // Its results hold "source" and "packages"; look at the first.
        guard let first = try? source.elements(of: span).first, let result = try? source.value(first) else {
            return source.rootMember("experimental_config") != nil
        }
        return result["packages"] != nil && result["source"] != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        try emit(.run(tool: "OSV-Scanner", version: nil))
        var count = 0
        for (index, span) in try source.rootArray("results").enumerated() {
            let result = try source.value(span)
            let place = "$.results[\(index)]"
            try fields.object(result, place)
            let path = try fields.string(result["source"]?["path"], place + ".source.path").map(
                RepositoryPath.normalize)
            for (p, entry) in try fields.array(result["packages"], place + ".packages").enumerated() {
                let at = "\(place).packages[\(p)]"
                let package = entry["package"]
                // A package found by its git commit (a vendored repository) has no name.
                let commit = try fields.string(package?["commit"], at + ".package.commit")
                let given = try fields.string(package?["name"], at + ".package.name") ?? ""
                guard !given.isEmpty || commit != nil else { throw fields.fail(at + ".package.name", "missing") }
                let name = given.isEmpty ? "git commit \(commit!)" : given
                let version = try fields.string(package?["version"], at + ".package.version")
                let ecosystem = try fields.string(package?["ecosystem"], at + ".package.ecosystem") ?? ""
                // Groups: the ids that are one vulnerability, and their highest CVSS score.
                var groupScore: [String: Double] = [:]
                for group in try fields.array(entry["groups"], at + ".groups") {
                    let ids = (group["ids"]?.array).map { $0.compactMap(\.string) } ?? []
                    let score = group["max_severity"]?.string.flatMap(Double.init)
                    for id in ids { if let score { groupScore[id] = score } }
                }
                for (v, vulnerability) in try fields.array(entry["vulnerabilities"], at + ".vulnerabilities")
                    .enumerated()
                {
                    let vat = "\(at).vulnerabilities[\(v)]"
                    try fields.object(vulnerability, vat)
                    let id = try fields.required(vulnerability["id"], vat + ".id")
                    let aliases = try fields.strings(vulnerability["aliases"], vat + ".aliases")
                    let ids = [id] + aliases
                    var vectors: [String] = []
                    for item in try fields.array(vulnerability["severity"], vat + ".severity") {
                        if let vector = item["score"]?.string, vector.hasPrefix("CVSS:") { vectors.append(vector) }
                    }
                    let score = groupScore[id]
                    var severity = score.map(Severity.init(score:))
                    if severity == nil, let word = vulnerability["database_specific"]?["severity"]?.string {
                        severity = Severity(word: word)
                    }
                    var finding = NormalizedFinding(
                        tool: "OSV-Scanner", ruleID: id,
                        message: try fields.string(vulnerability["summary"], vat + ".summary") ?? "\(id) in \(name)",
                        severity: severity ?? .medium, score: score, cves: ids.filter { $0.hasPrefix("CVE-") },
                        path: path)
                    finding.package =
                        DependencyIdentity.packageURL(ecosystem: ecosystem, name: name, version: version) ?? name
                    finding.packageVersion = version
                    finding.vulnerabilityIDs = ids
                    finding.cvssVectors = vectors
                    try emit(.finding(finding))
                    count += 1
                }
            }
        }
        return ReportSummary(format: .osv, tool: "OSV-Scanner", version: nil, findings: count)
    }
}
