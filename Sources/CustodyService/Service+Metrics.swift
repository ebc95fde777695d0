import CustodyCore
import CustodyJSON
import CustodyMetrics
import CustodyStore
import Foundation

/// What to measure: whose findings, over which period, broken down how.
public struct MetricsRequest: Sendable, Equatable {
    public enum Scope: Sendable, Equatable {
        /// Every finding, the unowned included.
        case organisation
        case team(String)
        /// A unit with every unit below it.
        case unit(String)
    }

    public enum Breakdown: String, Sendable, CaseIterable {
        case team, unit, severity, release, month
    }

    public var scope: Scope = .organisation
    /// The period; by default the 90 days up to now.
    public var since: Date?
    public var until: Date?
    public var breakdown: Breakdown?

    public init(scope: Scope = .organisation, since: Date? = nil, until: Date? = nil, breakdown: Breakdown? = nil) {
        self.scope = scope
        self.since = since
        self.until = until
        self.breakdown = breakdown
    }

    public static let defaultDays = 90.0
}

/// The metrics of a scope over a period: its total, a group per value of the breakdown, and
/// (for the whole organisation) the accountability gap.
public struct MetricsReport: Sendable {
    public var scope: String
    public var since: Date
    public var until: Date
    public var total: GroupMetrics
    public var groups: [GroupMetrics]
    public var unowned: UnownedGap?
}

extension CustodyService {
    /// Accountability metrics (docs/metrics.md). A team's principal sees its own teams' metrics
    /// only; the other roles see any scope.
    /// A report asked for again while nothing has been recorded is the one computed at most
    /// ``metricsMaxAge`` ago (its `until` says when, for a period that ends now).
    public func metrics(_ request: MetricsRequest, by principal: Principal) throws(ServiceError) -> MetricsReport {
        try measure(request, by: principal)
    }

    /// How long a metrics report serves again while nothing is recorded: a period that ends
    /// "now" ends at most this long ago.
    public static let metricsMaxAge: TimeInterval = 60

    /// ``metrics(_:by:)``, with `groups` (given the finding and its accountable team) naming the
    /// groups each finding counts in instead of the request's breakdown: several breakdowns
    /// from one read, for the reports.
    func measure(
        _ request: MetricsRequest, by principal: Principal,
        groups custom: (@Sendable (FindingFacts, String?) -> [String])? = nil
    ) throws(ServiceError) -> MetricsReport {
        try authorizeAggregates(principal)
        let until = request.until ?? Date()
        let since = request.since ?? until.addingTimeInterval(-MetricsRequest.defaultDays * 86_400)
        guard since < until else {
            throw ServiceError(
                .invalidInput,
                "the period starts (\(Timestamp.string(since))) after it ends (\(Timestamp.string(until)))")
        }
        let store = try store()
        // The head first: a report (and the organisation) is kept under a head no newer than
        // what it read.
        let head = try perform { try store.ledgerHead() }
        let organisation = try organisation(at: head, store: store)
        let teams = organisation.teamsByID
        // A team's principal: one of its teams, and no breakdown that would show others. A
        // unit-scoped one: its units (its only unit when none is named), or their teams.
        var request = request
        if principal.isScoped {
            if case .organisation = request.scope, principal.units.count > 0 {
                if let unit = Self.onlyTopUnit(of: principal, in: organisation) { request.scope = .unit(unit) }
            }
            let allowed: Bool
            switch request.scope {
            case .organisation: allowed = false
            case .team(let team): allowed = principal.teams.contains(team)
            case .unit(let unit): allowed = principal.units.contains(unit)
            }
            guard allowed else {
                let scope = principal.isTeamBound ? principal.teams : principal.units
                throw ServiceError(
                    .forbidden,
                    "\(principal.name) may see the metrics of \(scope.sorted().joined(separator: ", ")) only")
            }
        }
        // A finding counts for the team accountable for it in the period: its owner when it was
        // fixed, or at the end of the period (owner spans), not merely its owner today.
        let end = until.timeIntervalSince1970
        let inScope: (String?) -> Bool
        let scopeName: String
        // A team's or a unit's findings are read through the team index, not the whole store.
        var readTeams: [String]?
        switch request.scope {
        case .organisation:
            inScope = { _ in true }
            scopeName = "organisation"
        case .team(let team):
            guard teams[team] != nil else { throw ServiceError(.notFound, "no team '\(team)'") }
            inScope = { $0 == team }
            scopeName = "team " + team
            readTeams = [team]
        case .unit(let unit):
            guard organisation.units.contains(where: { $0.id == unit }) else {
                throw ServiceError(.notFound, "no org unit '\(unit)'")
            }
            let below = Self.units(under: unit, in: organisation)
            inScope = { team in team.flatMap { teams[$0]?.unitID }.map(below.contains) ?? false }
            scopeName = "unit " + unit
            readTeams = organisation.teams.filter { $0.unitID.map(below.contains) ?? false }.map(\.id)
        }
        // The same question again, with nothing recorded since: the report as computed.
        let key = MetricsCache.Key(
            scope: scopeName, since: request.since, until: request.until, breakdown: request.breakdown?.rawValue)
        let now = Date()
        if custom == nil, let cached = metricsReports.entry(key, head: head, now: now, maxAge: Self.metricsMaxAge) {
            return cached.report
        }
        let total = "total"
        let breakdown = request.breakdown
        let members = Dictionary(uniqueKeysWithValues: organisation.teams.map { ($0.id, $0.members) })
        func builder(_ since: Date, _ until: Date, _ groupsOf: @escaping (FindingFacts) -> [String]) -> MetricsBuilder {
            MetricsBuilder(
                since: since.timeIntervalSince1970, until: until.timeIntervalSince1970, members: members,
                groupsOf: groupsOf)
        }
        var whole = builder(since, until) { finding in
            let team = finding.accountableTeam(until: end)
            guard inScope(team) else { return [] }
            if let custom { return [total] + custom(finding, team) }
            switch breakdown {
            case nil, .month: return [total]
            case .team: return [total, team ?? "(unowned)"]
            case .unit: return [total, team.flatMap { teams[$0]?.unitID } ?? "(no unit)"]
            case .severity: return [total, finding.severity.rawValue]
            case .release:
                return [total, finding.introduction.map { $0.release ?? "(unreleased)" } ?? "(no introducer)"]
            }
        }
        // By month: each calendar month (UTC) of the period is a period of its own.
        var months: [MetricsBuilder] = []
        let monthBounds = breakdown == .month ? Self.months(from: since, to: until) : []
        if breakdown == .month {
            for (name, start, stop) in monthBounds {
                let monthEnd = stop.timeIntervalSince1970
                months.append(
                    builder(start, stop) { inScope($0.accountableTeam(until: monthEnd)) ? [name] : [] })
            }
        }
        try perform {
            try store.forEachFindingFacts(since: since, until: until, teams: readTeams) { facts in
                whole.add(facts)
                for index in months.indices { months[index].add(facts) }
            }
        }
        let (groups, gap) = whole.result()
        var report = MetricsReport(
            scope: scopeName, since: since, until: until,
            total: groups.first { $0.group == total } ?? GroupMetrics(group: total),
            groups: groups.filter { $0.group != total }.sorted { $0.group < $1.group },
            unowned: request.scope == .organisation ? gap : nil)
        if breakdown == .month {
            report.groups = zip(months, monthBounds).map { builder, month in
                var empty = GroupMetrics(group: month.name)
                empty.since = month.start.timeIntervalSince1970
                return builder.result().groups.first ?? empty
            }
        }
        try countGateDecisions(in: &report, store: store, teams: teams, inScope: inScope)
        if custom == nil { metricsReports.store(key, .init(report: report, head: head, computedAt: now)) }
        return report
    }

    /// Adds the period's release gate decisions to the groups of the teams they held to account.
    private func countGateDecisions(
        in report: inout MetricsReport, store: SQLStore, teams: [String: Team], inScope: (String?) -> Bool
    ) throws(ServiceError) {
        let decisions = try perform {
            try store.events(kind: .gateDecided, since: report.since, until: report.until)
        }
        for decision in decisions {
            guard let payload = try? JSONDocument(bytes: Array(decision.payload.utf8)).root,
                let outcome = payload["outcome"]?.string, outcome != GateDecision.Outcome.pass.rawValue
            else { continue }
            let held = (payload["teams"]?.array.map { Array($0) } ?? []).compactMap(\.string).filter(inScope)
            func count(_ metrics: inout GroupMetrics) {
                if outcome == GateDecision.Outcome.block.rawValue {
                    metrics.gateBlocked += 1
                } else {
                    metrics.gateWarned += 1
                }
            }
            if !held.isEmpty { count(&report.total) }
            for index in report.groups.indices {
                let group = report.groups[index].group
                if held.contains(group) || held.contains(where: { teams[$0]?.unitID == group }) {
                    count(&report.groups[index])
                }
            }
        }
    }

    /// The calendar months (UTC) the period touches, each cut to the period: "2026-07" and its
    /// bounds.
    static func months(from since: Date, to until: Date) -> [(name: String, start: Date, end: Date)] {
        var months: [(String, Date, Date)] = []
        var start = since
        while start < until {
            let stamp = Timestamp.string(start)
            let year = Int(stamp.prefix(4)) ?? 1970
            let month = Int(stamp.dropFirst(5).prefix(2)) ?? 1
            let next = String(format: "%04d-%02d-01", month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1)
            let end = min(until, Timestamp.date(next) ?? until)
            months.append((String(stamp.prefix(7)), start, end))
            start = end
        }
        return months
    }

    /// `unit` and every unit below it.
    /// A unit-scoped principal's one top unit (its units whose parent is none of its units),
    /// nil when it has none or several.
    static func onlyTopUnit(of principal: Principal, in organisation: Organisation) -> String? {
        let top = principal.units.filter { unit in
            let parent = organisation.units.first { $0.id == unit }?.parentID
            return parent.map { !principal.units.contains($0) } ?? true
        }
        return top.count == 1 ? top.first : nil
    }

    static func units(under unit: String, in organisation: Organisation) -> Set<String> {
        var found: Set<String> = [unit]
        var grew = true
        while grew {
            grew = false
            for candidate in organisation.units where !found.contains(candidate.id) {
                if let parent = candidate.parentID, found.contains(parent) {
                    found.insert(candidate.id)
                    grew = true
                }
            }
        }
        return found
    }
}

/// One team on one screen: who it is, its metrics over the period, and its most urgent work.
public struct Scorecard: Sendable {
    public var team: Team
    public var unit: OrgUnit?
    public var metrics: MetricsReport
    /// Its open findings, highest priority first (at most five).
    public var mostUrgent: [FindingRow]
}

extension CustodyService {
    /// A team's scorecard over the period (by default the last 90 days): its metrics and its five
    /// most urgent open findings. Under the same rule as the metrics: a team sees its own.
    public func scorecard(team id: String, since: Date? = nil, until: Date? = nil, by principal: Principal)
        throws(ServiceError) -> Scorecard
    {
        try scorecard(team: id, since: since, until: until, urgent: 5, by: principal).card
    }

    /// The scorecard with its `urgent` most urgent open findings, and how many are open in all
    /// (one read of the team's findings serves both).
    func scorecard(team id: String, since: Date?, until: Date?, urgent limit: Int, by principal: Principal)
        throws(ServiceError) -> (card: Scorecard, open: Int)
    {
        let metrics = try metrics(MetricsRequest(scope: .team(id), since: since, until: until), by: principal)
        let organisation = try organisation()
        guard let team = organisation.teamsByID[id] else { throw ServiceError(.notFound, "no team '\(id)'") }
        var filter = FindingFilter()
        filter.team = id
        var urgent: [FindingRow] = []
        var open = 0
        _ = try forEachFinding(FindingListRequest(filter: filter, sort: .priority)) { row in
            guard row.status.isActive else { return }
            open += 1
            if urgent.count < limit { urgent.append(row) }
        }
        let card = Scorecard(
            team: team, unit: organisation.units.first { $0.id == team.unitID }, metrics: metrics, mostUrgent: urgent)
        return (card, open)
    }
}
