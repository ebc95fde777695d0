import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// One test per SARIF file of ../shared/corpora/sarif. Expected figures were read off the files
/// (and cross-checked with an independent Python reading of the same semantics).
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct SARIFCorpusTests {
    @Test func everyCorpusFileIsCovered() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Corpora.path("sarif"))
            .filter { $0.hasSuffix(".sarif") }
        #expect(files.count == 18)
        for file in files { #expect(throws: Never.self) { try ReadReport.corpus(file) } }
    }

    @Test func eslintSimpleExample() throws {
        let report = try ReadReport.corpus("sarif-tutorials/simple-example.sarif")
        #expect(report.runs.map(\.tool) == ["ESLint"])
        let finding = try #require(report.findings.first)
        #expect(report.findings.count == 1)
        #expect(finding.ruleID == "no-unused-vars")
        #expect(finding.level == "error")
        #expect(finding.severity == .high)
        // file:///C:/dev/... : scheme and drive letter dropped.
        #expect(finding.path == "dev/sarif/sarif-tutorials/samples/Introduction/simple-example.js")
        #expect(finding.line == 1)
        #expect(finding.message == "'x' is assigned a value but never used.")
    }

    @Test func suppressionsAreKeptWithTheirStatus() throws {
        let report = try ReadReport.corpus("sarif-tutorials/Suppressions.sarif")
        #expect(report.findings.count == 9)
        let suppressed = report.findings.filter { !$0.suppressions.isEmpty }
        #expect(suppressed.count == 8)
        let kinds = Set(suppressed.flatMap { $0.suppressions.map(\.kind) })
        #expect(kinds == ["inSource", "external"])
        let statuses = Set(suppressed.flatMap { $0.suppressions.compactMap(\.status) })
        #expect(statuses == ["accepted", "underReview", "rejected"])
    }

    @Test func baselineStates() throws {
        let report = try ReadReport.corpus("sarif-tutorials/Baseline.sarif")
        #expect(report.findings.map(\.baselineState) == ["absent", "unchanged", "updated", "new"])
        #expect(report.findings.allSatisfy { $0.path == nil })
    }

    @Test func originalUriBaseIdChains() throws {
        let report = try ReadReport.corpus("sarif-tutorials/OriginalUriBaseIds.sarif")
        #expect(report.findings.count == 3)
        // REPOROOT has no URI: paths under it are repository-relative; SRCROOT is "src/" under REPOROOT.
        #expect(report.findings[0].path == "README.md")
        #expect(report.findings[1].path == "src/io/kb.c")
        #expect(report.findings[2].path == nil)  // "." under REPOROOT: the root itself
    }

    @Test func ruleMetadata() throws {
        let report = try ReadReport.corpus("sarif-tutorials/RuleMetadata.sarif")
        let finding = try #require(report.findings.first)
        #expect(finding.ruleID == "TUT1001")
        #expect(finding.severity == .high)
        #expect(finding.path == "test.json")
        #expect(finding.line == 15)
    }

    @Test func emptyRuns() throws {
        let report = try ReadReport.corpus("sarif-tutorials/Empty-runs.sarif")
        #expect(report.runs.isEmpty)
        #expect(report.findings.isEmpty)
    }

    @Test func trivyImageScan() throws {
        let report = try ReadReport.corpus("trivy/alpine-310.sarif")
        #expect(report.runs.map(\.tool) == ["Trivy"])
        #expect(report.findings.count == 4)
        let first = report.findings[0]
        #expect(first.ruleID == "CVE-2019-1549")
        #expect(first.cves == ["CVE-2019-1549"])
        #expect(first.score == 5.3)  // security-severity written as the string "5.3"
        #expect(first.severity == .medium)
        #expect(first.path == "testdata/fixtures/images/alpine-310.tar.gz")
    }

    @Test func codeqlFingerprintsAndArtifactIndex() throws {
        let report = try ReadReport.corpus("codeql-action/fingerprinting.expected.sarif")
        #expect(report.findings.count == 2)
        #expect(report.findings.allSatisfy { $0.toolFingerprints["primaryLocationLineHash"] != nil })
        // The second result names its artifact by index only.
        #expect(report.findings.map(\.path) == ["testFile1.js", "testFile2.js"])
        #expect(report.findings[1].toolFingerprints["primaryLocationLineHash"] == "f7592a95a9381ac0:1")
        // The log gives ruleIndex 0 with an empty rules array: a warning, and ruleId is used.
        #expect(report.summary.warnings.count == 2)
        #expect(report.summary.warnings[0].place == "$.runs[0].results[0].ruleIndex")
    }

    @Test func fiveRunsWithOddToolNames() throws {
        let report = try ReadReport.corpus("codeql-action/tool-names-five-runs.sarif")
        #expect(
            report.runs.map(\.tool) == [
                "CodeQL command-line toolchain", "CodeQL command-line toolchain", "ESLint", "unknown", "unknown",
            ])
        #expect(report.findings.isEmpty)
    }

    @Test func codeqlOutput() throws {
        let report = try ReadReport.corpus("defectdojo/codeql-output.sarif")
        #expect(report.runs.first?.version == "2.5.4")
        #expect(report.summary.runs.first?.ruleCount == 149)
        #expect(report.findings.count == 72)
        #expect((report.count(.high), report.count(.medium), report.count(.low)) == (11, 4, 57))
        #expect(report.findings.allSatisfy { $0.toolFingerprints.count == 2 })
        let first = report.findings[0]
        #expect(first.ruleID == "py/empty-except")
        #expect(first.level == "note")  // no level on the result: the rule's default
        #expect(first.cwes == ["CWE-390"])
        #expect(first.path == "good/db_init.py")
        #expect(first.line == 39)
    }

    @Test func dockleResultsWithoutLocations() throws {
        let report = try ReadReport.corpus("defectdojo/dockle_0_3_15-no-locations.sarif")
        #expect(report.findings.count == 4)
        #expect(report.findings.allSatisfy { $0.path == nil && $0.line == nil })
        #expect(report.findings[0].ruleID == "CIS-DI-0010")
        #expect(report.findings[0].severity == .high)
    }

    @Test func flawfinderSkipsPassResults() throws {
        let report = try ReadReport.corpus("defectdojo/flawfinder.sarif")
        #expect(report.findings.count == 53)
        #expect(report.summary.skipped == 1)
        // The one result without a location is the `pass` one, which is not a finding.
        #expect(report.findings.allSatisfy { $0.path != nil })
        #expect(report.findings[0].toolFingerprints.keys.sorted() == ["contextHash/v1"])
        #expect(report.findings[0].path == "src/tree/param.cc")
    }

    @Test func gitleaksResultsWithoutRuleIDs() throws {
        let report = try ReadReport.corpus("defectdojo/gitleaks_7.5.0.sarif")
        #expect(report.findings.count == 8)
        #expect(report.findings[0].ruleID == "AWS Access Key secret detected")
        #expect(report.runs.first?.version == "v7.4.0")
    }

    @Test func grypeNumericSecuritySeverity() throws {
        let report = try ReadReport.corpus("defectdojo/grype-cxf-3.4.6.sarif")
        #expect(report.findings.count == 22)
        #expect(
            (report.count(.critical), report.count(.high), report.count(.medium), report.count(.low)) == (1, 11, 4, 6))
        #expect(report.findings[0].cves == ["CVE-2008-0732"])
        #expect(report.findings[0].score == 2.1)
    }

    @Test func lgtmTwoRuns() throws {
        let report = try ReadReport.corpus("defectdojo/lgtm-export-two-runs.sarif")
        #expect(report.runs.count == 2)
        #expect(report.summary.runs.map(\.resultCount) == [58, 452])
        #expect(report.findings.count == 510)
        #expect(report.findings.allSatisfy { !$0.toolFingerprints.isEmpty })
    }

    @Test func semgrepSeverityWords() throws {
        let report = try ReadReport.corpus("defectdojo/semgrep-oss-issue_10191.sarif")
        #expect(report.findings.count == 77)
        // "CRITICAL", "HIGH", "MEDIUM" as words in security-severity.
        #expect((report.count(.critical), report.count(.high), report.count(.medium)) == (34, 1, 42))
        #expect(report.findings.allSatisfy { $0.score == nil })
        #expect(report.findings[0].toolFingerprints.keys.sorted() == ["matchBasedId/v1"])
        #expect(report.findings[0].cwes == ["CWE-22"])
    }

    @Test func specAppendixK() throws {
        let report = try ReadReport.corpus("defectdojo/spec-appendix_k.sarif")
        let finding = try #require(report.findings.first)
        #expect(finding.ruleID == "C2001")
        #expect(finding.path == "src/collections/list.h")  // artifact index 3, SRCROOT " src/" under PROJECTROOT
        #expect(finding.line == 15)
        #expect(finding.baselineState == "existing")  // pre-final draft name, kept as written
        // The draft writes the suppression's status as "state".
        #expect(finding.suppressions.map(\.kind) == ["external"])
        #expect(finding.suppressions.map(\.status) == ["accepted"])
        #expect(finding.message == "Variable \"ptr\" was used without being initialized. It was declared [here](0).")
    }

    @Test func twoEmptyRuns() throws {
        let report = try ReadReport.corpus("defectdojo/spec-appendix_k1_double-two-runs.sarif")
        #expect(report.runs.map(\.tool) == ["CodeScanner", "OtherScanner"])
        #expect(report.findings.isEmpty)
    }
}
