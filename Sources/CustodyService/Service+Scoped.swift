import CustodyCore
import CustodyStore

extension CustodyService {
    /// The listing as `principal` may see it: a team's principal sees its own teams' findings
    /// only - with no team named, its one team; naming another team, or none when it has
    /// several, is refused. The other roles see every finding.
    public func scoped(_ request: FindingListRequest, for principal: Principal) throws(ServiceError)
        -> FindingListRequest
    {
        guard principal.role == .team else { return request }
        var scoped = request
        if let team = request.filter.team {
            guard principal.teams.contains(team) else {
                throw ServiceError(.forbidden, "\(principal.name) may list the findings of its own teams only")
            }
        } else if principal.teams.count == 1 {
            scoped.filter.team = principal.teams.first
        } else {
            throw ServiceError(
                .invalidInput, "name one of your teams: \(principal.teams.sorted().joined(separator: ", "))")
        }
        guard !request.filter.unownedOnly else {
            throw ServiceError(.forbidden, "the unowned queue is the security team's")
        }
        return scoped
    }

    /// One finding as `principal` may see it: another team's finding is "not found" to a team's
    /// principal, in the same words as one that does not exist (no id tells whose it is).
    public func finding(_ id: Int64, by principal: Principal) throws(ServiceError) -> FindingDetail {
        let detail: FindingDetail
        do {
            detail = try finding(id)
        } catch  where error.kind == .notFound {
            throw ServiceError(.notFound, "no finding \(id)")
        }
        if principal.role == .team, !(detail.finding.ownerTeam.map(principal.teams.contains) ?? false) {
            throw ServiceError(.notFound, "no finding \(id)")
        }
        return detail
    }
}
