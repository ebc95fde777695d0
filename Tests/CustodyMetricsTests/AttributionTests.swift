import CustodyCore
import CustodyMetrics
import Testing

/// Who is held to account for a finding in a period (its owner at the time), escapes per
/// release, who does the fixing, and arrivals by week and month: hand-built histories with
/// answers worked out in the comments.
struct AttributionTests {
    static let day = MetricsBuilderTests.day
    static let since = MetricsBuilderTests.since
    static func at(_ days: Double) -> Double { since + days * day }

    static func metrics(
        _ findings: [FindingFacts], days: Double = 30, members: [String: [String]] = [:]
    ) -> [String: GroupMetrics] {
        let until = at(days)
        var builder = MetricsBuilder(since: since, until: until, members: members) {
            ["all", $0.accountableTeam(until: until) ?? "(unowned)"]
        }
        for finding in findings { builder.add(finding) }
        return Dictionary(uniqueKeysWithValues: builder.result().groups.map { ($0.group, $0) })
    }

    /// Found by team a on day 1, transferred to b on day 10.
    static func transferred(fixed: Double?) -> FindingFacts {
        var finding = MetricsBuilderTests.finding(1, .high, team: "b", found: 1, fixed: fixed)
        finding.ownerSpans = [.init(from: at(1), team: "a"), .init(from: at(10), team: "b")]
        return finding
    }

    @Test func aFindingCountsForItsOwnerAtTheTime() throws {
        // Fixed on day 20, after the transfer: b fixed it, b is accountable.
        let fixedByB = Self.metrics([Self.transferred(fixed: 20)])
        #expect(fixedByB["b"]?.fixed == 1 && fixedByB["a"] == nil)
        // Open at the end of a period that ended on day 5, before the transfer: a's open work then.
        let before = Self.metrics([Self.transferred(fixed: nil)], days: 5)
        #expect(before["a"]?.open == 1 && before["b"] == nil)
        // Over 30 days it is b's.
        #expect(Self.metrics([Self.transferred(fixed: nil)])["b"]?.open == 1)
        let finding = Self.transferred(fixed: nil)
        #expect(finding.owner(at: Self.at(0.5)) == "a")  // before discovery: the first span's team
        #expect(finding.owner(at: Self.at(9.9)) == "a" && finding.owner(at: Self.at(10)) == "b")
    }

    @Test func anUnownedFindingAssignedLaterLeavesTheGap() {
        var finding = MetricsBuilderTests.finding(1, .high, team: "a", found: 1)
        finding.arrivedUnowned = true
        finding.ownerSpans = [.init(from: Self.at(1), team: nil), .init(from: Self.at(8), team: "a")]
        finding.assignedAt = Self.at(8)
        var builder = MetricsBuilder(since: Self.since, until: Self.at(5)) { _ in ["all"] }
        builder.add(finding)
        #expect(builder.result().unowned.open == 1)  // unowned on day 5
        builder = MetricsBuilder(since: Self.since, until: Self.at(30)) { _ in ["all"] }
        builder.add(finding)
        let gap = builder.result().unowned
        #expect(gap.open == 0 && gap.timeToAssign.medianDays == 7)  // day 1 -> day 8
    }

    @Test func escapesPerReleaseAndTheReleaseThatFixedThem() throws {
        var one = MetricsBuilderTests.finding(1, .high, team: "a", found: 2, fixed: 12)
        one.introduction = .init(release: "v1.0", team: "a", at: Self.at(-8))  // shipped 10 days before found
        one.fixedInRelease = "v1.1"
        var two = MetricsBuilderTests.finding(2, .medium, team: "a", found: 4)
        two.introduction = .init(release: "v1.0", team: "b", at: Self.at(-26))  // 30 days
        var three = MetricsBuilderTests.finding(3, .low, team: "a", found: 6)
        three.introduction = .init(release: nil, team: "a", at: Self.at(1))  // 5 days, unreleased
        let four = MetricsBuilderTests.finding(4, .low, team: "a", found: 7)  // no introducer
        let a = try #require(Self.metrics([one, two, three, four])["a"])
        #expect(a.introduced == 3)
        #expect(a.introducedByRelease == ["v1.0": 2, "(unreleased)": 1])
        #expect(a.introducedByTeam == ["a": 2, "b": 1])
        // Escape times 5, 10, 30, all known: the median is 10 days, the mean 15.
        #expect(a.escapeTime.medianDays == 10 && a.escapeTime.naiveMeanDays == 15)
        #expect(a.fixedByRelease == ["v1.1": 1])
    }

    @Test func whoDoesTheFixing() throws {
        var finding = Self.transferred(fixed: 20)
        finding.actions = [
            .init(actor: "@Alice", at: Self.at(2), isFix: false),  // a's member acknowledges while a owns it
            .init(actor: "alice", at: Self.at(12), isFix: false),  // after the transfer: another team's
            .init(actor: "sec-officer", at: Self.at(15), isFix: false),  // in no team
            .init(actor: "bob", at: Self.at(20), isFix: true),  // b's member's pipeline proves the fix
        ]
        let b = try #require(Self.metrics([finding], members: ["a": ["@alice"], "b": ["bob"]])["b"])
        #expect(b.actionsBy.owningTeam == 1 && b.actionsBy.otherTeam == 1 && b.actionsBy.noTeam == 1)
        #expect(b.fixesBy.owningTeam == 1 && b.fixesBy.total == 1 && b.fixesBy.owningShare == 1)
        #expect(b.actionsBy.owningShare == 1.0 / 3)
    }

    @Test func arrivalsByDayWeekAndMonth() throws {
        // A period from 2026-01-25 to 2026-02-10 (16 days): found on the 26th (day 1), the 2nd
        // of February (day 8) and the 9th (day 15); the first fixed on the 3rd (day 9) and seen
        // again on the 5th (day 11).
        let start = Timestamp.date("2026-01-25")!.timeIntervalSince1970
        func on(_ day: Double) -> Double { start + day * Self.day + 3600 }
        var first = FindingFacts(
            id: 1, severity: .high, status: .fixed, team: "a", discoveredAt: on(1), fixedAt: on(9))
        first.reopenedAt = [on(11)]
        let second = FindingFacts(id: 2, severity: .high, status: .open, team: "a", discoveredAt: on(8))
        let third = FindingFacts(id: 3, severity: .high, status: .open, team: "a", discoveredAt: on(15))
        var builder = MetricsBuilder(since: start, until: start + 16 * Self.day) { _ in ["a"] }
        for finding in [first, second, third] { builder.add(finding) }
        let a = try #require(builder.result().groups.first)
        #expect(a.dailyNew.count == 16 && a.dailyNew[1] == 1 && a.dailyNew[8] == 1 && a.dailyNew[15] == 1)
        let weeks = Arrivals.buckets(a, since: start, per: .week)
        #expect(weeks.map(\.start) == ["2026-01-25", "2026-02-01", "2026-02-08"])
        #expect(
            weeks.map(\.new) == [1, 1, 1] && weeks.map(\.fixed) == [0, 1, 0] && weeks.map(\.reopened) == [0, 1, 0])
        let months = Arrivals.buckets(a, since: start, per: .month)
        #expect(months.map(\.start) == ["2026-01-25", "2026-02-01"])
        #expect(months.map(\.new) == [1, 2] && months.map(\.fixed) == [0, 1])
        #expect(Arrivals.buckets(a, since: start, per: .day).count == 16)
    }

    @Test func openRiskBySSVCDecision() throws {
        var act = MetricsBuilderTests.finding(1, .critical, team: "a", found: 1)
        act.ssvc = .act
        var track = MetricsBuilderTests.finding(2, .low, team: "a", found: 2)
        track.ssvc = .track
        var fixedAct = MetricsBuilderTests.finding(3, .critical, team: "a", found: 2, fixed: 3)
        fixedAct.ssvc = .act
        let a = try #require(Self.metrics([act, track, fixedAct])["a"])
        #expect(a.openBySSVC == [.act: 1, .track: 1])
    }
}
