import CustodyCore
import CustodyMetrics
import CustodyStore
import Foundation

/// What the board report shows: the organisation over a period, every org unit (with
/// everything below it) and every team, from one read of the findings.
public struct BoardReport: Sendable {
    public struct UnitRow: Sendable {
        public var unit: OrgUnit
        /// 0 for a top-level unit (an agency), 1 below it, and so on.
        public var depth: Int
        public var metrics: GroupMetrics
    }

    public struct TeamRow: Sendable {
        public var team: Team
        public var metrics: GroupMetrics
    }

    /// The organisation's totals and its accountability gap.
    public var organisation: MetricsReport
    /// Units in tree order (each followed by the units below it).
    public var units: [UnitRow]
    public var teams: [TeamRow]
    /// Findings no team was accountable for: their daily open series is the gap's trend.
    public var unowned: GroupMetrics?
}

/// A team's report: its metrics over the period and its open work, most urgent first.
public struct TeamReport: Sendable {
    public var scorecard: Scorecard
    /// Open findings, highest priority first (at most `limit`), and how many are open in all.
    public var openWork: [FindingRow]
    public var openCount: Int
}

extension CustodyService {
    /// The board report's figures (docs/reports.md). Executives, security, auditors and the local
    /// operator may read it; a team's principal may not (it shows every team).
    public func boardReport(since: Date? = nil, until: Date? = nil, by principal: Principal) throws(ServiceError)
        -> BoardReport
    {
        try authorizeAggregates(principal)
        guard !principal.isScoped else {
            throw ServiceError(.forbidden, "\(principal.name) may read team reports, not the board's (every team)")
        }
        let organisation = try organisation()
        // Each team counts in its own group and in its unit's and every unit above it.
        var unitsOfTeam: [String: [String]] = [:]
        let parent = Dictionary(uniqueKeysWithValues: organisation.units.map { ($0.id, $0.parentID) })
        for team in organisation.teams {
            var chain: [String] = []
            var unit = team.unitID
            while let current = unit, !chain.contains("unit:" + current) {
                chain.append("unit:" + current)
                unit = parent[current] ?? nil
            }
            unitsOfTeam[team.id] = chain
        }
        let chains = unitsOfTeam
        let report = try measure(
            MetricsRequest(scope: .organisation, since: since, until: until), by: principal
        ) { _, team in
            guard let team else { return ["team:(unowned)"] }
            return ["team:" + team] + (chains[team] ?? [])
        }
        let groups = Dictionary(uniqueKeysWithValues: report.groups.map { ($0.group, $0) })
        func empty(_ name: String) -> GroupMetrics {
            var metrics = GroupMetrics(group: name)
            metrics.since = report.since.timeIntervalSince1970
            return metrics
        }
        // Units in tree order, top-level units by name.
        var units: [BoardReport.UnitRow] = []
        func add(_ parentID: String?, depth: Int) {
            for unit in organisation.units.filter({ $0.parentID == parentID }).sorted(by: { $0.id < $1.id }) {
                units.append(.init(unit: unit, depth: depth, metrics: groups["unit:" + unit.id] ?? empty(unit.id)))
                if depth < 16 { add(unit.id, depth: depth + 1) }
            }
        }
        add(nil, depth: 0)
        var organisationOnly = report
        organisationOnly.groups = []
        return BoardReport(
            organisation: organisationOnly, units: units,
            teams: organisation.teams.sorted { $0.id < $1.id }.map {
                .init(team: $0, metrics: groups["team:" + $0.id] ?? empty($0.id))
            }, unowned: groups["team:(unowned)"])
    }

    /// A team's report: its scorecard over the period and up to `limit` open findings by priority.
    /// Under the metrics' rule: a team's principal reads its own.
    public func teamReport(
        team: String, since: Date? = nil, until: Date? = nil, limit: Int = 50, by principal: Principal
    ) throws(ServiceError) -> TeamReport {
        let (card, open) = try scorecard(team: team, since: since, until: until, urgent: limit, by: principal)
        // Who reads aggregates only (an executive) gets the figures without the findings.
        guard principal.readsFindings else {
            var figures = card
            figures.mostUrgent = []
            return TeamReport(scorecard: figures, openWork: [], openCount: open)
        }
        return TeamReport(scorecard: card, openWork: card.mostUrgent, openCount: open)
    }
}
