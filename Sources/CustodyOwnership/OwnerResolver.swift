import CustodyCore

/// Step 3 (attribute), first cut: a path's owner team from CODEOWNERS and the teams' handles.
///
/// The CODEOWNERS rule that decides the path names handles; the first handle that some team
/// claims makes that team the owner. A path no rule matches, a rule with no owners, or owners
/// no team claims leave the finding unowned, with the evidence kept.
public struct OwnerResolver: Sendable {
    public struct Resolution: Sendable, Equatable {
        public var team: String?
        public var handles: [String]
        public var line: Int?
        public var pattern: String?

        public static let none = Resolution(team: nil, handles: [], line: nil, pattern: nil)
    }

    private let codeowners: (any CodeownersMatching)?
    private let teamByHandle: [String: String]

    public init(codeowners: (any CodeownersMatching)?, organisation: Organisation) {
        self.codeowners = codeowners
        var map: [String: String] = [:]
        for team in organisation.teams {
            for handle in team.handles { map[handle.lowercased()] = team.id }
        }
        teamByHandle = map
    }

    public func resolve(path: String?) -> Resolution {
        guard let path, !path.isEmpty, let codeowners, let match = codeowners.match(path) else { return .none }
        let handles = match.owners.map(\.handle)
        let team = handles.lazy.compactMap { teamByHandle[$0.lowercased()] }.first
        return Resolution(team: team, handles: handles, line: match.line, pattern: match.pattern)
    }
}

/// Resolves each distinct path once: a report names far fewer paths than it has findings.
public struct CachingOwnerResolver {
    private let resolver: OwnerResolver
    private var cache: [String: OwnerResolver.Resolution] = [:]

    public init(_ resolver: OwnerResolver) { self.resolver = resolver }

    public mutating func resolve(path: String?) -> OwnerResolver.Resolution {
        guard let path else { return .none }
        if let hit = cache[path] { return hit }
        let resolution = resolver.resolve(path: path)
        cache[path] = resolution
        return resolution
    }
}
