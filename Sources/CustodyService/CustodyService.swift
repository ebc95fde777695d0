import CustodyCore
import CustodyOwnership
import CustodyStore
import Foundation

/// Every operation Custody offers, for every client: the CLI today, the HTTP API and the
/// dashboard next. Requests and responses are typed values; every failure is a
/// ``ServiceError``; every change names the ``Principal`` who makes it. Clients parse and
/// format, and hold no business rule: those live here and in the libraries below.
public final class CustodyService: @unchecked Sendable {
    /// The database file the store lives in.
    public let databasePath: String
    /// The policy: SLA days, criticality rules, notification sinks.
    public let configuration: Configuration
    /// Where secrets for notification sinks come from (environment variables by name).
    public let environment: [String: String]
    /// How callers share the database: one connection for all (the CLI), or one per thread.
    public let connections: Connections
    private var openedStore: SQLStore?
    private let lock = NSLock()
    /// The organisation's overview as last computed, shared by every request (Service+Overview).
    let overviews = OverviewCache()
    /// Metrics reports as last computed, shared by every request (Service+Metrics).
    let metricsReports = MetricsCache()
    /// The organisation as last read (Service+Organisation).
    let organisations = LedgerHeadCache<Organisation>()

    /// How the service holds its connections to the database.
    public enum Connections: Sendable {
        /// One connection, every call in turn: a command line's single thread.
        case shared
        /// A connection for each calling thread (a server's pool of request threads): reads run
        /// side by side - SQLite's write-ahead log lets readers go on beside the one writer, and
        /// PostgreSQL gives each connection a backend of its own. Writers still take turns.
        case perThread
    }

    public init(
        databasePath: String, configuration: Configuration = Configuration(), environment: [String: String] = [:],
        connections: Connections = .shared
    ) {
        self.databasePath = databasePath
        self.configuration = configuration
        self.environment = environment
        self.connections = connections
    }

    /// Whether `location` is a PostgreSQL URL rather than a SQLite file.
    public static func isDatabaseURL(_ location: String) -> Bool { SQLStore.isDatabaseURL(location) }

    /// `location` as messages show it: a URL's password hidden.
    public static func displayed(_ location: String) -> String { SQLStore.displayed(location) }

    /// The store, opened (and migrated) on first use: operations that need no database (scoring a
    /// CVSS vector, resolving CODEOWNERS) never create one.
    func store() throws(ServiceError) -> SQLStore {
        if connections == .perThread { return try threadStore() }
        lock.lock()
        defer { lock.unlock() }
        if let openedStore { return openedStore }
        let store = try open()
        openedStore = store
        return store
    }

    /// The calling thread's own store, opened on its first call (kept in the thread's
    /// dictionary, so it goes with the thread).
    private func threadStore() throws(ServiceError) -> SQLStore {
        let key = "custody.store.\(UInt(bitPattern: ObjectIdentifier(self).hashValue))"
        let dictionary = Thread.current.threadDictionary
        if let store = dictionary[key] as? SQLStore { return store }
        // The first opening migrates; the others find nothing to apply.
        lock.lock()
        let store: SQLStore
        do {
            defer { lock.unlock() }
            store = try open()
        }
        dictionary[key] = store
        return store
    }

    private func open() throws(ServiceError) -> SQLStore {
        do {
            return try SQLStore(path: databasePath)
        } catch {
            throw ServiceError.from(error, database: Self.displayed(databasePath))
        }
    }

    /// Runs `body`, turning whatever it throws into the one error type.
    func perform<T>(_ body: () throws -> T) throws(ServiceError) -> T {
        do {
            return try body()
        } catch {
            throw ServiceError.from(error, database: databasePath)
        }
    }

    /// Refuses a change by a principal who may only read.
    func authorize(_ principal: Principal, _ what: String) throws(ServiceError) {
        guard principal.mayChange else {
            throw ServiceError(.forbidden, "\(principal.name) (\(principal.role.rawValue)) may not \(what)")
        }
    }

    /// Refuses what only the security team (or a local administrator) does: policy, feeds,
    /// arbitration, the clock, the organisation, signing the ledger.
    /// Refuses a principal that may not send reports (executives, auditors).
    func authorizeIngest(_ principal: Principal, _ what: String) throws(ServiceError) {
        guard principal.mayIngest else {
            throw ServiceError(.forbidden, "\(principal.name) (\(principal.role.rawValue)) may not \(what)")
        }
    }

    /// Refuses a principal that reads no finding one by one (executives: aggregates; uploaders).
    func authorizeReading(_ principal: Principal) throws(ServiceError) {
        guard principal.readsFindings else {
            throw ServiceError(
                .forbidden, "\(principal.name) (\(principal.role.rawValue)) may not read findings one by one")
        }
    }

    /// Refuses a principal that reads no aggregate either (uploaders).
    func authorizeAggregates(_ principal: Principal) throws(ServiceError) {
        guard principal.readsAggregates else {
            throw ServiceError(.forbidden, "\(principal.name) (\(principal.role.rawValue)) only sends reports")
        }
    }

    func authorizeSecurity(_ principal: Principal, _ what: String) throws(ServiceError) {
        try authorizeSecurityRole(principal, what)
        guard principal.units.isEmpty else {
            throw ServiceError(
                .forbidden,
                "\(principal.name) is scoped to \(principal.units.sorted().joined(separator: ", ")) and may not \(what): "
                    + "the organisation's security team does")
        }
    }

    /// The security role, scoped to units or not (arbitration within its units).
    func authorizeSecurityRole(_ principal: Principal, _ what: String) throws(ServiceError) {
        guard principal.role == .security || principal.role == .administrator else {
            throw ServiceError(
                .forbidden, "\(principal.name) (\(principal.role.rawValue)) may not \(what): the security team does")
        }
    }

    /// A team principal changes only what its teams own: every finding must answer to one of
    /// them: its owner, or with `receivers`, the team a pending transfer is addressed to. A
    /// finding it may not see is "not found", in the words of one that does not exist: no
    /// error tells another team's finding from a missing one.
    func authorizeTeams(
        _ principal: Principal, _ ids: [Int64], store: SQLStore, receivers: [Int64: String]? = nil
    ) throws(ServiceError) {
        guard principal.isScoped else { return }
        let owners = try perform { try store.ownerTeams(of: ids) }
        for id in ids {
            let owner = owners[id] ?? nil
            let receiver = receivers?[id]
            let sees = owner.map(principal.teams.contains) == true || receiver.map(principal.teams.contains) == true
            guard owners[id] != nil, sees else { throw ServiceError(.notFound, "no finding \(id)") }
            let team = receivers == nil ? owner : receiver
            guard let team, principal.teams.contains(team) else {
                throw ServiceError(
                    .forbidden, "finding \(id) has no transfer pending to a team of \(principal.name)")
            }
        }
    }

    /// Reads the configuration file at `path`.
    public static func loadConfiguration(path: String) throws(ServiceError) -> Configuration {
        do {
            return try Configuration.parse(try TextFile.read(path, limit: TextFile.organisationLimit), file: path)
        } catch {
            throw ServiceError.from(error, database: path)
        }
    }

    /// A required text of a request (a reason, an approver), or an invalid-input error.
    static func required(_ text: String?, _ what: String) throws(ServiceError) -> String {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ServiceError(.invalidInput, "missing \(what)")
        }
        return text
    }

    // MARK: Schema

    /// Creates the database or brings its schema up to date; the migrations applied.
    public func migrate() throws(ServiceError) -> [(version: Int, name: String)] {
        let store = try store()
        return try perform { try store.appliedMigrations() }
    }

    /// Row counts of the main tables.
    public func counts() throws(ServiceError) -> [String: Int] {
        let store = try store()
        return try perform { try store.counts() }
    }
}
