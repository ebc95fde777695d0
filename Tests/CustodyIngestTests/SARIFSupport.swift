import CustodyCore
import CustodyIngest
import CustodyJSON
import CustodyTestSupport

/// Everything a SARIF file yields, read the way `custody ingest` reads it.
struct ReadReport {
    var summary: ReportSummary
    var runs: [(tool: String, version: String?)] = []
    var findings: [NormalizedFinding] = []

    init(path: String) throws {
        let (source, reader) = try ReportRegistry.open(path: path)
        var runs: [(tool: String, version: String?)] = []
        var findings: [NormalizedFinding] = []
        summary = try reader.read(source) { item in
            switch item {
            case .run(let tool, let version, _): runs.append((tool, version))
            case .finding(let finding): findings.append(finding)
            }
        }
        self.runs = runs
        self.findings = findings
    }

    static func corpus(_ relative: String) throws -> ReadReport {
        try ReadReport(path: Corpora.path("sarif/" + relative))
    }

    func count(_ severity: Severity) -> Int { findings.filter { $0.severity == severity }.count }
}
