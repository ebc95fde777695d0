import CustodyCore
import CustodyService
import Foundation

/// `custody notify`: the outbox worker and its queue.
enum NotifyCommands {
    static let run = Command(
        path: ["notify"], abstract: "Deliver notifications: team digests, tickets in Jira or GitHub",
        discussion: """
            One pass of the worker: plans deliveries (a digest per team per finished day for each
            webhook, Slack and e-mail sink; a ticket per escalated finding for each Jira and GitHub
            sink, closed and reopened with it), then sends what is due. A failed attempt is retried
            with exponential backoff; answers that retrying cannot change (401, 404, a missing
            secret) give up at once. Run it periodically, like tick. Sinks: docs/notifications.md.
            """,
        options: [
            configOption, OptionSpec("now", value: "TIME", help: "act as if it were TIME (default: now)"),
            OptionSpec("timeout", value: "SECONDS", help: "per request (default 30)"),
            OptionSpec("json", help: "print the report as JSON"),
        ],
        positionals: []
    ) { context in
        let report = try context.service(configured: true).notify(
            now: try context.arguments.time("now"),
            timeoutSeconds: try context.arguments.integer("timeout", range: 1...600) ?? 30, by: context.principal())
        if context.arguments.flag("json") {
            printJSON(context, Wire.notifyReport(report))
        } else {
            context.console.out(
                "\(report.planned) planned, \(report.delivered) delivered, \(report.retrying) to retry, \(report.failed) failed"
            )
            for problem in report.problems { context.console.err("warning: \(problem)") }
        }
        return report.failed > 0 ? 1 : 0
    }

    static let status = Command(
        path: ["notify", "status"], abstract: "List deliveries: pending, delivered, failed",
        options: [
            OptionSpec("state", value: "STATE", help: "only pending, delivered or failed"),
            OptionSpec("limit", value: "N", help: "at most N (default 50), newest first"),
            OptionSpec("json", help: "print JSON"),
        ],
        positionals: []
    ) { context in
        let state = try context.arguments.choice(
            "state", as: DeliveryState.self, among: DeliveryState.allCases)
        let rows = try context.service().deliveries(
            state: state, limit: try context.arguments.integer("limit", range: 1...100_000) ?? 50)
        if context.arguments.flag("json") {
            printJSON(context, .array(rows.map(Wire.delivery)))
            return 0
        }
        var table = TextTable(["ID", "SINK", "KIND", "STATE", "ATTEMPTS", "NEXT/DONE", "KEY", "ERROR"])
        for row in rows {
            table.add([
                String(row.id), row.sink, row.kind, row.state, String(row.attempts), row.deliveredAt ?? row.nextAttempt,
                row.key, row.lastError ?? "",
            ])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }

    static let retry = Command(
        path: ["notify", "retry"], abstract: "Queue failed deliveries again (after fixing a sink)",
        options: [], positionals: []
    ) { context in
        let count = try context.service().retryFailedDeliveries(by: context.principal())
        context.console.out("\(count) failed deliveries queued again")
        return 0
    }
}
