import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// kube-bench JSON from the corpora (cloud/kube-bench): failed checks medium, warnings that are
/// not manual tests informational, the rest counted as skipped. Counts cross-checked with an
/// independent reading (Python's json) and against DefectDojo's.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct KubeBenchCorpusTests {
    /// The file; DefectDojo's medium and informational counts (SOURCES.md).
    @Test(arguments: [
        ("defectdojo-kube-bench-report-zero-vuln.json", 0, 0), ("defectdojo-kube-bench-report-many-vuln.json", 4, 0),
        ("defectdojo-kube-bench-controls.json", 36, 20),
    ])
    func failedChecksAndWarningsAreFindings(_ name: String, _ medium: Int, _ info: Int) throws {
        let path = Corpora.path("cloud/kube-bench/" + name)
        let (source, reader) = try ReportRegistry.open(path: path)
        #expect(reader.format == .kubeBench)
        var findings: [NormalizedFinding] = []
        let summary = try reader.read(source) { if case .finding(let finding) = $0 { findings.append(finding) } }
        let script = """
            import json, sys
            data = json.load(open(sys.argv[1]))
            controls = data if isinstance(data, list) else data['Controls']
            results = [r for c in controls for t in c['tests'] for r in t['results']]
            kept = [r for r in results if r['status'] == 'FAIL' or (r['status'] == 'WARN' and r.get('reason') != 'Test marked as a manual test')]
            print(len(kept), len(results) - len(kept))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        let counts = run.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(counts == [findings.count, summary.skipped], "\(run.text)")
        #expect(findings.filter { $0.severity == .medium }.count == medium)
        #expect(findings.filter { $0.severity == .info }.count == info)
    }
}
