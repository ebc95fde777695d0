import CustodyCore
import CustodyService
import Foundation

/// `custody gate`: the release gate a CI pipeline asks before it ships a commit. Exit 0 to go
/// ahead, 1 to stop, with every reason; each decision is a ledger event.
enum GateCommand {
    static let command = Command(
        path: ["gate"],
        abstract: "May this commit ship? New findings, overdue budgets and unowned work (exit 0 pass, 1 block)",
        discussion: "The policy is the 'gate' section of the configuration (docs/gate.md).",
        options: [
            OptionSpec("repo", value: "NAME", help: "the repository being released"),
            OptionSpec("commit", value: "SHA", help: "the commit being released (as its scans recorded it)"),
            configOption,
            OptionSpec(
                "policy", value: "FILE",
                help: "a file whose 'gate' section is the policy (default: the configuration's)"),
            OptionSpec("warn-only", help: "decide and record, but exit 0 (a rollout)"),
            OptionSpec("now", value: "TIME", help: "decide as of TIME (default: now)"),
            OptionSpec("actor", value: "WHO", help: "who asks (default: $USER)"),
            OptionSpec("json", help: "print the decision as JSON"),
        ],
        positionals: []
    ) { context in
        let arguments = context.arguments
        guard let repository = arguments.value("repo"), let commit = arguments.value("commit") else {
            throw UsageError(message: "gate needs --repo NAME and --commit SHA", command: "gate")
        }
        let request = GateRequest(
            repository: repository, commit: commit, warnOnly: arguments.flag("warn-only"),
            now: try arguments.time("now"))
        var configuration = try context.configuration()
        if let policy = arguments.value("policy") {
            configuration.gate = try CustodyService.loadConfiguration(path: policy).gate
        }
        let decision = try context.service(configuration: configuration).gate(request, by: context.principal())
        if arguments.flag("json") {
            printJSON(context, Wire.gateDecision(decision))
        } else {
            context.console.out("\(decision.outcome.rawValue.uppercased()): \(repository)@\(commit)")
            for reason in decision.reasons { context.console.out("  - \(reason)") }
            if decision.reasons.isEmpty {
                context.console.out(
                    "  \(decision.facts.newFindings.count) new findings, none at or above the threshold; "
                        + "every owning team within its overdue allowance")
            }
        }
        return decision.outcome == .block ? 1 : 0
    }
}
