import CustodyCore
import CustodyJSON

/// Aqua kube-bench's JSON (`kube-bench --json`): CIS Kubernetes Benchmark controls - an array of
/// them, or `{"Controls": [...]}` - each with tests whose results pass, fail, warn or inform. A
/// failed check is a medium finding; a warning an informational one, unless kube-bench says the
/// test is a manual one (then, like a pass, it is counted as skipped). Identity: (check number,
/// node type - master, node, etcd, policies -); the cluster is the ingest's asset or repository.
/// docs/formats.md.
public struct KubeBenchReader: ReportReader {
    public let format = ReportFormat.kubeBench

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard let first = source.firstRecord(wrappedIn: ["Controls"]) else { return false }
        return first["node_type"] != nil && first["tests"] != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        let controls = try source.records(wrappedIn: ["Controls"])
        try emit(.run(tool: "kube-bench", version: nil))
        var count = 0
        var skipped = 0
        for (place, span) in controls {
            let control = try source.value(span)
            try fields.object(control, place)
            let node = try fields.string(control["node_type"], place + ".node_type") ?? ""
            for (t, test) in try fields.array(control["tests"], place + ".tests").enumerated() {
                for (r, result) in try fields.array(test["results"], "\(place).tests[\(t)].results").enumerated() {
                    let at = "\(place).tests[\(t)].results[\(r)]"
                    let status = try fields.required(result["status"], at + ".status").uppercased()
                    let manual = try fields.string(result["reason"], at + ".reason") == "Test marked as a manual test"
                    let severity: Severity
                    switch status {
                    case "FAIL": severity = .medium
                    case "WARN" where !manual: severity = .info
                    case "PASS", "INFO", "WARN":
                        skipped += 1
                        continue
                    default: throw fields.fail(at + ".status", "unknown status '\(status)' (PASS, FAIL, WARN, INFO)")
                    }
                    let number = try fields.required(result["test_number"], at + ".test_number")
                    let description = try fields.string(result["test_desc"], at + ".test_desc") ?? number
                    var finding = NormalizedFinding(
                        tool: "kube-bench", ruleID: number, message: "\(number) \(description)", severity: severity)
                    finding.ruleName = description
                    finding.securityTagged = severity != .info
                    finding.toolFingerprints = ["node_type": node, "check": number]
                    try emit(.finding(finding))
                    count += 1
                }
            }
        }
        return ReportSummary(
            format: .kubeBench, runs: [ToolRun(tool: "kube-bench", version: nil, ruleCount: 0, resultCount: count)],
            skipped: skipped, warnings: [])
    }
}
