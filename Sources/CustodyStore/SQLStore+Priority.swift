import CustodyCore
import Foundation

/// What an EPSS import did.
public struct EPSSImportSummary: Sendable, Equatable {
    public var scores = 0
    /// Findings whose EPSS score was set or changed.
    public var findings = 0

    public init() {}
}

/// A finding in priority order, with what the order was made from.
public struct PriorityRow: Sendable, Equatable {
    public var id: Int64
    public var priority: Double
    public var decision: String
    public var inputs: String
    public var severity: String
    public var kev: Bool
    public var epss: Double?
    public var team: String?
    public var rule: String
    public var repository: String?
    public var path: String?
    public var line: Int?
}

extension SQLStore {
    /// Replaces the EPSS scores and re-enriches every finding with a CVE (the highest score of
    /// its CVEs), in one transaction. Scores move daily: no event per finding (docs/prioritization.md).
    public func importEPSS(
        _ scores: [(cve: String, score: Double, percentile: Double?)], version: String, released: String?,
        digest: String, actor: String, now: Date = Date()
    ) throws -> EPSSImportSummary {
        try locked {
            try connection.transaction {
                var summary = EPSSImportSummary()
                try connection.execute("DELETE FROM epss")
                let insert = try connection.statement(
                    "INSERT INTO epss (cve, score, percentile) VALUES (?, ?, ?) ON CONFLICT (cve) DO NOTHING")
                for entry in scores {
                    try insert.run([.text(entry.cve.uppercased()), .real(entry.score), .optional(entry.percentile)])
                }
                summary.scores = scores.count
                try connection.statement(
                    """
                    INSERT INTO feed_imports (feed, version, released, imported_at, entries, sha256, actor)
                    VALUES ('epss', ?, ?, ?, ?, ?, ?)
                    """
                ).run([
                    .text(version), .optional(released), .text(Timestamp.string(now)), .integer(Int64(scores.count)),
                    .text(digest), .text(actor),
                ])
                summary.findings = try enrichEPSS(after: 0)
                return summary
            }
        }
    }

    /// Gives each finding recorded after `lastID` the highest EPSS score among its ids (NULL when
    /// the feed has none of them), in one statement over `finding_identifiers`; returns how many
    /// findings changed.
    func enrichEPSS(after lastID: Int64) throws -> Int {
        let best = """
            FROM finding_identifiers i JOIN epss e ON e.cve = i.identifier WHERE i.finding_id = findings.id
            """
        return try connection.statement(
            """
            UPDATE findings
            SET (epss, epss_percentile) = (SELECT e.score, e.percentile \(best) ORDER BY e.score DESC, e.cve LIMIT 1)
            WHERE id > ? AND cves <> '' AND epss IS DISTINCT FROM (SELECT max(e.score) \(best))
            RETURNING id
            """
        ).rows([.integer(lastID)]) { $0.int(0) }.count
    }

    /// Gives findings recorded after `lastID` their EPSS scores from the stored feed.
    func enrichNewFindings(after lastID: Int64) throws {
        guard try connection.statement("SELECT 1 FROM epss LIMIT 1").first([], { _ in true }) != nil else { return }
        _ = try enrichEPSS(after: lastID)
    }

    /// Decides SSVC and priority for every open finding (stored with the inputs, changed rows
    /// only), then returns the first `limit` in priority order (of `team`, when given).
    public func prioritize(criticality: [CriticalityRule], team: String?, limit: Int) throws -> [PriorityRow] {
        try locked {
            try connection.transaction {
                let rows = try connection.statement(
                    """
                    SELECT id, severity, kev_added IS NOT NULL, epss, cvss, repository, ssvc_inputs, priority
                    FROM findings WHERE status IN ('open', 'acknowledged', 'reopened', 'transferred')
                    """
                ).rows([]) {
                    (
                        $0.int(0), Severity(rawValue: $0.text(1) ?? "") ?? .info, $0.bool(2),
                        $0.double(3), ($0.text(4) ?? "").split(separator: " ").map(String.init),
                        $0.text(5), $0.text(6), $0.double(7)
                    )
                }
                let update = try connection.statement(
                    "UPDATE findings SET ssvc = ?, ssvc_inputs = ?, priority = ? WHERE id = ?")
                var levels: [String: Criticality?] = [:]
                for (id, severity, kev, epss, vectors, repository, storedInputs, storedPriority) in rows {
                    let key = repository ?? ""
                    if levels[key] == nil {
                        levels[key] = .some(CriticalityRule.level(of: repository, in: criticality))
                    }
                    let level = levels[key]!
                    let inputs = SSVC.inputs(
                        kev: kev, epss: epss, vectors: vectors, severity: severity, criticality: level)
                    let decision = SSVC.decide(inputs)
                    let priority = SSVC.priority(
                        decision: decision, kev: kev, epss: epss, severity: severity, criticality: level)
                    guard inputs.text != storedInputs || priority != storedPriority else { continue }
                    try update.run([.text(decision.rawValue), .text(inputs.text), .real(priority), .integer(id)])
                }
                return try connection.statement(
                    """
                    SELECT f.id, f.priority, f.ssvc, f.ssvc_inputs, f.severity, f.kev_added IS NOT NULL, f.epss,
                           f.owner_team, f.rule_id, f.repository, f.path, f.line
                    FROM findings f
                    WHERE f.status IN ('open', 'acknowledged', 'reopened', 'transferred') AND (CAST(?1 AS TEXT) IS NULL OR f.owner_team = ?1)
                    ORDER BY f.priority DESC, f.id LIMIT ?2
                    """
                ).rows([.optional(team), .integer(Int64(limit))]) {
                    PriorityRow(
                        id: $0.int(0), priority: $0.double(1) ?? 0, decision: $0.text(2) ?? "",
                        inputs: $0.text(3) ?? "",
                        severity: $0.text(4) ?? "", kev: $0.bool(5), epss: $0.double(6),
                        team: $0.text(7), rule: $0.text(8) ?? "", repository: $0.text(9), path: $0.text(10),
                        line: $0.isNull(11) ? nil : Int($0.int(11)))
                }
            }
        }
    }
}
