import CustodyCore
import CustodyMetrics
import Testing

/// The metrics of a hand-built history, each figure worked out by hand in the comments.
struct MetricsBuilderTests {
    static let day = 86_400.0
    /// A period of 30 days; times below are days into it (negative: before it).
    static let since = 1_700_000_000.0

    static func at(_ days: Double?) -> Double? { days.map { since + $0 * day } }

    static func finding(
        _ id: Int64, _ severity: Severity, team: String?, found: Double, owned: Double? = nil,
        fixed: Double? = nil, due: Double? = nil, status: FindingStatus? = nil
    ) -> FindingFacts {
        FindingFacts(
            id: id, severity: severity, status: status ?? (fixed == nil ? .open : .fixed), team: team,
            discoveredAt: at(found)!, ownedAt: at(owned), fixedAt: at(fixed), dueAt: at(due),
            arrivedUnowned: team == nil)
    }

    /// Team a: three found in the period (fixed after 4 and 18 days, one still open at 27),
    /// one found before it and fixed in it. Team b: one open. One nobody owns.
    static let history = [
        finding(1, .critical, team: "a", found: 1, owned: 2, fixed: 5, due: 8),
        finding(2, .high, team: "a", found: 2, owned: 10, fixed: 20, due: 15),
        finding(3, .high, team: "a", found: 3, due: 10),
        finding(4, .medium, team: "a", found: -10, fixed: 4),
        finding(5, .low, team: "b", found: 5.5),
        finding(6, .high, team: nil, found: 6),
        // Fixed before the period: in no figure of it.
        finding(7, .high, team: "a", found: -20, fixed: -5),
    ]

    /// The same history where finding 3 has climbed to the lead, 2 was seen again after a fix
    /// once in the period, and an eighth finding is an accepted risk until day 45.
    static var extended: [FindingFacts] {
        var findings = history
        findings[2].escalation = .lead
        findings[1].reopenedAt = [at(22)!]
        var accepted = finding(8, .medium, team: "a", found: -40, status: .riskAccepted)
        accepted.riskAcceptedUntil = at(45)
        findings.append(accepted)
        return findings
    }

    static func metrics(_ findings: [FindingFacts] = history) -> (groups: [String: GroupMetrics], gap: UnownedGap) {
        var builder = MetricsBuilder(since: since, until: since + 30 * day) { ["all", $0.team ?? "(unowned)"] }
        for finding in findings { builder.add(finding) }
        let (groups, gap) = builder.result()
        return (Dictionary(uniqueKeysWithValues: groups.map { ($0.group, $0) }), gap)
    }

    @Test func arrivalsOpenWorkAndCapacity() throws {
        let a = try #require(Self.metrics().groups["a"])
        #expect(a.new == 3)  // 1, 2, 3
        #expect(a.fixed == 3)  // 1, 2 and 4 (found before the period)
        #expect(a.openBySeverity == [.high: 1])  // 3
        #expect(a.capacity == 1)
        let all = try #require(Self.metrics().groups["all"])
        #expect(all.new == 5 && all.open == 3)  // 3, 5, 6 open
    }

    @Test func timeToRemediateAndToOwnCensorTheOpen() throws {
        let a = try #require(Self.metrics().groups["a"])
        // Durations 4, 18 and 27 (open, censored): S(4) = 2/3, S(18) = 1/3; the median is 18.
        #expect(a.timeToRemediate.medianDays == 18)
        #expect(a.timeToRemediate.observed == 2 && a.timeToRemediate.censored == 1)
        #expect(a.timeToRemediate.naiveMeanDays == 11)  // (4 + 18) / 2
        #expect(a.timeToRemediate.p90Days == nil)
        // Owned after 1 and 8 days, 3 never (27, censored): the median is 8.
        #expect(a.timeToOwn.medianDays == 8)
        // High: 18 and 27 (open): S(18) = 1/2, so half were fixed by 18; it never falls to 1/4.
        #expect(a.timeToRemediateBySeverity[.high]?.medianDays == 18)
        #expect(a.timeToRemediateBySeverity[.high]?.p75Days == nil)
        #expect(a.timeToRemediateBySeverity[.critical]?.medianDays == 4)
    }

    @Test func slaComplianceAndOverdueWork() throws {
        let a = try #require(Self.metrics().groups["a"])
        #expect(a.fixedWithDueDate == 2 && a.fixedWithinSLA == 1)  // 1 on time, 2 five days late
        #expect(a.slaCompliance == 0.5)
        #expect(a.openPastDue == 1)  // 3, due on day 10
        #expect(abs(a.overdueDays - 20) < 1e-9)
    }

    @Test func theDailySeriesOfOpenWork() throws {
        let a = try #require(Self.metrics().groups["a"])
        #expect(a.dailyOpen.count == 30)
        // Day i ends at i + 1: 4 is open from before; 1 arrives on day 1 (ends at 1), 2 at 2, 3 at 3;
        // 4 is fixed at 4, 1 at 5, 2 at 20.
        #expect(Array(a.dailyOpen.prefix(6)) == [2, 3, 4, 3, 2, 2])
        #expect(a.dailyOpen[18] == 2 && a.dailyOpen[19] == 1 && a.dailyOpen.last == 1)
        #expect(a.dailyOpen.last == a.open)
    }

    @Test func theAccountabilityGap() {
        let gap = Self.metrics().gap
        #expect(gap.open == 1)
        #expect(gap.share == 1.0 / 3)
        #expect(gap.oldestDays == 24)
        #expect(gap.timeToAssign.censored == 1 && gap.timeToAssign.medianDays == nil)
    }

    @Test func regressionsEscalationsAndAcceptedRisks() throws {
        let a = try #require(Self.metrics(Self.extended).groups["a"])
        #expect(a.reopened == 1)
        #expect(a.escalated == [.lead: 1])
        #expect(a.riskAccepted == 1 && a.riskAcceptedExpiringIn30Days == 1)  // day 45 <= 30 + 30
        #expect(a.open == 1)  // an accepted risk is not open work
        let plain = try #require(Self.metrics().groups["a"])
        #expect(plain.reopened == 0 && plain.escalated.isEmpty && plain.riskAccepted == 0)
    }
}
