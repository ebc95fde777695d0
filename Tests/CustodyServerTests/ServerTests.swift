import CustodyCore
import CustodyServer
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `custody serve`'s API on a real libmicrohttpd server on loopback, over a real store: tokens,
/// who sees what, the error body, the body limit and the request log.
final class Served: @unchecked Sendable {
    let directory = TemporaryDirectory()
    let service: CustodyService
    let server: HTTPServer
    let security = Principal(name: "sec-lead", role: .security)
    /// The request log's lines.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) {
            lock.lock()
            lines.append(line)
            lock.unlock()
        }
        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return lines
        }
    }
    let log = Lines()

    init(maxBody: Int = 1 << 20, rate: Double? = nil, threads: UInt32 = 4, ingests: IngestQueue? = nil) throws {
        service = CustodyService(databasePath: TestDatabase.location(directory.file("custody.db")))
        let teams = """
            teams:
              - {id: payments, name: Payments, handles: ["@example/payments"]}
              - {id: web, name: Web, handles: ["@example/web"]}
            """
        _ = try service.importOrganisation([.text(name: "teams.yaml", teams)], by: security)
        try directory.write("CODEOWNERS", "/services/payments/ @example/payments\n/web/ @example/web\n")
        // Six findings: 1 and 4 payments', 2 and 5 web's, 3 and 6 nobody's.
        let results = (0..<6).map { index in
            let path = ["services/payments/a.py", "web/b.js", "vendor/c.go"][index % 3]
            return
                #"{"ruleId":"R\#(index)","level":"error","message":{"text":"m\#(index)"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"\#(path)"},"region":{"startLine":\#(index + 1),"snippet":{"text":"c\#(index)"}}}}]}"#
        }
        let sarif =
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner"}},"results":[\#(results.joined(separator: ","))]}]}"#
        var request = IngestRequest(inputs: [.bytes(name: "r.sarif", Array(sarif.utf8))])
        request.repository = "portal"
        request.codeowners = directory.file("CODEOWNERS")
        _ = try service.ingest(request, by: security)
        var settings = HTTPServer.Settings()
        settings.port = 0
        settings.threads = threads
        settings.maxBody = maxBody
        let lines = log
        let api = API(
            service: service, log: RequestLog { lines.append($0) },
            limiter: rate.map { RateLimiter(rate: $0, burst: 2) },
            ingests: ingests ?? IngestQueue(running: 2, waiting: 2))
        server = HTTPServer(settings: settings) { api.handle($0) }
        try server.start()
    }

    deinit { server.stop() }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: JSONValueBox? { JSONValueBox(body) }

        init(status: Int, headers: [String: String], body: String) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The answer of an HTTP response and its body (nil: no HTTP response).
        init?(_ response: URLResponse?, _ data: Data?) {
            guard let response = response as? HTTPURLResponse else { return nil }
            status = response.statusCode
            headers = Dictionary(response.allHeaderFields.map { ("\($0.key)".lowercased(), "\($0.value)") }) { a, _ in a
            }
            body = String(decoding: data ?? Data(), as: UTF8.self)
        }
    }

    /// Up to 32 connections at once to the server, for clients that call side by side.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 32
        configuration.timeoutIntervalForRequest = 120
        return URLSession(configuration: configuration)
    }()

    /// A request over loopback, waited for.
    func call(
        _ path: String, method: String = "GET", token: String? = nil, body: Data? = nil,
        headers: [String: String] = [:]
    ) throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: Answer?
        nonisolated(unsafe) var failure: (any Error)?
        Self.session.dataTask(with: request) { data, response, error in
            if let error { failure = error }
            answer = Answer(response, data)
            done.signal()
        }.resume()
        done.wait()
        if let failure { throw failure }
        return try #require(answer)
    }

    func token(
        _ name: String, _ role: Principal.Role, teams: [String] = [], units: [String] = [], expires: Date? = nil
    ) throws -> String {
        try service.createToken(
            TokenRequest(name: name, role: role, teams: teams, units: units, expiresAt: expires), by: security
        ).token
    }
}

/// A parsed JSON body, for reading fields in expectations.
struct JSONValueBox {
    let value: Any
    init?(_ text: String) {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        else { return nil }
        value = parsed
    }
    subscript(key: String) -> Any? { (value as? [String: Any])?[key] }
}

struct ServerTests {
    @Test func healthAndTheErrorBodyOfAMissingOrBadToken() throws {
        let served = try Served()
        #expect(try served.call("/healthz").status == 200)
        #expect(try served.call("/readyz").status == 200)
        let none = try served.call("/api/v1/findings")
        #expect(none.status == 401)
        #expect(none.headers["www-authenticate"] == "Bearer realm=\"custody\"")
        #expect(none.json?["error"] as? String == "unauthenticated")
        for bad in ["cst_" + String(repeating: "0", count: 64), "nonsense", ""] {
            #expect(try served.call("/api/v1/findings", token: bad).status == 401)
        }
        #expect(try served.call("/nowhere").status == 404)
    }

    @Test func aTeamTokenSeesItsOwnFindingsOnlyThroughEveryRoute() throws {
        let served = try Served()
        let payments = try served.token("payments-ci", .team, teams: ["payments"])
        let list = try served.call("/api/v1/findings?limit=100", token: payments)
        #expect(list.status == 200, "\(list.body)")
        let rows = try #require(list.json?["findings"] as? [[String: Any]])
        #expect(rows.compactMap { $0["id"] as? Int } == [1, 4])
        #expect(rows.allSatisfy { $0["owner_team"] as? String == "payments" })
        #expect(try served.call("/api/v1/findings?team=web", token: payments).status == 403)
        #expect(try served.call("/api/v1/findings?unowned=true", token: payments).status == 403)
        // Another team's finding is as absent as one that does not exist, in the same words.
        let theirs = try served.call("/api/v1/findings/2", token: payments)
        let missing = try served.call("/api/v1/findings/999", token: payments)
        #expect(theirs.status == 404 && missing.status == 404)
        #expect(
            theirs.body.replacingOccurrences(of: "2", with: "N")
                == missing.body.replacingOccurrences(of: "999", with: "N"))
        #expect(try served.call("/api/v1/findings/1", token: payments).status == 200)
        #expect(try served.call("/api/v1/metrics?team=web", token: payments).status == 403)
        let metrics = try served.call("/api/v1/metrics?team=payments", token: payments)
        #expect(metrics.status == 200 && (metrics.json?["scope"] as? String) == "team payments")
        // The security team sees every finding.
        let security = try served.token("sec", .security)
        let all = try served.call("/api/v1/findings?limit=100", token: security)
        #expect((all.json?["findings"] as? [[String: Any]])?.count == 6)
    }

    @Test func pagesCarryACursorAndBadParametersNameThemselves() throws {
        let served = try Served()
        let security = try served.token("sec", .security)
        let first = try served.call("/api/v1/findings?limit=4&sort=id", token: security)
        let cursor = try #require(first.json?["next_cursor"] as? String)
        let second = try served.call("/api/v1/findings?limit=4&sort=id&cursor=\(cursor)", token: security)
        #expect((second.json?["findings"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [5, 6])
        #expect(second.json?["next_cursor"] is NSNull)
        let bad = try served.call("/api/v1/findings?limit=0", token: security)
        #expect(bad.status == 400 && bad.json?["place"] as? String == "limit", "\(bad.body)")
        #expect(try served.call("/api/v1/findings?status=gone", token: security).status == 400)
    }

    @Test func revokedAndExpiredTokensStopWorkingAndTokensAreKeptAsHashes() throws {
        let served = try Served()
        let token = try served.token("short", .executive)
        #expect(try served.call("/api/v1/metrics", token: token).status == 200)
        try served.service.revokeToken(name: "short", by: served.security)
        #expect(try served.call("/api/v1/metrics", token: token).status == 401)
        let expiring = try served.token("expiring", .auditor, expires: Date().addingTimeInterval(3600))
        #expect(throws: ServiceError.self) {
            try served.service.authenticate(token: expiring, now: Date().addingTimeInterval(7200))
        }
        #expect(try served.service.authenticate(token: expiring).role == .auditor)
        // Only hashes at rest: the tokens are in no byte of the store.
        if !TestDatabase.isPostgres {
            var bytes = Data()
            for suffix in ["", "-wal"] {
                bytes.append(
                    FileManager.default.contents(atPath: served.directory.file("custody.db") + suffix) ?? Data())
            }
            #expect(bytes.range(of: Data(token.utf8)) == nil && bytes.range(of: Data(expiring.utf8)) == nil)
        }
        let listed = try served.service.tokens(by: served.security)
        #expect(listed.map(\.name) == ["short", "expiring"] && listed[0].revokedAt != nil)
        // Only the security team makes tokens; a team token names real teams.
        #expect(throws: ServiceError.self) {
            _ = try served.service.createToken(
                TokenRequest(name: "x", role: .security), by: Principal(name: "a", role: .team, teams: ["web"]))
        }
        #expect(throws: ServiceError.self) { _ = try served.token("ghost", .team, teams: ["nobody"]) }
    }

    @Test func theRequestLogNamesThePrincipalAndNeverTheToken() throws {
        let served = try Served()
        let token = try served.token("payments-ci", .team, teams: ["payments"])
        _ = try served.call("/api/v1/findings?team=payments", token: token)
        _ = try served.call("/api/v1/findings", token: "cst_" + String(repeating: "1", count: 64))
        let lines = served.log.all
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""principal":"token:payments-ci""#) && lines[0].contains(#""status":200"#))
        #expect(lines[1].contains(#""principal":null"#) && lines[1].contains(#""status":401"#))
        #expect(!lines.joined().contains("cst_") && !lines.joined().contains("team=payments"))
    }

    @Test func anUploadIngestsLikeAFileAndNamesNoFileOfTheServer() throws {
        let served = try Served()
        let token = try served.token("payments-ci", .team, teams: ["payments"])
        let sarif =
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner"}},"results":[{"ruleId":"N","level":"error","message":{"text":"new"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"services/payments/n.py"},"region":{"startLine":3,"snippet":{"text":"x"}}}}]}]}]}"#
        let answer = try served.call(
            "/api/v1/ingest?repository=portal&name=ci.sarif", method: "POST", token: token, body: Data(sarif.utf8))
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.json?["new"] as? Int == 1, "\(answer.body)")
        // The same upload again: only sightings.
        let again = try served.call(
            "/api/v1/ingest?repository=portal&name=ci.sarif", method: "POST", token: token, body: Data(sarif.utf8))
        #expect(again.json?["new"] as? Int == 0 && again.json?["seen"] as? Int == 1, "\(again.body)")
        // A broken report is refused, named by its upload name, nothing written.
        let broken = try served.call(
            "/api/v1/ingest?repository=portal&name=bad.sarif", method: "POST", token: token, body: Data("{".utf8))
        #expect(broken.status == 400 && broken.json?["file"] as? String == "bad.sarif", "\(broken.body)")
        #expect(try served.call("/api/v1/ingest", method: "POST", token: token).status == 400)
        // A remote ingest cannot make the server read its own files.
        var local = IngestRequest(inputs: [.file("/etc/hostname")])
        local.readsServerFiles = false
        #expect(throws: ServiceError.self) { _ = try served.service.ingest(local, by: served.security) }
        let auditor = try served.token("audit", .auditor)
        #expect(
            try served.call("/api/v1/ingest?name=x", method: "POST", token: auditor, body: Data(sarif.utf8)).status
                == 403)
    }

    @Test func lifecycleActionsRunAsTheTokensPrincipal() throws {
        let served = try Served()
        let token = try served.token("payments-ci", .team, teams: ["payments"])
        let ack = try served.call(
            "/api/v1/findings/1/acknowledge", method: "POST", token: token, body: Data(#"{"reason":"ours"}"#.utf8))
        #expect(ack.status == 200 && ack.json?["status"] as? String == "acknowledged", "\(ack.body)")
        #expect(try served.service.trace(1).timeline.last?.who == "token:payments-ci")
        // Another team's finding: not found; a second acknowledgement: refused; no reason: 400.
        #expect(
            try served.call(
                "/api/v1/findings/2/acknowledge", method: "POST", token: token, body: Data(#"{"reason":"x"}"#.utf8)
            ).status == 404)
        #expect(
            try served.call(
                "/api/v1/findings/1/acknowledge", method: "POST", token: token, body: Data(#"{"reason":"x"}"#.utf8)
            ).status == 422)
        #expect(try served.call("/api/v1/findings/4/acknowledge", method: "POST", token: token).status == 400)
        #expect(
            try served.call("/api/v1/findings/4/acknowledge", method: "POST", token: token, body: Data("{".utf8))
                .status == 400)
        let fp = try served.call(
            "/api/v1/findings/4/false-positive", method: "POST", token: token,
            body: Data(#"{"reason":"test code","justification":"code_not_present"}"#.utf8))
        #expect(fp.status == 200, "\(fp.body)")
    }

    @Test func traceTeamsLedgerAndThePrometheusScrape() throws {
        let served = try Served()
        let payments = try served.token("payments-ci", .team, teams: ["payments"])
        let trace = try served.call("/api/v1/findings/1/trace", token: payments)
        #expect(trace.status == 200 && trace.body.contains("discovered by Scanner"), "\(trace.body)")
        #expect(try served.call("/api/v1/findings/2/trace", token: payments).status == 404)
        let teams = try served.call("/api/v1/teams", token: payments)
        #expect((teams.json?.value as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["payments", "web"])
        // The whole ledger is the auditors' and the security team's.
        #expect(try served.call("/api/v1/ledger/verify", token: payments).status == 403)
        let auditor = try served.token("audit", .auditor)
        let verify = try served.call("/api/v1/ledger/verify", token: auditor)
        #expect(verify.status == 200, "\(verify.body)")
        // The scrape: a team's token gets its team's figures; no token, 401.
        #expect(try served.call("/metrics").status == 401)
        let scrape = try served.call("/metrics", token: payments)
        #expect(scrape.status == 200 && scrape.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(
            scrape.body.contains(#"custody_open_findings{group="total",severity="high",scope="team payments"} 2.0"#),
            "\(scrape.body)")
    }

    @Test func aTokenOverItsRateIsToldToWait() throws {
        let served = try Served(rate: 0.5)
        let one = try served.token("one", .security)
        let other = try served.token("other", .security)
        #expect(try served.call("/api/v1/teams", token: one).status == 200)
        #expect(try served.call("/api/v1/teams", token: one).status == 200)  // the burst of 2
        let third = try served.call("/api/v1/teams", token: one)
        #expect(third.status == 429 && third.json?["error"] as? String == "rate_limited", "\(third.body)")
        #expect(third.headers["retry-after"] == "2")
        #expect(try served.call("/api/v1/teams", token: other).status == 200)  // each token its own bucket
    }

    @Test func theBucketRefillsAtItsRate() {
        let limiter = RateLimiter(rate: 2, burst: 2)
        #expect(limiter.take("a", now: 100) == nil && limiter.take("a", now: 100) == nil)
        #expect(limiter.take("a", now: 100) == 1)
        #expect(limiter.take("a", now: 100.5) == nil)  // half a second: one more
        #expect(limiter.take("a", now: 100.5) == 1)
    }

    @Test func aBodyOverTheLimitIs413() throws {
        let served = try Served(maxBody: 1_024)
        let token = try served.token("sec", .security)
        let answer = try served.call("/api/v1/findings", method: "POST", token: token, body: Data(count: 10_000))
        #expect(answer.status == 413)
        #expect(answer.json?["error"] as? String == "limit_exceeded")
    }
}

/// The ledger's export streams: written by a producer of its own as the client reads it, held
/// at most a megabyte at a time, byte for byte the CLI's export, and a refusal before the first
/// byte is the error it is.
@Suite struct StreamedResponseTests {
    @Test func theLedgerExportStreamsWhatTheCLIWritesAndRefusalsKeepTheirStatus() throws {
        let served = try Served()
        // Over 1.5 MB of events: more than the pipe holds, so the producer waits for the client.
        let results = (0..<6_000).map { index in
            #"{"ruleId":"S\#(index)","level":"warning","message":{"text":"a message long enough to make the events weigh something, number \#(index)"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"services/payments/s\#(index).py"},"region":{"startLine":3}}}]}"#
        }
        let sarif =
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner"}},"results":[\#(results.joined(separator: ","))]}]}"#
        var ingest = IngestRequest(inputs: [.bytes(name: "big.sarif", Array(sarif.utf8))])
        ingest.repository = "portal"
        _ = try served.service.ingest(ingest, by: served.security)
        // An event each: every new finding acknowledged.
        _ = try served.service.transition(
            TransitionRequest(selection: .ids(Array(7...6_006)), action: .acknowledge, reason: "seen"),
            by: served.security)
        let expected = ByteBuffer()
        _ = try served.service.exportLedger(after: 0, to: expected)
        #expect(expected.bytes.count > 3 << 19, "\(expected.bytes.count) bytes")
        let token = try served.token("auditor", .auditor)
        let answer = try served.call("/api/v1/ledger/export", token: token)
        #expect(answer.status == 200)
        #expect(answer.headers["content-length"] == nil, "chunked, not sized: \(answer.headers)")
        #expect(answer.body == expected.text)
        let after = try served.call("/api/v1/ledger/export?after=6000", token: token)
        #expect(after.body.split(separator: "\n").count == expected.text.split(separator: "\n").count - 6_000)
        let refused = try served.call("/api/v1/ledger/export", token: try served.token("team", .team, teams: ["web"]))
        #expect(refused.status == 403)
        #expect(refused.json?["error"] as? String == "forbidden")
        let bad = try served.call("/api/v1/ledger/export?after=-1", token: token)
        #expect(bad.status == 400)
    }
}
