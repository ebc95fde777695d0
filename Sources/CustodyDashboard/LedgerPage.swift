import CustodyCore
import CustodyReports
import CustodyService

/// The ledger's state: how many events, the head of the hash chain, the signed checkpoints
/// checked, and whether the whole chain holds (verified now, as the page is drawn).
struct LedgerPage {
    let service: CustodyService
    let session: SignedIn

    func render() throws(ServiceError) -> String {
        let report = try service.verifyLedger(publicKey: nil, by: session.principal)
        var last: String?
        if let checkpoint = report.lastCheckpoint {
            let at = checkpoint.at.replacingOccurrences(of: "T", with: " ")
            last = "event \(checkpoint.sequence), \(at), key \(checkpoint.keyID.prefix(16))"
        }
        return Layout.page("Ledger", session: session, current: "/ledger") { html in
            html.element("h1", text: "Ledger")
            if let broken = report.broken {
                html.element(
                    "p", [("class", "problem"), ("role", "alert")],
                    text: "The chain does not hold at event \(broken.sequence): \(broken.reason)")
            } else {
                html.element("p", [("class", "notice")], text: "Verified: every event's hash chains to the one before.")
            }
            html.element("dl", [("class", "facts")]) { html in
                for (name, value) in [
                    ("Events", "\(report.count)"), ("Head", report.head),
                    ("Signed checkpoints that hold", "\(report.checkpoints)"),
                    ("Last signed checkpoint", last ?? "none yet (custody ledger checkpoint)"),
                ] {
                    html.element("dt", text: name)
                    html.element("dd") { html in html.element("code", text: value) }
                }
            }
            html.element(
                "p", [("class", "muted")],
                text:
                    "Checkpoints are checked against the events they sign here; their signatures with the public key: auditors verify it themselves with custody ledger verify --public-key KEY, or GET /api/v1/ledger/verify."
            )
        }
    }
}
