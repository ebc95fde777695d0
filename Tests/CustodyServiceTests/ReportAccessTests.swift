import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// Who may read which report: the board shows every team, so a team's principal may not; a
/// team reads its own team report and reviews its own findings only.
struct ReportAccessTests {
    @Test func theBoardIsForEveryRoleButATeams() throws {
        let fixture = try Fixture()
        try fixture.ingest(Fixture.sarif(count: 6))
        let alice = Principal(name: "alice@example.gov", role: .team, teams: ["payments"])
        expectFailure(.forbidden) { _ = try fixture.service.boardReport(by: alice) }
        let board = try fixture.service.boardReport(by: Principal(name: "ceo", role: .executive))
        #expect(board.units.map(\.unit.id) == ["treasury"])
        #expect(board.units[0].metrics.open == 4)  // payments' 2 and web's 2
        #expect(board.teams.map(\.team.id) == ["payments", "web"])
        #expect(board.teams.map(\.metrics.open) == [2, 2])
        #expect(board.unowned?.open == 2)
        #expect(board.organisation.unowned?.open == 2 && board.organisation.total.open == 6)
    }

    @Test func aTeamReadsItsOwnReportAndReviewsItsOwnFindings() throws {
        let fixture = try Fixture()
        try fixture.ingest(Fixture.sarif(count: 6))
        let alice = Principal(name: "alice@example.gov", role: .team, teams: ["payments"])
        expectFailure(.forbidden) { _ = try fixture.service.teamReport(team: "web", by: alice) }
        let own = try fixture.service.teamReport(team: "payments", by: alice)
        #expect(own.openCount == 2 && own.openWork.map(\.id) == [1, 4])
        // Finding 2 is web's: to alice, it is not there.
        expectFailure(.notFound) { _ = try fixture.service.incidentReviews([1, 2], by: alice) }
        let review = try #require(try fixture.service.incidentReviews([1], by: alice).first)
        #expect(review.owner?.lead == "bob@example.gov" && review.unit?.head == "dana@example.gov")
        #expect(review.custody.count == 1 && review.custody[0].team == "payments" && review.custody[0].heldDays == nil)
        expectFailure(.invalidInput) { _ = try fixture.service.incidentReviews([], by: alice) }
        expectFailure(.notFound) { _ = try fixture.service.incidentReviews([404], by: fixture.security) }
    }
}
