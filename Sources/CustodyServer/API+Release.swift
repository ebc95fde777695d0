import CustodyCore
import CustodyJSON
import CustodyReports
import CustodyService
import Foundation

/// The API's routes for pipelines and the clock: the release gate, a team's scorecard, the tick.
extension API {
    /// The response of `/api/v1/gate`, `/api/v1/teams/{id}/scorecard` or `/api/v1/tick`, or nil.
    func release(_ request: HTTPRequest, _ parts: [String], as principal: Principal) throws(ServiceError)
        -> HTTPResponse?
    {
        switch (request.method, parts) {
        case ("POST", ["gate"]):
            // `{"repository": ..., "commit": ..., "warn_only": false}`: 200 pass or warn, 409 block.
            let body = try Self.jsonBody(request.body)
            let gate = GateRequest(
                repository: body["repository"]?.string ?? "", commit: body["commit"]?.string ?? "",
                warnOnly: body["warn_only"]?.bool ?? false)
            let decision = try service.gate(gate, by: principal)
            return .json(decision.outcome == .block ? 409 : 200, Wire.gateDecision(decision).text + "\n")
        case ("GET", let path) where path.count == 3 && path[0] == "teams" && path[2] == "scorecard":
            let (since, until) = try Self.period(request)
            let card = try service.scorecard(team: path[1], since: since, until: until, by: principal)
            return Self.ok(
                .object([
                    ("team", .string(card.team.id)), ("name", .string(card.team.name)),
                    ("unit", .optional(card.unit?.id)), ("lead", .optional(card.team.lead)),
                    ("metrics", Wire.metricsReport(card.metrics)),
                    ("most_urgent", .array(card.mostUrgent.map { .int($0.id) })),
                ]))
        case ("GET", ["reports", "board"]):
            let (since, until) = try Self.period(request)
            let report = try service.boardReport(since: since, until: until, by: principal)
            return Self.report(
                BoardReportPage.render(report, organisationName: request.query["title"] ?? "The organisation"))
        case ("GET", let path) where path.count == 3 && path[0] == "reports" && path[1] == "teams":
            let (since, until) = try Self.period(request)
            return Self.report(
                TeamReportPage.render(try service.teamReport(team: path[2], since: since, until: until, by: principal)))
        case ("POST", ["tick"]):
            let result = try service.tick(now: Date(), by: principal)
            return Self.ok(
                .object([
                    ("reopened", .array(result.reopened.map { .int($0) })),
                    ("escalation_steps", .int(Int64(result.escalationSteps))),
                ]))
        default:
            return nil
        }
    }

    /// The period a request names with `since` and `until` (each optional).
    static func period(_ request: HTTPRequest) throws(ServiceError) -> (since: Date?, until: Date?) {
        var period: (since: Date?, until: Date?) = (nil, nil)
        for name in ["since", "until"] {
            guard let value = request.query[name] else { continue }
            guard let date = Timestamp.date(value) else {
                throw ServiceError(
                    .invalidInput, "\(name) needs a time: 2026-11-24 or 2026-11-24T08:00:00Z", file: "query",
                    place: name)
            }
            if name == "since" { period.since = date } else { period.until = date }
        }
        return period
    }

    /// A report page: HTML with its own style and no script.
    static func report(_ html: String) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
            ], body: Array(html.utf8))
    }
}
