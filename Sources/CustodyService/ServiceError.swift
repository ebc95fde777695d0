import CustodyCore
import CustodyStore

/// Every failure of a service operation: what kind it is, what went wrong and where.
///
/// The kind decides the exit status of the CLI and the HTTP status of the API, one to one, so a
/// script or a client can tell "your file is wrong" from "no such finding" from "not allowed".
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// The input is wrong; `place` says where (file, line, JSON path).
        case invalidInput = "invalid_input"
        /// A finding, team, key or file named does not exist.
        case notFound = "not_found"
        /// The change is not allowed from the current state; the message says why.
        case refused
        /// The state already is what was asked, or another change got there first.
        case conflict
        /// The principal may not do this.
        case forbidden
        /// The input is larger or deeper than the limit.
        case limitExceeded = "limit_exceeded"
        /// The database or another part the service needs is not there now; try again later.
        case unavailable
        /// A fault of Custody itself.
        case `internal`
        /// No credentials, or a token that is unknown, expired or revoked.
        case unauthenticated
        /// Too many requests for one token in too short a time (the API): try again later.
        case rateLimited = "rate_limited"

        /// The CLI's exit status. 0 is success, 1 a check that failed (a broken ledger), 2 a
        /// wrong command line; the kinds follow from 3.
        public var exitStatus: Int32 {
            switch self {
            case .invalidInput: 3
            case .notFound: 4
            case .refused: 5
            case .conflict: 6
            case .forbidden: 7
            case .limitExceeded: 8
            case .unavailable: 9
            case .internal: 10
            case .unauthenticated: 11
            case .rateLimited: 12
            }
        }

        /// The HTTP status the API answers with.
        public var httpStatus: Int {
            switch self {
            case .invalidInput: 400
            case .notFound: 404
            case .refused: 422
            case .conflict: 409
            case .forbidden: 403
            case .limitExceeded: 413
            case .unavailable: 503
            case .internal: 500
            case .unauthenticated: 401
            case .rateLimited: 429
            }
        }
    }

    public var kind: Kind
    public var message: String
    /// The file (or request part) the problem is in, and where in it: `report.sarif`, `$.runs[0]`.
    public var file: String?
    public var place: String?

    public init(_ kind: Kind, _ message: String, file: String? = nil, place: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.place = place
    }

    public var description: String {
        var text = ""
        if let file { text += file + ": " }
        if let place { text += place + ": " }
        return text + "error: " + message
    }

    /// Any error an operation met, as the one error type: input diagnostics, store refusals,
    /// refused transitions and database failures each become their kind.
    public static func from(_ error: any Error, database: String) -> ServiceError {
        switch error {
        case let error as ServiceError: return error
        case let diagnostic as Diagnostic:
            let limit = diagnostic.message.contains("over the limit") || diagnostic.message.contains("too deep")
            let kind: Kind = limit ? .limitExceeded : .invalidInput
            return ServiceError(kind, diagnostic.message, file: diagnostic.file, place: diagnostic.place)
        case let refusal as StoreRefusal:
            let kind: Kind =
                switch refusal.kind {
                case .notFound: .notFound
                case .conflict: .conflict
                case .refused: .refused
                case .invalid: .invalidInput
                }
            return ServiceError(kind, refusal.message + "; nothing changed", file: database)
        case let refused as TransitionRefused:
            return ServiceError(.refused, refused.description, file: database)
        case let failure as DatabaseError:
            if failure.state == "08007" {
                // A commit of unknown outcome: the message says so, and nothing may be promised.
                return ServiceError(.unavailable, failure.description, file: database)
            }
            guard let cause = failure.unavailability else {
                return ServiceError(.internal, failure.description, file: database)
            }
            return ServiceError(.unavailable, "\(cause); nothing was written (\(failure.description))", file: database)
        default:
            return ServiceError(.internal, "\(error)")
        }
    }
}

extension DatabaseError {
    /// Why the database cannot do what was asked now, in words, when that is a condition of the
    /// database and not a fault of Custody: another writer holds it, it cannot be opened, its
    /// disk is full, it is read-only, or the server cannot be reached. Nil for anything else.
    var unavailability: String? {
        switch (code & 0xFF, state?.prefix(2), state) {
        case (5, _, _), (6, _, _): "the database is busy (another writer holds it)"
        case (14, _, _): "the database file cannot be opened"
        case (13, _, _), (_, _, "53100"): "the database's disk is full"
        case (8, _, _), (_, _, "25006"): "the database is read-only here"
        case (_, "08", _), (_, "57", _): "the database server cannot be reached or is restarting"
        case (_, "53", _): "the database server is out of resources"
        case (_, "40", _): "the database could not serialise this change with another"
        default: nil
        }
    }
}
