import Foundation

/// One CODEOWNERS path pattern, compiled to a small matcher over a path's UTF-8 bytes.
///
/// Semantics follow GitHub's documentation and the gitignore rules it borrows:
/// - a leading `/` anchors at the root; a pattern with no slash but a trailing one matches
///   at any depth (as if it began with `**/`);
/// - a trailing `/` matches only the contents of a directory (`foo/` is `foo/**`);
/// - a pattern otherwise matches the path itself or any directory above it;
/// - `*` and `?` never cross `/`; a segment that is only `*` needs at least one character;
///   `**` spans directories: leading `**/`, middle `/**/`, trailing `/**`;
/// - `[abc]`, `[a-z]`, `[!a]` are character classes, as gitignore has them;
/// - `\` escapes the next character (`\#`, `\ `, `\*`).
public struct CodeownersPattern: Sendable, Equatable {
    enum Token: Sendable, Equatable {
        case byte(UInt8)
        case star  // [^/]*
        case question  // [^/]
        case set([ClosedRange<UInt8>], negated: Bool)  // one non-slash byte in (or not in) the set
        case segment  // [^/]+
        case leadingDirectories  // (?:.+/)?
        case anything  // .+
        case slashAnything  // /.*
        case optionalSlashAnything  // (?:/.*)?
    }

    public let text: String
    let tokens: [Token]
    /// The leading path segments that are plain text, for indexing (anchored patterns only).
    public let literalPrefix: [String]
    /// True when the pattern can match at any depth (it starts with `**/`, explicitly or implicitly).
    public let isFloating: Bool
    /// GitLab matches paths as absolute (`/app/a.rb`), so a leading `/` on a path is ignored there;
    /// to GitHub it makes a different path.
    let ignoresLeadingSlash: Bool

    public struct SyntaxError: Error, Sendable, Equatable {
        public var message: String
    }

    public init(_ text: String) throws {
        self.text = text
        guard !text.isEmpty else { throw SyntaxError(message: "empty pattern") }
        var segments = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var floating = false
        if segments[0].isEmpty {
            segments.removeFirst()  // leading slash: anchored at the root
        } else if segments.count == 1 || (segments.count == 2 && segments[1].isEmpty) {
            if segments[0] != "**" {
                segments.insert("**", at: 0)
                floating = true
            }
        }
        if segments.first == "**" { floating = true }
        if segments.count > 1, segments.last == "" {
            // "dir/" means everything below dir; "dir/**/" means every directory below dir,
            // so a file directly in dir is not matched (as `git check-ignore` has it).
            if segments.count > 2, segments[segments.count - 2] == "**" {
                segments[segments.count - 1] = "*"
                segments.append("**")
            } else {
                segments[segments.count - 1] = "**"
            }
        }

        var tokens: [Token] = []
        var literalPrefix: [String] = []
        var prefixOpen = !floating
        var needSlash = false
        let last = segments.count - 1
        for (index, segment) in segments.enumerated() {
            if segment == "**" {
                prefixOpen = false
                if index == 0 && index == last {
                    tokens.append(.anything)
                } else if index == 0 {
                    tokens.append(.leadingDirectories)
                    needSlash = false
                } else if index == last {
                    tokens.append(.slashAnything)
                } else {
                    tokens.append(.optionalSlashAnything)
                    needSlash = true
                }
                continue
            }
            if needSlash { tokens.append(.byte(UInt8(ascii: "/"))) }
            if segment == "*" {
                prefixOpen = false
                // A lone "*" needs a character, except as the last segment ("docs/*" matches "docs/").
                tokens.append(index == last ? .star : .segment)
                needSlash = true
                continue
            }
            let (segmentTokens, isLiteral) = try Self.compile(segment: segment)
            tokens += segmentTokens
            if prefixOpen && isLiteral && index < last {
                literalPrefix.append(Self.text(of: segmentTokens))
            } else {
                prefixOpen = false
            }
            if index == last { tokens.append(.optionalSlashAnything) }
            needSlash = true
        }
        self.tokens = tokens
        self.literalPrefix = literalPrefix
        self.isFloating = floating
        self.ignoresLeadingSlash = false
    }

    /// A GitLab pattern. GitLab normalises it (`*` -> `/**/*`; no leading `/` -> `/**/` before
    /// it; a trailing `/` -> `**/*` after it) and matches with `File.fnmatch` (path-aware, dots
    /// matched): no implicit "and everything below", unlike GitHub.
    public init(gitlab text: String) throws {
        self.text = text
        let normalized = Self.gitlabNormalized(text)
        guard !normalized.isEmpty else { throw SyntaxError(message: "empty pattern") }
        var segments = normalized.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if segments.first == "" { segments.removeFirst() }
        var tokens: [Token] = []
        var literalPrefix: [String] = []
        var prefixOpen = true
        let last = segments.count - 1
        for (index, segment) in segments.enumerated() {
            if segment == "**" && index < last {
                prefixOpen = false
                tokens.append(.leadingDirectories)  // zero or more directories
                continue
            }
            let (segmentTokens, isLiteral) = try Self.compile(segment: segment == "**" ? "*" : segment)
            tokens += segmentTokens
            if prefixOpen && isLiteral && index < last {
                literalPrefix.append(Self.text(of: segmentTokens))
            } else {
                prefixOpen = false
            }
            if index < last { tokens.append(.byte(UInt8(ascii: "/"))) }
        }
        self.tokens = tokens
        self.literalPrefix = literalPrefix
        self.isFloating = segments.first == "**"
        self.ignoresLeadingSlash = true
    }

    /// The text of a segment compiled to plain bytes only.
    private static func text(of tokens: [Token]) -> String {
        String(decoding: tokens.map { if case .byte(let b) = $0 { b } else { 0 } }, as: UTF8.self)
    }

    /// GitLab's normalisation of a pattern, kept as text (the corpus lists expected forms).
    public static func gitlabNormalized(_ text: String) -> String {
        var pattern = text
        if pattern.hasPrefix("\\#") { pattern.removeFirst() }
        // An escaped space is a space.
        pattern = pattern.replacingOccurrences(of: "\\ ", with: " ")
        if pattern == "*" { return "/**/*" }
        if !pattern.hasPrefix("/") { pattern = "/**/" + pattern }
        if pattern.hasSuffix("/") { pattern += "**/*" }
        return pattern
    }

    private static func compile(segment: String) throws -> ([Token], isLiteral: Bool) {
        var tokens: [Token] = []
        var literal = true
        let bytes = Array(segment.utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\\"):
                i += 1
                guard i < bytes.count else { throw SyntaxError(message: "pattern ends with a lone backslash") }
                tokens.append(.byte(bytes[i]))
            case UInt8(ascii: "*"):
                literal = false
                // Consecutive stars inside a segment behave as one.
                if tokens.last != .star { tokens.append(.star) }
            case UInt8(ascii: "?"):
                literal = false
                tokens.append(.question)
            case UInt8(ascii: "["):
                if let (set, end) = parseSet(bytes, from: i) {
                    literal = false
                    tokens.append(set)
                    i = end
                } else {
                    tokens.append(.byte(byte))  // an unclosed bracket is an ordinary character
                }
            default:
                tokens.append(.byte(byte))
            }
            i += 1
        }
        return (tokens, literal)
    }

    /// Parses `[...]` starting at `start`; returns the token and the index of the closing `]`.
    private static func parseSet(_ bytes: [UInt8], from start: Int) -> (Token, Int)? {
        var i = start + 1
        var negated = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "!") || bytes[i] == UInt8(ascii: "^") {
            negated = true
            i += 1
        }
        var ranges: [ClosedRange<UInt8>] = []
        var first = true
        while i < bytes.count {
            var byte = bytes[i]
            if byte == UInt8(ascii: "]") && !first { return (.set(ranges, negated: negated), i) }
            first = false
            if byte == UInt8(ascii: "\\"), i + 1 < bytes.count {
                i += 1
                byte = bytes[i]
            }
            if i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "-"), bytes[i + 2] != UInt8(ascii: "]") {
                var upper = bytes[i + 2]
                var skip = 2
                if upper == UInt8(ascii: "\\"), i + 3 < bytes.count {
                    upper = bytes[i + 3]
                    skip = 3
                }
                if byte <= upper { ranges.append(byte...upper) }
                i += skip + 1
                continue
            }
            ranges.append(byte...byte)
            i += 1
        }
        return nil
    }

    /// True when the pattern matches `path` (repository-relative, no leading slash;
    /// a trailing slash marks a directory).
    public func matches(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { matches(utf8: $0) }
    }

    public func matches(utf8 path: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        if ignoresLeadingSlash { while start < path.count, path[start] == UInt8(ascii: "/") { start += 1 } }
        return tokens.withUnsafeBufferPointer { match(tokens: $0, 0, path, start) }
    }

    private func match(
        tokens: UnsafeBufferPointer<Token>, _ t: Int, _ path: UnsafeBufferPointer<UInt8>, _ p: Int
    ) -> Bool {
        var t = t
        var p = p
        let slash = UInt8(ascii: "/")
        while t < tokens.count {
            switch tokens[t] {
            case .byte(let byte):
                guard p < path.count, path[p] == byte else { return false }
                p += 1
            case .question:
                guard p < path.count, path[p] != slash else { return false }
                p += 1
            case .set(let ranges, let negated):
                guard p < path.count, path[p] != slash else { return false }
                let inSet = ranges.contains { $0.contains(path[p]) }
                guard inSet != negated else { return false }
                p += 1
            case .star, .segment:
                let minimum = tokens[t] == .segment ? 1 : 0
                var end = p
                while end < path.count, path[end] != slash { end += 1 }
                if end - p < minimum { return false }
                // Try the longest run first, then shorter ones.
                var q = end
                while q >= p + minimum {
                    if match(tokens: tokens, t + 1, path, q) { return true }
                    q -= 1
                }
                return false
            case .anything:
                return p < path.count
            case .slashAnything:
                return p < path.count && path[p] == slash
            case .optionalSlashAnything:
                if t == tokens.count - 1 { return p == path.count || path[p] == slash }
                if match(tokens: tokens, t + 1, path, p) { return true }
                // Skip "/" plus any run of characters, then continue with the rest.
                guard p < path.count, path[p] == slash else { return false }
                var q = p + 1
                while q <= path.count {
                    if match(tokens: tokens, t + 1, path, q) { return true }
                    q += 1
                }
                return false
            case .leadingDirectories:
                if match(tokens: tokens, t + 1, path, p) { return true }
                // One or more characters, then a slash.
                var q = p + 1
                while q < path.count {
                    if path[q] == slash, match(tokens: tokens, t + 1, path, q + 1) { return true }
                    q += 1
                }
                return false
            }
            t += 1
        }
        return p == path.count
    }
}
