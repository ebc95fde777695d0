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
