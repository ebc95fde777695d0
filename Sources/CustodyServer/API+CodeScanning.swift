import CustodyCore
import CustodyJSON
import CustodyService
import Foundation

/// GitHub code scanning's upload API, so that `github/codeql-action/upload-sarif`, `gh api` and
/// other clients point at Custody by changing the base URL and the token:
/// `POST /repos/{owner}/{repo}/code-scanning/sarifs` and `GET .../sarifs/{id}`, also under
/// `/api/v3` as GitHub Enterprise Server serves them. Without GitHub's caps on runs and results.
enum CodeScanning {
    /// The route's parts: the repository `owner/repo` and the upload id, when the path is one.
    struct Route {
        var repository: String
        var upload: String?
    }

    static func route(_ parts: [String]) -> Route? {
        let rest = parts.starts(with: ["api", "v3"]) ? Array(parts.dropFirst(2)) : parts
        guard rest.count == 5 || rest.count == 6, rest[0] == "repos", rest[3] == "code-scanning",
            rest[4] == "sarifs"
        else { return nil }
        return Route(repository: "\(rest[1])/\(rest[2])", upload: rest.count == 6 ? rest[5] : nil)
    }

    /// The upload's processing as GitHub reports it.
    static func status(_ row: UploadRow, analysesURL: String) -> JSONText.Value {
        .object([
            ("processing_status", .string(row.status)), ("analyses_url", .string(analysesURL)),
            ("errors", row.errors.isEmpty ? .null : .strings(row.errors)),
        ])
    }
}

extension API {
    func codeScanning(_ request: HTTPRequest, _ route: CodeScanning.Route, as principal: Principal)
        throws(ServiceError) -> HTTPResponse
    {
        let base = "\(request.header("x-forwarded-proto") ?? "http")://\(request.header("host") ?? "localhost")"
        let prefix = request.path.hasPrefix("/api/v3/") ? "/api/v3" : ""
        let uploads = "\(base)\(prefix)/repos/\(route.repository)/code-scanning/sarifs"
        let analyses = "\(base)\(prefix)/repos/\(route.repository)/code-scanning/analyses"
        switch (request.method, route.upload) {
        case ("GET", let id?):
            let row = try service.upload(id: id, repository: route.repository, by: principal)
            return .json(200, CodeScanning.status(row, analysesURL: analyses).text + "\n")
        case ("POST", nil):
            let (ingest, ref) = try sarifUpload(request.body, repository: route.repository)
            let row = try ingests.run { () throws(ServiceError) in
                try service.trackedIngest(ingest, ref: ref, by: principal)
            }
            return .json(
                202,
                JSONText.Value.object([("id", .string(row.id)), ("url", .string("\(uploads)/\(row.id)"))]).text
                    + "\n")
        default:
            throw ServiceError(.notFound, "no route \(request.method) \(request.path)")
        }
    }

    /// The upload's JSON body (`commit_sha`, `ref`, `sarif` gzip then base64, `started_at`,
    /// `checkout_uri`, `tool_name`) as an ingest of the whole analysis of that ref: what it no
    /// longer reports is fixed, as GitHub closes alerts an analysis stops finding.
    func sarifUpload(_ body: [UInt8], repository: String) throws(ServiceError) -> (IngestRequest, ref: String) {
        let json: JSONValue
        do {
            json = try JSONDocument(bytes: body).root
        } catch {
            throw ServiceError(.invalidInput, "the body is not JSON: \(error)", file: "body")
        }
        func field(_ key: StaticString, required: Bool = true) throws(ServiceError) -> String? {
            let value = json[key]?.string
            if required, value?.isEmpty ?? true {
                throw ServiceError(.invalidInput, "'\(key)' is required", file: "body", place: "$.\(key)")
            }
            return value
        }
        let commit = try field("commit_sha")!
        guard commit.count == 40, commit.allSatisfy(\.isHexDigit) else {
            throw ServiceError(.invalidInput, "commit_sha is 40 hex digits", file: "body", place: "$.commit_sha")
        }
        let ref = try field("ref")!
        guard ref.hasPrefix("refs/"), ref.count <= 255 else {
            throw ServiceError(
                .invalidInput, "ref is refs/heads/<branch> or refs/pull/<n>/merge", file: "body", place: "$.ref")
        }
        let encoded = try field("sarif")!
        guard let bytes = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters), !bytes.isEmpty else {
            throw ServiceError(.invalidInput, "sarif is not base64", file: "body", place: "$.sarif")
        }
        guard bytes.starts(with: [0x1f, 0x8b]) else {
            throw ServiceError(
                .invalidInput, "sarif must be gzip-compressed, then base64-encoded", file: "body", place: "$.sarif")
        }
        let tool = (try field("tool_name", required: false)).map { $0.filter { $0.isLetter || $0.isNumber } } ?? ""
        var ingest = IngestRequest(inputs: [
            .bytes(name: tool.isEmpty ? "upload.sarif" : "\(tool).sarif", [UInt8](bytes))
        ])
        ingest.readsServerFiles = false
        ingest.repository = repository
        ingest.commit = commit
        ingest.branch = ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
        ingest.scope = .full
        if let started = try field("started_at", required: false) {
            guard let date = Timestamp.date(started) else {
                throw ServiceError(.invalidInput, "started_at is an ISO 8601 time", file: "body", place: "$.started_at")
            }
            ingest.scanDate = date
        }
        return (ingest, ref)
    }
}
