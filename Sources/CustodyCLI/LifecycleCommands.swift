import CustodyCore
import CustodyJSON
import CustodyStore
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
        transition: @escaping @Sendable (ParsedArguments) throws -> Transition
    ) -> Command {
        Command(
            path: [name], abstract: abstract, discussion: discussion, options: options + selection,
            positionals: [
                PositionalSpec("FINDING_ID", help: "finding ids (or use the filters)", required: false, variadic: true)
            ]
        ) { context in
            let arguments = context.arguments
            let reason = try requiredReason(context, command: name, hint: "every change of state says why")
            let change = try transition(arguments)
            let store = try context.openStore()
            var ids = try findingIDs(context, command: name)
            let filtered =
                arguments.value("team") != nil || arguments.value("rule") != nil || arguments.value("cve") != nil
            if filtered {
                guard ids.isEmpty else {
                    throw UsageError(message: "give finding ids or filters, not both", command: name)
                }
                var query = FindingQuery(
                    team: arguments.value("team"),
                    status: try arguments.choice("status", as: FindingStatus.self, among: FindingStatus.allCases))
                query.rule = arguments.value("rule")
                query.cve = arguments.value("cve")
                ids = try store.findings(query).filter { change.allowedFrom.contains($0.status) || query.status != nil }
                    .map(\.id)
            }
            guard !ids.isEmpty else {
                throw UsageError(message: "no findings: give ids or a filter that selects some", command: name)
            }
            let outcome: TransitionOutcome
            do {
                outcome = try store.transition(
                    findingIDs: ids, change, actor: actor(context), reason: reason,
                    skipRefused: arguments.flag("skip-invalid"))
            } catch let refused as TransitionRefused {
                throw Diagnostic(file: context.databasePath, message: refused.description)
            }
            for (id, why) in outcome.refused { context.console.err("skipped finding \(id): \(why)") }
            context.console.out("\(outcome.changed.count) findings \(change.target.rawValue)")
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
        guard let untilText = arguments.value("until"), let until = Timestamp.parse(untilText) else {
            throw UsageError(
                message: "--until needs a date: 2027-03-31 or 2027-03-31T00:00:00Z", command: "accept-risk")
        }
        guard until > Timestamp.string(Date()) else {
            throw UsageError(message: "--until \(untilText) is in the past", command: "accept-risk")
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
        return .falsePositive(justification)
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
        let id = try findingID(context, command: "trace")
        let store = try context.openStore()
        let row = try finding(id, in: store, context: context)
        var timeline: [(at: String, what: String, who: String)] = []
        if let introducer = row.introducer {
            timeline.append(
                (
                    introducer.authoredAt,
                    "introduced in \(introducer.commit.prefix(12)) (\(introducer.pathThen):\(introducer.lineThen)), "
                        + "release \(introducer.release ?? "none yet"), team then \(introducer.team ?? "none")",
                    "\(introducer.author) <\(introducer.email)>"
                ))
        }
        let history = try store.ownerHistory(findingID: id)
        timeline.append(
            (
                row.firstSeen, "discovered by \(row.tool) (\(row.rule)); owner \(history.first?.team ?? "none")",
                history.first?.actor ?? ""
            ))
        for event in try store.events(findingID: id) {
            let payload = try? JSONDocument(bytes: Array(event.payload.utf8)).root
            var what = event.kind
            switch event.kind {
            case "finding.acknowledged": what = "acknowledged"
            case "finding.fixed": what = "fixed: \(payload?["reason"]?.string ?? "")"
            case "finding.reopened": what = "reopened: \(payload?["reason"]?.string ?? "")"
            case "finding.risk_accepted":
                what = "risk accepted until \(payload?["until"]?.string ?? "") by \(payload?["approver"]?.string ?? "")"
            case "finding.false_positive": what = "false positive: \(payload?["justification"]?.string ?? "")"
            case "escalation.step":
                let to = payload?["to"]?.array.map { Array($0).compactMap(\.string).joined(separator: ", ") } ?? ""
                what = "escalated to the \(payload?["stage"]?.string ?? "")" + (to.isEmpty ? "" : " (\(to))")
            case "ownership.transferred", "ownership.assigned":
                what =
                    "owner \(payload?["from"]?.string ?? "none") -> \(payload?["to"]?.string ?? "none")"
            case "kev.added":
                what =
                    "known exploited: in CISA's KEV since \(payload?["date_added"]?.string ?? "?"); due \(payload?["due_to"]?.string ?? "unchanged")"
            case "vex.applied":
                what =
                    "VEX \(payload?["status"]?.string ?? "?") from \(payload?["document"]?.string ?? "?"): \(payload?["from"]?.string ?? "") -> \(payload?["to"]?.string ?? "")"
            case "sla.due_changed":
                what = "due date \(payload?["from"]?.string ?? "none") -> \(payload?["to"]?.string ?? "none")"
            case "ticket.opened", "ticket.closed", "ticket.reopened":
                let verb = event.kind.dropFirst("ticket.".count)
                what =
                    "ticket \(payload?["ticket"]?.string ?? "?") \(verb) in \(payload?["sink"]?.string ?? "?")"
                    + (payload?["url"]?.string.map { " (\($0))" } ?? "")
            case "transfer.requested":
                what = "transfer to \(payload?["to"]?.string ?? "?") requested"
            case "notification.failed":
                what =
                    "notification through \(payload?["sink"]?.string ?? "?") given up: \(payload?["error"]?.string ?? "")"
            default: break
            }
            if let reason = payload?["reason"]?.string, !what.contains(reason) { what += " (\(reason))" }
            timeline.append((event.at, what, event.actor))
        }
        if context.arguments.flag("json") {
            context.console.out(
                JSONText.Value.array(
                    timeline.map {
                        .object([("at", .string($0.at)), ("what", .string($0.what)), ("who", .string($0.who))])
                    }
                ).text)
            return 0
        }
        context.console.out(
            "finding \(row.id): \(row.rule) at \((row.path ?? "-") + (row.line.map { ":\($0)" } ?? ""))")
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
        let settings = try configuration(context)
        let changed = try context.openStore().applySLA(
            settings.sla, criticality: settings.criticality, actor: actor(context))
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
        let store = try context.openStore()
        let who = context.arguments.value("actor") ?? "custody-tick"
        let now = try context.arguments.time("now")
        let reopened = try store.expireRiskAcceptances(now: now, actor: who)
        let steps = try store.escalate(now: now, actor: who)
        context.console.out("\(reopened.count) risk acceptances expired and reopened")
        context.console.out("\(steps) escalation steps")
        return 0
    }
}
