import CustodyCore
import CustodyJSON
import CustodyStore
import Foundation

/// Why an attempt did not get through, and whether trying again can help.
struct SinkFailure: Error {
    var message: String
    /// A refusal that retrying will not change (401, 404, a missing secret, a bad answer).
    var permanent: Bool
}

/// The notification worker: plans deliveries from the outbox and the state of findings, then
/// sends what is due, with retries, exponential backoff and idempotency keys
/// (docs/notifications.md). One pass per `run`; `custody notify` calls it, cron or the server
/// repeat it.
public final class Notifier {
    public struct Report: Sendable, Equatable {
        public var planned = 0
        public var delivered = 0
        public var retrying = 0
        public var failed = 0
        /// One line per attempt that did not get through.
        public var problems: [String] = []
    }

    let store: SQLStore
    let settings: NotificationSettings
    let environment: [String: String]
    let actor: String
    let transport: Transport

    public init(
        store: SQLStore, settings: NotificationSettings, environment: [String: String],
        actor: String = "custody-notify",
        timeoutSeconds: Int = 30
    ) throws {
        self.store = store
        self.settings = settings
        self.environment = environment
        self.actor = actor
        transport = try Transport(timeoutSeconds: timeoutSeconds)
    }

    /// The routes the configured sinks ask for.
    public var routes: [NotificationRoute] {
        settings.sinks.map { sink in
            sink.kind.isTracker
                ? .tickets(sink: sink.name, openAt: sink.openAt, severities: sink.severities)
                : .digest(sink: sink.name)
        }
    }

    public func run(now: Date = Date(), batch: Int = 100) throws -> Report {
        var report = Report()
        report.planned = try store.planDeliveries(routes: routes, now: now)
        let sinks = Dictionary(settings.sinks.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        while true {
            let deliveries = try store.claimDeliveries(now: now, limit: batch)
            if deliveries.isEmpty { break }
            for delivery in deliveries {
                let outcome = attempt(delivery, sink: sinks[delivery.sink], now: now)
                try store.finishDelivery(delivery, outcome, actor: actor, now: now)
                switch outcome {
                case .delivered: report.delivered += 1
                case .retry(let next, let error):
                    report.retrying += 1
                    report.problems.append("\(delivery.idempotencyKey): \(error) (retry at \(next))")
                case .failed(let error):
                    report.failed += 1
                    report.problems.append("\(delivery.idempotencyKey): \(error) (given up)")
                }
            }
        }
        return report
    }

    func attempt(_ delivery: Delivery, sink: SinkConfiguration?, now: Date) -> DeliveryOutcome {
        guard let sink else {
            return .failed(error: "sink '\(delivery.sink)' is no longer configured")
        }
        do {
            let created = try send(delivery, sink: sink)
            return .delivered(externalID: created?.id, url: created?.url)
        } catch let failure as SinkFailure where failure.permanent {
            return .failed(error: failure.message)
        } catch {
            let message = (error as? SinkFailure)?.message ?? String(describing: error)
            let attempts = delivery.attempts + 1
            guard attempts < settings.maxAttempts else {
                return .failed(error: "\(message); gave up after \(attempts) attempts")
            }
            let wait = settings.backoff(afterAttempts: attempts)
            return .retry(nextAttempt: Timestamp.string(now.addingTimeInterval(TimeInterval(wait))), error: message)
        }
    }

    // MARK: Sinks

    func secret(_ variable: String?, _ sink: SinkConfiguration) throws -> String? {
        guard let variable else { return nil }
        guard let value = environment[variable], !value.isEmpty else {
            throw SinkFailure(
                message: "sink '\(sink.name)': environment variable \(variable) is not set", permanent: true)
        }
        return value
    }

    func url(_ sink: SinkConfiguration) throws -> String {
        if let url = sink.url { return url }
        return try secret(sink.urlEnvironment, sink) ?? ""
    }

    /// Sends one delivery; returns the issue a tracker created, if any.
    func send(_ delivery: Delivery, sink: SinkConfiguration) throws -> (id: String, url: String?)? {
        switch sink.kind {
        case .webhook:
            let body = Array(Messages.digestJSON(delivery).text.utf8)
            var headers = ["Content-Type: application/json", "Idempotency-Key: \(delivery.idempotencyKey)"]
            if let key = try secret(sink.secretEnvironment, sink) {
                let signature = SHA256.hexString(SHA256.hmac(key: Array(key.utf8), message: body))
                headers.append("X-Custody-Signature: sha256=\(signature)")
            }
            try check(try http("POST", try url(sink), headers: headers, body: body), "webhook")
        case .slack:
            var text = ""
            JSONText.quote(Self.slackEscaped(Messages.digestText(delivery)), into: &text)
            let body = Array("{\"text\":\(text)}".utf8)
            try check(try http("POST", try url(sink), headers: ["Content-Type: application/json"], body: body), "Slack")
        case .email:
            let recipients = Messages.emailRecipients(delivery, sink: sink)
            guard !recipients.isEmpty else {
                throw SinkFailure(
                    message:
                        "no e-mail recipient: give team \(delivery.team?.id ?? "-") an email: channel or the sink a to: list",
                    permanent: true)
            }
            let from = sink.from ?? "custody@localhost"
            do {
                try transport.sendMail(
                    try url(sink), from: from, to: recipients,
                    message: Messages.email(delivery, from: from, to: recipients, date: Date()),
                    username: try secret(sink.userEnvironment, sink),
                    password: try secret(sink.passwordEnvironment, sink),
                    requireTLS: sink.startTLS)
            } catch let error as TransportError {
                throw SinkFailure(message: error.message, permanent: false)
            }
        case .jira:
            return try JiraTracker(notifier: self, sink: sink).apply(delivery)
        case .github:
            return try GitHubTracker(notifier: self, sink: sink).apply(delivery)
        }
        return nil
    }

    func http(_ method: String, _ url: String, headers: [String], body: [UInt8]? = nil) throws -> HTTPResponse {
        do {
            return try transport.request(method, url, headers: headers + ["User-Agent: custody/0.1"], body: body)
        } catch let error as TransportError {
            throw SinkFailure(message: error.message, permanent: false)
        }
    }

    /// 2xx passes; 408, 425, 429 and 5xx are worth a retry; any other answer is final.
    @discardableResult
    func check(_ response: HTTPResponse, _ what: String) throws -> HTTPResponse {
        guard !(200..<300).contains(response.status) else { return response }
        let excerpt = String(response.text.prefix(200)).replacingOccurrences(of: "\n", with: " ")
        let temporary = [408, 425, 429].contains(response.status) || response.status >= 500
        throw SinkFailure(message: "\(what) answered HTTP \(response.status): \(excerpt)", permanent: !temporary)
    }

    func json(_ response: HTTPResponse, _ what: String) throws -> JSONValue {
        do {
            return try JSONDocument(bytes: response.body).root
        } catch {
            throw SinkFailure(message: "\(what) answered with something that is not JSON", permanent: true)
        }
    }

    static func slackEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func queryEscaped(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func trimmedBase(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// Jira REST API v2: create an issue (`POST /rest/api/2/issue`), find the transition by name
/// and apply it (`GET` then `POST /rest/api/2/issue/KEY/transitions`).
struct JiraTracker {
    let notifier: Notifier
    let sink: SinkConfiguration

    func headers() throws -> [String] {
        var headers = ["Content-Type: application/json", "Accept: application/json"]
        if let token = try notifier.secret(sink.tokenEnvironment, sink) {
            if let user = try notifier.secret(sink.userEnvironment, sink) {
                headers.append("Authorization: Basic \(Data("\(user):\(token)".utf8).base64EncodedString())")
            } else {
                headers.append("Authorization: Bearer \(token)")
            }
        }
        return headers
    }

    func apply(_ delivery: Delivery) throws -> (id: String, url: String?)? {
        let base = Notifier.trimmedBase(try notifier.url(sink))
        guard let finding = delivery.finding else {
            throw SinkFailure(message: "finding of \(delivery.idempotencyKey) is gone", permanent: true)
        }
        let label = "custody-finding-\(finding.id)"
        switch delivery.kind {
        case .ticketOpen:
            // A retry may follow an attempt whose issue was created but whose answer was lost:
            // look for the finding's label first, so it is never created twice.
            if delivery.attempts > 0 {
                let jql = Notifier.queryEscaped("labels = \"\(label)\"")
                let found = try notifier.json(
                    try notifier.check(
                        try notifier.http(
                            "GET", "\(base)/rest/api/2/search?jql=\(jql)&fields=key", headers: try headers()),
                        "Jira search"), "Jira search")
                if let key = found["issues"]?.array?.first(where: { _ in true })?["key"]?.string {
                    return (key, "\(base)/browse/\(key)")
                }
            }
            let body = JSONText.Value.object([
                (
                    "fields",
                    .object([
                        ("project", .object([("key", .string(sink.project ?? ""))])),
                        ("summary", .string(Messages.ticketTitle(finding))),
                        ("description", .string(Messages.ticketBody(finding))),
                        ("issuetype", .object([("name", .string(sink.issueType))])),
                        ("labels", .strings(["custody", label, "severity-\(finding.severity.rawValue)"])),
                    ])
                )
            ])
            let response = try notifier.check(
                try notifier.http(
                    "POST", "\(base)/rest/api/2/issue", headers: try headers(), body: Array(body.text.utf8)),
                "Jira")
            guard let key = try notifier.json(response, "Jira")["key"]?.string else {
                throw SinkFailure(message: "Jira created an issue but gave no key", permanent: true)
            }
            return (key, "\(base)/browse/\(key)")
        case .ticketClose, .ticketReopen:
            guard let key = delivery.ticket?.externalID else {
                throw SinkFailure(message: "no Jira issue recorded for finding \(finding.id)", permanent: true)
            }
            let name = delivery.kind == .ticketClose ? sink.doneTransition : (sink.reopenTransition ?? "To Do")
            let path = "\(base)/rest/api/2/issue/\(Notifier.queryEscaped(key))/transitions"
            let available = try notifier.json(
                try notifier.check(try notifier.http("GET", path, headers: try headers()), "Jira"), "Jira")
            let transitions = available["transitions"]?.array.map { Array($0) } ?? []
            guard
                let id = transitions.first(where: { $0["name"]?.string?.lowercased() == name.lowercased() })?["id"]?
                    .string
            else {
                let names = transitions.compactMap { $0["name"]?.string }.joined(separator: ", ")
                throw SinkFailure(
                    message: "Jira issue \(key) offers no transition '\(name)' (it offers: \(names))", permanent: true)
            }
            let body = JSONText.Value.object([("transition", .object([("id", .string(id))]))])
            try notifier.check(
                try notifier.http("POST", path, headers: try headers(), body: Array(body.text.utf8)), "Jira")
            return nil
        case .digest:
            return nil
        }
    }
}

/// GitHub issues: `POST /repos/OWNER/NAME/issues`, closed and reopened with `PATCH`.
struct GitHubTracker {
    let notifier: Notifier
    let sink: SinkConfiguration

    func headers() throws -> [String] {
        var headers = [
            "Content-Type: application/json", "Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28",
        ]
        if let token = try notifier.secret(sink.tokenEnvironment, sink) {
            headers.append("Authorization: Bearer \(token)")
        }
        return headers
    }

    func apply(_ delivery: Delivery) throws -> (id: String, url: String?)? {
        let base = Notifier.trimmedBase(try notifier.url(sink)) + "/repos/" + (sink.repository ?? "")
        guard let finding = delivery.finding else {
            throw SinkFailure(message: "finding of \(delivery.idempotencyKey) is gone", permanent: true)
        }
        let label = "custody-finding-\(finding.id)"
        switch delivery.kind {
        case .ticketOpen:
            if delivery.attempts > 0 {
                let found = try notifier.json(
                    try notifier.check(
                        try notifier.http("GET", "\(base)/issues?state=all&labels=\(label)", headers: try headers()),
                        "GitHub"), "GitHub")
                if let issue = found.array?.first(where: { _ in true }), let number = issue["number"]?.int {
                    return (String(number), issue["html_url"]?.string)
                }
            }
            let body = JSONText.Value.object([
                ("title", .string(Messages.ticketTitle(finding))), ("body", .string(Messages.ticketBody(finding))),
                ("labels", .strings(["custody", label, "severity:\(finding.severity.rawValue)"])),
            ])
            let response = try notifier.check(
                try notifier.http("POST", "\(base)/issues", headers: try headers(), body: Array(body.text.utf8)),
                "GitHub")
            let issue = try notifier.json(response, "GitHub")
            guard let number = issue["number"]?.int else {
                throw SinkFailure(message: "GitHub created an issue but gave no number", permanent: true)
            }
            return (String(number), issue["html_url"]?.string)
        case .ticketClose, .ticketReopen:
            guard let number = delivery.ticket?.externalID, Int(number) != nil else {
                throw SinkFailure(message: "no GitHub issue recorded for finding \(finding.id)", permanent: true)
            }
            let state: JSONText.Value =
                delivery.kind == .ticketClose
                ? .object([("state", "closed"), ("state_reason", "completed")]) : .object([("state", "open")])
            try notifier.check(
                try notifier.http(
                    "PATCH", "\(base)/issues/\(number)", headers: try headers(), body: Array(state.text.utf8)),
                "GitHub")
            return nil
        case .digest:
            return nil
        }
    }
}
