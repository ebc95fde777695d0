import CustodyCore
import CustodyServer
import CustodyService
import Foundation

/// `custody serve`: the JSON API (docs/api.md) on libmicrohttpd, until SIGTERM or SIGINT; the
/// requests in flight finish before it exits.
enum ServeCommand {
    static let command = Command(
        path: ["serve"], abstract: "Serve the JSON API (docs/api.md) until SIGTERM",
        options: [
            OptionSpec("host", value: "ADDRESS", help: "the IPv4 address to listen on (default 127.0.0.1)"),
            OptionSpec("port", value: "N", help: "the port (default 8080; 0: any free one, printed)"),
            OptionSpec("threads", value: "N", help: "request threads (default 8)"),
            OptionSpec("max-body", value: "BYTES", help: "the largest request body (default 67108864; 413 above)"),
            OptionSpec("rate", value: "N", help: "requests a second per token, on average (default 100; 0: no limit)"),
            OptionSpec("ingests", value: "N", help: "ingests run at once (default 2)"),
            OptionSpec(
                "ingest-queue", value: "N",
                help:
                    "ingests that may wait for those (default: threads - ingests - 2, leaving two for reads; beyond: 503)"
            ),
            OptionSpec("tls-cert", value: "PEM", help: "serve HTTPS with this certificate (with --tls-key)"),
            OptionSpec("tls-key", value: "PEM", help: "the certificate's private key"),
            configOption,
        ],
        positionals: []
    ) { context in
        let arguments = context.arguments
        var settings = HTTPServer.Settings()
        settings.host = arguments.value("host") ?? settings.host
        settings.port = UInt16(try arguments.integer("port", range: 0...65_535) ?? 8080)
        settings.threads = UInt32(try arguments.integer("threads", range: 1...256) ?? 8)
        settings.maxBody = try arguments.integer("max-body", range: 1...(1 << 34)) ?? settings.maxBody
        switch (arguments.value("tls-cert"), arguments.value("tls-key")) {
        case (nil, nil): break
        case (let certificate?, let key?):
            for path in [certificate, key] where !FileManager.default.isReadableFile(atPath: path) {
                throw ServiceError(.notFound, "cannot read the TLS file", file: path)
            }
            settings.tlsCertificate = try String(contentsOfFile: certificate, encoding: .utf8)
            settings.tlsKey = try String(contentsOfFile: key, encoding: .utf8)
        default: throw UsageError(message: "--tls-cert and --tls-key go together", command: "serve")
        }
        let rate = try arguments.integer("rate", range: 0...1_000_000) ?? 100
        // Ingests beyond these are refused (503), so that they never hold every request thread.
        let running = min(try arguments.integer("ingests", range: 1...64) ?? 2, Int(settings.threads))
        // A connection per request thread: reads go side by side.
        let service = CustodyService(
            databasePath: context.databasePath, configuration: try context.configuration(),
            environment: context.environment, connections: .perThread)
        let api = API(
            service: service,
            log: RequestLog { line in FileHandle.standardError.write(Data(line.utf8)) },
            limiter: rate > 0 ? RateLimiter(rate: Double(rate), burst: Double(rate) * 2) : nil,
            ingests: IngestQueue(
                running: running,
                waiting: try arguments.integer("ingest-queue", range: 0...10_000)
                    ?? max(0, Int(settings.threads) - running - 2)),
            secureCookies: settings.tlsKey != nil)
        let server = HTTPServer(settings: settings) { api.handle($0) }
        do {
            try server.start()
        } catch let failure as HTTPServer.StartFailure {
            throw ServiceError(.unavailable, failure.description)
        }
        // Signals are taken here, on a queue, not by the default handler that would kill the
        // process with requests in flight.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stop = DispatchSemaphore(value: 0)
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }
        // The dashboard's overview, computed beside the first requests.
        service.prepareOverview()
        let scheme = settings.tlsKey == nil ? "http" : "https"
        context.console.out("custody: serving \(scheme)://\(settings.host):\(server.port)/ (SIGTERM stops)")
        context.console.flush()  // whoever started us reads the address now
        stop.wait()
        server.stop()
        sources.forEach { $0.cancel() }
        context.console.err("custody: stopped")
        return 0
    }
}

/// `custody tokens create|list|revoke`: API tokens, shown once, kept as hashes.
enum TokensCommands {
    static let create = Command(
        path: ["tokens", "create"], abstract: "Make an API token (printed once; only its hash is kept)",
        options: [
            OptionSpec("name", value: "NAME", help: "what the token is for (unique)"),
            OptionSpec(
                "role", value: "ROLE",
                help: "security, team, lead, executive, auditor, uploader or administrator (docs/api.md)"),
            OptionSpec("team", value: "T[,T...]", help: "the teams a team or lead token acts for"),
            OptionSpec(
                "unit", value: "U[,U...]", help: "scope it to these org units: their teams' findings only"),
            OptionSpec("expires", value: "TIME", help: "when it stops working (default: never)"),
            OptionSpec("actor", value: "WHO", help: "who makes it (default: $USER)"),
        ],
        positionals: []
    ) { context in
        let arguments = context.arguments
        guard let name = arguments.value("name") else {
            throw UsageError(message: "missing --name NAME", command: "tokens create")
        }
        guard
            let role = try arguments.choice("role", as: Principal.Role.self, among: Principal.Role.allCases)
        else { throw UsageError(message: "missing --role ROLE", command: "tokens create") }
        let teams = (arguments.value("team") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let units = (arguments.value("unit") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let expires = arguments.value("expires") != nil ? try arguments.time("expires") : nil
        let made = try context.service().createToken(
            TokenRequest(name: name, role: role, teams: teams, units: units, expiresAt: expires),
            by: context.principal())
        context.console.out(made.token)
        context.console.err("token '\(made.record.name)' (\(made.record.role)) made; it is not shown again")
        return 0
    }

    static let list = Command(
        path: ["tokens", "list"],
        abstract: "API tokens: name, role, teams, units, expiry, last use (never the token)",
        options: [OptionSpec("json", help: "print a JSON array")], positionals: []
    ) { context in
        let rows = try context.service().tokens(by: context.principal())
        if context.arguments.flag("json") {
            printJSON(context, .array(rows.map(Wire.token)))
            return 0
        }
        var table = TextTable(["NAME", "ROLE", "TEAMS", "UNITS", "CREATED", "EXPIRES", "LAST USED", "REVOKED"])
        for row in rows {
            table.add([
                row.name, row.role, row.teams.isEmpty ? "-" : row.teams.joined(separator: ","),
                row.units.isEmpty ? "-" : row.units.joined(separator: ","), row.createdAt,
                row.expiresAt ?? "-", row.lastUsedAt ?? "-", row.revokedAt ?? "-",
            ])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }

    static let revoke = Command(
        path: ["tokens", "revoke"], abstract: "Revoke an API token: it stops working at once",
        options: [OptionSpec("actor", value: "WHO", help: "who revokes it (default: $USER)")],
        positionals: [PositionalSpec("NAME", help: "the token's name")]
    ) { context in
        try context.service().revokeToken(name: context.arguments.positionals[0], by: context.principal())
        context.console.err("token '\(context.arguments.positionals[0])' revoked")
        return 0
    }
}
