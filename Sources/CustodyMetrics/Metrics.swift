import CustodyCore
import Foundation

/// The accountability numbers of one group of findings (a team, an org unit with everything
/// below it, a severity, the whole organisation) over a period. docs/metrics.md defines each.
public struct GroupMetrics: Sendable {
    public var group: String
    /// The start of the group's period (seconds since 1970): day 0 of its daily series.
    public var since = 0.0
    /// Open work at the end of the period, by severity, and its total.
    public var openBySeverity: [Severity: Int] = [:]
    public var open: Int { openBySeverity.values.reduce(0, +) }
    /// Found in the period, and fixed in the period (whenever found).
    public var new = 0
    public var fixed = 0
    /// Findings found in the period: how long until their owner acted, and until they were fixed,
    /// those still waiting at the end censored. By severity as well as over all.
    public var timeToOwn: Survival
    public var timeToRemediate: Survival
    public var timeToRemediateBySeverity: [Severity: Survival] = [:]
    public var timeToOwnBySeverity: [Severity: Survival] = [:]
    /// Of the findings fixed in the period that had a due date, those fixed by it.
    public var fixedWithinSLA = 0
    public var fixedWithDueDate = 0
    /// Open at the end of the period and past due then, and their days past due in all.
    public var openPastDue = 0
    public var overdueDays = 0.0
    /// Open work at the end of each day of the period (UTC), the first day first.
    public var dailyOpen: [Int] = []
    /// Times findings were seen again after a fix, in the period (regressions).
    public var reopened = 0
    /// Open findings by the escalation stage they have reached now (none left out).
    public var escalated: [EscalationStage: Int] = [:]
    /// Findings accepted as risks at the end of the period, and those whose acceptance ends
    /// within 30 days of it.
    public var riskAccepted = 0
    public var riskAcceptedExpiringIn30Days = 0
    /// Risk acceptances that ran out in the period (the findings became open work again).
    public var riskAcceptancesExpired = 0
    /// Open at the end of the period, by CISA SSVC decision (undecided ones left out).
    public var openBySSVC: [SSVC.Decision: Int] = [:]
    /// Per day of the period: found, fixed and seen again after a fix (the first day first).
    public var dailyNew: [Int] = []
    public var dailyFixed: [Int] = []
    public var dailyReopened: [Int] = []
    /// Escapes: of the findings found in the period, those git attributed to an introducing
    /// commit, by the release that first shipped it ("(unreleased)": in no release tag yet) and by
    /// the team that owned the lines then, and how long each shipped before it was found.
    public var introduced = 0
    public var introducedByRelease: [String: Int] = [:]
    public var introducedByTeam: [String: Int] = [:]
    public var escapeTime: Survival
    /// Of the findings fixed in the period, by the release of the scan that proved the fix.
    public var fixedByRelease: [String: Int] = [:]
    /// Who does the fixing: the period's proved fixes (credited to the scan's uploader) and
    /// lifecycle actions, by whether the actor is a member of the team that owned the finding
    /// then, of another team, or of none (the security team, automation).
    public var fixesBy = ActorShares()
    public var actionsBy = ActorShares()
    /// Release gate decisions in the period that named the group's teams (docs/gate.md).
    public var gateBlocked = 0
    public var gateWarned = 0

    /// A group with nothing in it yet.
    public init(group: String) {
        self.group = group
        timeToOwn = Survival([])
        timeToRemediate = Survival([])
        escapeTime = Survival([])
    }

    /// The share of findings fixed in the period that met their due date (nil: none had one).
    public var slaCompliance: Double? {
        fixedWithDueDate > 0 ? Double(fixedWithinSLA) / Double(fixedWithDueDate) : nil
    }

    /// Fixed per found in the period: above 1 the backlog shrinks (nil: nothing was found).
    public var capacity: Double? { new > 0 ? Double(fixed) / Double(new) : nil }
}

/// Counts of actions by who performed them, against the team that owned the finding then.
public struct ActorShares: Sendable, Equatable {
    public var owningTeam = 0
    public var otherTeam = 0
    /// Actors in no team: the security team, scanners' uploaders, automation.
    public var noTeam = 0
    public var total: Int { owningTeam + otherTeam + noTeam }
    /// The owning team's share (nil: no action).
    public var owningShare: Double? { total > 0 ? Double(owningTeam) / Double(total) : nil }

    public init() {}
}

/// The accountability gap over the whole organisation: open work nobody owns.
public struct UnownedGap: Sendable, Equatable {
    public var open = 0
    /// Its share of all open work (nil: nothing is open).
    public var share: Double?
    public var oldestDays: Double?
    /// Findings that arrived unowned in the period: how long until someone was made the owner.
    public var timeToAssign: Survival
}

/// Computes ``GroupMetrics`` from findings streamed one at a time (memory grows with the groups
/// and the period's findings' durations, not with every field of every finding).
public struct MetricsBuilder {
    public let since: Double
    public let until: Double
    private let groupsOf: (FindingFacts) -> [String]
    /// Actor (lower case, without a leading @) -> the teams it is a member of.
    private let membership: [String: Set<String>]
    /// The groups in the order first met, and where each is: an array element is changed in
    /// place (a dictionary's value through `!` was copied, arrays and all, for every finding).
    private var groups: [Accumulator] = []
    private var slots: [String: Int] = [:]
    private var unowned = (open: 0, oldest: 0.0, allOpen: 0, assign: [Survival.Observation]())

    fileprivate struct Accumulator {
        var metrics: GroupMetrics
        var own: [Survival.Observation] = []
        var remediate: [Survival.Observation] = []
        /// By severity, indexed by its position in `Severity.allCases` (no hashing per finding).
        var remediateBySeverity: [[Survival.Observation]] = Array(repeating: [], count: Severity.allCases.count)
        var ownBySeverity: [[Survival.Observation]] = Array(repeating: [], count: Severity.allCases.count)
        var openBySeverity = Array(repeating: 0, count: Severity.allCases.count)
        /// Per day of the period: findings that became open, and that stopped being open.
        var opened: [Int]
        var closed: [Int]
        var openBefore = 0
        var reopened: [Int]
        var escapes: [Survival.Observation] = []
    }

    public static let day = 86_400.0

    /// The period's bounds and days, handed to each group's accumulator (not the builder itself:
    /// a copy of the builder would share, and so copy on the next write, every group's arrays).
    fileprivate struct Period {
        var since: Double
        var until: Double
        var days: Int
        var membership: [String: Set<String>]

        /// Whether `actor` is a member of `team`, of another team, or of none.
        func credit(_ actor: String, team: String?, in shares: inout ActorShares) {
            guard let teams = membership[MetricsBuilder.memberKey(actor)], !teams.isEmpty else {
                shares.noTeam += 1
                return
            }
            if let team, teams.contains(team) { shares.owningTeam += 1 } else { shares.otherTeam += 1 }
        }

        /// The day of the period `time` falls in (nil: outside it). Day i is
        /// (since + i days, since + i + 1 days]: a time on the boundary ends its day.
        func dayIndex(_ time: Double) -> Int? {
            guard time > since, time <= until else { return nil }
            return min(days - 1, max(0, Int(((time - since) / MetricsBuilder.day).rounded(.up)) - 1))
        }
    }

    /// An actor or member handle as the membership compares it: lower case, without a leading @.
    static func memberKey(_ handle: String) -> String {
        let name = handle.lowercased()
        return name.hasPrefix("@") ? String(name.dropFirst()) : name
    }

    private var period: Period { Period(since: since, until: until, days: days, membership: membership) }

    /// `groupsOf` names the groups a finding counts in (its team and that team's units, say);
    /// none leaves it out of every group. `members` maps each team to its members' handles
    /// (for who does the fixing).
    public init(
        since: Double, until: Double, members: [String: [String]] = [:],
        groupsOf: @escaping (FindingFacts) -> [String]
    ) {
        self.since = since
        self.until = max(until, since)
        self.groupsOf = groupsOf
        var membership: [String: Set<String>] = [:]
        for (team, handles) in members {
            for handle in handles { membership[Self.memberKey(handle), default: []].insert(team) }
        }
        self.membership = membership
    }

    fileprivate var days: Int { max(1, Int(((until - since) / Self.day).rounded(.up))) }

    public mutating func add(_ finding: FindingFacts) {
        let openAtEnd = finding.isOpen(at: until)
        if openAtEnd { unowned.allOpen += 1 }
        if openAtEnd, finding.owner(at: until) == nil {
            unowned.open += 1
            unowned.oldest = max(unowned.oldest, (until - finding.discoveredAt) / Self.day)
        }
        let foundInPeriod = finding.discoveredAt > since && finding.discoveredAt <= until
        if foundInPeriod, finding.arrivedUnowned {
            unowned.assign.append(Self.observation(from: finding.discoveredAt, to: finding.assignedAt, end: until))
        }
        let period = self.period
        for name in groupsOf(finding) {
            let slot: Int
            if let known = slots[name] {
                slot = known
            } else {
                slot = groups.count
                slots[name] = slot
                groups.append(
                    Accumulator(
                        metrics: GroupMetrics(group: name), opened: Array(repeating: 0, count: days),
                        closed: Array(repeating: 0, count: days), reopened: Array(repeating: 0, count: days)))
            }
            groups[slot].add(finding, period: period, openAtEnd: openAtEnd, foundInPeriod: foundInPeriod)
        }
    }

    /// From `start` until `end` (finished) or, if it has not happened by the end of the period,
    /// until then (censored).
    static func observation(from start: Double, to end: Double?, end periodEnd: Double) -> Survival.Observation {
        if let end, end <= periodEnd { return Survival.Observation(days: (end - start) / day, finished: true) }
        return Survival.Observation(days: (periodEnd - start) / day, finished: false)
    }

    /// The groups in the order first met, and the gap.
    public func result() -> (groups: [GroupMetrics], unowned: UnownedGap) {
        let finished = groups.map { accumulator in
            var metrics = accumulator.finished()
            metrics.since = since
            return metrics
        }
        let gap = UnownedGap(
            open: unowned.open, share: unowned.allOpen > 0 ? Double(unowned.open) / Double(unowned.allOpen) : nil,
            oldestDays: unowned.open > 0 ? unowned.oldest : nil, timeToAssign: Survival(unowned.assign))
        return (finished, gap)
    }
}

extension MetricsBuilder.Accumulator {
    mutating func add(
        _ finding: FindingFacts, period builder: MetricsBuilder.Period, openAtEnd: Bool, foundInPeriod: Bool
    ) {
        metrics.reopened += finding.reopenedInPeriod
        metrics.riskAcceptancesExpired += finding.riskExpiredAt.count
        for time in finding.reopenedAt {
            if let day = builder.dayIndex(time) { reopened[day] += 1 }
        }
        for action in finding.actions {
            let team = finding.owner(at: action.at)
            if action.isFix {
                builder.credit(action.actor, team: team, in: &metrics.fixesBy)
            } else {
                builder.credit(action.actor, team: team, in: &metrics.actionsBy)
            }
        }
        if finding.status == .riskAccepted, let end = finding.riskAcceptedUntil, end > builder.until {
            metrics.riskAccepted += 1
            if end <= builder.until + 30 * MetricsBuilder.day { metrics.riskAcceptedExpiringIn30Days += 1 }
        }
        if openAtEnd {
            if finding.escalation != .none { metrics.escalated[finding.escalation, default: 0] += 1 }
            if let decision = finding.ssvc { metrics.openBySSVC[decision, default: 0] += 1 }
            openBySeverity[finding.severity.index] += 1
            if let due = finding.dueAt, due < builder.until {
                metrics.openPastDue += 1
                metrics.overdueDays += (builder.until - due) / MetricsBuilder.day
            }
        }
        if foundInPeriod {
            metrics.new += 1
            let owned = MetricsBuilder.observation(from: finding.discoveredAt, to: finding.ownedAt, end: builder.until)
            own.append(owned)
            ownBySeverity[finding.severity.index].append(owned)
            let fix = MetricsBuilder.observation(from: finding.discoveredAt, to: finding.fixedAt, end: builder.until)
            remediate.append(fix)
            remediateBySeverity[finding.severity.index].append(fix)
            if let introduction = finding.introduction {
                metrics.introduced += 1
                metrics.introducedByRelease[introduction.release ?? "(unreleased)", default: 0] += 1
                metrics.introducedByTeam[introduction.team ?? "(unowned)", default: 0] += 1
                if let at = introduction.at {
                    escapes.append(
                        Survival.Observation(days: (finding.discoveredAt - at) / MetricsBuilder.day, finished: true))
                }
            }
        }
        if let fixedAt = finding.fixedAt, fixedAt > builder.since, fixedAt <= builder.until {
            metrics.fixed += 1
            if let release = finding.fixedInRelease { metrics.fixedByRelease[release, default: 0] += 1 }
            if let due = finding.dueAt {
                metrics.fixedWithDueDate += 1
                if fixedAt <= due { metrics.fixedWithinSLA += 1 }
            }
        }
        // The daily series: open before the period, then each day's openings and closings.
        if finding.isOpen(at: builder.since) {
            openBefore += 1
        } else if let day = builder.dayIndex(finding.discoveredAt) {
            opened[day] += 1
        }
        let stillOpenAt = finding.isOpen(at: builder.until)
        if !stillOpenAt, finding.discoveredAt <= builder.until, let end = finding.fixedAt,
            let day = builder.dayIndex(end)
        {
            closed[day] += 1
        }
    }

    func finished() -> GroupMetrics {
        var metrics = self.metrics
        metrics.timeToOwn = Survival(own)
        metrics.timeToRemediate = Survival(remediate)
        metrics.escapeTime = Survival(escapes)
        metrics.dailyNew = opened
        metrics.dailyFixed = closed
        metrics.dailyReopened = reopened
        for (index, severity) in Severity.allCases.enumerated() {
            if openBySeverity[index] > 0 { metrics.openBySeverity[severity] = openBySeverity[index] }
            if !remediateBySeverity[index].isEmpty {
                metrics.timeToRemediateBySeverity[severity] = Survival(remediateBySeverity[index])
            }
            if !ownBySeverity[index].isEmpty { metrics.timeToOwnBySeverity[severity] = Survival(ownBySeverity[index]) }
        }
        var open = openBefore
        metrics.dailyOpen = zip(opened, closed).map { opened, closed in
            open += opened - closed
            return open
        }
        return metrics
    }
}

extension Severity {
    /// The position in `allCases`, critical first.
    fileprivate var index: Int {
        switch self {
        case .critical: 0
        case .high: 1
        case .medium: 2
        case .low: 3
        case .info: 4
        }
    }
}
