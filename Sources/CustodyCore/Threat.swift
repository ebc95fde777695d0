import Foundation

/// How much an asset matters to the mission: set by the security team per repository (and, for
/// dependency and host findings, per package, image or host) in the configuration file.
public enum Criticality: String, Sendable, CaseIterable, Codable, Comparable {
    case low, medium, high, critical

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// One line of the configuration's `assets:` list: repositories matching `pattern` (a glob, `*`
/// and `?`) have `level`. The first matching rule wins.
public struct CriticalityRule: Sendable, Equatable {
    public var pattern: String
    public var level: Criticality
    public var line: Int?

    public init(pattern: String, level: Criticality, line: Int? = nil) {
        self.pattern = pattern
        self.level = level
        self.line = line
    }

    /// The level of the first rule matching `repository`, or nil.
    public static func level(of repository: String?, in rules: [CriticalityRule]) -> Criticality? {
        guard let repository, !rules.isEmpty else { return nil }
        let value = Array(repository.utf8)[...]
        return rules.first { Glob.matches(Array($0.pattern.utf8)[...], value) }?.level
    }
}

/// One entry of CISA's Known Exploited Vulnerabilities catalog.
public struct KEVEntry: Sendable, Equatable {
    public var cve: String
    public var vendor: String
    public var product: String
    public var name: String
    /// `YYYY-MM-DD`, as CISA writes them.
    public var dateAdded: String
    public var dueDate: String?
    /// "Known" or "Unknown".
    public var ransomware: String
    public var requiredAction: String

    public init(
        cve: String, vendor: String = "", product: String = "", name: String = "", dateAdded: String,
        dueDate: String? = nil, ransomware: String = "Unknown", requiredAction: String = ""
    ) {
        self.cve = cve
        self.vendor = vendor
        self.product = product
        self.name = name
        self.dateAdded = dateAdded
        self.dueDate = dueDate
        self.ransomware = ransomware
        self.requiredAction = requiredAction
    }

    /// The deadline this entry sets for a finding known since `start`: CISA's due date (the end
    /// of that day, UTC) or 14 days after the finding was known to be exploited, whichever is first.
    public func deadline(knownSince start: Date) -> Date {
        let added = Timestamp.date(dateAdded) ?? start
        let fourteenDays = max(start, added).addingTimeInterval(14 * 86_400)
        guard let due = dueDate.flatMap(Timestamp.date) else { return fourteenDays }
        return min(fourteenDays, due.addingTimeInterval(86_399))
    }
}

/// A CISA KEV catalog as published: version, release time and entries.
public struct KEVCatalog: Sendable, Equatable {
    public var version: String
    public var released: String
    public var entries: [KEVEntry]

    public init(version: String, released: String, entries: [KEVEntry]) {
        self.version = version
        self.released = released
        self.entries = entries
    }
}
