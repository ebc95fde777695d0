import CustodyCore

/// The configuration file (`custody.yaml`): policy that is not about who is who.
///
/// ```yaml
/// sla:
///   days: {critical: 15, high: 30, medium: 90, low: 180}
///   business_days: false
///   overrides:
///     - unit: treasury
///       days: {critical: 7}
///     - team: payments
///       days: {high: 14}
///     - criticality: critical      # assets of this criticality (see assets)
///       days: {critical: 7, high: 14}
/// assets:                          # how much each asset matters; the first match wins
///   - repository: "gov-portal/payments*"
///     criticality: critical
/// ```
public struct Configuration: Sendable, Equatable {
    public var sla = SLAPolicy()
    public var criticality: [CriticalityRule] = []

    public init(sla: SLAPolicy = SLAPolicy(), criticality: [CriticalityRule] = []) {
        self.sla = sla
        self.criticality = criticality
    }

    public static func parse(_ text: String, file: String) throws -> Configuration {
        let documents: [YAMLNode]
        do {
            documents = try YAMLNode.parseAll(text)
        } catch let error as YAMLNode.ParseError {
            throw Diagnostic(file: file, place: "line \(error.line)", message: error.message)
        }
        var configuration = Configuration()
        guard let root = documents.first else { return configuration }
        func fail(_ node: YAMLNode, _ message: String) -> Diagnostic {
            Diagnostic(file: file, place: "line \(node.line)", message: message)
        }
        guard let entries = root.entries else { throw fail(root, "expected a mapping") }
        let sections = ["sla", "assets"]
        for entry in entries where !sections.contains(entry.key) {
            throw fail(entry.value, "unknown key '\(entry.key)' (expected \(sections.joined(separator: ", ")))")
        }
        func level(_ node: YAMLNode) throws -> Criticality {
            guard let text = node.string, let level = Criticality(rawValue: text) else {
                throw fail(node, "criticality must be one of critical, high, medium, low")
            }
            return level
        }
        if let assets = root["assets"] {
            guard let items = assets.items else { throw fail(assets, "assets must be a list") }
            for item in items {
                for entry in item.entries ?? [] where !["repository", "criticality"].contains(entry.key) {
                    throw fail(entry.value, "unknown key '\(entry.key)' in an asset (expected repository, criticality)")
                }
                guard let pattern = item["repository"]?.string, !pattern.isEmpty else {
                    throw fail(item, "an asset names a repository (a glob such as \"gov-portal/*\")")
                }
                guard let node = item["criticality"] else { throw fail(item, "an asset needs a criticality") }
                configuration.criticality.append(
                    CriticalityRule(pattern: pattern, level: try level(node), line: item.line))
            }
        }
        guard let sla = root["sla"] else { return configuration }
        func days(_ node: YAMLNode) throws -> [Severity: Int] {
            guard let entries = node.entries else { throw fail(node, "days must map severities to numbers") }
            var result: [Severity: Int] = [:]
            for entry in entries {
                guard let severity = Severity(rawValue: entry.key) else {
                    throw fail(entry.value, "unknown severity '\(entry.key)' (critical, high, medium, low, info)")
                }
                guard let text = entry.value.string, let number = Int(text), (1...3650).contains(number) else {
                    throw fail(entry.value, "days for \(entry.key) must be a whole number from 1 to 3650")
                }
                result[severity] = number
            }
            return result
        }
        for entry in sla.entries ?? [] where !["days", "business_days", "overrides"].contains(entry.key) {
            throw fail(entry.value, "unknown key '\(entry.key)' in sla (expected days, business_days, overrides)")
        }
        if let node = sla["days"] {
            configuration.sla.days.merge(try days(node)) { _, new in new }
        }
        if let node = sla["business_days"] {
            guard let flag = node.string, ["true", "false"].contains(flag) else {
                throw fail(node, "business_days must be true or false")
            }
            configuration.sla.businessDays = flag == "true"
        }
        for node in sla["overrides"]?.items ?? [] {
            guard let daysNode = node["days"] else { throw fail(node, "an override needs days") }
            let scope: SLAPolicy.Override.Scope
            if let unit = node["unit"]?.string {
                scope = .unit(unit)
            } else if let team = node["team"]?.string {
                scope = .team(team)
            } else if let criticality = node["criticality"] {
                scope = .criticality(try level(criticality))
            } else {
                throw fail(node, "an override names a unit, a team or a criticality")
            }
            configuration.sla.overrides.append(SLAPolicy.Override(scope: scope, days: try days(daysNode)))
        }
        return configuration
    }
}
