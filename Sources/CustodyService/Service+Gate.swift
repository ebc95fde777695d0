import CustodyCore
import CustodyJSON
import CustodyStore
import Foundation

/// A release gate question: may this commit of this repository ship?
public struct GateRequest: Sendable, Equatable {
    public var repository: String
    public var commit: String
    /// Decide and record, but never block (a rollout: teams see what would have blocked).
    public var warnOnly = false
    public var now = Date()

    public init(repository: String, commit: String, warnOnly: Bool = false, now: Date = Date()) {
        self.repository = repository
        self.commit = commit
        self.warnOnly = warnOnly
        self.now = now
    }
}

/// The gate's answer, with every reason, as recorded in the ledger.
public struct GateDecision: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case pass, block
        /// Would have blocked; `--warn-only` let it pass.
        case warn
    }

    public var outcome: Outcome
    public var reasons: [String]
    public var facts: GateFacts
    /// The ledger event that records it.
    public var event: Int64?
}

extension CustodyService {
    /// Decides whether a commit may ship under the configuration's gate policy (docs/gate.md) and
    /// records the decision - who asked, what, the outcome and its reasons - as a ledger event.
    public func gate(_ request: GateRequest, by principal: Principal) throws(ServiceError) -> GateDecision {
        try authorizeIngest(principal, "ask the release gate (each decision is recorded)")
        // Its reasons name every team's blocking findings: a team's or a unit's token would
        // learn of other teams' findings through it.
        guard !principal.isScoped else {
            throw ServiceError(
                .forbidden,
                "\(principal.name) is scoped to some teams; the release gate names every team's findings, so a pipeline (uploader) or security token asks it"
            )
        }
        let repository = try Self.required(request.repository, "--repo: the repository to release")
        let commit = try Self.required(request.commit, "--commit: the commit to release")
        let policy = configuration.gate
        let store = try store()
        let facts = try perform { try store.gateFacts(repository: repository, commit: commit, now: request.now) }
        var reasons: [String] = []
        let blocking = facts.newFindings.filter { $0.severity >= policy.blockNewAt }
        if !blocking.isEmpty {
            let listed = blocking.prefix(5).map { "\($0.id) (\($0.severity.rawValue), \($0.rule))" }
            reasons.append(
                "the commit ships \(blocking.count) new finding\(blocking.count == 1 ? "" : "s") at or above "
                    + "\(policy.blockNewAt.rawValue): \(listed.joined(separator: ", "))"
                    + (blocking.count > 5 ? ", ..." : ""))
        }
        for (team, overdue) in facts.overdueByTeam.sorted(by: { $0.key < $1.key })
        where overdue > policy.allowance(team: team) {
            reasons.append(
                "team \(team) holds \(overdue) overdue known-exploited or critical finding\(overdue == 1 ? "" : "s") "
                    + "(allowance \(policy.allowance(team: team)))")
        }
        if let limit = policy.maxUnowned, facts.unowned > limit {
            reasons.append("the repository holds \(facts.unowned) unowned open findings (limit \(limit))")
        }
        let outcome: GateDecision.Outcome = reasons.isEmpty ? .pass : request.warnOnly ? .warn : .block
        // The teams the decision holds to account: owners of the blocking findings, and teams
        // over their allowance (counted in their metrics).
        var accountable = Set(blocking.compactMap(\.team))
        for (team, overdue) in facts.overdueByTeam where overdue > policy.allowance(team: team) {
            accountable.insert(team)
        }
        let payload = JSONText.Value.object([
            ("repository", .string(repository)), ("commit", .string(commit)), ("outcome", .string(outcome.rawValue)),
            ("reasons", .strings(reasons)), ("teams", .strings(accountable.sorted())),
            ("warn_only", .bool(request.warnOnly)),
            ("new_findings", .array(facts.newFindings.map { .int($0.id) })),
        ])
        let event = try perform {
            try store.appendEvents([(kind: .gateDecided, findingID: nil, actor: principal.name, payload: payload)])
                .first
        }
        return GateDecision(outcome: outcome, reasons: reasons, facts: facts, event: event)
    }
}

/// A release gate decision as the ledger recorded it.
public struct GateRecord: Sendable, Equatable {
    public var at: String
    public var actor: String
    public var repository: String
    public var commit: String
    public var outcome: String
    public var reasons: [String]
    /// The teams it held to account.
    public var teams: [String]
}

extension CustodyService {
    /// The release gate's decisions in a period, newest first. A scoped principal sees those
    /// that held one of its teams to account, and no other.
    public func gateDecisions(since: Date, until: Date = Date(), by principal: Principal) throws(ServiceError)
        -> [GateRecord]
    {
        try authorizeAggregates(principal)
        let store = try store()
        let events = try perform { try store.events(kind: .gateDecided, since: since, until: until) }
        var records: [GateRecord] = []
        for event in events {
            guard let payload = try? JSONDocument(bytes: Array(event.payload.utf8)).root else { continue }
            func strings(_ key: StaticString) -> [String] {
                (payload[key]?.array.map { Array($0) } ?? []).compactMap(\.string)
            }
            let record = GateRecord(
                at: event.at, actor: event.actor, repository: payload["repository"]?.string ?? "",
                commit: payload["commit"]?.string ?? "", outcome: payload["outcome"]?.string ?? "",
                reasons: strings("reasons"), teams: strings("teams"))
            if principal.isScoped, !record.teams.contains(where: principal.teams.contains) { continue }
            records.append(record)
        }
        return records.reversed()
    }
}
