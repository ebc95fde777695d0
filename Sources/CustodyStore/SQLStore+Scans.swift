import CustodyCore

extension SQLStore {
    /// Recorded scans, newest first: of one repository, or all.
    public func scans(repository: String?, limit: Int) throws -> [ScanRow] {
        try locked {
            var sql = """
                SELECT id, tool, tool_version, format, source_file, repository, branch, commit_sha, scope, uploader,
                       started_at, finding_count, release
                FROM scans
                """
            var values: [SQLValue] = []
            if let repository {
                sql += " WHERE repository = ?"
                values.append(.text(repository))
            }
            sql += " ORDER BY id DESC LIMIT ?"
            values.append(.integer(Int64(limit)))
            return try connection.statement(sql).rows(values) { row in
                ScanRow(
                    id: try row.int("id"), tool: try row.text("tool") ?? "", toolVersion: try row.text("tool_version"),
                    format: try row.text("format") ?? "", sourceFile: try row.text("source_file") ?? "",
                    repository: try row.text("repository"), branch: try row.text("branch"),
                    commit: try row.text("commit_sha"), scope: try row.text("scope") ?? "",
                    uploader: try row.text("uploader") ?? "", startedAt: try row.text("started_at") ?? "",
                    findings: Int(try row.int("finding_count")), release: try row.text("release"))
            }
        }
    }
}
