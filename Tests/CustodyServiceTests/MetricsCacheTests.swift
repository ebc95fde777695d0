import CustodyCore
import CustodyService
import Foundation
import Testing

/// A metrics report asked for again is the one computed, until something is recorded.
struct MetricsCacheTests {
    @Test func aTeamsMetricsAreReusedUntilSomethingIsRecorded() throws {
        let fixture = try Fixture()
        try fixture.ingest(Fixture.sarif(count: 30))
        let payments = MetricsRequest(scope: .team("payments"))
        let first = try fixture.service.metrics(payments, by: fixture.security)
        #expect(first.total.open == 10)
        Thread.sleep(forTimeInterval: 0.01)
        // Asked again: the same report, its period ending when it was computed.
        let again = try fixture.service.metrics(payments, by: fixture.security)
        #expect(again.until == first.until)
        // Another question is computed for itself: another team, a breakdown, a period given.
        let web = try fixture.service.metrics(MetricsRequest(scope: .team("web")), by: fixture.security)
        #expect(web.until > first.until)
        #expect(web.total.open == 10)
        let bySeverity = try fixture.service.metrics(
            MetricsRequest(scope: .team("payments"), breakdown: .severity), by: fixture.security)
        #expect(bySeverity.groups.map(\.group) == ["high"], "payments holds the errors")
        #expect(bySeverity.groups.first?.open == 10)
        // A team member gets its team's cached report, and still no other team's.
        let member = Principal(name: "pat", role: .team, teams: ["payments"])
        #expect(try fixture.service.metrics(payments, by: member).until == first.until)
        expectFailure(.forbidden) { _ = try fixture.service.metrics(MetricsRequest(scope: .team("web")), by: member) }
        // Something recorded: the next report is computed again and counts it.
        _ = try fixture.service.transition(
            TransitionRequest(
                selection: .ids([1]), action: .falsePositive(justification: "code_not_present"), reason: "r"),
            by: fixture.security)
        let after = try fixture.service.metrics(payments, by: fixture.security)
        #expect(after.until > first.until)
        #expect(after.total.open == 9)
    }
}
