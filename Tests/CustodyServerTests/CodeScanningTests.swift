import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// `bytes` compressed by the system's gzip, as GitHub's clients compress a SARIF upload.
func gzipped(_ bytes: Data) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-c"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(bytes)
    try input.fileHandleForWriting.close()
    let compressed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return compressed
}

/// GitHub code scanning's upload API served by Custody: a client changes the base URL and token.
@Suite struct CodeScanningTests {
    static let commit = String(repeating: "a1", count: 20)

    func upload(_ sarif: Data, ref: String = "refs/heads/main", extra: String = "") throws -> Data {
        let encoded = try gzipped(sarif).base64EncodedString()
        return Data(
            #"{"commit_sha":"\#(Self.commit)","ref":"\#(ref)","sarif":"\#(encoded)","started_at":"2026-11-30T10:00:00Z","tool_name":"CodeQL"\#(extra)}"#
                .utf8)
    }

    func sarif(_ paths: [String]) -> Data {
        let results = paths.enumerated().map { index, path in
            #"{"ruleId":"G\#(index)","level":"error","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"\#(path)"},"region":{"startLine":1,"snippet":{"text":"s\#(index)"}}}}]}"#
        }
        return Data(
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"results":[\#(results.joined(separator: ","))]}]}"#
                .utf8)
    }

    @Test func anUploadIsAcceptedThenPolledLikeGitHubs() throws {
        let served = try Served()
        let token = try served.token("actions", .security)
        let route = "/repos/example/portal/code-scanning/sarifs"
        let accepted = try served.call(
            route, method: "POST", token: token, body: try upload(sarif(["web/a.js", "web/b.js"])))
        #expect(accepted.status == 202, "\(accepted.body)")
        let id = try #require(accepted.json?["id"] as? String)
        #expect((accepted.json?["url"] as? String)?.hasSuffix("\(route)/\(id)") == true, "\(accepted.body)")
        let polled = try served.call("\(route)/\(id)", token: token)
        #expect(polled.json?["processing_status"] as? String == "complete", "\(polled.body)")
        #expect(polled.json?["errors"] is NSNull, "\(polled.body)")
        let listed = try served.call("/api/v1/findings?repository=example/portal", token: token)
        #expect(listed.body.contains("web/a.js") && listed.body.contains("web/b.js"), "\(listed.body)")
        // The next analysis of the ref is the whole of it: what it no longer finds is fixed.
        let next = try served.call(
            "/api/v3\(route)", method: "POST", token: token,
            body: try upload(sarif(["web/a.js"]), extra: #","checkout_uri":"file:///home/runner/work/portal""#))
        #expect(next.status == 202, "\(next.body)")
        let open = try served.call("/api/v1/findings?repository=example/portal&status=open", token: token)
        #expect(open.body.contains("web/a.js") && !open.body.contains("web/b.js"), "\(open.body)")
        let fixed = try served.call("/api/v1/findings?repository=example/portal&status=fixed", token: token)
        #expect(fixed.body.contains("web/b.js"), "\(fixed.body)")
    }

    @Test func aBadEncodingIs400AndABadReportIsAFailedUpload() throws {
        let served = try Served()
        let token = try served.token("actions", .security)
        let route = "/repos/example/portal/code-scanning/sarifs"
        let notBase64 = Data(#"{"commit_sha":"\#(Self.commit)","ref":"refs/heads/main","sarif":"%%%"}"#.utf8)
        let refused = try served.call(route, method: "POST", token: token, body: notBase64)
        #expect(refused.status == 400 && refused.json?["place"] as? String == "$.sarif", "\(refused.body)")
        let plain = Data(
            #"{"commit_sha":"\#(Self.commit)","ref":"refs/heads/main","sarif":"\#(sarif(["x"]).base64EncodedString())"}"#
                .utf8)
        #expect(try served.call(route, method: "POST", token: token, body: plain).status == 400)
        let shortCommit = Data(#"{"commit_sha":"abc","ref":"refs/heads/main","sarif":"H4sI"}"#.utf8)
        let badCommit = try served.call(route, method: "POST", token: token, body: shortCommit)
        #expect(badCommit.json?["place"] as? String == "$.commit_sha", "\(badCommit.body)")
        // Well encoded, but not SARIF: accepted, then failed with the reader's words.
        let broken = try served.call(route, method: "POST", token: token, body: try upload(Data(#"{"runs": 3}"#.utf8)))
        #expect(broken.status == 202, "\(broken.body)")
        let id = try #require(broken.json?["id"] as? String)
        let polled = try served.call("\(route)/\(id)", token: token)
        #expect(polled.json?["processing_status"] as? String == "failed", "\(polled.body)")
        let errors = try #require(polled.json?["errors"] as? [String])
        #expect(errors.count == 1 && errors[0].contains("CodeQL.sarif"), "\(errors)")
        #expect(!polled.body.contains("custody.db"), "the store's location is not said: \(polled.body)")
        // Another team's token, or another repository, does not see the upload.
        let other = try served.token("web-ci", .team, teams: ["web"])
        #expect(try served.call("\(route)/\(id)", token: other).status == 404)
        #expect(try served.call("/repos/example/other/code-scanning/sarifs/\(id)", token: token).status == 404)
        #expect(try served.call("\(route)/\(id)").status == 401)
    }
}
