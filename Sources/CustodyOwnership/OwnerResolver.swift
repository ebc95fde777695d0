import CustodyCore

/// Step 3 (attribute), first cut: a path's owner team from CODEOWNERS and the teams' handles.
///
/// The CODEOWNERS rule that decides the path names handles; the first handle that some team
/// claims makes that team the owner. A path no rule matches, a rule with no owners, or owners
/// no team claims leave the finding unowned, with the evidence kept.
public struct OwnerResolver: Sendable {
    public struct Resolution: Sendable, Equatable {
        public var team: String?
        /// The rule that decided, nil when none matched.
        public var evidence: OwnerEvidence?

        public static let none = Resolution(team: nil, evidence: nil)

        public var handles: [String] { evidence?.handles ?? [] }
    }

    /// A CODEOWNERS file and where it was read from, for evidence.
    public struct Source: Sendable {
        public var rules: any CodeownersMatching
        public var file: String
        public var revision: String?

        public init(rules: any CodeownersMatching, file: String, revision: String? = nil) {
            self.rules = rules
            self.file = file
            self.revision = revision
        }
    }

    private let codeowners: Source?
    private let teamByHandle: [String: String]
    private let assetRules: [AssetRule]

    public init(codeowners: Source?, organisation: Organisation) {
        self.codeowners = codeowners
        var map: [String: String] = [:]
        for team in organisation.teams {
            for handle in team.handles { map[handle.lowercased()] = team.id }
        }
        teamByHandle = map
        assetRules = organisation.assetRules
    }

    /// True when there is a map to resolve with: a CODEOWNERS file or asset rules.
    public var hasMap: Bool { codeowners != nil || !assetRules.isEmpty }

    /// The owner of `path` in `repository`, or of the host or image `asset` a finding is on.
    /// Precedence: the CODEOWNERS rule that decides the path (even one that unsets); when none
    /// matches, the first asset rule for the repository; then the first host or image rule
    /// (the inventory) for the asset; a cloud resource by the first cloud rule for its account
    /// or id, or tag rule for its tags, in the order written.
    public func resolve(
        path: String?, repository: String? = nil, asset: String? = nil, tags: [String: String] = [:]
    ) -> Resolution {
        let decided = resolve(path: path)
        if decided.evidence != nil { return decided }
        if let repository,
            let index = assetRules.firstIndex(where: { $0.kind == .repository && $0.matches(repository) })
        {
            return assetResolution(index)
        }
        let inventory: Set<AssetRule.Kind> = [.host, .image, .cloud]
        if let asset,
            let index = assetRules.firstIndex(where: { rule in
                rule.kind == .tag ? rule.matches(tags: tags) : inventory.contains(rule.kind) && rule.matches(asset)
            })
        {
            return assetResolution(index)
        }
        return decided
    }

    private func assetResolution(_ index: Int) -> Resolution {
        let rule = assetRules[index]
        let evidence = OwnerEvidence(
            source: "asset-rule", file: rule.source, dialect: "assets", line: rule.line ?? index + 1,
            pattern: "\(rule.kind.rawValue) \(rule.pattern)", handles: [])
        return Resolution(team: rule.team, evidence: evidence)
    }

    private func resolve(path: String?) -> Resolution {
        guard let path, !path.isEmpty, let codeowners, let match = codeowners.rules.match(path) else { return .none }
        let handles = match.owners.map(\.handle)
        let team = handles.lazy.compactMap { teamByHandle[$0.lowercased()] }.first
        let evidence = OwnerEvidence(
            source: "codeowners", file: codeowners.file, revision: codeowners.revision,
            dialect: codeowners.rules.dialect.rawValue, line: match.line, pattern: match.pattern,
            section: match.section,
            handles: handles)
        return Resolution(team: team, evidence: evidence)
    }
}
