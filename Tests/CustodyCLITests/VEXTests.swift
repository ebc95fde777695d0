import CustodyCLI
import CustodyCore
import CustodyIngest
import CustodyService
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

struct VEXTests {
    /// Trivy finds log4shell in spring-boot 2.6.0 and a Go CVE in go-transitive v4.0.0.
    func session() throws -> Session {
        let session = Session()
        let trivy = try session.write(
            "trivy.json",
            #"""
            {"SchemaVersion": 2, "ArtifactName": ".", "Results": [
              {"Target": "pom.xml", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2021-44228", "PkgName": "org.springframework.boot:spring-boot",
                 "InstalledVersion": "2.6.0", "Severity": "CRITICAL",
                 "PkgIdentifier": {"PURL": "pkg:maven/org.springframework.boot/spring-boot@2.6.0"}}]},
              {"Target": "go.mod", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2024-0001", "PkgName": "github.com/aquasecurity/go-transitive",
                 "InstalledVersion": "v4.0.0", "Severity": "HIGH",
                 "PkgIdentifier": {"PURL": "pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0"}}]}]}
            """#)
        #expect(session.run("ingest", "--repo", "portal", trivy).out.hasPrefix("2 findings: 2 new"))
        return session
    }

    func openVEX(_ statements: String, timestamp: String = "2023-01-16T19:07:16.853479631-06:00") -> String {
        #"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://vex.example/doc-1", "author": "Aqua Security", "timestamp": "\#(timestamp)", "version": 1, "statements": [\#(statements)]}"#
    }

    let log4shell =
        #""vulnerability": {"name": "CVE-2021-44228"}, "products": [{"@id": "pkg:maven/org.springframework.boot/spring-boot@2.6.0"}]"#

    func status(_ session: Session, _ id: Int) throws -> String? {
        try session.json(session.run("findings", "show", String(id), "--json").out)["status"]?.string
    }

    @Test func laterStatementsWinEachApplicationIsAnEvent() throws {
        let session = try session()
        // The document's two statements: "affected" at 01:02 on the 15th, then (the document's time)
        // "not affected". Applied oldest first: the finding ends a false positive.
        let document = try session.write(
            "doc.openvex.json",
            openVEX(
                #"{"timestamp": "2023-01-15T01:02:03.853479631-06:00", \#(log4shell), "status": "affected"}, {\#(log4shell), "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path", "impact_statement": "the lookup is disabled"}"#
            ))
        var result = session.run("ingest", document)
        #expect(result.status == 0, "\(result.err)")
        #expect(
            result.out
                == "2 VEX statements: 2 applied to findings, 1 changed status, 0 superseded by later statements\n")
        let row = try session.json(session.run("findings", "show", "1", "--json").out)
        #expect(row["status"]?.string == "false_positive")
        let events = try SQLStore(path: session.database).events(findingID: 1).filter {
            $0.kind.rawValue == "vex.applied"
        }
        #expect(events.count == 2)
        #expect(events[0].payload.contains(#""statement_at":"2023-01-15T07:02:03Z""#))  // normalised to UTC
        #expect(events[1].payload.contains(#""from":"open","to":"false_positive""#))
        #expect(try status(session, 2) == "open")  // another vulnerability, another package
        #expect(
            session.run("trace", "1").out.contains(
                "VEX not_affected from https://vex.example/doc-1: open -> false_positive"))

        // An older statement does not override a newer one already applied...
        let older = try session.write(
            "older.json", openVEX("{\(log4shell), \"status\": \"affected\"}", timestamp: "2022-12-01T00:00:00Z"))
        result = session.run("ingest", older)
        #expect(result.out.hasSuffix("0 applied to findings, 0 changed status, 1 superseded by later statements\n"))
        #expect(try status(session, 1) == "false_positive")
        // ...a newer one does: the false positive is open work again.
        let newer = try session.write(
            "newer.json", openVEX("{\(log4shell), \"status\": \"affected\"}", timestamp: "2024-02-01T00:00:00Z"))
        #expect(session.run("ingest", newer).out.contains("1 changed status"))
        #expect(try status(session, 1) == "reopened")
        // A statement naming another version of the package does not apply.
        let otherVersion = try session.write(
            "other.json",
            openVEX(
                #"{"vulnerability": {"name": "CVE-2021-44228"}, "products": [{"@id": "pkg:maven/org.springframework.boot/spring-boot@2.7.0"}], "status": "not_affected", "justification": "component_not_present"}"#,
                timestamp: "2024-03-01T00:00:00Z"))
        #expect(session.run("ingest", otherVersion).out.contains("0 applied"))
        #expect(try SQLStore(path: session.database).verifyLedger().broken == nil)
    }

    @Test func csafVEXAndRefusals() throws {
        let session = try session()
        let csaf = try session.write(
            "csaf.json",
            #"""
            {"document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "t",
               "publisher": {"category": "vendor", "name": "Example", "namespace": "https://psirt.example.com"},
               "tracking": {"id": "2022-EVD-UC-01-A-001", "current_release_date": "2022-03-03T11:00:00.000Z",
                            "initial_release_date": "2022-03-03T11:00:00.000Z", "status": "final", "version": "1",
                            "revision_history": []}},
             "product_tree": {"branches": [{"category": "vendor", "name": "foo", "branches": [{"category": "product_name",
               "name": "go-transitive", "branches": [{"category": "product_version", "name": "v4.0.0",
               "product": {"name": "go-transitive v4.0.0", "product_id": "gt-4",
                 "product_identification_helper": {"purl": "pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0"}}}]}]}]},
             "vulnerabilities": [{"cve": "CVE-2024-0001", "product_status": {"known_not_affected": ["gt-4"]},
               "threats": [{"category": "impact", "details": "vulnerable_code_not_in_execute_path"}]}]}
            """#)
        var result = session.run("ingest", csaf)
        #expect(
            result.out
                == "1 VEX statements: 1 applied to findings, 1 changed status, 0 superseded by later statements\n")
        #expect(try status(session, 2) == "false_positive")
        // VEX and scans in one call: refused, nothing written.
        result = session.run("ingest", csaf, session.directory.file("trivy.json"))
        #expect(result.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(result.err.contains("ingest VEX documents in a call of their own"))
        let bad = try session.write("bad.json", openVEX(#"{\#(log4shell), "status": "maybe"}"#))
        result = session.run("ingest", bad)
        #expect(result.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(result.err.contains("$.statements[0].status: error: unknown status 'maybe'"))
    }

    @Test(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
    func corpusDocumentsRead() throws {
        func statements(_ file: String) throws -> [VEXStatement] {
            let source = try ReportSource(file: Corpora.path("deps/" + file))
            #expect(VEXReader.detect(source))
            return try VEXReader.read(source)
        }
        #expect(try statements("openvex/trivy-testdata-openvex.json").count == 1)
        let multiple = try statements("openvex/trivy-testdata-openvex-multiple.json")
        #expect(multiple.map(\.status) == [.affected, .notAffected])
        #expect(multiple[0].timestamp == "2023-01-15T07:02:03Z")
        let project = try statements("openvex/trivy-project.openvex.json")
        #expect(project.count == 21)
        #expect(project[0].vulnerabilityIDs == ["GO-2024-2575", "CVE-2024-26147", "GHSA-r53h-jv2g-vpx6"])
        #expect(project[0].products == ["pkg:golang/helm.sh/helm/v3"])  // the subcomponent
        #expect(try statements("openvex/defectdojo-openvex_many_vuln.json").count >= 2)
        let csaf = try statements("csaf/trivy-testdata-csaf-vex.json")
        #expect(csaf.count == 1)
        #expect(csaf[0].products == ["pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0"])
        #expect(csaf[0].justification == "vulnerable_code_not_in_execute_path")
    }
}
