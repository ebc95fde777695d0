import CustodyCore
import CustodyIngest
import CustodyJSON
import CustodyTestSupport
import Foundation
import Testing

/// Truncated, wrong-typed, huge and deeply nested inputs: every reader refuses them with an
/// error that names the file and the place, and never crashes (the fuzz targets' harness).
struct HardInputTests {
    static let samples: [(format: String, text: String)] = [
        (
            "sarif",
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"r","message":{"text":"m"}}]}]}"#
        ),
        (
            "trivy",
            #"{"SchemaVersion":2,"ArtifactName":".","Results":[{"Target":"a","Vulnerabilities":[{"VulnerabilityID":"CVE-2020-0001","PkgName":"p"}]}]}"#
        ),
        (
            "grype",
            #"{"descriptor":{"version":"1"},"matches":[{"vulnerability":{"id":"CVE-2020-0001"},"artifact":{"name":"p","version":"1"}}]}"#
        ),
        (
            "osv",
            #"{"results":[{"source":{"path":"a"},"packages":[{"package":{"name":"p","ecosystem":"npm"},"vulnerabilities":[{"id":"GHSA-aaaa-bbbb-cccc"}]}]}]}"#
        ),
        (
            "cyclonedx",
            #"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-2020-0001","affects":[{"ref":"a"}]}]}"#
        ),
        (
            "semgrep",
            #"{"version":"1","errors":[],"results":[{"check_id":"r","path":"a.py","start":{"line":1},"extra":{"message":"m","severity":"ERROR"}}]}"#
        ),
        (
            "bandit",
            #"{"generated_at":"2024-01-12T10:00:00Z","metrics":{},"results":[{"test_id":"B1","filename":"a.py","line_number":1,"issue_severity":"LOW","issue_text":"t"}]}"#
        ),
        (
            "gitlab",
            #"{"version":"15","scan":{},"vulnerabilities":[{"id":"1","severity":"High","identifiers":[{"type":"cwe","value":"79"}]}]}"#
        ),
        (
            "generic",
            #"{"format":"custody-findings/1","tool":"t","findings":[{"id":"1","title":"t","severity":"low"}]}"#
        ),
    ]

    @Test(arguments: samples.map(\.format))
    func everyFormatReadsItsSampleAndRefusesItsMangledForms(format: String) throws {
        let text = Self.samples.first { $0.format == format }!.text
        #expect(FuzzHarness.run(Array(text.utf8), target: format) == 1)
        // Truncated at every tenth byte: refused (or read to a clean end), never a crash.
        for cut in stride(from: 1, to: text.utf8.count, by: 10) {
            _ = FuzzHarness.run(Array(text.utf8.prefix(cut)), target: format)
        }
        // The same document with every string value replaced by a number: wrong types, refused.
        let wrongTyped = text.replacingOccurrences(of: #":"[^"]*""#, with: ":7", options: .regularExpression)
        #expect(FuzzHarness.run(Array(wrongTyped.utf8), target: format) == nil)
    }

    @Test func errorsNameThePlace() throws {
        let directory = TemporaryDirectory()
        func error(_ name: String, _ text: String, limits: InputLimits = InputLimits()) -> String {
            do {
                let path = try directory.write(name, text)
                let (source, reader) = try ReportRegistry.open(path: path, limits: limits)
                _ = try reader.read(source) { _ in }
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(
            error(
                "t.json",
                #"{"SchemaVersion":2,"ArtifactName":".","Results":[{"Target":"a","Vulnerabilities":[{"VulnerabilityID":7}]}]}"#
            )
            .hasSuffix(
                "t.json: $.Results[0].Vulnerabilities[0].VulnerabilityID: error: expected a string, found integer"))
        #expect(
            error("g.json", #"{"descriptor":{},"matches":[{"vulnerability":{"id":"X"}}]}"#)
                .contains("$.matches[0]: error: a match needs vulnerability and artifact"))
        #expect(
            error("c.json", #"{"bomFormat":"CycloneDX","specVersion":"1.2"}"#).contains(
                "unsupported CycloneDX version '1.2'"))
        #expect(
            error("cut.json", #"{"SchemaVersion":2,"ArtifactName":".","Results":[{"Tar"#).contains("not valid JSON"))
        // Deep nesting stops at the configured depth, with the reason.
        let deep =
            #"{"SchemaVersion":2,"ArtifactName":".","Results":["# + String(repeating: "[", count: 5000)
            + String(repeating: "]", count: 5000) + "]}"
        #expect(
            error("deep.json", deep, limits: InputLimits(maxDepth: 64))
                .contains(
                    "deep.json: line 1, column 1074 (byte 1073): error: not valid JSON: The JSON document was too deep")
        )
        // Size: refused before it is read, naming the limit.
        #expect(
            error("big.json", String(repeating: " ", count: 2048) + "{}", limits: InputLimits(maxBytes: 1024))
                .contains("over the limit of 1024 bytes"))
    }

    /// Inputs the fuzzers found that once crashed (or hung): kept here, replayed on every test run.
    @Test func fuzzRegressionsStayFixed() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "FuzzRegressions")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for file in files.sorted() {
            let target = String(file.prefix { $0 != "-" })
            #expect(FuzzHarness.targets.contains(target), "\(file): name it TARGET-description")
            _ = FuzzHarness.run([UInt8](try Data(contentsOf: directory.appendingPathComponent(file))), target: target)
        }
    }
}
