import CustodyCore
import CustodyTestSupport
import Foundation
import Testing

/// `custody report board|team|incident` on real stores: what each page says, that it is
/// self-contained (no script, every chart an SVG with a title), escaped, and printable to PDF.
struct ReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let pdftotext = FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext")

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// Every chart has a title and a description, and the page runs nothing.
    func expectSelfContained(_ html: String) {
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        let charts = html.components(separatedBy: "<svg ").count - 1
        #expect(charts > 0)
        #expect(html.components(separatedBy: "role=\"img\"><title>").count - 1 == charts)
    }

    @Test func theBoardReportSaysWhereRiskEntersAndPrintsToPDF() throws {
        let (session, _) = try MetricsHistoryTests().history()
        let out = session.directory.file("board.html")
        let result = session.run(
            "report", "board", "--since", "2026-02-01", "--until", "2026-03-01", "--title", "State of Example",
            "--out", out)
        #expect(result.status == 0, "\(result.err)")
        let html = try read(out)
        expectSelfContained(html)
        #expect(html.contains("State of Example, 2026-02-01 to 2026-03-01"))
        #expect(html.contains("Found 2, fixed 1 (capacity 0.50: the backlog is growing)."))
        #expect(html.contains("Open risk: 1 findings open"))
        // Risk introduced per release: v1.0 and v1.1 shipped one each; 3.5 days' median escape.
        #expect(html.contains("the release that introduced the most is v1.0 (1)") || html.contains("is v1.1 (1)"))
        #expect(html.contains("median escape time (shipped to found) 3.5 days"))
        for appendix in ["A. Open risk trend", "B. SLA compliance by org unit", "G. Time to remediate per org unit"] {
            #expect(html.contains("<h2>\(appendix)</h2>"))
        }
        guard Self.chromium != nil, Self.pdftotext else {
            print("skipped the PDF: chromium or pdftotext is not installed (scripts/bootstrap installs them)")
            return
        }
        let pdf = session.directory.file("board.pdf")
        let printed = session.run(
            "report", "board", "--since", "2026-02-01", "--until", "2026-03-01", "--out", pdf)
        #expect(printed.status == 0, "\(printed.err)")
        let bytes = try #require(FileManager.default.contents(atPath: pdf))
        #expect(bytes.starts(with: Array("%PDF".utf8)))
        let text = try output(of: "/usr/bin/pdftotext", [pdf, "-"]).text
        #expect(text.contains("Security accountability: board report"))
        #expect(text.contains("F. Risk introduced per release"))
    }

    @Test func aTeamReportIsEscapedAndAWrongOutputIsRefused() throws {
        let session = Session()
        let teams = try session.write(
            "teams.yaml",
            "teams:\n  - {id: payments, name: \"Pay <b>&</b> \\\"Co\\\"\", lead: bob@example.gov, handles: [\"@example/payments\"]}\n"
        )
        #expect(session.run("teams", "import", teams).status == 0)
        let codeowners = try session.write("CODEOWNERS", "/services/payments/ @example/payments\n")
        let report = try session.write("r.sarif", session.sarif(["services/payments/a.py", "services/payments/b.py"]))
        #expect(session.run("ingest", "--repo", "portal", "--codeowners", codeowners, report).status == 0)
        let result = session.run("report", "team", "payments")
        #expect(result.status == 0, "\(result.err)")
        expectSelfContained(result.out)
        #expect(result.out.contains("<h1>Pay &lt;b&gt;&amp;&lt;/b&gt; &quot;Co&quot;: security scorecard</h1>"))
        #expect(!result.out.contains("<b>&</b>"))
        #expect(result.out.contains("Open work, most urgent first (2 of 2)"))
        #expect(session.run("report", "team", "nobody").status == 4)
        let wrong = session.run("report", "team", "payments", "--out", session.directory.file("x.txt"))
        #expect(wrong.status == 2 && wrong.err.contains("must end in .html or .pdf"), "\(wrong.err)")
    }

    @Test func anIncidentReviewTellsEveryHandOffWithItsDelay() throws {
        let session = Session()
        let (codeowners, report) = try session.setUp()
        // Found on 1 November, unowned (vendor/); assigned to payments on 11 November.
        let ingest = session.run(
            "ingest", "--repo", "portal", "--codeowners", codeowners, "--scan-date", "2026-11-01", report)
        #expect(ingest.status == 0, "\(ingest.err)")
        #expect(
            session.run("unowned", "assign", "2", "--team", "payments", "--reason", "vendored by payments").status == 0)
        #expect(session.run("ack", "2", "--reason", "ours", "--actor", "bob@example.gov").status == 0)
        let result = session.run("report", "incident", "2")
        #expect(result.status == 0, "\(result.err)")
        let markdown = result.out
        #expect(markdown.hasPrefix("# Incident review\n\n## Finding 2: bad 1\n"))
        #expect(markdown.contains("- **Owner now**: Payments (payments), unit Treasury"))
        #expect(markdown.contains("- **Incident call**: bob@example.gov, lead of Payments"))
        #expect(markdown.contains("- **Discovered**: 2026-11-01T00:00:00Z"))
        #expect(markdown.contains("- **Acknowledged**: ") && markdown.contains("by bob@example.gov"))
        // The first custody: unowned from discovery until the assignment, a month and more.
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| 2026-11-01T00:00:00Z | (unowned) | ") }
        #expect(rows.count == 1, "\(markdown)")
        let held = try #require(rows.first?.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[2])
        #expect((Double(held.replacingOccurrences(of: " days", with: "")) ?? 0) >= 30, "\(held)")
        #expect(markdown.contains("| payments | holds it now | vendored by payments |"))
        let html = session.directory.file("incident.html")
        #expect(session.run("report", "incident", "1", "2", "--out", html).status == 0)
        let page = try read(html)
        #expect(page.contains("<h2>Finding 1: bad 0</h2>") && page.contains("<h2>Finding 2: bad 1</h2>"))
        #expect(!page.lowercased().contains("<script"))
        #expect(session.run("report", "incident", "99").status == 4)
        #expect(session.run("report", "incident", "x").status == 2)
    }
}
