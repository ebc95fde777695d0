import Foundation

/// The escalation ladder: who is told as a finding's SLA runs out.
public enum EscalationStage: Int, Sendable, CaseIterable, Comparable {
    case none = 0
    /// Half the time allowed has passed: the owning team.
    case team = 1
    /// Due: the team's lead.
    case lead = 2
    /// Seven days overdue: the head of the team's org unit.
    case unitHead = 3
    /// Thirty days overdue: the executive (the head of the topmost unit).
    case executive = 4

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whole days past the due date at which the stage is reached (the team's stage comes at
    /// half the time allowed, before the due date: nil).
    public var daysOverdue: Int? {
        switch self {
        case .none, .team: nil
        case .lead: 0
        case .unitHead: 7
        case .executive: 30
        }
    }

    /// When the stage is reached, in words.
    public var when: String {
        switch self {
        case .none: "never"
        case .team: "half its time gone"
        case .lead: "due"
        case let stage: "\(stage.daysOverdue ?? 0) days overdue"
        }
    }

    public var name: String {
        switch self {
        case .none: "none"
        case .team: "team"
        case .lead: "team lead"
        case .unitHead: "org-unit head"
        case .executive: "executive"
        }
    }

    /// Who this stage tells, for a finding owned by `team`.
    public func recipients(team: Team?, organisation: Organisation) -> [String] {
        var chain: [OrgUnit] = []
        var unit = team?.unitID
        var seen = Set<String>()
        while let id = unit, seen.insert(id).inserted, let found = organisation.units.first(where: { $0.id == id }) {
            chain.append(found)
            unit = found.parentID
        }
        switch self {
        case .none: return []
        case .team: return team?.channels.isEmpty == false ? team!.channels : (team.map { ["team:\($0.id)"] } ?? [])
        case .lead: return team?.lead.map { [$0] } ?? []
        case .unitHead: return chain.first?.head.map { [$0] } ?? []
        case .executive: return chain.last?.head.map { [$0] } ?? []
        }
    }
}

/// When findings are due, by severity, with overrides for org units, teams and asset criticality.
///
/// Defaults: critical 15 days, high 30, medium 90, low 180 (info: none). An override for a team
/// wins over one for its unit, which wins over one for a unit above it; within an override only
/// the severities it names change. An override for the asset's criticality applies when it is
/// shorter. With `businessDays`, Saturdays and Sundays do not count. A finding whose CVE is in
/// CISA's KEV catalog is due by the catalog's due date or 14 days, whichever is first (and never
/// later than its severity allows).
public struct SLAPolicy: Sendable, Equatable {
    public struct Override: Sendable, Equatable {
        public enum Scope: Sendable, Equatable {
            case unit(String)
            case team(String)
            case criticality(Criticality)
        }
        public var scope: Scope
        public var days: [Severity: Int]

        public init(scope: Scope, days: [Severity: Int]) {
            self.scope = scope
            self.days = days
        }
    }

    public var days: [Severity: Int]
    public var businessDays: Bool
    public var overrides: [Override]
    /// Code-quality findings get due dates too (`sla.include_quality: true`); by default only
    /// security findings do.
    public var includesQuality = false

    public static let defaultDays: [Severity: Int] = [.critical: 15, .high: 30, .medium: 90, .low: 180]

    public init(days: [Severity: Int] = SLAPolicy.defaultDays, businessDays: Bool = false, overrides: [Override] = []) {
        self.days = days
        self.businessDays = businessDays
        self.overrides = overrides
    }

    /// The days allowed for `severity` of a finding owned by `team` on an asset of `criticality`
    /// (nil: no due date).
    public func allowedDays(
        _ severity: Severity, team: Team?, organisation: Organisation, criticality: Criticality? = nil
    ) -> Int? {
        let organisational = organisationalDays(severity, team: team, organisation: organisation)
        guard let criticality,
            let days = overrides.first(where: { $0.scope == .criticality(criticality) })?.days[severity]
        else { return organisational }
        return min(days, organisational ?? days)
    }

    private func organisationalDays(_ severity: Severity, team: Team?, organisation: Organisation) -> Int? {
        if let team, let days = overrides.first(where: { $0.scope == .team(team.id) })?.days[severity] {
            return days
        }
        // The team's unit, then each unit above it.
        var unit = team?.unitID
        var seen = Set<String>()
        while let id = unit, seen.insert(id).inserted {
            if let days = overrides.first(where: { $0.scope == .unit(id) })?.days[severity] { return days }
            unit = organisation.units.first { $0.id == id }?.parentID ?? nil
        }
        return days[severity]
    }

    /// The due date (ISO 8601 UTC) of a finding first seen at `start`; `kev` holds the catalog
    /// entries of its CVEs.
    public func dueDate(
        severity: Severity, team: Team?, organisation: Organisation, start: Date,
        criticality: Criticality? = nil, kev: [KEVEntry] = []
    ) -> String? {
        var due = allowedDays(severity, team: team, organisation: organisation, criticality: criticality).map {
            Self.add(days: $0, to: start, businessDays: businessDays)
        }
        for entry in kev {
            let deadline = entry.deadline(knownSince: start)
            due = min(due ?? deadline, deadline)
        }
        return due.map(Timestamp.string)
    }

    static func add(days: Int, to start: Date, businessDays: Bool) -> Date {
        guard businessDays else { return start.addingTimeInterval(TimeInterval(days) * 86_400) }
        var date = start
        var left = days
        while left > 0 {
            date = date.addingTimeInterval(86_400)
            // 1970-01-01 was a Thursday: day 0 -> Thursday, so (day + 4) % 7 gives 0 for Sunday.
            let weekday = (Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) + 4) % 7
            if weekday != 0 && weekday != 6 { left -= 1 }
        }
        return date
    }
}

/// Everything a finding's due date depends on besides the finding: the SLA policy, the
/// criticality of assets, and CISA's KEV catalog (by CVE id). Ingest and `sla apply` share it.
public struct DueDateRules: Sendable {
    public var policy: SLAPolicy
    public var criticality: [CriticalityRule]
    public var kev: [String: KEVEntry]

    public init(policy: SLAPolicy = SLAPolicy(), criticality: [CriticalityRule] = [], kev: [String: KEVEntry] = [:]) {
        self.policy = policy
        self.criticality = criticality
        self.kev = kev
    }

    /// The KEV entries of a finding's CVEs.
    public func kevEntries(cves: [String]) -> [KEVEntry] {
        kev.isEmpty ? [] : cves.compactMap { kev[$0] }
    }

    /// The due date of a finding first seen at `start`.
    public func dueDate(
        severity: Severity, team: Team?, organisation: Organisation, start: Date, repository: String?,
        kevEntries: [KEVEntry]
    ) -> String? {
        policy.dueDate(
            severity: severity, team: team, organisation: organisation, start: start,
            criticality: CriticalityRule.level(of: repository, in: criticality), kev: kevEntries)
    }
}
