import CustodyCore
import Foundation

extension SQLStore {
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
            // Groups in the order first met, found by key once per finding.
            var slot: [Key: Int] = [:]
            var groups: [UnownedGroup] = []
            let nowText = Timestamp.string(now)
            // Few distinct scan times: each one's age is computed once.
            var ageOf: [String: Int] = [:]
            for (id, repository, path, severity, firstSeen) in rows {
                let directory = path.map { path in path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "" }
                let key = Key(repository: repository, directory: directory)
                let index: Int
                if let known = slot[key] {
                    index = known
                } else {
                    index = groups.count
                    slot[key] = index
                    groups.append(
                        UnownedGroup(
                            repository: repository, directory: directory, findingIDs: [], critical: 0, high: 0,
                            medium: 0, low: 0, oldestAgeDays: 0, ages: [0, 0, 0, 0], suggestions: []))
                }
                let age = ageOf[firstSeen] ?? Timestamp.days(from: firstSeen, to: nowText)
                ageOf[firstSeen] = age
                groups[index].findingIDs.append(id)
                switch severity {
                case "critical": groups[index].critical += 1
                case "high": groups[index].high += 1
                case "medium": groups[index].medium += 1
                case "low": groups[index].low += 1
                default: break
                }
                groups[index].oldestAgeDays = max(groups[index].oldestAgeDays, age)
                groups[index].ages[age <= 7 ? 0 : age <= 30 ? 1 : age <= 90 ? 2 : 3] += 1
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
                groups: groups.map { ($0.repository, $0.directory) }, connection: connection)
            var result: [UnownedGroup] = []
            for var group in groups {
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
                    + nearby.suggestions(repository: group.repository, directory: group.directory)
                result.append(group)
            }
            // Worst first: most critical, then most high, then oldest.
            return result.sorted {
                ($0.critical, $0.high, $0.oldestAgeDays, $0.findingIDs.count)
                    > ($1.critical, $1.high, $1.oldestAgeDays, $1.findingIDs.count)
            }
        }
    }
}
