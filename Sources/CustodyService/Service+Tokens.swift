import CustodyCore
import CustodyStore
import Foundation

/// A request for an API token: its name, role, the teams a team token acts for, its expiry.
public struct TokenRequest: Sendable, Equatable {
    public var name: String
    public var role: Principal.Role
    public var teams: [String] = []
    /// The org units it is scoped to: it sees its units' teams' findings only (`--unit`).
    public var units: [String] = []
    public var expiresAt: Date?

    public init(
        name: String, role: Principal.Role, teams: [String] = [], units: [String] = [], expiresAt: Date? = nil
    ) {
        self.name = name
        self.role = role
        self.teams = teams
        self.units = units
        self.expiresAt = expiresAt
    }
}

extension CustodyService {
    /// Makes a token and returns it with its record: the token itself is shown this once and
    /// kept only as its SHA-256. The security team (or the local operator) makes tokens; a team
    /// token names at least one existing team.
    public func createToken(_ request: TokenRequest, now: Date = Date(), by principal: Principal) throws(ServiceError)
        -> (token: String, record: TokenRow)
    {
        try authorizeSecurity(principal, "make API tokens")
        let units = Set(request.units).sorted()
        let name = request.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100, !name.contains(",") else {
            throw ServiceError(.invalidInput, "a token needs a name of 1 to 100 characters, without commas")
        }
        let teams = Set(request.teams).sorted()
        if request.role == .team || request.role == .lead {
            guard !teams.isEmpty else { throw ServiceError(.invalidInput, "a team token names its teams (--team)") }
            let known = try organisation().teamsByID
            if let unknown = teams.first(where: { known[$0] == nil }) {
                throw ServiceError(.notFound, "no team '\(unknown)'")
            }
            guard units.isEmpty else {
                throw ServiceError(.invalidInput, "a team or lead token is scoped by its teams, not by units")
            }
        } else if !teams.isEmpty {
            throw ServiceError(.invalidInput, "only a team token names teams")
        }
        if !units.isEmpty {
            let known = Set(try organisation().units.map(\.id))
            if let unknown = units.first(where: { !known.contains($0) }) {
                throw ServiceError(.notFound, "no org unit '\(unknown)'")
            }
        }
        if let expiry = request.expiresAt, expiry <= now {
            throw ServiceError(.invalidInput, "the token would have expired already (\(Timestamp.string(expiry)))")
        }
        let secret = Self.secret(prefix: "cst_")
        let store = try store()
        let record = try perform {
            try store.createToken(
                name: name, role: request.role.rawValue, teams: teams, units: units, hash: SHA256.hex(secret),
                expiresAt: request.expiresAt.map(Timestamp.string), actor: principal.name, now: now)
        }
        return (secret, record)
    }

    public func tokens(by principal: Principal) throws(ServiceError) -> [TokenRow] {
        try authorizeSecurity(principal, "list API tokens")
        let store = try store()
        return try perform { try store.tokens() }
    }

    public func revokeToken(name: String, now: Date = Date(), by principal: Principal) throws(ServiceError) {
        try authorizeSecurity(principal, "revoke API tokens")
        let store = try store()
        guard try perform({ try store.revokeToken(name: name, now: now) }) else {
            throw ServiceError(.notFound, "no token '\(name)' that is not revoked already")
        }
    }

    /// Who a bearer token speaks for. Unknown, expired and revoked tokens are all
    /// `unauthenticated`, with the same words (an attacker learns nothing about which).
    public func authenticate(token: String, now: Date = Date()) throws(ServiceError) -> Principal {
        try authenticatedToken(token, now: now).principal
    }

    /// The record of a bearer token and whom it speaks for (see ``authenticate(token:now:)``).
    func authenticatedToken(_ token: String, now: Date) throws(ServiceError) -> (
        record: TokenRow, principal: Principal
    ) {
        let refused = ServiceError(.unauthenticated, "a valid API token is needed (Authorization: Bearer TOKEN)")
        guard token.hasPrefix("cst_"), token.utf8.count == 68 else { throw refused }
        let store = try store()
        guard let record = try perform({ try store.token(hash: SHA256.hex(token), now: now) }) else { throw refused }
        return (record, try principal(of: record, now: now, refused: refused))
    }

    /// A new secret: `prefix` and 32 random bytes in hex (68 characters for a 4-character prefix).
    static func secret(prefix: String) -> String {
        var random = SystemRandomNumberGenerator()
        return prefix + SHA256.hexString((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
    }

    /// The principal a token record stands for, refused (`refused`) when it is revoked, expired
    /// or of a role no longer known.
    func principal(of record: TokenRow, now: Date, refused: ServiceError) throws(ServiceError) -> Principal {
        guard record.revokedAt == nil, let role = Principal.Role(rawValue: record.role) else { throw refused }
        if let expiry = record.expiresAt.flatMap(Timestamp.date), expiry <= now { throw refused }
        guard !record.units.isEmpty else {
            return Principal(name: "token:" + record.name, role: role, teams: Set(record.teams))
        }
        // A unit-scoped token acts for every team in its units and below them, as the
        // organisation is now: a unit removed since leaves it fewer teams, never more.
        let organisation = try organisation()
        var below: Set<String> = []
        for unit in record.units { below.formUnion(Self.units(under: unit, in: organisation)) }
        let teams = organisation.teams.filter { $0.unitID.map(below.contains) ?? false }.map(\.id)
        return Principal(name: "token:" + record.name, role: role, teams: Set(teams), units: below)
    }
}
