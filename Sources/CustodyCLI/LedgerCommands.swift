import CustodyCore
import CustodyService
import Foundation

enum LedgerCommands {
    static let verify = Command(
        path: ["ledger", "verify"], abstract: "Check the chain of custody: every event, hash and link",
        discussion:
            "Prints OK with the number of events and the head hash, or the first event that does not hold and why (exit 1).",
        options: [
            OptionSpec("public-key", value: "PEM", help: "check checkpoint signatures ($CUSTODY_LEDGER_PUBLIC_KEY)"),
            OptionSpec("json", help: "print a JSON object"),
        ],
        positionals: []
    ) { context in
        let keyPath = context.arguments.value("public-key") ?? context.environment["CUSTODY_LEDGER_PUBLIC_KEY"]
        let publicKey = try keyPath.map { try TextFile.read($0, limit: 64 << 10) }
        let report = try context.service().verifyLedger(publicKey: publicKey)
        if context.arguments.flag("json") {
            printJSON(context, Wire.ledgerReport(report))
        } else if let broken = report.broken {
            context.console.out("BROKEN at event \(broken.sequence): \(broken.reason)")
            context.console.out("\(report.count) events before it hold; their head is \(report.head)")
        } else {
            let signed = publicKey == nil ? "not checked (no --public-key)" : "signatures verified"
            context.console.out("OK \(report.count) events, head \(report.head)")
            context.console.out("\(report.checkpoints) checkpoints hold; \(signed)")
        }
        return report.broken == nil ? 0 : 1
    }

    static let keygen = Command(
        path: ["ledger", "keygen"], abstract: "Make an Ed25519 key pair for signing ledger checkpoints",
        discussion: "Writes DIR/ledger-key.pem (private, mode 0600) and DIR/ledger-key.pub.pem.",
        options: [], positionals: [PositionalSpec("DIR", help: "where to write the two PEM files")]
    ) { context in
        let written = try CustodyService.writeKeyPair(directory: context.arguments.positionals[0])
        context.console.out(
            "wrote \(written.privatePath) (keep it secret) and \(written.publicPath), key id \(written.keyID)")
        return 0
    }

    static let checkpoint = Command(
        path: ["ledger", "checkpoint"], abstract: "Sign the ledger's head with the Ed25519 key (run it periodically)",
        options: [
            OptionSpec("key", value: "PEM", help: "the private key ($CUSTODY_LEDGER_KEY)"),
            OptionSpec(
                "public-key", value: "PEM", help: "its public key (default: the private key's path with .pub.pem)"),
            OptionSpec("actor", value: "WHO", help: "who signs (default: $USER)"),
        ],
        positionals: []
    ) { context in
        guard let keyPath = context.arguments.value("key") ?? context.environment["CUSTODY_LEDGER_KEY"] else {
            throw UsageError(message: "missing --key PEM (or $CUSTODY_LEDGER_KEY)", command: "ledger checkpoint")
        }
        let publicPath =
            context.arguments.value("public-key")
            ?? (keyPath.hasSuffix(".pem") ? String(keyPath.dropLast(4)) + ".pub.pem" : keyPath + ".pub.pem")
        let privateKey = try TextFile.read(keyPath, limit: 64 << 10)
        let publicKey = try TextFile.read(publicPath, limit: 64 << 10)
        let (sequence, head) = try context.service().checkpoint(
            privateKey: privateKey, publicKey: publicKey, by: context.principal())
        context.console.out("signed the head at event \(sequence): \(head)")
        return 0
    }

    static let export = Command(
        path: ["ledger", "export"], abstract: "Write the chain of custody as JSON Lines (for a SIEM)",
        discussion: "One event per line with its sequence number, hash and the previous hash; --after resumes.",
        options: [OptionSpec("after", value: "SEQ", help: "only events after this sequence number")],
        positionals: []
    ) { context in
        let after = try context.arguments.integer("after", range: 0...Int(Int64.max >> 1)) ?? 0
        _ = try context.service().exportLedger(after: Int64(after), to: context.console)
        return 0
    }
}
