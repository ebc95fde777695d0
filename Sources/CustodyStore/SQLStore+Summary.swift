import CustodyCore
import Foundation

extension SQLStore {
    public func teamSummaries() throws -> [TeamSummary] {
        try locked {
            let sql = """
                WITH counts AS (
                  SELECT owner_team AS team,
                         count(*) FILTER (WHERE status IN ('open','acknowledged','reopened','transferred')) AS open,
                         count(*) FILTER (WHERE status IN ('open','acknowledged','reopened','transferred') AND severity = 'critical') AS critical,
                         count(*) FILTER (WHERE status IN ('open','acknowledged','reopened','transferred') AND severity = 'high') AS high,
                         count(*) FILTER (WHERE status IN ('open','acknowledged','reopened','transferred') AND severity = 'medium') AS medium,
                         count(*) FILTER (WHERE status IN ('open','acknowledged','reopened','transferred') AND severity = 'low') AS low,
                         count(*) FILTER (WHERE status = 'fixed') AS fixed
                  FROM findings WHERE category = 'security' GROUP BY owner_team
                )
                SELECT t.id, t.name, c.open, c.critical, c.high, c.medium, c.low, c.fixed
                FROM teams t LEFT JOIN counts c ON c.team = t.id
                UNION ALL
                SELECT NULL, NULL, c.open, c.critical, c.high, c.medium, c.low, c.fixed FROM counts c WHERE c.team IS NULL
                """
            return try connection.statement(sql).rows {
                TeamSummary(
                    team: $0.text(0), teamName: $0.text(1), open: Int($0.int(2)), critical: Int($0.int(3)),
                    high: Int($0.int(4)), medium: Int($0.int(5)), low: Int($0.int(6)), fixed: Int($0.int(7)))
            }
            .sorted {
                ($0.team == nil ? 1 : 0, -$0.open, $0.team ?? "") < ($1.team == nil ? 1 : 0, -$1.open, $1.team ?? "")
            }
        }
    }

    public func counts() throws -> [String: Int] {
        try locked {
            var out: [String: Int] = [:]
            for table in ["org_units", "teams", "scans", "findings", "sightings", "events", "ownership_rules"] {
                out[table] =
                    try connection.statement("SELECT count(*) FROM \(table)").rows { Int($0.int(0)) }.first ?? 0
            }
            return out
        }
    }
}
