import CustodyCore

/// A parsed CODEOWNERS file in GitLab's dialect.
///
/// - Sections: `[Name]`, optional `^[Name]`, approvals `[Name][2]`, default owners after the
///   header (`[Docs] @docs`); entries before any section belong to the section `codeowners`.
///   Section names compare without case and sections of one name merge (the first spelling,
///   optional flag and approvals win).
/// - Entries without owners take their section's default owners; without those they unset
///   ownership in their section (GitLab's syntax check flags them: a warning here).
/// - `!pattern` excludes what it matches from its section, wherever it stands in it.
/// - Within a section the last matching entry wins; a path gets owners from every section
///   that matches it.
/// - Patterns are matched the GitLab way (see ``CodeownersPattern/init(gitlab:)``).
public struct GitLabCodeowners: Sendable {
    public var dialect: CodeownersDialect { .gitlab }
    public struct Section: Sendable, Equatable {
        public var name: String
        public var optional: Bool
        public var approvals: Int
        public var defaultOwners: [Codeowners.Owner]
        public var line: Int
    }

    public struct Entry: Sendable, Equatable {
        public var section: Int
        public var pattern: CodeownersPattern
        public var owners: [Codeowners.Owner]
        public var excludes: Bool
        public var line: Int
    }

    /// What a section says of a path.
    public struct SectionMatch: Sendable, Equatable {
        public var section: String
        public var owners: [Codeowners.Owner]
        public var line: Int
        public var pattern: String
        public var optional: Bool
        public var approvals: Int
    }

    public private(set) var sections: [Section] = []
    public private(set) var entries: [Entry] = []
    public private(set) var diagnostics: [Diagnostic] = []

    /// Where GitLab looks for the file, in order.
    public static let locations = ["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"]

    public static func location(among present: [String]) -> String? {
        locations.first { present.contains($0) }
    }

    /// The GitLab error kinds, named as GitLab names them.
    public enum Problem: String, Sendable {
        case missingSectionName = "missing_section_name"
        case invalidSectionFormat = "invalid_section_format"
        case invalidApprovalRequirement = "invalid_approval_requirement"
        case invalidSectionOwnerFormat = "invalid_section_owner_format"
        case missingEntryOwner = "missing_entry_owner"
        case malformedEntryOwner = "malformed_entry_owner"
    }

    /// A section header line read alone (GitLab's section parser).
    public struct Header: Sendable, Equatable {
        public var name: String
        public var optional: Bool
        public var approvals: Int
        public var defaultOwnersText: String
        public var defaultOwners: [Codeowners.Owner]
        public var problem: Problem?
    }

    /// Reads a header line; nil when the line is not a section header at all.
    /// A header with a problem is still returned (with `problem` set) when GitLab keeps it.
    public static func header(_ line: Substring) -> Header? {
        var rest = line
        let optional = rest.hasPrefix("^")
        if optional { rest = rest.dropFirst() }
        guard rest.hasPrefix("[") else { return nil }
        guard let close = rest.firstIndex(of: "]") else {
            return Header(
                name: "", optional: optional, approvals: 0, defaultOwnersText: "", defaultOwners: [],
                problem: .invalidSectionFormat)
        }
        let name = String(rest[rest.index(after: rest.startIndex)..<close]).trimmingCharacters(in: " \t")
        rest = rest[rest.index(after: close)...]
        var approvals = 0
        if rest.hasPrefix("["), let end = rest.firstIndex(of: "]") {
            // "[2]" counts approvals; anything else in brackets is ignored, as GitLab does.
            approvals = Int(rest[rest.index(after: rest.startIndex)..<end]) ?? 0
            rest = rest[rest.index(after: end)...]
        }
        let ownersText = String(rest).trimmingCharacters(in: " \t")
        let tokens = Codeowners.tokens(Substring(ownersText))
        let owners = tokens.compactMap { Codeowners.Owner($0, dialect: .gitlab) }
        var problem: Problem?
        if name.isEmpty {
            problem = .missingSectionName
        } else if optional && approvals > 0 {
            problem = .invalidApprovalRequirement
        } else if owners.count != tokens.count {
            problem = .invalidSectionOwnerFormat
        }
        return Header(
            name: name, optional: optional, approvals: approvals, defaultOwnersText: ownersText, defaultOwners: owners,
            problem: problem)
    }

    public init(text: String, file: String = "CODEOWNERS") {
        sections = [Section(name: "codeowners", optional: false, approvals: 0, defaultOwners: [], line: 0)]
        var current = 0
        var lineNumber = 0
        func report(_ problem: Problem, _ detail: String, severity: Diagnostic.Severity = .error) {
            diagnostics.append(
                Diagnostic(severity, file: file, place: "line \(lineNumber)", message: "\(problem.rawValue): \(detail)")
            )
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Substring(
                String(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine).trimmingCharacters(in: " \t"))
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") || line.hasPrefix("^[") {
                guard let header = Self.header(line) else { continue }
                switch header.problem {
                case .invalidSectionFormat?:
                    report(.invalidSectionFormat, "'\(line)' is not a section header")
                    continue
                case .missingSectionName?:
                    report(.missingSectionName, "a section needs a name")
                    continue
                case .invalidApprovalRequirement?:
                    report(.invalidApprovalRequirement, "an optional section cannot require approvals")
                case .invalidSectionOwnerFormat?:
                    report(.invalidSectionOwnerFormat, "'\(header.defaultOwnersText)' are not owners")
                default:
                    break
                }
                if let existing = sections.firstIndex(where: { $0.name.lowercased() == header.name.lowercased() }) {
                    current = existing
                } else {
                    sections.append(
                        Section(
                            name: header.name, optional: header.optional, approvals: header.approvals,
                            defaultOwners: header.defaultOwners, line: lineNumber))
                    current = sections.count - 1
                }
                continue
            }
            let tokens = Codeowners.tokens(line)
            guard var patternText = tokens.first else { continue }
            let excludes = patternText.hasPrefix("!")
            if excludes { patternText.removeFirst() }
            let pattern: CodeownersPattern
            do {
                pattern = try CodeownersPattern(gitlab: patternText)
            } catch {
                report(.malformedEntryOwner, "invalid pattern '\(patternText)'")
                continue
            }
            var owners: [Codeowners.Owner] = []
            var malformed: [String] = []
            for token in tokens.dropFirst() {
                if let owner = Codeowners.Owner(token, dialect: .gitlab) {
                    owners.append(owner)
                } else {
                    malformed.append(token)
                }
            }
            if !malformed.isEmpty {
                report(.malformedEntryOwner, "'\(malformed.joined(separator: " "))' are not owners")
                continue
            }
            if owners.isEmpty && !excludes {
                owners = sections[current].defaultOwners
                if owners.isEmpty {
                    report(
                        .missingEntryOwner, "'\(patternText)' has no owners: it unsets ownership", severity: .warning)
                }
            }
            entries.append(
                Entry(section: current, pattern: pattern, owners: owners, excludes: excludes, line: lineNumber))
        }
    }

    /// What every section says of `path`, in section order.
    public func matches(_ path: String) -> [SectionMatch] {
        var found: [Int: Entry] = [:]
        var excluded = Set<Int>()
        for entry in entries where entry.pattern.matches(path) {
            if entry.excludes { excluded.insert(entry.section) } else { found[entry.section] = entry }
        }
        return sections.indices.compactMap { index in
            guard !excluded.contains(index), let entry = found[index] else { return nil }
            let section = sections[index]
            return SectionMatch(
                section: section.name, owners: entry.owners, line: entry.line, pattern: entry.pattern.text,
                optional: section.optional, approvals: section.approvals)
        }
    }

    /// All sections' owners for `path` (each once, in section order), with the first section's entry.
    public func match(_ path: String) -> Codeowners.Match? {
        let found = matches(path)
        guard let first = found.first else { return nil }
        var owners: [Codeowners.Owner] = []
        for owner in found.flatMap(\.owners) where !owners.contains(owner) { owners.append(owner) }
        return Codeowners.Match(owners: owners, line: first.line, pattern: first.pattern, section: first.section)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var view = Substring(self)
        while let first = view.first, set.contains(first) { view.removeFirst() }
        while let last = view.last, set.contains(last) { view.removeLast() }
        return String(view)
    }
}
