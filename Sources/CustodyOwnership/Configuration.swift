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
/// notifications:                   # see docs/notifications.md
///   sinks:
///     - {name: ops, type: webhook, url: "https://hooks.example.gov/custody", secret_env: HOOK_SECRET}
/// ```
public struct Configuration: Sendable, Equatable {
    public var sla = SLAPolicy()
    public var criticality: [CriticalityRule] = []
    public var notifications = NotificationSettings()
    public var gate = GatePolicy()

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
        let sections = ["sla", "assets", "notifications", "gate"]
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
        if let node = root["notifications"] {
            configuration.notifications = try notifications(node, file: file)
        }
        if let node = root["gate"] { configuration.gate = try gate(node, file: file) }
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
        for entry in sla.entries ?? []
        where !["days", "business_days", "overrides", "include_quality"].contains(entry.key) {
            throw fail(
                entry.value,
                "unknown key '\(entry.key)' in sla (expected days, business_days, overrides, include_quality)")
        }
        if let node = sla["include_quality"] {
            guard let flag = node.string, ["true", "false"].contains(flag) else {
                throw fail(node, "include_quality must be true or false")
            }
            configuration.sla.includesQuality = flag == "true"
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

    private static func gate(_ node: YAMLNode, file: String) throws -> GatePolicy {
        func fail(_ node: YAMLNode, _ message: String) -> Diagnostic {
            Diagnostic(file: file, place: "line \(node.line)", message: message)
        }
        func count(_ node: YAMLNode, _ what: String) throws -> Int {
            guard let text = node.string, let value = Int(text), (0...1_000_000).contains(value) else {
                throw fail(node, "\(what) must be a whole number from 0 to 1000000")
            }
            return value
        }
        let keys = ["block_new_at", "overdue_allowance", "teams", "max_unowned"]
        for entry in node.entries ?? [] where !keys.contains(entry.key) {
            throw fail(entry.value, "unknown key '\(entry.key)' in gate (expected \(keys.joined(separator: ", ")))")
        }
        var policy = GatePolicy()
        if let level = node["block_new_at"] {
            guard let text = level.string, let severity = Severity(rawValue: text) else {
                throw fail(level, "block_new_at must be a severity (critical, high, medium, low, info)")
            }
            policy.blockNewAt = severity
        }
        if let allowance = node["overdue_allowance"] {
            policy.overdueAllowance = try count(allowance, "overdue_allowance")
        }
        if let teams = node["teams"] {
            guard let entries = teams.entries else { throw fail(teams, "teams must map team ids to allowances") }
            for entry in entries {
                policy.teamAllowances[entry.key] = try count(entry.value, "the allowance of \(entry.key)")
            }
        }
        if let limit = node["max_unowned"] { policy.maxUnowned = try count(limit, "max_unowned") }
        return policy
    }

    private static func notifications(_ node: YAMLNode, file: String) throws -> NotificationSettings {
        func fail(_ node: YAMLNode, _ message: String) -> Diagnostic {
            Diagnostic(file: file, place: "line \(node.line)", message: message)
        }
        func number(_ node: YAMLNode?, _ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let node else { return nil }
            guard let text = node.string, let value = Int(text), range.contains(value) else {
                throw fail(node, "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        var settings = NotificationSettings()
        for entry in node.entries ?? [] where !["sinks", "max_attempts", "backoff_seconds"].contains(entry.key) {
            throw fail(
                entry.value,
                "unknown key '\(entry.key)' in notifications (expected sinks, max_attempts, backoff_seconds)")
        }
        settings.maxAttempts = try number(node["max_attempts"], "max_attempts", 1...100) ?? settings.maxAttempts
        settings.backoffSeconds =
            try number(node["backoff_seconds"], "backoff_seconds", 1...86_400) ?? settings.backoffSeconds
        let common = ["name", "type", "url", "url_env"]
        let allowed: [SinkConfiguration.Kind: [String]] = [
            .webhook: common + ["secret_env"],
            .slack: common,
            .email: common + ["from", "to", "starttls", "user_env", "password_env"],
            .jira: common + [
                "project", "issue_type", "done_transition", "reopen_transition", "token_env", "user_env", "open_at",
                "severities",
            ],
            .github: common + ["repository", "token_env", "open_at", "severities"],
        ]
        var names = Set<String>()
        for item in node["sinks"]?.items ?? [] {
            func text(_ key: String) throws -> String? {
                guard let value = item[key] else { return nil }
                guard let string = value.string, !string.isEmpty else { throw fail(value, "\(key) must be text") }
                return string
            }
            guard let name = try text("name") else { throw fail(item, "a sink needs a name") }
            guard names.insert(name).inserted else { throw fail(item, "a second sink named '\(name)'") }
            let kinds = SinkConfiguration.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            guard let kindText = try text("type"), let kind = SinkConfiguration.Kind(rawValue: kindText) else {
                throw fail(item, "sink '\(name)' needs a type: one of \(kinds)")
            }
            for entry in item.entries ?? [] where !(allowed[kind] ?? []).contains(entry.key) {
                throw fail(entry.value, "unknown key '\(entry.key)' for a \(kind.rawValue) sink")
            }
            var sink = SinkConfiguration(name: name, kind: kind, url: try text("url"))
            sink.line = item.line
            sink.urlEnvironment = try text("url_env")
            guard (sink.url == nil) != (sink.urlEnvironment == nil) else {
                throw fail(item, "sink '\(name)' needs either url or url_env")
            }
            if let url = sink.url {
                let schemes = kind == .email ? ["smtp://", "smtps://"] : ["http://", "https://"]
                guard schemes.contains(where: url.hasPrefix) else {
                    throw fail(
                        item["url"]!, "the url of sink '\(name)' must start with \(schemes.joined(separator: " or "))")
                }
            }
            sink.tokenEnvironment = try text("token_env")
            sink.userEnvironment = try text("user_env")
            sink.passwordEnvironment = try text("password_env")
            sink.secretEnvironment = try text("secret_env")
            sink.from = try text("from")
            if let to = item["to"] {
                guard let items = to.items else { throw fail(to, "to must be a list of e-mail addresses") }
                sink.to = try items.map {
                    guard let address = $0.string, address.contains("@"), !address.contains(where: \.isWhitespace)
                    else { throw fail($0, "'\($0.string ?? "")' is not an e-mail address") }
                    return address
                }
            }
            if let flag = item["starttls"] {
                guard let value = flag.string, ["true", "false"].contains(value) else {
                    throw fail(flag, "starttls must be true or false")
                }
                sink.startTLS = value == "true"
            }
            sink.project = try text("project")
            sink.issueType = try text("issue_type") ?? sink.issueType
            sink.doneTransition = try text("done_transition") ?? sink.doneTransition
            sink.reopenTransition = try text("reopen_transition")
            sink.repository = try text("repository")
            if let stage = item["open_at"] {
                let stages: [String: EscalationStage] = [
                    "team": .team, "lead": .lead, "unit_head": .unitHead, "executive": .executive,
                ]
                guard let value = stage.string, let found = stages[value] else {
                    throw fail(stage, "open_at must be one of team, lead, unit_head, executive")
                }
                sink.openAt = found
            }
            if let list = item["severities"] {
                guard let items = list.items else { throw fail(list, "severities must be a list") }
                sink.severities = try items.map {
                    guard let severity = $0.string.flatMap(Severity.init(rawValue:)) else {
                        throw fail($0, "unknown severity '\($0.string ?? "")' (critical, high, medium, low, info)")
                    }
                    return severity
                }
            }
            switch kind {
            case .email where sink.from == nil: throw fail(item, "e-mail sink '\(name)' needs from")
            case .jira where sink.project == nil:
                throw fail(item, "Jira sink '\(name)' needs project (a key, e.g. SEC)")
            case .github where sink.repository?.split(separator: "/").count != 2:
                throw fail(item, "GitHub sink '\(name)' needs repository as owner/name")
            default: break
            }
            settings.sinks.append(sink)
        }
        return settings
    }
}
