import CustodyCore
import CustodyStore
import Foundation

/// Which findings a listing or a bulk change selects.
public struct FindingFilter: Sendable, Equatable {
    public var team: String?
    /// Only these teams' findings: what a principal scoped to several teams may list.
    public var teams: [String]?
    public var status: FindingStatus?
    /// Only open work: open, acknowledged, reopened or transferred (a team's queue).
    public var activeOnly = false
    public var severity: Severity?
    public var unownedOnly = false
    /// Only open work past its due date now.
    public var overdue = false
    /// With `team`: what the team owned at this time (2026-03-01 or 2026-03-01T12:00:00Z),
    /// whoever owns it now.
    public var ownedAt: String?
    public var repository: String?
    public var cve: String?
    public var rule: String?
    /// Search text: a rule, repository, package or asset by its exact name, or a path's beginning.
    public var text: String?

    public init() {}

    /// Whether anything but the status narrows the selection (bulk changes need one).
    public var selectsSome: Bool { team != nil || rule != nil || cve != nil || repository != nil }
}

/// A page (or the whole) of a findings listing.
public struct FindingListRequest: Sendable, Equatable {
    public var filter = FindingFilter()
    public var sort: FindingSort = .id
    /// The `next_cursor` of the previous page.
    public var cursor: String?
    /// At most this many rows; nil for all.
    public var limit: Int?

    public init(
        filter: FindingFilter = FindingFilter(), sort: FindingSort = .id, cursor: String? = nil, limit: Int? = nil
    ) {
        self.filter = filter
        self.sort = sort
        self.cursor = cursor
        self.limit = limit
    }

    public static let maximumLimit = Int(Int32.max)
}

/// What a listing yielded: how many rows, and the cursor of the next page when the limit cut it.
public struct FindingListSummary: Sendable, Equatable {
    public var count = 0
    public var nextCursor: String?
}

/// One finding with what `findings show` tells about it.
public struct FindingDetail: Sendable, Equatable {
    public var finding: FindingRow
    public var related: [RelatedFinding]
    /// Why no introducer is known (nil when one is).
    public var introducerReason: String?
    /// Why nobody owns it, from the evidence kept at ingest ("owned" when a team does).
    public var unownedReason: String
    /// A dependency finding's cross-tool identity: the vulnerability, the package and the asset.
    public var identity: String?
}

public struct RelatedFinding: Sendable, Equatable {
    public var id: Int64
    public var tool: String
    public var rule: String
}

extension CustodyService {
    /// Hands the findings the request selects to `body` in order, one at a time (memory flat in
    /// the number of rows); returns the count and the next page's cursor.
    public func forEachFinding(_ request: FindingListRequest, _ body: (FindingRow) throws -> Void) throws(ServiceError)
        -> FindingListSummary
    {
        let store = try store()
        var query = try query(request.filter, store: store)
        query.sort = request.sort
        query.limit = request.limit
        if let cursor = request.cursor { query.after = try Self.decodeCursor(cursor, sort: request.sort) }
        var summary = FindingListSummary()
        var last: FindingCursor?
        try perform {
            try store.forEachFinding(query) { row in
                try body(row)
                summary.count += 1
                // Only a full page has a next one; its cursor is the last row's.
                if summary.count == request.limit { last = FindingCursor(after: row, sort: request.sort) }
                return true
            }
        }
        if let last { summary.nextCursor = Self.encodeCursor(last, sort: request.sort) }
        return summary
    }

    /// The findings a request selects, collected (small selections: bulk changes, tests).
    public func findings(_ request: FindingListRequest) throws(ServiceError) -> [FindingRow] {
        var rows: [FindingRow] = []
        _ = try forEachFinding(request) { rows.append($0) }
        return rows
    }

    /// Streams a listing to `sink` as a JSON array, JSON Lines or CSV, row by row.
    public func writeFindings(_ request: FindingListRequest, as format: StreamFormat, to sink: any ByteSink)
        throws(ServiceError) -> FindingListSummary
    {
        var stream = RowStream(format: format, sink: sink, csvHeader: Wire.findingCSVColumns)
        let summary = try forEachFinding(request) { row in
            try stream.row(json: { Wire.finding(row, into: &$0) }, csv: { Wire.findingCSV(row, into: &$0) })
        }
        try perform { try stream.finish() }
        return summary
    }

    /// One finding by id, with its related findings and the reasons shown for what is unknown.
    public func finding(_ id: Int64) throws(ServiceError) -> FindingDetail {
        let store = try store()
        let row = try findingRow(id, store: store)
        let related = try perform { try store.relatedFindings(of: row.id) }
        var identity: String?
        if row.fingerprintBasis == "dependency", let package = row.package,
            let vulnerability = DependencyIdentity.vulnerabilityKey(row.vulnerabilityIDs + row.cves)
        {
            identity =
                "\(vulnerability) in \(DependencyIdentity.packageKey(package)) of \(row.repository ?? row.asset ?? "-")"
        }
        return FindingDetail(
            finding: row, related: related.map { RelatedFinding(id: $0.id, tool: $0.tool, rule: $0.rule) },
            introducerReason: row.introducer != nil
                ? nil
                : (row.introducerUnknownReason
                    ?? "no attribution ran: ingest with --repo DIR (a git checkout) and --commit SHA"),
            unownedReason: Self.unownedReason(row), identity: identity)
    }

    /// Why nobody owns a finding, from the evidence kept at ingest.
    public static func unownedReason(_ row: FindingRow) -> String {
        if row.ownerTeam != nil { return "owned" }
        if row.path == nil { return "no file location" }
        guard let line = row.ownerLine else { return "no CODEOWNERS rule matches" }
        if row.ownerHandles.isEmpty { return "CODEOWNERS line \(line) unsets ownership" }
        return "CODEOWNERS line \(line): \(row.ownerHandles.joined(separator: " ")) is no team's handle"
    }

    /// Recorded scans, newest first: what was ingested, from which file, by whom, when.
    public func scans(repository: String?, limit: Int) throws(ServiceError) -> [ScanRow] {
        let store = try store()
        return try perform { try store.scans(repository: repository, limit: limit) }
    }

    /// Open findings per team, by severity, with the unowned row last.
    public func teamSummaries() throws(ServiceError) -> [TeamSummary] {
        let store = try store()
        return try perform { try store.teamSummaries() }
    }

    // MARK: Helpers

    func findingRow(_ id: Int64, store: SQLStore) throws(ServiceError) -> FindingRow {
        var query = FindingQuery()
        query.id = id
        guard let row = try perform({ try store.findings(query).first }) else {
            throw ServiceError(.notFound, "no finding \(id)", file: databasePath)
        }
        return row
    }

    /// The store query of a filter, after checking what it names exists.
    func query(_ filter: FindingFilter, store: SQLStore) throws(ServiceError) -> FindingQuery {
        if let team = filter.team {
            let known = try perform { try store.teamExists(team) }
            guard known else { throw ServiceError(.notFound, "unknown team '\(team)'; see 'custody teams list'") }
        }
        var query = FindingQuery(
            team: filter.team, status: filter.status, unownedOnly: filter.unownedOnly, repository: filter.repository)
        query.teams = filter.teams
        query.activeOnly = filter.activeOnly
        query.text = filter.text
        query.severity = filter.severity
        query.cve = filter.cve
        query.rule = filter.rule
        if filter.overdue { query.overdueAt = Timestamp.string(Date()) }
        if let at = filter.ownedAt {
            guard let team = filter.team else {
                throw ServiceError(.invalidInput, "a time of ownership needs a team: whose findings at that time?")
            }
            guard let time = Timestamp.parse(at) else {
                throw ServiceError(.invalidInput, "invalid time '\(at)'; write 2026-03-01 or 2026-03-01T12:00:00Z")
            }
            // What the team owned then, whoever owns it now.
            query.team = nil
            query.ownedAt = (team, time)
        }
        return query
    }

    /// A cursor as clients see it: opaque, URL-safe text.
    static func encodeCursor(_ cursor: FindingCursor, sort: FindingSort) -> String {
        let text = "\(sort.rawValue)|\(cursor.key)|\(cursor.id)"
        return Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ token: String, sort: FindingSort) throws(ServiceError) -> FindingCursor {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.count <= 256, let data = Data(base64Encoded: base64) else {
            throw ServiceError(
                .invalidInput, "invalid cursor '\(token.prefix(64))': pass a next_cursor back as it came")
        }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, let id = Int64(parts[2]) else {
            throw ServiceError(
                .invalidInput, "invalid cursor '\(token.prefix(64))': pass a next_cursor back as it came")
        }
        guard parts[0] == sort.rawValue else {
            throw ServiceError(.invalidInput, "the cursor is of the '\(parts[0])' order; ask for that order to go on")
        }
        return FindingCursor(key: String(parts[1]), id: id)
    }
}
