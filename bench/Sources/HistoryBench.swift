import CustodyCore
import CustodyStore
import Foundation

/// `custody-bench history DB FINDINGS [DAYS]`: writes a store holding a generated history of an
/// organisation - 300 teams in 40 org units (8 agencies of 4 departments), 100 repositories
/// scanned in full every 14 days over DAYS (default 730) - in which FINDINGS findings arrive,
/// are acknowledged, transferred, assigned, accepted as risks, escalate and are fixed (or not)
/// at rates that differ by team and severity, some coming back after a fix. Every event carries
/// the time it happened in the history; each finding has an introducing commit in one of the
/// monthly releases. The store is then padded with due-date events to five events a finding.
/// Deterministic (a seeded generator). For `bench/history` and the reports' pictures in docs/.
enum HistoryBench {
    static let repositories = 100
    static let step = 14.0 * 86_400
    static let severities: [(Severity, weight: Double, fixRate: Double, sla: Double)] = [
        (.critical, 0.05, 0.55, 15), (.high, 0.20, 0.40, 30), (.medium, 0.40, 0.25, 90), (.low, 0.30, 0.15, 180),
        (.info, 0.05, 0.10, 365),
    ]

    /// A seeded xorshift generator: the same history on every machine.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        /// An exponential duration with the given mean.
        mutating func exponential(mean: Double) -> Double { -mean * log(max(1e-12, 1 - unit())) }
    }

    struct Simulated {
        var repository: Int
        var serial: Int
        var severity: Int
        var team: String?
        /// Rounds in which a full scan sees it: [first, end), then again from `back` for `backFor`.
        var first: Int
        var end: Int
        var back: Int?
        var backFor = 0
        var id: Int64 = 0

        func seen(in round: Int) -> Bool {
            (round >= first && round < end) || (back.map { round >= $0 && round < $0 + backFor } ?? false)
        }
    }

    enum Action: Hashable {
        case acknowledge(by: String), assign(String), transfer(String), acceptRisk(approver: String)
    }

    static func organisation() -> Organisation {
        var units: [OrgUnit] = []
        for agency in 0..<8 {
            units.append(OrgUnit(id: "agency\(agency)", name: "Agency \(agency)", head: "head\(agency)@example.gov"))
            for department in 0..<4 {
                units.append(
                    OrgUnit(
                        id: "agency\(agency)-dept\(department)", name: "Agency \(agency) department \(department)",
                        parentID: "agency\(agency)", head: "head\(agency)-\(department)@example.gov"))
            }
        }
        let departments = units.filter { $0.parentID != nil }
        let teams = (0..<ReadsBench.teams).map { index in
            Team(
                id: "team\(index)", name: "Team \(index)", unitID: departments[index % departments.count].id,
                lead: "lead\(index)@example.gov", handles: ["@org/team\(index)"],
                members: (0..<3).map { "dev\(index)-\($0)@example.gov" })
        }
        return Organisation(units: units, teams: teams)
    }

    static func run(path: String, findings: Int, days: Double) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try SQLStore(path: path)
        let organisation = organisation()
        try store.importOrganisation(organisation, source: "bench", actor: "bench")
        let leads = Dictionary(uniqueKeysWithValues: organisation.teams.map { ($0.id, $0.lead ?? "") })
        var random = Random(state: 0x9E37_79B9_7F4A_7C15)
        let now = Date().timeIntervalSince1970
        let start = now - days * 86_400
        let rounds = max(2, Int(days * 86_400 / step))
        let perRound = max(1, findings / rounds)
        // Each team's pace: how much faster or slower than the base rates it acts and fixes.
        let pace = (0..<ReadsBench.teams).map { _ in 0.4 + 1.2 * random.unit() }
        let repositoryTeams = (0..<repositories).map { repository in
            (0..<3).map { "team\((repository * 3 + $0) % ReadsBench.teams)" }
        }
        // Releases every 30 days, from 200 days before the history begins.
        let releaseStart = start - 200 * 86_400
        func release(containing time: Double) -> String? {
            let index = Int(((time - releaseStart) / (30 * 86_400)).rounded(.up))
            let date = releaseStart + Double(index) * 30 * 86_400
            return date <= now ? "v\(index / 12 + 1).\(index % 12)" : nil
        }
        var simulated: [Simulated] = []
        simulated.reserveCapacity(findings)
        var serials = Array(repeating: 0, count: repositories)
        var pending: [(time: Double, index: Int, action: Action)] = []
        var nextID: Int64 = 1
        var lifecycleEvents = 0
        var phases = (ingest: 0.0, lifecycle: 0.0, escalation: 0.0)
        func timed(
            _ phase: WritableKeyPath<(ingest: Double, lifecycle: Double, escalation: Double), Double>,
            _ body: () throws -> Void
        ) rethrows {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            phases[keyPath: phase] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        for round in 0..<rounds {
            let roundStart = start + Double(round) * step
            let count = round == rounds - 1 ? findings - simulated.count : min(perRound, findings - simulated.count)
            // New findings of the round, spread over the repositories.
            var arrivals: [Int] = []
            for _ in 0..<max(0, count) {
                let repository = random.below(repositories)
                var pick = random.unit()
                var severity = 0
                while severity < severities.count - 1, pick >= severities[severity].weight {
                    pick -= severities[severity].weight
                    severity += 1
                }
                let owner: String? = random.unit() < 0.08 ? nil : repositoryTeams[repository][random.below(3)]
                let teamIndex = owner.flatMap { Int($0.dropFirst(4)) } ?? 0
                let rate = random.unit() < 0.05 ? 0 : min(0.9, severities[severity].fixRate * pace[teamIndex])
                var lifetime = 1
                while rate > 0, random.unit() >= rate, lifetime < rounds { lifetime += 1 }
                if rate == 0 { lifetime = rounds }
                var finding = Simulated(
                    repository: repository, serial: serials[repository], severity: severity, team: owner,
                    first: round, end: round + lifetime)
                if finding.end < rounds, random.unit() < 0.04 {
                    finding.back = finding.end + 2
                    finding.backFor = 1 + random.below(4)
                }
                serials[repository] += 1
                arrivals.append(simulated.count)
                simulated.append(finding)
            }
            // One full scan of each repository: every finding it still sees, then the new ones.
            var byRepository = Array(repeating: [Int](), count: repositories)
            for index in simulated.indices where simulated[index].seen(in: round) {
                byRepository[simulated[index].repository].append(index)
            }
            try timed(\.ingest) {
                _ = try store.ingest { session in
                    for repository in 0..<repositories {
                        let scanTime = roundStart + Double(repository) * 30
                        var scan = ScanRecord(
                            tool: "bench-scanner", format: "sarif", sourceFile: "repo\(repository)-\(round).sarif",
                            repository: "repo\(repository)", branch: "main", commit: "c\(repository)-\(round)",
                            scope: .full, uploader: "dev\(repository * 3 % ReadsBench.teams)-0@example.gov",
                            startedAt: Date(timeIntervalSince1970: scanTime))
                        scan.isDated = true
                        scan.release = release(containing: scanTime)
                        try session.beginScan(scan)
                        for index in byRepository[repository] {
                            let finding = simulated[index]
                            try session.record(
                                prepared(finding, discovered: start + Double(finding.first) * step, release: release))
                            if finding.id == 0 {
                                simulated[index].id = nextID
                                nextID += 1
                            }
                        }
                    }
                }
            }
            // What people do about the round's arrivals, at the times they do it.
            for index in arrivals {
                let finding = simulated[index]
                let found = roundStart + Double(finding.repository) * 30
                let teamIndex = finding.team.flatMap { Int($0.dropFirst(4)) } ?? 0
                let fixedAt = start + Double(finding.end) * step
                func plan(_ delay: Double, _ action: Action) {
                    let time = found + delay
                    if time < fixedAt, time < now { pending.append((time, index, action)) }
                }
                guard let team = finding.team else {
                    if random.unit() < 0.6 {
                        plan(random.exponential(mean: 25 * 86_400), .assign(repositoryTeams[finding.repository][0]))
                    }
                    continue
                }
                if random.unit() < 0.55 + 0.25 * pace[teamIndex] / 1.6 {
                    // Mostly by one of the team's members; now and then by the security team.
                    let actor =
                        random.unit() < 0.85 ? "dev\(teamIndex)-\(random.below(3))@example.gov" : "secops@example.gov"
                    plan(random.exponential(mean: 10 * 86_400 / pace[teamIndex]), .acknowledge(by: actor))
                }
                if random.unit() < 0.03 {
                    let others = repositoryTeams[finding.repository].filter { $0 != team }
                    plan(random.exponential(mean: 15 * 86_400), .transfer(others[random.below(others.count)]))
                }
                if finding.severity >= 2, random.unit() < 0.02 {
                    plan(random.exponential(mean: 30 * 86_400), .acceptRisk(approver: leads[team] ?? ""))
                }
            }
            // Carry out what falls before the next round, batched by action and day.
            let roundEnd = roundStart + step
            let due = pending.filter { $0.time < roundEnd }
            pending.removeAll { $0.time < roundEnd }
            let batches = Dictionary(grouping: due) { BatchKey(day: Int($0.time / 86_400), action: $0.action) }
            try timed(\.lifecycle) {
                for (key, items) in batches.sorted(by: { $0.key.day < $1.key.day }) {
                    let ids = items.map { simulated[$0.index].id }.filter { $0 > 0 }
                    let at = Date(timeIntervalSince1970: Double(key.day) * 86_400 + 43_200)
                    switch key.action {
                    case .acknowledge(let actor):
                        lifecycleEvents +=
                            try store.transition(
                                findingIDs: ids, .acknowledge, actor: actor, reason: "ours", skipRefused: true, at: at
                            ).changed.count
                    case .assign(let team):
                        lifecycleEvents += try store.assignOwner(
                            findingIDs: ids, team: team, actor: "secops@example.gov", reason: "triage", at: at)
                        for item in items { simulated[item.index].team = team }
                    case .transfer(let team):
                        lifecycleEvents += try store.assignOwner(
                            findingIDs: ids, team: team, actor: "secops@example.gov", reason: "transfer", at: at)
                        for item in items { simulated[item.index].team = team }
                    case .acceptRisk(let approver):
                        let until = Timestamp.string(at.addingTimeInterval(180 * 86_400))
                        lifecycleEvents +=
                            try store.transition(
                                findingIDs: ids, .acceptRisk(until: until, approver: approver), actor: approver,
                                reason: "compensating control", skipRefused: true, at: at
                            ).changed.count
                    }
                }
            }
            let tick = Date(timeIntervalSince1970: min(now, roundEnd - 3600))
            try timed(\.escalation) {
                lifecycleEvents += try store.escalate(now: tick, actor: "custody")
                lifecycleEvents += try store.expireRiskAcceptances(now: tick, actor: "custody").count
            }
        }
        // New findings were given ids in the order they were recorded: check a few.
        for index in stride(from: 0, to: simulated.count, by: max(1, simulated.count / 7)) {
            var query = FindingQuery()
            query.id = simulated[index].id
            let message = try store.findings(query).first?.message
            let expected = "finding \(simulated[index].repository)-\(simulated[index].serial)"
            guard message == expected else {
                throw StoreRefusal(
                    .refused, "finding \(simulated[index].id) is '\(message ?? "none")', not '\(expected)'")
            }
        }
        let (history, events) = try ReadsBench.padEvents(
            store, findings: findings, due: Timestamp.string(Date(timeIntervalSince1970: now - 86_400)))
        print(
            String(
                format: "phases: ingest %.1f s, lifecycle %.1f s, escalation %.1f s", phases.ingest, phases.lifecycle,
                phases.escalation))
        print(
            "history of \(findings) findings over \(Int(days)) days: \(rounds) rounds of \(repositories) full scans, "
                + "\(history) events from the history (\(lifecycleEvents) lifecycle), \(events) in all")
    }

    struct BatchKey: Hashable {
        var day: Int
        var action: Action
    }

    static func prepared(_ finding: Simulated, discovered: Double, release: (Double) -> String?) -> PreparedFinding {
        let (severity, _, _, sla) = severities[finding.severity]
        let serial = finding.serial
        let slot = serial % 3
        var normalized = NormalizedFinding(
            tool: "bench-scanner", ruleID: "rule\(serial % 150)",
            message: "finding \(finding.repository)-\(serial)", severity: severity,
            path: "src/part\(slot)/file\(serial % 500).py", line: serial % 900 + 1,
            snippet: "code \(finding.repository) \(serial)")
        if serial % 10 == 3 { normalized.cves = ["CVE-2098-\(finding.repository * 100_000 + serial)"] }
        let fingerprint = Fingerprint.compute(for: normalized, repository: "repo\(finding.repository)")
        var prepared = PreparedFinding(
            finding: normalized, fingerprint: fingerprint.value, fingerprintBasis: fingerprint.basis,
            ownerTeam: finding.team, ownerEvidence: nil)
        prepared.dueAt = Timestamp.string(Date(timeIntervalSince1970: discovered + sla * 86_400))
        // Shipped between a day and about four months before it was found.
        let authored = discovered - 86_400 - Double((serial * 7_919) % 120) * 86_400
        let sha = String(format: "%08x%08x", finding.repository, serial) + String(repeating: "0", count: 24)
        prepared.introducer = Introducer(
            commit: sha, author: "Dev \(serial % 40)", email: "dev\(serial % 40)@example.gov",
            authoredAt: Timestamp.string(Date(timeIntervalSince1970: authored)), release: release(authored),
            team: finding.team, pathThen: normalized.path ?? "", lineThen: normalized.line ?? 1)
        return prepared
    }
}
