import CustodyCore
import CustodyXML
import Foundation

/// Greenbone / OpenVAS report XML (GMP's `<report>`, report format a994b278...): each `result`
/// of the report's `results`. A finding is identified by (NVT OID, host, port/protocol): the host
/// by its asset id when the report gives one, else its host name, else its IP. Severity is the
/// result's `severity` score in CVSS bands (0 info, below 4 low, below 7 medium, below 9 high,
/// else critical); CVEs from the NVT's `refs`. The host is the finding's asset. docs/formats.md.
public struct OpenVASReader: ReportReader {
    public let format = ReportFormat.openvas

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        source.hasXMLRoot("report") || source.hasXMLRoot("get_reports_response")
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        // GMP wraps the report in a report of the same name, and a GMP response wraps that.
        var report = try source.xmlRoot("report", "get_reports_response", of: "OpenVAS")
        while let inner = report.child("report") { report = inner }
        guard let results = report.child("results") else {
            throw Diagnostic(
                file: source.file, place: "line \(report.line)",
                message: "not an OpenVAS report: <report> holds no <results>")
        }
        let started = report.text(of: "scan_start").flatMap(Timestamp.normalize).flatMap(Timestamp.date)
        try emit(.run(tool: "OpenVAS", version: nil, startedAt: started))
        var count = 0
        for result in results.children("result") {
            try emit(.finding(try Self.finding(result, file: source.file)))
            count += 1
        }
        return ReportSummary(format: .openvas, tool: "OpenVAS", version: nil, findings: count)
    }

    static func finding(_ result: XMLElement, file: String) throws -> NormalizedFinding {
        let place = "line \(result.line)"
        guard let nvt = result.child("nvt"), let oid = nvt.attributes["oid"], !oid.isEmpty else {
            throw Diagnostic(file: file, place: place, message: "a result needs an <nvt> with an oid")
        }
        guard let host = result.child("host"), let identity = Self.hostIdentity(host) else {
            throw Diagnostic(file: file, place: place, message: "a result needs a <host>")
        }
        let scoreText = result.text(of: "severity") ?? nvt.text(of: "cvss_base") ?? "0"
        guard let score = Double(scoreText), (0...10).contains(score) else {
            throw Diagnostic(file: file, place: place, message: "severity '\(scoreText)' is not a score from 0 to 10")
        }
        let severity = Severity(score: score)
        let name = nvt.text(of: "name") ?? result.text(of: "name") ?? "NVT \(oid)"
        let references = nvt.child("refs")?.children("ref") ?? []
        let cves =
            (references.filter { $0.attributes["type"]?.lowercased() == "cve" }.compactMap { $0.attributes["id"] }
            + (nvt.text(of: "cve").map { $0.split(separator: ",").map(String.init) } ?? []))
            .map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { $0.hasPrefix("CVE-") }
        let port = result.text(of: "port") ?? "general/tcp"
        var finding = NormalizedFinding(
            tool: "OpenVAS", toolVersion: nil, ruleID: oid, message: name, severity: severity, score: score,
            cves: Array(Set(cves)).sorted(), path: nil)
        finding.ruleName = name
        finding.vulnerabilityIDs = finding.cves
        finding.place(onHost: identity, endpoint: port.lowercased())
        return finding
    }

    /// The host's identity: its asset id, else its host name, else its address.
    static func hostIdentity(_ host: XMLElement) -> String? {
        let candidates = [
            host.child("asset")?.attributes["asset_id"], host.text(of: "hostname"),
            host.text.trimmingCharacters(in: .whitespacesAndNewlines),
        ]
        return candidates.lazy.compactMap { $0 }.first { !$0.isEmpty }?.lowercased()
    }
}
