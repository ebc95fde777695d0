import CustodyCLI
import CustodyCore
import CustodyJSON
import CustodyStore
import CustodyTestSupport
import Foundation
import Synchronization
import Testing

/// The notification worker against real servers on loopback: an HTTP receiver playing a webhook,
/// Slack, Jira and GitHub, and an SMTP server (aiosmtpd).
@Suite(.serialized)
struct NotifyTests {
    /// payments (lead bob, e-mail channel) owns three findings, one is unowned; all high, due in
    /// 30 days from now.
    func session() throws -> Session {
        let session = Session()
        let teams = try session.write(
            "teams.yaml",
            """
            units:
              - {id: treasury, name: Treasury, head: dana@example.gov}
            teams:
              - id: payments
                name: Payments
                unit: treasury
                lead: bob@example.gov
                handles: ["@example/payments"]
                channels: ["slack:#payments", "email:payments@example.gov"]
            """)
        #expect(session.run("teams", "import", teams).status == 0)
        let codeowners = try session.write("CODEOWNERS", "/pay/ @example/payments\n")
        let report = try session.write("r.sarif", session.sarif(["pay/a.py", "pay/b.py", "pay/c.py", "misc/d.py"]))
        #expect(session.run("ingest", "--repo", "r", "--scope", "full", "--codeowners", codeowners, report).status == 0)
        return session
    }

    /// Days from now, as a command-line time.
    func time(days: Double, plus seconds: Double = 0) -> String {
        Timestamp.string(Date().addingTimeInterval(days * 86_400 + seconds))
    }

    func json(_ text: String) throws -> JSONValue { try JSONDocument(bytes: Array(text.utf8)).root }

    func kinds(_ session: Session, finding: Int64?) throws -> [String] {
        try SQLStore(path: session.database).events(findingID: finding).map(\.kind.rawValue)
    }

    @Test func dailyDigestsReachWebhookSlackAndEmailOnce() throws {
        let session = try session()
        let http = try Peer(script: "http_receiver.py", directory: session.directory)
        let smtp = try Peer(script: "smtp_sink.py", directory: session.directory)
        let config = try session.write(
            "custody.yaml",
            """
            notifications:
              sinks:
                - {name: hook, type: webhook, url: "http://127.0.0.1:\(http.port)/hook", secret_env: HOOK_SECRET}
                - {name: chat, type: slack, url: "http://127.0.0.1:\(http.port)/slack"}
                - name: mail
                  type: email
                  url: "smtp://127.0.0.1:\(smtp.port)"
                  from: custody@example.gov
                  to: [security@example.gov]
            """)
        session.environment["HOOK_SECRET"] = "s3cret"
        // Half the SLA has passed: each finding's first step (the team) is an event and an outbox row.
        let tickDay = time(days: 16)
        #expect(session.run("tick", "--now", tickDay).out.contains("4 escalation steps"))
        // Digests wait for the day to end.
        var result = session.run("notify", "--config", config, "--now", tickDay)
        #expect(result.out == "0 planned, 0 delivered, 0 to retry, 0 failed\n")
        result = session.run("notify", "--config", config, "--now", time(days: 17))
        #expect(result.status == 0)
        // Two digests (payments, unowned) for each of three sinks.
        #expect(result.out == "6 planned, 6 delivered, 0 to retry, 0 failed\n")

        let requests = try http.entries().map(json)
        let hooks = requests.filter { $0["path"]?.string == "/hook" }
        #expect(hooks.count == 2)
        let payments = try #require(
            try hooks.first { try json($0["body"]!.string!)["team"]?["id"]?.string == "payments" })
        let body = payments["body"]!.string!
        let digest = try json(body)
        #expect(digest["type"]?.string == "custody.digest")
        #expect(digest["day"]?.string == String(tickDay.prefix(10)))
        let items = Array(digest["items"]!.array!)
        #expect(items.count == 3)
        #expect(items.allSatisfy { $0["kind"]?.string == "escalation" && $0["details"]?["stage"]?.string == "team" })
        #expect(items.first?["path"]?.string == "pay/a.py")
        let key = try #require(payments["headers"]?["idempotency-key"]?.string)
        #expect(key == "digest:hook:payments:\(tickDay.prefix(10))")
        let signature = SHA256.hexString(SHA256.hmac(key: Array("s3cret".utf8), message: Array(body.utf8)))
        #expect(payments["headers"]?["x-custody-signature"]?.string == "sha256=" + signature)

        let slack = requests.filter { $0["path"]?.string == "/slack" }.compactMap { $0["body"]?.string }
        #expect(slack.count == 2)
        #expect(slack.contains { $0.contains("Custody: Payments: 3 updates on \(tickDay.prefix(10))") })
        #expect(slack.contains { $0.contains("Custody: Unowned findings: 1 update on") })

        let mails = try smtp.entries().map(json)
        #expect(mails.count == 2)
        let toPayments = try #require(mails.first { Array($0["to"]!.array!).count == 2 })
        #expect(
            Array(toPayments["to"]!.array!).compactMap(\.string) == ["security@example.gov", "payments@example.gov"])
        #expect(toPayments["from"]?.string == "custody@example.gov")
        let text = toPayments["data"]!.string!
        #expect(text.contains("Subject: Custody: Payments: 3 updates on \(tickDay.prefix(10))"))
        #expect(text.contains("Message-ID: <"))
        #expect(
            text.contains("[high] R1 at r pay/b.py:4: escalated to team (slack:#payments, email:payments@example.gov)"))

        // Once only: the next pass plans and sends nothing; each digest is an event of the ledger.
        result = session.run("notify", "--config", config, "--now", time(days: 17, plus: 3600))
        #expect(result.out == "0 planned, 0 delivered, 0 to retry, 0 failed\n")
        #expect(try http.entries().count == 4)
        #expect(try kinds(session, finding: nil).filter { $0 == "notification.delivered" }.count == 6)
        #expect(try SQLStore(path: session.database).verifyLedger().broken == nil)
    }

    /// Four workers at once, each with its connection, as four processes would: every message
    /// reaches the receiver exactly once (deliveries are claimed under the write lock).
    @Test func fourWorkersAtOnceDeliverEveryMessageOnce() throws {
        let session = try session()
        let http = try Peer(script: "http_receiver.py", directory: session.directory)
        let sinks = (1...6).map {
            #"    - {name: hook\#($0), type: webhook, url: "http://127.0.0.1:\#(http.port)/hook\#($0)"}"#
        }
        let config = try session.write(
            "custody.yaml", "notifications:\n  sinks:\n" + sinks.joined(separator: "\n") + "\n")
        #expect(session.run("tick", "--now", time(days: 16)).status == 0)
        // Planned once, then delivered by four workers racing for the same outbox.
        let now = time(days: 17)
        let database = session.database
        let outputs = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let console = Console(capture: true)
            _ = CLI.run(
                ["--db", database, "notify", "--config", config, "--now", now], console: console,
                environment: ["USER": "worker"]
            ) { "" }
            outputs.withLock { $0.append(console.capturedOut + console.capturedErr) }
        }
        let requests = try http.entries().map(json)
        // Two digests (payments, unowned) for each of six sinks, each once.
        #expect(requests.count == 12, "\(outputs.withLock { $0 })")
        let keys = requests.compactMap { $0["headers"]?["idempotency-key"]?.string }
        #expect(Set(keys).count == 12)
        #expect(try kinds(session, finding: nil).filter { $0 == "notification.delivered" }.count == 12)
        #expect(try SQLStore(path: session.database).verifyLedger().broken == nil)
    }

    /// On PostgreSQL a worker claims its deliveries while an ingest holds the writer lock (the
    /// claim takes row locks and skips rows another claimer holds; it appends nothing).
    @Test(.enabled(if: TestDatabase.isPostgres, "SQLite has one writer at a time: a claim waits there"))
    func aWorkerClaimsWhileAnIngestHoldsTheWriterLock() throws {
        let session = try session()
        #expect(session.run("tick", "--now", time(days: 16)).status == 0)
        let store = try SQLStore(path: session.database)
        let now = try #require(Timestamp.date(time(days: 17)))
        #expect(try store.planDeliveries(routes: [.digest(sink: "hook")], now: now) == 2)
        // Another process's ingest, stopped inside its transaction until told to finish.
        let writer = try SQLStore(path: session.database)
        let inside = DispatchSemaphore(value: 0)
        let finish = DispatchSemaphore(value: 0)
        let ingest = Thread {
            _ = try? writer.ingest { _ in
                inside.signal()
                finish.wait()
            }
        }
        ingest.start()
        inside.wait()
        let claimed = Mutex<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            claimed.withLock { $0 = try? store.claimDeliveries(now: now, limit: 10).count }
            done.signal()
        }.start()
        let inTime = done.wait(timeout: .now() + 20) == .success
        finish.signal()
        if !inTime { done.wait() }
        #expect(inTime, "the claim waited for the ingest's writer lock")
        #expect(claimed.withLock { $0 } == 2)
        // Claimed once: a second worker finds nothing left to take.
        #expect(try SQLStore(path: session.database).claimDeliveries(now: now, limit: 10).isEmpty)
    }

    @Test func failedAttemptsBackOffKeepTheirKeyAndGiveUpWhenRetryingCannotHelp() throws {
        let session = try session()
        let http = try Peer(
            script: "http_receiver.py", arguments: ["--fail", "/hook:2:503", "--fail", "/denied:100:401"],
            directory: session.directory)
        let config = try session.write(
            "custody.yaml",
            """
            notifications:
              max_attempts: 3
              backoff_seconds: 60
              sinks:
                - {name: hook, type: webhook, url: "http://127.0.0.1:\(http.port)/hook"}
                - {name: denied, type: webhook, url: "http://127.0.0.1:\(http.port)/denied"}
                - {name: secretless, type: webhook, url: "http://127.0.0.1:\(http.port)/s", secret_env: NOT_SET}
            """)
        #expect(session.run("tick", "--now", time(days: 16)).status == 0)
        let day = time(days: 17)
        var result = session.run("notify", "--config", config, "--now", day)
        // hook: both digests hit the injected 503 and wait; denied: 401 is final; secretless: no secret, final.
        #expect(result.status == 1)
        #expect(result.out == "6 planned, 0 delivered, 2 to retry, 4 failed\n")
        #expect(result.err.contains("webhook answered HTTP 401"))
        #expect(result.err.contains("environment variable NOT_SET is not set"))
        // Not due again before the backoff has passed...
        result = session.run("notify", "--config", config, "--now", time(days: 17, plus: 30))
        #expect(result.out == "0 planned, 0 delivered, 0 to retry, 0 failed\n")
        // ...then delivered, with the same idempotency key as the failed attempt.
        result = session.run("notify", "--config", config, "--now", time(days: 17, plus: 61))
        #expect(result.out == "0 planned, 2 delivered, 0 to retry, 0 failed\n")
        let keys = try http.entries().map(json).filter { $0["path"]?.string == "/hook" }.compactMap {
            $0["headers"]?["idempotency-key"]?.string
        }
        #expect(keys.count == 4)
        #expect(Set(keys).count == 2)
        let status = Array(try json(session.run("notify", "status", "--json").out).array!)
        #expect(status.filter { $0["state"]?.string == "delivered" }.allSatisfy { $0["attempts"]?.int == 2 })
        let failed = status.filter { $0["state"]?.string == "failed" }
        #expect(failed.count == 4)
        #expect(failed.allSatisfy { $0["attempts"]?.int == 1 })
        #expect(try kinds(session, finding: nil).filter { $0 == "notification.failed" }.count == 4)
        // Once fixed, failed deliveries can be queued again.
        session.environment["NOT_SET"] = "now set"
        #expect(session.run("notify", "retry").out == "4 failed deliveries queued again\n")
        result = session.run("notify", "--config", config, "--now", time(days: 17, plus: 120))
        #expect(result.out == "0 planned, 2 delivered, 0 to retry, 2 failed\n")  // denied still says 401
    }

    @Test func ticketsOpenInJiraAndGitHubOnceAndFollowTheFinding() throws {
        let session = try session()
        let http = try Peer(
            script: "http_receiver.py", arguments: ["--lose", "/jira/rest/api/2/issue:1", "--token", "t0ken"],
            directory: session.directory)
        let config = try session.write(
            "custody.yaml",
            """
            notifications:
              sinks:
                - name: jira
                  type: jira
                  url: "http://127.0.0.1:\(http.port)/jira"
                  project: SEC
                  token_env: JIRA_TOKEN
                  open_at: lead
                  severities: [critical, high]
                - name: gh
                  type: github
                  url: "http://127.0.0.1:\(http.port)/gh"
                  repository: example/portal
                  token_env: GITHUB_TOKEN
                  open_at: lead
            """)
        session.environment["JIRA_TOKEN"] = "t0ken"
        session.environment["GITHUB_TOKEN"] = "t0ken"
        // At half-time no ticket yet (open_at: lead); when due, one per finding and tracker.
        #expect(session.run("tick", "--now", time(days: 16)).status == 0)
        #expect(session.run("notify", "--config", config, "--now", time(days: 16)).out.hasPrefix("0 planned"))
        #expect(session.run("tick", "--now", time(days: 31)).status == 0)
        let shown = try json(session.run("findings", "show", "1", "--json").out)
        #expect(shown["escalation"]?.string == "team lead")
        var result = session.run("notify", "--config", config, "--now", time(days: 31))
        // The first Jira issue is created but its answer is lost: that delivery waits.
        #expect(result.out == "8 planned, 7 delivered, 1 to retry, 0 failed\n")
        result = session.run("notify", "--config", config, "--now", time(days: 31, plus: 61))
        #expect(result.out == "0 planned, 1 delivered, 0 to retry, 0 failed\n")
        var requests = try http.entries().map(json)
        // The retry found the issue by its label instead of creating a second one.
        let creates = requests.filter {
            $0["method"]?.string == "POST" && $0["path"]?.string == "/jira/rest/api/2/issue"
        }
        #expect(creates.count == 4)
        #expect(requests.contains { $0["path"]?.string?.hasPrefix("/jira/rest/api/2/search?jql=labels") == true })
        let create = try json(creates[0]["body"]!.string!)["fields"]!
        #expect(create["project"]?["key"]?.string == "SEC")
        #expect(create["summary"]?.string == "[custody] high: R1 in r pay/a.py:3")
        #expect(Array(create["labels"]!.array!).compactMap(\.string).contains("custody-finding-1"))
        #expect(creates[0]["headers"]?["authorization"]?.string == "Bearer t0ken")
        let issues = requests.filter {
            $0["method"]?.string == "POST" && $0["path"]?.string == "/gh/repos/example/portal/issues"
        }
        #expect(issues.count == 4)
        #expect(issues[0]["headers"]?["x-github-api-version"]?.string == "2022-11-28")
        let store = try SQLStore(path: session.database)
        let opened = try store.events(findingID: 1).filter { $0.kind.rawValue == "ticket.opened" }
        #expect(opened.count == 2)
        #expect(opened.contains { $0.payload.contains(#""ticket":"SEC-1""#) })

        // Fixed by a full rescan: both tickets close; seen again: both reopen.
        let fixed = try session.write("fixed.sarif", session.sarif(["pay/x.py", "pay/b.py", "pay/c.py", "misc/d.py"]))
        let codeowners = session.directory.file("CODEOWNERS")
        #expect(session.run("ingest", "--repo", "r", "--scope", "full", "--codeowners", codeowners, fixed).status == 0)
        result = session.run("notify", "--config", config, "--now", time(days: 32))
        #expect(result.out == "2 planned, 2 delivered, 0 to retry, 0 failed\n")
        requests = try http.entries().map(json)
        let transition = try #require(
            requests.last { $0["path"]?.string == "/jira/rest/api/2/issue/SEC-1/transitions" })
        #expect(transition["method"]?.string == "POST")
        #expect(try json(transition["body"]!.string!)["transition"]?["id"]?.string == "31")  // Done
        let patch = try #require(requests.last { $0["method"]?.string == "PATCH" })
        #expect(try json(patch["body"]!.string!)["state"]?.string == "closed")
        let again = session.directory.file("r.sarif")
        #expect(session.run("ingest", "--repo", "r", "--scope", "full", "--codeowners", codeowners, again).status == 0)
        result = session.run("notify", "--config", config, "--now", time(days: 33))
        #expect(result.out == "2 planned, 2 delivered, 0 to retry, 0 failed\n")
        requests = try http.entries().map(json)
        let reopen = try #require(requests.last { $0["path"]?.string == "/jira/rest/api/2/issue/SEC-1/transitions" })
        #expect(try json(reopen["body"]!.string!)["transition"]?["id"]?.string == "11")  // To Do
        let ticketEvents = try kinds(session, finding: 1).filter { $0.hasPrefix("ticket.") }
        #expect(
            ticketEvents == [
                "ticket.opened", "ticket.opened", "ticket.closed", "ticket.closed", "ticket.reopened",
                "ticket.reopened",
            ])
        // The chain of custody tells it: escalations, the tickets and their URLs, fix and reopening.
        let trace = session.run("trace", "1").out
        #expect(trace.contains("ticket SEC-1 opened in jira"))
        #expect(trace.contains("ticket 1 closed in gh (https://github.example/example/portal/issues/1)"))
        #expect(trace.contains("escalated to the team lead (bob@example.gov)"))
        #expect(try store.verifyLedger().broken == nil)
    }

    @Test func sinkConfigurationErrorsNameTheLine() throws {
        let session = Session()
        func error(_ yaml: String) throws -> String {
            let config = try session.write("c.yaml", yaml)
            return session.run("notify", "--config", config).err
        }
        #expect(
            try error("notifications:\n  sinks:\n    - {name: a, type: pager, url: \"http://x\"}\n")
                .contains("c.yaml: line 3: error: sink 'a' needs a type: one of webhook, slack, email, jira, github"))
        #expect(
            try error("notifications:\n  sinks:\n    - {name: a, type: webhook, url: \"ftp://x\"}\n")
                .contains("the url of sink 'a' must start with http:// or https://"))
        #expect(
            try error("notifications:\n  sinks:\n    - {name: a, type: jira, url: \"http://x\"}\n")
                .contains("Jira sink 'a' needs project"))
        #expect(
            try error("notifications:\n  sinks:\n    - {name: a, type: slack, url: \"http://x\", token: abc}\n")
                .contains("unknown key 'token' for a slack sink"))
        #expect(try error("sla: {}\n").contains("no sinks configured"))
    }
}
