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
            // Busy and locked (5, 6 and their extended codes) pass; the rest is a fault.
            let busy = failure.code & 0xFF == 5 || failure.code & 0xFF == 6
            let cannotOpen = failure.code & 0xFF == 14
            return ServiceError(
                busy || cannotOpen ? .unavailable : .internal, failure.description, file: database)
        default:
            return ServiceError(.internal, "\(error)")
        }
    }
}
