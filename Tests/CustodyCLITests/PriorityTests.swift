import CustodyCLI
import CustodyCore
import CustodyService
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

struct PriorityTests {
    @Test func epssFeedAndThePriorityOrder() throws {
        let session = Session()
        let trivy = try session.write(
            "trivy.json",
            #"""
            {"SchemaVersion": 2, "ArtifactName": ".", "Results": [{"Target": "package-lock.json", "Vulnerabilities": [
              {"VulnerabilityID": "CVE-2021-44228", "PkgName": "log4j", "InstalledVersion": "2.14.1", "Severity": "CRITICAL",
               "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}}},
              {"VulnerabilityID": "CVE-2022-0001", "PkgName": "a", "InstalledVersion": "1", "Severity": "MEDIUM",
               "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N"}}},
              {"VulnerabilityID": "CVE-2022-0002", "PkgName": "b", "InstalledVersion": "1", "Severity": "HIGH",
               "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:L/A:N"}}},
              {"VulnerabilityID": "CVE-2022-0003", "PkgName": "c", "InstalledVersion": "1", "Severity": "LOW",
               "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q"}}}]}]}
            """#)
        let result = session.run("ingest", "--repo", "portal", trivy)
        #expect(result.status == 0)
        // The tool gave no score: the vector's base score is stored; a bad vector is a warning.
        #expect(
            result.err.contains("CVE-2022-0003: CVSS vector 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q' ignored")
        )
        #expect(result.err.contains("metric E has no value 'Q'"))

        // EPSS, gzip-compressed as FIRST publishes it.
        let csv = try session.write(
            "epss.csv",
            "#model_version:v2025.03.14,score_date:2026-11-23T12:55:00Z\ncve,epss,percentile\n"
                + "CVE-2021-44228,0.94358,0.99961\nCVE-2022-0001,0.61,0.97\nCVE-2022-0002,5e-05,0.01\n")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", csv]
        try gzip.run()
        gzip.waitUntilExit()
        var output = session.run("feeds", "import", "epss", csv + ".gz")
        #expect(output.out == "EPSS v2025.03.14 of 2026-11-23T12:55:00Z: 3 scores; 3 findings updated\n")
        let kev = try session.write(
            "kev.json",
            #"{"catalogVersion": "1", "vulnerabilities": [{"cveID": "CVE-2021-44228", "dateAdded": "2021-12-10", "dueDate": "2021-12-24"}]}"#
        )
        #expect(session.run("feeds", "import", "kev", kev).status == 0)
        let config = try session.write("custody.yaml", "assets:\n  - repository: portal\n    criticality: critical\n")

        output = session.run("priority", "--config", config, "--json")
        let rows = Array(try session.json(output.out).array!)
        // Two Track findings: the high one before the low one.
        #expect(rows.map { $0["id"]?.int } == [1, 2, 3, 4])
        #expect(rows[0]["ssvc"]?.string == "Act")
        #expect(rows[0]["ssvc_inputs"]?.string == "E:active/A:yes/T:total/M:high")
        #expect(rows[1]["ssvc"]?.string == "Attend")  // EPSS 61%: public exploit likely; automatable
        #expect(rows[1]["ssvc_inputs"]?.string == "E:poc/A:yes/T:partial/M:high")
        #expect(rows[2]["ssvc"]?.string == "Track")
        #expect(rows[3]["ssvc"]?.string == "Track")
        #expect(rows[2]["severity"]?.string == "high")
        let shown = try session.json(session.run("findings", "show", "1", "--json").out)
        #expect(shown["epss"]?.double == 0.94358)
        #expect(shown["ssvc"]?.string == "Act")
        #expect(shown["kev_added"]?.string == "2021-12-10")

        // A later ingest gets EPSS at once.
        let more = try session.write(
            "more.json",
            #"{"SchemaVersion": 2, "ArtifactName": ".", "Results": [{"Target": "x/package-lock.json", "Vulnerabilities": [{"VulnerabilityID": "CVE-2022-0001", "PkgName": "z", "InstalledVersion": "2", "Severity": "LOW"}]}]}"#
        )
        #expect(session.run("ingest", "--repo", "intranet", more).status == 0)
        #expect(try session.json(session.run("findings", "show", "5", "--json").out)["epss"]?.double == 0.61)

        let bad = try session.write("bad.csv", "cve,epss,percentile\nCVE-2022-0001,1.5,0.9\n")
        output = session.run("feeds", "import", "epss", bad)
        #expect(output.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(output.err.contains("bad.csv: line 2: error: epss '1.5' is not a probability from 0 to 1"))
    }
}
