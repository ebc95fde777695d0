import CustodyCore
import CustodyStore
import Foundation

extension CustodyService {
    /// Checks every event, hash and link of the chain of custody, and the checkpoint signatures
    /// when a public key (PEM text) is given.
    public func verifyLedger(publicKey: String?) throws(ServiceError) -> Ledger.Report {
        let store = try store()
        return try perform { try store.verifyLedger(publicKey: publicKey) }
    }

    /// ``verifyLedger(publicKey:)`` for a principal: auditors, the security team and the local
    /// operator verify the record; teams and executives do not read it whole.
    public func verifyLedger(publicKey: String?, by principal: Principal) throws(ServiceError) -> Ledger.Report {
        try authorizeLedger(principal, whole: false)
        return try verifyLedger(publicKey: publicKey)
    }

    /// Auditors, the security team and the local operator read the whole ledger; teams and
    /// executives do not.
    /// A unit-scoped one verifies it (the answer names no finding) but may not export it whole.
    func authorizeLedger(_ principal: Principal, whole: Bool = true) throws(ServiceError) {
        guard [.auditor, .security, .administrator].contains(principal.role) else {
            throw ServiceError(
                .forbidden, "\(principal.name) (\(principal.role.rawValue)) may not read the whole ledger")
        }
        guard !whole || principal.units.isEmpty else {
            throw ServiceError(
                .forbidden, "\(principal.name) is scoped to org units and may not read the whole ledger (every team's)")
        }
    }

    /// Streams the chain of custody as JSON Lines (for a SIEM), after a sequence number.
    public func exportLedger(after sequence: Int64, to sink: any ByteSink) throws(ServiceError) -> Int {
        let store = try store()
        var stream = RowStream(format: .jsonl, sink: sink)
        var count = 0
        try perform {
            try store.forEachLedgerEntry(after: sequence) { entry in
                try stream.row(json: { Wire.ledgerEntry(entry, into: &$0) })
                count += 1
            }
            try stream.finish()
        }
        return count
    }

    /// Signs the ledger's head with an Ed25519 key (PEM texts).
    public func checkpoint(privateKey: String, publicKey: String, by principal: Principal) throws(ServiceError) -> (
        sequence: Int64, head: String
    ) {
        try authorizeSecurity(principal, "sign the ledger")
        let store = try store()
        return try perform { try store.checkpoint(privateKey: privateKey, publicKey: publicKey, actor: principal.name) }
    }

    /// Makes an Ed25519 key pair in `directory`: ledger-key.pem (mode 0600) and
    /// ledger-key.pub.pem. Never overwrites a key. Returns the two paths and the key id.
    public static func writeKeyPair(directory: String) throws(ServiceError) -> (
        privatePath: String, publicPath: String, keyID: String
    ) {
        let privatePath = directory + "/ledger-key.pem"
        let publicPath = directory + "/ledger-key.pub.pem"
        guard !FileManager.default.fileExists(atPath: privatePath) else {
            throw ServiceError(.conflict, "already exists; not overwriting a key", file: privatePath)
        }
        do {
            let (privateKey, publicKey) = try Signing.generateKeyPair()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard
                FileManager.default.createFile(
                    atPath: privatePath, contents: Data(privateKey.utf8), attributes: [.posixPermissions: 0o600])
            else { throw ServiceError(.unavailable, "cannot write the private key", file: privatePath) }
            try publicKey.write(toFile: publicPath, atomically: true, encoding: .utf8)
            return (privatePath, publicPath, Signing.keyID(publicKey))
        } catch {
            throw ServiceError.from(error, database: directory)
        }
    }
}
