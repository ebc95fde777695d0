import CustodyCore
import CustodyStore

/// A step of a transfer between teams.
public enum TransferStep: Sendable, Equatable {
    /// Ask `team` to take the findings over.
    case request(to: String)
    /// The receiving team takes them.
    case accept
    /// The receiving team declines: the finding is disputed.
    case reject
    /// The security team settles it: to a team, or the owner stays (nil).
    case resolve(to: String?)
}

public struct TransferRequestInput: Sendable, Equatable {
    public var findingIDs: [Int64]
    public var step: TransferStep
    /// Why; required for every step but accepting (which says "accepted").
    public var reason: String?

    public init(findingIDs: [Int64], step: TransferStep, reason: String?) {
        self.findingIDs = findingIDs
        self.step = step
        self.reason = reason
    }
}

extension CustodyService {
    /// Takes a transfer step for each finding, one event each; returns the findings changed.
    public func transfer(_ input: TransferRequestInput, by principal: Principal) throws(ServiceError) -> [Int64] {
        try authorize(principal, "transfer findings")
        guard !input.findingIDs.isEmpty else { throw ServiceError(.invalidInput, "which findings? give their ids") }
        let store = try store()
        let ids = try selectedIDs(.ids(input.findingIDs), store: store)
        switch input.step {
        case .request: try authorizeTeams(principal, ids, store: store)
        case .accept, .reject:
            // The receiving team decides: the pending request's receiver must be one of its teams.
            let pending = try perform { try store.transferRequests(pendingOnly: true) }
            let receiver = Dictionary(pending.map { ($0.findingID, $0.toTeam) }, uniquingKeysWith: { _, last in last })
            try authorizeTeams(principal, ids, store: store, receivers: receiver)
        case .resolve(let team):
            // An agency's security officer arbitrates between its own units' teams.
            try authorizeSecurityRole(principal, "arbitrate a transfer")
            try authorizeTeams(principal, ids, store: store)
            if principal.isScoped, let team, !principal.teams.contains(team) {
                throw ServiceError(
                    .forbidden, "\(principal.name) may not give findings to '\(team)', outside its units")
            }
        }
        let reason: String
        if input.step == .accept {
            reason = input.reason.flatMap { $0.isEmpty ? nil : $0 } ?? "accepted"
        } else {
            reason = try Self.required(input.reason, "reason: every transfer step says why")
        }
        return try perform {
            switch input.step {
            case .request(let team):
                try store.requestTransfer(findingIDs: ids, to: team, actor: principal.name, reason: reason)
            case .accept: try store.decideTransfer(findingIDs: ids, .accept, actor: principal.name, reason: reason)
            case .reject: try store.decideTransfer(findingIDs: ids, .reject, actor: principal.name, reason: reason)
            case .resolve(let team):
                try store.decideTransfer(findingIDs: ids, .arbitrate(to: team), actor: principal.name, reason: reason)
            }
        }
    }

    /// Transfer requests waiting for a decision, or every one.
    public func transferRequests(pendingOnly: Bool) throws(ServiceError) -> [TransferRequest] {
        let store = try store()
        return try perform { try store.transferRequests(pendingOnly: pendingOnly) }
    }
}
