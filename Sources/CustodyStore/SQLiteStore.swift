import CustodyCore
import Foundation

/// The embedded store: one SQLite file in WAL mode.
///
/// The connection is not thread-safe; a lock serialises every call, so one store may be
/// shared by threads (a server will hold a pool of them, one connection each).
public final class SQLiteStore: Store, @unchecked Sendable {
    let connection: SQLiteConnection
    private let lock = NSLock()
    public let path: String
    public let dialect = SQLDialect.sqlite

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String, migrate: Bool = true) throws {
        self.path = path
        connection = try SQLiteConnection(path: path)
        try connection.execute(
            """
            PRAGMA page_size = 16384;
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA foreign_keys = ON;
            PRAGMA temp_store = MEMORY;
            PRAGMA cache_size = -65536;
            """)
        if migrate { try self.migrate() }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: Migrations

    public func migrate() throws {
        try locked {
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
                """)
            let applied = Set(try connection.statement("SELECT version FROM schema_migrations").rows { $0.int(0) })
            for migration in Schema.migrations where !applied.contains(Int64(migration.version)) {
                try connection.transaction {
                    try connection.execute(migration.sql(dialect))
                    try connection.statement(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
                    )
                    .run([.integer(Int64(migration.version)), .text(migration.name), .text(Timestamp.string(Date()))])
                }
            }
        }
    }

    public func appliedMigrations() throws -> [(version: Int, name: String)] {
        try locked {
            try connection.statement("SELECT version, name FROM schema_migrations ORDER BY version").rows {
                (Int($0.int(0)), $0.text(1) ?? "")
            }
        }
    }

    // MARK: Organisation

    public func importOrganisation(_ organisation: Organisation, source: String, actor: String) throws {
        try locked {
            try connection.transaction {
                // Teams are replaced wholesale: references are checked at commit, not row by row.
                try connection.execute("PRAGMA defer_foreign_keys = ON")
                // The new handles re-decide every finding a rule decided: a rule's handles may now
                // mean another team (or none). Owners given by hand stay, unless their team is gone.
                // Each change of owner is a transfer event.
                var teamByHandle: [String: String] = [:]
                for team in organisation.teams {
                    for handle in team.handles { teamByHandle[handle.lowercased()] = team.id }
                }
                let newTeams = Set(organisation.teams.map(\.id))
                let decided = try connection.statement(
                    """
                    SELECT f.id, f.owner_team, r.handles FROM findings f JOIN ownership_rules r ON r.id = f.owner_rule
                    WHERE r.source = 'codeowners'
                    """
                ).rows([]) { ($0.int(0), $0.text(1), ($0.text(2) ?? "").split(separator: ",").map(String.init)) }
                let handGiven = try connection.statement(
                    "SELECT id, owner_team FROM findings WHERE owner_rule IS NULL AND owner_team IS NOT NULL"
                ).rows([]) { ($0.int(0), $0.text(1)) }
                var changes: [(id: Int64, from: String?, to: String?)] = []
                for (id, owner, handles) in decided {
                    let team = handles.lazy.compactMap { teamByHandle[$0.lowercased()] }.first
                    if team != owner { changes.append((id, owner, team)) }
                }
                for (id, owner) in handGiven where !newTeams.contains(owner ?? "") { changes.append((id, owner, nil)) }
                for change in changes {
                    try connection.statement("UPDATE findings SET owner_team = ? WHERE id = ?")
                        .run([.optional(change.to), .integer(change.id)])
                    try connection.appendEvent(
                        kind: "ownership.transferred", findingID: change.id, scanID: nil, actor: actor,
                        payload: .object([
                            ("from", .optional(change.from)), ("to", .optional(change.to)),
                            ("reason", "ownership map changed"), ("source", .string(source)),
                        ]))
                }
                try connection.execute(
                    "DELETE FROM asset_rules; DELETE FROM team_handles; DELETE FROM teams; DELETE FROM org_units;")
                // Parents before children, whatever the file's order.
                var pending = organisation.units
                var inserted = Set<String>()
                while !pending.isEmpty {
                    let ready = pending.filter { $0.parentID == nil || inserted.contains($0.parentID!) }
                    guard !ready.isEmpty else { break }
                    for unit in ready {
                        try connection.statement(
                            "INSERT INTO org_units (id, name, parent_id, head) VALUES (?, ?, ?, ?)"
                        )
                        .run([.text(unit.id), .text(unit.name), .optional(unit.parentID), .optional(unit.head)])
                        inserted.insert(unit.id)
                    }
                    pending.removeAll { inserted.contains($0.id) }
                }
                for team in organisation.teams {
                    try connection.statement(
                        """
                        INSERT INTO teams (id, name, unit_id, lead, members, channels, escalation)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """
                    ).run([
                        .text(team.id), .text(team.name), .optional(team.unitID), .optional(team.lead),
                        .text(team.members.joined(separator: "\n")), .text(team.channels.joined(separator: "\n")),
                        .text(team.escalation.joined(separator: "\n")),
                    ])
                    for handle in team.handles {
                        try connection.statement("INSERT INTO team_handles (handle, team_id) VALUES (?, ?)")
                            .run([.text(handle), .text(team.id)])
                    }
                }
                for (position, rule) in organisation.assetRules.enumerated() {
                    try connection.statement(
                        "INSERT INTO asset_rules (position, kind, pattern, team, source, line) VALUES (?, ?, ?, ?, ?, ?)"
                    ).run([
                        .integer(Int64(position)), .text(rule.kind.rawValue), .text(rule.pattern), .text(rule.team),
                        .text(rule.source), .optional(rule.line),
                    ])
                }
                let payload = JSONText.Value.object([
                    ("source", .string(source)), ("units", .int(Int64(organisation.units.count))),
                    ("teams", .int(Int64(organisation.teams.count))),
                    ("asset_rules", .int(Int64(organisation.assetRules.count))),
                ])
                try connection.appendEvent(
                    kind: "organisation.imported", findingID: nil, scanID: nil, actor: actor, payload: payload)
            }
        }
    }

    public func organisation() throws -> Organisation {
        try locked { try organisationUnlocked() }
    }

    func organisationUnlocked() throws -> Organisation {
        do {
            let units = try connection.statement("SELECT id, name, parent_id, head FROM org_units ORDER BY id").rows {
                OrgUnit(id: $0.text(0) ?? "", name: $0.text(1) ?? "", parentID: $0.text(2), head: $0.text(3))
            }
            var handles: [String: [String]] = [:]
            let pairs = try connection.statement("SELECT handle, team_id FROM team_handles ORDER BY rowid").rows([]) {
                ($0.text(0) ?? "", $0.text(1) ?? "")
            }
            for (handle, team) in pairs { handles[team, default: []].append(handle) }
            func lines(_ text: String?) -> [String] { (text ?? "").split(separator: "\n").map(String.init) }
            let teams = try connection.statement(
                "SELECT id, name, unit_id, lead, members, channels, escalation FROM teams ORDER BY id"
            ).rows {
                let id = $0.text(0) ?? ""
                return Team(
                    id: id, name: $0.text(1) ?? "", unitID: $0.text(2), lead: $0.text(3), handles: handles[id] ?? [],
                    members: lines($0.text(4)), channels: lines($0.text(5)), escalation: lines($0.text(6)))
            }
            let rules = try connection.statement(
                "SELECT kind, pattern, team, source, line FROM asset_rules ORDER BY position"
            ).rows {
                AssetRule(
                    kind: AssetRule.Kind(rawValue: $0.text(0) ?? "") ?? .repository, pattern: $0.text(1) ?? "",
                    team: $0.text(2) ?? "", source: $0.text(3) ?? "", line: $0.optionalInt(4).map(Int.init))
            }
            return Organisation(units: units, teams: teams, assetRules: rules)
        }
    }

    // MARK: Events

    public func events(findingID: Int64?) throws -> [EventRow] {
        try locked {
            let sql =
                findingID == nil
                ? "SELECT seq, at, kind, finding_id, scan_id, actor, payload FROM events ORDER BY seq"
                : "SELECT seq, at, kind, finding_id, scan_id, actor, payload FROM events WHERE finding_id = ? ORDER BY seq"
            return try connection.statement(sql).rows(findingID.map { [.integer($0)] } ?? []) {
                EventRow(
                    sequence: $0.int(0), at: $0.text(1) ?? "", kind: $0.text(2) ?? "", findingID: $0.optionalInt(3),
                    scanID: $0.optionalInt(4), actor: $0.text(5) ?? "", payload: $0.text(6) ?? "")
            }
        }
    }

    // MARK: Ingest

    /// Below this many findings in the store, an ingest rebuilds the owner index instead of
    /// updating it row by row (see `ingest`).
    static let bulkLoadBelow: Int64 = 100_000

    public func ingest(_ produce: (any IngestSession) throws -> Void) throws -> IngestSummary {
        try locked {
            let profile = Profile()
            let total = try connection.transaction {
                let lastID = try connection.statement("SELECT coalesce(max(id), 0) FROM findings").rows([]) {
                    $0.int(0)
                }[0]
                // A young store is loaded in bulk: the owner index (team, status) takes its
                // entries in random order, which cost 2 of 13 s for a million new findings;
                // built once at the end it costs a fraction of that. The index is dropped and
                // rebuilt inside this transaction, so a failed ingest leaves it as it was.
                let bulk = lastID < Self.bulkLoadBelow
                if bulk {
                    try connection.execute(Schema.bulkLoadIndexes.map(\.drop).joined(separator: "; "))
                }
                let session = try SQLiteIngestSession(connection: connection)
                try produce(session)
                profile.mark("read and record findings")
                try session.finishScan()
                profile.mark("finish scans (last seen, fixes, events)")
                if bulk {
                    try connection.execute(Schema.bulkLoadIndexes.map(\.create).joined(separator: "; "))
                    profile.mark("rebuild the indexes of a bulk load")
                }
                try enrichNewFindings(after: lastID)
                return session.total
            }
            profile.mark("commit")
            return total
        }
    }

    // MARK: Queries

    public func findings(_ query: FindingQuery) throws -> [FindingRow] {
        try locked { try findingsUnlocked(query) }
    }

    public func forEachFinding(_ query: FindingQuery, _ body: (FindingRow) throws -> Bool) throws {
        try locked { try forEachFindingUnlocked(query, body) }
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
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let team = query.team {
            conditions.append("f.owner_team = ?")
            values.append(.text(team))
        }
        if query.unownedOnly { conditions.append("f.owner_team IS NULL") }
        if let status = query.status {
            conditions.append("f.status = ?")
            values.append(.text(status.rawValue))
        }
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
        let sortKey = Self.sortKey(query.sort)
        if let cursor = query.after {
            if let sortKey {
                conditions.append("(\(sortKey) > ? OR (\(sortKey) = ? AND f.id > ?))")
                let key: SQLValue = query.sort == .severity ? .integer(Int64(cursor.key) ?? 0) : .text(cursor.key)
                values += [key, key, .integer(cursor.id)]
            } else {
                conditions.append("f.id > ?")
                values.append(.integer(cursor.id))
            }
        }
        var sql = """
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
                        THEN (SELECT group_concat(DISTINCT sc.tool) FROM sightings si JOIN scans sc ON sc.id = si.scan_id
                              WHERE si.finding_id = f.id)
                        ELSE f.tool END AS sources, f.epss, f.ssvc, f.ssvc_inputs,
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
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY " + (sortKey.map { $0 + ", f.id" } ?? "f.id")
        if let limit = query.limit {
            sql += " LIMIT ?"
            values.append(.integer(Int64(limit)))
        }
        let statement = try connection.statement(sql)
        let columns = try FindingColumns(statement)
        try statement.forEach(values) { row in try body(columns.decode(row)) }
    }

    /// The SQL expression a sort order keys on (nil: the id alone). Both engines speak it.
    static func sortKey(_ sort: FindingSort) -> String? {
        switch sort {
        case .id: nil
        // The same expression as the index findings_team_severity, so the planner walks it.
        case .severity:
            "(" + Schema.severityRank(of: "f.severity") + ")"
        case .due: "coalesce(f.due_at, '~')"
        }
    }

    public func unownedQueue(now: Date) throws -> [UnownedGroup] {
        try locked {
            let rows = try connection.statement(
                """
                SELECT f.id, f.repository, f.path, f.severity, s.started_at
                FROM findings f JOIN scans s ON s.id = f.first_seen_scan
                WHERE f.owner_team IS NULL AND f.status IN ('open', 'acknowledged', 'reopened', 'transferred')
                ORDER BY f.id
                """
            ).rows([]) { ($0.int(0), $0.text(1), $0.text(2), $0.text(3) ?? "", $0.text(4) ?? "") }
            struct Key: Hashable {
                var repository: String?
                var directory: String?
            }
            var groups: [Key: UnownedGroup] = [:]
            var order: [Key] = []
            let nowText = Timestamp.string(now)
            for (id, repository, path, severity, firstSeen) in rows {
                let directory = path.map { path in path.split(separator: "/").dropLast().joined(separator: "/") }
                let key = Key(repository: repository, directory: directory)
                if groups[key] == nil {
                    order.append(key)
                    groups[key] = UnownedGroup(
                        repository: repository, directory: directory, findingIDs: [], critical: 0, high: 0, medium: 0,
                        low: 0, oldestAgeDays: 0, ages: [0, 0, 0, 0], suggestions: [])
                }
                let age = Timestamp.days(from: firstSeen, to: nowText)
                groups[key]!.findingIDs.append(id)
                switch severity {
                case "critical": groups[key]!.critical += 1
                case "high": groups[key]!.high += 1
                case "medium": groups[key]!.medium += 1
                case "low": groups[key]!.low += 1
                default: break
                }
                groups[key]!.oldestAgeDays = max(groups[key]!.oldestAgeDays, age)
                groups[key]!.ages[age <= 7 ? 0 : age <= 30 ? 1 : age <= 90 ? 2 : 3] += 1
            }
            // Who shipped the unowned code: introducers' authors who are members of a team (or one
            // of its e-mail handles), and the teams that owned the paths when it was introduced.
            var teamOfPerson: [String: String] = [:]
            for team in try organisationUnlocked().teams {
                for person in team.members + team.handles where person.contains("@") && !person.hasPrefix("@") {
                    teamOfPerson[person.lowercased()] = teamOfPerson[person.lowercased()] ?? team.id
                }
            }
            var introduced: [Int64: (email: String?, teamThen: String?)] = [:]
            for (id, email, team) in try connection.statement(
                """
                SELECT i.finding_id, c.email, i.team FROM introducers i
                JOIN findings f ON f.id = i.finding_id LEFT JOIN commits c ON c.sha = i.commit_sha
                WHERE f.owner_team IS NULL AND f.status IN ('open', 'acknowledged', 'reopened', 'transferred')
                """
            ).rows([], { ($0.int(0), $0.text(1), $0.text(2)) }) {
                introduced[id] = (email, team)
            }
            let nearby = try NearbyOwners(
                groups: order.map { ($0.repository, $0.directory) }, connection: connection)
            var result: [UnownedGroup] = []
            for key in order {
                var group = groups[key]!
                var byIntroducers: [String: (count: Int, people: [String])] = [:]
                var byOwnerThen: [String: Int] = [:]
                for id in group.findingIDs {
                    guard let (email, teamThen) = introduced[id] else { continue }
                    if let email, let team = teamOfPerson[email.lowercased()] {
                        var entry = byIntroducers[team] ?? (0, [])
                        entry.count += 1
                        if !entry.people.contains(email) { entry.people.append(email) }
                        byIntroducers[team] = entry
                    }
                    if let teamThen { byOwnerThen[teamThen, default: 0] += 1 }
                }
                group.suggestions =
                    byIntroducers.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.map {
                        UnownedGroup.Suggestion(
                            team: $0.key, basis: .introducers, findings: $0.value.count, introducedBy: $0.value.people)
                    }
                    + byOwnerThen.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map {
                        UnownedGroup.Suggestion(team: $0.key, basis: .ownedThen, findings: $0.value)
                    }
                    + nearby.suggestions(repository: key.repository, directory: key.directory)
                result.append(group)
            }
            // Worst first: most critical, then most high, then oldest.
            return result.sorted {
                ($0.critical, $0.high, $0.oldestAgeDays, $0.findingIDs.count)
                    > ($1.critical, $1.high, $1.oldestAgeDays, $1.findingIDs.count)
            }
        }
    }

    public func assignOwner(findingIDs: [Int64], team: String, actor: String, reason: String) throws -> Int {
        try locked {
            try connection.transaction {
                guard
                    try connection.statement("SELECT 1 FROM teams WHERE id = ?").rows([.text(team)], { _ in 1 }).count
                        == 1
                else { throw StoreRefusal(.notFound, "unknown team '\(team)'") }
                var changed = 0
                for id in findingIDs {
                    let previous = try connection.statement("SELECT owner_team FROM findings WHERE id = ?")
                        .rows([.integer(id)]) { $0.text(0) }
                    guard let old = previous.first else { throw StoreRefusal(.notFound, "no finding \(id)") }
                    if old == team { continue }
                    try connection.statement("UPDATE findings SET owner_team = ?, owner_rule = NULL WHERE id = ?")
                        .run([.text(team), .integer(id)])
                    try connection.appendEvent(
                        kind: "ownership.assigned", findingID: id, scanID: nil, actor: actor,
                        payload: .object([("from", .optional(old)), ("to", .string(team)), ("reason", .string(reason))])
                    )
                    changed += 1
                }
                return changed
            }
        }
    }

    public func ownerHistory(findingID: Int64) throws -> [OwnerSpan] {
        try locked { try ownerHistoryUnlocked(findingID) }
    }

    private func ownerHistoryUnlocked(_ findingID: Int64) throws -> [OwnerSpan] {
        let spans = try connection.statement(
            "SELECT from_at, team, reason, actor FROM owner_spans WHERE finding_id = ? ORDER BY seq"
        ).rows([.integer(findingID)]) { row in
            OwnerSpan(
                from: try row.text("from_at") ?? "", team: try row.text("team"), reason: try row.text("reason") ?? "",
                actor: try row.text("actor") ?? "")
        }
        if !spans.isEmpty { return spans }
        // Never changed owner: its owner since first seen is the one on the finding.
        return try connection.statement(
            """
            SELECT f.owner_team, s.started_at, s.uploader FROM findings f JOIN scans s ON s.id = f.first_seen_scan
            WHERE f.id = ?
            """
        ).rows([.integer(findingID)]) { row in
            OwnerSpan(
                from: try row.text("started_at") ?? "", team: try row.text("owner_team"), reason: "first seen",
                actor: try row.text("uploader") ?? "")
        }
    }

    /// The owning team of each finding that exists among `ids` (nil: unowned); one key lookup each.
    public func ownerTeams(of ids: [Int64]) throws -> [Int64: String?] {
        try locked {
            let statement = try connection.statement("SELECT owner_team FROM findings WHERE id = ?")
            var owners: [Int64: String?] = [:]
            for id in ids {
                try statement.forEach([.integer(id)]) { row in
                    owners[id] = try row.text("owner_team")
                    return false
                }
            }
            return owners
        }
    }

    public func findingIDs(ownedBy team: String, at time: String) throws -> [Int64] {
        try locked {
            // Spans of findings whose owner changed, and findings that never changed owner (no
            // spans) owned by the team since first seen: two indexed reads, no event is parsed.
            try connection.statement(Self.ownedAtSQL + " ORDER BY 1").rows([
                .text(team), .text(time), .text(time), .text(team), .text(time),
            ]) { try $0.int("id") }
        }
    }

    /// The findings a team (parameters 1 and 4) owned at a time (2, 3 and 5): spans of findings whose
    /// owner changed, and findings that never changed owner (no spans) owned by the team since
    /// first seen. Two indexed reads; no event is parsed.
    static let ownedAtSQL = """
        SELECT finding_id AS id FROM owner_spans
        WHERE team = ? AND from_at <= ? AND (until_at IS NULL OR until_at > ?)
        UNION
        SELECT sf.id FROM findings sf JOIN scans ss ON ss.id = sf.first_seen_scan
        WHERE sf.owner_team = ? AND ss.started_at <= ?
          AND NOT EXISTS (SELECT 1 FROM owner_spans o WHERE o.finding_id = sf.id)
        """

    // MARK: Ledger

    /// Checks the whole chain of custody (see ``Ledger``).
    public func verifyLedger(publicKey: String? = nil) throws -> Ledger.Report {
        try locked {
            let statement = try connection.statement(
                "SELECT seq, at, kind, finding_id, scan_id, actor, payload, prev_hash, hash FROM events ORDER BY seq")
            var verifier = Ledger.StreamingVerifier()
            statement.reset()
            while try statement.step() {
                let row = SQLiteStatement.Row(statement: statement)
                let holds = verifier.check(
                    sequence: row.int(0), at: row.bytes(1), kind: row.bytes(2), findingID: row.optionalInt(3),
                    scanID: row.optionalInt(4), actor: row.bytes(5), payload: row.bytes(6), previousHash: row.bytes(7),
                    hash: row.bytes(8))
                if !holds { break }
            }
            statement.reset()
            var report = Ledger.Report(count: verifier.count, head: verifier.head, broken: verifier.broken)
            if report.broken == nil { try checkCheckpoints(&report, publicKey: publicKey) }
            return report
        }
    }

    /// Checkpoints must cover events that exist, name their hashes, and (with the public key)
    /// carry a valid signature: cutting the newest events and re-hashing cannot pass.
    private func checkCheckpoints(_ report: inout Ledger.Report, publicKey: String?) throws {
        let checkpoints = try connection.statement(
            "SELECT seq, head_hash, at, key_id, signature FROM checkpoints ORDER BY id"
        ).rows([]) { ($0.int(0), $0.text(1) ?? "", $0.text(2) ?? "", $0.text(3) ?? "", $0.text(4) ?? "") }
        let keyID = publicKey.map(Signing.keyID)
        for (sequence, head, at, key, signature) in checkpoints {
            guard sequence <= Int64(report.count) else {
                report.broken = (
                    sequence,
                    "a checkpoint covers event \(sequence) but the chain ends at \(report.count): events were cut"
                )
                return
            }
            let stored = try connection.statement("SELECT hash FROM events WHERE seq = ?").rows([.integer(sequence)]) {
                $0.text(0) ?? ""
            }.first
            guard stored == head else {
                report.broken = (sequence, "the checkpoint's head hash is not this event's hash")
                return
            }
            if let publicKey, let keyID {
                let message = Ledger.checkpointMessage(sequence: sequence, head: head, at: at, keyID: key)
                guard key == keyID, try Signing.verify(message, signature: signature, publicKey: publicKey) else {
                    report.broken = (sequence, "the checkpoint's signature does not verify with this public key")
                    return
                }
            }
            report.checkpoints += 1
        }
    }

    /// Signs the chain's head with an Ed25519 private key (PEM) and stores the checkpoint.
    public func checkpoint(privateKey: String, publicKey: String, actor: String) throws -> (
        sequence: Int64, head: String
    ) {
        try locked {
            try connection.transaction {
                guard
                    let (sequence, head) = try connection.statement(
                        "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
                    ).rows([], { ($0.int(0), $0.text(1) ?? "") }).first
                else { throw StoreRefusal(.refused, "the ledger has no events to sign") }
                let at = Timestamp.string(Date())
                let keyID = Signing.keyID(publicKey)
                let signature = try Signing.sign(
                    Ledger.checkpointMessage(sequence: sequence, head: head, at: at, keyID: keyID),
                    privateKey: privateKey)
                guard
                    try Signing.verify(
                        Ledger.checkpointMessage(sequence: sequence, head: head, at: at, keyID: keyID),
                        signature: signature,
                        publicKey: publicKey)
                else { throw StoreRefusal(.invalid, "the public key does not belong to the private key") }
                try connection.statement(
                    "INSERT INTO checkpoints (seq, head_hash, at, key_id, signature, actor) VALUES (?, ?, ?, ?, ?, ?)"
                ).run([.integer(sequence), .text(head), .text(at), .text(keyID), .text(signature), .text(actor)])
                return (sequence, head)
            }
        }
    }

    /// Every event with its chain fields, in order, for export.
    public func ledgerEntries(after sequence: Int64 = 0) throws -> [Ledger.Entry] {
        var entries: [Ledger.Entry] = []
        try forEachLedgerEntry(after: sequence) { entries.append($0) }
        return entries
    }

    /// Hands the events after `sequence` to `body` in order, as they are read (an export of
    /// millions of events holds one).
    public func forEachLedgerEntry(after sequence: Int64 = 0, _ body: (Ledger.Entry) throws -> Void) throws {
        try locked {
            try connection.statement(
                """
                SELECT seq, at, kind, finding_id, scan_id, actor, payload, prev_hash, hash FROM events
                WHERE seq > ? ORDER BY seq
                """
            ).forEach([.integer(sequence)]) { row in
                try body(Self.entry(row))
                return true
            }
        }
    }

    private static func entry(_ row: SQLiteStatement.Row) -> Ledger.Entry {
        Ledger.Entry(
            sequence: row.int(0), at: row.text(1) ?? "", kind: row.text(2) ?? "", findingID: row.optionalInt(3),
            scanID: row.optionalInt(4), actor: row.text(5) ?? "", payload: row.text(6) ?? "",
            previousHash: row.text(7) ?? "", hash: row.text(8) ?? "")
    }

    /// Appends events in one transaction, each its own link of the chain (bulk changes: one
    /// event per finding, as the lifecycle requires).
    public func appendEvents(_ events: [(kind: String, findingID: Int64?, actor: String, payload: JSONText.Value)])
        throws
    {
        try locked {
            try connection.transaction {
                for event in events {
                    try connection.appendEvent(
                        kind: event.kind, findingID: event.findingID, scanID: nil, actor: event.actor,
                        payload: event.payload)
                }
            }
        }
    }

    // MARK: Lifecycle

    public func transition(
        findingIDs: [Int64], _ transition: Transition, actor: String, reason: String, skipRefused: Bool
    ) throws -> TransitionOutcome {
        try locked {
            try connection.transaction {
                let organisation = try organisationUnlocked()
                var outcome = TransitionOutcome()
                var planned: [Int64] = []
                for id in findingIDs {
                    guard
                        let (statusText, severityText, owner) = try connection.statement(
                            "SELECT status, severity, owner_team FROM findings WHERE id = ?"
                        ).rows([.integer(id)], { ($0.text(0) ?? "", $0.text(1) ?? "", $0.text(2)) }).first
                    else {
                        outcome.refused.append((id, "no such finding"))
                        continue
                    }
                    let status = FindingStatus(rawValue: statusText) ?? .open
                    guard transition.allowedFrom.contains(status) else {
                        outcome.refused.append((id, "cannot \(transition.name) a finding that is \(status.rawValue)"))
                        continue
                    }
                    if case .acceptRisk(_, let approver) = transition {
                        let team = owner.flatMap { owner in organisation.teams.first { $0.id == owner } }
                        if let refusal = RiskApproval.refusal(
                            approver: approver, severity: Severity(rawValue: severityText) ?? .info, team: team,
                            organisation: organisation)
                        {
                            outcome.refused.append((id, refusal))
                            continue
                        }
                    }
                    planned.append(id)
                }
                if !outcome.refused.isEmpty && !skipRefused { throw TransitionRefused(refused: outcome.refused) }
                for id in planned {
                    var payload: [(String, JSONText.Value)] = [("reason", .string(reason))]
                    switch transition {
                    case .acceptRisk(let until, let approver):
                        try connection.statement(
                            "UPDATE findings SET status = ?, risk_accepted_until = ?, risk_approver = ? WHERE id = ?"
                        ).run([.text(transition.target.rawValue), .text(until), .text(approver), .integer(id)])
                        payload += [("until", .string(until)), ("approver", .string(approver))]
                    case .falsePositive(let justification):
                        try connection.statement("UPDATE findings SET status = ?, justification = ? WHERE id = ?")
                            .run([.text(transition.target.rawValue), .text(justification.rawValue), .integer(id)])
                        payload.append(("justification", .string(justification.rawValue)))
                    case .acknowledge, .reopen:
                        try connection.statement(
                            """
                            UPDATE findings SET status = ?, risk_accepted_until = NULL, risk_approver = NULL,
                                justification = NULL, fixed_at = NULL
                            WHERE id = ?
                            """
                        ).run([.text(transition.target.rawValue), .integer(id)])
                    }
                    try connection.appendEvent(
                        kind: transition.eventKind, findingID: id, scanID: nil, actor: actor, payload: .object(payload))
                    outcome.changed.append(id)
                }
                return outcome
            }
        }
    }

    // MARK: Transfers

    public func requestTransfer(findingIDs: [Int64], to team: String, actor: String, reason: String) throws -> [Int64] {
        try locked {
            try connection.transaction {
                try requireTeam(team)
                let now = Timestamp.string(Date())
                for id in findingIDs {
                    guard
                        let (statusText, owner) = try connection.statement(
                            "SELECT status, owner_team FROM findings WHERE id = ?"
                        ).rows([.integer(id)], { ($0.text(0) ?? "", $0.text(1)) }).first
                    else { throw StoreRefusal(.notFound, "no finding \(id)") }
                    let status = FindingStatus(rawValue: statusText) ?? .open
                    guard [.open, .acknowledged, .reopened].contains(status) else {
                        throw StoreRefusal(
                            .refused, "finding \(id) is \(status.rawValue): only open work can be transferred")
                    }
                    guard owner != team else {
                        throw StoreRefusal(.conflict, "finding \(id) is already owned by \(team)")
                    }
                    try connection.statement(
                        """
                        INSERT INTO transfer_requests (finding_id, from_team, to_team, reason, requested_by, requested_at,
                                                       previous_status, state)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
                        """
                    ).run([
                        .integer(id), .optional(owner), .text(team), .text(reason), .text(actor), .text(now),
                        .text(status.rawValue),
                    ])
                    try connection.statement("UPDATE findings SET status = 'transferred' WHERE id = ?").run([
                        .integer(id)
                    ])
                    let payload = JSONText.Value.object([
                        ("from", .optional(owner)), ("to", .string(team)), ("reason", .string(reason)),
                    ])
                    let event = try connection.appendEvent(
                        kind: "transfer.requested", findingID: id, scanID: nil, actor: actor, payload: payload, at: now)
                    // The receiving team is asked: it hears of the request in its digest.
                    try connection.enqueueNotification(
                        event: event, kind: "transfer", findingID: id, team: team, payload: payload, at: now)
                }
                return findingIDs
            }
        }
    }

    public func decideTransfer(findingIDs: [Int64], _ decision: TransferDecision, actor: String, reason: String) throws
        -> [Int64]
    {
        try locked {
            try connection.transaction {
                if case .arbitrate(let team?) = decision { try requireTeam(team) }
                let now = Timestamp.string(Date())
                for id in findingIDs {
                    // Teams decide pending requests; the security team also rules on rejected ones.
                    let states = decision == .accept || decision == .reject ? "('pending')" : "('pending', 'rejected')"
                    guard
                        let (request, from, to, previous) = try connection.statement(
                            """
                            SELECT id, from_team, to_team, previous_status FROM transfer_requests
                            WHERE finding_id = ? AND state IN \(states) ORDER BY id DESC LIMIT 1
                            """
                        ).rows([.integer(id)], { ($0.int(0), $0.text(1), $0.text(2) ?? "", $0.text(3) ?? "open") })
                            .first
                    else {
                        throw StoreRefusal(
                            .refused,
                            "finding \(id) has no \(decision == .accept || decision == .reject ? "pending" : "pending or disputed") transfer request"
                        )
                    }
                    let newOwner: String?
                    let state: String
                    switch decision {
                    case .accept: (newOwner, state) = (to, "accepted")
                    case .reject: (newOwner, state) = (nil, "rejected")
                    case .arbitrate(let team): (newOwner, state) = (team, "arbitrated")
                    }
                    try connection.statement(
                        "UPDATE transfer_requests SET state = ?, decided_by = ?, decided_at = ?, decision = ? WHERE id = ?"
                    ).run([.text(state), .text(actor), .text(now), .text(reason), .integer(request)])
                    if let newOwner {
                        // Given by a decision, not by a rule: the ownership map will not undo it.
                        try connection.statement(
                            "UPDATE findings SET owner_team = ?, owner_rule = NULL, status = ? WHERE id = ?"
                        ).run([.text(newOwner), .text(previous), .integer(id)])
                        try connection.appendEvent(
                            kind: "ownership.transferred", findingID: id, scanID: nil, actor: actor,
                            payload: .object([
                                ("from", .optional(from)), ("to", .string(newOwner)), ("reason", .string(reason)),
                                ("decision", .string(state)), ("request", .int(request)),
                            ]), at: now)
                    } else {
                        try connection.statement("UPDATE findings SET status = ? WHERE id = ?")
                            .run([.text(previous), .integer(id)])
                        try connection.appendEvent(
                            kind: "transfer.\(state)", findingID: id, scanID: nil, actor: actor,
                            payload: .object([
                                ("to", .string(to)), ("reason", .string(reason)), ("request", .int(request)),
                            ]), at: now)
                    }
                }
                return findingIDs
            }
        }
    }

    public func transferRequests(pendingOnly: Bool) throws -> [TransferRequest] {
        try locked {
            try connection.statement(
                """
                SELECT id, finding_id, from_team, to_team, reason, requested_by, requested_at, state, decided_by, decision
                FROM transfer_requests \(pendingOnly ? "WHERE state IN ('pending', 'rejected')" : "") ORDER BY id
                """
            ).rows([]) {
                TransferRequest(
                    id: $0.int(0), findingID: $0.int(1), fromTeam: $0.text(2), toTeam: $0.text(3) ?? "",
                    reason: $0.text(4) ?? "", requestedBy: $0.text(5) ?? "", requestedAt: $0.text(6) ?? "",
                    state: $0.text(7) ?? "", decidedBy: $0.text(8), decision: $0.text(9))
            }
        }
    }

    private func requireTeam(_ team: String) throws {
        guard try connection.statement("SELECT 1 FROM teams WHERE id = ?").rows([.text(team)], { _ in 1 }).count == 1
        else { throw StoreRefusal(.notFound, "unknown team '\(team)'") }
    }

    public func escalate(now: Date, actor: String) throws -> Int {
        try locked {
            try connection.transaction {
                let organisation = try organisationUnlocked()
                let teams = organisation.teamsByID
                let time = Timestamp.string(now)
                // Only findings whose half-time has passed can have a new stage: the due-date index
                // narrows a million open findings to those, and SQL computes the half-time.
                // The stage each open finding has reached, computed by SQLite for all of them in one
                // pass (the thresholds of EscalationStage); only those past their stored stage return.
                let candidates = try connection.statement(
                    """
                    SELECT id, owner_team, escalation_stage, due_at, reached FROM (
                      SELECT f.id, f.owner_team, f.escalation_stage, f.due_at,
                        CASE WHEN julianday(?1) - julianday(f.due_at) >= 30 THEN 4
                             WHEN julianday(?1) - julianday(f.due_at) >= 7 THEN 3
                             WHEN julianday(?1) >= julianday(f.due_at) THEN 2
                             WHEN julianday(?1) >= (julianday(s.started_at) + julianday(f.due_at)) / 2 THEN 1
                             ELSE 0 END AS reached
                      FROM findings f JOIN scans s ON s.id = f.first_seen_scan
                      WHERE f.due_at IS NOT NULL AND f.escalation_stage < 4
                        AND f.status IN ('open', 'acknowledged', 'reopened', 'transferred'))
                    WHERE reached > escalation_stage
                    """
                ).rows([.text(time)]) { ($0.int(0), $0.text(1), Int($0.int(2)), $0.text(3) ?? "", Int($0.int(4))) }
                var steps = 0
                for (id, team, stored, dueText, stage) in candidates {
                    let reached = EscalationStage(rawValue: stage) ?? .none
                    // Each step once, in order, even when a tick finds several passed at once.
                    for stage in EscalationStage.allCases where stage.rawValue > stored && stage <= reached {
                        let recipients = stage.recipients(team: team.flatMap { teams[$0] }, organisation: organisation)
                        let payload = JSONText.Value.object([
                            ("stage", .string(stage.name)), ("to", .strings(recipients)), ("due", .string(dueText)),
                        ])
                        let event = try connection.appendEvent(
                            kind: "escalation.step", findingID: id, scanID: nil, actor: actor, payload: payload,
                            at: time)
                        try connection.enqueueNotification(
                            event: event, kind: "escalation", findingID: id, team: team, payload: payload, at: time)
                        steps += 1
                    }
                    try connection.statement("UPDATE findings SET escalation_stage = ? WHERE id = ?")
                        .run([.integer(Int64(reached.rawValue)), .integer(id)])
                }
                return steps
            }
        }
    }

    public func expireRiskAcceptances(now: Date, actor: String) throws -> [Int64] {
        try locked {
            try connection.transaction {
                let time = Timestamp.string(now)
                let expired = try connection.statement(
                    """
                    UPDATE findings SET status = 'reopened', risk_accepted_until = NULL, risk_approver = NULL
                    WHERE status = 'risk_accepted' AND risk_accepted_until < ?
                    RETURNING id
                    """
                ).rows([.text(time)]) { $0.int(0) }.sorted()
                for id in expired {
                    try connection.appendEvent(
                        kind: "finding.reopened", findingID: id, scanID: nil, actor: actor,
                        payload: .object([("reason", "risk acceptance expired")]), at: time)
                }
                return expired
            }
        }
    }

    public func teamSummaries() throws -> [TeamSummary] {
        try locked {
            let sql = """
                WITH counts AS (
                  SELECT owner_team AS team,
                         SUM(status IN ('open','acknowledged','reopened','transferred')) AS open,
                         SUM(status IN ('open','acknowledged','reopened','transferred') AND severity = 'critical') AS critical,
                         SUM(status IN ('open','acknowledged','reopened','transferred') AND severity = 'high') AS high,
                         SUM(status IN ('open','acknowledged','reopened','transferred') AND severity = 'medium') AS medium,
                         SUM(status IN ('open','acknowledged','reopened','transferred') AND severity = 'low') AS low,
                         SUM(status = 'fixed') AS fixed
                  FROM findings GROUP BY owner_team
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

/// Phase timings on standard error when CUSTODY_PROFILE is set, for finding where time goes.
final class Profile {
    private let enabled = ProcessInfo.processInfo.environment["CUSTODY_PROFILE"] != nil
    private var last = DispatchTime.now().uptimeNanoseconds

    func mark(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(
            String(format: "profile: %-40@ %.3f s\n", phase, Double(now - last) / 1e9).data(using: .utf8)!)
        last = now
    }
}

extension SQLValue {
    static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
    static func optional(_ number: Int64?) -> SQLValue { number.map(SQLValue.integer) ?? .null }
    static func optional(_ number: Int?) -> SQLValue { number.map { .integer(Int64($0)) } ?? .null }
    static func optional(_ number: Double?) -> SQLValue { number.map(SQLValue.real) ?? .null }
}

extension SQLiteConnection {
    /// Appends one event of the chain of custody. Every state change goes through here.
    /// Each event is chained to the one before: its sequence number and hash are computed here,
    /// inside the caller's write transaction, from the chain's head. Returns its sequence number.
    @discardableResult
    func appendEvent(
        kind: String, findingID: Int64?, scanID: Int64?, actor: String, payload: JSONText.Value, at: String? = nil
    ) throws -> Int64 {
        let head =
            try ledgerHead
            ?? statement("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").rows([]) {
                (sequence: $0.int(0), hash: $0.text(1) ?? Ledger.genesis)
            }.first ?? (sequence: 0, hash: Ledger.genesis)
        let time = at ?? Timestamp.string(Date())
        let text = payload.text
        let sequence = head.0 + 1
        let hash = Ledger.sha256(
            Ledger.canonical(
                sequence: sequence, at: time, kind: kind, findingID: findingID, scanID: scanID, actor: actor,
                payload: text, previousHash: head.1))
        try statement(
            """
            INSERT INTO events (seq, at, kind, finding_id, scan_id, actor, payload, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run([
            .integer(sequence), .text(time), .text(kind), .optional(findingID), .optional(scanID), .text(actor),
            .text(text), .text(head.1), .text(hash),
        ])
        ledgerHead = (sequence, hash)
        if let findingID, kind == "ownership.transferred" || kind == "ownership.assigned" {
            try recordOwnerSpan(findingID: findingID, sequence: sequence, at: time, actor: actor, payload: payload)
        }
        return sequence
    }

    /// Keeps `owner_spans` with the event that changes an owner: the first change also writes the
    /// span from first seen; the open span ends where the new one begins.
    private func recordOwnerSpan(
        findingID: Int64, sequence: Int64, at time: String, actor: String, payload: JSONText.Value
    ) throws {
        func member(_ key: String) -> String? {
            guard case .object(let members) = payload,
                case .string(let text)? = members.first(where: { $0.0 == key })?.1
            else { return nil }
            return text
        }
        let known = try statement("SELECT 1 FROM owner_spans WHERE finding_id = ? LIMIT 1").rows([.integer(findingID)])
        {
            _ in true
        }
        if known.isEmpty {
            try statement(
                """
                INSERT INTO owner_spans (finding_id, seq, team, from_at, until_at, reason, actor)
                SELECT f.id, 0, ?, s.started_at, ?, 'first seen', s.uploader
                FROM findings f JOIN scans s ON s.id = f.first_seen_scan WHERE f.id = ?
                """
            ).run([.optional(member("from")), .text(time), .integer(findingID)])
        } else {
            try statement("UPDATE owner_spans SET until_at = ? WHERE finding_id = ? AND until_at IS NULL").run([
                .text(time), .integer(findingID),
            ])
        }
        try statement(
            """
            INSERT INTO owner_spans (finding_id, seq, team, from_at, until_at, reason, actor)
            VALUES (?, ?, ?, ?, NULL, ?, ?)
            """
        ).run([
            .integer(findingID), .integer(sequence), .optional(member("to")), .text(time),
            .text(member("reason") ?? ""), .text(actor),
        ])
    }
}

/// Writes scans and their findings inside the ingest transaction.
final class SQLiteIngestSession: IngestSession {
    private let connection: SQLiteConnection
    private var current: (scan: ScanRecord, id: Int64, now: String)?
    private var summary = IngestSummary()
    private(set) var total = IngestSummary()
    // Prepared once per ingest: the per-finding statements.
    private let lookup: SQLiteStatement
    private let insert: SQLiteStatement
    private let sighting: SQLiteStatement
    private let identifierInsert: SQLiteStatement
    private let sightingBatch: SQLiteStatement
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

    init(connection: SQLiteConnection) throws {
        self.connection = connection
        lookup = try connection.statement(
            """
            SELECT id, status, fingerprint, owner_team, owner_rule FROM findings
            WHERE repository IS ? AND fingerprint_key = ?
            """)
        insert = try connection.statement(
            """
            INSERT INTO findings (fingerprint_key, fingerprint, fingerprint_basis, repository, branch, tool, rule_id,
                rule_name, message, severity, score, level, cwes, cves, path, line, suppressions, baseline_state,
                owner_team, due_at, kev_added, package, package_version, vulnerability_ids, fixed_version, cvss, asset,
                owner_rule, first_seen_scan, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')
            """)
        identifierInsert = try connection.statement(
            "INSERT INTO finding_identifiers (identifier, finding_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        let sightings = "INSERT OR IGNORE INTO sightings (finding_id, scan_id, line) VALUES "
        sighting = try connection.statement(sightings + "(?, ?, ?)")
        sightingBatch = try connection.statement(
            sightings + Array(repeating: "(?, ?, ?)", count: Self.batchRows).joined(separator: ", "))
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
        try connection.statement(
            """
            INSERT INTO scans (tool, tool_version, format, source_file, repository, branch, commit_sha,
                               scope, uploader, started_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).run([
            .text(scan.tool), .optional(scan.toolVersion), .text(scan.format), .text(scan.sourceFile),
            .optional(scan.repository), .optional(scan.branch), .optional(scan.commit), .text(scan.scope.rawValue),
            .text(scan.uploader), .text(now),
        ])
        current = (scan, connection.lastInsertedRowID, now)
        summary = IngestSummary()
        // A map this repository has not been attributed with before is a change of the ownership
        // map: one event, with the time it took effect.
        if let map = scan.ownershipMap {
            let last =
                try connection.statement(
                    """
                    SELECT json_extract(payload, '$.map') FROM events
                    WHERE kind = 'ownership.map' AND json_extract(payload, '$.repository') IS ?
                    ORDER BY seq DESC LIMIT 1
                    """
                ).rows([.optional(scan.repository)]) { $0.text(0) }.first ?? nil
            if last != map {
                try connection.appendEvent(
                    kind: "ownership.map", findingID: nil, scanID: connection.lastInsertedRowID, actor: scan.uploader,
                    payload: .object([
                        ("repository", .optional(scan.repository)), ("map", .string(map)),
                        ("effective_at", .optional(scan.ownershipMapEffectiveAt)), ("previous", .optional(last)),
                    ]), at: now)
            }
        }
        // The keys this repository already has, read once from the covering index: a finding
        // whose key is not among them is new without a lookup per finding.
        if knownKeysRepository != scan.repository || knownKeys == nil {
            knownKeys = Set(
                try connection.statement("SELECT fingerprint_key FROM findings WHERE repository IS ?")
                    .rows([.optional(scan.repository)]) { $0.int(0) })
            knownKeysRepository = scan.repository
        }
    }

    func finishScan() throws {
        try flush()
        guard let (scan, scanID, now) = current else { return }
        current = nil
        // Findings seen before: they were seen now.
        let profile = Profile()
        defer { profile.mark("  finish scan") }
        // A full scan of a target (repository, branch, tool) proves absent findings fixed.
        if scan.scope == .full {
            let fixed = try connection.statement(
                """
                UPDATE findings SET status = 'fixed', fixed_at = ?1
                WHERE repository IS ?2 AND branch IS ?3 AND tool = ?4
                  AND status IN ('open', 'acknowledged', 'reopened', 'transferred')
                  AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.finding_id = findings.id AND s.scan_id = ?5)
                RETURNING id
                """
            ).rows([.text(now), .optional(scan.repository), .optional(scan.branch), .text(scan.tool), .integer(scanID)])
            {
                $0.int(0)
            }
            for id in fixed.sorted() {
                try connection.appendEvent(
                    kind: "finding.fixed", findingID: id, scanID: scanID, actor: scan.uploader,
                    payload: .object([("reason", "absent from full rescan"), ("scan", .int(scanID))]), at: now)
            }
            summary.fixed = fixed.count
        }

        try connection.statement("UPDATE scans SET finding_count = ? WHERE id = ?")
            .run([.integer(Int64(summary.findings)), .integer(scanID)])
        // One event for the scan stands for every finding it discovered or saw (sightings and
        // first_seen_scan hold the detail), so a million-finding report is one event, not a million.
        try connection.appendEvent(
            kind: "scan.ingested", findingID: nil, scanID: scanID, actor: scan.uploader,
            payload: .object([
                ("tool", .string(scan.tool)), ("file", .string(scan.sourceFile)),
                ("repository", .optional(scan.repository)), ("branch", .optional(scan.branch)),
                ("commit", .optional(scan.commit)), ("scope", .string(scan.scope.rawValue)),
                ("findings", .int(Int64(summary.findings))), ("new", .int(Int64(summary.new))),
                ("seen", .int(Int64(summary.seen))), ("reopened", .int(Int64(summary.reopened))),
                ("fixed", .int(Int64(summary.fixed))), ("unowned", .int(Int64(summary.unowned))),
            ]), at: now)
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
        guard let (scan, scanID, now) = current else {
            throw StoreRefusal(.invalid, "a finding was recorded before its scan began")
        }
        summary.findings += 1
        if encoded.unowned { summary.unowned += 1 }

        var known: (id: Int64, status: String, owner: String?, rule: Int64?)?
        if knownKeys?.contains(encoded.key) != false {
            known = try lookup.rows([.optional(scan.repository), .integer(encoded.key)]) { row in
                row.text(2) == encoded.fingerprint
                    ? (row.int(0), row.text(1) ?? "", row.text(3), row.optionalInt(4)) : nil
            }.lazy.compactMap { $0 }.first
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
                if owner != encoded.ownerTeam {
                    try connection.appendEvent(
                        kind: "ownership.transferred", findingID: id, scanID: scanID, actor: scan.uploader,
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
                try connection.appendEvent(
                    kind: "finding.reopened", findingID: findingID, scanID: scanID, actor: scan.uploader,
                    payload: .object([("reason", "seen again after fix"), ("scan", .int(scanID))]), at: now)
                summary.reopened += 1
            } else {
                summary.seen += 1
            }
        } else {
            let rule: SQLValue = encoded.ruleKey.flatMap { ruleRows[$0] }.map(SQLValue.integer) ?? .null
            try insert.run(encoded.values, then: [rule, .integer(scanID)])
            findingID = connection.lastInsertedRowID
            for identifier in encoded.identifiers {
                try identifierInsert.run([.text(identifier), .integer(findingID)])
            }
            try recordIntroducer(of: findingID, encoded)
            knownKeys?.insert(encoded.key)
            summary.new += 1
        }
        pendingSightings += [.integer(findingID), .integer(scanID), .optional(encoded.line)]
        if pendingSightings.count >= 3 * Self.batchRows { try flush() }
    }
}

extension SQLiteStore {
    /// Runs raw SQL, for tests that play an attacker with direct access to the file.
    public func executeForTesting(_ sql: String) throws {
        try connection.execute(sql)
    }

    /// SQLite's query plan for `sql`, for tests that check an index is there and used.
    public func queryPlanForTesting(_ sql: String) throws -> String {
        try locked {
            try connection.statement("EXPLAIN QUERY PLAN " + sql).rows([]) { $0.text(3) ?? "" }.joined(separator: "\n")
        }
    }
}
