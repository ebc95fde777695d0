import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// The river intake: JSON Lines of findings in batches, one acknowledgement a batch.
@Suite struct RiverTests {
    static func line(_ index: Int, path: String = "web/r.js") -> String {
        #"{"id":"AI-\#(index)","title":"found by an agent","severity":"high","path":"\#(path)","line":\#(index + 1)}"#
    }

    @Test func batchesAreAcknowledgedWithNewSeenAndEachRefusalsLine() throws {
        let served = try Served()
        let token = try served.token("agent", .uploader)
        var lines = (0..<5).map { Self.line($0) }
        lines.insert(#"{"id":"bad","title":"no severity"}"#, at: 2)  // line 3
        lines.insert("", at: 4)  // a blank line is skipped (line 5)
        lines.insert("not json", at: 6)  // line 7
        let body = Data((lines.joined(separator: "\n") + "\n").utf8)
        let route = "/api/v1/findings:stream?tool=Agent&repository=portal&batch=3"
        let answer = try served.call(route, method: "POST", token: token, body: body)
        #expect(answer.status == 200, "\(answer.body)")
        let acks = answer.body.split(separator: "\n").compactMap { JSONValueBox(String($0)) }
        #expect(acks.count == 3, "\(answer.body)")  // lines 1-3, 4-7 (5 blank), 8
        #expect(acks.map { $0["new"] as? Int } == [2, 2, 1], "\(answer.body)")
        let refused = acks.flatMap { ($0["refused"] as? [[String: Any]]) ?? [] }
        #expect(refused.map { $0["line"] as? Int } == [3, 7], "\(answer.body)")
        #expect((refused.first?["reason"] as? String)?.contains("missing severity") == true, "\(answer.body)")
        #expect(acks.map { $0["first_line"] as? Int } == [1, 4, 8], "\(answer.body)")
        // The findings are in the store, owned through portal's recorded map; again, all seen.
        let web = try served.call(
            "/api/v1/findings?repository=portal&team=web&limit=100", token: try served.token("sec", .security))
        #expect((web.json?["findings"] as? [Any])?.count == 2 + 5, "\(web.body)")
        let again = try served.call(route, method: "POST", token: token, body: body)
        let seen = again.body.split(separator: "\n").compactMap { JSONValueBox(String($0))?["seen"] as? Int }
        #expect(seen.reduce(0, +) == 5, "\(again.body)")
        // Without a tool: 400 naming it; an executive: 403.
        let noTool = try served.call("/api/v1/findings:stream", method: "POST", token: token, body: body)
        #expect(noTool.status == 400 && noTool.json?["place"] as? String == "tool", "\(noTool.body)")
        let board = try served.token("board", .executive)
        #expect(try served.call(route, method: "POST", token: board, body: body).status == 403)
    }

    @Test func aLineOfTwoFindingsOrOneThatBreaksOutOfItsPlaceIsRefused() throws {
        let served = try Served()
        let token = try served.token("agent", .uploader)
        let lines = [
            Self.line(1) + "," + Self.line(2),  // two objects on one line
            Self.line(3) + "]}",  // an attempt to close the document early
            Self.line(4),
        ]
        let answer = try served.call(
            "/api/v1/findings:stream?tool=Agent&repository=portal", method: "POST", token: token,
            body: Data(lines.joined(separator: "\n").utf8))
        let ack = try #require(JSONValueBox(answer.body.trimmingCharacters(in: .newlines)), "\(answer.body)")
        #expect(ack["new"] as? Int == 1, "\(answer.body)")
        #expect((ack["refused"] as? [[String: Any]])?.map { $0["line"] as? Int } == [1, 2], "\(answer.body)")
    }
}
