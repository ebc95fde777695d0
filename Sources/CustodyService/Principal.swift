/// Who acts: every mutating operation takes one, and records its name in the ledger.
///
/// The CLI's principal is `--actor`, else the login name; the API's will come from its token,
/// with the role and the teams the token may act for.
public struct Principal: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        /// Finds, uploads, arbitrates and sets policy: every operation.
        case security
        /// A member of an engineering team: reads and acts on its own teams' findings only.
        case team
        /// A team's lead: a member, who may also accept its teams' risk as the SLA policy's
        /// approvers allow (a team member may not).
        case lead
        /// Reads across the organisation, changes nothing.
        case executive
        /// Reads and verifies the ledger, changes nothing.
        case auditor
        /// A pipeline's token: ingests reports and asks the release gate; reads no finding.
        case uploader
        /// A local operator (the CLI): every operation.
        case administrator
    }

    public var name: String
    public var role: Role
    /// The teams a scoped principal sees and acts for: a team or lead principal's own teams,
    /// or every team in a unit-scoped principal's units (and the units below them).
    public var teams: Set<String>
    /// The org units the principal is scoped to; empty: the whole organisation.
    public var units: Set<String>

    public init(name: String, role: Role = .administrator, teams: Set<String> = [], units: Set<String> = []) {
        self.name = name
        self.role = role
        self.teams = teams
        self.units = units
    }

    // What each role may do: the one table every door (CLI, API, dashboard) asks, through the
    // service. docs/api.md has it as a table.

    /// Bound to its teams (a team member or lead): sees and changes its teams' findings only.
    public var isTeamBound: Bool { role == .team || role == .lead }

    /// Scoped to some teams (its own, or its units'): sees and changes their findings only,
    /// and nothing that spans the organisation (the unowned queue, the ledger's export,
    /// tokens, policy).
    public var isScoped: Bool { isTeamBound || !units.isEmpty }

    /// May it change findings (lifecycle, transfers)?
    public var mayChange: Bool { [.security, .team, .lead, .administrator].contains(role) }

    /// May it send reports (and ask the release gate)?
    public var mayIngest: Bool { [.security, .team, .lead, .uploader, .administrator].contains(role) }

    /// May it read findings one by one? Executives see aggregates only, uploaders nothing.
    public var readsFindings: Bool { [.security, .team, .lead, .auditor, .administrator].contains(role) }

    /// May it read aggregates (metrics, reports, the organisation)? All but uploaders.
    public var readsAggregates: Bool { role != .uploader }

    /// May it accept risk? Leads for their teams, the security team for any.
    public var mayAcceptRisk: Bool { [.security, .lead, .administrator].contains(role) }
}
