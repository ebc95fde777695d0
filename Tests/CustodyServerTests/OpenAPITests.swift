import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// `GET /openapi.json` is true to the server: schemathesis (PyPI) generates requests for every
/// operation in it, good and bad, sends them to the live server with a token, and checks that
/// no answer is a server error and every answer's status, content type and body are those the
/// document gives.
@Suite struct OpenAPITests {
    @Test func schemathesisFindsTheServerTrueToItsDocument() throws {
        let served = try Served()
        let document = try served.call("/openapi.json")
        #expect(document.status == 200)
        let paths = try #require(document.json?["paths"] as? [String: Any])
        for path in [
            "/api/v1/findings", "/api/v1/findings/{id}", "/api/v1/findings/{id}/acknowledge", "/api/v1/ingest",
            "/api/v1/findings:stream", "/api/v1/transfers", "/api/v1/unowned/assign", "/api/v1/metrics",
            "/api/v1/ledger/verify", "/api/v1/ledger/export", "/healthz", "/metrics",
        ] {
            #expect(paths[path] != nil, "\(path) is in the document")
        }
        let token = try served.token("schemathesis", .security)
        let run = try output(
            of: "/usr/bin/env",
            [
                // In the test's directory: schemathesis keeps a cache where it runs.
                "-C", served.directory.path,
                "schemathesis", "run", "http://127.0.0.1:\(served.server.port)/openapi.json",
                "--header", "Authorization: Bearer \(token)",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--max-examples", "10", "--generation-deterministic",
            ])
        print(run.text.split(separator: "\n").suffix(30).joined(separator: "\n"))
        #expect(run.status == 0, "\(run.text)")
        #expect(run.text.contains("passed"), "\(run.text)")
        // Whatever it sent, the server is whole: the ledger holds.
        #expect(try served.service.verifyLedger(publicKey: nil).broken == nil)
    }
}
