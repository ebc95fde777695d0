import CustodyCore
import CustodyJSON

/// The AWS Security Finding Format: a bare array of findings (Security Hub's import format) or
/// Security Hub's `get-findings` export (`{"Findings": [...]}`, also `findings`). A finding is a
/// check on one resource of one account: (the control - `ProductFields.ControlId` or
/// `Compliance.SecurityControlId` -, else the vulnerability id, else the `GeneratorId`; the first
/// resource's id; the account); entries repeating that key are one finding. Severity is the
/// `Severity.Label` (INFORMATIONAL info); a control that passed (`Compliance.Status` PASSED) or a
/// record Security Hub archived is no problem and is counted as skipped. The resource is the
/// finding's asset, so `cloud` asset rules (an account, or a resource glob) own it.
/// docs/formats.md.
public struct ASFFReader: ReportReader {
    public let format = ReportFormat.asff

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard let first = source.firstRecord(wrappedIn: ["Findings", "findings"]) else { return false }
        return first["SchemaVersion"] != nil && first["AwsAccountId"] != nil
            && (source.rootMembers != nil || first["ProductArn"] != nil)
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        let records = try source.records(wrappedIn: ["Findings", "findings"])
        try emit(.run(tool: "AWS Security Hub", version: nil))
        var seen: Set<String> = []
        var count = 0
        var skipped = 0
        for (place, span) in records {
            let entry = try source.value(span)
            try fields.object(entry, place)
            let account = try fields.required(entry["AwsAccountId"], place + ".AwsAccountId")
            let compliance = try fields.string(entry["Compliance"]?["Status"], place + ".Compliance.Status")
            let state = try fields.string(entry["RecordState"], place + ".RecordState")
            if compliance?.uppercased() == "PASSED" || state?.uppercased() == "ARCHIVED" {
                skipped += 1
                continue
            }
            let resources = try fields.array(entry["Resources"], place + ".Resources")
            guard let resource = resources.first else {
                throw fields.fail(place + ".Resources", "a finding needs a resource")
            }
            let resourceID = try fields.required(resource["Id"], place + ".Resources[0].Id")
            let vulnerability = try fields.array(entry["Vulnerabilities"], place + ".Vulnerabilities").first
            let control =
                try fields.string(entry["ProductFields"]?["ControlId"], place + ".ProductFields.ControlId")
                ?? fields.string(entry["Compliance"]?["SecurityControlId"], place + ".Compliance.SecurityControlId")
            let vulnerabilityID = try fields.string(vulnerability?["Id"], place + ".Vulnerabilities[0].Id")
            let rule = try control ?? vulnerabilityID ?? fields.required(entry["GeneratorId"], place + ".GeneratorId")
            guard seen.insert("\(rule)\u{0}\(resourceID)\u{0}\(account)").inserted else { continue }
            let severity = try fields.severity(entry["Severity"]?["Label"], place + ".Severity.Label")
            let title = try fields.string(entry["Title"], place + ".Title") ?? rule
            let cves = vulnerabilityID.map { [$0.uppercased()] }?.filter { $0.hasPrefix("CVE-") } ?? []
            var finding = NormalizedFinding(
                tool: "AWS Security Hub", toolVersion: nil, ruleID: rule, message: "\(title) (\(resourceID))",
                severity: severity,
                score: try fields.double(
                    vulnerability?["Cvss"]?.array?.first { _ in true }?["BaseScore"], place + ".Cvss"),
                cves: cves)
            finding.ruleName = title
            if let product = try fields.string(entry["ProductName"], place + ".ProductName") {
                finding.message = "\(product): " + finding.message
            }
            finding.vulnerabilityIDs = cves
            let package = try fields.array(vulnerability?["VulnerablePackages"], place + ".VulnerablePackages").first
            finding.package = try fields.string(package?["Name"], place + ".VulnerablePackages[0].Name")
            finding.packageVersion = try fields.string(package?["Version"], place + ".VulnerablePackages[0].Version")
            finding.fixedVersion = try fields.string(
                package?["FixedInVersion"], place + ".VulnerablePackages[0].FixedInVersion")
            finding.place(onResource: resourceID, account: account)
            finding.resourceTags = try fields.tags(resource["Tags"], place + ".Resources[0].Tags")
            try emit(.finding(finding))
            count += 1
        }
        return ReportSummary(
            format: .asff,
            runs: [ToolRun(tool: "AWS Security Hub", version: nil, ruleCount: 0, resultCount: count)],
            skipped: skipped, warnings: [])
    }
}
