/// What the release gate (`custody gate`) blocks: a commit that would ship new findings at or
/// above a severity, owning teams over their budget of overdue known-exploited or critical
/// findings, a repository with too much work nobody owns (docs/gate.md).
public struct GatePolicy: Sendable, Equatable {
    /// New findings of the commit at or above this severity block it.
    public var blockNewAt: Severity = .high
    /// Overdue open findings that are known exploited (KEV) or critical an owning team may hold
    /// before its repositories' releases are blocked, like an error budget.
    public var overdueAllowance = 0
    /// Per team, in place of ``overdueAllowance``.
    public var teamAllowances: [String: Int] = [:]
    /// Open unowned findings the repository may hold; nil: no limit.
    public var maxUnowned: Int?

    public init() {}

    public func allowance(team: String) -> Int { teamAllowances[team] ?? overdueAllowance }
}
