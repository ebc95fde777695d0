import CustodyCore
import CustodyJSON

/// SPDX 2.2 and 2.3 JSON SBOMs. They list packages, not vulnerabilities: ingesting one records
/// the scan (so the SBOM's arrival is on record) and no findings, and says so in a warning with
/// the number of packages and package URLs it read. Vulnerabilities for those packages come from
/// a scanner's report (Trivy, Grype, OSV-Scanner) or a CycloneDX document with vulnerabilities.
public struct SPDXReader: ReportReader {
    public let format = ReportFormat.spdx

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        source.rootString("spdxVersion")?.hasPrefix("SPDX-2") == true
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        let version = source.rootString("spdxVersion")
        try emit(.run(tool: "SPDX", version: version))
        var packages = 0
        var purls = 0
        for (index, span) in try source.rootArray("packages").enumerated() {
            let package = try source.value(span)
            let at = "$.packages[\(index)]"
            try fields.object(package, at)
            _ = try fields.required(package["name"], at + ".name")
            packages += 1
            for reference in try fields.array(package["externalRefs"], at + ".externalRefs")
            where reference["referenceType"]?.string == "purl" {
                purls += 1
            }
        }
        let note = Diagnostic(
            .warning, file: source.file,
            message:
                "an SPDX SBOM lists packages, not vulnerabilities: \(packages) packages (\(purls) package URLs) read, no findings"
        )
        return ReportSummary(format: .spdx, tool: "SPDX", version: version, findings: 0, warnings: [note])
    }
}
