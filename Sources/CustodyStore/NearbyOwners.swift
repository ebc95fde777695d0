import CustodyCore

/// Who owns the code near unowned findings, read in one pass: for every directory above an
/// unowned group (and the repository's root), the teams owning findings under it, counted from one
/// read of each repository's owned findings. It replaces a `path LIKE 'dir/%'` query per group and
/// per directory level, each reading the whole repository (36 s for 50,000 unowned findings).
struct NearbyOwners {
    /// Owned findings under a directory ("" is the root), by repository, directory and team.
    private var counts: [String?: [Substring: [String: Int]]] = [:]

    init(groups: [(repository: String?, directory: String?)], connection: any SQLConnection) throws {
        // The directories a suggestion may come from: each group's directory and those above it.
        var wanted: [String?: Set<Substring>] = [:]
        for (repository, directory) in groups {
            guard let directory else { continue }
            var prefixes = wanted[repository] ?? [""]
            var end = directory.endIndex
            while true {
                prefixes.insert(directory[..<end])
                guard let slash = directory[..<end].lastIndex(of: "/") else { break }
                end = slash
            }
            wanted[repository] = prefixes
        }
        // Counted by the database per (path, team): a path's findings are one row, and the
        // directories above it are walked once per path, not once per finding.
        // `repository = ?`, or `IS NULL` for findings of no repository: both walk the index
        // (PostgreSQL cannot walk one for `IS NOT DISTINCT FROM ?`).
        func statement(_ repository: String) throws -> any SQLStatement {
            try connection.statement(
                """
                SELECT path, owner_team, count(*) AS findings FROM findings
                WHERE \(repository) AND owner_team IS NOT NULL AND path IS NOT NULL
                GROUP BY path, owner_team
                """)
        }
        let named = try statement("repository = ?")
        let none = try statement("repository IS NULL")
        let pathColumn = try named.column("path")
        let teamColumn = try named.column("owner_team")
        let countColumn = try named.column("findings")
        for (repository, prefixes) in wanted {
            var counted: [Substring: [String: Int]] = [:]
            try (repository == nil ? none : named).forEach(repository.map { [.text($0)] } ?? []) { row in
                guard let path = row.text(pathColumn), let team = row.text(teamColumn) else { return true }
                let findings = Int(row.int(countColumn))
                // Every directory the path is under: "", "a", "a/b" for "a/b/c.py".
                counted["", default: [:]][team, default: 0] += findings
                var index = path.startIndex
                while let slash = path[index...].firstIndex(of: "/") {
                    let prefix = path[..<slash]
                    if prefixes.contains(prefix) {
                        counted[Substring(String(prefix)), default: [:]][team, default: 0] += findings
                    }
                    index = path.index(after: slash)
                }
                return true
            }
            counts[repository] = counted
        }
    }

    /// The teams (at most three, most findings first) owning findings under the nearest directory
    /// above `directory` that has owned ones.
    func suggestions(repository: String?, directory: String?) -> [UnownedGroup.Suggestion] {
        guard let directory, let counted = counts[repository] else { return [] }
        var prefix = Substring(directory)
        while true {
            if let teams = counted[prefix], !teams.isEmpty {
                return teams.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(3).map {
                    UnownedGroup.Suggestion(
                        team: $0.key, near: prefix.isEmpty ? "/" : prefix + "/", findings: $0.value)
                }
            }
            guard !prefix.isEmpty else { return [] }
            prefix = prefix.lastIndex(of: "/").map { prefix[..<$0] } ?? ""
        }
    }
}
