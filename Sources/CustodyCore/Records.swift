import Foundation

/// Why a path has the owners it has: the rule that decided, where it was read, and how.
/// Many findings share one; the store keeps each once.
public struct OwnerEvidence: Sendable, Hashable, Codable {
    /// What kind of rule decided ("codeowners"; catalog and asset rules follow).
    public var source: String
    /// The file the rule was read from.
    public var file: String
    /// The commit the file was read at, nil for a file on disk.
    public var revision: String?
    /// "github" or "gitlab".
    public var dialect: String
    public var line: Int
    public var pattern: String
    /// The GitLab section of the rule, when there is one.
    public var section: String?
    /// The owners the rule names (empty: it unsets ownership).
    public var handles: [String]

    public init(
        source: String, file: String, revision: String? = nil, dialect: String, line: Int, pattern: String,
        section: String? = nil, handles: [String]
    ) {
        self.source = source
        self.file = file
        self.revision = revision
        self.dialect = dialect
        self.line = line
        self.pattern = pattern
        self.section = section
        self.handles = handles
    }
}

/// Who shipped a defect: the commit that last changed the flagged line as of the scanned commit,
/// its author and date, the earliest release containing it, and the team that owned the path then.
public struct Introducer: Sendable, Equatable, Codable {
    public var commit: String
    public var author: String
    public var email: String
    /// Author time, ISO 8601 UTC.
    public var authoredAt: String
    /// The earliest release tag (by tag date) containing the commit; nil if none does yet.
    public var release: String?
    /// The team owning the path at that commit, from the CODEOWNERS of that time.
    public var team: String?
    /// The path and line as they were in that commit (after renames and moves).
    public var pathThen: String
    public var lineThen: Int

    public init(
        commit: String, author: String, email: String, authoredAt: String, release: String?, team: String?,
        pathThen: String, lineThen: Int
    ) {
        self.commit = commit
        self.author = author
        self.email = email
        self.authoredAt = authoredAt
        self.release = release
        self.team = team
        self.pathThen = pathThen
        self.lineThen = lineThen
    }
}

/// A finding ready to be recorded: identified (step 2) and attributed (step 3).
public struct PreparedFinding: Sendable {
    public var finding: NormalizedFinding
    public var fingerprint: String
    public var fingerprintBasis: Fingerprint.Basis
    /// The fingerprint under the other basis (content for a tool fingerprint, the tool's for a
    /// result whose shared tool fingerprint was set aside), matched when the store has no finding
    /// under the first: a result trusted by its tool in one report and not in the next keeps its
    /// identity.
    public var alternateFingerprint: String?
    public var ownerTeam: String?
    /// The rule that decided the owner, nil when no rule matched the path.
    public var ownerEvidence: OwnerEvidence?
    /// When it is due under the SLA policy (nil: no due date, e.g. informational).
    public var dueAt: String?
    /// When CISA added one of its CVEs to the KEV catalog (`YYYY-MM-DD`), nil when none is there.
    public var kevAdded: String?
    /// Who shipped it, when attribution ran; else why it is unknown (nil when it did not run).
    public var introducer: Introducer?
    public var introducerUnknownReason: String?
    /// Security or code quality (``ToolIdentity/category(of:)``).
    public var category: FindingCategory = .security

    public init(
        finding: NormalizedFinding, fingerprint: String, fingerprintBasis: Fingerprint.Basis,
        ownerTeam: String?, ownerEvidence: OwnerEvidence?, introducer: Introducer? = nil,
        introducerUnknownReason: String? = nil
    ) {
        self.finding = finding
        self.fingerprint = fingerprint
        self.fingerprintBasis = fingerprintBasis
        self.ownerTeam = ownerTeam
        self.ownerEvidence = ownerEvidence
        self.introducer = introducer
        self.introducerUnknownReason = introducerUnknownReason
    }
}

/// How much of a target a scan covered. Only a full scan proves a fix by absence.
public enum ScanScope: String, Sendable, CaseIterable, Codable {
    case full, partial
}

/// One ingested report, as the scans table records it.
public struct ScanRecord: Sendable {
    public var tool: String
    public var toolVersion: String?
    public var format: String
    public var sourceFile: String
    public var repository: String?
    public var branch: String?
    public var commit: String?
    /// The release the scanned commit is part of (nil: not known, or in none yet).
    public var release: String?
    public var scope: ScanScope
    public var uploader: String
    public var startedAt: Date
    /// True when the ingest had an ownership map (CODEOWNERS): findings seen again are then
    /// re-attributed by it, and a changed owner is a transfer. Without one, owners stay as they are.
    public var appliesOwnershipMap = false
    /// The CODEOWNERS the map was read from ("CODEOWNERS at <sha>", a file path), and the time it
    /// took effect (the commit's time, or the file's), for the ownership map's history.
    public var ownershipMap: String?
    public var ownershipMapEffectiveAt: String?
    /// The map's CODEOWNERS text, kept as the repository's last map when the map was sent (an
    /// upload's, a file's) rather than read from a checkout: a later upload that sends none is
    /// attributed by it.
    public var ownershipMapText: String?
    /// Whether `startedAt` was given by the uploader (a history loaded from archived reports)
    /// rather than taken from the clock: such a scan must not be older than its target's newest.
    public var isDated = false
    /// The least severity the ingest kept (DefectDojo's `minimum_severity`): findings below it
    /// were left out, so a full scan proves fixed only findings at or above it.
    public var minimumSeverity: Severity?

    public init(
        tool: String, toolVersion: String? = nil, format: String, sourceFile: String, repository: String? = nil,
        branch: String? = nil, commit: String? = nil, scope: ScanScope = .partial, uploader: String = "cli",
        startedAt: Date = Date()
    ) {
        self.tool = tool
        self.toolVersion = toolVersion
        self.format = format
        self.sourceFile = sourceFile
        self.repository = repository
        self.branch = branch
        self.commit = commit
        self.scope = scope
        self.uploader = uploader
        self.startedAt = startedAt
    }
}

/// What one ingest did. The categories of seen findings are disjoint:
/// `findings == new + seen + reopened`.
public struct IngestSummary: Sendable, Equatable, Codable {
    public var scanIDs: [Int64] = []
    public var findings = 0
    public var new = 0
    public var seen = 0
    public var fixed = 0
    public var reopened = 0
    public var unowned = 0
    /// Findings seen again whose owner the current ownership map changed (a transfer event each).
    public var reowned = 0

    public init() {}

    public static func + (lhs: IngestSummary, rhs: IngestSummary) -> IngestSummary {
        var sum = lhs
        sum.scanIDs += rhs.scanIDs
        sum.findings += rhs.findings
        sum.new += rhs.new
        sum.seen += rhs.seen
        sum.fixed += rhs.fixed
        sum.reopened += rhs.reopened
        sum.unowned += rhs.unowned
        sum.reowned += rhs.reowned
        return sum
    }
}

/// Timestamps are stored as ISO 8601 text in UTC, second precision: sortable as text.
public enum Timestamp {
    /// Reads `2026-03-01` (midnight UTC) or `2026-03-01T12:00:00Z` into the stored form.
    public static func parse(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= bytes.count && bytes[range].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }
        guard digits(0..<4), bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), digits(5..<7),
            bytes[7] == UInt8(ascii: "-"), digits(8..<10), dayNumber(text) != nil
        else { return nil }
        if bytes.count == 10 { return text + "T00:00:00Z" }
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), digits(11..<13), bytes[13] == UInt8(ascii: ":"),
            digits(14..<16), bytes[16] == UInt8(ascii: ":"), digits(17..<19), bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        return text
    }

    /// Whole days from one stored timestamp to another (0 when either cannot be read).
    public static func days(from start: String, to end: String) -> Int {
        guard let a = dayNumber(start), let b = dayNumber(end) else { return 0 }
        return max(0, b - a)
    }

    /// Days since 1970-01-01 of a stored timestamp's date part.
    static func dayNumber(_ text: String) -> Int? {
        let parts = text.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var (year, month, day) = (parts[0], parts[1], parts[2])
        // Days-from-civil (Howard Hinnant).
        year -= month <= 2 ? 1 : 0
        let era = (year >= 0 ? year : year - 399) / 400
        let yoe = year - era * 400
        month = month > 2 ? month - 3 : month + 9
        let doy = (153 * month + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Any ISO 8601 / RFC 3339 time (`2023-01-16T19:07:16.853479631-06:00`, `...Z`, a date)
    /// as the stored form, in UTC to the second; nil when it is not one.
    public static func normalize(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return parse(text) }
        guard let base = date(String(decoding: bytes[0..<19], as: UTF8.self) + "Z") else { return nil }
        var rest = bytes[19...]
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            while let digit = rest.first, digit >= 0x30 && digit <= 0x39 { rest = rest.dropFirst() }
        }
        var offset = 0
        if rest.isEmpty || rest == [UInt8(ascii: "Z")] || rest == [UInt8(ascii: "z")] {
            offset = 0
        } else if rest.count == 6, let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
            let hours = Int(String(decoding: rest.dropFirst().prefix(2), as: UTF8.self)),
            let minutes = Int(String(decoding: rest.suffix(2), as: UTF8.self))
        {
            offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
        } else {
            return nil
        }
        return string(base.addingTimeInterval(TimeInterval(-offset)))
    }

    /// Seconds since 1970 of a stored timestamp given as its UTF-8 bytes, without making a
    /// String: the stored form `YYYY-MM-DDTHH:MM:SSZ` is read digit by digit (a metrics pass reads
    /// millions); anything else goes through ``date(_:)``.
    public static func seconds(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 0x30
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard bytes.count == 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
            bytes[16] == 0x3A, bytes[19] == 0x5A, var year = digits(0..<4), var month = digits(5..<7),
            let day = digits(8..<10), let hour = digits(11..<13), let minute = digits(14..<16),
            let second = digits(17..<19), (1...12).contains(month)
        else {
            return date(String(decoding: bytes, as: UTF8.self))?.timeIntervalSince1970
        }
        // Days-from-civil (Howard Hinnant), as ``dayNumber(_:)``.
        year -= month <= 2 ? 1 : 0
        let era = (year >= 0 ? year : year - 399) / 400
        let yoe = year - era * 400
        month = month > 2 ? month - 3 : month + 9
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + (153 * month + 2) / 5 + day - 1
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second)
    }

    /// The instant a stored timestamp (or a `YYYY-MM-DD` date, midnight UTC) names.
    public static func date(_ text: String) -> Date? {
        guard let stored = parse(text), let day = dayNumber(stored) else { return nil }
        let bytes = Array(stored.utf8)
        func number(_ range: Range<Int>) -> Int {
            bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        let seconds = day * 86_400 + number(11..<13) * 3600 + number(14..<16) * 60 + number(17..<19)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    public static func string(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        // Civil-from-days (Howard Hinnant), valid for the proleptic Gregorian calendar.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        guard (0...9999).contains(year) else {
            func pad(_ value: Int64, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            return
                "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2))Z"
        }
        // Digit by digit into the twenty bytes of the stored form (pages and metrics write
        // thousands a request).
        return String(unsafeUninitializedCapacity: 20) { buffer in
            func put(_ value: Int64, _ width: Int, at start: Int) {
                var value = value
                for index in stride(from: start + width - 1, through: start, by: -1) {
                    buffer[index] = UInt8(0x30 + value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            put(month, 2, at: 5)
            put(day, 2, at: 8)
            put(rest / 3600, 2, at: 11)
            put(rest / 60 % 60, 2, at: 14)
            put(rest % 60, 2, at: 17)
            buffer[4] = 0x2D
            buffer[7] = 0x2D
            buffer[10] = 0x54
            buffer[13] = 0x3A
            buffer[16] = 0x3A
            buffer[19] = 0x5A
            return 20
        }
    }
}
