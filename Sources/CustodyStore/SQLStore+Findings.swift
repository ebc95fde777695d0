import CustodyCore
import Foundation

extension SQLStore {
    public func findings(_ query: FindingQuery) throws -> [FindingRow] {
        try locked { try findingsUnlocked(query) }
    }

    public func forEachFinding(_ query: FindingQuery, _ body: (FindingRow) throws -> Bool) throws {
        try locked(retrying: false) { try forEachFindingUnlocked(query, body) }
    }

    func findingsUnlocked(_ query: FindingQuery) throws -> [FindingRow] {
        var rows: [FindingRow] = []
        try forEachFindingUnlocked(query) { row in
            rows.append(row)
            return true
        }
        return rows
    }

    func forEachFindingUnlocked(_ query: FindingQuery, _ body: (FindingRow) throws -> Bool) throws {
        if query.limit != nil {
            try forEachFindingOfPage(query, body)
            return
        }
        let (sql, values) = listing(query)
        let statement = try connection.statement(sql)
        let columns = try FindingColumns(statement)
        try statement.forEach(values) { row in try body(columns.decode(row)) }
    }

    /// A page in two reads: its ids in order, from findings alone through the index its order
    /// walks, then those rows joined to their sightings, scans, rules and introducers. One
    /// statement of both sorted the page's wide joined rows again (a third of a 50-row page's
    /// time on SQLite, and PostgreSQL's generic plans ran the joins for more rows than the page).
    private func forEachFindingOfPage(_ query: FindingQuery, _ body: (FindingRow) throws -> Bool) throws {
        let (pageSQL, pageValues) = listing(query)
        let ids = try connection.statement(pageSQL).rows(pageValues) { try $0.int("id") }
        guard !ids.isEmpty else { return }
        // The list is padded (with its last id) to a power of two: a few statements to prepare
        // and keep, not one per page size.
        var width = 1
        while width < ids.count { width *= 2 }
        let statement = try connection.statement(
            listingColumns + " WHERE f.id IN (\(Array(repeating: "?", count: width).joined(separator: ", ")))")
        let columns = try FindingColumns(statement)
        var rows: [Int64: FindingRow] = [:]
        rows.reserveCapacity(ids.count)
        let padded = ids + Array(repeating: ids[ids.count - 1], count: width - ids.count)
        try statement.forEach(padded.map { .integer($0) }) { row in
            let finding = columns.decode(row)
            rows[finding.id] = finding
            return true
        }
        for id in ids {
            guard let row = rows[id] else { continue }
            guard try body(row) else { return }
        }
    }

    /// SQLite's plan of the listing `query` runs, for tests that check pages walk an index.
    public func listingPlanForTesting(_ query: FindingQuery) throws -> String {
        let (sql, values) = listing(query)
        var text = sql
        // The plan does not depend on the values; inline them so the shell-like EXPLAIN runs.
        for value in values {
            guard let range = text.range(of: "?") else { break }
            let literal: String
            switch value {
            case .null: literal = "NULL"
            case .integer(let number): literal = String(number)
            case .real(let number): literal = String(number)
            case .text(let string): literal = "'" + string.replacingOccurrences(of: "'", with: "''") + "'"
            }
            text.replaceSubrange(range, with: literal)
        }
        return try queryPlanForTesting(text)
    }

    /// The statement and parameters of a listing: for a query with a limit, its page's ids in
    /// order (``forEachFindingOfPage(_:_:)`` reads their rows).
    func listing(_ query: FindingQuery) -> (sql: String, values: [SQLValue]) {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let team = query.team {
            conditions.append("f.owner_team = ?")
            values.append(.text(team))
        }
        if let teams = query.teams {
            // No team at all selects nothing (IN () is not SQL).
            conditions.append(
                teams.isEmpty
                    ? "1 = 0" : "f.owner_team IN (\(Array(repeating: "?", count: teams.count).joined(separator: ", ")))"
            )
            values += teams.map { .text($0) }
        }
        if query.unownedOnly { conditions.append("f.owner_team IS NULL") }
        if let status = query.status {
            // The status is one of the enumeration's own names, written into the statement so
            // that a partial index on one status (risk acceptances) can serve it.
            conditions.append("f.status = '\(status.rawValue)'")
        }
        if let text = query.text {
            // The path is a prefix: its LIKE wildcards are escaped, so '%' and '_' mean themselves.
            let pattern =
                text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            conditions.append(
                "(f.rule_id = ? OR f.repository = ? OR f.package = ? OR f.asset = ? OR f.path LIKE ? ESCAPE '\\')")
            values += [.text(text), .text(text), .text(text), .text(text), .text(pattern)]
        }
        if query.activeOnly { conditions.append("f.status IN ('open', 'acknowledged', 'reopened', 'transferred')") }
        if let rule = query.rule {
            conditions.append("f.rule_id = ?")
            values.append(.text(rule))
        }
        if let cve = query.cve {
            conditions.append("f.id IN (SELECT finding_id FROM finding_identifiers WHERE identifier = ?)")
            values.append(.text(cve.uppercased()))
        }
        if let time = query.overdueAt {
            conditions.append(
                "f.due_at < ? AND f.status IN ('open', 'acknowledged', 'reopened', 'transferred')")
            values.append(.text(time))
        }
        if let id = query.id {
            conditions.append("f.id = ?")
            values.append(.integer(id))
        }
        if let repository = query.repository {
            conditions.append("f.repository = ?")
            values.append(.text(repository))
        }
        if let severity = query.severity {
            conditions.append("f.severity = ?")
            values.append(.text(severity.rawValue))
        }
        if let (team, time) = query.ownedAt {
            conditions.append("f.id IN (\(Self.ownedAtSQL))")
            values += [.text(team), .text(time), .text(time), .text(team), .text(time)]
        }
        let sortKey = query.sort.expression
        if let cursor = query.after {
            if let sortKey {
                // A row value: both engines walk the (team, key, id) index from it, with or
                // without the values at planning time (PostgreSQL's generic plans).
                conditions.append("(\(sortKey), f.id) > (?, ?)")
                values += [query.sort.value(of: cursor.key), .integer(cursor.id)]
            } else {
                conditions.append("f.id > ?")
                values.append(.integer(cursor.id))
            }
        }
        let order = sortKey.map { $0 + ", f.id" } ?? "f.id"
        let selection = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        if let limit = query.limit {
            values.append(.integer(Int64(limit)))
            return ("SELECT f.id AS id FROM findings f\(selection) ORDER BY \(order) LIMIT ?", values)
        }
        return (listingColumns + selection + " ORDER BY " + order, values)
    }

    /// Every column of a listing's rows, from findings `f` joined to their latest sighting, first
    /// and last scans, ownership rule and introducer; a WHERE clause follows.
    var listingColumns: String {
        """
        SELECT f.id, f.fingerprint, f.tool, f.rule_id, f.severity, f.status, f.repository, f.path,
               latest.line AS line, f.message, f.cwes, f.cves, f.owner_team, r.source AS rule_source,
               r.file AS rule_file, r.revision AS rule_revision, f.suppressions,
               first.started_at AS first_seen, last.started_at AS last_seen, f.fingerprint_basis,
               r.dialect AS rule_dialect, r.line AS rule_line, r.pattern AS rule_pattern,
               r.section AS rule_section, r.handles AS rule_handles,
               i.commit_sha AS introduced_commit, c.author AS introduced_author,
               c.email AS introduced_email, c.authored_at AS introduced_at, c.release AS introduced_release,
               i.team AS introduced_team, i.path_then AS introduced_path, i.line_then AS introduced_line,
               i.reason AS introducer_reason, f.due_at, f.kev_added, f.escalation_stage, f.package,
               f.package_version, f.vulnerability_ids, f.fixed_version, f.cvss, f.asset,
               CASE WHEN f.fingerprint_basis = 'dependency'
                    THEN (SELECT \(connection.dialect.distinctList("sc.tool")) FROM sightings si JOIN scans sc ON sc.id = si.scan_id
                          WHERE si.finding_id = f.id)
                    ELSE f.tool END AS sources, f.epss, f.ssvc, f.ssvc_inputs, f.priority, f.category,
               f.risk_accepted_until, f.risk_approver, f.justification
        FROM findings f
        JOIN sightings latest ON latest.finding_id = f.id
             AND latest.scan_id = (SELECT max(scan_id) FROM sightings WHERE finding_id = f.id)
        JOIN scans first ON first.id = f.first_seen_scan
        JOIN scans last ON last.id = latest.scan_id
        LEFT JOIN ownership_rules r ON r.id = f.owner_rule
        LEFT JOIN introducers i ON i.finding_id = f.id
        LEFT JOIN commits c ON c.sha = i.commit_sha
        """
    }
}
