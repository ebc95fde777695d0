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
/// ```
public enum TeamsFile {
    /// Reads and checks a teams file; every problem names the file and line.
    public static func parse(_ source: String, file: String) throws -> Organisation {
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
        let known: Set<String> = ["units", "teams"]
        for entry in root.entries ?? [] where !known.contains(entry.key) {
            throw fail(entry.value, "unknown key '\(entry.key)' (expected units, teams)")
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
            organisation.teams.append(
                Team(
                    id: id, name: try text(node, "name", required: false) ?? id,
                    unitID: try text(node, "unit", required: false),
                    lead: try text(node, "lead", required: false), handles: handles))
        }
        // Reference checks name the line of the offending entry.
        let unitNodes = try list("units")
        let teamNodes = try list("teams")
        if let problem = organisation.validate(file: file).first {
            let parts = problem.place?.split(separator: "[") ?? []
            let index = parts.count > 1 ? Int(parts[1].prefix { $0.isNumber }) : nil
            let nodes = problem.place?.hasPrefix("units") == true ? unitNodes : teamNodes
            let line = index.flatMap { $0 < nodes.count ? nodes[$0].line : nil }
            throw Diagnostic(file: file, place: line.map { "line \($0)" } ?? problem.place, message: problem.message)
        }
        return organisation
    }
}
