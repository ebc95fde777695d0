/// Who acts: every mutating operation takes one, and records its name in the ledger.
///
/// The CLI's principal is `--actor`, else the login name; the API's will come from its token,
/// with the role and the teams the token may act for.
public struct Principal: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        /// Finds, uploads, arbitrates and sets policy: every operation.
        case security
        /// A member or lead of an engineering team.
        case team
        /// Reads across the organisation, changes nothing.
        case executive
        /// Reads and verifies the ledger, changes nothing.
        case auditor
        /// A local operator (the CLI): every operation.
        case administrator
    }

    public var name: String
    public var role: Role
    /// The teams a `.team` principal acts for; empty for the other roles.
    public var teams: Set<String>

    public init(name: String, role: Role = .administrator, teams: Set<String> = []) {
        self.name = name
        self.role = role
        self.teams = teams
    }

    /// May this principal change state at all?
    public var mayChange: Bool { role != .executive && role != .auditor }
}
