import CustodyCore

/// The teams file: org units, teams, their leads and the CODEOWNERS handles that mean each team.
///
/// ```yaml
/// units:
///   - id: treasury
///     name: Department of the Treasury
///     parent: state
///     head: dana@example.gov
/// teams:
///   - id: payments
///     name: Payments
///     unit: treasury
///     lead: bob@example.gov
///     handles: ["@example/payments", "payments@example.gov", "@bob"]
///     members: [bob@example.gov, eve@example.gov]
///     channels: ["slack:#payments", "email:payments@example.gov"]
///     escalation: [dana@example.gov, cio@example.gov]
/// assets:                          # ownership CODEOWNERS cannot express, first match wins
///   - repository: "payments-*"
///     team: payments
///   - package: "pkg:npm/@example/pay*"
///     team: payments
///   - image: "registry.example.gov/payments/*"
///     team: payments
///   - host: "10.20.0.0/16"         # or a name glob: "*.pay.example.gov"
///     team: payments
///   - cloud: "123456789012"        # an account, subscription or project; or a resource glob
///     team: payments
///   - tag: "team=payments*"        # a cloud resource tag, as the report gives it
///     team: payments
/// ```
public enum TeamsFile {
    /// Reads and checks a teams file; every problem names the file and line.
    /// `validate: false` leaves cross-references (units, teams of asset rules) to be checked after
    /// several files are merged.
    public static func parse(_ source: String, file: String, validate: Bool = true) throws -> Organisation {
        let documents: [YAMLNode]
        do {
            documents = try YAMLNode.parseAll(source)
        } catch let error as YAMLNode.ParseError {
            throw Diagnostic(file: file, place: "line \(error.line)", message: error.message)
        }
        guard let root = documents.first else { return Organisation() }
        guard root.entries != nil else {
            throw Diagnostic(
                file: file, place: "line \(root.line)", message: "expected a mapping with 'units' and 'teams'")
        }
        func fail(_ node: YAMLNode, _ message: String) -> Diagnostic {
            Diagnostic(file: file, place: "line \(node.line)", message: message)
        }
        func list(_ key: String) throws -> [YAMLNode] {
            guard let node = root[key] else { return [] }
            if case .scalar("", _) = node { return [] }
            guard let items = node.items else { throw fail(node, "'\(key)' must be a list") }
            return items
        }
        func text(_ node: YAMLNode, _ key: String, required: Bool) throws -> String? {
            guard let value = node[key] else {
                if required { throw fail(node, "missing '\(key)'") }
                return nil
            }
            guard let string = value.string else { throw fail(value, "'\(key)' must be text") }
            if required && string.isEmpty { throw fail(value, "'\(key)' must not be empty") }
            return string.isEmpty ? nil : string
        }
        let known: Set<String> = ["units", "teams", "assets"]
        for entry in root.entries ?? [] where !known.contains(entry.key) {
            throw fail(entry.value, "unknown key '\(entry.key)' (expected units, teams, assets)")
        }

        var organisation = Organisation()
        for node in try list("units") {
            guard node.entries != nil else { throw fail(node, "a unit must be a mapping") }
            let id = try text(node, "id", required: true)!
            organisation.units.append(
                OrgUnit(
                    id: id, name: try text(node, "name", required: false) ?? id,
                    parentID: try text(node, "parent", required: false), head: try text(node, "head", required: false)))
        }
        for node in try list("teams") {
            guard node.entries != nil else { throw fail(node, "a team must be a mapping") }
            let id = try text(node, "id", required: true)!
            var handles: [String] = []
            if let value = node["handles"] {
                guard let items = value.items else { throw fail(value, "'handles' must be a list") }
                for item in items {
                    guard let handle = item.string, Codeowners.Owner(handle) != nil else {
                        throw fail(
                            item,
                            "invalid handle '\(item.string ?? "")' (expected @user, @org/team or an e-mail address)")
                    }
                    handles.append(handle)
                }
            }
            func strings(_ key: String) throws -> [String] {
                guard let value = node[key] else { return [] }
                guard let items = value.items else { throw fail(value, "'\(key)' must be a list") }
                return try items.map { item in
                    guard let text = item.string, !text.isEmpty else { throw fail(item, "'\(key)' holds text items") }
                    return text
                }
            }
            organisation.teams.append(
                Team(
                    id: id, name: try text(node, "name", required: false) ?? id,
                    unitID: try text(node, "unit", required: false),
                    lead: try text(node, "lead", required: false), handles: handles, members: try strings("members"),
                    channels: try strings("channels"), escalation: try strings("escalation")))
        }
        for node in try list("assets") {
            guard let entries = node.entries else { throw fail(node, "an asset rule must be a mapping") }
            let kinds = entries.compactMap { AssetRule.Kind(rawValue: $0.key) }
            guard kinds.count == 1, let kind = kinds.first else {
                throw fail(
                    node,
                    "an asset rule names exactly one of \(AssetRule.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            for entry in entries where AssetRule.Kind(rawValue: entry.key) == nil && entry.key != "team" {
                throw fail(entry.value, "unknown key '\(entry.key)' in an asset rule")
            }
            let pattern = try text(node, kind.rawValue, required: true)!
            let team = try text(node, "team", required: true)!
            organisation.assetRules.append(
                AssetRule(kind: kind, pattern: pattern, team: team, source: file, line: node.line))
        }
        // Reference checks name the line of the offending entry.
        let unitNodes = try list("units")
        let teamNodes = try list("teams")
        if validate, let problem = organisation.validate(file: file).first {
            let parts = problem.place?.split(separator: "[") ?? []
            let index = parts.count > 1 ? Int(parts[1].prefix { $0.isNumber }) : nil
            let nodes = problem.place?.hasPrefix("units") == true ? unitNodes : teamNodes
            let line = index.flatMap { $0 < nodes.count ? nodes[$0].line : nil }
            throw Diagnostic(file: file, place: line.map { "line \($0)" } ?? problem.place, message: problem.message)
        }
        return organisation
    }
}
