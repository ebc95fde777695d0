import CustodyCore
import CustodyIngest
import CustodyStore
import Foundation

public struct KEVImport: Sendable, Equatable {
    public var catalogVersion: String
    public var summary: KEVImportSummary
}

public struct EPSSImport: Sendable, Equatable {
    public var modelVersion: String?
    public var scoreDate: String?
    public var summary: EPSSImportSummary
}

/// A CVSS vector's scores, or why it is not a vector.
public struct CVSSResult: Sendable, Equatable {
    public var vector: String
    public var score: CVSSScore?
    public var error: String?
}

extension CustodyService {
    /// Imports CISA's KEV catalog: it replaces the stored one; findings it newly lists are
    /// marked and re-dated, one event each.
    public func importKEV(file: String, by principal: Principal, now: Date = Date()) throws(ServiceError) -> KEVImport {
        try authorizeSecurity(principal, "import feeds")
        let store = try store()
        return try perform {
            let catalog = try KEVReader.read(file: file)
            let summary = try store.importKEV(
                catalog, digest: try Self.fileDigest(file),
                rules: DueDateRules(policy: configuration.sla, criticality: configuration.criticality),
                actor: principal.name, now: now)
            return KEVImport(catalogVersion: catalog.version, summary: summary)
        }
    }

    /// Imports FIRST's EPSS scores (CSV, gzip accepted).
    public func importEPSS(file: String, by principal: Principal) throws(ServiceError) -> EPSSImport {
        try authorizeSecurity(principal, "import feeds")
        let store = try store()
        return try perform {
            let feed = try EPSSReader.read(file: file)
            let summary = try store.importEPSS(
                feed.scores, version: feed.modelVersion ?? "unknown", released: feed.scoreDate,
                digest: try Self.fileDigest(file), actor: principal.name)
            return EPSSImport(modelVersion: feed.modelVersion, scoreDate: feed.scoreDate, summary: summary)
        }
    }

    /// Decides SSVC for open work and returns the first findings in priority order.
    public func priority(team: String?, limit: Int) throws(ServiceError) -> [PriorityRow] {
        let store = try store()
        return try perform { try store.prioritize(criticality: configuration.criticality, team: team, limit: limit) }
    }

    /// Scores CVSS v3.0, v3.1 and v4.0 vectors (no database needed).
    public static func scoreCVSS(_ vectors: [String]) -> [CVSSResult] {
        vectors.map { vector in
            do {
                return CVSSResult(vector: vector, score: try CVSS.score(vector))
            } catch {
                return CVSSResult(vector: vector, error: "\(error)")
            }
        }
    }

    /// The SHA-256 of a feed file as imported, recorded with the import.
    static func fileDigest(_ file: String) throws -> String {
        var digest = SHA256()
        digest.update(try Data(contentsOf: URL(fileURLWithPath: file)))
        return SHA256.hexString(digest.finalize())
    }
}
