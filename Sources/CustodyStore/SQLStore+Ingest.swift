import CustodyCore
import Foundation

extension SQLStore {

    /// Below this many findings in the store, an ingest rebuilds the owner index instead of
    /// updating it row by row (see `ingest`).
    static let bulkLoadBelow: Int64 = 100_000

    /// New findings from which an ingest refreshes the planner's statistics (PostgreSQL).
    static let refreshStatisticsFrom = 10_000

    public func ingest(_ produce: (any IngestSession) throws -> Void) throws -> IngestSummary {
        try locked(retrying: false) {
            let profile = Profile()
            let total = try connection.transaction {
                let lastID = try connection.statement("SELECT coalesce(max(id), 0) FROM findings").rows([]) {
                    $0.int(0)
                }[0]
                // A young store is loaded in bulk: the owner index (team, status) takes its
                // entries in random order, which cost 2 of 13 s for a million new findings;
                // built once at the end it costs a fraction of that. The index is dropped and
                // rebuilt inside this transaction, so a failed ingest leaves it as it was.
                let bulk = lastID < Self.bulkLoadBelow && connection.dialect.rebuildsIndexesAfterBulkLoad
                if bulk {
                    try connection.execute(Schema.bulkLoadIndexes.map(\.drop).joined(separator: "; "))
                }
                let session = try SQLIngestSession(connection: connection)
                try produce(session)
                profile.mark("read and record findings")
                try session.finishScan()
                profile.mark("finish scans (last seen, fixes, events)")
                if bulk {
                    try connection.execute(Schema.bulkLoadIndexes.map(\.create).joined(separator: "; "))
                    profile.mark("rebuild the indexes of a bulk load")
                }
                try enrichNewFindings(after: lastID)
                return session.total
            }
            profile.mark("commit")
            if let refresh = dialect.refreshStatistics, total.new >= Self.refreshStatisticsFrom {
                try connection.execute(refresh)
                profile.mark("refresh the planner's statistics")
            }
            return total
        }
    }
}
