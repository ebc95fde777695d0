import CustodyCore

/// A parsed CODEOWNERS file (GitHub dialect): its rules in order and the lines it could not read.
///
/// The last matching rule wins; a rule with no owners unsets ownership for what it matches.
/// Invalid lines are skipped, as GitHub skips them, and reported with their line number.
public struct Codeowners: Sendable {
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

        /// Reads one owner token, or nil when it is none of the three forms.
        public init?(_ token: String) {
            let bytes = Array(token.utf8)
            let allowed: (UInt8) -> Bool = {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A)
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            }
            if bytes.first == UInt8(ascii: "@") {
                let name = bytes.dropFirst()
                let parts = name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
                guard !name.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed) })
                else { return nil }
                kind = parts.count == 2 ? .team : .user
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
/// the rest are always tried. Candidates are tried from the last rule back.
struct RuleIndex: Sendable {
    final class Node: @unchecked Sendable {
        var children: [String: Node] = [:]
        var rules: [Int] = []
    }

    private let root = Node()
    private var byName: [String: [Int]] = [:]
    private var byExtension: [String: [Int]] = [:]
    private var always: [Int] = []
    private let patterns: [CodeownersPattern]

    init(rules: [Codeowners.Rule]) {
        patterns = rules.map(\.pattern)
        for (index, pattern) in patterns.enumerated() {
            if pattern.isFloating {
                if let key = Self.floatingKey(pattern.text) {
                    switch key {
                    case .name(let name): byName[name, default: []].append(index)
                    case .extension(let ext): byExtension[ext, default: []].append(index)
                    }
                } else {
                    always.append(index)
                }
                continue
            }
            var node = root
            for segment in pattern.literalPrefix {
                if let child = node.children[segment] {
                    node = child
                } else {
                    let child = Node()
                    node.children[segment] = child
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

    func lastMatch(_ path: String) -> Int? {
        var candidates = always
        var node = root
        candidates += node.rules
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for segment in segments {
            let name = String(segment)
            if let hits = byName[name] { candidates += hits }
            if let dot = segment.lastIndex(of: "."), let hits = byExtension[String(segment[segment.index(after: dot)...])] {
                candidates += hits
            }
        }
        for segment in segments {
            guard let child = node.children[String(segment)] else { break }
            node = child
            candidates += node.rules
        }
        candidates.sort(by: >)
        var path = path
        return path.withUTF8 { bytes in
            var previous = -1
            for candidate in candidates where candidate != previous {
                previous = candidate
                if patterns[candidate].matches(utf8: bytes) { return candidate }
            }
            return nil
        }
    }
}
