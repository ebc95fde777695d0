import CustodyCLI
import CustodyCore
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

/// One defect, many tools: dependency findings merge across scanners; code findings on the same
/// line and CWE are linked, not merged.
struct CrossToolTests {
    @Test func oneVulnerabilityInOnePackageIsOneFindingWithEverySource() throws {
        let session = Session()
        let trivy = try session.write(
            "trivy.json",
            #"""
            {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [
              {"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", "InstalledVersion": "4.17.20",
                 "FixedVersion": "4.17.21", "PkgIdentifier": {"PURL": "pkg:npm/lodash@4.17.20"},
                 "Severity": "HIGH", "Title": "Command injection in lodash"}]},
              {"Target": "web/package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", "InstalledVersion": "4.17.20",
                 "PkgIdentifier": {"PURL": "pkg:npm/lodash@4.17.20"}, "Severity": "HIGH"}]}]}
            """#)
        let grype = try session.write(
            "grype.json",
            #"""
            {"descriptor": {"name": "grype", "version": "0.74.0"}, "source": {"type": "directory", "target": "."},
             "matches": [{"vulnerability": {"id": "GHSA-35jh-r3h4-6jhm", "severity": "High", "fix": {"versions": ["4.17.21"]}},
               "relatedVulnerabilities": [{"id": "CVE-2021-23337"}],
               "artifact": {"name": "lodash", "version": "4.17.20", "type": "npm", "purl": "pkg:npm/lodash@4.17.20",
                            "locations": [{"path": "/package-lock.json"}]}}]}
            """#)
        let osv = try session.write(
            "osv.json",
            #"""
            {"results": [{"source": {"path": "/src/package-lock.json", "type": "lockfile"},
              "packages": [{"package": {"name": "lodash", "version": "4.17.20", "ecosystem": "npm"},
                "vulnerabilities": [{"id": "GHSA-35jh-r3h4-6jhm", "aliases": ["CVE-2021-23337"],
                                     "summary": "Command Injection in lodash"}],
                "groups": [{"ids": ["GHSA-35jh-r3h4-6jhm"], "max_severity": "7.2"}]}]}]}
            """#)
        var result = session.run("ingest", "--repo", "portal", trivy)
        #expect(result.out == "1 findings: 1 new, 0 seen, 0 fixed, 0 reopened, 1 unowned\n")
        result = session.run("ingest", "--repo", "portal", grype, osv)
        #expect(result.out == "2 findings: 0 new, 2 seen, 0 fixed, 0 reopened, 2 unowned\n")
        let row = try session.json(session.run("findings", "show", "1", "--json").out)
        #expect(Array(row["sources"]!.array!).compactMap(\.string) == ["Grype", "OSV-Scanner", "Trivy"])
        #expect(row["package"]?.string == "pkg:npm/lodash@4.17.20")
        #expect(row["fixed_version"]?.string == "4.17.21")
        let shown = session.run("findings", "show", "1").out
        #expect(shown.contains("reported by: Grype, OSV-Scanner, Trivy"))
        #expect(shown.contains("identity:   CVE-2021-23337 in pkg:npm/lodash of portal"))
        // Another repository is another asset: its own finding.
        #expect(session.run("ingest", "--repo", "intranet", grype).out.hasPrefix("1 findings: 1 new"))
    }

    @Test func codeFindingsOnOneLineAndCWEAreRelatedNotMerged() throws {
        let session = Session()
        let semgrep = try session.write(
            "semgrep.json",
            #"""
            {"version": "1.50.0", "errors": [], "results": [{"check_id": "python.lang.security.audit.subprocess-shell-true",
              "path": "app.py", "start": {"line": 4, "col": 5}, "end": {"line": 4, "col": 40},
              "extra": {"message": "shell=True", "severity": "ERROR", "metadata": {"cwe": ["CWE-78: OS Command Injection"]},
                        "lines": "    subprocess.call(cmd, shell=True)"}}]}
            """#)
        let bandit = try session.write(
            "bandit.json",
            #"""
            {"errors": [], "generated_at": "2026-11-24T08:00:00Z", "metrics": {}, "results": [
              {"code": "4     subprocess.call(cmd, shell=True)\n", "col_offset": 4, "filename": "app.py",
               "issue_confidence": "HIGH", "issue_cwe": {"id": 78, "link": ""}, "issue_severity": "HIGH",
               "issue_text": "subprocess call with shell=True identified", "line_number": 4, "test_id": "B602",
               "test_name": "subprocess_popen_with_shell_equals_true"}]}
            """#)
        #expect(session.run("ingest", "--repo", "r", semgrep, bandit).out.hasPrefix("2 findings: 2 new"))
        let related = Array(try session.json(session.run("findings", "show", "1", "--json").out)["related"]!.array!)
        #expect(related.map { $0["id"]?.int } == [2])
        #expect(related.first?["tool"]?.string == "Bandit")
        #expect(session.run("findings", "show", "2").out.contains("related:    finding 1: Semgrep"))
    }
}
