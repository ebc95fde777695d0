import CustodyCore
import CustodyReports
import CustodyService
import Foundation

/// `custody report board|team|incident`: the reports as HTML (with SVG charts), PDF through
/// headless Chromium, or Markdown for the incident review (docs/reports.md).
enum ReportCommands {
    static let period = [
        OptionSpec("since", value: "TIME", help: "start of the period (default: 90 days before --until)"),
        OptionSpec("until", value: "TIME", help: "end of the period (default: now)"),
    ]

    static func dates(_ arguments: ParsedArguments) throws -> (since: Date?, until: Date?) {
        (
            arguments.value("since") != nil ? try arguments.time("since") : nil,
            arguments.value("until") != nil ? try arguments.time("until") : nil
        )
    }

    /// Writes `html` to `--out` (HTML, or PDF by the name's extension), or prints it.
    static func deliver(_ context: CommandContext, _ html: String, command: String, markdown: String? = nil) throws {
        guard let out = context.arguments.value("out") else {
            context.console.out(html, terminator: "")
            return
        }
        let kind = (out as NSString).pathExtension.lowercased()
        switch kind {
        case "html", "htm": try write(html, to: out)
        case "md" where markdown != nil: try write(markdown!, to: out)
        case "pdf" where markdown == nil:
            do {
                try PDFPrinter.print(html: html, to: out)
            } catch {
                throw ServiceError(.unavailable, error.message, file: out)
            }
        default:
            throw UsageError(
                message: "--out \(out): the name must end in " + (markdown == nil ? ".html or .pdf" : ".html or .md"),
                command: command)
        }
        context.console.err("wrote \(out)")
    }

    static func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ServiceError(.invalidInput, "cannot write the report: \(error.localizedDescription)", file: path)
        }
    }

    static let board = Command(
        path: ["report", "board"],
        abstract: "The board report: a first page for executives, then appendices (HTML or PDF)",
        options: period + [
            OptionSpec("out", value: "FILE", help: "FILE.html or FILE.pdf (default: HTML on standard output)"),
            OptionSpec("title", value: "NAME", help: "the organisation's name on the first page"),
        ],
        positionals: []
    ) { context in
        let (since, until) = try dates(context.arguments)
        let report = try context.service().boardReport(since: since, until: until, by: context.principal())
        let html = BoardReportPage.render(
            report, organisationName: context.arguments.value("title") ?? "The organisation")
        try deliver(context, html, command: "report board")
        return 0
    }

    static let team = Command(
        path: ["report", "team"], abstract: "A team's report: its scorecard, trends and open work (HTML or PDF)",
        options: period + [
            OptionSpec("out", value: "FILE", help: "FILE.html or FILE.pdf (default: HTML on standard output)")
        ],
        positionals: [PositionalSpec("TEAM", help: "the team")]
    ) { context in
        let (since, until) = try dates(context.arguments)
        let report = try context.service().teamReport(
            team: context.arguments.positionals[0], since: since, until: until, by: context.principal())
        try deliver(context, TeamReportPage.render(report), command: "report team")
        return 0
    }

    static let incident = Command(
        path: ["report", "incident"],
        abstract: "The incident review of findings: who shipped, who owns, every hand-off (HTML or Markdown)",
        options: [
            OptionSpec("out", value: "FILE", help: "FILE.html or FILE.md (default: Markdown on standard output)")
        ],
        positionals: [PositionalSpec("FINDING_ID", help: "finding ids", variadic: true)]
    ) { context in
        var ids: [Int64] = []
        for text in context.arguments.positionals {
            guard let id = Int64(text), id > 0 else {
                throw UsageError(message: "'\(text)' is not a finding id", command: "report incident")
            }
            ids.append(id)
        }
        let reviews = try context.service().incidentReviews(ids, by: context.principal())
        let markdown = IncidentReportPage.markdown(reviews)
        if context.arguments.value("out") == nil {
            context.console.out(markdown, terminator: "")
            return 0
        }
        try deliver(context, IncidentReportPage.html(reviews), command: "report incident", markdown: markdown)
        return 0
    }
}
