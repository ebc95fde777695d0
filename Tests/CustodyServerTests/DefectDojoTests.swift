import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// DefectDojo's API v2 served by Custody, driven by DefectDojo's own clients from PyPI
/// (`dd-import` and `defectdojo-api-generated`, installed by scripts/bootstrap) and by hand.
@Suite struct DefectDojoTests {
    static let peers = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Peers").standardized.path

    /// A SARIF report of Scanner with one result per (rule, level) at `src/<rule>.py`.
    func sarif(_ results: [(rule: String, level: String)]) -> String {
        let items = results.map { result in
            #"{"ruleId":"\#(result.rule)","level":"\#(result.level)","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/\#(result.rule).py"},"region":{"startLine":2,"snippet":{"text":"\#(result.rule)"}}}}]}"#
        }
        return
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner"}},"results":[\#(items.joined(separator: ","))]}]}"#
    }

    /// dd-import's `dd-reimport-findings`, run as a pipeline runs it: only its environment.
    func reimport(_ served: Served, token: String, file: String, commit: String) throws -> (status: Int32, text: String)
    {
        try output(
            of: "/usr/bin/env",
            ["python3", "-c", "from dd_import.dd_reimport_findings import dd_reimport_findings as run; run()"],
            environment: [
                "DD_URL": "http://127.0.0.1:\(served.server.port)", "DD_API_KEY": token,
                "DD_PRODUCT_TYPE_NAME": "Revenue Agency", "DD_PRODUCT_NAME": "billing", "DD_ENGAGEMENT_NAME": "ci",
                "DD_TEST_NAME": "semgrep-sarif", "DD_TEST_TYPE_NAME": "SARIF", "DD_FILE_NAME": file,
                "DD_COMMIT_HASH": commit, "DD_BRANCH_TAG": "main",
            ])
    }

    @Test func ddImportReimportsTwiceAndTheSecondRunFixesWhatItNoLongerReports() throws {
        let served = try Served()
        let token = try served.token("pipeline", .security)
        let first = try served.directory.write("first.sarif", sarif([("A", "error"), ("B", "warning")]))
        let second = try served.directory.write("second.sarif", sarif([("A", "error")]))
        let run = try reimport(served, token: token, file: first, commit: String(repeating: "a", count: 40))
        #expect(run.status == 0 && run.text.contains("Scan results imported"), "\(run.text)")
        #expect(run.text.contains("New product type") && run.text.contains("New test"), "\(run.text)")
        let open = try served.call("/api/v1/findings?repository=billing&status=open", token: token)
        #expect(open.body.contains("src/A.py") && open.body.contains("src/B.py"), "\(open.body)")
        // The second run finds every context it made and reimports: B is fixed, A still open.
        let again = try reimport(served, token: token, file: second, commit: String(repeating: "b", count: 40))
        #expect(again.status == 0 && again.text.contains("Test found"), "\(again.text)")
        let fixed = try served.call("/api/v1/findings?repository=billing&status=fixed", token: token)
        #expect(fixed.body.contains("src/B.py") && !fixed.body.contains("src/A.py"), "\(fixed.body)")
        // dd-import's last step set the engagement's commit and branch.
        let engagements = try served.call("/api/v2/engagements/?name=ci", token: token)
        let results = try #require(engagements.json?["results"] as? [[String: Any]], "\(engagements.body)")
        #expect(results.count == 1, "\(engagements.body)")
        #expect(results.first?["commit_hash"] as? String == String(repeating: "b", count: 40), "\(engagements.body)")
        #expect(results.first?["branch_tag"] as? String == "main", "\(engagements.body)")
    }

    @Test func defectDojosGeneratedClientImportsThenReimportsIntoTheTestItMade() throws {
        let served = try Served()
        let token = try served.token("pipeline", .security)
        let first = try served.directory.write("first.sarif", sarif([("A", "error"), ("B", "warning"), ("C", "note")]))
        let second = try served.directory.write("second.sarif", sarif([("A", "error"), ("D", "error")]))
        let run = try output(
            of: "/usr/bin/env",
            [
                "python3", Self.peers + "/defectdojo_client.py", "http://127.0.0.1:\(served.server.port)", token, first,
                second,
            ])
        #expect(run.status == 0, "the client failed: \(run.text)")
        let answer = try #require(JSONValueBox(run.text), "not JSON: \(run.text)")
        let imported = try #require(answer["import"] as? [String: Any], "\(run.text)")
        #expect(imported["engagement"] as? Int == answer["engagement"] as? Int, "\(run.text)")
        #expect(imported["product"] as? Int == answer["product"] as? Int, "\(run.text)")
        // The import kept findings of Medium and above: SARIF's note is low, and C is left out.
        #expect((imported["delta"] as? [String: Int])?["created"] == 2, "\(run.text)")
        let reimported = try #require(answer["reimport"] as? [String: Any], "\(run.text)")
        #expect(reimported["test"] as? Int == imported["test"] as? Int, "\(run.text)")
        #expect(
            reimported["delta"] as? [String: Int] == ["created": 1, "closed": 1, "reactivated": 0, "untouched": 1],
            "\(run.text)")
        #expect(answer["test_types"] as? [String] == ["SARIF"], "\(run.text)")
        #expect(answer["products"] as? [String] == ["billing"], "\(run.text)")
    }

    @Test func aFullScanBelowAMinimumSeverityFixesNothingBelowIt() throws {
        let served = try Served()
        let token = try served.token("pipeline", .security)
        func importScan(_ report: String, minimum: String?) throws -> Served.Answer {
            var form = FormBody()
            for (name, value) in [
                ("scan_type", "SARIF"), ("product_name", "billing"), ("product_type_name", "Revenue Agency"),
                ("engagement_name", "nightly"), ("auto_create_context", "True"), ("close_old_findings", "True"),
            ] {
                form.field(name, value)
            }
            if let minimum { form.field("minimum_severity", minimum) }
            form.file("file", fileName: "scan.sarif", Data(report.utf8))
            return try served.call(
                "/api/v2/import-scan/", method: "POST", token: token, body: form.closed, headers: form.contentType)
        }
        let all = try importScan(sarif([("A", "error"), ("B", "warning")]), minimum: nil)
        #expect(all.status == 201, "\(all.body)")
        // High and above only: B (medium) is neither reported nor proved fixed; A's absence is.
        let high = try importScan(sarif([("C", "error")]), minimum: "High")
        #expect(high.status == 201, "\(high.body)")
        let delta = (high.json?["statistics"] as? [String: Any])?["delta"] as? [String: Any]
        #expect(((delta?["closed"] as? [String: Any])?["total"] as? [String: Int])?["total"] == 1, "\(high.body)")
        let open = try served.call("/api/v1/findings?repository=billing&status=open", token: token)
        #expect(open.body.contains("src/B.py") && open.body.contains("src/C.py"), "\(open.body)")
        #expect(!open.body.contains("src/A.py"), "\(open.body)")
        let bad = try importScan(sarif([("C", "error")]), minimum: "Severe")
        #expect(bad.status == 400 && bad.json?["place"] as? String == "minimum_severity", "\(bad.body)")
    }

    /// A web scan and a network scan through DefectDojo's import, by DefectDojo's scan type
    /// names: each is read by its reader (the two OpenVAS types take XML or CSV as the report
    /// says), and the findings are on their hosts.
    @Test(
        .enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)),
        arguments: [
            ("ZAP Scan", "dast/zap-xml/defectdojo-some_2.9.0.xml", 14),
            ("OpenVAS Parser", "hosts/openvas-csv/defectdojo-many_vuln.csv", 4),
            ("OpenVAS Parser v2", "hosts/openvas-xml/defectdojo-many_vuln.xml", 44),
            ("Nuclei Scan", "dast/nuclei/defectdojo-multiple_v3.json", 5),
        ])
    func hostAndWebScansImportByTheirScanTypes(_ scanType: String, _ file: String, _ findings: Int) throws {
        let served = try Served()
        let token = try served.token("pipeline", .security)
        var form = FormBody()
        for (name, value) in [
            ("scan_type", scanType), ("product_name", "perimeter"), ("product_type_name", "Security Operations"),
            ("engagement_name", "weekly"), ("auto_create_context", "True"), ("minimum_severity", "Info"),
        ] {
            form.field(name, value)
        }
        let path = Corpora.path(file)
        form.file(
            "file", fileName: (path as NSString).lastPathComponent, try Data(contentsOf: URL(fileURLWithPath: path)))
        let answer = try served.call(
            "/api/v2/import-scan/", method: "POST", token: token, body: form.closed, headers: form.contentType)
        #expect(answer.status == 201, "\(answer.body)")
        #expect(answer.json?["scan_type"] as? String == scanType, "\(answer.body)")
        let listed = try served.call("/api/v1/findings?repository=perimeter&limit=1000", token: token)
        let rows = try #require(listed.json?["findings"] as? [[String: Any]], "\(listed.body)")
        #expect(rows.count == findings, "\(listed.body.prefix(400))")
        #expect(rows.allSatisfy { ($0["asset"] as? String)?.isEmpty == false }, "every finding is on its host")
    }

    @Test func badRequestsNameTheFieldAndRolesHold() throws {
        let served = try Served()
        let token = try served.token("pipeline", .security)
        func post(_ fields: [(String, String)], file: Bool = true, as bearer: String? = nil) throws -> Served.Answer {
            var form = FormBody()
            for (name, value) in fields { form.field(name, value) }
            if file { form.file("file", fileName: "scan.sarif", Data(sarif([("A", "error")]).utf8)) }
            return try served.call(
                "/api/v2/reimport-scan/", method: "POST", token: bearer ?? token, body: form.closed,
                headers: form.contentType)
        }
        let unknownType = try post([("scan_type", "Nessus Scan"), ("test", "1")])
        #expect(
            unknownType.status == 400 && unknownType.json?["place"] as? String == "scan_type", "\(unknownType.body)")
        #expect(unknownType.body.contains("Trivy Scan"), "the known types are listed: \(unknownType.body)")
        let noFile = try post([("scan_type", "SARIF"), ("test", "1")], file: false)
        #expect(noFile.status == 400 && noFile.json?["place"] as? String == "file", "\(noFile.body)")
        let noTarget = try post([("scan_type", "SARIF")])
        #expect(noTarget.status == 400, "\(noTarget.body)")
        let unknownProduct = try post([("scan_type", "SARIF"), ("product_name", "nowhere"), ("engagement_name", "e")])
        #expect(unknownProduct.status == 404 && unknownProduct.json?["place"] as? String == "product_name")
        let missingTest = try post([("scan_type", "SARIF"), ("test", "999")])
        #expect(missingTest.status == 404, "\(missingTest.body)")
        // A product is a repository: one name, one product, whatever its product type.
        let one = try served.call(
            "/api/v2/product_types/", method: "POST", token: token, body: Data(#"{"name":"One"}"#.utf8))
        let two = try served.call(
            "/api/v2/product_types/", method: "POST", token: token, body: Data(#"{"name":"Two"}"#.utf8))
        let first = try #require(one.json?["id"] as? Int)
        let second = try #require(two.json?["id"] as? Int)
        let made = try served.call(
            "/api/v2/products/", method: "POST", token: token,
            body: Data(#"{"name":"billing","prod_type":\#(first)}"#.utf8))
        #expect(made.status == 201 && made.json?["prod_type"] as? Int == first, "\(made.body)")
        let clash = try served.call(
            "/api/v2/products/", method: "POST", token: token,
            body: Data(#"{"name":"billing","prod_type":\#(second)}"#.utf8))
        #expect(clash.status == 409, "\(clash.body)")
        let orphan = try served.call(
            "/api/v2/engagements/", method: "POST", token: token, body: Data(#"{"name":"e","product":\#(first)}"#.utf8))
        #expect(orphan.status == 404, "a product type is not a product: \(orphan.body)")
        // No token, 401; an executive's token reads and changes nothing here, 403.
        let anonymous = try served.call("/api/v2/products/")
        #expect(anonymous.status == 401, "\(anonymous.body)")
        let executive = try served.token("board", .executive)
        let refused = try post([("scan_type", "SARIF"), ("test", "1")], as: executive)
        #expect(refused.status == 403, "\(refused.body)")
        let listing = try served.call("/api/v2/products/", token: executive)
        #expect(listing.status == 403, "\(listing.body)")
    }
}
