import CustodyCore
import CustodyDashboard
import CustodyJSON
import CustodyService
import Foundation

/// The JSON API under `/api/v1/` (docs/api.md) over the service: each route parses its request,
/// calls the service as the token's principal, and writes the service's wire format. Errors
/// are the service's kinds, one body everywhere: `{"error": kind, "message": ..., ...}`.
public final class API: Sendable {
    let service: CustodyService
    let log: RequestLog?
    let limiter: RateLimiter?
    let ingests: IngestQueue
    let dashboard: Dashboard
    /// Whether the dashboard's cookie is marked Secure (the server speaks TLS).
    let secureCookies: Bool

    public init(
        service: CustodyService, log: RequestLog? = nil, limiter: RateLimiter? = nil,
        ingests: IngestQueue = IngestQueue(running: 2, waiting: 32), secureCookies: Bool = false
    ) {
        self.service = service
        self.dashboard = Dashboard(service: service)
        self.secureCookies = secureCookies
        self.log = log
        self.limiter = limiter
        self.ingests = ingests
    }

    /// Answers one request, and logs it (never its token).
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        var principal: Principal?
        let response: HTTPResponse
        do {
            response = try route(request, principal: &principal)
        } catch {
            // Where the store is on the server is no client's business.
            var said = error
            if said.file == service.databasePath || said.file == CustodyService.displayed(service.databasePath) {
                said.file = nil
            }
            response = Self.failure(said)
        }
        log?.record(
            request, status: response.status, principal: principal?.name,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        return response
    }

    static func failure(_ error: ServiceError) -> HTTPResponse {
        var headers: [(String, String)] = []
        if error.kind == .unauthenticated { headers.append(("WWW-Authenticate", "Bearer realm=\"custody\"")) }
        if error.kind == .unavailable { headers.append(("Retry-After", "1")) }
        return .json(error.kind.httpStatus, Wire.error(error).text + "\n", headers: headers)
    }

    func route(_ request: HTTPRequest, principal: inout Principal?) throws(ServiceError) -> HTTPResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if request.method == "GET", parts == ["openapi.json"] { return .json(200, OpenAPIDocument.text + "\n") }
        if request.method == "GET", parts == ["healthz"] { return .json(200, #"{"status":"ok"}"# + "\n") }
        if request.method == "GET", parts == ["readyz"] {
            _ = try service.counts()
            return .json(200, #"{"status":"ready"}"# + "\n")
        }
        if request.method == "GET", parts == ["metrics"] {
            // The Prometheus scrape: the token's scope (a team's token, its team), last 90 days.
            let who = try authenticate(request)
            principal = who
            if let limited = limited(who) { return limited }
            var scope = MetricsRequest()
            // A unit-scoped token: its units (the service picks its one top unit).
            if who.isTeamBound, let team = who.teams.sorted().first { scope.scope = .team(team) }
            return .text(
                200, Wire.metricsPrometheus(try service.metrics(scope, by: who)),
                type: "text/plain; version=0.0.4; charset=utf-8")
        }
        if let repository = CodeScanning.route(parts) {
            let who = try authenticate(request)
            principal = who
            if let limited = limited(who) { return limited }
            return try codeScanning(request, repository, as: who)
        }
        if parts.count >= 3, parts[0] == "api", parts[1] == "v2" {
            let who = try authenticate(request)
            principal = who
            if let limited = limited(who) { return limited }
            return try defectDojo(request, Array(parts.dropFirst(2)), as: who)
        }
        if let page = web(request, parts, principal: &principal) { return page }
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else {
            throw ServiceError(.notFound, "no route \(request.method) \(request.path)")
        }
        let who = try authenticate(request)
        principal = who
        if let limited = limited(who) { return limited }
        return try v1(request, Array(parts.dropFirst(2)), as: who)
    }

    /// 429 with Retry-After when `principal` is over its rate (nil: go ahead).
    func limited(_ principal: Principal) -> HTTPResponse? {
        guard let wait = limiter?.take(principal.name) else { return nil }
        var response = Self.failure(
            ServiceError(.rateLimited, "too many requests for \(principal.name): try again in \(wait) s"))
        response.headers.append(("Retry-After", String(wait)))
        return response
    }

    /// The principal of the request's token (`Authorization: Bearer TOKEN` or `token TOKEN`).
    func authenticate(_ request: HTTPRequest) throws(ServiceError) -> Principal {
        let header = request.header("authorization") ?? ""
        let token = header.split(separator: " ", maxSplits: 1).map(String.init)
        guard token.count == 2, ["bearer", "token"].contains(token[0].lowercased()) else {
            throw ServiceError(.unauthenticated, "a valid API token is needed (Authorization: Bearer TOKEN)")
        }
        return try service.authenticate(token: token[1].trimmingCharacters(in: .whitespaces))
    }

    func v1(_ request: HTTPRequest, _ parts: [String], as principal: Principal) throws(ServiceError) -> HTTPResponse {
        switch (request.method, parts.first ?? "", parts.count) {
        case ("GET", "findings", 1):
            return try findings(request, as: principal)
        case ("GET", "findings", 2):
            guard let id = Int64(parts[1]), id > 0 else {
                throw ServiceError(.invalidInput, "'\(parts[1])' is not a finding id")
            }
            var writer = JSONWriter()
            Wire.findingDetail(try service.finding(id, by: principal), into: &writer)
            writer.bytes.append(10)
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: writer.bytes)
        case ("GET", "metrics", 1):
            return try metrics(request, as: principal)
        case ("GET", "teams", 1):
            return .json(
                200, JSONText.Value.array(try service.organisation(by: principal).teams.map(Wire.team)).text + "\n")
        case ("GET", "ledger", 2) where parts[1] == "verify":
            let report = try service.verifyLedger(publicKey: nil, by: principal)
            return .json(report.broken == nil ? 200 : 409, Wire.ledgerReport(report).text + "\n")
        case ("POST", "ingest", 1):
            return try ingest(request, as: principal)
        case ("POST", "findings", 3) where parts[2] != "transfer":
            guard let id = Int64(parts[1]), id > 0 else {
                throw ServiceError(.invalidInput, "'\(parts[1])' is not a finding id")
            }
            return try act(id, parts[2], request, as: principal)
        default:
            if let response = try operation(request, parts, as: principal) { return response }
            if let response = try release(request, parts, as: principal) { return response }
            throw ServiceError(.notFound, "no route \(request.method) /api/v1/\(parts.joined(separator: "/"))")
        }
    }

    /// `GET /api/v1/findings?team=&status=&severity=&repository=&rule=&cve=&sort=&limit=&cursor=`:
    /// a page (at most 1,000, default 50) and the next page's cursor.
    func findings(_ request: HTTPRequest, as principal: Principal) throws(ServiceError) -> HTTPResponse {
        let query = request.query
        var filter = FindingFilter()
        filter.team = query["team"]
        filter.repository = query["repository"]
        filter.rule = query["rule"]
        filter.cve = query["cve"]
        filter.unownedOnly = query["unowned"] == "true"
        if query["status"] == "active" {
            filter.activeOnly = true
        } else if let status = query["status"] {
            guard let parsed = FindingStatus(rawValue: status) else {
                throw ServiceError(.invalidInput, "unknown status '\(status)'", file: "query", place: "status")
            }
            filter.status = parsed
        }
        if let severity = query["severity"] {
            guard let parsed = Severity(rawValue: severity) else {
                throw ServiceError(.invalidInput, "unknown severity '\(severity)'", file: "query", place: "severity")
            }
            filter.severity = parsed
        }
        var listing = FindingListRequest(filter: filter, cursor: query["cursor"], limit: 50)
        if let sort = query["sort"] {
            guard let parsed = FindingSort(rawValue: sort) else {
                throw ServiceError(
                    .invalidInput, "unknown sort '\(sort)'; one of \(FindingSort.allCases.map(\.rawValue))",
                    file: "query", place: "sort")
            }
            listing.sort = parsed
        }
        if let limit = query["limit"] {
            guard let number = Int(limit), (1...1_000).contains(number) else {
                throw ServiceError(.invalidInput, "limit must be 1 to 1000", file: "query", place: "limit")
            }
            listing.limit = number
        }
        listing = try service.scoped(listing, for: principal)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("findings")
        writer.beginArray()
        let summary = try service.forEachFinding(listing) { Wire.finding($0, into: &writer) }
        writer.endArray()
        writer.key("next_cursor")
        if let next = summary.nextCursor { writer.string(next) } else { writer.null() }
        writer.endObject()
        writer.bytes.append(10)
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: writer.bytes)
    }

    /// `GET /api/v1/metrics?team=|unit=&since=&until=&by=`: docs/metrics.md's JSON.
    func metrics(_ request: HTTPRequest, as principal: Principal) throws(ServiceError) -> HTTPResponse {
        let query = request.query
        var metrics = MetricsRequest()
        if let team = query["team"] {
            metrics.scope = .team(team)
        } else if let unit = query["unit"] {
            metrics.scope = .unit(unit)
        }
        (metrics.since, metrics.until) = try Self.period(request)
        if let by = query["by"] {
            guard let breakdown = MetricsRequest.Breakdown(rawValue: by) else {
                throw ServiceError(.invalidInput, "unknown breakdown '\(by)'", file: "query", place: "by")
            }
            metrics.breakdown = breakdown
        }
        return .json(200, Wire.metricsReport(try service.metrics(metrics, by: principal)).text + "\n")
    }
}

/// The structured request log: one JSON line per request (time, principal, method, path,
/// status, duration), never a token or a query's values.
public final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private let write: (String) -> Void

    public init(write: @escaping (String) -> Void) { self.write = write }

    func record(_ request: HTTPRequest, status: Int, principal: String?, seconds: Double) {
        let line = JSONText.Value.object([
            ("time", .string(Timestamp.string(Date()))), ("principal", .optional(principal)),
            ("method", .string(request.method)), ("path", .string(request.path)), ("status", .int(Int64(status))),
            ("duration_ms", .double((seconds * 1e5).rounded() / 100)),
        ]).text
        lock.lock()
        defer { lock.unlock() }
        write(line + "\n")
    }
}

extension API {
    /// `POST /api/v1/ingest?repository=&branch=&commit=&scope=full|partial&name=&scan_date=`: the
    /// body is one report (gzip or not), or a `multipart/form-data` form whose `file` is the
    /// report, `codeowners` the repository's CODEOWNERS, and whose other fields may stand for
    /// the query's. Read like `custody ingest`, in one transaction.
    func ingest(_ request: HTTPRequest, as principal: Principal) throws(ServiceError) -> HTTPResponse {
        var parameters = request.query
        var name = parameters["name"] ?? "upload"
        var report = request.body
        var codeowners: String?
        if let boundary = MultipartForm.boundary(ofContentType: request.header("content-type")) {
            let form = try MultipartForm(body: request.body, boundary: boundary)
            guard let file = form.part("file") else {
                throw ServiceError(
                    .invalidInput, "the form has no 'file' part (the report)", file: "body", place: "file")
            }
            report = file.bytes
            name = file.fileName.map { ($0 as NSString).lastPathComponent } ?? name
            codeowners = form.part("codeowners")?.text
            for field in ["repository", "branch", "commit", "scope", "scan_date", "name"] {
                if let value = form.field(field) { parameters[field] = value }
            }
            if let given = form.field("name") { name = given }
        }
        guard !report.isEmpty else { throw ServiceError(.invalidInput, "the report is empty", file: "body") }
        guard !name.contains("/"), !name.isEmpty, name.count <= 200 else {
            throw ServiceError(.invalidInput, "name is a file name, not a path", file: "query", place: "name")
        }
        var ingest = IngestRequest(inputs: [.bytes(name: name, report)])
        ingest.readsServerFiles = false
        ingest.sentCodeowners = codeowners
        ingest.repository = parameters["repository"]
        ingest.branch = parameters["branch"]
        ingest.commit = parameters["commit"]
        if let scope = parameters["scope"] {
            guard let parsed = ScanScope(rawValue: scope) else {
                throw ServiceError(.invalidInput, "scope is full or partial", file: "query", place: "scope")
            }
            ingest.scope = parsed
        }
        if let date = parameters["scan_date"] {
            guard let parsed = Timestamp.date(date) else {
                throw ServiceError(.invalidInput, "scan_date needs a time", file: "query", place: "scan_date")
            }
            ingest.scanDate = parsed
        }
        switch try ingests.run({ () throws(ServiceError) in try service.ingest(ingest, by: principal) }) {
        case .scans(let summary, let warnings, let map):
            return .json(200, Wire.ingestSummary(summary, warnings: warnings, ownershipMap: map).text + "\n")
        case .vex(let summary):
            return .json(200, Wire.vexSummary(summary).text + "\n")
        }
    }

    /// `POST /api/v1/findings/{id}/acknowledge|reopen|false-positive|accept-risk` with a JSON body
    /// `{"reason": ..., "justification": ..., "until": ..., "approver": ...}`: the change, in the
    /// ledger under the token's principal.
    func act(_ id: Int64, _ verb: String, _ request: HTTPRequest, as principal: Principal) throws(ServiceError)
        -> HTTPResponse
    {
        let body: JSONValue
        do {
            body = try JSONDocument(bytes: request.body.isEmpty ? Array("{}".utf8) : request.body).root
        } catch {
            throw ServiceError(.invalidInput, "the body is not JSON: \(error)", file: "body")
        }
        func text(_ key: StaticString) -> String? { body[key]?.string }
        let action: LifecycleAction
        switch verb {
        case "acknowledge": action = .acknowledge
        case "reopen": action = .reopen
        case "false-positive": action = .falsePositive(justification: text("justification") ?? "")
        case "accept-risk": action = .acceptRisk(until: text("until") ?? "", approver: text("approver") ?? "")
        default: throw ServiceError(.notFound, "no action '\(verb)'")
        }
        // A team's principal acts on what it may see: another team's finding is not found.
        _ = try service.finding(id, by: principal)
        let response = try service.transition(
            TransitionRequest(selection: .ids([id]), action: action, reason: text("reason") ?? ""), by: principal)
        return .json(
            200,
            JSONText.Value.object([
                ("status", .string(response.target.rawValue)), ("changed", .array(response.changed.map { .int($0) })),
            ]).text + "\n")
    }
}
