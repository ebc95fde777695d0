import CustodyCore
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

struct Failure: Error {}

func finding(_ rule: String, path: String, line: Int = 1, owner: String? = nil) -> PreparedFinding {
    let normalized = NormalizedFinding(
        tool: "t", ruleID: rule, message: "m", severity: .high, path: path, line: line, snippet: "code \(rule) \(path)")
    let fingerprint = Fingerprint.compute(for: normalized, repository: "repo")
    return PreparedFinding(
        finding: normalized, fingerprint: fingerprint.value, fingerprintBasis: fingerprint.basis, ownerTeam: owner,
        ownerEvidence: owner.map {
            OwnerEvidence(
                source: "codeowners", file: "CODEOWNERS", dialect: "github", line: 3, pattern: "/\($0)/",
                handles: ["@org/\($0)"])
        })
}

func scan(_ scope: ScanScope = .full, tool: String = "t", branch: String? = "main") -> ScanRecord {
    ScanRecord(tool: tool, format: "sarif", sourceFile: "r.sarif", repository: "repo", branch: branch, scope: scope)
}

struct SQLStoreTests {
    let directory = TemporaryDirectory()
    /// A SQLite file, or a schema of its own on PostgreSQL (``TestDatabase``).
    let path: String

    init() { path = TestDatabase.location(directory.file("custody.db")) }

    /// Whether a plan sorts rows rather than walking an index in order.
    func sorts(_ plan: String) -> Bool {
        TestDatabase.isPostgres ? plan.contains("Sort") : plan.contains("TEMP B-TREE FOR ORDER BY")
    }

    /// Whether the listing sorts findings to choose its page: a sort inside the page's subquery
    /// (SQLite lists it before the subquery's `SCAN f`) or under the LIMIT (PostgreSQL lists a
    /// node's children after it). The page's own rows may be put in order once joined.
    func sortsToChoose(_ plan: String) -> Bool {
        if TestDatabase.isPostgres {
            guard let limit = plan.range(of: "Limit") else { return sorts(plan) }
            return plan[limit.upperBound...].contains("Sort")
        }
        guard let page = plan.range(of: "SCAN f") else { return sorts(plan) }
        return plan[..<page.lowerBound].contains("TEMP B-TREE FOR ORDER BY")
    }

    @Test func unownedGroupsAreSuggestedTheTeamsOfTheNearestOwnedDirectory() throws {
        let store = try SQLStore(path: path)
        let teams = ["a", "b", "c", "d", "e"].map { Team(id: $0, name: $0.uppercased(), handles: ["@org/\($0)"]) }
        try store.importOrganisation(Organisation(teams: teams), source: "t.yaml", actor: "test")
        let owned = [
            ("src/app/x/1.c", "a"), ("src/app/x/2.c", "a"), ("src/app/y.c", "b"), ("src/app/z/3.c", "c"),
            ("lib/q.c", "d"), ("Src/App/w.c", "e"),
        ]
        let unowned = ["src/app/x/deep/u.c", "src/app/v/u2.c", "other/u3.c", "Src/App/v2/u4.c"]
        _ = try store.ingest { session in
            try session.beginScan(scan())
            for (path, team) in owned { try session.record(finding("R", path: path, owner: team)) }
            for path in unowned { try session.record(finding("R", path: path)) }
        }
        let groups = try store.unownedQueue(now: Date())
        func suggested(_ directory: String) -> [String] {
            let group = groups.first { $0.directory == directory }
            return group?.suggestions.map { "\($0.team) \($0.findings) \($0.near)" } ?? ["no group"]
        }
        // The group's own directory has no owned code: the nearest directory above that has.
        #expect(suggested("src/app/x/deep") == ["a 2 src/app/x/"])
        // At most three, most findings first, then by name.
        #expect(suggested("src/app/v") == ["a 2 src/app/", "b 1 src/app/", "c 1 src/app/"])
        // Nothing owned above but the root.
        #expect(suggested("other") == ["a 2 /", "b 1 /", "c 1 /"])
        // Paths compare as written: Src/App is not src/app.
        #expect(suggested("Src/App/v2") == ["e 1 Src/App/"])
    }

    @Test func findingsAreFoundByAnyOfTheirIdsWithoutCaseAndAnUpgradeBackfillsThem() throws {
        let store = try SQLStore(path: path)
        _ = try store.ingest { session in
            try session.beginScan(scan())
            var first = finding("A", path: "a.c")
            first.finding.cves = ["CVE-2021-44228"]
            first.finding.vulnerabilityIDs = ["GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228"]
            try session.record(first)
            var second = finding("B", path: "b.c")
            second.finding.cves = ["CVE-2021-45046", "CVE-2021-44228"]
            try session.record(second)
            try session.record(finding("C", path: "c.c"))
        }
        func rules(_ id: String) throws -> [String] {
            var query = FindingQuery()
            query.cve = id
            return try store.findings(query).map(\.rule)
        }
        func answers() throws -> [[String]] {
            try ["CVE-2021-44228", "cve-2021-45046", "GHSA-JFH8-C2JP-5V3Q", "CVE-2021-4422", "CVE-2021"].map(rules)
        }
        let expected = [["A", "B"], ["B"], ["A"], [], []]
        #expect(try answers() == expected)
        // A store from before the table rebuilds it from the findings' columns.
        try store.executeForTesting("DROP TABLE finding_identifiers; DELETE FROM schema_migrations WHERE version = 18;")
        _ = try SQLStore(path: path)
        #expect(try answers() == expected)
        #expect(
            try store.queryPlanForTesting(
                "SELECT finding_id FROM finding_identifiers WHERE identifier = 'X'"
            ).contains(TestDatabase.isPostgres ? "Index" : "USING"))
    }

    @Test func migrationsAreRecordedOnceInOrder() throws {
        let store = try SQLStore(path: path)
        let first = try store.appliedMigrations()
        #expect(first.map(\.version) == Schema.migrations.map(\.version))
        // Opening again applies nothing new.
        let again = try SQLStore(path: path)
        #expect(try again.appliedMigrations().count == first.count)
        #expect(try again.counts()["findings"] == 0)
    }

    @Test func anOlderDatabaseIsMigratedForward() throws {
        // A database as version 1 left it: version 2 is applied on open, and data is kept.
        let store = try SQLStore(path: path)
        _ = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(finding("A", path: "a.c"))
        }
        try store.executeForTesting(
            "DROP TABLE introducers; DROP TABLE commits; DELETE FROM schema_migrations WHERE version = 2;")
        #expect(try store.appliedMigrations().map(\.version) == Schema.migrations.map(\.version).filter { $0 != 2 })
        let reopened = try SQLStore(path: path)
        #expect(try reopened.appliedMigrations().map(\.version) == Schema.migrations.map(\.version))
        #expect(try reopened.findings(FindingQuery()).map(\.rule) == ["A"])
    }

    @Test func organisationRoundTrip() throws {
        let store = try SQLStore(path: path)
        let organisation = Organisation(
            units: [
                OrgUnit(id: "child", name: "Child", parentID: "root"),
                OrgUnit(id: "root", name: "Root", head: "h@x.gov"),
            ],
            teams: [
                Team(id: "pay", name: "Payments", unitID: "child", lead: "l@x.gov", handles: ["@Org/Pay", "pay@x.gov"])
            ])
        try store.importOrganisation(organisation, source: "teams.yaml", actor: "tester")
        let stored = try store.organisation()
        #expect(stored.units.map(\.id) == ["child", "root"])
        #expect(stored.teams == organisation.teams)
        #expect(try store.events(findingID: nil).map(\.kind.rawValue) == ["organisation.imported"])
    }

    /// A young store's ingest rebuilds the owner index; a failed ingest leaves it as it was.
    @Test func bulkLoadKeepsTheOwnerIndex() throws {
        let store = try SQLStore(path: path)
        try store.importOrganisation(Organisation(teams: [Team(id: "pay", name: "Payments")]), source: "t", actor: "x")
        func ownerIndexPlan() throws -> String {
            let probe = try SQLStore(path: path)
            // PostgreSQL's planner picks among equally cheap indexes of a near-empty table: there
            // the question is only whether the index exists.
            if TestDatabase.isPostgres { return try probe.indexNamesForTesting().sorted().joined(separator: " ") }
            return try probe.queryPlanForTesting("SELECT id FROM findings WHERE owner_team = 'pay' AND status = 'open'")
        }
        #expect(try ownerIndexPlan().contains("findings_owner"))
        _ = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(finding("A", path: "a.c", owner: "pay"))
        }
        #expect(try ownerIndexPlan().contains("findings_owner"))
        #expect(throws: Failure.self) {
            _ = try store.ingest { session in
                try session.beginScan(scan())
                try session.record(finding("B", path: "b.c", owner: "pay"))
                throw Failure()
            }
        }
        #expect(try ownerIndexPlan().contains("findings_owner"))
        #expect(try store.findings(FindingQuery(team: "pay")).map(\.rule) == ["A"])
        // Related findings are looked up by location, not by reading every finding.
        let related = try SQLStore(path: path).queryPlanForTesting(
            "SELECT id FROM findings WHERE repository IS NOT DISTINCT FROM 'repo' AND path = 'a.c' AND line = 1 AND cwes <> ''"
        )
        #expect(related.contains("findings_location"))
        // One team's first page worst first walks an index in order: no sort of the team's findings.
        let page = try SQLStore(path: path).queryPlanForTesting(
            """
            SELECT f.id FROM findings f WHERE f.owner_team = 'pay' ORDER BY (CASE f.severity WHEN 'critical' THEN 0 \
            WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END), f.id LIMIT 50
            """)
        #expect(page.contains("findings_team_severity"))
        #expect(!sorts(page), "\(page)")
        // The listing itself, in every order, first page and next: the page is an index walk,
        // never a sort of the team's findings.
        let indexes: [FindingSort: String] = [
            .id: "findings_team_id", .severity: "findings_team_severity", .due: "findings_team_due",
            .priority: "findings_team_priority",
        ]
        for sort in FindingSort.allCases {
            var query = FindingQuery(team: "pay", limit: 50)
            query.sort = sort
            for after in [nil, FindingCursor(key: sort == .due ? "2026" : "1", id: 1)] {
                query.after = after
                let plan = try SQLStore(path: path).listingPlanForTesting(query)
                #expect(plan.contains(indexes[sort]!), "\(sort): \(plan)")
                #expect(!sortsToChoose(plan), "\(sort): \(plan)")
            }
        }
    }

    @Test func dedupFixAndReopen() throws {
        let store = try SQLStore(path: path)
        try store.importOrganisation(Organisation(teams: [Team(id: "pay", name: "Payments")]), source: "t", actor: "x")
        let a = finding("A", path: "a.c", owner: "pay")
        let b = finding("B", path: "b.c")

        var summary = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(a)
            try session.record(b)
        }
        #expect((summary.findings, summary.new, summary.seen, summary.fixed, summary.unowned) == (2, 2, 0, 0, 1))

        // The same report again: sightings only.
        summary = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(a)
            try session.record(b)
        }
        #expect((summary.new, summary.seen, summary.fixed) == (0, 2, 0))
        #expect(try store.counts()["findings"] == 2)
        #expect(try store.counts()["sightings"] == 4)

        // A partial scan without B proves nothing.
        summary = try store.ingest { session in
            try session.beginScan(scan(.partial))
            try session.record(a)
        }
        #expect(summary.fixed == 0)

        // A full scan of another tool or branch proves nothing about this one.
        summary = try store.ingest { session in try session.beginScan(scan(tool: "other")) }
        #expect(summary.fixed == 0)
        summary = try store.ingest { session in try session.beginScan(scan(branch: "dev")) }
        #expect(summary.fixed == 0)

        // A full scan without B: B is fixed, with an event.
        summary = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(a)
        }
        #expect((summary.seen, summary.fixed) == (1, 1))
        let fixed = try store.findings(FindingQuery(status: .fixed))
        #expect(fixed.map(\.rule) == ["B"])
        #expect(try store.events(findingID: fixed[0].id).map(\.kind.rawValue) == ["finding.fixed"])

        // B seen again: reopened (a regression), with an event.
        summary = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(a)
            try session.record(b)
        }
        #expect((summary.seen, summary.reopened, summary.new) == (1, 1, 0))
        let reopened = try store.findings(FindingQuery(status: .reopened))
        #expect(reopened.map(\.rule) == ["B"])
        #expect(
            try store.events(findingID: reopened[0].id).map(\.kind.rawValue) == ["finding.fixed", "finding.reopened"])
        // One scan event per scan.
        #expect(try store.events(findingID: nil).filter { $0.kind.rawValue == "scan.ingested" }.count == 7)
    }

    @Test func batchedWritesStayExact() throws {
        // More findings than one batch, seen again by a second scan in the same transaction
        // (while some are still waiting to be written), and one repeated within a scan.
        let store = try SQLStore(path: path)
        let findings = (0..<75).map { finding("R\($0)", path: "f\($0).c", line: $0 + 1) }
        let summary = try store.ingest { session in
            try session.beginScan(scan())
            for item in findings { try session.record(item) }
            try session.record(findings[3])
            try session.beginScan(scan())
            for item in findings.prefix(40) { try session.record(item) }
        }
        #expect((summary.findings, summary.new, summary.seen, summary.fixed) == (116, 75, 41, 35))
        #expect(try store.counts()["findings"] == 75)
        #expect(try store.counts()["sightings"] == 115)
        let rows = try store.findings(FindingQuery())
        #expect(rows.map(\.rule) == findings.map(\.finding.ruleID))
        #expect(rows.map(\.line) == findings.map(\.finding.line))
        #expect(rows.filter { $0.status == .fixed }.count == 35)
    }

    @Test func ownershipHistory() throws {
        let store = try SQLStore(path: path)
        try store.importOrganisation(
            Organisation(teams: [
                Team(id: "a", name: "A", handles: ["@org/a"]), Team(id: "b", name: "B", handles: ["@org/b"]),
            ]), source: "teams.yaml", actor: "x")
        func ingest(_ date: String, owner: String?, map: Bool = true) throws -> IngestSummary {
            var record = scan()
            record.startedAt = ISO8601DateFormatter().date(from: date)!
            record.appliesOwnershipMap = map
            var item = finding("A", path: "src/a.c")
            item.ownerTeam = owner
            item.ownerEvidence = owner.map {
                OwnerEvidence(
                    source: "codeowners", file: "CODEOWNERS", revision: date, dialect: "github", line: 1,
                    pattern: "/src/", handles: ["@org/\($0)"])
            }
            return try store.ingest { session in
                try session.beginScan(record)
                try session.record(item)
            }
        }
        #expect(try ingest("2026-01-01T00:00:00Z", owner: "a").new == 1)
        #expect(try ingest("2026-02-01T00:00:00Z", owner: "b").reowned == 1)  // CODEOWNERS changed
        #expect(try ingest("2026-02-10T00:00:00Z", owner: "b").reowned == 0)
        #expect(try ingest("2026-02-20T00:00:00Z", owner: nil, map: false).reowned == 0)  // no map: no change
        let id = try #require(try store.findings(FindingQuery()).first?.id)
        var history = try store.ownerHistory(findingID: id)
        #expect(history.map(\.team) == ["a", "b"])
        #expect(history.map(\.from) == ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"])
        #expect(history.map(\.reason) == ["first seen", "ownership map changed"])
        #expect(try store.findingIDs(ownedBy: "a", at: "2026-01-15T00:00:00Z") == [id])
        #expect(try store.findingIDs(ownedBy: "a", at: "2026-02-15T00:00:00Z") == [])
        #expect(try store.findingIDs(ownedBy: "b", at: "2026-02-15T00:00:00Z") == [id])
        #expect(try store.findingIDs(ownedBy: "b", at: "2026-01-15T00:00:00Z") == [])
        #expect(try store.findingIDs(ownedBy: "a", at: "2025-12-31T00:00:00Z") == [])  // not seen yet

        // An owner given by hand stays when the map says otherwise.
        #expect(try store.assignOwner(findingIDs: [id], team: "a", actor: "sec", reason: "arbitration") == 1)
        #expect(try ingest("2026-03-01T00:00:00Z", owner: "b").reowned == 0)
        history = try store.ownerHistory(findingID: id)
        #expect(history.map(\.team) == ["a", "b", "a"])
        #expect(history.last?.actor == "sec")

        // New handles re-decide what rules decided: @org/b now means team c.
        let other = finding("B", path: "src/b.c")
        var record = scan()
        record.appliesOwnershipMap = true
        _ = try store.ingest { session in
            try session.beginScan(record)
            var item = other
            item.ownerTeam = "b"
            item.ownerEvidence = OwnerEvidence(
                source: "codeowners", file: "CODEOWNERS", dialect: "github", line: 1, pattern: "/src/",
                handles: ["@org/b"])
            try session.record(item)
        }
        try store.importOrganisation(
            Organisation(teams: [
                Team(id: "a", name: "A", handles: ["@org/a"]), Team(id: "c", name: "C", handles: ["@org/b"]),
            ]), source: "teams-v2.yaml", actor: "x")
        let moved = try #require(try store.findings(FindingQuery(team: "c")).first)
        #expect(moved.rule == "B")
        #expect(try store.ownerHistory(findingID: moved.id).map(\.team) == ["b", "c"])
        #expect(try store.findings(FindingQuery(team: "a")).map(\.rule) == ["A"])  // the hand-given one stays

        // The spans written with the events are what a store upgraded from before them rebuilds
        // from the events alone (migration 15).
        let times = [
            "2025-12-31T00:00:00Z", "2026-01-15T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-15T00:00:00Z",
            "2026-03-15T00:00:00Z", Timestamp.string(Date().addingTimeInterval(60)),
        ]
        func snapshot(_ store: SQLStore) throws -> [String] {
            var lines: [String] = []
            for finding in try store.findings(FindingQuery()) {
                lines += try store.ownerHistory(findingID: finding.id).map { "\(finding.id) \($0)" }
            }
            for team in ["a", "b", "c"] {
                for time in times { lines.append("\(team) \(time) \(try store.findingIDs(ownedBy: team, at: time))") }
            }
            return lines
        }
        let written = try snapshot(store)
        #expect(written.contains("b 2026-03-15T00:00:00Z [\(id)]"))  // assigned back to a only now
        #expect(written.contains("a \(times.last!) [\(id)]"))
        try store.executeForTesting("DROP TABLE owner_spans; DELETE FROM schema_migrations WHERE version = 15;")
        #expect(try snapshot(try SQLStore(path: path)) == written)
    }

    @Test func lastSeenAndLineFollowTheLatestSighting() throws {
        let store = try SQLStore(path: path)
        _ = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(finding("A", path: "a.c", line: 10))
        }
        _ = try store.ingest { session in
            var moved = finding("A", path: "a.c", line: 10)
            moved.finding.line = 14
            try session.beginScan(scan())
            try session.record(moved)
        }
        let row = try #require(try store.findings(FindingQuery()).first)
        #expect(row.line == 14)
    }

    @Test func aFailedIngestLeavesNothing() throws {
        let store = try SQLStore(path: path)
        _ = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(finding("A", path: "a.c"))
        }
        let before = try store.counts()
        #expect(throws: Failure.self) {
            try store.ingest { session in
                try session.beginScan(scan())
                try session.record(finding("B", path: "b.c"))
                throw Failure()
            }
        }
        #expect(try store.counts() == before)
        #expect(try store.findings(FindingQuery()).map(\.rule) == ["A"])
    }

    @Test func eventsAreAppendOnly() throws {
        let store = try SQLStore(path: path)
        _ = try store.ingest { session in try session.beginScan(scan()) }
        // A second connection, as an attacker with file access would use; the trigger still refuses.
        let raw = try SQLStore(path: path)
        #expect(try raw.events(findingID: nil).count == 1)
        #expect(throws: DatabaseError.self) { try raw.executeForTesting("UPDATE events SET kind = 'forged'") }
        #expect(throws: DatabaseError.self) { try raw.executeForTesting("DELETE FROM events") }
        #expect(try raw.events(findingID: nil).map(\.kind.rawValue) == ["scan.ingested"])
    }

    @Test func theDatabaseRefusesASecondRowForOneFingerprintInOneRepository() throws {
        let store = try SQLStore(path: path)
        _ = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(finding("A", path: "a.c"))
        }
        // A second writer that skipped the lookup (two servers racing) cannot record it again.
        let copy = """
            INSERT INTO findings (fingerprint_key, fingerprint, fingerprint_basis, repository, tool, rule_id, message,
                                  severity, status, first_seen_scan)
            SELECT fingerprint_key, fingerprint, fingerprint_basis, repository, tool, rule_id, message, severity, status,
                   first_seen_scan FROM findings
            """
        #expect(throws: DatabaseError.self) { try store.executeForTesting(copy) }
        // In another repository the same fingerprint is another finding.
        try store.executeForTesting(
            copy.replacingOccurrences(
                of: "fingerprint_basis, repository, tool, rule_id, message, severity",
                with: "fingerprint_basis, 'other', tool, rule_id, message, severity"))
        #expect(try store.counts()["findings"] == 2)
    }

    @Test func aStoreWhoseKeysIgnoredOccurrenceSuffixesIsRekeyedAndMadeUnique() throws {
        let store = try SQLStore(path: path)
        _ = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(finding("A", path: "a.c"))
        }
        let fingerprint = try #require(try store.findings(FindingQuery()).first?.fingerprint)
        // As a store of an earlier version had it: a second occurrence keyed by its hex prefix alone.
        try store.executeForTesting(
            """
            DROP INDEX findings_identity;
            CREATE INDEX findings_fingerprint ON findings (repository, fingerprint_key);
            DELETE FROM schema_migrations WHERE version IN (19, 20);
            INSERT INTO findings (fingerprint_key, fingerprint, fingerprint_basis, repository, tool, rule_id, message,
                                  severity, status, first_seen_scan)
            SELECT fingerprint_key, fingerprint || ':2', fingerprint_basis, repository, tool, rule_id, message,
                   severity, status, first_seen_scan FROM findings;
            """)
        let upgraded = try SQLStore(path: path)
        #expect(try upgraded.appliedMigrations().last?.version == Schema.migrations.last?.version)
        let plan = try upgraded.queryPlanForTesting(
            "SELECT id FROM findings WHERE coalesce(repository, '') = 'r' AND fingerprint_key = 1")
        #expect(plan.contains("findings_identity"))
        // Seen again, both occurrences are the findings they were.
        let summary = try upgraded.ingest { session in
            try session.beginScan(scan(.partial))
            try session.record(finding("A", path: "a.c"))
        }
        #expect((summary.new, summary.seen) == (0, 1))
        #expect(fingerprint.count == 32)
    }

    @Test func teamSummariesCountOpenWorkPerTeamAndUnowned() throws {
        let store = try SQLStore(path: path)
        try store.importOrganisation(
            Organisation(teams: [Team(id: "pay", name: "Payments"), Team(id: "idle", name: "Idle")]), source: "t",
            actor: "x")
        _ = try store.ingest { session in
            try session.beginScan(scan())
            try session.record(finding("A", path: "a.c", owner: "pay"))
            try session.record(finding("B", path: "b.c", owner: "pay"))
            try session.record(finding("C", path: "c.c"))
        }
        let rows = try store.teamSummaries()
        #expect(rows.map(\.team) == ["pay", "idle", nil])
        #expect(rows.map(\.open) == [2, 0, 1])
        #expect(rows[0].high == 2)
        #expect(try store.findings(FindingQuery(unownedOnly: true)).map(\.rule) == ["C"])
        #expect(try store.findings(FindingQuery(team: "pay")).count == 2)
        // Two findings cite one rule: it is stored once, and each finding reads it back.
        #expect(try store.counts()["ownership_rules"] == 1)
        #expect(try store.findings(FindingQuery(team: "pay")).map(\.ownerEvidence?.pattern) == ["/pay/", "/pay/"])
        #expect(try store.findings(FindingQuery(unownedOnly: true)).first?.ownerEvidence == nil)
    }
}
