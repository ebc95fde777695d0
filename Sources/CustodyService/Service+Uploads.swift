import CustodyCore
import CustodyStore
import Foundation

public typealias UploadRow = CustodyStore.UploadRow

extension CustodyService {
    /// Runs an ingest whose outcome the uploader asks for later by id (GitHub's SARIF uploads):
    /// a report that cannot be read (bad input, over a limit, older than the newest scan) is
    /// recorded as `failed` with its errors rather than thrown, as GitHub answers 202 and says
    /// so when polled. Who may ingest, and a database that is not there, still throw.
    public func trackedIngest(_ request: IngestRequest, ref: String?, by principal: Principal) throws(ServiceError)
        -> UploadRow
    {
        try authorizeIngest(principal, "ingest reports")
        var row = UploadRow(
            id: UUID().uuidString.lowercased(), repository: request.repository ?? "", commitSHA: request.commit,
            ref: ref, status: "complete", errors: [], summary: "", createdAt: Timestamp.string(Date()),
            createdBy: principal.name)
        do {
            switch try ingest(request, by: principal) {
            case .scans(let summary, let warnings, let map):
                row.summary = Wire.ingestSummary(summary, warnings: warnings, ownershipMap: map).text
            case .vex(let summary):
                row.summary = Wire.vexSummary(summary).text
            }
        } catch  where [.invalidInput, .limitExceeded, .refused, .conflict, .notFound].contains(error.kind) {
            row.status = "failed"
            var said = error
            if said.file == databasePath || said.file == Self.displayed(databasePath) { said.file = nil }
            row.errors = [said.description]
        }
        let store = try store()
        try perform { try store.recordUpload(row) }
        return row
    }

    /// A tracked upload of `repository` by its id. Its uploader, the security team and auditors
    /// see it; to anyone else it does not exist.
    public func upload(id: String, repository: String, by principal: Principal) throws(ServiceError) -> UploadRow {
        let store = try store()
        let row = try perform { try store.upload(id: id) }
        let sees = [.security, .administrator, .auditor].contains(principal.role) || row?.createdBy == principal.name
        guard let row, row.repository == repository, sees else {
            throw ServiceError(.notFound, "no SARIF upload '\(id)' for \(repository)")
        }
        return row
    }
}
