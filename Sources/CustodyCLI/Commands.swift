import CustodyCore
import CustodyIngest
import CustodyJSON
import CustodyOwnership
import CustodyPipeline
import CustodyStore
import Foundation

enum InitCommand {
    static let command = Command(
        path: ["init"], abstract: "Create the database (or bring its schema up to date)",
        discussion: "Safe to run again: only migrations not yet applied run.", options: [], positionals: []
    ) { context in
        let store = try context.openStore()
        let applied = try store.appliedMigrations()
        context.console.out(
            "\(context.databasePath): schema version \(applied.last?.version ?? 0) (\(applied.count) migrations applied)"
        )
        return 0
    }
}

enum TeamsCommands {
    static let importCommand = Command(
        path: ["teams", "import"], abstract: "Load org units, teams and asset rules from teams and catalog files",
        discussion: """
            Files are Custody teams files or Backstage catalog files (detected by their
            apiVersion), merged in order. The result replaces the organisation in one transaction;
            owners decided by CODEOWNERS handles are re-decided with the new handles, each change a
            transfer event. A catalog group whose parent is in no file is kept without a unit.
            """,
        options: [OptionSpec("actor", value: "WHO", help: "who imports (recorded in the event; default: $USER)")],
        positionals: [PositionalSpec("FILE", help: "teams files (YAML) and Backstage catalog files", variadic: true)]
    ) { context in
        var organisation = Organisation()
        var fromCatalog = false
        for file in context.arguments.positionals {
            let text = try readText(file)
            if BackstageCatalog.detect(text) {
                let (catalog, warnings) = try BackstageCatalog.parse(text, file: file)
                for warning in warnings { context.console.err("\(warning)") }
                organisation = organisation.merged(with: catalog)
                fromCatalog = true
            } else {
                let single = context.arguments.positionals.count == 1
                organisation = organisation.merged(with: try TeamsFile.parse(text, file: file, validate: single))
            }
        }
        if fromCatalog {
            let units = Set(organisation.units.map(\.id))
            for index in organisation.teams.indices {
                if let unit = organisation.teams[index].unitID, !units.contains(unit) {
                    organisation.teams[index].unitID = nil
                }
            }
        }
        let names = context.arguments.positionals.joined(separator: ", ")
        if let problem = organisation.validate(file: names).first { throw problem }
        let store = try context.openStore()
        try store.importOrganisation(organisation, source: names, actor: actor(context))
        context.console.out(
            "imported \(organisation.units.count) units, \(organisation.teams.count) teams and "
                + "\(organisation.assetRules.count) asset rules from \(names)")
        return 0
    }

    static let listCommand = Command(
        path: ["teams", "list"], abstract: "List teams with their unit, lead and handles",
        options: [OptionSpec("json", help: "print a JSON array")], positionals: []
    ) { context in
        let organisation = try context.openStore().organisation()
        if context.arguments.flag("json") {
            let items: [JSONText.Value] = organisation.teams.map {
                .object([
                    ("id", .string($0.id)), ("name", .string($0.name)), ("unit", .optional($0.unitID)),
                    ("lead", .optional($0.lead)), ("handles", .strings($0.handles)),
                ])
            }
            context.console.out(JSONText.Value.array(items).text)
            return 0
        }
        let units = Dictionary(organisation.units.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var table = TextTable(["TEAM", "NAME", "UNIT", "LEAD", "HANDLES"])
        for team in organisation.teams {
            table.add([
                team.id, team.name, team.unitID.map { units[$0] ?? $0 } ?? "-", team.lead ?? "-",
                team.handles.joined(separator: " "),
            ])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }
}

enum IngestCommand {
    static let command = Command(
        path: ["ingest"], abstract: "Read scanner reports into the store",
        discussion: """
            Each report is identified, deduplicated against known findings, attributed to a team
            through CODEOWNERS and recorded. All files of one call are one transaction: a bad file
            leaves the store exactly as it was. A scan with --scope full marks findings of the same
            repository, branch and tool that it no longer reports as fixed.
            """,
        options: [
            OptionSpec(
                "repo", value: "NAME|DIR",
                help: "the repository scanned; a local git checkout also gives CODEOWNERS at --commit"),
            OptionSpec("branch", value: "B", help: "the branch scanned"),
            OptionSpec("commit", value: "SHA", help: "the commit scanned"),
            OptionSpec("scope", value: "full|partial", help: "full scans prove fixes by absence (default: partial)"),
            OptionSpec(
                "codeowners", value: "PATH",
                help: "CODEOWNERS file, or a checkout (the file the platform would use)"),
            OptionSpec("codeowners-dialect", value: "github|gitlab", help: "force the dialect (default: detected)"),
            OptionSpec("source-root", value: "DIR", help: "checkout to read flagged lines from (for fingerprints)"),
            OptionSpec("release-pattern", value: "GLOB", help: "tags that are releases, for introducers (default v*)"),
            configOption,
            OptionSpec("no-introducers", help: "with --repo DIR --commit: skip finding who introduced each finding"),
            OptionSpec("format", value: "FORMAT", help: "force a format instead of detecting it (sarif)"),
            OptionSpec("max-bytes", value: "N", help: "refuse reports larger than N bytes (default 4 GiB)"),
            OptionSpec("max-depth", value: "N", help: "refuse JSON nested deeper than N levels (default 256)"),
            OptionSpec("actor", value: "WHO", help: "who uploads (default: $USER)"),
            OptionSpec("json", help: "print the summary as JSON"),
        ],
        positionals: [PositionalSpec("FILE", help: "report files", variadic: true)]
    ) { context in
        let arguments = context.arguments
        var options = IngestOptions()
        options.repository = arguments.value("repo")
        // --repo may name a local git checkout: the repository is then its directory's name,
        // and without --codeowners, CODEOWNERS is read from it at --commit.
        if let repo = options.repository,
            FileManager.default.fileExists(atPath: repo + "/.git") || Git.isRepository(repo)
        {
            options.checkout = repo
            options.repository = URL(fileURLWithPath: repo).standardizedFileURL.lastPathComponent
        }
        options.branch = arguments.value("branch")
        options.commit = arguments.value("commit")
        options.scope = try arguments.choice("scope", as: ScanScope.self, among: ScanScope.allCases) ?? .partial
        options.codeownersPath = arguments.value("codeowners")
        options.codeownersDialect = try arguments.choice(
            "codeowners-dialect", as: CodeownersDialect.self, among: CodeownersDialect.allCases)
        options.sourceRoot = arguments.value("source-root")
        options.attributeIntroducers = !arguments.flag("no-introducers")
        let settings = try configuration(context)
        if let pattern = arguments.value("release-pattern") {
            guard !pattern.isEmpty, !pattern.hasPrefix("-"), !pattern.contains("..") else {
                throw UsageError(
                    message: "invalid --release-pattern '\(pattern)'; e.g. 'v*' or 'release-*'", command: "ingest")
            }
            options.releasePattern = pattern
        }
        options.format = try arguments.choice("format", as: ReportFormat.self, among: ReportFormat.allCases)
        if let maxDepth = try arguments.integer("max-depth", range: 2...1024) {
            options.limits.maxDepth = maxDepth
        }
        if let maxBytes = try arguments.integer("max-bytes", range: 1...(1 << 40)) {
            options.limits.maxBytes = maxBytes
        }
        options.uploader = actor(context)
        let store = try context.openStore()
        options.dueDates = DueDateRules(
            policy: settings.sla, criticality: settings.criticality, kev: try store.kevCatalog())
        // VEX documents say things about findings Custody has: applied, not ingested as findings.
        let vex = try arguments.positionals.compactMap(IngestCommand.vexSource)
        if let first = vex.first {
            guard vex.count == arguments.positionals.count else {
                throw UsageError(
                    message:
                        "\(first.file) is a VEX document: ingest VEX documents in a call of their own, after the scans",
                    command: "ingest")
            }
            let statements = try vex.flatMap(VEXReader.read)
            let summary = try store.applyVEX(statements, actor: options.uploader)
            context.console.out(
                "\(summary.statements) VEX statements: \(summary.applied) applied to findings, \(summary.changed) changed status, \(summary.superseded) superseded by later statements"
            )
            return 0
        }
        let outcome = try IngestPipeline(store: store).run(files: arguments.positionals, options: options)
        for warning in outcome.warnings { context.console.err("warning: \(warning)") }
        let s = outcome.summary
        if arguments.flag("json") {
            context.console.out(
                JSONText.Value.object([
                    ("findings", .int(Int64(s.findings))), ("new", .int(Int64(s.new))), ("seen", .int(Int64(s.seen))),
                    ("fixed", .int(Int64(s.fixed))), ("reopened", .int(Int64(s.reopened))),
                    ("unowned", .int(Int64(s.unowned))), ("reowned", .int(Int64(s.reowned))),
                    ("scans", .array(s.scanIDs.map { .int($0) })),
                ]).text)
        } else {
            context.console.out(
                "\(s.findings) findings: \(s.new) new, \(s.seen) seen, \(s.fixed) fixed, \(s.reopened) reopened, \(s.unowned) unowned"
            )
        }
        return 0
    }
}

extension IngestCommand {
    /// `file` read as a VEX document when it is an OpenVEX or CSAF VEX one (a cheap look at the
    /// first 4 KB, then a real one), else nil; the document is read once.
    static func vexSource(_ file: String) throws -> ReportSource? {
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
        guard head.contains("openvex") || head.contains("csaf_vex") else { return nil }
        let source = try ReportSource(file: file, limits: InputLimits(maxBytes: VEXReader.maxBytes))
        return VEXReader.detect(source) ? source : nil
    }
}

enum OwnersCommands {
    static let resolve = Command(
        path: ["owners", "resolve"], abstract: "Show which CODEOWNERS line owns each path",
        discussion:
            "Prints one JSON object per path: {\"path\": ..., \"owners\": [...], \"line\": N}.\nPaths come from the arguments, else from standard input, one per line.",
        options: [
            OptionSpec("codeowners", value: "PATH", help: "the CODEOWNERS file, or a checkout holding one (required)"),
            OptionSpec("codeowners-dialect", value: "github|gitlab", help: "force the dialect (default: detected)"),
        ],
        positionals: [PositionalSpec("PATH", help: "repository-relative paths", required: false, variadic: true)]
    ) { context in
        guard let file = context.arguments.value("codeowners") else {
            throw UsageError(message: "missing --codeowners PATH", command: "owners resolve")
        }
        let dialect = try context.arguments.choice(
            "codeowners-dialect", as: CodeownersDialect.self, among: CodeownersDialect.allCases)
        let (codeowners, warnings) = try IngestPipeline.loadCodeowners(path: file, dialect: dialect)
        for warning in warnings { context.console.err("\(warning)") }
        var paths = context.arguments.positionals
        if paths.isEmpty {
            paths = context.readInput().split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        }
        for path in paths {
            let match = codeowners.rules.match(path)
            context.console.out(
                JSONText.Value.object([
                    ("path", .string(path)), ("owners", .strings(match?.owners.map(\.handle) ?? [])),
                    ("line", .optional(match.flatMap { $0.owners.isEmpty ? nil : $0.line })),
                ]).text)
        }
        return 0
    }
}

extension OwnersCommands {
    static let explain = Command(
        path: ["owners", "explain"], abstract: "Show why a finding has its owner (or has none), with the evidence",
        options: [OptionSpec("json", help: "print a JSON object")],
        positionals: [PositionalSpec("FINDING_ID", help: "a finding's id (see 'custody findings list')")]
    ) { context in
        let id = try findingID(context, command: "owners explain")
        let store = try context.openStore()
        let row = try finding(id, in: store, context: context)
        let organisation = try store.organisation()
        let team = row.ownerTeam.flatMap { id in organisation.teams.first { $0.id == id } }
        let claimed = row.ownerEvidence?.handles.first { handle in
            organisation.teams.contains { $0.handles.contains { $0.lowercased() == handle.lowercased() } }
        }
        let evidence = row.ownerEvidence
        // An owner given by hand has its event instead of a rule.
        let assignment = try store.events(findingID: id).last { $0.kind == "ownership.assigned" }
        let assigned = assignment.flatMap { event -> String? in
            guard evidence == nil, row.ownerTeam != nil else { return nil }
            let payload = try? JSONDocument(bytes: Array(event.payload.utf8)).root
            return "assigned by \(event.actor) at \(event.at): \(payload?["reason"]?.string ?? "")"
        }
        let precedence =
            evidence?.dialect == "gitlab"
            ? "GitLab: the last matching entry of each section; owners of every matching section, in section order"
            : "GitHub: the last matching line of the file wins; a line without owners unsets"
        if context.arguments.flag("json") {
            var members: [(String, JSONText.Value)] = [
                ("id", .int(row.id)), ("path", .optional(row.path)), ("owner_team", .optional(row.ownerTeam)),
                ("reason", .string(assigned ?? FindingsCommands.unownedReason(row))),
            ]
            if let evidence {
                members.append(
                    (
                        "owner_evidence",
                        evidenceJSON(
                            evidence,
                            extra: [("claimed_handle", .optional(claimed)), ("precedence", .string(precedence))])
                    ))
            } else {
                members.append(("owner_evidence", .null))
            }
            context.console.out(JSONText.Value.object(members).text)
            return 0
        }
        let location = (row.path ?? "(no file location)") + (row.line.map { ":\($0)" } ?? "")
        context.console.out("finding \(row.id): \(row.rule) at \(location)")
        if let team {
            context.console.out("owner:    \(team.id) (\(team.name))" + (team.lead.map { ", lead \($0)" } ?? ""))
        } else {
            context.console.out("owner:    none - \(FindingsCommands.unownedReason(row))")
        }
        if let assigned { context.console.out("evidence: \(assigned)") }
        if let evidence {
            let revision = evidence.revision.map { " at \($0)" } ?? ""
            let section = evidence.section.map { ", section [\($0)]" } ?? ""
            context.console.out(
                "rule:     \(evidence.file)\(revision) line \(evidence.line)\(section): \(evidence.pattern)")
            context.console.out(
                "names:    "
                    + (evidence.handles.isEmpty
                        ? "(no owners: the rule unsets ownership)" : evidence.handles.joined(separator: " ")))
            if let claimed, let team {
                context.console.out("team:     \(claimed) is a handle of team \(team.id) (teams file)")
            }
            context.console.out("order:    \(precedence)")
        }
        return 0
    }
}

extension OwnersCommands {
    static let history = Command(
        path: ["owners", "history"], abstract: "Who owned a finding from when, and why it changed",
        options: [OptionSpec("json", help: "print a JSON array")],
        positionals: [PositionalSpec("FINDING_ID", help: "a finding's id")]
    ) { context in
        let id = try findingID(context, command: "owners history")
        let spans = try context.openStore().ownerHistory(findingID: id)
        guard !spans.isEmpty else { throw Diagnostic(file: context.databasePath, message: "no finding \(id)") }
        if context.arguments.flag("json") {
            context.console.out(
                JSONText.Value.array(
                    spans.map {
                        .object([
                            ("from", .string($0.from)), ("team", .optional($0.team)), ("reason", .string($0.reason)),
                            ("actor", .string($0.actor)),
                        ])
                    }
                ).text)
            return 0
        }
        var table = TextTable(["FROM", "OWNER", "WHY", "BY"])
        for span in spans { table.add([span.from, span.team ?? "(unowned)", span.reason, span.actor]) }
        context.console.out(table.render(), terminator: "")
        return 0
    }
}

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
        let report = try context.openStore().verifyLedger(publicKey: publicKey)
        if context.arguments.flag("json") {
            context.console.out(
                JSONText.Value.object([
                    ("ok", .bool(report.broken == nil)), ("events", .int(Int64(report.count))),
                    ("head", .string(report.head)), ("checkpoints", .int(Int64(report.checkpoints))),
                    ("broken_at", .optional(report.broken?.sequence)),
                    ("reason", .optional(report.broken?.reason)),
                ]).text)
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
        let directory = context.arguments.positionals[0]
        let privatePath = directory + "/ledger-key.pem"
        let publicPath = directory + "/ledger-key.pub.pem"
        guard !FileManager.default.fileExists(atPath: privatePath) else {
            throw Diagnostic(file: privatePath, message: "already exists; not overwriting a key")
        }
        let (privateKey, publicKey) = try Signing.generateKeyPair()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard
            FileManager.default.createFile(
                atPath: privatePath, contents: Data(privateKey.utf8), attributes: [.posixPermissions: 0o600])
        else { throw Diagnostic(file: privatePath, message: "cannot write the private key") }
        try publicKey.write(toFile: publicPath, atomically: true, encoding: .utf8)
        context.console.out(
            "wrote \(privatePath) (keep it secret) and \(publicPath), key id \(Signing.keyID(publicKey))")
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
        let (sequence, head) = try context.openStore().checkpoint(
            privateKey: privateKey, publicKey: publicKey, actor: actor(context))
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
        for entry in try context.openStore().ledgerEntries(after: Int64(after)) {
            var line = "{\"seq\":\(entry.sequence),\"at\":"
            JSONText.quote(entry.at, into: &line)
            line += ",\"kind\":"
            JSONText.quote(entry.kind, into: &line)
            line += ",\"finding\":" + (entry.findingID.map(String.init) ?? "null")
            line += ",\"scan\":" + (entry.scanID.map(String.init) ?? "null") + ",\"actor\":"
            JSONText.quote(entry.actor, into: &line)
            line += ",\"payload\":\(entry.payload),\"prev\":\"\(entry.previousHash)\",\"hash\":\"\(entry.hash)\"}"
            context.console.out(line)
        }
        return 0
    }
}

enum UnownedCommands {
    static let queue = Command(
        path: ["unowned"], abstract: "The accountability gap: open findings no team owns, worst first",
        discussion: """
            Groups unowned open findings by repository and directory, with their severities and ages
            (first seen 0-7, 8-30, 31-90, over 90 days ago), and suggests the teams that own findings
            nearest to each group. 'custody unowned assign' gives them an owner.
            """,
        options: [OptionSpec("json", help: "print a JSON array")], positionals: []
    ) { context in
        let groups = try context.openStore().unownedQueue(now: Date())
        if context.arguments.flag("json") {
            context.console.out(
                JSONText.Value.array(
                    groups.map { group in
                        .object([
                            ("repository", .optional(group.repository)), ("directory", .optional(group.directory)),
                            ("findings", .array(group.findingIDs.map { .int($0) })),
                            ("critical", .int(Int64(group.critical))), ("high", .int(Int64(group.high))),
                            ("medium", .int(Int64(group.medium))), ("low", .int(Int64(group.low))),
                            ("oldest_age_days", .int(Int64(group.oldestAgeDays))),
                            ("ages", .array(group.ages.map { .int(Int64($0)) })),
                            (
                                "suggestions",
                                .array(
                                    group.suggestions.map {
                                        .object([
                                            ("team", .string($0.team)), ("basis", .string($0.basis.rawValue)),
                                            ("near", .string($0.near)), ("findings", .int(Int64($0.findings))),
                                            ("introduced_by", .strings($0.introducedBy)),
                                        ])
                                    })
                            ),
                        ])
                    }
                ).text)
            return 0
        }
        var table = TextTable([
            "REPOSITORY", "DIRECTORY", "FINDINGS", "C/H/M/L", "OLDEST", "AGES 7/30/90/+", "SUGGESTED OWNERS",
        ])
        for group in groups {
            let suggestions = group.suggestions.map { suggestion in
                switch suggestion.basis {
                case .nearby: "\(suggestion.team) (\(suggestion.findings) under \(suggestion.near))"
                case .introducers:
                    "\(suggestion.team) (introduced \(suggestion.findings): \(suggestion.introducedBy.joined(separator: " ")))"
                case .ownedThen: "\(suggestion.team) (owned the code when \(suggestion.findings) were introduced)"
                }
            }
            table.add([
                group.repository ?? "-", group.directory.map { $0.isEmpty ? "/" : $0 + "/" } ?? "(no path)",
                String(group.findingIDs.count), "\(group.critical)/\(group.high)/\(group.medium)/\(group.low)",
                "\(group.oldestAgeDays)d", group.ages.map(String.init).joined(separator: "/"),
                suggestions.isEmpty ? "-" : suggestions.joined(separator: ", "),
            ])
        }
        context.console.out(table.render(), terminator: "")
        let total = groups.reduce(0) { $0 + $1.findingIDs.count }
        context.console.out("\(total) unowned findings in \(groups.count) groups")
        return 0
    }

    static let assign = Command(
        path: ["unowned", "assign"], abstract: "Give unowned findings an owner, with a reason (one event each)",
        options: [
            OptionSpec("team", value: "T", help: "the team that becomes accountable (required)"),
            OptionSpec("reason", value: "TEXT", help: "why (required; recorded in each event)"),
            OptionSpec("actor", value: "WHO", help: "who assigns (default: $USER)"),
        ],
        positionals: [PositionalSpec("FINDING_ID", help: "finding ids", variadic: true)]
    ) { context in
        guard let team = context.arguments.value("team") else {
            throw UsageError(message: "missing --team T", command: "unowned assign")
        }
        let reason = try requiredReason(context, command: "unowned assign", hint: "say why this team is accountable")
        let ids = try findingIDs(context, command: "unowned assign")
        let store = try context.openStore()
        let changed: Int
        do {
            changed = try store.assignOwner(findingIDs: ids, team: team, actor: actor(context), reason: reason)
        } catch let error as DatabaseError {
            throw Diagnostic(file: context.databasePath, message: error.message)
        }
        context.console.out("\(changed) findings assigned to \(team)")
        return 0
    }
}

enum FindingsCommands {
    static let list = Command(
        path: ["findings", "list"], abstract: "List findings, optionally by team, status or ownership",
        options: [
            OptionSpec("team", value: "T", help: "only findings owned by team T"),
            OptionSpec(
                "status", value: "S",
                help: "only findings in status S (\(FindingStatus.allCases.map(\.rawValue).joined(separator: ", ")))"),
            OptionSpec("unowned", help: "only findings no team owns"),
            OptionSpec("overdue", help: "only open work past its SLA due date"),
            OptionSpec(
                "at", value: "TIME", help: "with --team: what the team owned then (2026-03-01 or 2026-03-01T12:00:00Z)"),
            OptionSpec("repo", value: "NAME", help: "only findings of one repository"),
            OptionSpec("cve", value: "ID", help: "only findings of one CVE"),
            OptionSpec("rule", value: "ID", help: "only findings of one rule"),
            OptionSpec("limit", value: "N", help: "at most N findings"),
            OptionSpec("json", help: "print a JSON array"),
            OptionSpec("csv", help: "print CSV (RFC 4180)"),
        ],
        positionals: []
    ) { context in
        let arguments = context.arguments
        if arguments.flag("json") && arguments.flag("csv") {
            throw UsageError(message: "--json and --csv exclude each other; pick one", command: "findings list")
        }
        var query = FindingQuery(
            team: arguments.value("team"),
            status: try arguments.choice("status", as: FindingStatus.self, among: FindingStatus.allCases),
            unownedOnly: arguments.flag("unowned"), repository: arguments.value("repo"),
            limit: try arguments.integer("limit", range: 1...Int(Int32.max)))
        if arguments.flag("overdue") { query.overdueAt = Timestamp.string(Date()) }
        query.cve = arguments.value("cve")
        query.rule = arguments.value("rule")
        let store = try context.openStore()
        if let team = query.team, !(try store.organisation().teams.contains { $0.id == team }) {
            throw UsageError(message: "unknown team '\(team)'; see 'custody teams list'", command: "findings list")
        }
        var rows: [FindingRow]
        if let at = arguments.value("at") {
            guard let team = query.team else {
                throw UsageError(message: "--at needs --team: whose findings at that time?", command: "findings list")
            }
            guard let time = Timestamp.parse(at) else {
                throw UsageError(
                    message: "invalid time '\(at)'; write 2026-03-01 or 2026-03-01T12:00:00Z", command: "findings list")
            }
            let ids = Set(try store.findingIDs(ownedBy: team, at: time))
            var unfiltered = query
            unfiltered.team = nil
            rows = try store.findings(unfiltered).filter { ids.contains($0.id) }
        } else {
            rows = try store.findings(query)
        }
        if arguments.flag("json") {
            context.console.out(JSONText.Value.array(rows.map(FindingsCommands.json)).text)
        } else if arguments.flag("csv") {
            context.console.out(CSV.line(csvColumns), terminator: "\r\n")
            for row in rows { context.console.out(CSV.line(csvFields(row)), terminator: "\r\n") }
        } else {
            let unowned = arguments.flag("unowned")
            var header = ["ID", "SEVERITY", "STATUS", "TEAM", "TOOL", "RULE", "LOCATION"]
            if unowned { header.append("WHY UNOWNED") }
            var table = TextTable(header)
            for row in rows {
                let location = (row.path ?? "-") + (row.line.map { ":\($0)" } ?? "")
                var cells = [
                    String(row.id), row.severity.rawValue, row.status.rawValue, row.ownerTeam ?? "(unowned)", row.tool,
                    row.rule, location,
                ]
                if unowned { cells.append(unownedReason(row)) }
                table.add(cells)
            }
            context.console.out(table.render(), terminator: "")
            context.console.out("\(rows.count) findings")
        }
        return 0
    }

    static let show = Command(
        path: ["findings", "show"], abstract: "One finding: what, where, who owns it and who introduced it",
        options: [OptionSpec("json", help: "print a JSON object")],
        positionals: [PositionalSpec("FINDING_ID", help: "a finding's id")]
    ) { context in
        let id = try findingID(context, command: "findings show")
        let store = try context.openStore()
        let row = try finding(id, in: store, context: context)
        let related = try store.relatedFindings(of: row.id)
        let introducer = row.introducer
        let reason =
            introducer != nil
            ? nil
            : (row.introducerUnknownReason
                ?? "no attribution ran: ingest with --repo DIR (a git checkout) and --commit SHA")
        if context.arguments.flag("json") {
            guard case .object(var members) = json(row) else { return 1 }
            let evidence = row.ownerEvidence.map { evidenceJSON($0) } ?? .null
            members += [
                ("owner_evidence", evidence),
                ("introduced_commit", .optional(introducer?.commit)),
                ("introduced_author", .optional(introducer.map { "\($0.author) <\($0.email)>" })),
                ("introduced_at", .optional(introducer?.authoredAt)),
                ("introduced_release", .optional(introducer?.release)),
                ("introduced_team", .optional(introducer?.team)),
                ("introduced_path", .optional(introducer?.pathThen)),
                ("introduced_line", .optional(introducer?.lineThen)),
                ("introducer_reason", .optional(reason)),
                (
                    "related",
                    .array(
                        related.map {
                            .object([("id", .int($0.id)), ("tool", .string($0.tool)), ("rule", .string($0.rule))])
                        })
                ),
            ]
            context.console.out(JSONText.Value.object(members).text)
            return 0
        }
        let location = (row.path ?? "(no file location)") + (row.line.map { ":\($0)" } ?? "")
        context.console.out("finding \(row.id)  \(row.severity.rawValue)  \(row.status.rawValue)")
        context.console.out("what:       \(row.tool) \(row.rule): \(row.message)")
        context.console.out("where:      \(row.repository.map { $0 + " " } ?? "")\(location)")
        if let package = row.package {
            context.console.out(
                "package:    \(package) \(row.packageVersion ?? "")"
                    + (row.fixedVersion.map { " (fixed in \($0))" } ?? ""))
        }
        if !row.vulnerabilityIDs.isEmpty {
            context.console.out("ids:        \(row.vulnerabilityIDs.joined(separator: ", "))")
        }
        context.console.out("reported by: \(row.sources.joined(separator: ", "))")
        if row.fingerprintBasis == "dependency", let package = row.package,
            let vulnerability = DependencyIdentity.vulnerabilityKey(row.vulnerabilityIDs + row.cves)
        {
            context.console.out(
                "identity:   \(vulnerability) in \(DependencyIdentity.packageKey(package)) of \(row.repository ?? row.asset ?? "-")"
                    + " (one finding whichever tool reports it; docs/formats.md)")
        }
        if let epss = row.epss { context.console.out("epss:       \(epss) (probability of exploitation in 30 days)") }
        if let ssvc = row.ssvc { context.console.out("ssvc:       \(ssvc) (\(row.ssvcInputs ?? ""))") }
        for related in related {
            context.console.out(
                "related:    finding \(related.id): \(related.tool) \(related.rule) at the same line, same CWE")
        }
        context.console.out("owner:      \(row.ownerTeam ?? "none (\(unownedReason(row)))")")
        if let introducer {
            context.console.out(
                "introduced: \(introducer.commit.prefix(12)) by \(introducer.author) <\(introducer.email)> at \(introducer.authoredAt)"
            )
            context.console.out("            in \(introducer.pathThen):\(introducer.lineThen)")
            context.console.out("release:    \(introducer.release ?? "not yet in a release")")
            context.console.out("team then:  \(introducer.team ?? "no team owned the path then")")
        } else {
            context.console.out("introduced: unknown - \(reason ?? "")")
        }
        context.console.out("seen:       first \(row.firstSeen), last \(row.lastSeen)")
        context.console.out("due:        \(row.dueAt ?? "no due date")")
        if row.escalation != .none {
            context.console.out("escalated:  to the \(row.escalation.name) (custody trace \(row.id) shows each step)")
        }
        if let added = row.kevAdded {
            context.console.out("exploited:  in CISA's KEV catalog since \(added)")
        }
        return 0
    }

    /// Why nobody owns a finding, from the evidence kept at ingest.
    static func unownedReason(_ row: FindingRow) -> String {
        if row.ownerTeam != nil { return "owned" }
        if row.path == nil { return "no file location" }
        guard let line = row.ownerLine else { return "no CODEOWNERS rule matches" }
        if row.ownerHandles.isEmpty { return "CODEOWNERS line \(line) unsets ownership" }
        return "CODEOWNERS line \(line): \(row.ownerHandles.joined(separator: " ")) is no team's handle"
    }

    static func json(_ row: FindingRow) -> JSONText.Value {
        .object([
            ("id", .int(row.id)), ("fingerprint", .string(row.fingerprint)), ("tool", .string(row.tool)),
            ("rule", .string(row.rule)), ("severity", .string(row.severity.rawValue)),
            ("status", .string(row.status.rawValue)), ("repository", .optional(row.repository)),
            ("path", .optional(row.path)), ("line", .optional(row.line)), ("message", .string(row.message)),
            ("cwes", .strings(row.cwes)), ("cves", .strings(row.cves)), ("owner_team", .optional(row.ownerTeam)),
            ("owner_handles", .strings(row.ownerHandles)), ("owner_line", .optional(row.ownerLine)),
            ("fingerprint_basis", .string(row.fingerprintBasis)),
            ("suppressed", .bool(row.suppressed)), ("first_seen", .string(row.firstSeen)),
            ("last_seen", .string(row.lastSeen)), ("due_at", .optional(row.dueAt)),
            ("kev_added", .optional(row.kevAdded)), ("escalation", .string(row.escalation.name)),
            ("package", .optional(row.package)), ("package_version", .optional(row.packageVersion)),
            ("vulnerability_ids", .strings(row.vulnerabilityIDs)), ("fixed_version", .optional(row.fixedVersion)),
            ("cvss", .strings(row.cvssVectors)), ("epss", .optional(row.epss)), ("ssvc", .optional(row.ssvc)),
            ("ssvc_inputs", .optional(row.ssvcInputs)), ("asset", .optional(row.asset)),
            ("sources", .strings(row.sources)),
        ])
    }

    static let csvColumns = [
        "id", "fingerprint", "tool", "rule", "severity", "status", "repository", "path", "line", "owner_team",
        "first_seen", "last_seen", "message",
    ]

    static func csvFields(_ row: FindingRow) -> [String] {
        [
            String(row.id), row.fingerprint, row.tool, row.rule, row.severity.rawValue, row.status.rawValue,
            row.repository ?? "", row.path ?? "", row.line.map(String.init) ?? "", row.ownerTeam ?? "", row.firstSeen,
            row.lastSeen, row.message,
        ]
    }
}

enum SummaryCommand {
    static let command = Command(
        path: ["summary"], abstract: "Open findings per team, by severity, with the unowned row last",
        options: [OptionSpec("json", help: "print a JSON array")], positionals: []
    ) { context in
        let rows = try context.openStore().teamSummaries()
        if context.arguments.flag("json") {
            context.console.out(
                JSONText.Value.array(
                    rows.map {
                        .object([
                            ("team", .optional($0.team)), ("open", .int(Int64($0.open))),
                            ("critical", .int(Int64($0.critical))), ("high", .int(Int64($0.high))),
                            ("medium", .int(Int64($0.medium))), ("low", .int(Int64($0.low))),
                            ("fixed", .int(Int64($0.fixed))),
                        ])
                    }
                ).text)
            return 0
        }
        var table = TextTable(["TEAM", "NAME", "OPEN", "CRITICAL", "HIGH", "MEDIUM", "LOW", "FIXED"], numeric: 2...7)
        for row in rows {
            table.add([
                row.team ?? "(unowned)", row.teamName ?? "no team owns these", String(row.open), String(row.critical),
                String(row.high), String(row.medium), String(row.low), String(row.fixed),
            ])
        }
        context.console.out(table.render(), terminator: "")
        return 0
    }
}

/// The FINDING_ID arguments of a command (possibly none), checked.
func findingIDs(_ context: CommandContext, command: String) throws -> [Int64] {
    try context.arguments.positionals.map { text in
        guard let id = Int64(text), id > 0 else {
            throw UsageError(message: "'\(text)' is not a finding id", command: command)
        }
        return id
    }
}

/// The required --reason of a command that changes state: every change says why.
func requiredReason(_ context: CommandContext, command: String, hint: String) throws -> String {
    guard let reason = context.arguments.value("reason"), !reason.isEmpty else {
        throw UsageError(message: "missing --reason TEXT: \(hint)", command: command)
    }
    return reason
}

/// Ownership evidence as JSON (`owners explain`, `findings show`), with extra members after it.
func evidenceJSON(_ evidence: OwnerEvidence, extra: [(String, JSONText.Value)] = []) -> JSONText.Value {
    .object(
        [
            ("source", .string(evidence.source)), ("file", .string(evidence.file)),
            ("revision", .optional(evidence.revision)), ("dialect", .string(evidence.dialect)),
            ("line", .int(Int64(evidence.line))), ("pattern", .string(evidence.pattern)),
            ("section", .optional(evidence.section)), ("handles", .strings(evidence.handles)),
        ] + extra)
}

/// The FINDING_ID argument of a command, checked.
func findingID(_ context: CommandContext, command: String) throws -> Int64 {
    guard let id = Int64(context.arguments.positionals[0]), id > 0 else {
        throw UsageError(message: "FINDING_ID must be a positive number", command: command)
    }
    return id
}

/// One finding by id, or an error naming the database.
func finding(_ id: Int64, in store: SQLiteStore, context: CommandContext) throws -> FindingRow {
    var query = FindingQuery()
    query.id = id
    guard let row = try store.findings(query).first else {
        throw Diagnostic(file: context.databasePath, message: "no finding \(id)")
    }
    return row
}

/// The configuration: --config PATH, else $CUSTODY_CONFIG, else ./custody.yaml when it exists,
/// else the defaults.
func configuration(_ context: CommandContext) throws -> Configuration {
    let path =
        context.arguments.value("config") ?? context.environment["CUSTODY_CONFIG"]
        ?? (FileManager.default.fileExists(atPath: "custody.yaml") ? "custody.yaml" : nil)
    guard let path else { return Configuration() }
    return try Configuration.parse(try TextFile.read(path, limit: TextFile.organisationLimit), file: path)
}

let configOption = OptionSpec(
    "config", value: "FILE", help: "the configuration (default: $CUSTODY_CONFIG, else ./custody.yaml if present)")

func actor(_ context: CommandContext) -> String {
    context.arguments.value("actor") ?? context.environment["USER"] ?? "cli"
}

func readText(_ path: String) throws -> String {
    try TextFile.read(path, limit: TextFile.organisationLimit)
}

/// Aligned plain-text columns.
struct TextTable {
    let header: [String]
    let numeric: ClosedRange<Int>?
    var rows: [[String]] = []

    init(_ header: [String], numeric: ClosedRange<Int>? = nil) {
        self.header = header
        self.numeric = numeric
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in [header] + rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                let right = numeric?.contains(i) == true
                line += right ? pad + cell : cell + (i == row.count - 1 ? "" : pad)
                if i < row.count - 1 { line += "  " }
            }
            out += line + "\n"
        }
        return out
    }
}

/// RFC 4180 CSV. Cells that a spreadsheet would run as a formula get a leading apostrophe.
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    static func field(_ raw: String) -> String {
        var value = raw
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }
}
