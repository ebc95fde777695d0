import CustodyCore
import Foundation

/// What applying VEX statements did.
public struct VEXSummary: Sendable, Equatable {
    public var statements = 0
    /// Statement applications (one event each) and those that changed a finding's status.
    public var applied = 0
    public var changed = 0
    /// Statements older than one already applied to the finding: skipped.
    public var superseded = 0

    public init() {}
}

extension SQLStore {
    /// Applies VEX statements to the dependency findings they are about (same vulnerability by
    /// any alias; same package by package URL, and the same version when the URL names one),
    /// oldest statement first, in one transaction, one `vex.applied` event each. A statement
    /// older than the last one applied to a finding is skipped: later statements win.
    /// not_affected -> false_positive (open work); affected -> reopened (a VEX false positive);
    /// fixed -> fixed (open work); under_investigation: recorded only.
    public func applyVEX(_ statements: [VEXStatement], actor: String, now: Date = Date()) throws -> VEXSummary {
        try locked {
            try connection.transaction {
                var summary = VEXSummary()
                summary.statements = statements.count
                let time = Timestamp.string(now)
                var candidates = try vexCandidates(
                    identifiers: Set(statements.flatMap { $0.vulnerabilityIDs.map { $0.uppercased() } }))
                for statement in statements.enumerated().sorted(by: {
                    ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
                })
                .map(\.element) {
                    let products = statement.products.map {
                        (key: DependencyIdentity.packageKey($0), version: PackageURL.version($0))
                    }
                    var seen = Set<Int64>()
                    for id in statement.vulnerabilityIDs {
                        for finding in candidates.byIdentifier[id.uppercased()] ?? []
                        where seen.insert(finding).inserted {
                            guard let (package, version, statusText, vexAt) = candidates.findings[finding] else {
                                continue
                            }
                            let key = DependencyIdentity.packageKey(package)
                            guard
                                products.contains(where: { product in
                                    product.key == key
                                        && (product.version == nil || version == nil
                                            || DependencyIdentity.sameVersion(product.version!, version!))
                                })
                            else { continue }
                            if let vexAt, vexAt > statement.timestamp {
                                summary.superseded += 1
                                continue
                            }
                            let status = FindingStatus(rawValue: statusText) ?? .open
                            var target = status
                            switch statement.status {
                            case .notAffected where status.isActive: target = .falsePositive
                            case .affected where status == .falsePositive: target = .reopened
                            case .fixed where status.isActive: target = .fixed
                            default: break
                            }
                            try connection.statement(
                                """
                                UPDATE findings SET status = ?, vex_at = ?,
                                    justification = CASE WHEN ? = 'false_positive' THEN ? ELSE justification END,
                                    fixed_at = CASE WHEN ? = 'fixed' THEN ? ELSE fixed_at END
                                WHERE id = ?
                                """
                            ).run([
                                .text(target.rawValue), .text(statement.timestamp), .text(target.rawValue),
                                .text(statement.findingJustification.rawValue), .text(target.rawValue), .text(time),
                                .integer(finding),
                            ])
                            try connection.appendEvent(
                                kind: .vexApplied, findingID: finding, scanID: nil, actor: actor,
                                payload: .object([
                                    ("document", .string(statement.document)),
                                    ("statement_at", .string(statement.timestamp)),
                                    ("vulnerability", .strings(statement.vulnerabilityIDs)),
                                    ("status", .string(statement.status.rawValue)),
                                    ("justification", .optional(statement.justification)),
                                    ("impact", .optional(statement.impact)), ("action", .optional(statement.action)),
                                    ("from", .string(status.rawValue)), ("to", .string(target.rawValue)),
                                ]), at: time)
                            candidates.findings[finding] = (package, version, target.rawValue, statement.timestamp)
                            summary.applied += 1
                            if target != status { summary.changed += 1 }
                        }
                    }
                }
                return summary
            }
        }
    }

    /// The dependency findings of `identifiers` (any alias, upper-cased): which findings each
    /// names, and each finding's package, version, status and last VEX time, read before any
    /// statement is applied (the caller keeps them current). On PostgreSQL 500 identifiers to a
    /// query (`= ANY`), not a round trip each.
    private func vexCandidates(identifiers: Set<String>) throws -> (
        byIdentifier: [String: [Int64]], findings: [Int64: (String, String?, String, String?)]
    ) {
        var byIdentifier: [String: [Int64]] = [:]
        var findings: [Int64: (String, String?, String, String?)] = [:]
        let columns = """
            SELECT i.identifier, f.id, f.package, f.package_version, f.status, f.vex_at
            FROM finding_identifiers i JOIN findings f ON f.id = i.finding_id
            """
        let sorted = identifiers.sorted()
        let (statement, chunk): (any SQLStatement, Int) =
            if let anyOf = connection.dialect.anyOf {
                (
                    try connection.statement(
                        columns + " WHERE \(anyOf("i.identifier", "TEXT")) AND f.package IS NOT NULL"), 500
                )
            } else {
                (try connection.statement(columns + " WHERE i.identifier = ? AND f.package IS NOT NULL"), 1)
            }
        for start in stride(from: 0, to: sorted.count, by: chunk) {
            let part = sorted[start..<min(start + chunk, sorted.count)]
            let value = chunk == 1 ? part.first! : SQLDialect.arrayLiteral(part)
            try statement.forEach([.text(value)]) { row in
                let id = row.int(1)
                byIdentifier[row.text(0) ?? "", default: []].append(id)
                findings[id] = (row.text(2) ?? "", row.text(3), row.text(4) ?? "", row.text(5))
                return true
            }
        }
        // In id order within an identifier, as one query per identifier ordered them.
        for key in byIdentifier.keys { byIdentifier[key]!.sort() }
        return (byIdentifier, findings)
    }
}
