import CustodyCore
import CustodyMetrics
import CustodyStore
import Foundation

/// `custody-bench reads DIR SMALL LARGE`: the read paths of the store at two sizes, in process
/// (no process start in the figures), on stores of the shape a large deployment has: 50
/// repositories, 300 teams in 10 units, a tenth of the findings unowned, a tenth dependency
/// findings, and about five events per finding (acknowledgements, reassignments, escalation
/// steps with their notifications, due-date changes). Each figure is printed at both sizes with
/// its ratio: a read that grows faster than the data is a bug, whatever its absolute value.
enum ReadsBench {
    static let repositories = 50
    static let teams = 300

    struct Reading {
        var label: String
        var target: String
        var seconds: Double
        /// What was read (rows, groups), printed beside the label.
        var note = ""
    }

    struct Figures {
        var build = 0.0
        var events = 0
        var values: [Reading] = []
    }

    static func run(directory: String, sizes: [Int]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var results: [Int: Figures] = [:]
        for size in sizes {
            // On PostgreSQL (bench/postgres) each size has a fresh schema, reads_SIZE.
            var path = "\(directory)/reads-\(size).db"
            if let url = ProcessInfo.processInfo.environment["CUSTODY_BENCH_DATABASE_URL"], !url.isEmpty {
                path = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3Dreads_\(size)"
            }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let store = try SQLStore(path: path)
            var figures = Figures()
            figures.build = try seconds2 { try build(store, size: size) }
            figures.events = try store.counts()["events"] ?? 0
            print(
                String(
                    format: "store of %d findings, %d events built in %.1f s", size, figures.events, figures.build))
            figures.values = try measure(store, size: size)
            results[size] = figures
        }
        guard let small = sizes.first, let large = sizes.last, let a = results[small], let b = results[large] else {
            return
        }
        func padded(_ text: String) -> String { text.padding(toLength: 68, withPad: " ", startingAt: 0) }
        print(
            padded("read (in process, median)")
                + String(format: " %11d %11d  ratio (data %.0fx)  target", small, large, Double(large) / Double(small)))
        for (index, value) in a.values.enumerated() {
            let other = b.values[index]
            print(
                padded(value.label + (value.note.isEmpty ? "" : " [\(value.note) / \(other.note)]"))
                    + String(
                        format: " %8.2f ms %8.2f ms  %5.1fx  %@", value.seconds * 1000, other.seconds * 1000,
                        other.seconds / value.seconds, value.target))
        }
    }

    /// The team whose pages are read: one of the 300, with about 1/300 of the owned findings.
    static let team = "team7"

    static func build(_ store: SQLStore, size: Int) throws {
        let units = (0..<10).map { OrgUnit(id: "unit\($0)", name: "Unit \($0)", head: "head\($0)@example.gov") }
        let teamList = (0..<teams).map {
            Team(
                id: "team\($0)", name: "Team \($0)", unitID: "unit\($0 % 10)", lead: "lead\($0)@example.gov",
                handles: ["@org/team\($0)"])
        }
        try store.importOrganisation(Organisation(units: units, teams: teamList), source: "bench", actor: "bench")
        let perRepository = size / repositories
        let past = Timestamp.string(Date().addingTimeInterval(-40 * 86_400))
        // Two full scans of every repository: the second sees every finding again.
        for round in 0..<2 {
            _ = try store.ingest { session in
                for repository in 0..<repositories {
                    try session.beginScan(
                        ScanRecord(
                            tool: "bench", format: "sarif", sourceFile: "r\(repository).sarif",
                            repository: "repo\(repository)", branch: "main", scope: .full,
                            startedAt: Date().addingTimeInterval(Double(round - 60) * 86_400)))
                    for index in 0..<perRepository {
                        try session.record(finding(repository: repository, index: index, due: past))
                    }
                }
            }
        }
        // Events: acknowledgements (2 in 5), reassignments (1 in 5), the escalation ladder of the
        // half that is long overdue (four steps each, with their notifications), then due-date
        // changes until there are five events per finding.
        let ids = (1...Int64(size)).map { $0 }
        _ = try store.transition(
            findingIDs: ids.filter { $0 % 5 < 2 }, .acknowledge, actor: "bench", reason: "seen", skipRefused: true)
        let moved = Dictionary(grouping: ids.filter { $0 % 5 == 2 }) { Int($0 / 5) % teams }
        for (target, group) in moved {
            _ = try store.assignOwner(findingIDs: group, team: "team\(target)", actor: "bench", reason: "reorg")
        }
        _ = try store.escalate(now: Date(), actor: "bench")
        _ = try padEvents(store, findings: size, due: past)
        _ = try store.prioritize(criticality: [], team: nil, limit: 1)
    }

    /// Due-date changes over the findings in turn until the store holds five events a finding;
    /// returns how many events it held before and after.
    static func padEvents(_ store: SQLStore, findings: Int, due: String) throws -> (before: Int, after: Int) {
        var events = try store.counts()["events"] ?? 0
        let before = events
        var next = Int64(1)
        while events < 5 * findings {
            let chunk = min(100_000, 5 * findings - events)
            try store.appendEvents(
                (0..<chunk).map { _ in
                    defer { next = next % Int64(findings) + 1 }
                    return (.slaDueChanged, next, "bench", .object([("from", .null), ("to", .string(due))]))
                })
            events += chunk
        }
        return (before, events)
    }

    static func finding(repository: Int, index: Int, due: String) -> PreparedFinding {
        let directory = index % 60
        var normalized = NormalizedFinding(
            tool: "bench", ruleID: "rule\(index % 100)", message: "finding \(index) of repo\(repository)",
            severity: [.critical, .high, .medium, .low, .info][index % 5],
            path: "src/dir\(directory)/file\(index % 400).c", line: index % 1000 + 1,
            snippet: "code \(repository) \(index)")
        if index % 10 == 3 {
            normalized.package = "pkg:npm/lib\(repository)-\(index)"
            normalized.packageVersion = "1.0.0"
            normalized.cves = ["CVE-2099-\(repository * 100_000 + index)"]
        }
        let fingerprint = Fingerprint.compute(for: normalized, repository: "repo\(repository)")
        // A tenth unowned; the rest owned by one of six teams per repository (300 in all).
        let owner = index % 10 == 9 ? nil : "team\((repository * 6 + directory % 6) % teams)"
        var prepared = PreparedFinding(
            finding: normalized, fingerprint: fingerprint.value, fingerprintBasis: fingerprint.basis, ownerTeam: owner,
            ownerEvidence: owner.map {
                OwnerEvidence(
                    source: "codeowners", file: "CODEOWNERS", dialect: "github", line: directory + 1,
                    pattern: "/src/dir\(directory)/", handles: ["@org/\($0)"])
            })
        prepared.dueAt = index % 2 == 0 ? due : nil
        return prepared
    }

    static func measure(_ store: SQLStore, size: Int) throws -> [Reading] {
        var out: [Reading] = []
        func median(_ label: String, target: String, runs: Int = 9, _ body: () throws -> Void) throws {
            try body()  // warm the cache, as a server's would be
            var times: [Double] = []
            for _ in 0..<runs { times.append(try seconds2(body)) }
            out.append(Reading(label: label, target: target, seconds: times.sorted()[runs / 2]))
        }
        var cursor: FindingCursor?
        for sort in [FindingSort.priority, .severity, .due, .id] {
            var first = FindingQuery(team: team, limit: 50)
            first.sort = sort
            try median("\(team)'s first page of 50 by \(sort.rawValue)", target: "< 5 ms") {
                var last: FindingRow?
                try store.forEachFinding(first) {
                    last = $0
                    return true
                }
                cursor = last.map { FindingCursor(after: $0, sort: sort) }
            }
            var next = first
            next.after = cursor
            var rows = 0
            try median("  the next page by cursor", target: "< 5 ms") {
                rows = try store.findings(next).count
            }
            out[out.count - 1].note = "\(rows) rows"  // a small store's team may not fill it
        }
        let at = Timestamp.string(Date().addingTimeInterval(-30 * 86_400))
        var owned = FindingQuery()
        owned.ownedAt = (team, at)
        var count = 0
        try median("findings \(team) owned 30 days ago (--team --at)", target: "< 100 ms", runs: 5) {
            count = 0
            try store.forEachFinding(owned) { _ in
                count += 1
                return true
            }
        }
        out[out.count - 1].note = "\(count) rows"
        var unowned = 0
        try median("unowned queue", target: "< 2 s", runs: 3) {
            unowned = try store.unownedQueue(now: Date()).reduce(0) { $0 + $1.findingIDs.count }
        }
        out[out.count - 1].note = "\(unowned) unowned"
        // What `custody metrics --by team` computes for the last quarter: one pass over every
        // finding with its first action, first assignment and regressions.
        var groups = 0
        try median("metrics of every team for a quarter (--by team)", target: "< 2 s", runs: 3) {
            let until = Date()
            let since = until.addingTimeInterval(-91 * 86_400)
            var builder = MetricsBuilder(since: since.timeIntervalSince1970, until: until.timeIntervalSince1970) {
                ["total", $0.team ?? "(unowned)"]
            }
            try store.forEachFindingFacts(since: since, until: until) { builder.add($0) }
            groups = builder.result().groups.count
        }
        out[out.count - 1].note = "\(groups) groups"
        let id = Int64(size / 2)
        try median("trace of one finding (row, owners, events)", target: "< 10 ms") {
            var query = FindingQuery()
            query.id = id
            _ = try store.findings(query)
            _ = try store.ownerHistory(findingID: id)
            _ = try store.events(findingID: id)
        }
        // 10,000 statements, each about one dependency finding, applied once: the figure is one
        // run (it changes the store).
        var statements: [VEXStatement] = []
        for repository in 0..<repositories {
            for index in stride(from: 3, to: size / repositories, by: 10) where statements.count < 10_000 {
                statements.append(
                    VEXStatement(
                        vulnerabilityIDs: ["CVE-2099-\(repository * 100_000 + index)"],
                        products: ["pkg:npm/lib\(repository)-\(index)@1.0.0"], status: .notAffected,
                        justification: "vulnerable_code_not_in_execute_path", timestamp: "2026-11-30T12:00:00Z",
                        document: "bench"))
            }
        }
        var applied = 0
        let vex = try seconds2 { applied = try store.applyVEX(statements, actor: "bench").applied }
        out.append(
            Reading(
                label: "VEX statements applied", target: "< 5 s", seconds: vex,
                note: "\(applied) of \(statements.count)"))
        return out
    }
}
