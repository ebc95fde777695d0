import CustodyCore
import CustodyStore
import Foundation

/// What a store copy did: rows per table, and the ledger as the destination verifies it.
public struct StoreCopy: Sendable {
    public var destination: String
    public var rows: [String: Int]
    public var ledger: Ledger.Report
}

extension CustodyService {
    /// Copies this service's store into the empty store at `destination` (a SQLite file or a
    /// PostgreSQL URL; created and migrated first), then verifies the ledger there: every event
    /// and hash must arrive unchanged. Only a local administrator moves whole databases.
    public func copyStore(to destination: String, by principal: Principal) throws(ServiceError) -> StoreCopy {
        guard principal.role == .administrator else {
            throw ServiceError(
                .forbidden,
                "\(principal.name) (\(principal.role.rawValue)) may not copy the database: an administrator does")
        }
        let store = try store()
        let shown = Self.displayed(destination)
        // What goes wrong is the destination's: it cannot be opened, it is not empty, it has
        // another schema version.
        do {
            let target = try SQLStore(path: destination)
            let summary = try store.copy(into: target)
            return StoreCopy(destination: shown, rows: summary.rows, ledger: try target.verifyLedger())
        } catch {
            throw ServiceError.from(error, database: shown)
        }
    }
}
