import CustodyCore
import CustodyJSON
import CustodyService
import Foundation

/// The API's other operations (docs/api.md): a finding's owner explained, its owner history and
/// trace; transfers; the unowned queue and assignment; priority; units; the ledger's export;
/// notification deliveries. Each calls the service as the token's principal, which decides who
/// may see or change what.
extension API {
    /// The response of a route under `/api/v1/` these operations serve, or nil when none does.
    func operation(_ request: HTTPRequest, _ parts: [String], as principal: Principal) throws(ServiceError)
        -> HTTPResponse?
    {
        switch (request.method, parts.count, parts.first ?? "") {
        case ("GET", 3, "findings") where ["explain", "history", "trace"].contains(parts[2]):
            let id = try Self.findingID(parts[1])
            switch parts[2] {
            case "explain": return Self.ok(Wire.explanation(try service.explainOwner(id, by: principal)))
            case "history": return Self.ok(.array(try service.ownerHistory(id, by: principal).map(Wire.ownerSpan)))
            default: return Self.ok(.array(try service.trace(id, by: principal).map(Wire.timelineEntry)))
            }
        case ("POST", 3, "findings") where parts[2] == "transfer":
            let body = try Self.jsonBody(request.body)
            guard let team = body["to"]?.string, !team.isEmpty else {
                throw ServiceError(.invalidInput, "'to' names the team asked to take it", file: "body", place: "$.to")
            }
            let input = TransferRequestInput(
                findingIDs: [try Self.findingID(parts[1])], step: .request(to: team), reason: body["reason"]?.string)
            return try transferred(input, as: principal)
        case ("POST", 1, "transfers"):
            let body = try Self.jsonBody(request.body)
            let ids = try Self.findingIDs(body)
            let to = body["to"]?.string
            let step: TransferStep
            switch body["step"]?.string ?? "" {
            case "request":
                guard let to, !to.isEmpty else {
                    throw ServiceError(.invalidInput, "a request names its team: 'to'", file: "body", place: "$.to")
                }
                step = .request(to: to)
            case "accept": step = .accept
            case "reject": step = .reject
            case "resolve": step = .resolve(to: to)
            default:
                throw ServiceError(
                    .invalidInput, "step is request, accept, reject or resolve", file: "body", place: "$.step")
            }
            return try transferred(
                TransferRequestInput(findingIDs: ids, step: step, reason: body["reason"]?.string), as: principal)
        case ("POST", 1, "findings:stream"):
            return try river(request, as: principal)
        case ("GET", 1, "transfers"):
            let pending = request.query["pending"] != "false"
            return Self.ok(.array(try service.transferRequests(pendingOnly: pending, by: principal).map(Wire.transfer)))
        case ("GET", 1, "unowned"):
            return Self.ok(.array(try service.unownedQueue(by: principal).map(Wire.unownedGroup)))
        case ("POST", 2, "unowned") where parts[1] == "assign":
            let body = try Self.jsonBody(request.body)
            guard let team = body["team"]?.string, !team.isEmpty else {
                throw ServiceError(.invalidInput, "'team' is the team made accountable", file: "body", place: "$.team")
            }
            let assign = AssignRequest(
                findingIDs: try Self.findingIDs(body), team: team, reason: body["reason"]?.string ?? "")
            let changed = try service.assignOwner(assign, by: principal)
            return Self.ok(.object([("team", .string(team)), ("changed", .int(Int64(changed)))]))
        case ("GET", 1, "priority"):
            let limit = try Self.limit(request.query["limit"], default: 50)
            let rows = try service.priority(team: request.query["team"], limit: limit, by: principal)
            return Self.ok(.array(rows.map(Wire.priority)))
        case ("GET", 1, "units"):
            return Self.ok(.array(try service.organisation(by: principal).units.map(Wire.unit)))
        case ("GET", 2, "ledger") where parts[1] == "export":
            let after = try request.query["after"].map { text throws(ServiceError) -> Int64 in
                guard let number = Int64(text), number >= 0 else {
                    throw ServiceError(.invalidInput, "after is a sequence number", file: "query", place: "after")
                }
                return number
            }
            // Streamed: a ledger of millions of events is never held whole.
            let service = service
            var response = HTTPResponse(status: 200, headers: [("Content-Type", "application/x-ndjson")])
            response.stream = { sink throws(ServiceError) in
                _ = try service.exportLedger(after: after ?? 0, to: sink, by: principal)
            }
            return response
        case ("GET", 2, "notify") where parts[1] == "deliveries":
            let state = try request.query["state"].map { text throws(ServiceError) -> DeliveryState in
                guard let state = DeliveryState(rawValue: text) else {
                    throw ServiceError(
                        .invalidInput, "state is pending, delivered or failed", file: "query", place: "state")
                }
                return state
            }
            let limit = try Self.limit(request.query["limit"], default: 100)
            return Self.ok(.array(try service.deliveries(state: state, limit: limit, by: principal).map(Wire.delivery)))
        default:
            return nil
        }
    }

    /// `POST /api/v1/findings:stream?tool=&repository=&branch=&commit=&batch=`: JSON Lines of
    /// findings in the generic format; the answer is JSON Lines too, one acknowledgement a batch.
    func river(_ request: HTTPRequest, as principal: Principal) throws(ServiceError) -> HTTPResponse {
        let query = request.query
        var river = RiverRequest(lines: request.body, tool: query["tool"] ?? "")
        river.repository = query["repository"]
        river.branch = query["branch"]
        river.commit = query["commit"]
        if let text = query["batch"] {
            guard let size = Int(text) else {
                throw ServiceError(.invalidInput, "batch is a number of findings", file: "query", place: "batch")
            }
            river.batchSize = size
        }
        var out: [UInt8] = []
        // A failure after batches committed answers its status with their acknowledgements
        // first and the error as the last line, so the client knows what is written.
        do {
            try ingests.run { () throws(ServiceError) in
                try service.ingestRiver(river, by: principal) { ack in
                    let refused: [JSONText.Value] = ack.refused.map {
                        .object([("line", .int(Int64($0.line))), ("reason", .string($0.reason))])
                    }
                    JSONText.Value.object([
                        ("batch", .int(Int64(ack.batch))), ("first_line", .int(Int64(ack.firstLine))),
                        ("last_line", .int(Int64(ack.lastLine))), ("new", .int(Int64(ack.new))),
                        ("seen", .int(Int64(ack.seen))), ("refused", .array(refused)),
                    ]).write(to: &out)
                    out.append(10)
                }
            }
        } catch  where !out.isEmpty {
            Wire.error(error).write(to: &out)
            out.append(10)
            return HTTPResponse(
                status: error.kind.httpStatus, headers: [("Content-Type", "application/x-ndjson")], body: out)
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/x-ndjson")], body: out)
    }

    func transferred(_ input: TransferRequestInput, as principal: Principal) throws(ServiceError) -> HTTPResponse {
        let changed = try service.transfer(input, by: principal)
        return Self.ok(.object([("changed", .array(changed.map { .int($0) }))]))
    }

    static func ok(_ value: JSONText.Value) -> HTTPResponse { .json(200, value.text + "\n") }

    static func findingID(_ text: String) throws(ServiceError) -> Int64 {
        guard let id = Int64(text), id > 0 else { throw ServiceError(.invalidInput, "'\(text)' is not a finding id") }
        return id
    }

    /// The body's `findings`: an array of finding ids.
    static func findingIDs(_ body: JSONValue) throws(ServiceError) -> [Int64] {
        guard let items = body["findings"]?.array else {
            throw ServiceError(
                .invalidInput, "'findings' is an array of finding ids", file: "body", place: "$.findings")
        }
        var ids: [Int64] = []
        for (index, item) in items.enumerated() {
            guard let id = item.int, id > 0, ids.count < 10_000 else {
                throw ServiceError(
                    .invalidInput, "a finding id is a positive number (at most 10,000 a request)", file: "body",
                    place: "$.findings[\(index)]")
            }
            ids.append(Int64(id))
        }
        return ids
    }

    static func limit(_ text: String?, default value: Int) throws(ServiceError) -> Int {
        guard let text else { return value }
        guard let number = Int(text), (1...1_000).contains(number) else {
            throw ServiceError(.invalidInput, "limit must be 1 to 1000", file: "query", place: "limit")
        }
        return number
    }
}
