import CustodyDashboard
import CustodyService
import Foundation

/// The dashboard's doors (docs/dashboard.md): sign-in with a token exchanged for a session
/// cookie (HttpOnly, SameSite=Strict, Secure behind TLS), a form token on every POST, and
/// headers that forbid scripts, framing and sniffing. The pages themselves are
/// ``CustodyDashboard``'s, which ask the service exactly as the JSON API does.
extension API {
    static let sessionCookie = "custody_session"
    static let pageRoots: Set<String> = [
        "", "signin", "signout", "static", "teams", "findings", "unowned", "ledger", "transfers", "acceptances",
        "releases", "gate",
    ]

    /// The dashboard's answer to a request outside the API, or nil when it is not the dashboard's.
    func web(_ request: HTTPRequest, _ parts: [String], principal: inout Principal?) -> HTTPResponse? {
        guard Self.pageRoots.contains(parts.first ?? "") else { return nil }
        if request.method == "GET", parts == ["static", "dashboard.css"] {
            return HTTPResponse(
                status: 200,
                headers: [("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "max-age=3600")],
                body: Array(Dashboard.styleSheet.utf8))
        }
        let cookie = FormBody.cookie(Self.sessionCookie, in: request.header("cookie"))
        // No session, or one that ended: sign in. Any other failure (the store busy or away) is
        // said as what it is, not taken for a signed-out browser.
        var session: SignedIn?
        if let cookie {
            do {
                session = try service.authenticate(session: cookie)
            } catch  where error.kind == .unauthenticated {
                session = nil
            } catch {
                return Self.html(error.kind.httpStatus, dashboard.problemPage(error, session: nil))
            }
        }
        principal = session?.principal
        switch (request.method, parts) {
        case ("GET", ["signin"]):
            return session == nil ? Self.html(200, dashboard.signInPage()) : Self.redirect("/")
        case ("POST", ["signin"]):
            let form = DashboardForm(FormBody.fields(request.body))
            do {
                let signed = try service.signIn(token: (form.value("token") ?? "").trimmingCharacters(in: .whitespaces))
                principal = signed.principal
                var response = Self.redirect("/")
                response.headers.append(
                    ("Set-Cookie", cookieHeader(signed.session, maxAge: Int(CustodyService.sessionLifetime))))
                return response
            } catch {
                return Self.html(
                    401, dashboard.signInPage(problem: "That token is not valid: it is unknown, expired or revoked."))
            }
        default: break
        }
        guard let session else {
            // A page asked for without a session: sign in first (an action: refused).
            return request.method == "GET"
                ? Self.redirect("/signin")
                : Self.html(401, dashboard.signInPage(problem: "Your session has ended: sign in again."))
        }
        if let limited = limited(session.principal) { return limited }
        do throws(ServiceError) {
            switch request.method {
            case "GET":
                switch try dashboard.page(parts, query: request.query, session: session) {
                case .page(let html): return Self.html(200, html)
                case .redirect(let location): return Self.redirect(location)
                }
            case "POST":
                let form = DashboardForm(FormBody.fields(request.body))
                // The form token proves the form came from one of this session's pages.
                guard let token = form.value("csrf"), Self.same(token, session.csrf) else {
                    throw ServiceError(
                        .forbidden, "the form is stale or came from elsewhere: reload the page and try again")
                }
                if parts == ["signout"] {
                    try service.signOut(session: session.session)
                    var response = Self.redirect("/signin")
                    response.headers.append(("Set-Cookie", cookieHeader("", maxAge: 0)))
                    return response
                }
                return Self.redirect(try dashboard.act(parts, form: form, session: session))
            default:
                throw ServiceError(.notFound, "no page \(request.method) \(request.path)")
            }
        } catch {
            return Self.html(error.kind.httpStatus, dashboard.problemPage(error, session: session))
        }
    }

    func cookieHeader(_ value: String, maxAge: Int) -> String {
        "\(Self.sessionCookie)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
            + (secureCookies ? "; Secure" : "")
    }

    /// An HTML page with the headers every page carries: no script at all, styles from this
    /// site only, no framing, no sniffing, no caching of what a session saw.
    static func html(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [
                ("Content-Type", "text/html; charset=utf-8"),
                (
                    "Content-Security-Policy",
                    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
                ),
                ("Referrer-Policy", "same-origin"), ("Cache-Control", "no-store"),
            ],
            body: Array(text.utf8))
    }

    static func redirect(_ location: String) -> HTTPResponse {
        HTTPResponse(status: 303, headers: [("Location", location), ("Cache-Control", "no-store")])
    }

    /// Compares two tokens in time that does not depend on where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
