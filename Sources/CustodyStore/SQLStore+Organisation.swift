import CustodyCore
import Foundation

extension SQLStore {
    public func importOrganisation(_ organisation: Organisation, source: String, actor: String) throws {
        try locked {
            try connection.transaction {
                // Teams are replaced wholesale: references are checked at commit, not row by row.
                try connection.execute(connection.dialect.deferForeignKeys)
                // The new handles re-decide every finding a rule decided: a rule's handles may now
                // mean another team (or none). Owners given by hand stay, unless their team is gone.
                // Each change of owner is a transfer event.
                var teamByHandle: [String: String] = [:]
                for team in organisation.teams {
                    for handle in team.handles { teamByHandle[handle.lowercased()] = team.id }
                }
                let newTeams = Set(organisation.teams.map(\.id))
                let decided = try connection.statement(
                    """
                    SELECT f.id, f.owner_team, r.handles FROM findings f JOIN ownership_rules r ON r.id = f.owner_rule
                    WHERE r.source = 'codeowners'
                    """
                ).rows([]) { ($0.int(0), $0.text(1), ($0.text(2) ?? "").split(separator: ",").map(String.init)) }
                let handGiven = try connection.statement(
                    "SELECT id, owner_team FROM findings WHERE owner_rule IS NULL AND owner_team IS NOT NULL"
                ).rows([]) { ($0.int(0), $0.text(1)) }
                var changes: [(id: Int64, from: String?, to: String?)] = []
                for (id, owner, handles) in decided {
                    let team = handles.lazy.compactMap { teamByHandle[$0.lowercased()] }.first
                    if team != owner { changes.append((id, owner, team)) }
                }
                for (id, owner) in handGiven where !newTeams.contains(owner ?? "") { changes.append((id, owner, nil)) }
                for change in changes {
                    try connection.statement("UPDATE findings SET owner_team = ? WHERE id = ?")
                        .run([.optional(change.to), .integer(change.id)])
                    try connection.appendEvent(
                        kind: .ownershipTransferred, findingID: change.id, scanID: nil, actor: actor,
                        payload: .object([
                            ("from", .optional(change.from)), ("to", .optional(change.to)),
                            ("reason", "ownership map changed"), ("source", .string(source)),
                        ]))
                }
                try connection.execute(
                    "DELETE FROM asset_rules; DELETE FROM team_handles; DELETE FROM teams; DELETE FROM org_units;")
                // Parents before children, whatever the file's order.
                var pending = organisation.units
                var inserted = Set<String>()
                while !pending.isEmpty {
                    let ready = pending.filter { $0.parentID == nil || inserted.contains($0.parentID!) }
                    guard !ready.isEmpty else { break }
                    for unit in ready {
                        try connection.statement(
                            "INSERT INTO org_units (id, name, parent_id, head) VALUES (?, ?, ?, ?)"
                        )
                        .run([.text(unit.id), .text(unit.name), .optional(unit.parentID), .optional(unit.head)])
                        inserted.insert(unit.id)
                    }
                    pending.removeAll { inserted.contains($0.id) }
                }
                for team in organisation.teams {
                    try connection.statement(
                        """
                        INSERT INTO teams (id, name, unit_id, lead, members, channels, escalation)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """
                    ).run([
                        .text(team.id), .text(team.name), .optional(team.unitID), .optional(team.lead),
                        .text(team.members.joined(separator: "\n")), .text(team.channels.joined(separator: "\n")),
                        .text(team.escalation.joined(separator: "\n")),
                    ])
                    for (position, handle) in team.handles.enumerated() {
                        try connection.statement(
                            "INSERT INTO team_handles (handle, team_id, position) VALUES (?, ?, ?)"
                        ).run([.text(handle), .text(team.id), .integer(Int64(position))])
                    }
                }
                for (position, rule) in organisation.assetRules.enumerated() {
                    try connection.statement(
                        "INSERT INTO asset_rules (position, kind, pattern, team, source, line) VALUES (?, ?, ?, ?, ?, ?)"
                    ).run([
                        .integer(Int64(position)), .text(rule.kind.rawValue), .text(rule.pattern), .text(rule.team),
                        .text(rule.source), .optional(rule.line),
                    ])
                }
                let payload = JSONText.Value.object([
                    ("source", .string(source)), ("units", .int(Int64(organisation.units.count))),
                    ("teams", .int(Int64(organisation.teams.count))),
                    ("asset_rules", .int(Int64(organisation.assetRules.count))),
                ])
                try connection.appendEvent(
                    kind: .organisationImported, findingID: nil, scanID: nil, actor: actor, payload: payload)
            }
        }
    }

    public func organisation() throws -> Organisation {
        try locked { try organisationUnlocked() }
    }

    /// Whether a team has this id: one lookup, not the organisation read.
    public func teamExists(_ id: String) throws -> Bool {
        try locked {
            try connection.statement("SELECT 1 FROM teams WHERE id = ?").first([.text(id)]) { _ in true } != nil
        }
    }

    func organisationUnlocked() throws -> Organisation {
        do {
            let units = try connection.statement("SELECT id, name, parent_id, head FROM org_units ORDER BY id").rows {
                OrgUnit(id: $0.text(0) ?? "", name: $0.text(1) ?? "", parentID: $0.text(2), head: $0.text(3))
            }
            var handles: [String: [String]] = [:]
            let pairs = try connection.statement("SELECT handle, team_id FROM team_handles ORDER BY team_id, position")
                .rows([]) {
                    ($0.text(0) ?? "", $0.text(1) ?? "")
                }
            for (handle, team) in pairs { handles[team, default: []].append(handle) }
            func lines(_ text: String?) -> [String] { (text ?? "").split(separator: "\n").map(String.init) }
            let teams = try connection.statement(
                "SELECT id, name, unit_id, lead, members, channels, escalation FROM teams ORDER BY id"
            ).rows {
                let id = $0.text(0) ?? ""
                return Team(
                    id: id, name: $0.text(1) ?? "", unitID: $0.text(2), lead: $0.text(3), handles: handles[id] ?? [],
                    members: lines($0.text(4)), channels: lines($0.text(5)), escalation: lines($0.text(6)))
            }
            let rules = try connection.statement(
                "SELECT kind, pattern, team, source, line FROM asset_rules ORDER BY position"
            ).rows {
                AssetRule(
                    kind: AssetRule.Kind(rawValue: $0.text(0) ?? "") ?? .repository, pattern: $0.text(1) ?? "",
                    team: $0.text(2) ?? "", source: $0.text(3) ?? "", line: $0.optionalInt(4).map(Int.init))
            }
            return Organisation(units: units, teams: teams, assetRules: rules)
        }
    }
}
