import CustodyCore
import Foundation

/// Due dates and the threat feeds they depend on (CISA KEV).
extension SQLStore {
    public func kevCatalog() throws -> [String: KEVEntry] {
        try locked { try kevCatalogUnlocked() }
    }

    private func kevCatalogUnlocked() throws -> [String: KEVEntry] {
        let entries = try connection.statement(
            """
            SELECT cve, vendor, product, name, date_added, due_date, ransomware, required_action FROM kev_entries
            """
        ).rows {
            KEVEntry(
                cve: $0.text(0) ?? "", vendor: $0.text(1) ?? "", product: $0.text(2) ?? "", name: $0.text(3) ?? "",
                dateAdded: $0.text(4) ?? "", dueDate: $0.text(5), ransomware: $0.text(6) ?? "",
                requiredAction: $0.text(7) ?? "")
        }
        return Dictionary(entries.map { ($0.cve, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The open findings whose due date may depend on the rules, with what it depends on.
    private struct DueInputs {
        var id: Int64
        var severity: Severity
        var team: String?
        var due: String?
        var firstSeen: Date
        var repository: String?
        var cves: [String]
        var kevAdded: String?
        var active: Bool
    }

    private func dueInputs(where condition: String) throws -> [DueInputs] {
        let parser = ISO8601DateFormatter()
        return try connection.statement(
            """
            SELECT f.id, f.severity, f.owner_team, f.due_at, s.started_at, f.repository, f.cves, f.kev_added,
                   f.status IN ('open', 'acknowledged', 'reopened', 'transferred')
            FROM findings f JOIN scans s ON s.id = f.first_seen_scan
            WHERE \(condition)
            """
        ).rows([]) {
            DueInputs(
                id: $0.int(0), severity: Severity(rawValue: $0.text(1) ?? "") ?? .info, team: $0.text(2),
                due: $0.text(3), firstSeen: parser.date(from: $0.text(4) ?? "") ?? Date(timeIntervalSince1970: 0),
                repository: $0.text(5), cves: ($0.text(6) ?? "").split(separator: ",").map(String.init),
                kevAdded: $0.text(7), active: $0.bool(8))
        }
    }

    public func applySLA(_ policy: SLAPolicy, criticality: [CriticalityRule], actor: String) throws -> Int {
        try locked {
            try connection.transaction {
                let organisation = try organisationUnlocked()
                let teams = organisation.teamsByID
                let rules = DueDateRules(policy: policy, criticality: criticality, kev: try kevCatalogUnlocked())
                var changed = 0
                // Code-quality findings have no due date unless the policy includes them.
                let quality = policy.includesQuality ? "" : " AND f.category = 'security'"
                for row in try dueInputs(
                    where: "f.status IN ('open', 'acknowledged', 'reopened', 'transferred')" + quality)
                {
                    let new = rules.dueDate(
                        severity: row.severity, team: row.team.flatMap { teams[$0] }, organisation: organisation,
                        start: row.firstSeen, repository: row.repository, kevEntries: rules.kevEntries(cves: row.cves))
                    guard new != row.due else { continue }
                    try connection.statement("UPDATE findings SET due_at = ? WHERE id = ?")
                        .run([.optional(new), .integer(row.id)])
                    try connection.appendEvent(
                        kind: .slaDueChanged, findingID: row.id, scanID: nil, actor: actor,
                        payload: .object([
                            ("from", .optional(row.due)), ("to", .optional(new)), ("reason", "SLA policy changed"),
                        ]))
                    changed += 1
                }
                return changed
            }
        }
    }

    /// Replaces the KEV catalog and enriches the findings it newly names, in one transaction: each
    /// such finding gets its KEV date and, when open, the KEV due date; one `kev.added` event each.
    public func importKEV(
        _ catalog: KEVCatalog, digest: String, rules: DueDateRules, actor: String, now: Date = Date()
    ) throws -> KEVImportSummary {
        try locked {
            try connection.transaction {
                let time = Timestamp.string(now)
                let previous = Set(try connection.statement("SELECT cve FROM kev_entries").rows { $0.text(0) ?? "" })
                try connection.execute("DELETE FROM kev_entries")
                let insert = try connection.statement(
                    """
                    INSERT INTO kev_entries (cve, vendor, product, name, date_added, due_date, ransomware, required_action)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cve) DO NOTHING
                    """)
                for entry in catalog.entries {
                    try insert.run([
                        .text(entry.cve), .text(entry.vendor), .text(entry.product), .text(entry.name),
                        .text(entry.dateAdded), .optional(entry.dueDate), .text(entry.ransomware),
                        .text(entry.requiredAction),
                    ])
                }
                try connection.statement(
                    """
                    INSERT INTO feed_imports (feed, version, released, imported_at, entries, sha256, actor)
                    VALUES ('kev', ?, ?, ?, ?, ?, ?)
                    """
                ).run([
                    .text(catalog.version), .text(catalog.released), .text(time),
                    .integer(Int64(catalog.entries.count)),
                    .text(digest), .text(actor),
                ])
                var summary = KEVImportSummary(
                    entries: catalog.entries.count,
                    newEntries: Set(catalog.entries.map(\.cve)).subtracting(previous).count)
                let organisation = try organisationUnlocked()
                let teams = organisation.teamsByID
                var rules = rules
                rules.kev = Dictionary(catalog.entries.map { ($0.cve, $0) }, uniquingKeysWith: { a, _ in a })
                for row in try dueInputs(where: "f.cves <> '' AND f.kev_added IS NULL") {
                    let entries = rules.kevEntries(cves: row.cves)
                    guard let added = entries.map(\.dateAdded).min() else { continue }
                    var due = row.due
                    if row.active {
                        due = rules.dueDate(
                            severity: row.severity, team: row.team.flatMap { teams[$0] }, organisation: organisation,
                            start: row.firstSeen, repository: row.repository, kevEntries: entries)
                    }
                    try connection.statement("UPDATE findings SET kev_added = ?, due_at = ? WHERE id = ?")
                        .run([.text(added), .optional(due), .integer(row.id)])
                    let payload = JSONText.Value.object([
                        ("cves", .strings(entries.map(\.cve))), ("date_added", .string(added)),
                        ("cisa_due", .optional(entries.compactMap(\.dueDate).min())),
                        (
                            "ransomware",
                            .string(entries.contains { $0.ransomware == "Known" } ? "Known" : "Unknown")
                        ),
                        ("catalog", .string(catalog.version)), ("due_from", .optional(row.due)),
                        ("due_to", .optional(due)),
                    ])
                    let event = try connection.appendEvent(
                        kind: .kevAdded, findingID: row.id, scanID: nil, actor: actor, payload: payload, at: time)
                    if row.active {
                        try connection.enqueueNotification(
                            event: event, kind: "kev", findingID: row.id, team: row.team, payload: payload, at: time)
                    }
                    summary.findings += 1
                    if due != row.due { summary.dueChanged += 1 }
                }
                return summary
            }
        }
    }
}

/// What a KEV import did.
public struct KEVImportSummary: Sendable, Equatable {
    /// Entries in the catalog, and those not in the previous one.
    public var entries: Int
    public var newEntries: Int
    /// Findings newly found in the catalog, and those whose due date moved.
    public var findings = 0
    public var dueChanged = 0

    public init(entries: Int, newEntries: Int) {
        self.entries = entries
        self.newEntries = newEntries
    }
}

extension SQLStore {
    /// Code findings another tool reported at the same place (repository, path, line) sharing
    /// a CWE: related, not merged (two tools may flag different defects on one line).
    public func relatedFindings(of id: Int64) throws -> [(id: Int64, tool: String, rule: String)] {
        try locked {
            guard
                let (repository, path, line, tool, cwes) = try connection.statement(
                    "SELECT repository, path, line, tool, cwes FROM findings WHERE id = ? AND cwes <> ''"
                ).first(
                    [.integer(id)], { ($0.text(0), $0.text(1), $0.optionalInt(2), $0.text(3) ?? "", $0.text(4) ?? "") }),
                let path, let line
            else { return [] }
            // The place through the (repository, path, line) index: `repository = ?` or `IS NULL`
            // (PostgreSQL walks no index for `IS NOT DISTINCT FROM` another column).
            let candidates = try connection.statement(
                """
                SELECT id, tool, rule_id, cwes FROM findings
                WHERE \(repository == nil ? "repository IS NULL AND CAST(?1 AS TEXT) = ''" : "repository = ?1")
                  AND path = ?2 AND line = ?3 AND cwes <> '' AND tool <> ?4 AND id <> ?5
                ORDER BY id
                """
            ).rows([.text(repository ?? ""), .text(path), .integer(line), .text(tool), .integer(id)]) {
                ($0.int(0), $0.text(1) ?? "", $0.text(2) ?? "", $0.text(3) ?? "")
            }
            let mine = Set(cwes.split(separator: ","))
            return candidates.filter { !mine.isDisjoint(with: $0.3.split(separator: ",")) }.map { ($0.0, $0.1, $0.2) }
        }
    }
}
