internal import CPostgres
import Foundation

/// One PostgreSQL connection (libpq): the store shared by several servers and workers.
///
/// The store's statements are written with SQLite's `?` and `?N` parameters; they are renumbered
/// to `$N` once, when a statement is prepared (string literals, quoted names and dollar-quoted
/// bodies are left alone). Statements are prepared on the server, once per text and parameter
/// types, and rows are read one at a time (libpq's single-row mode), so a listing's memory stays
/// flat in its rows. Values travel as text; integers and reals are typed `int8` and `float8`,
/// text and NULL are left for the server to infer from where they are used, as a quoted literal
/// would be.
final class PostgresConnection: SQLConnection {
    private(set) var handle: OpaquePointer
    let dialect = SQLDialect.postgres
    var ledgerHead: (sequence: Int64, hash: String)?
    private var statements: [String: PostgresStatement] = [:]
    /// Counts the sessions this connection has opened (one more at each reconnection).
    private(set) var session = 0
    private var prepared = 0
    /// Whether a write transaction is open (one at a time per connection).
    private(set) var inTransaction = false
    /// Statements sent in pipeline mode whose results are not read yet (their SQL, for errors).
    private var queued: [String] = []
    private var pipelining = false
    /// Per table, keys taken from its identity sequence and not used yet (next, end).
    private var keys: [String: (next: Int64, end: Int64)] = [:]

    /// Every write transaction takes this transaction-level advisory lock first, so writers in
    /// every process are serialised as SQLite serialises them: the ledger's head is read and
    /// extended by one writer at a time (one chain, no gap, no fork), and every read-modify-write
    /// of a transaction sees no other writer between its read and its write. Readers never wait.
    static let writerLock: Int64 = 0x0043_7573_746F_6479  // "Custody"

    /// Connects with a libpq connection URI or keyword string; libpq's `PG*` environment
    /// variables and `sslmode` apply as libpq defines them. A server that is starting up (or
    /// restarting) is waited for, a bounded time (``reconnectWithin``).
    init(url: String) throws {
        self.url = url
        handle = try Self.connect(url, unreachableFor: 3)
        try configureSession()
    }

    private let url: String

    /// How long a lost connection (or a first one to a server that answers "starting up") is
    /// tried again before the error is given: long enough for `pg_ctl restart` and a failover
    /// of a managed service, short enough that a wrong address is said in seconds.
    static let reconnectWithin: TimeInterval = 15

    /// A new connection to `url`, tried again with growing pauses (0.1 s doubling to 1 s) while
    /// the server refuses connections (starting up, shutting down) for up to ``reconnectWithin``
    /// seconds, or cannot be reached for up to `unreachableFor` (a first connection gives up
    /// sooner: an address that never answered is more likely wrong than restarting). A server
    /// that answers and refuses us (authentication, no such database) is not retried.
    private static func connect(_ url: String, unreachableFor: TimeInterval) throws -> OpaquePointer {
        let started = Date()
        var pause: TimeInterval = 0.1
        var attempts = 0
        while true {
            attempts += 1
            guard let connection = PQconnectdb(url) else {
                throw DatabaseError(code: -1, message: "cannot allocate a PostgreSQL connection")
            }
            if PQstatus(connection) == CONNECTION_OK { return connection }
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            let ping = PQping(url)
            let waited = Date().timeIntervalSince(started)
            let mayRecover =
                (ping == PQPING_REJECT && waited < reconnectWithin)
                || (ping == PQPING_NO_RESPONSE && waited < unreachableFor)
            guard mayRecover else {
                let tries = attempts > 1 ? " (\(attempts) attempts in \(Int(waited.rounded())) s)" : ""
                throw DatabaseError(code: -1, message: "\(redacted(url)): \(message)\(tries)", state: "08001")
            }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 1)
        }
    }

    /// What every session of the store runs with.
    private func configureSession() throws {
        // Plans are made once per prepared statement, not at every execution: the listing's
        // custom plan cost 10 ms of planning per page (measured), its execution well under one.
        try execute("SET client_min_messages = warning; SET plan_cache_mode = force_generic_plan")
    }

    /// SQLSTATEs a retry may cure: a connection lost or refused (class 08, but not 08007, a
    /// commit whose outcome is unknown), the server shutting down, crashing or starting
    /// (57P01-57P03), a serialisation failure (40001) and a deadlock (40P01).
    static func isTransient(state: String) -> Bool {
        (state.hasPrefix("08") && state != "08007") || ["57P01", "57P02", "57P03", "40001", "40P01"].contains(state)
    }

    func isTransient(_ error: any Error) -> Bool {
        guard let failure = error as? DatabaseError, let state = failure.state else { return false }
        return Self.isTransient(state: state)
    }

    func recover(after error: any Error) throws {
        guard PQstatus(handle) != CONNECTION_OK || (error as? DatabaseError)?.state?.hasPrefix("57P") == true else {
            // A serialisation failure or deadlock: the session is fine; a short pause lets the
            // other transaction finish.
            Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.05))
            return
        }
        let fresh = try Self.connect(url, unreachableFor: Self.reconnectWithin)
        PQfinish(handle)
        handle = fresh
        session += 1
        queued = []
        pipelining = false
        keys = [:]
        inTransaction = false
        ledgerHead = nil
        try configureSession()
    }

    deinit {
        statements.removeAll()
        PQfinish(handle)
    }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }

    func error(_ result: OpaquePointer?, sql: String?) -> DatabaseError {
        var message = String(cString: PQerrorMessage(handle))
        var state: String?
        if let result {
            if let text = PQresultErrorMessage(result), text.pointee != 0 { message = String(cString: text) }
            if let code = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) { state = String(cString: code) }
        }
        // libpq reports a connection that broke under a statement without a SQLSTATE.
        if state == nil, PQstatus(handle) == CONNECTION_BAD { state = "08006" }
        return lost(
            DatabaseError(
                code: -1, message: message.trimmingCharacters(in: .whitespacesAndNewlines), sql: sql, state: state))
    }

    func execute(_ sql: String) throws {
        try flush()
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            throw error(result, sql: sql)
        }
    }

    func statement(_ sql: String) throws -> any SQLStatement {
        if let cached = statements[sql] { return cached }
        let statement = PostgresStatement(connection: self, sql: sql, text: Self.numbered(sql))
        statements[sql] = statement
        return statement
    }

    /// A new name for a server-side prepared statement.
    func nextName() -> String {
        prepared += 1
        return "custody_\(prepared)"
    }

    func transaction<T>(serialised: Bool, _ body: () throws -> T) throws -> T {
        ledgerHead = nil
        defer { ledgerHead = nil }
        try execute("BEGIN")
        inTransaction = true
        defer { inTransaction = false }
        do {
            if serialised { try execute("SELECT pg_advisory_xact_lock(\(Self.writerLock))") }
            let result = try body()
            try returnUnusedKeys()
            do {
                try execute("COMMIT")
            } catch let failure as DatabaseError where PQstatus(handle) == CONNECTION_BAD {
                // The server may have committed before the connection broke: not retried.
                throw DatabaseError(
                    code: failure.code,
                    message: "the connection was lost while the transaction was committing, so whether it was "
                        + "recorded is unknown; it is not retried (see what the store holds before running it "
                        + "again): \(failure.message)", sql: "COMMIT", state: "08007")
            }
            return result
        } catch {
            keys = [:]
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Sends a prepared statement whose result nobody reads without waiting for it (libpq's
    /// pipeline mode): an ingest's inserts go out back to back, not one round trip each. Its
    /// result is read at the next ``flush()``: before any statement that reads, any script,
    /// any preparation, and the commit, so reads always see the writes before them.
    func enqueue(name: String, texts: [String?], sql: String) throws {
        if !pipelining {
            guard PQenterPipelineMode(handle) == 1 else { throw error(nil, sql: sql) }
            pipelining = true
        }
        let sent: Int32 = withCStrings(texts) { pointers in
            PQsendQueryPrepared(handle, name, Int32(pointers.count), pointers, nil, nil, 0)
        }
        guard sent == 1 else { throw error(nil, sql: sql) }
        queued.append(sql)
        if queued.count >= 1024 { try flush() }
    }

    /// Reads the results of every queued statement and leaves pipeline mode; the first failure
    /// is thrown (the statements after it were not run; the transaction fails as a whole).
    func flush() throws {
        guard pipelining else { return }
        pipelining = false
        let pending = queued
        queued = []
        var failure: DatabaseError?
        if PQpipelineSync(handle) != 1 { failure = error(nil, sql: pending.last) }
        for sql in pending {
            while let result = PQgetResult(handle) {
                if PQresultStatus(result) == PGRES_FATAL_ERROR, failure == nil { failure = error(result, sql: sql) }
                PQclear(result)
            }
        }
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        PQexitPipelineMode(handle)
        if let failure { throw lost(failure) }
    }

    /// `failure` marked as a lost connection (08006) when the connection is gone by now: libpq
    /// reports the server closing under a statement (in pipeline mode above all) as that
    /// statement's error, without a SQLSTATE, and may not have marked the connection bad yet;
    /// its own words for it ("server closed the connection unexpectedly") are the only sign.
    func lost(_ failure: DatabaseError) -> DatabaseError {
        guard failure.state == nil else { return failure }
        // Reading what is left on the socket makes libpq notice a closed one.
        if PQstatus(handle) != CONNECTION_BAD { _ = PQconsumeInput(handle) }
        guard PQstatus(handle) == CONNECTION_BAD || failure.message.contains("server closed the connection")
        else { return failure }
        var marked = failure
        marked.state = "08006"
        return marked
    }

    /// A new key for a row of `table`, from its identity sequence, taken 256 at a time (one round
    /// trip for 256 inserts). The writer lock serialises every transaction that takes keys, so
    /// the ones left unused are given back at commit and keys stay dense, as SQLite's are.
    func nextKey(_ table: String) throws -> Int64 {
        if let (next, end) = keys[table], next < end {
            keys[table] = (next + 1, end)
            return next
        }
        let taken = try statement(
            "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, 256)"
        ).rows([.text(table)]) { $0.int(0) }
        guard let first = taken.first, let last = taken.last, last - first == Int64(taken.count - 1) else {
            throw DatabaseError(code: -1, message: "the key sequence of \(table) did not give 256 keys in a row")
        }
        keys[table] = (first + 1, last + 1)
        return first
    }

    private func returnUnusedKeys() throws {
        for (table, (next, _)) in keys {
            try statement("SELECT setval(pg_get_serial_sequence(?, 'id'), ?)").run([.text(table), .integer(next - 1)])
        }
        keys = [:]
    }

    /// PostgreSQL's plan for `sql`, with sequential scans and sorts priced out: on the few rows of
    /// a test the planner would rightly scan, and the question is whether an index can serve.
    func queryPlan(_ sql: String) throws -> String {
        try execute("SET enable_seqscan = off; SET enable_sort = off")
        defer { try? execute("RESET enable_seqscan; RESET enable_sort") }
        return try statement("EXPLAIN " + sql).rows([]) { $0.text(0) ?? "" }.joined(separator: "\n")
    }

    /// Holds a session-level advisory lock (the writer lock's neighbour) while `body` runs:
    /// processes starting together apply each migration once.
    func withMigrationLock<T>(_ body: () throws -> T) throws -> T {
        let key = Self.writerLock + 1
        try execute("SELECT pg_advisory_lock(\(key))")
        defer { try? execute("SELECT pg_advisory_unlock(\(key))") }
        return try body()
    }

    /// `?N` -> `$N`, `?` -> the next number after the largest so far (SQLite's rule), outside
    /// string literals, quoted identifiers, comments and dollar-quoted text.
    static func numbered(_ sql: String) -> String {
        let bytes = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var largest = 0
        var index = 0
        func copy(until end: Int) {
            out.append(contentsOf: bytes[index..<min(end, bytes.count)])
            index = min(end, bytes.count)
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                var end = index + 1
                while end < bytes.count && bytes[end] != byte { end += 1 }
                copy(until: end + 1)
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                var end = index
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                copy(until: end)
            case UInt8(ascii: "$") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "$"):
                var end = index + 2
                while end + 1 < bytes.count && !(bytes[end] == UInt8(ascii: "$") && bytes[end + 1] == UInt8(ascii: "$"))
                {
                    end += 1
                }
                copy(until: end + 2)
            case UInt8(ascii: "?"):
                var end = index + 1
                while end < bytes.count && bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9") {
                    end += 1
                }
                let number =
                    end > index + 1 ? Int(String(decoding: bytes[(index + 1)..<end], as: UTF8.self))! : largest + 1
                largest = max(largest, number)
                out.append(contentsOf: Array("$\(number)".utf8))
                index = end
            default:
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

final class PostgresStatement: SQLStatement {
    let sql: String
    /// The statement as PostgreSQL reads it (`$N` parameters).
    let text: String
    unowned let connection: PostgresConnection
    /// Server-side names by parameter types ("" for none; one letter per parameter).
    private var names: [String: String] = [:]
    private var columns: [String: Int32]?
    private var returning: PostgresStatement?

    /// The connection's session that `names` were prepared in: a reconnected connection has
    /// none of them, and they are prepared again when first used.
    private var session = 0

    init(connection: PostgresConnection, sql: String, text: String) {
        self.connection = connection
        self.sql = sql
        self.text = text
    }

    private static func types(_ values: [SQLValue]) -> (key: String, oids: [Oid]) {
        var key = ""
        var oids: [Oid] = []
        for value in values {
            switch value {
            case .integer:
                key += "i"
                oids.append(20)  // int8
            case .real:
                key += "r"
                oids.append(701)  // float8
            case .text, .null:
                key += "t"
                oids.append(0)  // inferred from where it is used
            }
        }
        return (key, oids)
    }

    /// The server-side statement for these parameter types, prepared on first use.
    private func name(for values: [SQLValue]) throws -> String {
        let (key, oids) = Self.types(values)
        if session != connection.session {
            names = [:]
            session = connection.session
        }
        if let known = names[key] { return known }
        try connection.flush()
        let name = connection.nextName()
        let result = PQprepare(connection.handle, name, text, Int32(oids.count), oids)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw connection.error(result, sql: sql) }
        names[key] = name
        if columns == nil {
            let description = PQdescribePrepared(connection.handle, name)
            defer { PQclear(description) }
            var found: [String: Int32] = [:]
            for column in 0..<PQnfields(description) {
                if let field = PQfname(description, column) { found[String(cString: field)] = column }
            }
            columns = found
        }
        return name
    }

    func columnNames() throws -> [String] {
        _ = try column("")
        return (columns ?? [:]).sorted { $0.value < $1.value }.map(\.key)
    }

    func column(_ name: String) throws -> Int32 {
        if columns == nil {
            // Described with no parameters bound: prepare the text once to learn its columns.
            _ = try self.name(for: [SQLValue](repeating: .null, count: Self.parameterCount(text)))
        }
        guard let index = columns?[name] else {
            if name.isEmpty { return -1 }
            throw DatabaseError(code: -1, message: "no result column '\(name)'", sql: sql)
        }
        return index
    }

    static func parameterCount(_ text: String) -> Int {
        var largest = 0
        var scanner = text.utf8[...]
        while let dollar = scanner.firstIndex(of: UInt8(ascii: "$")) {
            let digits = scanner[scanner.index(after: dollar)...].prefix { $0 >= 48 && $0 <= 57 }
            if let number = Int(String(decoding: digits, as: UTF8.self)) { largest = max(largest, number) }
            scanner = scanner[scanner.index(after: dollar)...]
        }
        return largest
    }

    static func texts(_ values: [SQLValue]) -> [String?] {
        values.map { value in
            switch value {
            case .null: nil
            case .integer(let number): String(number)
            case .real(let number): "\(number)"
            case .text(let text): text
            }
        }
    }

    /// Whether the statement only writes (an INSERT, UPDATE or DELETE returning nothing), so a
    /// transaction may send it without waiting for its result.
    private lazy var writesOnly: Bool = {
        let head = sql.drop { $0.isWhitespace }.prefix(7).uppercased()
        return (head.hasPrefix("INSERT") || head.hasPrefix("UPDATE") || head.hasPrefix("DELETE"))
            && !sql.uppercased().contains("RETURNING")
    }()

    func run(_ values: [SQLValue]) throws {
        guard connection.inTransaction, writesOnly else { return try forEach(values) { _ in true } }
        let name = try self.name(for: values)
        try connection.enqueue(name: name, texts: Self.texts(values), sql: sql)
    }

    func forEach(_ values: [SQLValue], _ body: (any SQLRow) throws -> Bool) throws {
        try connection.flush()
        let name = try self.name(for: values)
        let texts = Self.texts(values)
        let sent: Int32 = try withCStrings(texts) { pointers in
            PQsendQueryPrepared(connection.handle, name, Int32(pointers.count), pointers, nil, nil, 0)
        }
        guard sent == 1 else { throw connection.error(nil, sql: sql) }
        PQsetSingleRowMode(connection.handle)
        var failure: (any Error)?
        var wanted = true
        // Every result is read to the end (libpq requires it), rows after an early stop dropped.
        while let result = PQgetResult(connection.handle) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE:
                guard wanted, failure == nil else { continue }
                do {
                    wanted = try body(PostgresRow(result: result, statement: self))
                } catch {
                    failure = error
                }
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                continue
            default:
                if failure == nil { failure = connection.error(result, sql: sql) }
            }
        }
        if let failure = failure as? DatabaseError { throw connection.lost(failure) }
        if let failure { throw failure }
    }

    /// The insert with its key given (`id` first), for ``insert(_:)`` in a transaction.
    private lazy var keyed: (table: String, statement: PostgresStatement)? = Self.keyedInsert(
        sql: sql, text: text, connection: connection)

    /// In a transaction, a plain `INSERT INTO t (...) VALUES (...)` takes its key from the
    /// connection's batch of the table's sequence and is sent without waiting (no round trip per
    /// row); anything else returns the new row's id with `RETURNING id`.
    func insert(_ values: [SQLValue]) throws -> Int64 {
        if connection.inTransaction, let (table, statement) = keyed {
            let id = try connection.nextKey(table)
            try statement.run(values + [.integer(id)])
            return id
        }
        if returning == nil {
            returning = PostgresStatement(
                connection: connection, sql: sql + " RETURNING id", text: text + " RETURNING id")
        }
        var id: Int64?
        try returning!.forEach(values) { row in
            id = row.int(0)
            return false
        }
        guard let id else { throw DatabaseError(code: -1, message: "the insert returned no id", sql: sql) }
        return id
    }
}

extension PostgresStatement {
    /// `INSERT INTO t (a, b) VALUES ($1, $2)` as `INSERT INTO t (id, a, b) VALUES ($3, $1, $2)`;
    /// nil for any other shape (a conflict clause, a select, a returning list).
    static func keyedInsert(sql: String, text: String, connection: PostgresConnection) -> (
        table: String, statement: PostgresStatement
    )? {
        let upper = text.uppercased()
        guard upper.hasPrefix("INSERT INTO "), !upper.contains("ON CONFLICT"), !upper.contains("RETURNING"),
            !upper.contains("SELECT"), let open = text.firstIndex(of: "("),
            let close = text[open...].firstIndex(of: ")")
        else { return nil }
        let table = text[text.index(text.startIndex, offsetBy: 12)..<open].trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard !table.isEmpty, table.allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
        // ") VALUES (" with any white space between the words.
        var rest = text[text.index(after: close)...].drop { $0.isWhitespace }
        guard rest.uppercased().hasPrefix("VALUES") else { return nil }
        rest = rest.dropFirst(6).drop { $0.isWhitespace }
        guard rest.first == "(" else { return nil }
        let key = "$\(parameterCount(text) + 1)"
        let columns = text[text.index(after: open)..<close]
        let keyedText = "INSERT INTO \(table) (id, \(columns)) VALUES (\(key), \(rest.dropFirst())"
        return (table, PostgresStatement(connection: connection, sql: sql + " [keyed]", text: keyedText))
    }
}

/// Calls `body` with C strings for `texts` (NULL for nil), valid for the call.
private func withCStrings<T>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> T) rethrows -> T {
    let copies = texts.map { $0.map { strdup($0) } ?? nil }
    defer { for copy in copies { free(copy) } }
    return try body(copies.map { $0.map { UnsafePointer($0) } })
}

struct PostgresRow: SQLRow {
    let result: OpaquePointer
    let statement: PostgresStatement

    func column(_ name: String) throws -> Int32 { try statement.column(name) }
    func isNull(_ column: Int32) -> Bool { PQgetisnull(result, 0, column) == 1 }
    func int(_ column: Int32) -> Int64 {
        guard !isNull(column), let value = PQgetvalue(result, 0, column) else { return 0 }
        // An integer column, or a numeric result such as an average read as an integer.
        let text = String(cString: value)
        return Int64(text) ?? Int64(Double(text) ?? 0)
    }
    func value(_ column: Int32) -> SQLValue {
        guard !isNull(column) else { return .null }
        switch PQftype(result, column) {
        case 20, 21, 23: return .integer(int(column))  // int8, int2, int4
        case 16: return .integer(bool(column) ? 1 : 0)  // bool
        case 700, 701, 1700: return .optional(double(column))  // float4, float8, numeric
        default: return .optional(text(column))
        }
    }
    func bool(_ column: Int32) -> Bool {
        guard !isNull(column), let value = PQgetvalue(result, 0, column) else { return false }
        return value.pointee == CChar(UInt8(ascii: "t")) || (value.pointee != 0 && int(column) != 0)
    }
    func double(_ column: Int32) -> Double? {
        guard !isNull(column), let value = PQgetvalue(result, 0, column) else { return nil }
        return Double(String(cString: value))
    }
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard !isNull(column), let value = PQgetvalue(result, 0, column) else { return nil }
        return value.withMemoryRebound(to: UInt8.self, capacity: Int(PQgetlength(result, 0, column))) {
            UnsafeBufferPointer(start: $0, count: Int(PQgetlength(result, 0, column)))
        }
    }
    func text(_ column: Int32) -> String? {
        guard let bytes = bytes(column) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
