/// A rule that makes a team accountable for things CODEOWNERS cannot name: a repository, a
/// package (by package URL), a container image, a host name or network, a catalog component, a
/// cloud account or resource.
public struct AssetRule: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case repository, package, image, host, component
        /// A cloud account, subscription or project by its id (every resource in it), or a glob
        /// over resource ids (`arn:aws:s3:::payments-*`).
        case cloud
        /// A cloud resource tag, `key=value` (the value a glob; the key in any case):
        /// `team=payments`, `cost-center=42*`.
        case tag
    }

    public var kind: Kind
    /// A glob (`*` any run of characters, `?` one); for hosts also a CIDR network (`10.20.0.0/16`).
    public var pattern: String
    public var team: String
    /// Where the rule was declared: the file and line, or the catalog entity.
    public var source: String
    public var line: Int?

    public init(kind: Kind, pattern: String, team: String, source: String, line: Int? = nil) {
        self.kind = kind
        self.pattern = pattern
        self.team = team
        self.source = source
        self.line = line
    }

    /// True when `value` (a repository name, purl, image reference, host or address) matches.
    public func matches(_ value: String) -> Bool {
        if kind == .host, pattern.contains("/"), let network = IPv4Network(pattern) {
            return IPv4Network.address(value).map(network.contains) ?? false
        }
        if kind == .cloud, !pattern.contains(where: { "*?:/".contains($0) }) {
            return Self.resource(value, isIn: pattern)
        }
        return Glob.matches(Array(pattern.utf8)[...], Array(value.utf8)[...])
    }

    /// True when this `tag` rule's `key=value` is among `tags` (the key in any case, the value
    /// by glob).
    public func matches(tags: [String: String]) -> Bool {
        guard kind == .tag, let equals = pattern.firstIndex(of: "=") else { return false }
        let key = pattern[..<equals].lowercased()
        let value = Array(pattern[pattern.index(after: equals)...].utf8)
        return tags.contains { $0.key.lowercased() == key && Glob.matches(value[...], Array($0.value.utf8)[...]) }
    }

    /// Whether a cloud resource id names `account` as its account: an AWS ARN's account field
    /// (`arn:aws:ec2:eu-west-1:123456789012:instance/i-1`) or Security Hub's account resource
    /// (`AWS::::Account:123456789012`), an Azure id's subscription (`/subscriptions/ID/...`), a
    /// Google Cloud name's project (`//compute.googleapis.com/projects/ID/...`, `projects/ID/...`).
    static func resource(_ id: String, isIn account: String) -> Bool {
        let lowered = id.lowercased()
        let wanted = account.lowercased()
        if lowered.hasPrefix("arn:") {
            let fields = lowered.split(separator: ":", omittingEmptySubsequences: false)
            return fields.count > 4 && fields[4] == wanted
        }
        if lowered.hasPrefix("aws::::account:") { return lowered.dropFirst("aws::::account:".count) == wanted }
        let segments = lowered.split(separator: "/")
        for (index, segment) in segments.enumerated() where segment == "subscriptions" || segment == "projects" {
            if index + 1 < segments.count, segments[index + 1] == wanted { return true }
        }
        return false
    }

    /// The first rule of `kind` matching `value`: rules are tried in the order they were declared.
    public static func first(_ rules: [AssetRule], kind: Kind, matching value: String) -> AssetRule? {
        rules.first { $0.kind == kind && $0.matches(value) }
    }
}

/// `*` and `?` globbing over bytes, nothing else special.
enum Glob {
    static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        var star: Int?
        var mark = t
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = p
                p += 1
                mark = t
            } else if let s = star {
                p = s + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}

/// An IPv4 network written `a.b.c.d/n`.
struct IPv4Network: Equatable {
    var base: UInt32
    var prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix),
            let base = IPv4Network.address(String(parts[0]))
        else { return nil }
        self.prefix = prefix
        self.base = prefix == 0 ? 0 : base & (UInt32.max << (32 - prefix))
    }

    static func address(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let number = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(number)
        }
        return value
    }

    func contains(_ address: UInt32) -> Bool {
        prefix == 0 || address & (UInt32.max << (32 - prefix)) == base
    }
}
