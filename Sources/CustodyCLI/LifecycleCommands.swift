import CustodyCore
import CustodyService
import Foundation

/// The lifecycle commands: each needs a reason, writes one event per finding, and works on the
/// findings given by id or chosen by a query (`--team`, `--rule`, `--cve`, `--status`).
enum LifecycleCommands {
    static let selection: [OptionSpec] = [
        OptionSpec("team", value: "T", help: "every finding of team T (with the other filters)"),
        OptionSpec("rule", value: "RULE", help: "every finding of this rule"),
        OptionSpec("cve", value: "CVE", help: "every finding of this CVE"),
        OptionSpec("status", value: "S", help: "only findings in status S"),
        OptionSpec("reason", value: "TEXT", help: "why (required; recorded in each event)"),
        OptionSpec("actor", value: "WHO", help: "who does it (default: $USER)"),
        OptionSpec(
            "skip-invalid", help: "change the findings that can change and list the others (default: all or none)"),
    ]

    static func make(
        _ name: String, abstract: String, options: [OptionSpec] = [], discussion: String? = nil,
        action: @escaping @Sendable (ParsedArguments) throws -> LifecycleAction
    ) -> Command {
        Command(
            path: [name], abstract: abstract, discussion: discussion, options: options + selection,
            positionals: [
                PositionalSpec("FINDING_ID", help: "finding ids (or use the filters)", required: false, variadic: true)
            ]
        ) { context in
            let arguments = context.arguments
            let reason = try requiredReason(context, command: name, hint: "every change of state says why")
            let ids = try findingIDs(context, command: name)
            var filter = FindingFilter()
            filter.team = arguments.value("team")
            filter.rule = arguments.value("rule")
            filter.cve = arguments.value("cve")
            filter.status = try arguments.choice("status", as: FindingStatus.self, among: FindingStatus.allCases)
            let selection: FindingSelection
            if filter.selectsSome {
                guard ids.isEmpty else {
                    throw UsageError(message: "give finding ids or filters, not both", command: name)
                }
                selection = .filter(filter)
            } else {
                guard !ids.isEmpty else {
                    throw UsageError(message: "no findings: give ids or a filter that selects some", command: name)
                }
                selection = .ids(ids)
            }
            let response = try context.service().transition(
                TransitionRequest(
                    selection: selection, action: try action(arguments), reason: reason,
                    skipRefused: arguments.flag("skip-invalid")),
                by: context.principal())
            for refused in response.refused { context.console.err("skipped finding \(refused.id): \(refused.reason)") }
            context.console.out("\(response.changed.count) findings \(response.target.rawValue)")
            return 0
        }
    }

    static let acknowledge = make("ack", abstract: "The owning team acknowledges findings (ends 'time to own')") { _ in
        .acknowledge
    }

    static let acceptRisk = make(
        "accept-risk", abstract: "Accept findings' risk until a date, with an approver",
        options: [
            OptionSpec("until", value: "DATE", help: "when the acceptance expires (2027-03-31); then it reopens"),
            OptionSpec("approver", value: "WHO", help: "who approves (critical: an org-unit head; high: lead or head)"),
        ],
        discussion: "'custody tick' reopens findings whose acceptance has expired."
    ) { arguments in
        guard let until = arguments.value("until") else {
            throw UsageError(
                message: "--until needs a date: 2027-03-31 or 2027-03-31T00:00:00Z", command: "accept-risk")
        }
        guard let approver = arguments.value("approver"), !approver.isEmpty else {
            throw UsageError(message: "missing --approver WHO", command: "accept-risk")
        }
        return .acceptRisk(until: until, approver: approver)
    }

    static let falsePositive = make(
        "false-positive", abstract: "Mark findings as not a problem, with a VEX justification",
        options: [
            OptionSpec(
                "justification", value: "J",
                help: VEXJustification.allCases.map(\.rawValue).joined(separator: ", "))
        ]
    ) { arguments in
        guard
            let justification = try arguments.choice(
                "justification", as: VEXJustification.self, among: VEXJustification.allCases)
        else {
            throw UsageError(
                message:
                    "missing --justification: one of \(VEXJustification.allCases.map(\.rawValue).joined(separator: ", "))",
                command: "false-positive")
        }
        return .falsePositive(justification: justification.rawValue)
    }

    static let reopen = make("reopen", abstract: "Reopen fixed, closed, accepted or false-positive findings") { _ in
        .reopen
    }

    static let trace = Command(
        path: ["trace"], abstract: "A finding's whole chain of custody as a timeline",
        discussion:
            "Introduced (commit, author, release, team then), discovered, owned, acknowledged, transferred, fixed, reopened: every event, in order.",
        options: [OptionSpec("json", help: "print a JSON array")],
        positionals: [PositionalSpec("FINDING_ID", help: "a finding's id")]
    ) { context in
        let (row, timeline) = try context.service().trace(try findingID(context, command: "trace"))
        if context.arguments.flag("json") {
            printJSON(context, .array(timeline.map(Wire.timelineEntry)))
            return 0
        }
        context.console.out("finding \(row.id): \(row.rule) at \(location(row))")
        var table = TextTable(["WHEN", "WHAT", "WHO"])
        for entry in timeline { table.add([entry.at, entry.what, entry.who]) }
        context.console.out(table.render(), terminator: "")
        return 0
    }

    static let slaApply = Command(
        path: ["sla", "apply"], abstract: "Recompute due dates of open findings under the configured SLA policy",
        discussion: "Run it after changing the policy: every finding whose due date changes gets an event.",
        options: [configOption, OptionSpec("actor", value: "WHO", help: "who (default: $USER)")], positionals: []
    ) { context in
        let changed = try context.service(configured: true).applySLA(by: context.principal())
        context.console.out("\(changed) due dates changed")
        return 0
    }

    static let tick = Command(
        path: ["tick"], abstract: "Apply what time decides: expired acceptances reopen, overdue work escalates",
        discussion: """
            Run it periodically (cron, or the server later). The escalation ladder: half the SLA
            passed -> the owning team; due -> the team lead; 7 days overdue -> the org-unit head;
            30 days overdue -> the executive. Each step is one event, taken once.
            """,
        options: [
            OptionSpec("actor", value: "WHO", help: "recorded in the events (default: custody-tick)"),
            OptionSpec("now", value: "TIME", help: "act as if it were TIME (default: now): to replay a missed tick"),
        ],
        positionals: []
    ) { context in
        let result = try context.service().tick(
            now: try context.arguments.time("now"), by: context.principal(default: "custody-tick"))
        context.console.out("\(result.reopened.count) risk acceptances expired and reopened")
        context.console.out("\(result.escalationSteps) escalation steps")
        return 0
    }
}
