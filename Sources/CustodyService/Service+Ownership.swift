import CustodyCore
import CustodyJSON
import CustodyOwnership
import CustodyPipeline
import CustodyStore
import Foundation

/// Why a finding has its owner (or none), with the evidence.
public struct OwnershipExplanation: Sendable, Equatable {
    public var finding: FindingRow
    /// The owning team, as the organisation knows it.
    public var team: Team?
    /// The handle of the rule that names the team.
    public var claimedHandle: String?
    /// An owner given by hand: who assigned it, when and why.
    public var assignment: String?
    /// How the CODEOWNERS dialect picks among matching rules.
    public var precedence: String
    /// The reason shown: the assignment, else why the finding is unowned ("owned" when it is not).
    public var reason: String
}

/// Which CODEOWNERS line owns a path.
public struct PathOwners: Sendable, Equatable {
    public var path: String
    public var owners: [String]
    public var line: Int?
}

public struct AssignRequest: Sendable, Equatable {
    public var findingIDs: [Int64]
    public var team: String
    public var reason: String

    public init(findingIDs: [Int64], team: String, reason: String) {
        self.findingIDs = findingIDs
        self.team = team
        self.reason = reason
    }
}

extension CustodyService {
    public func explainOwner(_ id: Int64) throws(ServiceError) -> OwnershipExplanation {
        let store = try store()
        let row = try findingRow(id, store: store)
        let organisation = try organisation()
        let team = row.ownerTeam.flatMap { id in organisation.teams.first { $0.id == id } }
        let evidence = row.ownerEvidence
        let claimed = evidence?.handles.first { handle in
            organisation.teams.contains { $0.handles.contains { $0.lowercased() == handle.lowercased() } }
        }
        let events = try perform { try store.events(findingID: id) }
        let assignment = events.last { $0.kind == .ownershipAssigned }.flatMap { event -> String? in
            guard evidence == nil, row.ownerTeam != nil else { return nil }
            let payload = try? JSONDocument(bytes: Array(event.payload.utf8)).root
            return "assigned by \(event.actor) at \(event.at): \(payload?["reason"]?.string ?? "")"
        }
        let precedence: String
        switch evidence?.dialect {
        case "gitlab":
            precedence =
                "GitLab: the last matching entry of each section; owners of every matching section, in section order"
        case "assets":
            precedence =
                "the teams file's asset rules, when no CODEOWNERS line decides: the first repository rule that "
                + "matches the repository, else the first host or image rule that matches the asset"
        default: precedence = "GitHub: the last matching line of the file wins; a line without owners unsets"
        }
        return OwnershipExplanation(
            finding: row, team: team, claimedHandle: claimed, assignment: assignment, precedence: precedence,
            reason: assignment ?? Self.unownedReason(row))
    }

    /// Who owned a finding from when, and why it changed.
    public func ownerHistory(_ id: Int64) throws(ServiceError) -> [OwnerSpan] {
        let store = try store()
        let spans = try perform { try store.ownerHistory(findingID: id) }
        guard !spans.isEmpty else { throw ServiceError(.notFound, "no finding \(id)", file: databasePath) }
        return spans
    }

    /// The CODEOWNERS line that owns each path (no database needed).
    public func resolveOwners(codeowners path: String, dialect: CodeownersDialect?, paths: [String])
        throws(ServiceError) -> (owners: [PathOwners], warnings: [String])
    {
        let (codeowners, warnings) = try perform { try IngestPipeline.loadCodeowners(path: path, dialect: dialect) }
        let owners = paths.map { path in
            let match = codeowners.rules.match(path)
            return PathOwners(
                path: path, owners: match?.owners.map(\.handle) ?? [],
                line: match.flatMap { $0.owners.isEmpty ? nil : $0.line })
        }
        return (owners, warnings.map(\.description))
    }

    /// Open findings no team owns, grouped by repository and directory, with suggested owners.
    public func unownedQueue(now: Date = Date()) throws(ServiceError) -> [UnownedGroup] {
        let store = try store()
        return try perform { try store.unownedQueue(now: now) }
    }

    /// Makes a team accountable for findings, one event each; returns how many changed owner.
    public func assignOwner(_ request: AssignRequest, by principal: Principal) throws(ServiceError) -> Int {
        try authorizeSecurity(principal, "assign owners")
        let reason = try Self.required(request.reason, "reason: say why this team is accountable")
        let store = try store()
        let ids = try selectedIDs(.ids(request.findingIDs), store: store)
        return try perform {
            try store.assignOwner(findingIDs: ids, team: request.team, actor: principal.name, reason: reason)
        }
    }
}
