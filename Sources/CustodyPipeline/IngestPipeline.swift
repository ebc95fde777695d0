import CustodyCore
import CustodyIngest
import CustodyJSON
import CustodyOwnership
import CustodyStore
import Foundation

/// How an ingest should read and attribute its reports.
public struct IngestOptions: Sendable {
    public var repository: String?
    /// A local git checkout of the repository: CODEOWNERS is then read at `commit` from it.
    public var checkout: String?
    public var branch: String?
    public var commit: String?
    /// The release the scanned commit is part of; nil: with a checkout, the earliest release tag
    /// containing the commit.
    public var release: String?
    public var scope: ScanScope = .partial
    /// When the scans ran; nil: the time each report states (`usesReportedTime`), else now.
    public var scanDate: Date?
    public var usesReportedTime = true
    /// A CODEOWNERS file, or a checkout holding one, to attribute owners with.
    public var codeownersPath: String?
    /// The CODEOWNERS dialect; nil: from the file's location and content.
    public var codeownersDialect: CodeownersDialect?
    /// CODEOWNERS text sent with an upload rather than a file to read. Ignored when
    /// `codeownersPath` is set; preferred to the checkout's.
    public var codeownersText: SentCodeowners?
    /// The map last recorded for the repository: applied when nothing else gives one.
    public var recordedCodeowners: SentCodeowners?
    /// With a checkout and a commit: find who introduced each code finding (git blame).
    public var attributeIntroducers = true
    /// How introducers are blamed (replay of the history, `git blame` per file, or chosen).
    public var blameStrategy = IntroducerAttributor.Strategy.automatic
    /// Tags that are releases, as a git pattern.
    public var releasePattern = "v*"
    /// Due dates for new findings: the SLA policy, asset criticality and the KEV catalog.
    public var dueDates = DueDateRules()
    /// A checkout to read flagged lines from, for fingerprints of results without a snippet.
    public var sourceRoot: String?
    public var format: ReportFormat?
    /// Findings below this severity are left out (and a full scan proves nothing about them).
    public var minimumSeverity: Severity?
    public var uploader = "cli"
    public var limits = InputLimits()

    public init() {}
}

/// CODEOWNERS text an ingest is given: its name in the ownership history and since when it
/// holds (nil: the scan's time).
public struct SentCodeowners: Sendable {
    public var name: String
    public var text: String
    public var effectiveAt: String?

    public init(name: String, text: String, effectiveAt: String? = nil) {
        self.name = name
        self.text = text
        self.effectiveAt = effectiveAt
    }
}

/// Steps 1 to 5 of the design sketch for a set of report files: read each report (1),
/// fingerprint every finding (2), attribute its owner (3) and record everything in one
/// transaction (5). Nothing is written unless every file reads cleanly.
public struct IngestPipeline {
    public let store: any Store

    public init(store: any Store) { self.store = store }

    public struct Outcome: Sendable {
        public var summary: IngestSummary
        public var warnings: [Diagnostic]
        /// Where the CODEOWNERS applied came from.
        public var ownershipMap: OwnershipMapSource
    }

    /// Reads a CODEOWNERS file, or the one a checkout holds (by the platforms' precedence), in the
    /// given dialect or the one its location and content show. Unreadable lines become warnings.
    public static func loadCodeowners(path: String, dialect: CodeownersDialect?) throws -> (
        OwnerResolver.Source, [Diagnostic]
    ) {
        var file = path
        var located: CodeownersDialect?
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let candidates = Set(CodeownersDialect.allCases.flatMap(\.locations))
            let present = candidates.filter { FileManager.default.fileExists(atPath: path + "/" + $0) }
            guard let found = CodeownersDialect.locate(among: Array(present)) else {
                throw Diagnostic(
                    file: path,
                    message: "no CODEOWNERS file (looked for \(candidates.sorted().joined(separator: ", ")))")
            }
            file = path + "/" + found.path
            located = found.dialect
        }
        return parseCodeowners(
            try TextFile.read(file, limit: TextFile.codeownersLimit), file: file, dialect: dialect ?? located)
    }

    /// CODEOWNERS text read as the file `file`, in `dialect` or the one its content shows.
    public static func parseCodeowners(_ text: String, file: String, dialect: CodeownersDialect?) -> (
        OwnerResolver.Source, [Diagnostic]
    ) {
        let parsed = (dialect ?? CodeownersDialect.detect(text)).parse(text, file: file)
        return (OwnerResolver.Source(rules: parsed, file: file), warnings(parsed.diagnostics, file: nil))
    }

    /// A CODEOWNERS file's unreadable lines do not stop an ingest: they are warnings.
    private static func warnings(_ diagnostics: [Diagnostic], file: String?) -> [Diagnostic] {
        diagnostics.map {
            var warning = $0
            warning.severity = .warning
            if let file { warning.file = file }
            return warning
        }
    }

    /// Reads CODEOWNERS from a git checkout at `commit` (the file the platform would have used
    /// then), or from its working tree when no commit is given. Nil when the commit has none.
    public static func loadCodeowners(checkout: String, commit: String?, dialect: CodeownersDialect?) throws -> (
        OwnerResolver.Source, [Diagnostic]
    )? {
        guard let commit else {
            return try? loadCodeowners(path: checkout, dialect: dialect)
        }
        let git = Git(directory: checkout)
        let sha: String
        do {
            sha = try git.resolve(commit)
        } catch let failure as Git.Failure {
            throw Diagnostic(file: checkout, message: failure.message)
        }
        guard let found = try git.codeowners(at: sha, dialect: dialect) else { return nil }
        let shownAs = "\(checkout)/\(found.path) at \(sha.prefix(12))"
        return (
            OwnerResolver.Source(rules: found.rules, file: found.path, revision: sha),
            warnings(found.rules.diagnostics, file: shownAs)
        )
    }

    public func run(files: [String], options: IngestOptions) throws -> Outcome {
        try run(inputs: files.map(ReportInput.file), options: options)
    }

    /// Ingests report files and reports already in memory (an upload, a request body) alike.
    ///
    /// When the database fails in a way a retry may cure (a lost connection, a restarting
    /// server), the ingest's transaction was rolled back whole, and it runs again from its
    /// inputs, up to ``SQLStore/attempts`` times; each retry is a warning of the outcome.
    public func run(inputs files: [ReportInput], options: IngestOptions) throws -> Outcome {
        var retries: [Diagnostic] = []
        var attempt = 1
        while true {
            do {
                var outcome = try runOnce(inputs: files, options: options)
                outcome.warnings = retries + outcome.warnings
                return outcome
            } catch  where attempt < SQLStore.attempts && store.isTransient(error) {
                attempt += 1
                retries.append(
                    Diagnostic(
                        .warning, file: files.first?.name ?? "ingest",
                        message: "the database failed during the ingest (\(error)); nothing of it was written, "
                            + "and it runs again from the start (attempt \(attempt) of \(SQLStore.attempts))"))
            }
        }
    }

    private func runOnce(inputs files: [ReportInput], options: IngestOptions) throws -> Outcome {
        let organisation = try store.organisation()
        let map = try OwnershipMapChoice(options: options)
        let warnings = map.warnings
        let resolver = OwnerResolver(codeowners: map.codeowners, organisation: organisation)
        var attributor: IntroducerAttributor?
        if options.attributeIntroducers, let checkout = options.checkout, let commit = options.commit {
            do {
                attributor = try IntroducerAttributor(
                    checkout: checkout, commit: commit, releasePattern: options.releasePattern,
                    organisation: organisation, dialect: options.codeownersDialect)
                attributor?.strategy = options.blameStrategy
            } catch let failure as Git.Failure {
                throw Diagnostic(file: checkout, message: failure.message)
            }
        }
        let startedAt = options.scanDate ?? Date()
        var release = options.release
        if release == nil, let attributor {
            do {
                release = try attributor.scannedRelease()
            } catch let failure as Git.Failure {
                throw Diagnostic(file: options.checkout ?? "", message: failure.message)
            }
        }

        // Two threads: this one records into the store (SQLite stays on the thread that opened
        // the transaction); a second reads, fingerprints and attributes (steps 1-3), handing
        // batches over a bounded queue. Either side failing stops both, and nothing is committed.
        let queue = BoundedQueue<[Step]>(capacity: 8)
        let producer = Producer(
            files: files, options: options, resolver: resolver, attributor: attributor, startedAt: startedAt,
            queue: queue)
        producer.release = release
        producer.organisation = organisation
        producer.mapName = map.name
        producer.mapTime = map.effectiveAt
        producer.mapText = map.keptText
        let thread = Thread { producer.run() }
        thread.stackSize = 8 << 20
        thread.start()
        defer {
            queue.finish()
            producer.done.wait()
        }
        var waited: UInt64 = 0
        defer {
            if ProcessInfo.processInfo.environment["CUSTODY_PROFILE"] != nil {
                FileHandle.standardError.write(
                    "profile: store waited for the reader \(Double(waited) / 1e9) s\n".data(using: .utf8)!)
            }
        }
        let summary = try store.ingest { session in
            while true {
                let start = DispatchTime.now().uptimeNanoseconds
                guard let batch = try queue.pop() else { break }
                waited += DispatchTime.now().uptimeNanoseconds - start
                for step in batch {
                    switch step {
                    case .scan(let scan): try session.beginScan(scan)
                    case .finding(let finding): try session.record(encoded: finding)
                    case .rule(let key, let evidence): try session.defineRule(key, evidence)
                    }
                }
            }
        }
        // The producer appended its last warnings before finishing the queue we drained.
        return Outcome(summary: summary, warnings: warnings + producer.warnings, ownershipMap: map.source)
    }
}

/// One report to ingest: a file, or bytes already in memory with the name they are known by
/// (an upload's file name), which errors and the scan record cite.
public enum ReportInput: Sendable {
    case file(String)
    case bytes(name: String, [UInt8])

    public var name: String {
        switch self {
        case .file(let path): path
        case .bytes(let name, _): name
        }
    }

    /// The input opened for reading, within `limits`.
    public func source(limits: InputLimits) throws -> ReportSource {
        switch self {
        case .file(let path): try ReportSource(file: path, limits: limits)
        case .bytes(let name, let bytes): try ReportSource(file: name, input: JSONInput(bytes: bytes), limits: limits)
        }
    }

    func open(format: ReportFormat?, limits: InputLimits) throws -> (source: ReportSource, reader: any ReportReader) {
        try ReportRegistry.reader(for: try source(limits: limits), format: format)
    }
}

/// What the reading thread hands to the recording one.
enum Step: Sendable {
    case scan(ScanRecord)
    /// An ownership rule, sent once before the first finding that cites it by number.
    case rule(Int, OwnerEvidence)
    case finding(EncodedFinding)
}

/// Steps 1-3 on their own thread: read each report, fingerprint and attribute every finding.
final class Producer: @unchecked Sendable {
    let files: [ReportInput]
    let options: IngestOptions
    let resolver: OwnerResolver
    let attributor: IntroducerAttributor?
    let startedAt: Date
    var organisation = Organisation()
    /// The ownership map's name and effective time, set before the thread starts.
    var mapName: String?
    var mapTime: String?
    /// The map's text when it is kept for the repository.
    var mapText: String?
    var release: String?
    let queue: BoundedQueue<[Step]>
    /// Signalled when the thread has finished; `warnings` may be read after that.
    let done = DispatchSemaphore(value: 0)
    private(set) var warnings: [Diagnostic] = []

    init(
        files: [ReportInput], options: IngestOptions, resolver: OwnerResolver, attributor: IntroducerAttributor?,
        startedAt: Date, queue: BoundedQueue<[Step]>
    ) {
        self.files = files
        self.options = options
        self.resolver = resolver
        self.attributor = attributor
        self.startedAt = startedAt
        self.queue = queue
    }

    struct Stopped: Error {}

    func run() {
        defer { done.signal() }
        var batch: [Step] = []
        batch.reserveCapacity(2048)
        func send() throws {
            guard queue.push(batch) else { throw Stopped() }
            batch.removeAll(keepingCapacity: true)
        }
        do {
            // Each path is resolved once; each rule gets a number and is sent to the store once, so
            // findings carry an integer, not the evidence (and no string is shared across threads).
            var owners: [String: (team: String?, rule: Int?)] = [:]
            var ruleNumbers: [OwnerEvidence: Int] = [:]
            var waiting: [(PreparedFinding, ScanRecord, Int?)] = []
            // Step 4: due dates, one computation per severity and team.
            var dueDates: [String: String?] = [:]
            // When the current run's scan ran: given, stated by the report, or the ingest's start.
            var runStart = startedAt
            let teams = organisation.teamsByID
            func dueDate(_ severity: Severity, _ team: String?, kev: [KEVEntry]) -> String? {
                func compute() -> String? {
                    options.dueDates.dueDate(
                        severity: severity, team: team.flatMap { teams[$0] }, organisation: organisation,
                        start: runStart, repository: options.repository, kevEntries: kev)
                }
                guard kev.isEmpty else { return compute() }  // rare: not worth a cache entry
                let key = severity.rawValue + "/" + (team ?? "")
                if let known = dueDates[key] { return known }
                let due = compute()
                dueDates[key] = .some(due)
                return due
            }
            func attributeWaiting() throws {
                guard let attributor, !waiting.isEmpty else { return }
                // Code findings are blamed by line; a dependency finding in a manifest or lock file
                // gets the commit that introduced its version.
                func dependency(_ finding: NormalizedFinding) -> (String, String, String)? {
                    guard let path = finding.path, DependencyManifest(path: path) != nil, let package = finding.package,
                        let version = finding.packageVersion
                    else { return nil }
                    return (path, package, version)
                }
                attributor.prefetch(
                    locations: waiting.filter { dependency($0.0.finding) == nil }.compactMap {
                        guard let path = $0.0.finding.path else { return nil }
                        return (path, $0.0.finding.line)
                    })
                for (prepared, scan, rule) in waiting {
                    var prepared = prepared
                    let result =
                        if let (manifest, package, version) = dependency(prepared.finding) {
                            attributor.introducer(manifest: manifest, package: package, version: version)
                        } else {
                            attributor.introducer(path: prepared.finding.path, line: prepared.finding.line)
                        }
                    switch result {
                    case .success(let introducer): prepared.introducer = introducer
                    case .failure(let unknown): prepared.introducerUnknownReason = unknown.reason
                    }
                    batch.append(.finding(EncodedFinding(prepared, scan: scan, ruleKey: rule)))
                    if batch.count >= 2048 { try send() }
                }
                waiting.removeAll(keepingCapacity: true)
            }
            func owner(of path: String?, asset: String?, tags: [String: String]) -> (team: String?, rule: Int?) {
                let path = path ?? ""  // a finding without a file can still belong to its repository
                // A finding with no file (a host's, an image's) is owned through the inventory.
                // A resource's tags are its own: the asset alone keys them.
                let key = path.isEmpty && asset != nil ? "\u{0}" + asset! : path
                if let known = owners[key] { return (known.team, known.rule) }
                let resolution = resolver.resolve(
                    path: path, repository: options.repository, asset: path.isEmpty ? asset : nil, tags: tags)
                var rule: Int?
                if let evidence = resolution.evidence {
                    if let number = ruleNumbers[evidence] {
                        rule = number
                    } else {
                        rule = ruleNumbers.count
                        ruleNumbers[evidence] = rule
                        batch.append(.rule(rule!, evidence))
                    }
                }
                owners[key] = (resolution.team, rule)
                return (resolution.team, rule)
            }
            // Flagged lines come from the source root, else from the checkout (a Semgrep JSON report
            // without a login has no snippet, its SARIF has one: both must give the same content).
            var lines = SourceLines(root: options.sourceRoot ?? options.checkout)
            var rebaser = try PathRebaser(options: options)
            for input in files {
                let file = input.name
                let (source, reader) = try input.open(format: options.format, limits: options.limits)
                var occurrences = OccurrenceCounter()
                var dependencies = Set<String>()
                var scan: ScanRecord?
                // The run's tool as reported and as named (its findings carry the reported name).
                var runTool: (reported: String, named: String) = ("", "")
                var belowMinimum = 0
                let report = try reader.read(source) { item in
                    switch item {
                    case .run(let reportedTool, let version, let stated):
                        let tool = ToolIdentity.name(reportedTool)
                        let reported = options.usesReportedTime ? stated : nil
                        let start = options.scanDate ?? reported ?? startedAt
                        if start != runStart {
                            runStart = start
                            dueDates.removeAll()
                        }
                        runTool = (reportedTool, tool)
                        try attributeWaiting()  // the previous run's findings go before this scan
                        occurrences = OccurrenceCounter()
                        dependencies = []
                        var record = ScanRecord(
                            tool: tool, toolVersion: version, format: reader.format.rawValue, sourceFile: file,
                            repository: options.repository, branch: options.branch, commit: options.commit,
                            scope: options.scope, uploader: options.uploader, startedAt: start)
                        record.appliesOwnershipMap = resolver.hasMap
                        record.isDated = options.scanDate != nil || reported != nil
                        record.release = release
                        record.minimumSeverity = options.minimumSeverity
                        record.ownershipMap = mapName
                        record.ownershipMapEffectiveAt = mapTime
                        record.ownershipMapText = mapText
                        scan = record
                        batch.append(.scan(record))
                    case .finding(let reported):
                        if let least = options.minimumSeverity, reported.severity < least {
                            belowMinimum += 1
                            return
                        }
                        var finding = reported
                        finding.tool =
                            finding.tool == runTool.reported ? runTool.named : ToolIdentity.name(finding.tool)
                        finding.path = finding.path.map { rebaser.rebase($0) }
                        // A score from the CVSS vectors when the tool gave none (the highest base
                        // score of the valid ones); a vector that is not valid CVSS is a warning.
                        if finding.score == nil, !finding.cvssVectors.isEmpty {
                            for vector in finding.cvssVectors {
                                do {
                                    let base = try CVSS.score(vector).base
                                    finding.score = max(finding.score ?? 0, base)
                                } catch {
                                    warnings.append(
                                        Diagnostic(
                                            .warning, file: file,
                                            message: "\(finding.ruleID): CVSS vector '\(vector)' ignored: \(error)"))
                                }
                            }
                        }
                        let sourceLine =
                            finding.snippet == nil ? lines.line(path: finding.path, number: finding.line) : nil
                        func identity(_ finding: NormalizedFinding) -> (String, Fingerprint.Basis) {
                            var (fingerprint, basis) = Fingerprint.compute(
                                for: finding, repository: options.repository, sourceLine: sourceLine)
                            // With the file at hand (checkout or source root), the flagged text's
                            // place in it is part of the identity: equal lines are told apart by
                            // where they are, not by the order of the report.
                            if basis == .content,
                                let context = lines.placeContext(path: finding.path, number: finding.line)
                            {
                                fingerprint = Fingerprint.within(fingerprint, context: context)
                            }
                            return (fingerprint, basis)
                        }
                        let (fingerprint, basis) = identity(finding)
                        // The identity under the other basis, for the store to match when a tool's
                        // fingerprint is trusted in one report and set aside as shared in another.
                        var alternate: String?
                        if basis == .tool || finding.toolFingerprintsShared {
                            var other = finding
                            if basis == .tool {
                                other.toolFingerprints = [:]
                            } else {
                                other.toolFingerprintsShared = false
                            }
                            let (value, otherBasis) = identity(other)
                            if otherBasis != basis, otherBasis != .location { alternate = value }
                        }
                        // A dependency finding repeated in one scan (the same CVE in the same package
                        // under two paths) is one finding: the repeat adds nothing.
                        if basis == .dependency {
                            guard dependencies.insert(fingerprint).inserted else { return }
                        }
                        let owner = owner(of: finding.path, asset: finding.asset, tags: finding.resourceTags)
                        var prepared = PreparedFinding(
                            finding: finding,
                            fingerprint: basis == .dependency ? fingerprint : occurrences.disambiguate(fingerprint),
                            fingerprintBasis: basis, ownerTeam: owner.team, ownerEvidence: nil)
                        prepared.alternateFingerprint = alternate
                        let kev = options.dueDates.kevEntries(cves: finding.cves)
                        prepared.kevAdded = kev.map(\.dateAdded).min()
                        prepared.category = ToolIdentity.category(of: finding)
                        if prepared.category == .security || options.dueDates.policy.includesQuality {
                            prepared.dueAt = dueDate(finding.severity, owner.team, kev: kev)
                        }
                        guard let scan else {
                            throw Diagnostic(
                                file: file,
                                message: "the \(reader.format.rawValue) reader gave a finding before its run")
                        }
                        if attributor != nil {
                            // Attributed in batches, so the files of a batch are blamed in parallel.
                            waiting.append((prepared, scan, owner.rule))
                            if waiting.count >= 1024 { try attributeWaiting() }
                            return
                        }
                        batch.append(.finding(EncodedFinding(prepared, scan: scan, ruleKey: owner.rule)))
                        if batch.count >= 2048 { try send() }
                    }
                }
                try attributeWaiting()
                warnings += report.warnings
                warnings += rebaser.takeSummary(file: file, commit: options.commit)
                if belowMinimum > 0, let least = options.minimumSeverity {
                    warnings.append(
                        Diagnostic(
                            .warning, file: file,
                            message: "\(belowMinimum) findings below the minimum severity \(least.rawValue) left out"))
                }
            }
            if !batch.isEmpty { try send() }
            queue.finish()
        } catch is Stopped {
            return
        } catch {
            queue.finish(throwing: error)
        }
    }
}

/// Reads flagged lines from a checkout, each file once, for content fingerprints.
struct SourceLines {
    let root: String?
    private var files: [String: [Substring]?] = [:]
    /// Per file, the line numbers (0-based) of each folded text, built once when first asked.
    private var equalLines: [String: [String: [Int]]] = [:]
    /// Per file, each asked line's enclosing block (0-based line -> its folded first line).
    private var headers: [String: [Int: String]] = [:]

    init(root: String?) { self.root = root }

    mutating func line(path: String?, number: Int?) -> String? {
        guard let root, let path, let number, number >= 1 else { return nil }
        if files[path] == nil {
            let full = root + "/" + path
            // Only files inside the root: a report must not make us read elsewhere.
            let resolved = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
            let base = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
            if resolved.hasPrefix(base + "/"), let text = try? TextFile.read(resolved, limit: TextFile.sourceLimit) {
                files[path] = .some(text.split(separator: "\n", omittingEmptySubsequences: false))
            } else {
                files[path] = .some(nil)
            }
        }
        guard let lines = files[path] ?? nil, number <= lines.count else { return nil }
        return String(lines[number - 1])
    }

    /// Where line `number` of `path` is, for content fingerprints (nil when the file cannot be
    /// read): the enclosing block's first line (the nearest line above with less indentation)
    /// and, among equal lines under an equal block, its rank. It depends on the file, not on the
    /// order a report lists its results, so a fix of one of two equal lines closes that one and
    /// the other keeps its identity.
    mutating func placeContext(path: String?, number: Int?) -> String? {
        guard let path, let number, line(path: path, number: number) != nil, let lines = files[path] ?? nil else {
            return nil
        }
        let text = Fingerprint.foldWhitespace(String(lines[number - 1]))
        guard !text.isEmpty else { return nil }
        if equalLines[path] == nil {
            var index: [String: [Int]] = [:]
            for (number, line) in lines.enumerated() {
                index[Fingerprint.foldWhitespace(String(line)), default: []].append(number)
            }
            equalLines[path] = index
        }
        let equal = equalLines[path]?[text] ?? []
        func indent(_ line: Substring) -> Int { line.prefix { $0 == " " || $0 == "\t" }.count }
        func header(_ index: Int) -> String {
            if let known = headers[path]?[index] { return known }
            let found = enclosing(index)
            headers[path, default: [:]][index] = found
            return found
        }
        func enclosing(_ index: Int) -> String {
            let depth = indent(lines[index])
            var above = index - 1
            while above >= 0 {
                let candidate = lines[above]
                if !candidate.allSatisfy(\.isWhitespace), indent(candidate) < depth {
                    return Fingerprint.foldWhitespace(String(candidate))
                }
                above -= 1
            }
            return ""
        }
        let mine = header(number - 1)
        let rank = equal.filter { $0 < number - 1 && header($0) == mine }.count
        return mine + "#" + String(rank)
    }
}
