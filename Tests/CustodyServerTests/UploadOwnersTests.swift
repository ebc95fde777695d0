import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// A multipart/form-data body as `curl -F` sends it: text fields, then files.
struct FormBody {
    let boundary = "----custody-test-\(UInt32.random(in: 0...UInt32.max))"
    var data = Data()

    mutating func field(_ name: String, _ value: String) {
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    mutating func file(_ name: String, fileName: String, _ bytes: Data) {
        data.append(
            Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8))
        data.append(bytes)
        data.append(Data("\r\n".utf8))
    }

    var closed: Data { data + Data("--\(boundary)--\r\n".utf8) }
    var contentType: [String: String] { ["Content-Type": "multipart/form-data; boundary=\(boundary)"] }
}

/// One SARIF result at `path`, rule `rule`.
func oneResult(_ path: String, rule: String = "U") -> Data {
    Data(
        #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner"}},"results":[{"ruleId":"\#(rule)","level":"error","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"\#(path)"},"region":{"startLine":2,"snippet":{"text":"x"}}}}]}]}]}"#
            .utf8)
}

/// Where an uploaded report's owners come from: a registered repository's clone, a CODEOWNERS
/// sent with it, or the map last recorded for the repository - and the answer says which.
@Suite struct UploadOwnersTests {
    @Test func anUploadWithoutAMapIsOwnedByTheRepositorysLastRecordedMap() throws {
        let served = try Served()  // portal's map was recorded from a CODEOWNERS file
        let token = try served.token("ci", .security)
        let answer = try served.call(
            "/api/v1/ingest?repository=portal", method: "POST", token: token, body: oneResult("web/new.js"))
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.json?["ownership_map"] as? String == "recorded", "\(answer.body)")
        #expect(answer.json?["new"] as? Int == 1 && answer.json?["unowned"] as? Int == 0, "\(answer.body)")
        // Another repository has no map: the finding is unowned, and the answer says so.
        let other = try served.call(
            "/api/v1/ingest?repository=elsewhere", method: "POST", token: token, body: oneResult("web/new.js"))
        #expect(other.json?["ownership_map"] as? String == "none", "\(other.body)")
        #expect(other.json?["unowned"] as? Int == 1, "\(other.body)")
    }

    @Test func aCodeownersSentWithTheUploadDecidesAndIsKeptForTheNext() throws {
        let served = try Served()
        let token = try served.token("ci", .security)
        var form = FormBody()
        form.field("repository", "elsewhere")
        form.file("codeowners", fileName: "CODEOWNERS", Data("/vendor/ @example/web\n".utf8))
        form.file("file", fileName: "scan.sarif", oneResult("vendor/lib.go"))
        let answer = try served.call(
            "/api/v1/ingest", method: "POST", token: token, body: form.closed, headers: form.contentType)
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.json?["ownership_map"] as? String == "upload", "\(answer.body)")
        #expect(answer.json?["unowned"] as? Int == 0, "\(answer.body)")
        let web = try served.call("/api/v1/findings?team=web&repository=elsewhere", token: token)
        #expect(web.body.contains("vendor/lib.go"), "\(web.body)")
        // The next upload sends none: the map it sent is the repository's last.
        let next = try served.call(
            "/api/v1/ingest?repository=elsewhere", method: "POST", token: token,
            body: oneResult("vendor/other.go", rule: "V"))
        #expect(next.json?["ownership_map"] as? String == "recorded", "\(next.body)")
        #expect(next.json?["unowned"] as? Int == 0, "\(next.body)")
        // A form without its report is a 400 naming the part.
        var empty = FormBody()
        empty.field("repository", "elsewhere")
        let refused = try served.call(
            "/api/v1/ingest", method: "POST", token: token, body: empty.closed, headers: empty.contentType)
        #expect(refused.status == 400 && refused.json?["place"] as? String == "file", "\(refused.body)")
    }

    @Test func aRegisteredRepositoryGivesCodeownersAtTheCommitAndTheIntroducer() throws {
        let served = try Served()
        let git = try GitFixture()
        let first = try git.commit(
            ["CODEOWNERS": "/lib/ @example/web\n", "lib/pay.py": "a = 1\nsecret = 2\n"], message: "start",
            author: "Grace Hopper", email: "grace@example.gov")
        let second = try git.commit(["CODEOWNERS": "/lib/ @example/payments\n"], message: "payments own lib")
        let security = try served.token("sec", .security)
        let team = try served.token("web-ci", .team, teams: ["web"])
        #expect(throws: ServiceError.self) {
            _ = try served.service.addRepository(
                name: "billing", path: git.path, by: Principal(name: "token:web-ci", role: .team, teams: ["web"]))
        }
        _ = try served.service.addRepository(name: "billing", path: git.path, by: served.security)
        // At the first commit the web team owned lib/; the uploader sends only the report.
        let answer = try served.call(
            "/api/v1/ingest?repository=billing&commit=\(first)", method: "POST", token: team,
            body: oneResult("lib/pay.py"))
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.json?["ownership_map"] as? String == "checkout", "\(answer.body)")
        let listed = try served.call("/api/v1/findings?team=web&repository=billing", token: security)
        #expect(listed.body.contains("lib/pay.py"), "\(listed.body)")
        let id = try #require(
            ((listed.json?["findings"] as? [[String: Any]])?.first?["id"] as? NSNumber)?.int64Value)
        let detail = try served.call("/api/v1/findings/\(id)", token: security)
        #expect(detail.body.contains("grace@example.gov"), "the introducer, blamed in the clone: \(detail.body)")
        // At the second, payments: the same finding is handed over by the map.
        let later = try served.call(
            "/api/v1/ingest?repository=billing&commit=\(second)", method: "POST", token: security,
            body: oneResult("lib/pay.py"))
        #expect(later.json?["reowned"] as? Int == 1, "\(later.body)")
        // A commit the clone lacks is refused in the repository's name, never the clone's path.
        let unknown = try served.call(
            "/api/v1/ingest?repository=billing&commit=0123456789abcdef", method: "POST", token: security,
            body: oneResult("lib/pay.py"))
        #expect(unknown.status >= 400 && unknown.status < 500, "\(unknown.body)")
        #expect(unknown.body.contains("billing") && !unknown.body.contains(git.path), "\(unknown.body)")
        #expect(try served.service.repositories(by: served.security).map(\.name) == ["billing"])
        try served.service.removeRepository(name: "billing", by: served.security)
        #expect(throws: ServiceError.self) { try served.service.removeRepository(name: "billing", by: served.security) }
        #expect(throws: ServiceError.self) {
            _ = try served.service.addRepository(name: "x", path: "/nonexistent", by: served.security)
        }
    }
}
