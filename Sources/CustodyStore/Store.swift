import CustodyCore

/// Receives scans and their findings inside the store's ingest transaction.
public protocol IngestSession: AnyObject {
    /// Starts a scan; the findings recorded next belong to it. Starting the next scan (or the
    /// end of the ingest) finishes this one: its fix detection and its event.
    func beginScan(_ scan: ScanRecord) throws
    func record(_ finding: PreparedFinding) throws
}

/// Which findings a listing wants.
public struct FindingQuery: Sendable {
    public var team: String?
    public var status: FindingStatus?
    public var unownedOnly = false
    public var repository: String?
    public var limit: Int?

    public init(team: String? = nil, status: FindingStatus? = nil, unownedOnly: Bool = false, repository: String? = nil, limit: Int? = nil) {
        self.team = team
        self.status = status
        self.unownedOnly = unownedOnly
        self.repository = repository
        self.limit = limit
    }
}

/// A stored finding as listings show it.
public struct FindingRow: Sendable, Equatable {
    public var id: Int64
    public var fingerprint: String
    /// What the fingerprint was derived from: tool, content or location.
    public var fingerprintBasis: String
    public var tool: String
    public var rule: String
    public var severity: Severity
    public var status: FindingStatus
    public var repository: String?
    public var path: String?
    public var line: Int?
    public var message: String
    public var cwes: [String]
    public var cves: [String]
    public var ownerTeam: String?
    public var ownerHandles: [String]
    public var ownerLine: Int?
    public var suppressed: Bool
    public var firstSeen: String
    public var lastSeen: String
}

/// Open work per team (and one row, team nil, for what nobody owns).
public struct TeamSummary: Sendable, Equatable {
    public var team: String?
    public var teamName: String?
    public var open: Int
    public var critical: Int
    public var high: Int
    public var medium: Int
    public var low: Int
    public var fixed: Int
}

/// An event of the chain of custody, as stored.
public struct EventRow: Sendable, Equatable {
    public var sequence: Int64
    public var at: String
    public var kind: String
    public var findingID: Int64?
    public var scanID: Int64?
    public var actor: String
    public var payload: String
}

/// Where Custody keeps its state. Callers speak in domain terms; each backend keeps its SQL
/// dialect to itself (see ``SQLDialect``), so a PostgreSQL store can follow without touching them.
public protocol Store: AnyObject {
    /// Applies every migration not yet recorded, in order, each in its own transaction.
    func migrate() throws
    /// The migrations applied so far: (version, name).
    func appliedMigrations() throws -> [(version: Int, name: String)]

    /// Replaces the organisation (units, teams, handles) in one transaction, recording an event.
    func importOrganisation(_ organisation: Organisation, source: String, actor: String) throws
    func organisation() throws -> Organisation

    /// Records scans: `produce` streams them and their findings into the session. Everything
    /// happens in one transaction: if `produce` or the store throws, the store is left exactly as before.
    func ingest(_ produce: (any IngestSession) throws -> Void) throws -> IngestSummary

    func findings(_ query: FindingQuery) throws -> [FindingRow]
    func teamSummaries() throws -> [TeamSummary]
    func events(findingID: Int64?) throws -> [EventRow]
    /// Row counts of the main tables, for checks and status output.
    func counts() throws -> [String: Int]
}
