import CustodyCore
import CustodyStore
import Foundation

/// A dashboard session made at sign-in: the cookie's value (shown this once, kept as its
/// SHA-256), the form token that proves a form came from one of its pages, and who it is.
public struct SignedIn: Sendable {
    public var session: String
    public var csrf: String
    public var principal: Principal
    public var expiresAt: Date
}

extension CustodyService {
    /// How long a dashboard session lasts: a working day.
    public static let sessionLifetime: TimeInterval = 8 * 3600

    /// Exchanges an API token for a dashboard session. The session acts exactly as its token:
    /// the same role, teams and units, and it ends when the token is revoked or expires.
    public func signIn(token: String, now: Date = Date()) throws(ServiceError) -> SignedIn {
        let (record, principal) = try authenticatedToken(token, now: now)
        let session = Self.secret(prefix: "css_")
        let store = try store()
        let expiry = now.addingTimeInterval(Self.sessionLifetime)
        try perform {
            try store.createSession(hash: SHA256.hex(session), tokenID: record.id, now: now, expiresAt: expiry)
        }
        return SignedIn(
            session: session, csrf: Self.csrfToken(session: session), principal: principal, expiresAt: expiry)
    }

    /// Who a session cookie speaks for. Unknown, expired, signed-out sessions and sessions of a
    /// revoked or expired token are all `unauthenticated`, with the same words.
    public func authenticate(session: String, now: Date = Date()) throws(ServiceError) -> SignedIn {
        let refused = ServiceError(.unauthenticated, "sign in with an API token")
        guard session.hasPrefix("css_"), session.utf8.count == 68 else { throw refused }
        let store = try store()
        guard let (row, token) = try perform({ try store.session(hash: SHA256.hex(session)) }), row.revokedAt == nil,
            let expiry = Timestamp.date(row.expiresAt), expiry > now
        else { throw refused }
        let principal = try principal(of: token, now: now, refused: refused)
        return SignedIn(
            session: session, csrf: Self.csrfToken(session: session), principal: principal, expiresAt: expiry)
    }

    /// Ends a session (signing out); an unknown or ended one is no error.
    public func signOut(session: String, now: Date = Date()) throws(ServiceError) {
        guard session.hasPrefix("css_") else { return }
        let store = try store()
        _ = try perform { try store.revokeSession(hash: SHA256.hex(session), now: now) }
    }

    /// The form token of a session: derived from the cookie, which a page of another site cannot
    /// read, so a form posted from elsewhere cannot carry it.
    public static func csrfToken(session: String) -> String { SHA256.hex("csrf:" + session) }
}
