import CustodyCore
import CustodyJSON
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// A service over a real store (a SQLite file in a temporary directory, or a schema of its own on
/// PostgreSQL), with two teams and CODEOWNERS.
final class Fixture: @unchecked Sendable {
    let directory = TemporaryDirectory()
    /// Where the store is (``TestDatabase``).
    let database: String
    let service: CustodyService
    let security = Principal(name: "sec-lead", role: .security)
    var codeowners: String { directory.file("CODEOWNERS") }

    init() throws {
        database = TestDatabase.location(directory.file("custody.db"))
        service = CustodyService(databasePath: database)
        let teams = """
            units:
              - id: treasury
                name: Treasury
                head: dana@example.gov
            teams:
              - id: payments
                name: Payments
                unit: treasury
                lead: bob@example.gov
                handles: ["@example/payments"]
              - id: web
                name: Web
                unit: treasury
                handles: ["@example/web"]
            """
        _ = try service.importOrganisation([.text(name: "teams.yaml", teams)], by: security)
        try directory.write("CODEOWNERS", "/services/payments/ @example/payments\n/web/ @example/web\n")
    }

    /// A SARIF report of `count` results over payments, web and unowned paths, with messages
    /// that need escaping in JSON and in CSV.
    static func sarif(count: Int, severityOf: (Int) -> String = { ["error", "warning", "note"][$0 % 3] }) -> String {
        let results = (0..<count).map { index in
            let path = ["services/payments/a.py", "web/b.js", "vendor/c.go"][index % 3]
            let message = "bad \\\"input\\\" \(index),\\n=cmd|' \u{2028} é"
            return
                #"{"ruleId":"R\#(index % 7)","level":"\#(severityOf(index))","message":{"text":"\#(message)"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"\#(path)"},"region":{"startLine":\#(index + 1),"snippet":{"text":"code(\#(index))"}}}}]}"#
        }
        return
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner","rules":[]}},"results":[\#(results.joined(separator: ","))]}]}"#
    }

    @discardableResult
    func ingest(
        _ body: String, name: String = "upload.sarif", scope: ScanScope = .full, through other: CustodyService? = nil
    ) throws -> IngestSummary {
        var request = IngestRequest(inputs: [.bytes(name: name, Array(body.utf8))])
        request.repository = "portal"
        request.scope = scope
        let service = other ?? self.service
        request.codeowners = codeowners
        guard case .scans(let summary, _, _) = try service.ingest(request, by: security) else {
            Issue.record("expected scans")
            return IngestSummary()
        }
        return summary
    }

    func json(_ bytes: [UInt8]) throws -> JSONValue { try JSONDocument(bytes: bytes).root }
}

/// Asserts `body` fails with a service error of `kind`, and returns it.
@discardableResult
func expectFailure(
    _ kind: ServiceError.Kind, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
)
    -> ServiceError?
{
    do {
        try body()
        Issue.record("expected a \(kind.rawValue) error, got success", sourceLocation: sourceLocation)
    } catch let error as ServiceError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a ServiceError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

struct ServiceTests {
    @Test func anUploadedBodyIngestsLikeAFileAndABadOneChangesNothing() throws {
        let fixture = try Fixture()
        let summary = try fixture.ingest(Fixture.sarif(count: 9))
        #expect(summary.new == 9)
        #expect(summary.unowned == 3)
        // The same report from a file is the same nine findings, seen again.
        let file = try fixture.directory.write("r.sarif", Fixture.sarif(count: 9))
        var request = IngestRequest(inputs: [.file(file)])
        request.repository = "portal"
        request.codeowners = fixture.codeowners
        guard case .scans(let again, _, _) = try fixture.service.ingest(request, by: fixture.security) else {
            Issue.record("expected scans")
            return
        }
        #expect(again.new == 0)
        #expect(again.seen == 9)
        let counts = try fixture.service.counts()
        // A good body and a cut one in one request: one transaction, nothing recorded.
        let cut = String(Fixture.sarif(count: 3).prefix(150))
        request.inputs = [
            .bytes(name: "good.sarif", Array(Fixture.sarif(count: 12).utf8)),
            .bytes(name: "cut.sarif", Array(cut.utf8)),
        ]
        let error = expectFailure(.invalidInput) { _ = try fixture.service.ingest(request, by: fixture.security) }
        #expect(error?.file == "cut.sarif")
        #expect(error?.place?.contains("line 1") == true)
        #expect(try fixture.service.counts() == counts)
        // Over the limit: its own kind.
        request.inputs = [.bytes(name: "big.sarif", Array(Fixture.sarif(count: 3).utf8))]
        request.limits.maxBytes = 100
        expectFailure(.limitExceeded) { _ = try fixture.service.ingest(request, by: fixture.security) }
    }

    @Test func everySortOrderPagesThroughEveryFindingOnceInOrder() throws {
        let fixture = try Fixture()
        try fixture.ingest(Fixture.sarif(count: 250))
        // `custody priority` decides every open finding's priority.
        _ = try fixture.service.priority(team: nil, limit: 1)
        for sort in FindingSort.allCases {
            let whole = try fixture.service.findings(FindingListRequest(sort: sort))
            #expect(whole.count == 250)
            var paged: [Int64] = []
            var cursor: String?
            var pages = 0
            repeat {
                let request = FindingListRequest(sort: sort, cursor: cursor, limit: 40)
                var page: [Int64] = []
                let summary = try fixture.service.forEachFinding(request) { page.append($0.id) }
                #expect(summary.count == page.count)
                paged += page
                cursor = summary.nextCursor
                pages += 1
            } while cursor != nil && pages < 20
            #expect(paged == whole.map(\.id), "sort \(sort)")
            #expect(pages == 7)  // six full pages and one of ten
        }
        let bySeverity = try fixture.service.findings(FindingListRequest(sort: .severity)).map(\.severity.rank)
        #expect(bySeverity == bySeverity.sorted(by: >))
        let byPriority = try fixture.service.findings(FindingListRequest(sort: .priority)).map { $0.priority ?? -1 }
        #expect(byPriority == byPriority.sorted(by: >) && Set(byPriority).count > 1 && !byPriority.contains(-1))
        // A cursor of one order cannot continue another; garbage is refused, never guessed.
        let first = try fixture.service.forEachFinding(FindingListRequest(sort: .severity, limit: 5)) { _ in }
        let cursor = try #require(first.nextCursor)
        expectFailure(.invalidInput) { _ = try fixture.service.findings(FindingListRequest(sort: .id, cursor: cursor)) }
        expectFailure(.invalidInput) { _ = try fixture.service.findings(FindingListRequest(cursor: "%%%not-a-cursor")) }
    }

    @Test func filtersNarrowAndNameWhatDoesNotExist() throws {
        let fixture = try Fixture()
        try fixture.ingest(Fixture.sarif(count: 30))
        var filter = FindingFilter()
        filter.team = "payments"
        let payments = try fixture.service.findings(FindingListRequest(filter: filter))
        #expect(payments.count == 10)
        #expect(payments.allSatisfy { $0.ownerTeam == "payments" })
        filter.severity = .high
        let high = try fixture.service.findings(FindingListRequest(filter: filter))
        #expect(!high.isEmpty && high.allSatisfy { $0.severity == .high && $0.ownerTeam == "payments" })
        filter = FindingFilter()
        filter.unownedOnly = true
        #expect(try fixture.service.findings(FindingListRequest(filter: filter)).count == 10)
        filter = FindingFilter()
        filter.team = "ghosts"
        let error = expectFailure(.notFound) { _ = try fixture.service.findings(FindingListRequest(filter: filter)) }
        #expect(error?.message.contains("unknown team 'ghosts'") == true)
        filter.team = nil
        filter.ownedAt = "2026-01-01"
        expectFailure(.invalidInput) { _ = try fixture.service.findings(FindingListRequest(filter: filter)) }
        expectFailure(.notFound) { _ = try fixture.service.finding(9999) }
    }

    @Test func streamsAreValidJSONJSONLinesAndCSVWithEveryRow() throws {
        let fixture = try Fixture()
        try fixture.ingest(Fixture.sarif(count: 120))
        let rows = try fixture.service.findings(FindingListRequest())
        // A JSON array whose rows carry the exact text of each message.
        let json = ByteBuffer()
        let summary = try fixture.service.writeFindings(FindingListRequest(), as: .json, to: json)
        #expect(summary.count == 120)
        let parsed = try fixture.json(json.bytes)
        var messages: [String] = []
        var elements = try #require(parsed.array)
        while let element = elements.next() { messages.append(element["message"]?.string ?? "") }
        #expect(messages == rows.map(\.message))
        #expect(messages[0].contains("\u{2028}") && messages[0].contains("\"input\"") && messages[0].contains("\n"))
        // JSON Lines: one parseable object a line, the same ids.
        let lines = ByteBuffer()
        _ = try fixture.service.writeFindings(FindingListRequest(), as: .jsonl, to: lines)
        let ids = try lines.text.split(separator: "\n").map { try fixture.json(Array($0.utf8))["id"]?.int ?? 0 }
        #expect(ids.map(Int64.init) == rows.map(\.id))
        // CSV: the header and one record per row; a cell with quotes, a comma and a newline is
        // quoted with its quotes doubled, a formula-looking one defused.
        let csv = ByteBuffer()
        _ = try fixture.service.writeFindings(FindingListRequest(), as: .csv, to: csv)
        #expect(csv.text.hasPrefix(Wire.findingCSVColumns.joined(separator: ",") + "\r\n"))
        #expect(csv.text.components(separatedBy: "\r\n").count == 122)  // header, 120 rows, trailing ""
        #expect(csv.text.contains(#""bad ""input"" 0,"#))
        #expect(CSV.line(["=1+1", "a,b", "plain"]) == #"'=1+1,"a,b",plain"#)
        // An empty listing is still a document.
        var none = FindingFilter()
        none.rule = "no-such-rule"
        let empty = ByteBuffer()
        _ = try fixture.service.writeFindings(FindingListRequest(filter: none), as: .json, to: empty)
        #expect(empty.text == "[]\n")
    }

    @Test func changesNameTheirPrincipalAndReadOnlyRolesAreRefused() throws {
        let fixture = try Fixture()
        try fixture.ingest(Fixture.sarif(count: 6))
        let alice = Principal(name: "alice@example.gov", role: .team, teams: ["payments"])
        let response = try fixture.service.transition(
            TransitionRequest(selection: .ids([1]), action: .acknowledge, reason: "on it"), by: alice)
        #expect(response.changed == [1])
        #expect(try fixture.service.trace(1).timeline.last?.who == "alice@example.gov")
        // Acknowledging again is refused with the reason; nothing changed.
        let refused = expectFailure(.refused) {
            _ = try fixture.service.transition(
                TransitionRequest(selection: .ids([1]), action: .acknowledge, reason: "again"), by: alice)
        }
        #expect(refused?.message.contains("finding 1") == true)
        // Every change needs its reason, and its parts checked.
        expectFailure(.invalidInput) {
            _ = try fixture.service.transition(
                TransitionRequest(selection: .ids([2]), action: .reopen, reason: " "), by: alice)
        }
        expectFailure(.invalidInput) {
            _ = try fixture.service.transition(
                TransitionRequest(selection: .ids([2]), action: .falsePositive(justification: "because"), reason: "r"),
                by: alice)
        }
        // A team member may not accept risk; a lead may, with its parts checked.
        let acceptance = TransitionRequest(
            selection: .ids([2]), action: .acceptRisk(until: "2001-01-01", approver: "bob@example.gov"), reason: "r")
        expectFailure(.forbidden) { _ = try fixture.service.transition(acceptance, by: alice) }
        let lead = Principal(name: alice.name, role: .lead, teams: alice.teams)
        expectFailure(.invalidInput) { _ = try fixture.service.transition(acceptance, by: lead) }
        // Transfers: to the owner itself is a conflict; of a finding that does not exist, not found.
        expectFailure(.conflict) {
            _ = try fixture.service.transfer(
                TransferRequestInput(findingIDs: [1], step: .request(to: "payments"), reason: "mine"), by: alice)
        }
        expectFailure(.notFound) {
            _ = try fixture.service.transfer(
                TransferRequestInput(findingIDs: [404], step: .request(to: "web"), reason: "r"), by: alice)
        }
        // Executives and auditors read; they change nothing, through any operation.
        for role in [Principal.Role.executive, .auditor] {
            let reader = Principal(name: "board", role: role)
            expectFailure(.forbidden) {
                _ = try fixture.service.transition(
                    TransitionRequest(selection: .ids([2]), action: .acknowledge, reason: "r"), by: reader)
            }
            expectFailure(.forbidden) {
                _ = try fixture.service.ingest(IngestRequest(inputs: [.bytes(name: "x.sarif", [])]), by: reader)
            }
            expectFailure(.forbidden) {
                _ = try fixture.service.assignOwner(
                    AssignRequest(findingIDs: [3], team: "web", reason: "r"), by: reader)
            }
            #expect(try fixture.service.findings(FindingListRequest()).count == 6)
        }
    }

    @Test func aTeamChangesOnlyWhatItsTeamsOwnAndPolicyIsTheSecurityTeams() throws {
        let fixture = try Fixture()
        try fixture.ingest(Fixture.sarif(count: 6))
        // Findings 1 and 4 are payments', 2 and 5 web's, 3 and 6 nobody's.
        let alice = Principal(name: "alice@example.gov", role: .team, teams: ["payments"])
        let wendy = Principal(name: "wendy@example.gov", role: .team, teams: ["web"])
        let ack = { (ids: [Int64]) in TransitionRequest(selection: .ids(ids), action: .acknowledge, reason: "mine") }
        // Another team's finding is not found, in the words of one that does not exist.
        let refused = expectFailure(.notFound) { _ = try fixture.service.transition(ack([1, 2]), by: alice) }
        #expect(refused?.message == "no finding 2")
        expectFailure(.notFound) { _ = try fixture.service.transition(ack([3]), by: alice) }  // unowned
        #expect(try fixture.service.finding(1).finding.status == .open)  // all or none
        #expect(try fixture.service.transition(ack([1, 4]), by: alice).changed == [1, 4])
        // A bulk change by filter is scoped the same way.
        var webs = FindingFilter()
        webs.team = "web"
        expectFailure(.notFound) {
            _ = try fixture.service.transition(
                TransitionRequest(selection: .filter(webs), action: .acknowledge, reason: "r"), by: alice)
        }
        // Transfers: the owner asks, the receiver decides, the security team arbitrates.
        expectFailure(.notFound) {
            _ = try fixture.service.transfer(
                TransferRequestInput(findingIDs: [2], step: .request(to: "payments"), reason: "r"), by: alice)
        }
        #expect(
            try fixture.service.transfer(
                TransferRequestInput(findingIDs: [1], step: .request(to: "web"), reason: "theirs"), by: alice) == [1])
        expectFailure(.forbidden) {
            _ = try fixture.service.transfer(
                TransferRequestInput(findingIDs: [1], step: .accept, reason: nil), by: alice)
        }
        expectFailure(.forbidden) {
            _ = try fixture.service.transfer(
                TransferRequestInput(findingIDs: [1], step: .resolve(to: "web"), reason: "r"), by: wendy)
        }
        #expect(
            try fixture.service.transfer(TransferRequestInput(findingIDs: [1], step: .accept, reason: nil), by: wendy)
                == [1])
        #expect(try fixture.service.finding(1).finding.ownerTeam == "web")
        // Policy, arbitration and the organisation are the security team's.
        expectFailure(.forbidden) {
            _ = try fixture.service.assignOwner(
                AssignRequest(findingIDs: [3], team: "payments", reason: "r"), by: alice)
        }
        expectFailure(.forbidden) { _ = try fixture.service.tick(now: Date(), by: alice) }
        expectFailure(.forbidden) { _ = try fixture.service.applySLA(by: alice) }
        expectFailure(.forbidden) {
            _ = try fixture.service.importOrganisation([.text(name: "t.yaml", "teams: []")], by: alice)
        }
        #expect(
            try fixture.service.assignOwner(
                AssignRequest(findingIDs: [3], team: "payments", reason: "r"), by: fixture.security) == 1)
    }

    @Test func errorKindsMapOneToOneOntoExitAndHTTPStatuses() {
        let kinds = ServiceError.Kind.allCases
        #expect(Set(kinds.map(\.exitStatus)).count == kinds.count)
        #expect(Set(kinds.map(\.httpStatus)).count == kinds.count)
        // 0, 1 and 2 stay the CLI's own: success, a failed check, wrong usage.
        #expect(kinds.allSatisfy { $0.exitStatus > 2 })
        #expect(kinds.allSatisfy { (400..<600).contains($0.httpStatus) })
        let wire = Wire.error(ServiceError(.notFound, "no finding 9", file: "custody.db")).text
        #expect(wire == #"{"error":"not_found","message":"no finding 9","file":"custody.db","place":null}"#)
    }

    @Test func theFindingWireFormatKeepsItsFieldNames() throws {
        let fixture = try Fixture()
        try fixture.ingest(Fixture.sarif(count: 3))
        var writer = JSONWriter()
        Wire.findingDetail(try fixture.service.finding(1), into: &writer)
        let object = try fixture.json(writer.bytes)
        var keys: [String] = []
        var members = try #require(object.object)
        while let (key, _) = members.next() { keys.append(key) }
        // The names scripts rely on, in the order they have always come.
        let stable = [
            "id", "fingerprint", "tool", "rule", "severity", "status", "repository", "path", "line", "message", "cwes",
            "cves", "owner_team", "owner_handles", "owner_line", "fingerprint_basis", "suppressed", "first_seen",
            "last_seen", "due_at", "kev_added", "escalation", "package", "package_version", "vulnerability_ids",
            "fixed_version", "cvss", "epss", "ssvc", "ssvc_inputs", "asset", "sources", "owner_evidence",
            "introduced_commit", "introduced_author", "introduced_at", "introduced_release", "introduced_team",
            "introduced_path", "introduced_line", "introducer_reason", "related",
        ]
        #expect(Array(keys.prefix(stable.count)) == stable)
        #expect(object["owner_team"]?.string == "payments")
        #expect(object["owner_evidence"]?["line"]?.int == 1)
    }
}
