import CustodyCore
import CustodyService
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a command writes: standard output and error, or buffers in tests.
public final class Console: ByteSink, @unchecked Sendable {
    private var outBuffer: [UInt8] = []
    private var errBuffer: [UInt8] = []
    private let capture: Bool
    public private(set) var capturedOut = ""
    public private(set) var capturedErr = ""

    public init(capture: Bool = false) { self.capture = capture }

    public func out(_ text: String, terminator: String = "\n") {
        outBuffer.append(contentsOf: text.utf8)
        outBuffer.append(contentsOf: terminator.utf8)
        if outBuffer.count > 1 << 16 { flush() }
    }

    /// Streamed output (listings): bytes as the service writes them.
    public func write(_ bytes: [UInt8]) {
        outBuffer.append(contentsOf: bytes)
        if outBuffer.count > 1 << 16 { flush() }
    }

    public func err(_ text: String) {
        errBuffer.append(contentsOf: text.utf8)
        errBuffer.append(UInt8(ascii: "\n"))
        flush()
    }

    public func flush() {
        if capture {
            capturedOut += String(decoding: outBuffer, as: UTF8.self)
            capturedErr += String(decoding: errBuffer, as: UTF8.self)
        } else {
            writeAll(1, outBuffer)
            writeAll(2, errBuffer)
        }
        outBuffer.removeAll(keepingCapacity: true)
        errBuffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

/// What every command gets: its arguments, the console, the environment and the database.
public struct CommandContext {
    public var arguments: ParsedArguments
    public var console: Console
    public var environment: [String: String]
    public var databasePath: String
    /// Reads standard input (swapped in tests).
    public var readInput: () -> String

    /// The service over the database. `configured` loads the configuration: --config FILE,
    /// else $CUSTODY_CONFIG, else ./custody.yaml when it exists, else the defaults.
    public func service(configured: Bool = false) throws -> CustodyService {
        try service(configuration: configured ? configuration() : Configuration())
    }

    public func service(configuration: Configuration) -> CustodyService {
        CustodyService(databasePath: databasePath, configuration: configuration, environment: environment)
    }

    /// --config FILE, else $CUSTODY_CONFIG, else ./custody.yaml when it exists, else the defaults.
    public func configuration() throws -> Configuration {
        let path =
            arguments.value("config") ?? environment["CUSTODY_CONFIG"]
            ?? (FileManager.default.fileExists(atPath: "custody.yaml") ? "custody.yaml" : nil)
        return try path.map { try CustodyService.loadConfiguration(path: $0) } ?? Configuration()
    }

    /// Who acts: --actor, else the login name. A local operator may do everything.
    public func principal(default fallback: String? = nil) -> Principal {
        Principal(name: arguments.value("actor") ?? fallback ?? environment["USER"] ?? "cli")
    }
}

/// One subcommand: declared once, so parsing and `--help` come from the same place.
public struct Command: Sendable {
    public var path: [String]
    public var abstract: String
    public var discussion: String?
    public var options: [OptionSpec]
    public var positionals: [PositionalSpec]
    public var run: @Sendable (CommandContext) throws -> Int32

    public var name: String { path.joined(separator: " ") }

    var usage: String {
        var parts = ["custody", name]
        if !options.isEmpty { parts.append("[options]") }
        for positional in positionals {
            let shown = positional.variadic ? "\(positional.name)..." : positional.name
            parts.append(positional.required ? shown : "[\(shown)]")
        }
        return parts.joined(separator: " ")
    }

    var help: String {
        var text = "\(abstract)\n\nUsage: \(usage)\n"
        if let discussion { text += "\n\(discussion)\n" }
        if !positionals.isEmpty {
            text += "\nArguments:\n"
            for positional in positionals { text += row(positional.name, positional.help) }
        }
        text += "\nOptions:\n"
        for option in options {
            text += row("--\(option.name)" + (option.value.map { " \($0)" } ?? ""), option.help)
        }
        text += row("--db PATH", "the SQLite database (default: $CUSTODY_DB, else ./custody.db)")
        text += row("--database-url URL", "a PostgreSQL database, postgres://user@host:port/db ($CUSTODY_DATABASE_URL)")
        text += row("-h, --help", "show this help")
        return text
    }

    private func row(_ left: String, _ right: String) -> String {
        let padded = left.count < 26 ? left + String(repeating: " ", count: 26 - left.count) : left + "  "
        return "  \(padded)\(right)\n"
    }
}

/// The `custody` program: finds the subcommand, parses its arguments and runs it.
public enum CLI {
    public static let version = "0.1.0"

    public static var commands: [Command] {
        [
            InitCommand.command, TeamsCommands.importCommand, TeamsCommands.listCommand, TeamsCommands.unitsCommand,
            IngestCommand.command,
            OwnersCommands.resolve, OwnersCommands.explain, OwnersCommands.history, FindingsCommands.list,
            FindingsCommands.show,
            UnownedCommands.queue,
            UnownedCommands.assign, SummaryCommand.command, MetricsCommand.command, ScorecardCommand.command,
            GateCommand.command, ReportCommands.board, ReportCommands.team, ReportCommands.incident,
            ScansCommand.command, ServeCommand.command, TokensCommands.create, TokensCommands.list,
            TokensCommands.revoke, RepositoryCommands.add, RepositoryCommands.list, RepositoryCommands.remove,
            LedgerCommands.verify,
            LedgerCommands.export, DatabaseCommands.copy,
            LedgerCommands.keygen, LedgerCommands.checkpoint, LifecycleCommands.acknowledge,
            LifecycleCommands.acceptRisk, LifecycleCommands.falsePositive, LifecycleCommands.reopen,
            LifecycleCommands.tick, LifecycleCommands.trace, TransferCommands.request, TransferCommands.accept,
            TransferCommands.reject, TransferCommands.resolve, TransferCommands.list, LifecycleCommands.slaApply,
            FeedCommands.importKEV, FeedCommands.importEPSS, FeedCommands.priority, CVSSCommand.command,
            NotifyCommands.run, NotifyCommands.status,
            NotifyCommands.retry,
            SampleCommand.command,
        ]
    }

    /// Runs the program; returns the exit status: 0 ok, 1 a check failed (a broken ledger, a
    /// delivery given up), 2 wrong usage, 3 and up the kind of ``ServiceError`` (docs/cli.md).
    public static func run(
        _ arguments: [String], console: Console, environment: [String: String] = ProcessInfo.processInfo.environment,
        readInput: @escaping () -> String = { readStandardInput() }
    ) -> Int32 {
        defer { console.flush() }
        var rest = arguments
        // The store: --db FILE or --database-url URL anywhere on the line, else
        // $CUSTODY_DATABASE_URL, else $CUSTODY_DB, else ./custody.db.
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        var databasePath = nonEmpty("CUSTODY_DATABASE_URL") ?? nonEmpty("CUSTODY_DB") ?? "custody.db"
        for (option, value) in [("--db", "PATH"), ("--database-url", "URL")] {
            guard let index = rest.firstIndex(where: { $0 == option || $0.hasPrefix(option + "=") }) else { continue }
            if rest[index] == option {
                guard index + 1 < rest.count else {
                    console.err("error: option \(option) needs a value: \(option) \(value)")
                    return 2
                }
                databasePath = rest[index + 1]
                rest.removeSubrange(index...index + 1)
            } else {
                databasePath = String(rest[index].dropFirst(option.count + 1))
                rest.remove(at: index)
            }
            if option == "--database-url", !CustodyService.isDatabaseURL(databasePath) {
                console.err("error: --database-url expects postgres://user@host:port/database, not '\(databasePath)'")
                return 2
            }
        }
        if rest.isEmpty || rest == ["--help"] || rest == ["-h"] || rest == ["help"] {
            console.out(overview)
            return rest.isEmpty ? 2 : 0
        }
        if rest == ["--version"] {
            console.out("custody \(version)")
            return 0
        }
        // The longest declared command path that prefixes the arguments.
        let match = commands.filter { rest.starts(with: $0.path) }.max { $0.path.count < $1.path.count }
        guard let command = match else {
            let groups = commands.filter { $0.path.first == rest[0] }
            if !groups.isEmpty {
                console.err(
                    "error: '\(rest.joined(separator: " "))' needs a subcommand: \(groups.map { $0.path.dropFirst().joined(separator: " ") }.joined(separator: ", "))"
                )
                console.err("See 'custody \(rest[0]) <subcommand> --help'.")
            } else {
                let names = Set(commands.map { $0.path[0] })
                let close = names.min { editDistance($0, rest[0]) < editDistance($1, rest[0]) }
                let hint = close.flatMap { editDistance($0, rest[0]) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
                console.err("error: unknown command '\(rest[0])'\(hint)")
                console.err("See 'custody --help'.")
            }
            return 2
        }
        let arguments = Array(rest.dropFirst(command.path.count))
        if arguments.contains("--help") || arguments.contains("-h") {
            console.out(command.help, terminator: "")
            return 0
        }
        do {
            let parsed = try parse(
                arguments, options: command.options, positionals: command.positionals, command: command.name)
            let context = CommandContext(
                arguments: parsed, console: console, environment: environment, databasePath: databasePath,
                readInput: readInput)
            return try command.run(context)
        } catch let error as UsageError {
            console.err("error: \(error.message)")
            console.err("Usage: \(command.usage)")
            console.err("See 'custody \(command.name) --help'.")
            return 2
        } catch {
            // Every other failure is the service's one error type; its kind is the exit status.
            let failure = ServiceError.from(error, database: CustodyService.displayed(databasePath))
            console.err("\(failure)")
            return failure.kind.exitStatus
        }
    }

    static var overview: String {
        var text = """
            custody \(version): every security finding mapped to the team that owns the code.

            Usage: custody [--db PATH] <command> [options]

            Commands:

            """
        for command in commands {
            let name = command.name
            text += "  \(name)\(String(repeating: " ", count: max(2, 20 - name.count)))\(command.abstract)\n"
        }
        text +=
            "\nThe database is --db PATH, else $CUSTODY_DB, else ./custody.db.\nSee 'custody <command> --help' for a command's options."
        return text
    }

    public static func readStandardInput() -> String {
        String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
}
