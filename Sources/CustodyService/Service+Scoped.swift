import CustodyCore
import CustodyStore

extension CustodyService {
    /// The listing as `principal` may see it: a team's principal sees its own teams' findings
    /// only - with no team named, its one team; naming another team, or none when it has
    /// several, is refused. Executives and uploaders read no finding one by one; the other
    /// roles see every finding.
    public func scoped(_ request: FindingListRequest, for principal: Principal) throws(ServiceError)
        -> FindingListRequest
    {
        try authorizeReading(principal)
        guard principal.isScoped else { return request }
        var scoped = request
        if let team = request.filter.team {
            guard principal.teams.contains(team) else {
                throw ServiceError(.forbidden, "\(principal.name) may list the findings of its own teams only")
            }
        } else if principal.teams.count == 1 {
            scoped.filter.team = principal.teams.first
        } else {
            scoped.filter.teams = principal.teams.sorted()
        }
        guard !request.filter.unownedOnly else {
            throw ServiceError(.forbidden, "the unowned queue is the organisation's security team's")
        }
        return scoped
    }

    /// One finding as `principal` may see it: another team's finding is "not found" to a team's
    /// principal, in the same words as one that does not exist (no id tells whose it is).
    public func finding(_ id: Int64, by principal: Principal) throws(ServiceError) -> FindingDetail {
        try authorizeReading(principal)
        let detail: FindingDetail
        do {
            detail = try finding(id)
        } catch  where error.kind == .notFound {
            throw ServiceError(.notFound, "no finding \(id)")
        }
        if principal.isScoped, !(detail.finding.ownerTeam.map(principal.teams.contains) ?? false) {
            throw ServiceError(.notFound, "no finding \(id)")
        }
        return detail
    }
}

/// The reads of one finding, or of a queue, as a principal may make them: a team's principal is
/// told "not found" of another team's finding, in the same words as of one that does not exist.
extension CustodyService {
    /// Why a finding has its owner (or none).
    public func explainOwner(_ id: Int64, by principal: Principal) throws(ServiceError) -> OwnershipExplanation {
        _ = try finding(id, by: principal)
        return try explainOwner(id)
    }

    /// Who owned a finding from when.
    public func ownerHistory(_ id: Int64, by principal: Principal) throws(ServiceError) -> [OwnerSpan] {
        _ = try finding(id, by: principal)
        return try ownerHistory(id)
    }

    /// A finding's chain of custody, every hand-off with its time and who.
    public func trace(_ id: Int64, by principal: Principal) throws(ServiceError) -> [TimelineEntry] {
        _ = try finding(id, by: principal)
        return try trace(id).timeline
    }

    /// The team a team-bound principal's read is about: the one named (if it is one of its
    /// teams), else its only team. Other readers: the team named, or all.
    func teamScope(_ team: String?, for principal: Principal) throws(ServiceError) -> String? {
        try authorizeReading(principal)
        guard principal.isScoped else { return team }
        if let team {
            guard principal.teams.contains(team) else {
                throw ServiceError(.forbidden, "\(principal.name) may read its own teams' findings only")
            }
            return team
        }
        guard principal.teams.count == 1 else {
            throw ServiceError(
                .invalidInput, "name one of your teams: \(principal.teams.sorted().joined(separator: ", "))",
                place: "team")
        }
        return principal.teams.first
    }

    /// The work in priority order (SSVC, then KEV, EPSS and severity), of one team or all.
    public func priority(team: String?, limit: Int, by principal: Principal) throws(ServiceError) -> [PriorityRow] {
        try priority(team: try teamScope(team, for: principal), limit: limit)
    }

    /// Transfer requests: a team's principal sees those from or to its teams.
    public func transferRequests(pendingOnly: Bool, by principal: Principal) throws(ServiceError)
        -> [TransferRequest]
    {
        try authorizeReading(principal)
        let all = try transferRequests(pendingOnly: pendingOnly)
        guard principal.isScoped else { return all }
        return all.filter { principal.teams.contains($0.toTeam) || $0.fromTeam.map(principal.teams.contains) == true }
    }

    /// The unowned queue is the security team's to work down.
    public func unownedQueue(by principal: Principal) throws(ServiceError) -> [UnownedGroup] {
        try authorizeSecurity(principal, "read the unowned queue")
        return try unownedQueue()
    }

    /// Notification deliveries, newest first: the security team's view of who was told what.
    public func deliveries(state: DeliveryState?, limit: Int, by principal: Principal) throws(ServiceError)
        -> [DeliveryRow]
    {
        try authorizeSecurity(principal, "read notification deliveries")
        return try deliveries(state: state, limit: limit)
    }

    /// The chain of custody as JSON Lines after `sequence`, for auditors and the security team.
    public func exportLedger(after sequence: Int64, to sink: any ByteSink, by principal: Principal)
        throws(ServiceError) -> Int
    {
        try authorizeLedger(principal)
        return try exportLedger(after: sequence, to: sink)
    }
}
