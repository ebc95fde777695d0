import CustodyCore
import Foundation

/// A repository the server may read: a local clone or mirror, registered by the security team.
public struct RepositoryRow: Sendable, Equatable {
    public var name: String
    public var path: String
    public var addedAt: String
    public var addedBy: String
}

/// The CODEOWNERS text last applied to a repository's findings, for uploads that send none.
public struct OwnershipMapRow: Sendable, Equatable {
    public var repository: String
    /// What the map is called in the ownership history (`CODEOWNERS at 1a2b3c`).
    public var name: String
    public var text: String
    public var recordedAt: String
}

/// An upload answered later by its id (GitHub's SARIF uploads): its status and errors.
public struct UploadRow: Sendable, Equatable {
    public var id: String
    public var repository: String
    public var commitSHA: String?
    public var ref: String?
    /// `complete` or `failed`.
    public var status: String
    /// The errors, one a line.
    public var errors: [String]
    /// The ingest's summary as JSON (empty when it failed).
    public var summary: String
    public var createdAt: String
    public var createdBy: String

    public init(
        id: String, repository: String, commitSHA: String?, ref: String?, status: String, errors: [String],
        summary: String, createdAt: String, createdBy: String
    ) {
        self.id = id
        self.repository = repository
        self.commitSHA = commitSHA
        self.ref = ref
        self.status = status
        self.errors = errors
        self.summary = summary
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// A named context a DefectDojo client looks up or makes before it imports: a product type, a
/// product, an engagement or a test, each under its parent (0 for a product type).
public struct ImportContextRow: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var name: String
    public var parent: Int64
    /// The context's other fields as a JSON object (a test's scan type, an engagement's commit).
    public var attributes: String
    public var createdAt: String
}

extension SQLStore {
    // MARK: Registered repositories

    /// Registers (or moves) a repository's clone.
    public func addRepository(name: String, path: String, actor: String, now: Date) throws {
        try locked {
            try connection.transaction {
                try connection.statement(
                    """
                    INSERT INTO repositories (name, path, added_at, added_by) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET path = excluded.path, added_at = excluded.added_at,
                        added_by = excluded.added_by
                    """
                ).run([.text(name), .text(path), .text(Timestamp.string(now)), .text(actor)])
            }
        }
    }

    public func removeRepository(name: String) throws -> Bool {
        try locked {
            try connection.transaction {
                !(try connection.statement("DELETE FROM repositories WHERE name = ? RETURNING name")
                    .rows([.text(name)]) { $0.text(0) }).isEmpty
            }
        }
    }

    public func repositories() throws -> [RepositoryRow] {
        try locked {
            try connection.statement("SELECT name, path, added_at, added_by FROM repositories ORDER BY name")
                .rows([], repositoryRow)
        }
    }

    public func repository(named name: String) throws -> RepositoryRow? {
        try locked {
            try connection.statement("SELECT name, path, added_at, added_by FROM repositories WHERE name = ?")
                .rows([.text(name)], repositoryRow).first
        }
    }

    func repositoryRow(_ row: any SQLRow) throws -> RepositoryRow {
        RepositoryRow(
            name: try row.text("name") ?? "", path: try row.text("path") ?? "",
            addedAt: try row.text("added_at") ?? "", addedBy: try row.text("added_by") ?? "")
    }

    // MARK: Ownership maps

    /// The CODEOWNERS text last applied to `repository`'s findings.
    /// The commit of the latest scan that saw a finding, and the line it saw it at.
    public func latestSighting(findingID: Int64) throws -> (commit: String?, line: Int?)? {
        try locked {
            try connection.statement(
                """
                SELECT s.commit_sha AS commit_sha, si.line AS line FROM sightings si JOIN scans s ON s.id = si.scan_id
                WHERE si.finding_id = ? ORDER BY s.started_at DESC, s.id DESC LIMIT 1
                """
            ).rows([.integer(findingID)]) { row -> (commit: String?, line: Int?) in
                let line = try row.column("line")
                return (commit: try row.text("commit_sha"), line: row.isNull(line) ? nil : Int(row.int(line)))
            }.first
        }
    }

    public func lastOwnershipMap(repository: String) throws -> OwnershipMapRow? {
        try locked {
            try connection.statement(
                "SELECT repository, name, text, recorded_at FROM ownership_maps WHERE repository = ?"
            ).rows([.text(repository)]) { row in
                OwnershipMapRow(
                    repository: try row.text("repository") ?? "", name: try row.text("name") ?? "",
                    text: try row.text("text") ?? "", recordedAt: try row.text("recorded_at") ?? "")
            }.first
        }
    }

    // MARK: Uploads

    public func recordUpload(_ upload: UploadRow) throws {
        try locked {
            try connection.transaction {
                try connection.statement(
                    """
                    INSERT INTO uploads (id, repository, commit_sha, ref, status, errors, summary, created_at,
                        created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
                ).run([
                    .text(upload.id), .text(upload.repository), .optional(upload.commitSHA), .optional(upload.ref),
                    .text(upload.status), .text(upload.errors.joined(separator: "\n")), .text(upload.summary),
                    .text(upload.createdAt), .text(upload.createdBy),
                ])
            }
        }
    }

    public func upload(id: String) throws -> UploadRow? {
        try locked {
            try connection.statement(
                """
                SELECT id, repository, commit_sha, ref, status, errors, summary, created_at, created_by
                FROM uploads WHERE id = ?
                """
            ).rows([.text(id)]) { row in
                let errors = try row.text("errors") ?? ""
                return UploadRow(
                    id: try row.text("id") ?? "", repository: try row.text("repository") ?? "",
                    commitSHA: try row.text("commit_sha"), ref: try row.text("ref"),
                    status: try row.text("status") ?? "",
                    errors: errors.isEmpty ? [] : errors.split(separator: "\n").map(String.init),
                    summary: try row.text("summary") ?? "", createdAt: try row.text("created_at") ?? "",
                    createdBy: try row.text("created_by") ?? "")
            }.first
        }
    }

    // MARK: Import contexts

    static let importContextColumns = "id, kind, name, parent, attributes, created_at"

    func importContextRow(_ row: any SQLRow) throws -> ImportContextRow {
        ImportContextRow(
            id: try row.int("id"), kind: try row.text("kind") ?? "", name: try row.text("name") ?? "",
            parent: try row.int("parent"), attributes: try row.text("attributes") ?? "{}",
            createdAt: try row.text("created_at") ?? "")
    }

    /// The contexts of `kind`, those named `name` and under `parent` when given, by id.
    public func importContexts(
        kind: String, name: String? = nil, parent: Int64? = nil, limit: Int = 1_000, offset: Int = 0
    ) throws -> [ImportContextRow] {
        try locked {
            var sql = "SELECT \(Self.importContextColumns) FROM import_contexts WHERE kind = ?"
            var values: [SQLValue] = [.text(kind)]
            if let name {
                sql += " AND name = ?"
                values.append(.text(name))
            }
            if let parent {
                sql += " AND parent = ?"
                values.append(.integer(parent))
            }
            sql += " ORDER BY id LIMIT ? OFFSET ?"
            values += [.integer(Int64(limit)), .integer(Int64(offset))]
            return try connection.statement(sql).rows(values, importContextRow)
        }
    }

    public func importContext(id: Int64) throws -> ImportContextRow? {
        try locked {
            try connection.statement("SELECT \(Self.importContextColumns) FROM import_contexts WHERE id = ?")
                .rows([.integer(id)], importContextRow).first
        }
    }

    /// The context of `kind` named `name` under `parent`, made when there is none.
    public func findOrCreateImportContext(
        kind: String, name: String, parent: Int64, attributes: String, now: Date
    ) throws -> (row: ImportContextRow, created: Bool) {
        try locked {
            try connection.transaction {
                let select =
                    "SELECT \(Self.importContextColumns) FROM import_contexts WHERE kind = ? AND parent = ? AND name = ?"
                let key: [SQLValue] = [.text(kind), .integer(parent), .text(name)]
                if let found = try connection.statement(select).rows(key, importContextRow).first {
                    return (found, false)
                }
                let id = try connection.statement(
                    "INSERT INTO import_contexts (kind, name, parent, attributes, created_at) VALUES (?, ?, ?, ?, ?)"
                ).insert([.text(kind), .text(name), .integer(parent), .text(attributes), .text(Timestamp.string(now))])
                return (
                    try connection.statement("SELECT \(Self.importContextColumns) FROM import_contexts WHERE id = ?")
                        .rows([.integer(id)], importContextRow)[0], true
                )
            }
        }
    }

    /// Replaces a context's attributes (DefectDojo's PATCH of an engagement's commit and branch).
    public func updateImportContext(id: Int64, attributes: String) throws -> Bool {
        try locked {
            try connection.transaction {
                !(try connection.statement("UPDATE import_contexts SET attributes = ? WHERE id = ? RETURNING id")
                    .rows([.text(attributes), .integer(id)]) { try $0.int("id") }).isEmpty
            }
        }
    }
}
