import CustodyCore

/// The two CODEOWNERS dialects Custody reads.
public enum CodeownersDialect: String, Sendable, CaseIterable {
    case github, gitlab

    /// Where the platform looks for the file, in order of precedence.
    public var locations: [String] {
        switch self {
        case .github: Codeowners.githubLocations
        case .gitlab: GitLabCodeowners.locations
        }
    }
}

/// Anything that says which owners a path has: a GitHub or a GitLab CODEOWNERS file.
public protocol CodeownersMatching: Sendable {
    func match(_ path: String) -> Codeowners.Match?
    var diagnostics: [Diagnostic] { get }
    var dialect: CodeownersDialect { get }
}

extension Codeowners: CodeownersMatching {}
extension GitLabCodeowners: CodeownersMatching {}

extension CodeownersDialect {
    /// Guesses the dialect from GitLab-only syntax: section headers or `!` exclusions.
    public static func detect(_ text: String) -> CodeownersDialect {
        for line in text.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("!") { return .gitlab }
            if trimmed.hasPrefix("[") || trimmed.hasPrefix("^["), GitLabCodeowners.header(trimmed)?.problem == nil {
                return .gitlab
            }
        }
        return .github
    }

    /// The file a platform would use in a checkout, given which candidate paths exist:
    /// `.github/CODEOWNERS` means GitHub, `.gitlab/CODEOWNERS` alone means GitLab; the root and
    /// `docs/` are shared, and then the dialect follows the file's content.
    public static func locate(among present: [String]) -> (path: String, dialect: CodeownersDialect?)? {
        if present.contains(".github/CODEOWNERS") { return (".github/CODEOWNERS", .github) }
        if let shared = ["CODEOWNERS", "docs/CODEOWNERS"].first(where: present.contains) { return (shared, nil) }
        if present.contains(".gitlab/CODEOWNERS") { return (".gitlab/CODEOWNERS", .gitlab) }
        return nil
    }

    /// Parses `text` in this dialect.
    public func parse(_ text: String, file: String) -> any CodeownersMatching {
        switch self {
        case .github: Codeowners(text: text, file: file)
        case .gitlab: GitLabCodeowners(text: text, file: file)
        }
    }
}

/// A parsed CODEOWNERS file (GitHub dialect): its rules in order and the lines it could not read.
///
/// The last matching rule wins; a rule with no owners unsets ownership for what it matches.
/// Invalid lines are skipped, as GitHub skips them, and reported with their line number.
public struct Codeowners: Sendable {
    public var dialect: CodeownersDialect { .github }

    public struct Rule: Sendable, Equatable {
        public var pattern: CodeownersPattern
        public var owners: [Owner]
        public var line: Int
    }

    /// An owner as written: `@user`, `@org/team` or an e-mail address.
    public struct Owner: Sendable, Equatable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable { case user, team, email }
        public var kind: Kind
        public var handle: String
        public var description: String { handle }

        /// Reads one owner token, or nil when it is none of the three forms. GitLab also has
        /// nested groups (`@org/group/subgroup`) and roles (`@@maintainer`).
        public init?(_ token: String, dialect: CodeownersDialect = .github) {
            let bytes = Array(token.utf8)
            let allowed: (UInt8) -> Bool = {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A)
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            }
            if bytes.first == UInt8(ascii: "@") {
                var name = bytes.dropFirst()
                if dialect == .gitlab, name.first == UInt8(ascii: "@") { name = name.dropFirst() }
                let parts = name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
                let maximumParts = dialect == .gitlab ? 16 : 2
                guard !name.isEmpty, parts.count <= maximumParts,
                    parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed) })
                else { return nil }
                kind = parts.count >= 2 ? .team : .user
            } else {
                let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, parts[1].contains(UInt8(ascii: ".")),
                    parts[1].allSatisfy(allowed), !parts[0].contains(where: { $0 <= 0x20 })
                else { return nil }
                kind = .email
            }
            handle = token
        }
    }

    /// What resolving a path found: the owners (empty when unowned or unset) and the rule's line.
    public struct Match: Sendable, Equatable {
        public var owners: [Owner]
        public var line: Int
        public var pattern: String
        /// The GitLab section of the deciding entry.
        public var section: String? = nil
    }

    public let rules: [Rule]
    public let diagnostics: [Diagnostic]
    private let index: RuleIndex

    /// Parses `text`; `file` names it in diagnostics.
    public init(text: String, file: String = "CODEOWNERS") {
        var rules: [Rule] = []
        var diagnostics: [Diagnostic] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            do {
                if let rule = try Self.parse(line: line, number: lineNumber) { rules.append(rule) }
            } catch let error as LineError {
                diagnostics.append(Diagnostic(file: file, place: "line \(lineNumber)", message: error.message))
            } catch {
                diagnostics.append(Diagnostic(file: file, place: "line \(lineNumber)", message: "\(error)"))
            }
        }
        self.rules = rules
        self.diagnostics = diagnostics
        self.index = RuleIndex(rules: rules)
    }

    struct LineError: Error { var message: String }

    /// Splits a line into whitespace-separated tokens, honouring `\` escapes; a token starting
    /// with an unescaped `#` starts a comment.
    static func tokens(_ line: Substring) -> [String] {
        var tokens: [String] = []
        var current: [UInt8] = []
        var escaped = false
        var inToken = false
        for byte in line.utf8 {
            if escaped {
                current.append(UInt8(ascii: "\\"))
                current.append(byte)
                escaped = false
                inToken = true
                continue
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                continue
            }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                if inToken { tokens.append(String(decoding: current, as: UTF8.self)) }
                current.removeAll(keepingCapacity: true)
                inToken = false
                continue
            }
            if byte == UInt8(ascii: "#") && !inToken { break }
            current.append(byte)
            inToken = true
        }
        if escaped { current.append(UInt8(ascii: "\\")) }
        if inToken || escaped { tokens.append(String(decoding: current, as: UTF8.self)) }
        return tokens
    }

    static func parse(line: Substring, number: Int) throws -> Rule? {
        let tokens = Self.tokens(line)
        guard let first = tokens.first else { return nil }
        // GitLab section headers ("[Docs]", "^[Docs][2] @owner") are not GitHub syntax; GitHub
        // ignores them as patterns of no use, and so do we (the GitLab dialect reads them).
        if first.hasPrefix("[") || first.hasPrefix("^["), first.contains("]") { return nil }
        let pattern: CodeownersPattern
        do {
            pattern = try CodeownersPattern(first)
        } catch let error as CodeownersPattern.SyntaxError {
            throw LineError(message: "invalid pattern '\(first)': \(error.message)")
        }
        var owners: [Owner] = []
        for token in tokens.dropFirst() {
            guard let owner = Owner(token) else {
                throw LineError(message: "invalid owner '\(token)' (expected @user, @org/team or an e-mail address)")
            }
            owners.append(owner)
        }
        return Rule(pattern: pattern, owners: owners, line: number)
    }

    /// The rule that decides `path`'s owners (the last matching one), or nil when none matches.
    public func match(_ path: String) -> Match? {
        guard let rule = index.lastMatch(path) else { return nil }
        let found = rules[rule]
        return Match(owners: found.owners, line: found.line, pattern: found.pattern.text)
    }

    /// Where GitHub looks for the file, in order: the first that exists is used.
    public static let githubLocations = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]

    /// Picks the CODEOWNERS file GitHub would use among `present` repository paths.
    public static func githubLocation(among present: [String]) -> String? {
        githubLocations.first { present.contains($0) }
    }
}

/// Finds the last matching rule quickly: rules anchored under literal directories sit in a
/// trie walked along the path; floating rules are keyed by a literal name or extension;
/// the rest are always tried. Candidates are tried from the last rule back, and the first
/// whose pattern matches wins.
///
/// Keys are 64-bit FNV-1a hashes of segment bytes, computed in one pass over the path with no
/// allocation. A hash collision can only add a candidate, which its pattern then rejects.
struct RuleIndex: Sendable {
    final class Node: @unchecked Sendable {
        var children: [UInt64: Node] = [:]
        var rules: [Int] = []
    }

    private let root = Node()
    private var byName: [UInt64: [Int]] = [:]
    private var byExtension: [UInt64: [Int]] = [:]
    private var always: [Int] = []
    private let patterns: [CodeownersPattern]

    init(rules: [Codeowners.Rule]) {
        patterns = rules.map(\.pattern)
        for (index, pattern) in patterns.enumerated() {
            if pattern.isFloating {
                switch Self.floatingKey(pattern.text) {
                case .name(let name)?: byName[Self.hash(name.utf8), default: []].append(index)
                case .extension(let ext)?: byExtension[Self.hash(ext.utf8), default: []].append(index)
                case nil: always.append(index)
                }
                continue
            }
            var node = root
            for segment in pattern.literalPrefix {
                let key = Self.hash(segment.utf8)
                if let child = node.children[key] {
                    node = child
                } else {
                    let child = Node()
                    node.children[key] = child
                    node = child
                }
            }
            node.rules.append(index)
        }
    }

    enum FloatingKey { case name(String), `extension`(String) }

    /// `foo`, `foo/`, `**/foo` -> name; `*.ext`, `**/*.ext` -> extension; anything else -> nil.
    static func floatingKey(_ text: String) -> FloatingKey? {
        var body = Substring(text)
        if body.hasPrefix("**/") { body = body.dropFirst(3) }
        if body.hasSuffix("/") { body = body.dropLast() }
        if body.isEmpty || body.contains("/") || body.contains("\\") || body.contains("[") || body.contains("?") {
            return nil
        }
        if !body.contains("*") { return .name(String(body)) }
        if body.hasPrefix("*."), !body.dropFirst(2).contains("*"), !body.dropFirst(2).contains(".") {
            return .extension(String(body.dropFirst(2)))
        }
        return nil
    }

    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x100_0000_01b3

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var value = fnvOffset
        for byte in bytes { value = (value ^ UInt64(byte)) &* fnvPrime }
        return value
    }

    func lastMatch(_ path: String) -> Int? {
        var path = path
        return path.withUTF8 { lastMatch(utf8: $0) }
    }

    func lastMatch(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var candidates = always
        candidates.reserveCapacity(always.count + 16)
        candidates += root.rules
        var node: Node? = root
        var segmentHash = Self.fnvOffset
        var extensionHash = Self.fnvOffset
        var segmentLength = 0
        var sawDot = false
        func endSegment() {
            guard segmentLength > 0 else { return }
            if let hits = byName[segmentHash] { candidates += hits }
            if sawDot, let hits = byExtension[extensionHash] { candidates += hits }
            if let current = node {
                node = current.children[segmentHash]
                if let next = node { candidates += next.rules }
            }
            segmentHash = Self.fnvOffset
            extensionHash = Self.fnvOffset
            segmentLength = 0
            sawDot = false
        }
        for byte in bytes {
            if byte == UInt8(ascii: "/") {
                endSegment()
                continue
            }
            segmentHash = (segmentHash ^ UInt64(byte)) &* Self.fnvPrime
            segmentLength += 1
            if byte == UInt8(ascii: ".") {
                sawDot = true
                extensionHash = Self.fnvOffset
            } else {
                extensionHash = (extensionHash ^ UInt64(byte)) &* Self.fnvPrime
            }
        }
        endSegment()
        candidates.sort(by: >)
        var previous = -1
        for candidate in candidates where candidate != previous {
            previous = candidate
            if patterns[candidate].matches(utf8: bytes) { return candidate }
        }
        return nil
    }
}
