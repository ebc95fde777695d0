import CustodyCore
import Foundation

/// A dashboard session as stored: never the cookie, only its SHA-256, and the token it came from.
public struct SessionRow: Sendable, Equatable {
    public var id: Int64
    public var tokenID: Int64
    public var createdAt: String
    public var expiresAt: String
    public var revokedAt: String?
}

extension SQLStore {
    static let sessionColumns = "id, token_id, created_at, expires_at, revoked_at"

    func sessionRow(_ row: any SQLRow) throws -> SessionRow {
        SessionRow(
            id: try row.int("id"), tokenID: try row.int("token_id"), createdAt: try row.text("created_at") ?? "",
            expiresAt: try row.text("expires_at") ?? "", revokedAt: try row.text("revoked_at"))
    }

    /// Records a session by its hash for the token `tokenID`.
    public func createSession(hash: String, tokenID: Int64, now: Date, expiresAt: Date) throws {
        try locked {
            try connection.transaction {
                _ = try connection.statement(
                    "INSERT INTO sessions (session_hash, token_id, created_at, expires_at) VALUES (?, ?, ?, ?)"
                ).insert([
                    .text(hash), .integer(tokenID), .text(Timestamp.string(now)), .text(Timestamp.string(expiresAt)),
                ])
            }
        }
    }

    /// The session with this hash and its token (nil: no such session).
    public func session(hash: String) throws -> (session: SessionRow, token: TokenRow)? {
        try locked {
            guard
                let session = try connection.statement(
                    "SELECT \(Self.sessionColumns) FROM sessions WHERE session_hash = ?"
                ).rows([.text(hash)], sessionRow).first,
                let token = try connection.statement("SELECT \(Self.tokenColumns) FROM tokens WHERE id = ?")
                    .rows([.integer(session.tokenID)], tokenRow).first
            else { return nil }
            return (session, token)
        }
    }

    /// Ends the session with this hash; false when there is none still open.
    public func revokeSession(hash: String, now: Date) throws -> Bool {
        try locked {
            try connection.transaction {
                !(try connection.statement(
                    "UPDATE sessions SET revoked_at = ? WHERE session_hash = ? AND revoked_at IS NULL RETURNING id"
                ).rows([.text(Timestamp.string(now)), .text(hash)]) { $0.int(0) }).isEmpty
            }
        }
    }
}
