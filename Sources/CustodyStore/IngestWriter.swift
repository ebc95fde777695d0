import CustodyCore
import Foundation

/// Writes scans and their findings inside the ingest transaction.
final class SQLIngestSession: IngestSession {
    private let connection: any SQLConnection
    private var current: (scan: ScanRecord, id: Int64, now: String)?
    private var summary = IngestSummary()
    private(set) var total = IngestSummary()
    // Prepared once per ingest: the per-finding statements.
    private let lookup: any SQLStatement
    private let insert: any SQLStatement
    private let sighting: any SQLStatement
    private let identifierInsert: any SQLStatement
    private let sightingBatch: any SQLStatement
    /// PostgreSQL: findings wait in `waiting` until ``lookupBatch`` of them are looked up in one
    /// query (a lookup per finding is a round trip there, and stops the pipeline of writes).
    /// SQLite looks each up as it comes: a lookup is a call in this process.
    private let batchLookup: (any SQLStatement)?
    private static let lookupBatch = 500
    private var waiting: [EncodedFinding] = []
    /// The stored findings of the waiting batch by key, as found and as this ingest changed them.
    private var prefetched: [Int64: Stored] = [:]
    private var knownKeys: Set<Int64>?
    private var knownKeysRepository: String?
    // Sightings wait here and are written `batchRows` to a statement: one multi-row INSERT of
    // these narrow rows costs SQLite less than as many single ones. (Batching the wide finding
    // rows the same way measured slower, 14.4 s against 11.6-13.8 s for a million.)
    private static let batchRows = 32
    private var pendingSightings: [SQLValue] = []
    // Ownership rules by the caller's number: their row ids, and for `record(_:)` the numbers given.
    private var ruleRows: [Int: Int64] = [:]
    private var ruleKeys: [OwnerEvidence: Int] = [:]
    private var writtenCommits = Set<String>()

    init(connection: any SQLConnection) throws {
        self.connection = connection
        lookup = try connection.statement(
            """
            SELECT id, status, fingerprint, owner_team, owner_rule FROM findings
            WHERE coalesce(repository, '') = ? AND fingerprint_key = ?
            """)
        batchLookup = try connection.dialect.anyOf.map { anyOf in
            try connection.statement(
                """
                SELECT id, status, fingerprint, owner_team, owner_rule, fingerprint_key FROM findings
                WHERE coalesce(repository, '') = ? AND \(anyOf("fingerprint_key", "BIGINT"))
                """)
        }
        insert = try connection.statement(
            """
            INSERT INTO findings (fingerprint_key, fingerprint, fingerprint_basis, repository, branch, tool, rule_id,
                rule_name, message, severity, score, level, cwes, cves, path, line, suppressions, baseline_state,
                owner_team, due_at, kev_added, package, package_version, vulnerability_ids, fixed_version, cvss, asset,
                category, owner_rule, first_seen_scan, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')
            """)
        identifierInsert = try connection.statement(
            "INSERT INTO finding_identifiers (identifier, finding_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        let sightings = "INSERT INTO sightings (finding_id, scan_id, line) VALUES "
        let onConflict = " ON CONFLICT DO NOTHING"
        sighting = try connection.statement(sightings + "(?, ?, ?)" + onConflict)
        sightingBatch = try connection.statement(
            sightings + Array(repeating: "(?, ?, ?)", count: Self.batchRows).joined(separator: ", ") + onConflict)
    }

    /// Writes (or finds) an ownership rule's row, so findings can cite it by `key`.
    func defineRule(_ number: Int, _ evidence: OwnerEvidence) throws {
        let key: [SQLValue] = [
            .text(evidence.source), .text(evidence.file), .text(evidence.revision ?? ""),
            .integer(Int64(evidence.line)),
        ]
        try connection.statement(
            """
            INSERT INTO ownership_rules (source, file, revision, line, dialect, pattern, section, handles)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (source, file, revision, line) DO UPDATE
            SET dialect = excluded.dialect, pattern = excluded.pattern, section = excluded.section,
                handles = excluded.handles
            """
        ).run(
            key + [
                .text(evidence.dialect), .text(evidence.pattern), .optional(evidence.section),
                .text(evidence.handles.joined(separator: ",")),
            ])
        let id =
            try connection.statement(
                "SELECT id FROM ownership_rules WHERE source = ? AND file = ? AND revision = ? AND line = ?"
            ).rows(key) { $0.int(0) }.first ?? 0
        ruleRows[number] = id
    }

    /// The introducer of a new finding (fixed at discovery), and its commit once per ingest.
    private func recordIntroducer(of findingID: Int64, _ encoded: EncodedFinding) throws {
        if let introducer = encoded.introducer {
            if !writtenCommits.contains(introducer.commit) {
                try connection.statement(
                    """
                    INSERT INTO commits (sha, author, email, authored_at, release) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (sha) DO UPDATE SET release = coalesce(commits.release, excluded.release)
                    """
                ).run([
                    .text(introducer.commit), .text(introducer.author), .text(introducer.email),
                    .text(introducer.authoredAt), .optional(introducer.release),
                ])
                writtenCommits.insert(introducer.commit)
            }
            try connection.statement(
                "INSERT INTO introducers (finding_id, commit_sha, team, path_then, line_then) VALUES (?, ?, ?, ?, ?)"
            ).run([
                .integer(findingID), .text(introducer.commit), .optional(introducer.team), .text(introducer.pathThen),
                .integer(Int64(introducer.lineThen)),
            ])
        } else if let reason = encoded.introducerUnknownReason {
            try connection.statement("INSERT INTO introducers (finding_id, reason) VALUES (?, ?)")
                .run([.integer(findingID), .text(reason)])
        }
    }

    /// Writes the sightings that wait.
    private func flush() throws {
        var start = 0
        let width = 3 * Self.batchRows
        while pendingSightings.count - start >= width {
            try sightingBatch.run(Array(pendingSightings[start..<start + width]))
            start += width
        }
        while start < pendingSightings.count {
            try sighting.run(Array(pendingSightings[start..<start + 3]))
            start += 3
        }
        pendingSightings.removeAll(keepingCapacity: true)
    }

    func beginScan(_ scan: ScanRecord) throws {
        try finishScan()
        let now = Timestamp.string(scan.startedAt)
        // Fixes are proved by order (a full scan's absent findings), so a history is loaded
        // oldest first: a dated scan older than the newest of its target is refused. (Scans
        // timed by the clock are not compared: concurrent ingests commit in any order.)
        if scan.isDated,
            let newer = try connection.statement(
                """
                SELECT started_at FROM scans
                WHERE repository IS NOT DISTINCT FROM ? AND branch IS NOT DISTINCT FROM ? AND tool = ? AND started_at > ?
                ORDER BY started_at DESC LIMIT 1
                """
            ).first([.optional(scan.repository), .optional(scan.branch), .text(scan.tool), .text(now)], { $0.text(0) })
        {
            throw StoreRefusal(
                .refused,
                "\(scan.sourceFile): the scan is dated \(now), before the newest \(scan.tool) scan of "
                    + "\(scan.repository ?? "(no repository)")\(scan.branch.map { "@" + $0 } ?? "") (\(newer ?? "")): "
                    + "load a history oldest first")
        }
        let scanID = try connection.statement(
            """
            INSERT INTO scans (tool, tool_version, format, source_file, repository, branch, commit_sha,
                               scope, uploader, started_at, release)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).insert([
            .text(scan.tool), .optional(scan.toolVersion), .text(scan.format), .text(scan.sourceFile),
            .optional(scan.repository), .optional(scan.branch), .optional(scan.commit), .text(scan.scope.rawValue),
            .text(scan.uploader), .text(now), .optional(scan.release),
        ])
        current = (scan, scanID, now)
        summary = IngestSummary()
        // A map this repository has not been attributed with before is a change of the ownership
        // map: one event, with the time it took effect.
        if let map = scan.ownershipMap {
            let last =
                try connection.statement(
                    """
                    SELECT \(connection.dialect.jsonMember("payload", "map")) AS map FROM events
                    WHERE kind = 'ownership.map'
                      AND \(connection.dialect.jsonMember("payload", "repository")) IS NOT DISTINCT FROM ?
                    ORDER BY seq DESC LIMIT 1
                    """
                ).rows([.optional(scan.repository)]) { $0.text(0) }.first ?? nil
            if last != map {
                try connection.appendEvent(
                    kind: .ownershipMap, findingID: nil, scanID: scanID, actor: scan.uploader,
                    payload: .object([
                        ("repository", .optional(scan.repository)), ("map", .string(map)),
                        ("effective_at", .optional(scan.ownershipMapEffectiveAt)), ("previous", .optional(last)),
                    ]), at: now)
            }
        }
        if let text = scan.ownershipMapText, let repository = scan.repository, let map = scan.ownershipMap {
            try connection.statement(
                """
                INSERT INTO ownership_maps (repository, name, text, recorded_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (repository) DO UPDATE SET name = excluded.name, text = excluded.text,
                    recorded_at = excluded.recorded_at
                """
            ).run([.text(repository), .text(map), .text(text), .text(scan.ownershipMapEffectiveAt ?? now)])
        }
        // The keys this repository already has, read once from the covering index: a finding
        // whose key is not among them is new without a lookup per finding.
        if knownKeysRepository != scan.repository || knownKeys == nil {
            knownKeys = Set(
                try connection.statement("SELECT fingerprint_key FROM findings WHERE coalesce(repository, '') = ?")
                    .rows([.text(scan.repository ?? "")]) { $0.int(0) })
            knownKeysRepository = scan.repository
        }
    }

    func finishScan() throws {
        try processWaiting()
        try flush()
        guard let (scan, scanID, now) = current else { return }
        current = nil
        // Findings seen before: they were seen now.
        let profile = Profile()
        defer { profile.mark("  finish scan") }
        // A full scan of a target (repository, branch, tool) proves absent findings fixed.
        if scan.scope == .full {
            // The target's findings through the (repository, tool, status) index: `repository = ?`
            // or `IS NULL` (PostgreSQL walks no index for `IS NOT DISTINCT FROM ?`).
            let repository = scan.repository == nil ? "repository IS NULL AND CAST(?2 AS TEXT) = ''" : "repository = ?2"
            // A scan that left out findings below a severity proves nothing about them.
            let kept = Severity.allCases.filter { $0 >= (scan.minimumSeverity ?? .info) }
            let keptSQL =
                scan.minimumSeverity == nil
                ? "" : " AND severity IN (\(kept.indices.map { "?\($0 + 6)" }.joined(separator: ", ")))"
            let fixed = try connection.statement(
                """
                UPDATE findings SET status = 'fixed', fixed_at = ?1
                WHERE \(repository) AND branch IS NOT DISTINCT FROM ?3 AND tool = ?4
                  AND status IN ('open', 'acknowledged', 'reopened', 'transferred')\(keptSQL)
                  AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.finding_id = findings.id AND s.scan_id = ?5)
                RETURNING id
                """
            ).rows(
                [
                    .text(now), .text(scan.repository ?? ""), .optional(scan.branch), .text(scan.tool),
                    .integer(scanID),
                ] + (scan.minimumSeverity == nil ? [] : kept.map { .text($0.rawValue) })
            ) {
                $0.int(0)
            }
            for id in fixed.sorted() {
                try connection.appendEvent(
                    kind: .findingFixed, findingID: id, scanID: scanID, actor: scan.uploader,
                    payload: .object([("reason", "absent from full rescan"), ("scan", .int(scanID))]), at: now)
            }
            summary.fixed = fixed.count
        }

        try connection.statement("UPDATE scans SET finding_count = ? WHERE id = ?")
            .run([.integer(Int64(summary.findings)), .integer(scanID)])
        // One event for the scan stands for every finding it discovered or saw (sightings and
        // first_seen_scan hold the detail), so a million-finding report is one event, not a million.
        var fields: [(String, JSONText.Value)] = [
            ("tool", .string(scan.tool)), ("file", .string(scan.sourceFile)),
            ("repository", .optional(scan.repository)), ("branch", .optional(scan.branch)),
            ("commit", .optional(scan.commit)), ("scope", .string(scan.scope.rawValue)),
            ("findings", .int(Int64(summary.findings))), ("new", .int(Int64(summary.new))),
            ("seen", .int(Int64(summary.seen))), ("reopened", .int(Int64(summary.reopened))),
            ("fixed", .int(Int64(summary.fixed))), ("unowned", .int(Int64(summary.unowned))),
        ]
        if let least = scan.minimumSeverity { fields.append(("minimum_severity", .string(least.rawValue))) }
        try connection.appendEvent(
            kind: .scanIngested, findingID: nil, scanID: scanID, actor: scan.uploader, payload: .object(fields), at: now
        )
        summary.scanIDs = [scanID]
        total = total + summary
    }

    func record(_ prepared: PreparedFinding) throws {
        guard let scan = current?.scan else {
            throw StoreRefusal(.invalid, "a finding was recorded before its scan began")
        }
        var key: Int?
        if let evidence = prepared.ownerEvidence {
            if let known = ruleKeys[evidence] {
                key = known
            } else {
                key = -(ruleKeys.count + 1)  // negative: numbers the caller never uses
                ruleKeys[evidence] = key
                try defineRule(key!, evidence)
            }
        }
        try record(encoded: EncodedFinding(prepared, scan: scan, ruleKey: key))
    }

    func record(encoded: EncodedFinding) throws {
        guard current != nil else {
            throw StoreRefusal(.invalid, "a finding was recorded before its scan began")
        }
        guard batchLookup != nil else { return try process(encoded) }
        waiting.append(encoded)
        if waiting.count >= Self.lookupBatch { try processWaiting() }
    }

    /// The findings that wait, looked up in one query and then recorded in order.
    private func processWaiting() throws {
        guard let batchLookup, let scan = current?.scan, !waiting.isEmpty else { return }
        var keys: [Int64] = []
        for encoded in waiting {
            for key in [encoded.key, encoded.alternate?.key].compactMap({ $0 }) where knownKeys?.contains(key) != false
            {
                keys.append(key)
            }
        }
        prefetched = [:]
        if !keys.isEmpty {
            let list = SQLDialect.arrayLiteral(keys.lazy.map(String.init))
            try batchLookup.forEach([.text(scan.repository ?? ""), .text(list)]) { row in
                prefetched[row.int(5)] = Stored(
                    id: row.int(0), status: row.text(1) ?? "", fingerprint: row.text(2) ?? "", owner: row.text(3),
                    rule: row.optionalInt(4))
                return true
            }
        }
        let batch = waiting
        waiting.removeAll(keepingCapacity: true)
        for encoded in batch { try process(encoded) }
        prefetched = [:]
    }

    /// A stored finding as the ingest needs it to decide: new, seen, reopened, re-owned.
    private struct Stored {
        var id: Int64
        var status: String
        var fingerprint: String
        var owner: String?
        var rule: Int64?
    }

    private func stored(repository: String, key: Int64) throws -> Stored? {
        if batchLookup != nil, let found = prefetched[key] { return found }
        return try lookup.first([.text(repository), .integer(key)]) { row in
            Stored(
                id: row.int(0), status: row.text(1) ?? "", fingerprint: row.text(2) ?? "", owner: row.text(3),
                rule: row.optionalInt(4))
        }
    }

    private func process(_ encoded: EncodedFinding) throws {
        guard let (scan, scanID, now) = current else {
            throw StoreRefusal(.invalid, "a finding was recorded before its scan began")
        }
        summary.findings += 1
        if encoded.unowned { summary.unowned += 1 }

        typealias Known = (id: Int64, status: String, owner: String?, rule: Int64?)
        func find(key: Int64, fingerprint wanted: String, exact: Bool) throws -> Known? {
            guard knownKeys?.contains(key) != false else { return nil }
            return try stored(repository: scan.repository ?? "", key: key).map {
                ($0.id, $0.status, $0.fingerprint, $0.owner, $0.rule)
            }.flatMap { id, status, fingerprint, owner, rule in
                // The key is unique in a repository (findings_identity): another fingerprint under
                // it is a 64-bit collision, refused rather than merged.
                guard fingerprint == wanted else {
                    guard exact else { return nil }
                    throw StoreRefusal(
                        .conflict,
                        "fingerprints \(fingerprint) and \(wanted) share their first 64 bits in "
                            + "repository '\(scan.repository ?? "")': the second cannot be recorded")
                }
                return (id, status, owner, rule)
            }
        }
        // Under its fingerprint, else under its other basis's (a tool fingerprint trusted before
        // and set aside as shared now, or the reverse).
        var known = try find(key: encoded.key, fingerprint: encoded.fingerprint, exact: true)
        if known == nil, let alternate = encoded.alternate {
            known = try find(key: alternate.key, fingerprint: alternate.fingerprint, exact: false)
        }
        let findingID: Int64
        if let (id, statusText, owner, rule) = known {
            findingID = id
            // The map of this ingest re-attributes findings it decided before; an owner given by
            // hand (a team and no rule) stays until someone changes it by hand.
            let newRule = encoded.ruleKey.flatMap { ruleRows[$0] }
            let assignedByHand = owner != nil && rule == nil
            if scan.appliesOwnershipMap, !assignedByHand, owner != encoded.ownerTeam || rule != newRule {
                try connection.statement("UPDATE findings SET owner_team = ?, owner_rule = ? WHERE id = ?")
                    .run([.optional(encoded.ownerTeam), .optional(newRule), .integer(id)])
                update(id) {
                    $0.owner = encoded.ownerTeam
                    $0.rule = newRule
                }
                if owner != encoded.ownerTeam {
                    try connection.appendEvent(
                        kind: .ownershipTransferred, findingID: id, scanID: scanID, actor: scan.uploader,
                        payload: .object([
                            ("from", .optional(owner)), ("to", .optional(encoded.ownerTeam)),
                            ("reason", "ownership map changed"), ("scan", .int(scanID)),
                        ]), at: now)
                    summary.reowned += 1
                }
            }
            let status = FindingStatus(rawValue: statusText) ?? .open
            if status == .fixed || status == .closed {
                try connection.statement(
                    "UPDATE findings SET status = 'reopened', fixed_at = NULL, branch = ? WHERE id = ?"
                )
                .run([.optional(scan.branch), .integer(findingID)])
                update(findingID) { $0.status = FindingStatus.reopened.rawValue }
                try connection.appendEvent(
                    kind: .findingReopened, findingID: findingID, scanID: scanID, actor: scan.uploader,
                    payload: .object([("reason", "seen again after fix"), ("scan", .int(scanID))]), at: now)
                summary.reopened += 1
            } else {
                summary.seen += 1
            }
        } else {
            let rule: SQLValue = encoded.ruleKey.flatMap { ruleRows[$0] }.map(SQLValue.integer) ?? .null
            findingID = try insert.insert(encoded.values + [rule, .integer(scanID)])
            for identifier in encoded.identifiers {
                try identifierInsert.run([.text(identifier), .integer(findingID)])
            }
            try recordIntroducer(of: findingID, encoded)
            knownKeys?.insert(encoded.key)
            if batchLookup != nil {
                prefetched[encoded.key] = Stored(
                    id: findingID, status: FindingStatus.open.rawValue, fingerprint: encoded.fingerprint,
                    owner: encoded.ownerTeam, rule: encoded.ruleKey.flatMap { ruleRows[$0] })
            }
            summary.new += 1
        }
        pendingSightings += [.integer(findingID), .integer(scanID), .optional(encoded.line)]
        if pendingSightings.count >= 3 * Self.batchRows { try flush() }
    }

    /// Changes the batch's copy of a stored finding as the ingest changed the row.
    private func update(_ id: Int64, _ change: (inout Stored) -> Void) {
        guard batchLookup != nil else { return }
        for (key, found) in prefetched where found.id == id { change(&prefetched[key]!) }
    }
}
