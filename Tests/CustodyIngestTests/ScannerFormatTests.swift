import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// Every dependency-scan sample of the corpora: detected as its format, read in full; counts
/// cross-checked with an independent Python reading of the same files (noted per line).
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct DependencyCorpusTests {
    @Test(arguments: [
        ("trivy/alpine-310.json", ReportFormat.trivy, 4),
        ("trivy/defectdojo-cvssv4_severity_source.json", .trivy, 3),
        ("trivy/defectdojo-misconfigurations_and_secrets.json", .trivy, 5),
        ("trivy/dockerfile.json", .trivy, 1),
        ("trivy/gomod-vex.json", .trivy, 4),
        ("trivy/npm.json", .trivy, 1),
        ("trivy/secrets.json", .trivy, 2),
        ("grype/defectdojo-check_all_fields.json", .grype, 6),
        ("grype/defectdojo-many_vulns_with_epss_values.json", .grype, 15),
        ("grype/defectdojo-same_cve_different_paths.json", .grype, 2),
        ("grype/grype-TestJsonImgsPresenter.json", .grype, 2),
        ("osv-scanner/defectdojo-many_findings.json", .osv, 66),
        ("osv-scanner/defectdojo-some_findings.json", .osv, 1),
        ("cyclonedx/bom-examples-VEX-CISA-Case-1-vex-not_affected.json", .cyclonedx, 1),
        ("cyclonedx/bom-examples-VEX-vex.json", .cyclonedx, 1),
        ("cyclonedx/defectdojo-grype-log4j-1.4.json", .cyclonedx, 8),
        ("cyclonedx/defectdojo-valid-vulnerability-1.4.json", .cyclonedx, 1),
        ("cyclonedx/trivy-npm-cyclonedx-1.7.json", .cyclonedx, 1),
        ("cyclonedx/trivy-pom-cyclonedx-1.5.json", .cyclonedx, 2),
        ("cyclonedx/trivy-pom-cyclonedx-1.6.json", .cyclonedx, 2),
        ("cyclonedx/trivy-vex-testdata-cyclonedx.json", .cyclonedx, 2),
        ("spdx/trivy-conda-spdx.json", .spdx, 0),
        ("spdx/trivy-testdata-spdx-bom.json", .spdx, 0),
    ])
    func readsEverySample(file: String, format: ReportFormat, findings: Int) throws {
        let report = try ReadReport(path: Corpora.path("deps/" + file))
        #expect(report.summary.format == format)
        #expect(report.findings.count == findings)
    }

    @Test func spdxSaysItHasNoVulnerabilities() throws {
        let report = try ReadReport(path: Corpora.path("deps/spdx/trivy-conda-spdx.json"))
        #expect(
            report.summary.warnings.first?.message.contains("3 packages (2 package URLs) read, no findings") == true)
    }

    @Test func trivyVulnerabilityFields() throws {
        let finding = try #require(try ReadReport(path: Corpora.path("deps/trivy/npm.json")).findings.first)
        #expect(finding.tool == "Trivy")
        #expect(finding.ruleID == "CVE-2019-11358")
        #expect(finding.cves == ["CVE-2019-11358"])
        #expect(finding.package == "pkg:npm/jquery@3.3.9")
        #expect(finding.packageVersion == "3.3.9")
        #expect(finding.fixedVersion == "3.4.0")
        #expect(finding.severity == .medium)
        #expect(finding.path == "package-lock.json")
        #expect(finding.cvssVectors.contains("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"))
        #expect(finding.cwes == ["CWE-79"])
    }

    @Test func trivyMisconfigurationsAndSecrets() throws {
        let report = try ReadReport(path: Corpora.path("deps/trivy/defectdojo-misconfigurations_and_secrets.json"))
        let secret = try #require(report.findings.first { $0.ruleID == "github-pat" && $0.path == "Dockerfile" })
        #expect(secret.severity == .critical)
        #expect(secret.line == 24)
        #expect(secret.snippet == "ENV GITHUB_PAT=*****")
        #expect(report.findings.contains { $0.ruleID == "DS002" && $0.severity == .high })
    }

    @Test func grypeKeepsRelatedIDsAndBuildsPackageURLs() throws {
        let report = try ReadReport(path: Corpora.path("deps/grype/grype-TestJsonImgsPresenter.json"))
        let first = try #require(report.findings.first)
        #expect(first.ruleID == "CVE-1999-0001")
        #expect(first.package == "pkg:rpm/package-1@1.1.1")
        #expect(first.fixedVersion == "1.2.1")
        #expect(first.cvssVectors == ["CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:H"])
        #expect(first.asset == "user-input")
    }

    @Test func osvAliasesAndCycloneDXAnalysis() throws {
        let osv = try #require(
            try ReadReport(path: Corpora.path("deps/osv-scanner/defectdojo-some_findings.json")).findings.first)
        #expect(osv.vulnerabilityIDs == ["MAL-2023-1035", "GHSA-8348-2q94-ffjx"])
        #expect(osv.package == "pkg:npm/flot-axis@0.0.0")
        let vex = try ReadReport(path: Corpora.path("deps/cyclonedx/bom-examples-VEX-vex.json")).findings
        let suppression = try #require(vex.first?.suppressions.first)
        #expect(suppression.kind == "vex")
        #expect(suppression.status == "not_affected")
        #expect(suppression.justification?.hasPrefix("code_not_reachable; will_not_fix; Automated dataflow") == true)
    }
}

/// Formats without a corpus sample: real tool output (Bandit runs here) or the documented shapes.
struct CodeScannerFormatTests {
    let directory = TemporaryDirectory()

    func read(_ name: String, _ text: String) throws -> ReadReport {
        try ReadReport(path: try directory.write(name, text))
    }

    @Test func banditAsItRuns() throws {
        let bandit = Process()
        bandit.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let source = try directory.write(
            "src/app.py",
            "import subprocess\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n\npassword = \"hunter2\"\n")
        let output = directory.file("bandit.json")
        bandit.arguments = ["bandit", "-q", "-f", "json", "-o", output, source]
        bandit.standardError = FileHandle.nullDevice
        do { try bandit.run() } catch {
            Issue.record("bandit is not installed: run scripts/bootstrap")
            return
        }
        bandit.waitUntilExit()  // exit 1 when it found issues
        let report = try ReadReport(path: output)
        #expect(report.summary.format == .bandit)
        let shell = try #require(report.findings.first { $0.ruleID == "B602" })
        #expect(shell.severity == .high)
        #expect(shell.cwes == ["CWE-78"])
        #expect(shell.line == 4)
        #expect(shell.snippet == "    subprocess.call(cmd, shell=True)")
        #expect(shell.path?.hasSuffix("src/app.py") == true)
        #expect(report.findings.contains { $0.ruleID == "B105" && $0.cwes == ["CWE-259"] })
    }

    @Test func semgrepJSON() throws {
        let report = try read(
            "semgrep.json",
            #"""
            {"version": "1.50.0", "errors": [], "paths": {"scanned": ["app.py"]},
             "results": [{"check_id": "python.lang.security.audit.formatted-sql-query", "path": "app.py",
               "start": {"line": 12, "col": 5, "offset": 200}, "end": {"line": 12, "col": 40, "offset": 235},
               "extra": {"message": "SQL built by concatenation", "severity": "ERROR",
                 "metadata": {"cwe": ["CWE-89: Improper Neutralization of Special Elements used in an SQL Command"]},
                 "lines": "cursor.execute(\"SELECT * FROM t WHERE id=\" + id)", "fingerprint": "requires login"}}]}
            """#)
        #expect(report.summary.format == .semgrep)
        let finding = try #require(report.findings.first)
        #expect(finding.severity == .high)
        #expect(finding.cwes == ["CWE-89"])
        #expect(finding.line == 12)
        #expect(finding.toolFingerprints.isEmpty)
        #expect(finding.snippet == #"cursor.execute("SELECT * FROM t WHERE id=" + id)"#)
    }

    @Test func gitLabSASTAndDependencyScanning() throws {
        let report = try read(
            "gl-dependency-scanning-report.json",
            #"""
            {"version": "15.0.7", "scan": {"type": "dependency_scanning", "status": "success",
              "scanner": {"id": "gemnasium", "name": "Gemnasium", "version": "4.1.0"},
              "analyzer": {"id": "gemnasium", "name": "Gemnasium", "version": "4.1.0"}},
             "vulnerabilities": [{"id": "5f1e", "name": "Prototype Pollution in lodash", "severity": "High",
               "identifiers": [{"type": "gemnasium", "name": "Gemnasium-1", "value": "1"},
                               {"type": "cve", "name": "CVE-2020-8203", "value": "CVE-2020-8203"},
                               {"type": "cwe", "name": "CWE-1321", "value": "1321"}],
               "location": {"file": "yarn.lock", "dependency": {"package": {"name": "lodash"}, "version": "4.17.15"}}}]}
            """#)
        #expect(report.summary.format == .gitlab)
        let finding = try #require(report.findings.first)
        #expect(finding.tool == "Gemnasium")
        #expect(finding.ruleID == "CVE-2020-8203")
        #expect(finding.package == "lodash")
        #expect(finding.packageVersion == "4.17.15")
        #expect(finding.cwes == ["CWE-1321"])
        #expect(finding.path == "yarn.lock")
    }

    @Test func cycloneDXBOMLinksAndNestedComponents() throws {
        let report = try read(
            "vex.cdx.json",
            #"""
            {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
             "metadata": {"component": {"bom-ref": "app", "name": "portal", "version": "2.0"},
                          "tools": {"components": [{"name": "Dependency-Track"}]}},
             "components": [{"bom-ref": "parent", "name": "spring-boot", "purl": "pkg:maven/org.springframework.boot/spring-boot@2.6.0",
                             "components": [{"bom-ref": "comp-1", "name": "log4j-core", "version": "2.14.1",
                                             "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}]}],
             "vulnerabilities": [{"id": "CVE-2021-44228", "cwes": [502, 917],
               "ratings": [{"method": "CVSSv31", "vector": "AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "score": 10.0, "severity": "critical"}],
               "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#comp-1"}, {"ref": "parent"}],
               "analysis": {"state": "exploitable", "response": ["update"]}}]}
            """#)
        #expect(report.summary.format == .cyclonedx)
        #expect(report.runs.first?.tool == "Dependency-Track")
        #expect(report.findings.count == 2)
        #expect(report.findings[0].package == "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
        #expect(report.findings[0].packageVersion == "2.14.1")
        #expect(report.findings[0].cvssVectors == ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"])
        #expect(report.findings[0].cwes == ["CWE-502", "CWE-917"])
        #expect(report.findings[0].suppressions.isEmpty)  // exploitable: not suppressed
        #expect(report.findings[1].packageVersion == "2.6.0")  // from the purl
        #expect(report.findings[0].asset == "portal")
    }

    @Test func genericJSONAndCSV() throws {
        let json = try read(
            "pentest.json",
            #"""
            {"format": "custody-findings/1", "tool": "Pentest 2026-Q3",
             "findings": [{"id": "PT-14", "title": "IDOR on /api/payments/{id}", "severity": "high",
                           "path": "services/payments/api.py", "line": 88, "cwe": ["CWE-639"]},
                          {"id": "AI-3", "title": "Outdated TLS", "severity": "medium", "asset": "pay.example.gov",
                           "cve": "CVE-2014-3566"}]}
            """#)
        #expect(json.summary.format == .generic)
        #expect(json.findings.map(\.ruleID) == ["PT-14", "AI-3"])
        #expect(json.findings[0].cwes == ["CWE-639"])
        #expect(json.findings[1].cves == ["CVE-2014-3566"])
        let csv = try read(
            "bounty.csv",
            "id,title,severity,description,path,line,cwe,tool\n"
                + "BB-1,\"XSS in search, reflected\",high,\"Payload \"\"<script>\"\"\",web/search.js,12,CWE-79,Bug bounty\n"
                + "BB-2,Open redirect,low,,web/login.js,,CWE-601;CWE-20,Bug bounty\n")
        #expect(csv.summary.format == .generic)
        #expect(csv.findings.count == 2)
        #expect(csv.findings[0].message == #"XSS in search, reflected: Payload "<script>""#)
        #expect(csv.findings[1].cwes == ["CWE-601", "CWE-20"])
        #expect(csv.findings[0].tool == "Bug bounty")
        // Bad rows name the line.
        #expect(throws: Diagnostic.self) { try read("bad.csv", "id,title,severity\nX-1,Thing,urgent\n") }
        do {
            _ = try read("bad2.csv", "id,title,severity\nX-1,Thing,high\nX-2,Other\n")
            Issue.record("accepted a short row")
        } catch let error as Diagnostic {
            #expect(error.description.contains("line 3: error: 2 fields where the header has 3"))
        }
    }
}
