import CustodyCore
import Foundation

/// An API token as stored: never the token, only its SHA-256.
public struct TokenRow: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: String
    public var teams: [String]
    /// The org units it is scoped to (empty: the whole organisation).
    public var units: [String]
    public var createdAt: String
    public var createdBy: String
    public var expiresAt: String?
    public var lastUsedAt: String?
    public var revokedAt: String?
}

extension SQLStore {
    static let tokenColumns =
        "id, name, role, teams, units, created_at, created_by, expires_at, last_used_at, revoked_at"

    func tokenRow(_ row: any SQLRow) throws -> TokenRow {
        TokenRow(
            id: try row.int("id"), name: try row.text("name") ?? "", role: try row.text("role") ?? "",
            teams: (try row.text("teams") ?? "").split(separator: ",").map(String.init),
            units: (try row.text("units") ?? "").split(separator: ",").map(String.init),
            createdAt: try row.text("created_at") ?? "", createdBy: try row.text("created_by") ?? "",
            expiresAt: try row.text("expires_at"), lastUsedAt: try row.text("last_used_at"),
            revokedAt: try row.text("revoked_at"))
    }

    /// Records a token by its hash; a name already taken is refused.
    public func createToken(
        name: String, role: String, teams: [String], units: [String] = [], hash: String, expiresAt: String?,
        actor: String, now: Date
    ) throws -> TokenRow {
        try locked {
            try connection.transaction {
                let taken = try connection.statement("SELECT 1 FROM tokens WHERE name = ?").rows([.text(name)]) { _ in 1
                }
                guard taken.isEmpty else { throw StoreRefusal(.conflict, "a token named '\(name)' exists") }
                let id = try connection.statement(
                    """
                    INSERT INTO tokens (name, role, teams, units, token_hash, created_at, created_by, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
                ).insert([
                    .text(name), .text(role), .text(teams.joined(separator: ",")),
                    .text(units.joined(separator: ",")), .text(hash),
                    .text(Timestamp.string(now)), .text(actor), .optional(expiresAt),
                ])
                return try connection.statement("SELECT \(Self.tokenColumns) FROM tokens WHERE id = ?")
                    .rows([.integer(id)], tokenRow)[0]
            }
        }
    }

    public func tokens() throws -> [TokenRow] {
        try locked {
            try connection.statement("SELECT \(Self.tokenColumns) FROM tokens ORDER BY id").rows([], tokenRow)
        }
    }

    /// Marks a token revoked; returns false when no token has that name (or it was revoked).
    public func revokeToken(name: String, now: Date) throws -> Bool {
        try locked {
            try connection.transaction {
                let revoked = try connection.statement(
                    "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL RETURNING id"
                ).rows([.text(Timestamp.string(now)), .text(name)]) { $0.int(0) }
                return !revoked.isEmpty
            }
        }
    }

    /// The token with this hash, its last use set to `now` (at most once a minute, so that reads
    /// do not all write).
    public func token(hash: String, now: Date) throws -> TokenRow? {
        try locked {
            guard
                var token = try connection.statement("SELECT \(Self.tokenColumns) FROM tokens WHERE token_hash = ?")
                    .rows([.text(hash)], tokenRow).first
            else { return nil }
            let stamp = Timestamp.string(now)
            if token.lastUsedAt.map({ Timestamp.date($0).map { now.timeIntervalSince($0) >= 60 } ?? true }) ?? true {
                try connection.statement("UPDATE tokens SET last_used_at = ? WHERE id = ?").run([
                    .text(stamp), .integer(token.id),
                ])
                token.lastUsedAt = stamp
            }
            return token
        }
    }
}
