import CustodyCore

/// The findings of a host scanner's CSV export, rows of one (check, host, port/protocol) merged:
/// scanners write a row per CVE, and those rows are one finding with every CVE. Kept in the order
/// first met.
struct HostRows {
    private var order: [String] = []
    private var findings: [String: NormalizedFinding] = [:]

    var count: Int { order.count }

    /// Adds a row's CVEs to the finding of (`check`, `host`, `endpoint`) when there is one (true);
    /// false when the row is a new finding, which the caller then makes and ``add(_:)``s.
    mutating func merge(check: String, host: String, endpoint: String, cves: [String]) -> Bool {
        let key = [check, host, endpoint].joined(separator: "\u{0}")
        guard var known = findings[key] else { return false }
        known.cves += cves.filter { !known.cves.contains($0) }
        known.vulnerabilityIDs = known.cves
        findings[key] = known
        return true
    }

    /// A new finding on `host` at `endpoint`: its identity, asset and CVE ids are set here.
    mutating func add(_ finding: NormalizedFinding, host: String, endpoint: String) {
        var finding = finding
        finding.vulnerabilityIDs = finding.cves
        finding.place(onHost: host, endpoint: endpoint)
        let key = [finding.ruleID, host, endpoint].joined(separator: "\u{0}")
        findings[key] = finding
        order.append(key)
    }

    func emit(_ emit: (ReportItem) throws -> Void) throws {
        for key in order { try emit(.finding(findings[key]!)) }
    }
}
