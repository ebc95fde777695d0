import CustodyCore
import Foundation

/// Receives scans and their findings inside the store's ingest transaction.
public protocol IngestSession: AnyObject {
    /// Starts a scan; the findings recorded next belong to it. Starting the next scan (or the
    /// end of the ingest) finishes this one: its fix detection and its event.
    func beginScan(_ scan: ScanRecord) throws
    func record(_ finding: PreparedFinding) throws
    /// Records a finding already encoded (on another thread) for the current scan.
    func record(encoded: EncodedFinding) throws
    /// Names an ownership rule by a small number, before findings that cite it by that number.
    func defineRule(_ key: Int, _ evidence: OwnerEvidence) throws
}

/// A finding turned into the values its row is written with. Pure, so the reading thread can
/// do it while the store's thread writes the previous batch.
public struct EncodedFinding: Sendable {
    let key: Int64
    let fingerprint: String
    /// ``PreparedFinding/alternateFingerprint`` and its key.
    let alternate: (key: Int64, fingerprint: String)?
    let unowned: Bool
    let ownerTeam: String?
    /// The ownership rule, by the number given to ``IngestSession/defineRule(_:_:)``.
    let ruleKey: Int?
    let introducer: Introducer?
    let introducerUnknownReason: String?
    let line: Int?
    /// Its CVE, GHSA and other vulnerability ids, upper-cased, for `finding_identifiers`.
    let identifiers: [String]
    /// The insert's parameters in column order, all but the last two (the owner rule's row and the
    /// scan, known only when recording).
    let values: [SQLValue]

    public init(_ prepared: PreparedFinding, scan: ScanRecord, ruleKey: Int?) {
        let finding = prepared.finding
        key = Self.key(prepared.fingerprint)
        fingerprint = prepared.fingerprint
        alternate = prepared.alternateFingerprint.map { (Self.key($0), $0) }
        unowned = prepared.ownerTeam == nil
        ownerTeam = prepared.ownerTeam
        self.ruleKey = ruleKey
        introducer = prepared.introducer
        introducerUnknownReason = prepared.introducerUnknownReason
        line = finding.line
        identifiers = Self.identifiers(finding.cves + finding.vulnerabilityIDs)
        var suppressions: SQLValue = .null
        if !finding.suppressions.isEmpty {
            suppressions = .text(
                JSONText.Value.array(
                    finding.suppressions.map {
                        .object([
                            ("kind", .string($0.kind)), ("status", .optional($0.status)),
                            ("justification", .optional($0.justification)),
                        ])
                    }
                ).text)
        }
        values = [
            .integer(key), .text(prepared.fingerprint), .text(prepared.fingerprintBasis.rawValue),
            .optional(scan.repository), .optional(scan.branch), .text(finding.tool), .text(finding.ruleID),
            .optional(finding.ruleName), .text(finding.message), .text(finding.severity.rawValue),
            .optional(finding.score),
            .optional(finding.level), .text(finding.cwes.joined(separator: ",")),
            .text(finding.cves.joined(separator: ",")),
            .optional(finding.path), .optional(finding.line), suppressions, .optional(finding.baselineState),
            .optional(prepared.ownerTeam), .optional(prepared.dueAt), .optional(prepared.kevAdded),
            .optional(finding.package), .optional(finding.packageVersion),
            .text(finding.vulnerabilityIDs.joined(separator: ",")), .optional(finding.fixedVersion),
            .text(finding.cvssVectors.joined(separator: " ")), .optional(finding.asset),
            .text(prepared.category.rawValue),
        ]
    }

    /// Ids as `finding_identifiers` keeps them: upper-cased (ids compare without case), once each.
    static func identifiers(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.map { $0.uppercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The index key of a fingerprint, unique per repository (findings_identity): the first 16
    /// hex digits of a hex fingerprint as a signed 64-bit integer; any other text (an occurrence
    /// suffix such as `:2`, a tool's own fingerprint) mixes in a 64-bit FNV-1a hash of the whole,
    /// so fingerprints that share a hex prefix get different keys.
    static func key(_ fingerprint: String) -> Int64 {
        var value: UInt64 = 0
        var digits = 0
        var plainHex = true
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in fingerprint.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            default:
                plainHex = false
                nibble = byte & 0x0F
            }
            if digits < 16 {
                value = value << 4 | UInt64(nibble)
                digits += 1
            }
        }
        return Int64(bitPattern: plainHex ? value : value ^ hash)
    }
}

/// Which findings a listing wants.
public struct FindingQuery: Sendable {
    public var team: String?
    /// Only findings owned by one of these teams (a principal scoped to several teams or units).
    public var teams: [String]?
    public var status: FindingStatus?
    /// Only open work (open, acknowledged, reopened, transferred): a team's queue.
    public var activeOnly = false
    public var unownedOnly = false
    /// Search text: the rule, repository, package or asset named exactly, or a path beginning with it.
    public var text: String?
    public var id: Int64?
    public var rule: String?
    public var cve: String?
    /// Only open work past its due date at this time.
    public var overdueAt: String?
    public var repository: String?
    public var severity: Severity?
    public var limit: Int?
    /// The order rows come in; the id breaks ties, so every order is total.
    public var sort: FindingSort = .id
    /// Only rows after this one in `sort` order: keyset pagination, as fast on page 1,000 as on page 1.
    public var after: FindingCursor?
    /// Only findings this team owned at this time (ISO 8601 UTC), whoever owns them now.
    public var ownedAt: (team: String, time: String)?

    public init(
        team: String? = nil, status: FindingStatus? = nil, unownedOnly: Bool = false, repository: String? = nil,
        limit: Int? = nil
    ) {
        self.team = team
        self.status = status
        self.unownedOnly = unownedOnly
        self.repository = repository
        self.limit = limit
    }
}

/// The orders a findings listing can come in.
public enum FindingSort: String, Sendable, CaseIterable {
    /// Oldest first (the order findings were first recorded).
    case id
    /// Critical first, then high, medium, low, info; by id within a severity.
    case severity
    /// Earliest due date first, findings without one last.
    case due
    /// Highest priority first (as `custody priority` last decided it), undecided findings last.
    case priority
}

/// Where a page of findings ended: the sort key of its last row and that row's id.
public struct FindingCursor: Sendable, Equatable {
    /// The sort key as text: a severity's rank (0 critical ... 4 info), a due date (`~` for none);
    /// empty for the id order.
    public var key: String
    public var id: Int64

    public init(key: String, id: Int64) {
        self.key = key
        self.id = id
    }

    /// The cursor after `row` in `sort` order.
    public init(after row: FindingRow, sort: FindingSort) {
        key = sort.key(of: row)
        id = row.id
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
    /// The rule that decided the owner, nil when no rule matched the path.
    public var ownerEvidence: OwnerEvidence?
    /// Who shipped it; nil with `introducerUnknownReason` when attribution could not tell, both nil
    /// when it did not run.
    public var introducer: Introducer? = nil
    public var introducerUnknownReason: String? = nil
    public var dueAt: String? = nil
    /// When CISA added one of its CVEs to the KEV catalog, nil when none is there.
    public var kevAdded: String? = nil
    /// Dependency findings: the package and its installed version.
    public var package: String? = nil
    public var packageVersion: String? = nil
    public var vulnerabilityIDs: [String] = []
    public var fixedVersion: String? = nil
    public var cvssVectors: [String] = []
    public var asset: String? = nil
    public var epss: Double? = nil
    /// The SSVC decision and its inputs, as `custody priority` last decided them.
    public var ssvc: String? = nil
    public var ssvcInputs: String? = nil
    /// Security, or code quality (kept, but out of security counts and, by default, SLAs).
    public var category: FindingCategory = .security
    /// The priority `custody priority` last computed (higher first; nil: not yet decided).
    public var priority: Double? = nil
    /// A risk acceptance: until when, approved by whom (nil when none stands).
    public var riskAcceptedUntil: String? = nil
    public var riskApprover: String? = nil
    /// Why it is a false positive (a VEX justification), when it is one.
    public var justification: String? = nil
    /// Every tool that has reported it (one finding, several sources, for dependency findings).
    public var sources: [String] = []
    /// How far up the escalation ladder it has gone.
    public var escalation: EscalationStage = .none
    public var ownerHandles: [String] { ownerEvidence?.handles ?? [] }
    public var ownerLine: Int? { ownerEvidence?.line }
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

/// Unowned open findings that share a repository and directory.
public struct UnownedGroup: Sendable, Equatable {
    public var repository: String?
    /// The directory of the findings' paths ("" for the root; nil for findings without a path).
    public var directory: String?
    public var findingIDs: [Int64]
    public var critical: Int
    public var high: Int
    public var medium: Int
    public var low: Int
    /// Days since the oldest finding of the group was first seen.
    public var oldestAgeDays: Int
    /// Findings first seen 0-7, 8-30, 31-90 and over 90 days ago.
    public var ages: [Int]
    public var suggestions: [Suggestion]

    /// A team that could own the group, and why: it owns findings nearby (`near`), or its members
    /// introduced some of the group's findings (`introducedBy`), or it owned their paths when
    /// they were introduced.
    public struct Suggestion: Sendable, Equatable {
        public enum Basis: String, Sendable {
            case nearby
            case introducers
            case ownedThen = "owned_then"
        }
        public var team: String
        public var basis: Basis = .nearby
        public var near: String
        /// Findings behind the suggestion: owned nearby, or of the group introduced by the team.
        public var findings: Int
        public var introducedBy: [String] = []

        public init(
            team: String, basis: Basis = .nearby, near: String = "", findings: Int, introducedBy: [String] = []
        ) {
            self.team = team
            self.basis = basis
            self.near = near
            self.findings = findings
            self.introducedBy = introducedBy
        }
    }
}

/// What happens to a transfer request.
public enum TransferDecision: Sendable, Equatable {
    /// The receiving team takes the finding.
    case accept
    /// The receiving team declines: the finding goes back to its state before the request.
    case reject
    /// The security team decides a pending or rejected request: to a team, or nobody changes.
    case arbitrate(to: String?)
}

public struct TransferRequest: Sendable, Equatable {
    public var id: Int64
    public var findingID: Int64
    public var fromTeam: String?
    public var toTeam: String
    public var reason: String
    public var requestedBy: String
    public var requestedAt: String
    public var state: TransferState
    public var decidedBy: String?
    public var decision: String?
}

/// What a transition did: the findings it changed and those it refused, with why.
public struct TransitionOutcome: Sendable, Equatable {
    public var changed: [Int64] = []
    public var refused: [(id: Int64, reason: String)] = []

    public init() {}

    public static func == (lhs: TransitionOutcome, rhs: TransitionOutcome) -> Bool {
        lhs.changed == rhs.changed && lhs.refused.map(\.id) == rhs.refused.map(\.id)
    }
}

/// A transition refused for some findings, when refusals are not skipped: nothing changed.
public struct TransitionRefused: Error, Sendable, CustomStringConvertible {
    public var refused: [(id: Int64, reason: String)]
    public var description: String {
        let shown = refused.prefix(5).map { "finding \($0.id): \($0.reason)" }.joined(separator: "; ")
        let more = refused.count > 5 ? " (and \(refused.count - 5) more)" : ""
        return "refused, nothing changed: \(shown)\(more)"
    }
}

/// A finding's owner from a time on, and why it changed then.
public struct OwnerSpan: Sendable, Equatable {
    public var from: String
    public var team: String?
    public var reason: String
    public var actor: String
}

/// An event of the chain of custody, as stored.
public struct EventRow: Sendable, Equatable {
    public var sequence: Int64
    public var at: String
    public var kind: EventKind
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
    /// Whether `error` is a database failure that running the whole operation again may cure
    /// (a lost connection, a restarting server, a serialisation failure).
    func isTransient(_ error: any Error) -> Bool

    func findings(_ query: FindingQuery) throws -> [FindingRow]
    /// Hands the findings `query` selects to `body` one at a time, as the database yields them
    /// (memory flat in the number of rows); `body` returns false to stop.
    func forEachFinding(_ query: FindingQuery, _ body: (FindingRow) throws -> Bool) throws
    /// Open findings no team owns, grouped by repository and directory, oldest first, with the
    /// teams that own findings nearest to each group as suggestions.
    func unownedQueue(now: Date) throws -> [UnownedGroup]
    /// Makes `team` the owner of the given findings, one `ownership.assigned` event each;
    /// returns how many changed owner.
    func assignOwner(findingIDs: [Int64], team: String, actor: String, reason: String, at: Date?) throws -> Int
    /// Who owned a finding from when: its owner when first seen, then every change, in order.
    func ownerHistory(findingID: Int64) throws -> [OwnerSpan]
    /// Applies `transition` to every finding, one event each, in one transaction. A finding in a
    /// state the transition cannot start from, or a risk approver the rules refuse, is a
    /// refusal: with `skipRefused` the others go ahead, otherwise nothing changes.
    func transition(
        findingIDs: [Int64], _ transition: Transition, actor: String, reason: String, skipRefused: Bool, at: Date?
    ) throws -> TransitionOutcome
    /// Asks `team` to take findings over: each becomes `transferred` until the team accepts or
    /// rejects (or the security team arbitrates). One event each.
    func requestTransfer(findingIDs: [Int64], to team: String, actor: String, reason: String) throws -> [Int64]
    /// Decides the pending (or, to arbitrate, disputed) transfer requests of the findings.
    func decideTransfer(findingIDs: [Int64], _ decision: TransferDecision, actor: String, reason: String) throws
        -> [Int64]
    func transferRequests(pendingOnly: Bool) throws -> [TransferRequest]
    /// Recomputes the due dates of open work under `policy`, the asset criticality rules and the
    /// stored KEV catalog; one event per finding whose date changed. Returns how many changed.
    func applySLA(_ policy: SLAPolicy, criticality: [CriticalityRule], actor: String) throws -> Int
    /// The stored KEV catalog, by CVE id.
    func kevCatalog() throws -> [String: KEVEntry]
    /// Replaces the KEV catalog; findings it newly names are marked, re-dated, one event each.
    func importKEV(_ catalog: KEVCatalog, digest: String, rules: DueDateRules, actor: String, now: Date) throws
        -> KEVImportSummary
    /// Moves open findings up the escalation ladder to the stage they have reached at `now`,
    /// one event per step reached (each step once); returns how many steps were taken.
    func escalate(now: Date, actor: String) throws -> Int
    /// Reopens findings whose risk acceptance has expired by `now`; returns their ids.
    func expireRiskAcceptances(now: Date, actor: String) throws -> [Int64]
    /// The findings `team` owned at `time` (ISO 8601 UTC), whatever they are owned by now.
    func findingIDs(ownedBy team: String, at time: String) throws -> [Int64]
    func teamSummaries() throws -> [TeamSummary]
    func events(findingID: Int64?) throws -> [EventRow]
    /// Row counts of the main tables, for checks and status output.
    func counts() throws -> [String: Int]
}

/// A request the store refuses for a reason of the domain, not of the database: an unknown
/// team or finding, a change that conflicts with the current state. Nothing was changed.
public struct StoreRefusal: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The finding, team or key named does not exist.
        case notFound
        /// The state already is what was asked, or another change got there first.
        case conflict
        /// The change is not allowed from the current state.
        case refused
        /// The request itself is malformed.
        case invalid
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// A recorded scan: one run of one report, as `custody scans` lists it.
public struct ScanRow: Sendable, Equatable {
    public var id: Int64
    public var tool: String
    public var toolVersion: String?
    public var format: String
    public var sourceFile: String
    public var repository: String?
    public var branch: String?
    public var commit: String?
    public var scope: String
    public var uploader: String
    public var startedAt: String
    public var findings: Int
    /// The release the scanned commit is part of, when known.
    public var release: String?
}
