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
/// ```
public struct Configuration: Sendable, Equatable {
    public var sla = SLAPolicy()

    public init(sla: SLAPolicy = SLAPolicy()) { self.sla = sla }

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
        for entry in entries where entry.key != "sla" {
            throw fail(entry.value, "unknown key '\(entry.key)' (expected sla)")
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
            } else {
                throw fail(node, "an override names a unit or a team")
            }
            configuration.sla.overrides.append(SLAPolicy.Override(scope: scope, days: try days(daysNode)))
        }
        return configuration
    }
}
