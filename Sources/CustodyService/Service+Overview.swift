import CustodyCore
import CustodyMetrics
import Foundation

/// The organisation at a glance: the scope's metrics, and each team's and each org unit's
/// (a unit counts everything below it), read in one pass over the findings.
public struct Overview: Sendable {
    public var metrics: MetricsReport
    /// One group per team with findings in the scope (`(unowned)`: the accountability gap).
    public var teams: [GroupMetrics]
    /// One group per org unit with findings in the scope, every unit above a team included.
    public var units: [GroupMetrics]
}

extension CustodyService {
    /// The overview of a scope over a period, under the metrics' rules: a unit-scoped principal
    /// sees its units, a team's principal its own team only.
    public func overview(_ request: MetricsRequest, by principal: Principal) throws(ServiceError) -> Overview {
        var request = request
        request.breakdown = nil
        let organisation = try organisation()
        let teams = organisation.teamsByID
        let parents = Dictionary(uniqueKeysWithValues: organisation.units.map { ($0.id, $0.parentID) })
        let report = try measure(request, by: principal) { _, team in
            guard let team else { return ["team:(unowned)"] }
            var groups = ["team:" + team]
            var unit = teams[team]?.unitID
            // Up the tree to the top (a cycle in a teams file cannot loop: at most 64 levels).
            while let current = unit, groups.count <= 64 {
                groups.append("unit:" + current)
                unit = parents[current] ?? nil
            }
            return groups
        }
        func groups(_ prefix: String) -> [GroupMetrics] {
            report.groups.filter { $0.group.hasPrefix(prefix) }.map { group in
                var group = group
                group.group = String(group.group.dropFirst(prefix.count))
                return group
            }
        }
        var metrics = report
        metrics.groups = []
        return Overview(metrics: metrics, teams: groups("team:"), units: groups("unit:"))
    }
}

extension CustodyService {
    /// How old an overview may be before a page asks for a new one (it is drawn from the old one
    /// meanwhile, and says when that was computed).
    public static let overviewMaxAge: TimeInterval = 300

    /// The overview of the last 90 days for the organisation, or for `unit` (with everything
    /// below it), as the principal may see it: a unit-scoped principal its units only, a team's
    /// principal none. Drawn from the organisation's overview as last computed when nothing has
    /// been recorded since and it is younger than ``overviewMaxAge``; an older one is served
    /// while a new one is computed beside it. `computedAt` says which.
    public func overviewSnapshot(unit: String? = nil, by principal: Principal, now: Date = Date())
        throws(ServiceError) -> (overview: Overview, computedAt: Date)
    {
        try authorizeAggregates(principal)
        if principal.isTeamBound {
            throw ServiceError(
                .forbidden,
                "\(principal.name) sees its own teams' figures: \(principal.teams.sorted().joined(separator: ", "))")
        }
        let organisation = try organisation()
        var scope = unit
        if !principal.units.isEmpty {
            // A unit-scoped principal: its one top unit unless it names one of its units.
            if scope == nil { scope = Self.onlyTopUnit(of: principal, in: organisation) }
            guard let scope, principal.units.contains(scope) else {
                throw ServiceError(
                    .forbidden,
                    "\(principal.name) may see the figures of \(principal.units.sorted().joined(separator: ", ")) only")
            }
        }
        if let scope, !organisation.units.contains(where: { $0.id == scope }) {
            throw ServiceError(.notFound, "no org unit '\(scope)'")
        }
        let entry = try currentOverview(now: now)
        guard let scope else { return (entry.overview, entry.computedAt) }
        return (Self.narrowed(entry.overview, to: scope, organisation), entry.computedAt)
    }

    /// The organisation's overview as last computed: recomputed now when there is none, or in
    /// the background when something was recorded since or it has grown old.
    func currentOverview(now: Date) throws(ServiceError) -> OverviewCache.Entry {
        let store = try store()
        let head = try perform { try store.ledgerHead() }
        let everyone = Principal(name: "custody", role: .administrator)
        if let entry = overviews.current {
            let fresh = entry.head == head && now.timeIntervalSince(entry.computedAt) < Self.overviewMaxAge
            if !fresh, overviews.beginRefresh() {
                DispatchQueue.global(qos: .utility).async {
                    defer { self.overviews.endRefresh() }
                    let started = Date()
                    if let overview = try? self.overview(MetricsRequest(until: started), by: everyone) {
                        self.overviews.store(.init(overview: overview, head: head, computedAt: started))
                    }
                }
            }
            return entry
        }
        overviews.computing.lock()
        defer { overviews.computing.unlock() }
        if let entry = overviews.current { return entry }
        let entry = OverviewCache.Entry(
            overview: try overview(MetricsRequest(until: now), by: everyone), head: head, computedAt: now)
        overviews.store(entry)
        return entry
    }

    /// Computes the first overview in the background (`custody serve` does at start), so that
    /// the first page does not wait a whole pass at a million findings.
    public func prepareOverview() {
        DispatchQueue.global(qos: .utility).async { _ = try? self.currentOverview(now: Date()) }
    }

    /// The organisation's overview cut to one unit: its own figures as the total, its teams and
    /// the units below it.
    static func narrowed(_ overview: Overview, to unit: String, _ organisation: Organisation) -> Overview {
        let below = units(under: unit, in: organisation)
        let teams = Set(organisation.teams.filter { $0.unitID.map(below.contains) ?? false }.map(\.id))
        var metrics = overview.metrics
        metrics.scope = "unit " + unit
        metrics.total = overview.units.first { $0.group == unit } ?? GroupMetrics(group: unit)
        metrics.unowned = nil
        return Overview(
            metrics: metrics, teams: overview.teams.filter { teams.contains($0.group) },
            units: overview.units.filter { below.contains($0.group) })
    }
}
