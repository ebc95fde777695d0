import CustodyCore
import CustodyService
import Foundation

/// Transfers between teams: one team asks, the other accepts or rejects, the security team
/// arbitrates disputes. Every step is one event per finding.
enum TransferCommands {
    static func ids(_ context: CommandContext, _ command: String) throws -> [Int64] {
        guard !context.arguments.positionals.isEmpty else {
            throw UsageError(message: "missing argument FINDING_ID: which findings?", command: command)
        }
        return try findingIDs(context, command: command)
    }

    static func reason(_ context: CommandContext, _ command: String) throws -> String {
        try requiredReason(context, command: command, hint: "every transfer step says why")
    }

    static func take(_ context: CommandContext, _ ids: [Int64], _ step: TransferStep, reason: String?) throws -> [Int64]
    {
        try context.service().transfer(
            TransferRequestInput(findingIDs: ids, step: step, reason: reason), by: context.principal())
    }

    static let common: [OptionSpec] = [
        OptionSpec("reason", value: "TEXT", help: "why (required)"),
        OptionSpec("actor", value: "WHO", help: "who (default: $USER)"),
    ]
    static let idArgument = [PositionalSpec("FINDING_ID", help: "finding ids", required: false, variadic: true)]

    static let request = Command(
        path: ["transfer"], abstract: "Ask another team to take findings over (they accept or reject)",
        discussion:
            "The findings are 'transferred' until the receiving team decides: 'custody transfer accept|reject'.\nThe security team settles disputes: 'custody transfer resolve'.",
        options: [OptionSpec("to", value: "TEAM", help: "the team asked to take them (required)")] + common,
        positionals: idArgument
    ) { context in
        guard let team = context.arguments.value("to") else {
            throw UsageError(message: "missing --to TEAM", command: "transfer")
        }
        let ids = try ids(context, "transfer")
        let reason = try reason(context, "transfer")
        let done = try take(context, ids, .request(to: team), reason: reason)
        context.console.out("\(done.count) transfers to \(team) requested")
        return 0
    }

    static let accept = Command(
        path: ["transfer", "accept"], abstract: "The receiving team takes the findings over", options: common,
        positionals: idArgument
    ) { context in
        let ids = try ids(context, "transfer accept")
        let done = try take(context, ids, .accept, reason: context.arguments.value("reason"))
        context.console.out("\(done.count) transfers accepted")
        return 0
    }

    static let reject = Command(
        path: ["transfer", "reject"], abstract: "The receiving team declines (the finding is disputed)",
        options: common,
        positionals: idArgument
    ) { context in
        let ids = try ids(context, "transfer reject")
        let reason = try reason(context, "transfer reject")
        let done = try take(context, ids, .reject, reason: reason)
        context.console.out("\(done.count) transfers rejected; 'custody transfer resolve' settles a dispute")
        return 0
    }

    static let resolve = Command(
        path: ["transfer", "resolve"], abstract: "The security team settles a pending or disputed transfer",
        options: [
            OptionSpec("to", value: "TEAM", help: "the team that owns the findings from now"),
            OptionSpec("keep", help: "the findings stay with their owner"),
        ] + common,
        positionals: idArgument
    ) { context in
        let to = context.arguments.value("to")
        guard (to != nil) != context.arguments.flag("keep") else {
            throw UsageError(message: "give exactly one of --to TEAM and --keep", command: "transfer resolve")
        }
        let ids = try ids(context, "transfer resolve")
        let reason = try reason(context, "transfer resolve")
        let done = try take(context, ids, .resolve(to: to), reason: reason)
        context.console.out("\(done.count) transfers resolved" + (to.map { ": owned by \($0)" } ?? ": owners kept"))
        return 0
    }

    static let list = Command(
        path: ["transfer", "list"], abstract: "Transfer requests waiting for a decision (pending and disputed)",
        options: [
            OptionSpec("all", help: "every request, decided ones too"), OptionSpec("json", help: "print a JSON array"),
        ],
        positionals: []
    ) { context in
        let requests = try context.service().transferRequests(pendingOnly: !context.arguments.flag("all"))
        if context.arguments.flag("json") {
            printJSON(context, .array(requests.map(Wire.transfer)))
            return 0
        }
        var table = TextTable(["FINDING", "FROM", "TO", "STATE", "ASKED BY", "WHY"])
        for request in requests {
            table.add([
                String(request.findingID), request.fromTeam ?? "(unowned)", request.toTeam, request.state.rawValue,
                request.requestedBy, request.reason,
            ])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }
}
