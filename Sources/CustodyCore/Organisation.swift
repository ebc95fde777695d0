/// An org unit: state, agency, department... Units nest through `parentID`.
public struct OrgUnit: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var parentID: String?
    public var head: String?

    public init(id: String, name: String, parentID: String? = nil, head: String? = nil) {
        self.id = id
        self.name = name
        self.parentID = parentID
        self.head = head
    }
}

/// An engineering team, accountable for what it owns.
public struct Team: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var unitID: String?
    public var lead: String?
    /// The CODEOWNERS handles (`@org/team`, `@user`, e-mail) that mean this team.
    public var handles: [String]
    /// Who is in the team (e-mail addresses or catalog user names).
    public var members: [String] = []
    /// Where the team is reached: `slack:#payments`, `email:payments@example.gov`, a webhook URL.
    public var channels: [String] = []
    /// Who is told after the lead when a finding overruns its due date, in order.
    public var escalation: [String] = []

    public init(
        id: String, name: String, unitID: String? = nil, lead: String? = nil, handles: [String] = [],
        members: [String] = [], channels: [String] = [], escalation: [String] = []
    ) {
        self.id = id
        self.name = name
        self.unitID = unitID
        self.lead = lead
        self.handles = handles
        self.members = members
        self.channels = channels
        self.escalation = escalation
    }
}

/// The organisation a deployment knows: units and teams.
public struct Organisation: Sendable, Equatable {
    public var units: [OrgUnit]
    public var teams: [Team]
    /// Ownership beyond CODEOWNERS: repositories, packages, images, hosts, catalog components.
    public var assetRules: [AssetRule]

    public init(units: [OrgUnit] = [], teams: [Team] = [], assetRules: [AssetRule] = []) {
        self.units = units
        self.teams = teams
        self.assetRules = assetRules
    }

    /// Teams by id (the first of a repeated id).
    public var teamsByID: [String: Team] {
        Dictionary(teams.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// This organisation with `other`'s units, teams and rules added; on equal ids `other` wins.
    public func merged(with other: Organisation) -> Organisation {
        var result = self
        for unit in other.units {
            if let index = result.units.firstIndex(where: { $0.id == unit.id }) {
                result.units[index] = unit
            } else {
                result.units.append(unit)
            }
        }
        for team in other.teams {
            if let index = result.teams.firstIndex(where: { $0.id == team.id }) {
                result.teams[index] = team
            } else {
                result.teams.append(team)
            }
        }
        result.assetRules += other.assetRules
        return result
    }

    /// Checks references: unique ids, known parents and units, no cycles, no handle claimed twice.
    public func validate(file: String) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func fail(_ place: String, _ message: String) {
            problems.append(Diagnostic(file: file, place: place, message: message))
        }
        var unitIDs = Set<String>()
        for (i, unit) in units.enumerated() where !unitIDs.insert(unit.id).inserted {
            fail("units[\(i)].id", "duplicate unit id '\(unit.id)'")
        }
        let parents = Dictionary(units.map { ($0.id, $0.parentID) }, uniquingKeysWith: { a, _ in a })
        for (i, unit) in units.enumerated() {
            if let parent = unit.parentID, !unitIDs.contains(parent) {
                fail("units[\(i)].parent", "unknown parent unit '\(parent)'")
            }
            var seen: Set<String> = [unit.id]
            var current = unit.parentID
            while let next = current {
                if !seen.insert(next).inserted {
                    fail("units[\(i)].parent", "unit '\(unit.id)' is its own ancestor")
                    break
                }
                current = parents[next] ?? nil
            }
        }
        var teamIDs = Set<String>()
        var handleOwners: [String: String] = [:]
        for (i, team) in teams.enumerated() {
            if !teamIDs.insert(team.id).inserted { fail("teams[\(i)].id", "duplicate team id '\(team.id)'") }
            if let unit = team.unitID, !unitIDs.contains(unit) {
                fail("teams[\(i)].unit", "unknown unit '\(unit)'")
            }
            for handle in team.handles {
                let key = handle.lowercased()
                if let other = handleOwners[key], other != team.id {
                    fail("teams[\(i)].handles", "handle '\(handle)' already belongs to team '\(other)'")
                }
                handleOwners[key] = team.id
            }
        }
        for (i, rule) in assetRules.enumerated() where !teamIDs.contains(rule.team) {
            fail(rule.line.map { "line \($0)" } ?? "assets[\(i)]", "asset rule names unknown team '\(rule.team)'")
        }
        return problems
    }
}
