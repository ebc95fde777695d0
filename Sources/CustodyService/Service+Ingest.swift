import CustodyCore
import CustodyIngest
import CustodyOwnership
import CustodyPipeline
import CustodyStore
import Foundation

/// An ingest as a client asks for it. Every input of one request is one transaction.
public struct IngestRequest: Sendable {
    public var inputs: [ReportInput]
    /// The repository scanned: a name, or a local git checkout (then CODEOWNERS and the
    /// introducers come from it at `commit`).
    public var repository: String?
    public var branch: String?
    public var commit: String?
    public var scope: ScanScope = .partial
    /// When the scans ran (DefectDojo's `scan_date`), for a history loaded from archived
    /// reports in order; nil: the time the report itself states (SARIF's
    /// `invocations[].startTimeUtc`, Trivy's `CreatedAt`...), else now. A dated report (given or
    /// stated) older than the newest scan of its repository, branch and tool is refused (fixes
    /// are found by order).
    public var scanDate: Date?
    /// The release the scanned commit is part of (default: with a checkout, the earliest release
    /// tag containing the commit): the release that fixed what the scan proves fixed.
    public var release: String?
    /// False: a report's own time is ignored and an undated scan runs now.
    public var usesReportedTime = true
    public var codeowners: String?
    /// CODEOWNERS text sent with an upload (the multipart field `codeowners`), preferred to the
    /// map of a registered repository's checkout; with neither, the repository's last recorded
    /// map applies.
    public var sentCodeowners: String?
    public var codeownersDialect: CodeownersDialect?
    public var sourceRoot: String?
    /// How introducers are blamed: `auto` (default), `replay` or `per-file`.
    public var blameStrategy = BlameStrategy.automatic
    public var releasePattern: String?
    public var attributeIntroducers = true
    public var format: ReportFormat?
    /// Findings below this severity are left out (DefectDojo's `minimum_severity`); a full scan
    /// then proves fixed only findings at or above it.
    public var minimumSeverity: Severity?
    public var limits = InputLimits()
    /// False for a remote client (the API): the repository is a name only, never a directory of
    /// the server, and no input, CODEOWNERS or source root may name a file of the server.
    public var readsServerFiles = true

    public init(inputs: [ReportInput]) { self.inputs = inputs }
}

/// What an ingest did: scans recorded, or VEX statements applied.
public enum IngestResponse: Sendable {
    case scans(IngestSummary, warnings: [String], ownershipMap: OwnershipMapSource)
    case vex(VEXSummary)
}

extension CustodyService {
    /// Reads reports into the store: identified, deduplicated, attributed and recorded in one
    /// transaction (a bad input leaves the store exactly as it was). VEX documents are applied to
    /// the findings they speak of instead, in a request of their own.
    public func ingest(_ request: IngestRequest, by principal: Principal) throws(ServiceError) -> IngestResponse {
        try authorizeIngest(principal, "ingest reports")
        guard !request.inputs.isEmpty else { throw ServiceError(.invalidInput, "no reports given") }
        if !request.readsServerFiles {
            let namesFiles = request.inputs.contains { if case .file = $0 { true } else { false } }
            guard !namesFiles, request.codeowners == nil, request.sourceRoot == nil else {
                throw ServiceError(.forbidden, "a remote ingest sends its reports; it names no file of the server")
            }
        }
        var options = IngestOptions()
        options.repository = request.repository
        if let repo = request.repository, let registered = try registeredCheckout(repo) {
            // A repository the security team registered: its clone gives CODEOWNERS at the
            // commit and the introducers, for a remote upload too.
            options.checkout = registered
        } else if let repo = request.repository, request.readsServerFiles {
            var isDirectory: ObjCBool = false
            let looksLikePath = repo.contains("/") || repo.hasPrefix(".")
            if FileManager.default.fileExists(atPath: repo + "/.git") || Git.isRepository(repo) {
                options.checkout = repo
                options.repository = URL(fileURLWithPath: repo).standardizedFileURL.lastPathComponent
            } else if looksLikePath, request.commit != nil,
                FileManager.default.fileExists(atPath: repo, isDirectory: &isDirectory), isDirectory.boolValue
            {
                throw ServiceError(
                    .invalidInput,
                    "'\(repo)' is a directory but not a git checkout: --commit needs one (or give the repository's name)"
                )
            }
        }
        options.branch = request.branch
        options.commit = request.commit
        options.scope = request.scope
        options.scanDate = request.scanDate
        options.usesReportedTime = request.usesReportedTime
        options.release = request.release
        options.codeownersPath = request.codeowners
        if let text = request.sentCodeowners {
            guard text.utf8.count <= TextFile.codeownersLimit else {
                throw ServiceError(
                    .limitExceeded, "the CODEOWNERS sent is over \(TextFile.codeownersLimit) bytes", file: "codeowners")
            }
            options.codeownersText = SentCodeowners(name: "CODEOWNERS (uploaded by \(principal.name))", text: text)
        }
        options.codeownersDialect = request.codeownersDialect
        options.sourceRoot = request.sourceRoot
        options.attributeIntroducers = request.attributeIntroducers
        options.blameStrategy = request.blameStrategy
        if let pattern = request.releasePattern {
            guard !pattern.isEmpty, !pattern.hasPrefix("-"), !pattern.contains("..") else {
                throw ServiceError(.invalidInput, "invalid release pattern '\(pattern)'; e.g. 'v*' or 'release-*'")
            }
            options.releasePattern = pattern
        }
        options.format = request.format
        options.minimumSeverity = request.minimumSeverity
        options.limits = request.limits
        options.uploader = principal.name
        let store = try store()
        do {
            return try ingest(options, request: request, store: store, principal: principal)
        } catch {
            // A remote uploader is told the repository's name, never where its clone is.
            guard !request.readsServerFiles, let checkout = options.checkout, let name = options.repository else {
                throw error
            }
            var said = error
            said.message = said.message.replacingOccurrences(of: checkout, with: name)
            if said.file?.hasPrefix(checkout) == true { said.file = name }
            throw said
        }
    }

    private func ingest(_ options: IngestOptions, request: IngestRequest, store: SQLStore, principal: Principal)
        throws(ServiceError) -> IngestResponse
    {
        var options = options
        return try perform {
            if let repository = options.repository, let last = try store.lastOwnershipMap(repository: repository) {
                options.recordedCodeowners = SentCodeowners(
                    name: last.name, text: last.text, effectiveAt: last.recordedAt)
            }
            options.dueDates = DueDateRules(
                policy: configuration.sla, criticality: configuration.criticality, kev: try store.kevCatalog())
            let vex = try request.inputs.compactMap(Self.vexSource)
            if let first = vex.first {
                guard vex.count == request.inputs.count else {
                    throw ServiceError(
                        .invalidInput, "a VEX document: ingest VEX documents in a call of their own, after the scans",
                        file: first.file)
                }
                return .vex(try store.applyVEX(try vex.flatMap(VEXReader.read), actor: principal.name))
            }
            let outcome = try IngestPipeline(store: store).run(inputs: request.inputs, options: options)
            return .scans(
                outcome.summary, warnings: outcome.warnings.map(\.description), ownershipMap: outcome.ownershipMap)
        }
    }

    /// An input read as a VEX document when it is an OpenVEX or CSAF VEX one (a cheap look at the
    /// first 4 KB, then a real one), else nil; the document is read once.
    static func vexSource(_ input: ReportInput) throws -> ReportSource? {
        let head: String
        switch input {
        case .file(let file):
            guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
            defer { try? handle.close() }
            head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
        case .bytes(_, let bytes): head = String(decoding: bytes.prefix(4096), as: UTF8.self)
        }
        guard head.contains("openvex") || head.contains("csaf_vex") else { return nil }
        let source = try input.source(limits: InputLimits(maxBytes: VEXReader.maxBytes))
        return VEXReader.detect(source) ? source : nil
    }
}
