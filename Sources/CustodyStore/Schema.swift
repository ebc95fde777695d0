/// One forward-only schema step. Applied steps are recorded in `schema_migrations`.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: @Sendable (SQLDialect) -> String
    /// Rows rewritten by code after the SQL, in the same transaction (what SQL cannot compute).
    var rewrite: (@Sendable (any SQLConnection) throws -> Void)?

    init(version: Int, name: String, sql: @escaping @Sendable (SQLDialect) -> String) {
        (self.version, self.name, self.sql, rewrite) = (version, name, sql, nil)
    }

    init(version: Int, name: String, rewrite: @escaping @Sendable (any SQLConnection) throws -> Void) {
        (self.version, self.name, self.sql, self.rewrite) = (version, name, { _ in "" }, rewrite)
    }
}

/// The ordered migrations. Never edit an applied step: add a new one.
public enum Schema {
    /// An index by name and the statement that builds it.
    struct Index {
        var name: String
        var definition: String
        var create: String { "CREATE INDEX IF NOT EXISTS \(name) ON findings \(definition)" }
        var drop: String { "DROP INDEX IF EXISTS \(name)" }
    }

    /// Team listings and metrics read by owner.
    static let ownerIndex = Index(name: "findings_owner", definition: "(owner_team, status)")
    /// Related findings (another tool, the same line, a shared CWE) are found through it; only
    /// findings with CWEs are entries.
    static let locationIndex = Index(name: "findings_location", definition: "(repository, path, line) WHERE cwes <> ''")
    /// One team's findings worst first, in pages: the index walks them in the order the listing
    /// sorts (`FindingSort.expression`), so a page costs its 50 rows, not the team's size.
    static let teamSeverityIndex = Index(
        name: "findings_team_severity", definition: "(owner_team, (\(severityRank(of: "severity"))), id)")
    /// One team's findings highest priority first, in pages (`FindingSort.expression`).
    static let teamPriorityIndex = Index(
        name: "findings_team_priority", definition: "(owner_team, \(priorityKey(of: "priority")), id)")
    /// One team's findings in id order and soonest due first, in pages (`FindingSort.expression`): without
    /// them a page sorted the team's findings (14-18 ms at a million, growing with the team).
    static let teamIDIndex = Index(name: "findings_team_id", definition: "(owner_team, id)")
    static let teamDueIndex = Index(
        name: "findings_team_due", definition: "(owner_team, \(dueKey(of: "due_at")), id)")
    /// Every finding highest priority first, in pages: the dashboard's search and listings across
    /// teams (without it a page sorted the whole store: 0.9 s at a million).
    static let priorityIndex = Index(name: "findings_priority", definition: "(\(priorityKey(of: "priority")), id)")
    /// Who owns which paths of a repository, counted per (path, team) from the index alone: the
    /// unowned queue's "teams owning code nearby" (`NearbyOwners`); 5x faster than reading the rows.
    static let nearbyIndex = Index(
        name: "findings_nearby", definition: "(repository, path, owner_team) WHERE owner_team IS NOT NULL")
    /// The indexes the ingest of a young store drops and builds once at its end (SQLStore.ingest).
    static let bulkLoadIndexes = [
        ownerIndex, locationIndex, teamSeverityIndex, teamPriorityIndex, teamIDIndex, teamDueIndex, nearbyIndex,
        priorityIndex,
    ]

    /// A severity column as its rank, critical first: the sort key of the severity order, written
    /// once for the index and the listing, which must spell it alike for the index to serve.
    static func dueKey(of column: String) -> String { "coalesce(\(column), '~')" }

    static func priorityKey(of column: String) -> String { "(-coalesce(\(column), -1))" }

    static func severityRank(of column: String) -> String {
        "CASE \(column) WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END"
    }

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "organisation, scans, findings, sightings, events") { d in
            """
            CREATE TABLE org_units (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                parent_id TEXT \(d.references("org_units(id)")),
                head TEXT
            );
            CREATE TABLE teams (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                unit_id TEXT \(d.references("org_units(id)")),
                lead TEXT
            );
            CREATE TABLE team_handles (
                handle \(d.caseInsensitiveText) PRIMARY KEY,
                team_id TEXT NOT NULL \(d.references("teams(id)"))
            );
            CREATE TABLE scans (
                id \(d.autoIncrementKey),
                tool TEXT NOT NULL,
                tool_version TEXT,
                format TEXT NOT NULL,
                source_file TEXT NOT NULL,
                repository TEXT,
                branch TEXT,
                commit_sha TEXT,
                scope TEXT NOT NULL CHECK (scope IN ('full', 'partial')),
                uploader TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finding_count BIGINT NOT NULL DEFAULT 0
            );
            -- The rules that decided owners (a CODEOWNERS line read from a file at a revision),
            -- each kept once: findings point at the evidence for their owner.
            CREATE TABLE ownership_rules (
                id \(d.autoIncrementKey),
                source TEXT NOT NULL,
                file TEXT NOT NULL,
                revision TEXT NOT NULL DEFAULT '',
                dialect TEXT NOT NULL,
                line BIGINT NOT NULL,
                pattern TEXT NOT NULL,
                section TEXT,
                handles TEXT NOT NULL,
                UNIQUE (source, file, revision, line)
            );
            CREATE TABLE findings (
                id \(d.autoIncrementKey),
                fingerprint TEXT NOT NULL,
                -- The first 64 bits of the fingerprint: an integer index is a third of the size of
                -- one on the text and compares in one instruction. Lookups compare the full text.
                fingerprint_key BIGINT NOT NULL,
                fingerprint_basis TEXT NOT NULL,
                repository TEXT,
                branch TEXT,
                tool TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                rule_name TEXT,
                message TEXT NOT NULL,
                severity TEXT NOT NULL,
                score DOUBLE PRECISION,
                level TEXT,
                cwes TEXT NOT NULL DEFAULT '',
                cves TEXT NOT NULL DEFAULT '',
                path TEXT,
                line BIGINT,
                suppressions TEXT,
                baseline_state TEXT,
                status TEXT NOT NULL,
                owner_team TEXT \(d.references("teams(id)")),
                owner_rule BIGINT \(d.references("ownership_rules(id)")),
                first_seen_scan BIGINT NOT NULL \(d.references("scans(id)")),
                fixed_at TEXT
            );
            CREATE INDEX findings_fingerprint ON findings (repository, fingerprint_key);
            CREATE INDEX findings_target ON findings (repository, tool, status);
            \(Schema.ownerIndex.create);
            -- Keyed by finding first: a finding's latest sighting (last seen, current line) is one
            -- seek, and a rescan never rewrites finding rows just to say they were seen.
            CREATE TABLE sightings (
                finding_id BIGINT NOT NULL \(d.references("findings(id)")),
                scan_id BIGINT NOT NULL \(d.references("scans(id)")),
                line BIGINT,
                PRIMARY KEY (finding_id, scan_id)
            ) \(d.keyOnlyTable);
            CREATE TABLE events (
                seq \(d.autoIncrementKey),
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                finding_id BIGINT \(d.references("findings(id)")),
                scan_id BIGINT \(d.references("scans(id)")),
                team_id TEXT,
                actor TEXT NOT NULL,
                payload TEXT NOT NULL,
                -- The chain of custody: each event's hash covers its canonical bytes and the
                -- previous event's hash (docs/ledger.md).
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE INDEX events_finding ON events (finding_id);
            \(d.appendOnly("events"))
            """
        },
        Migration(version: 2, name: "introducers: the commit, author, release and team that shipped a finding") { d in
            """
            CREATE TABLE commits (
                sha TEXT PRIMARY KEY,
                author TEXT NOT NULL,
                email TEXT NOT NULL,
                authored_at TEXT NOT NULL,
                release TEXT
            );
            CREATE TABLE introducers (
                finding_id \(d.givenKey) \(d.references("findings(id)")),
                commit_sha TEXT \(d.references("commits(sha)")),
                team TEXT,
                path_then TEXT,
                line_then BIGINT,
                -- Why there is no commit, when there is none.
                reason TEXT
            );
            """
        },
        Migration(version: 3, name: "team members, channels and escalation; asset rules") { d in
            """
            ALTER TABLE teams ADD COLUMN members TEXT NOT NULL DEFAULT '';
            ALTER TABLE teams ADD COLUMN channels TEXT NOT NULL DEFAULT '';
            ALTER TABLE teams ADD COLUMN escalation TEXT NOT NULL DEFAULT '';
            CREATE TABLE asset_rules (
                id \(d.autoIncrementKey),
                position BIGINT NOT NULL,
                kind TEXT NOT NULL,
                pattern TEXT NOT NULL,
                team TEXT NOT NULL \(d.references("teams(id)")),
                source TEXT NOT NULL,
                line BIGINT
            );
            """
        },
        Migration(version: 4, name: "signed ledger checkpoints") { d in
            """
            CREATE TABLE checkpoints (
                id \(d.autoIncrementKey),
                seq BIGINT NOT NULL,
                head_hash TEXT NOT NULL,
                at TEXT NOT NULL,
                key_id TEXT NOT NULL,
                signature TEXT NOT NULL,
                actor TEXT NOT NULL
            );
            \(d.appendOnly("checkpoints"))
            """
        },
        Migration(version: 5, name: "risk acceptance and false-positive justification on findings") { _ in
            """
            ALTER TABLE findings ADD COLUMN risk_accepted_until TEXT;
            ALTER TABLE findings ADD COLUMN risk_approver TEXT;
            ALTER TABLE findings ADD COLUMN justification TEXT;
            """
        },
        Migration(version: 6, name: "transfer requests") { d in
            """
            CREATE TABLE transfer_requests (
                id \(d.autoIncrementKey),
                finding_id BIGINT NOT NULL \(d.references("findings(id)")),
                from_team TEXT,
                to_team TEXT NOT NULL,
                reason TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                requested_at TEXT NOT NULL,
                previous_status TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected', 'arbitrated')),
                decided_by TEXT,
                decided_at TEXT,
                decision TEXT
            );
            CREATE INDEX transfer_requests_finding ON transfer_requests (finding_id, state);
            """
        },
        Migration(version: 7, name: "due dates from the SLA policy") { _ in
            "ALTER TABLE findings ADD COLUMN due_at TEXT;"
        },
        Migration(version: 8, name: "escalation ladder stage") { _ in
            """
            ALTER TABLE findings ADD COLUMN escalation_stage BIGINT NOT NULL DEFAULT 0;
            CREATE INDEX findings_due ON findings (due_at) WHERE due_at IS NOT NULL;
            """
        },
        Migration(version: 9, name: "threat feeds: CISA KEV catalog; KEV flag on findings") { _ in
            """
            CREATE TABLE kev_entries (
                cve TEXT PRIMARY KEY,
                vendor TEXT NOT NULL,
                product TEXT NOT NULL,
                name TEXT NOT NULL,
                date_added TEXT NOT NULL,
                due_date TEXT,
                ransomware TEXT NOT NULL,
                required_action TEXT NOT NULL
            );
            -- One row per import of a feed: what version, when, from which file (by digest).
            CREATE TABLE feed_imports (
                feed TEXT NOT NULL,
                version TEXT NOT NULL,
                released TEXT,
                imported_at TEXT NOT NULL,
                entries BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                actor TEXT NOT NULL
            );
            ALTER TABLE findings ADD COLUMN kev_added TEXT;
            """
        },
        Migration(version: 10, name: "notification outbox, deliveries with retries, tickets in other trackers") { d in
            """
            -- The outbox: what the team should hear of, written in the transaction of its event.
            CREATE TABLE notifications (
                id \(d.autoIncrementKey),
                event_seq BIGINT NOT NULL,
                kind TEXT NOT NULL,
                finding_id BIGINT \(d.references("findings(id)")),
                team_id TEXT,
                payload TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX notifications_day ON notifications (created_at);
            CREATE INDEX notifications_team_day ON notifications (team_id, created_at);
            -- One message to one sink: a team's daily digest or a ticket operation. The key makes
            -- each delivery happen once however often the planner runs; receivers get it too.
            CREATE TABLE deliveries (
                id \(d.autoIncrementKey),
                sink TEXT NOT NULL,
                kind TEXT NOT NULL,
                idempotency_key TEXT NOT NULL UNIQUE,
                team_id TEXT,
                day TEXT,
                finding_id BIGINT \(d.references("findings(id)")),
                state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                claimed_until TEXT,
                last_error TEXT,
                delivered_at TEXT,
                created_at TEXT NOT NULL
            );
            CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
            CREATE TABLE tickets (
                finding_id BIGINT NOT NULL \(d.references("findings(id)")),
                sink TEXT NOT NULL,
                external_id TEXT NOT NULL,
                url TEXT,
                state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
                generation BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (finding_id, sink)
            );
            -- Per digest sink: the last day whose digests were planned.
            CREATE TABLE notify_cursors (
                sink TEXT PRIMARY KEY,
                planned_through TEXT NOT NULL
            );
            """
        },
        Migration(version: 11, name: "dependency findings: package and installed version") { _ in
            """
            ALTER TABLE findings ADD COLUMN package TEXT;
            ALTER TABLE findings ADD COLUMN package_version TEXT;
            """
        },
        Migration(version: 12, name: "dependency findings: vulnerability ids, fixed version, CVSS vectors, asset") {
            _ in
            """
            ALTER TABLE findings ADD COLUMN vulnerability_ids TEXT NOT NULL DEFAULT '';
            ALTER TABLE findings ADD COLUMN fixed_version TEXT;
            ALTER TABLE findings ADD COLUMN cvss TEXT NOT NULL DEFAULT '';
            ALTER TABLE findings ADD COLUMN asset TEXT;
            """
        },
        Migration(version: 13, name: "VEX: when a finding's last applied statement was made") { _ in
            "ALTER TABLE findings ADD COLUMN vex_at TEXT;"
        },
        Migration(version: 14, name: "EPSS scores; SSVC decisions and priority on findings") { _ in
            """
            CREATE TABLE epss (
                cve TEXT PRIMARY KEY,
                score DOUBLE PRECISION NOT NULL,
                percentile DOUBLE PRECISION
            );
            ALTER TABLE findings ADD COLUMN epss DOUBLE PRECISION;
            ALTER TABLE findings ADD COLUMN epss_percentile DOUBLE PRECISION;
            ALTER TABLE findings ADD COLUMN ssvc TEXT;
            ALTER TABLE findings ADD COLUMN ssvc_inputs TEXT;
            ALTER TABLE findings ADD COLUMN priority DOUBLE PRECISION;
            """
        },
        Migration(version: 15, name: "owner spans: who owned a finding from when until when") { d in
            // Written with every event that changes an owner (SQLiteConnection.appendEvent); a
            // finding that never changed owner has no rows (its owner since first seen is on the
            // finding). Backfilled from the events already recorded.
            let from = d.jsonMember("e.payload", "from")
            let to = d.jsonMember("e.payload", "to")
            let reason = d.jsonMember("e.payload", "reason")
            return """
                CREATE TABLE owner_spans (
                    finding_id BIGINT NOT NULL \(d.references("findings(id)")),
                    -- The event that began the span; 0 for the span from first seen to the first change.
                    seq BIGINT NOT NULL,
                    team TEXT,
                    from_at TEXT NOT NULL,
                    until_at TEXT,
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    PRIMARY KEY (finding_id, seq)
                );
                CREATE INDEX owner_spans_team ON owner_spans (team, from_at);
                INSERT INTO owner_spans (finding_id, seq, team, from_at, until_at, reason, actor)
                SELECT e.finding_id, 0, \(from), s.started_at, e.at, 'first seen', s.uploader
                FROM events e JOIN findings f ON f.id = e.finding_id JOIN scans s ON s.id = f.first_seen_scan
                WHERE e.seq = (SELECT min(seq) FROM events x WHERE x.finding_id = e.finding_id
                               AND x.kind IN ('ownership.transferred', 'ownership.assigned'));
                INSERT INTO owner_spans (finding_id, seq, team, from_at, until_at, reason, actor)
                SELECT e.finding_id, e.seq, \(to), e.at,
                       lead(e.at) OVER (PARTITION BY e.finding_id ORDER BY e.seq), coalesce(\(reason), ''), e.actor
                FROM events e WHERE e.kind IN ('ownership.transferred', 'ownership.assigned')
                  AND e.finding_id IS NOT NULL;
                """
        },
        Migration(version: 16, name: "findings by location, for related findings") { _ in
            Schema.locationIndex.create + ";"
        },
        Migration(version: 17, name: "one team's findings by severity, for pages") { _ in
            Schema.teamSeverityIndex.create + ";"
        },
        Migration(version: 18, name: "finding identifiers: CVE, GHSA and other ids, for lookups") { d in
            // Written with each new finding (ids never change after); backfilled by splitting the
            // comma-separated columns. Upper-cased: ids compare without case.
            let backfill =
                switch d.engine {
                case .sqlite:
                    """
                    WITH RECURSIVE split(finding_id, rest, identifier) AS (
                        SELECT id, cves || ',' || vulnerability_ids || ',', '' FROM findings
                        WHERE cves <> '' OR vulnerability_ids <> ''
                        UNION ALL
                        SELECT finding_id, substr(rest, instr(rest, ',') + 1), substr(rest, 1, instr(rest, ',') - 1)
                        FROM split WHERE rest <> ''
                    )
                    INSERT INTO finding_identifiers (identifier, finding_id)
                    SELECT DISTINCT upper(identifier), finding_id FROM split WHERE identifier <> '';
                    """
                case .postgres:
                    """
                    INSERT INTO finding_identifiers (identifier, finding_id)
                    SELECT DISTINCT upper(item), id FROM findings,
                        unnest(string_to_array(cves || ',' || vulnerability_ids, ',')) AS item
                    WHERE item <> '';
                    """
                }
            return """
                CREATE TABLE finding_identifiers (
                    identifier TEXT NOT NULL,
                    finding_id BIGINT NOT NULL \(d.references("findings(id)")),
                    PRIMARY KEY (identifier, finding_id)
                );
                """ + backfill
        },
        Migration(
            version: 19, name: "fingerprint keys cover the whole fingerprint",
            rewrite: { connection in
                // Keys were the first 16 hex digits alone, so `abc...:2` (a second occurrence) shared
                // its key with `abc...`; such rows get the key that mixes in the whole text.
                let rows = try connection.statement("SELECT id, fingerprint, fingerprint_key FROM findings").rows([]) {
                    ($0.int(0), $0.text(1) ?? "", $0.int(2))
                }
                let update = try connection.statement("UPDATE findings SET fingerprint_key = ? WHERE id = ?")
                for (id, fingerprint, key) in rows where EncodedFinding.key(fingerprint) != key {
                    try update.run([.integer(EncodedFinding.key(fingerprint)), .integer(id)])
                }
            }),
        Migration(version: 20, name: "one finding per fingerprint and repository, enforced by the database") { _ in
            // The lookup index becomes unique, so two writers can never record one finding twice
            // (a repository of NULL counts as one repository). The key is the fingerprint's first
            // 64 bits, so one fingerprint has one key: unique keys imply unique fingerprints.
            // Unique on the full text instead measured 1.8x slower for a first ingest of a
            // million findings (62.7 s against 34.8 s): a random-order index of 64-byte keys.
            // Two fingerprints sharing a key in one repository (about n^2 / 2^65: 3e-8 for a
            // million) are refused with an error naming both, never merged.
            """
            DROP INDEX findings_fingerprint;
            CREATE UNIQUE INDEX findings_identity ON findings (coalesce(repository, ''), fingerprint_key);
            """
        },
        Migration(version: 21, name: "team handles keep their order") { d in
            """
            ALTER TABLE team_handles ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
            \(d.engine == .sqlite ? "UPDATE team_handles SET position = rowid;" : "")
            """
        },
        Migration(version: 22, name: "events by kind, newest last") { _ in
            // The ingest reads a repository's last ownership map from it (a few events among
            // millions), and metrics read events of one kind.
            "CREATE INDEX events_kind ON events (kind, seq);"
        },
        Migration(version: 23, name: "one team's findings by priority, for pages") { _ in
            Schema.teamPriorityIndex.create + ";"
        },
        Migration(version: 24, name: "owned paths by repository, for the unowned queue's suggestions") { _ in
            Schema.nearbyIndex.create + ";"
        },
        Migration(version: 25, name: "one team's findings by id and by due date, for pages") { _ in
            Schema.teamIDIndex.create + "; " + Schema.teamDueIndex.create + ";"
        },
        Migration(version: 26, name: "findings: security or code quality") { _ in
            "ALTER TABLE findings ADD COLUMN category TEXT NOT NULL DEFAULT 'security';"
        },
        // The release gate counts each owning team's overdue known-exploited or critical work:
        // a range of this small index per team, not every finding the team owns.
        Migration(version: 27, name: "known-exploited and critical findings by team and due date, for the gate") { _ in
            """
            CREATE INDEX findings_overdue_risk ON findings (owner_team, due_at)
            WHERE kev_added IS NOT NULL OR severity = 'critical';
            """
        },
        // The release a scan's commit shipped in (given, or the earliest tag containing it), so
        // that the metrics can say which release fixed a finding.
        Migration(version: 28, name: "scans: the release of the scanned commit") { _ in
            "ALTER TABLE scans ADD COLUMN release TEXT;"
        },
        // A finding's events by kind and time, in the index itself: a team's metrics read its
        // findings' events from a few index pages instead of a table page per event (a team of
        // 3,000 findings in a 1M store: 64 MB of pages read and zeroed -> under 1 MB). It serves
        // every lookup the index on finding_id alone served, which it replaces.
        Migration(version: 29, name: "events by finding, kind and time") { _ in
            """
            CREATE INDEX events_finding_kind ON events (finding_id, kind, at);
            DROP INDEX events_finding;
            """
        },
        // API tokens: only the SHA-256 of each is kept (the token is shown once, when made).
        Migration(version: 30, name: "API tokens, hashed") { d in
            """
            CREATE TABLE tokens (
                id \(d.autoIncrementKey),
                name TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL,
                teams TEXT NOT NULL DEFAULT '',
                token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                expires_at TEXT,
                last_used_at TEXT,
                revoked_at TEXT
            );
            """
        },
        // What remote uploads need: repositories registered with a clone the server reads
        // (CODEOWNERS at the commit, introducers), the CODEOWNERS text last applied to each
        // repository, uploads answered later by id (GitHub's SARIF uploads), and the named
        // contexts DefectDojo's clients look up before they import (product types, products,
        // engagements, tests).
        Migration(version: 31, name: "registered repositories, ownership maps, uploads, import contexts") { d in
            """
            CREATE TABLE repositories (
                name TEXT PRIMARY KEY,
                path TEXT NOT NULL,
                added_at TEXT NOT NULL,
                added_by TEXT NOT NULL
            );
            CREATE TABLE ownership_maps (
                repository TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                text TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            );
            CREATE TABLE uploads (
                id TEXT PRIMARY KEY,
                repository TEXT NOT NULL,
                commit_sha TEXT,
                ref TEXT,
                status TEXT NOT NULL,
                errors TEXT NOT NULL DEFAULT '',
                summary TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL
            );
            CREATE TABLE import_contexts (
                id \(d.autoIncrementKey),
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                parent INTEGER NOT NULL DEFAULT 0,
                attributes TEXT NOT NULL DEFAULT '{}',
                created_at TEXT NOT NULL,
                UNIQUE (kind, parent, name)
            );
            """
        },
        // Tokens scoped to org units: an agency's officer sees the findings of that agency's
        // teams only (the units, comma-separated; empty for an unscoped token).
        Migration(version: 32, name: "API tokens scoped to org units") { _ in
            "ALTER TABLE tokens ADD COLUMN units TEXT NOT NULL DEFAULT '';"
        },
        // Dashboard sessions: a token exchanged for a cookie at sign-in. Only the SHA-256 of the
        // cookie is kept; a session lasts until it expires, is signed out, or its token is revoked.
        Migration(version: 33, name: "dashboard sessions, hashed") { d in
            """
            CREATE TABLE sessions (
                id \(d.autoIncrementKey),
                session_hash TEXT NOT NULL UNIQUE,
                token_id INTEGER NOT NULL REFERENCES tokens (id),
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                revoked_at TEXT
            );
            """
        },
        // The risk acceptances page lists the accepted findings only: read through the first, it
        // costs the acceptances, not the store; the second walks every finding in priority order.
        Migration(version: 34, name: "risk acceptances, and every finding by priority") { _ in
            "CREATE INDEX findings_accepted ON findings (id) WHERE status = 'risk_accepted'; "
                + Schema.priorityIndex.create + ";"
        },
    ]
}
