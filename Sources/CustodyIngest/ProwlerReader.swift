import CustodyCore
import CustodyJSON

/// Prowler's JSON: v3's array of checks (`CheckID`, `Status`, `ResourceArn`, `AccountId`) and
/// v4/v5's OCSF Detection Findings (`metadata.event_code`, `status_code`, `resources[].uid`,
/// `cloud.account.uid`). A check that failed on a resource is a finding identified by (check,
/// resource, account); what passed, is manual or informational, or was suppressed in Prowler,
/// is counted as skipped. Severity is the check's; the resource is the finding's asset and its
/// tags (v3 `ResourceTags`, OCSF `labels` written `key=value`) the finding's resource tags, so
/// `cloud` and `tag` asset rules own it. docs/formats.md.
public struct ProwlerReader: ReportReader {
    public let format = ReportFormat.prowler

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard let first = source.firstArrayElement() else { return false }
        if first["CheckID"] != nil, first["Provider"] != nil, first["Status"] != nil { return true }
        return first["metadata"]?["event_code"] != nil && first["status_code"] != nil && first["finding_info"] != nil
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let fields = Fields(file: source.file)
        var version: String?
        var seen: Set<String> = []
        var count = 0
        var skipped = 0
        var started = false
        for (place, span) in try source.records() {
            let record = try source.value(span)
            try fields.object(record, place)
            let ocsf = record["CheckID"] == nil
            if !started {
                version =
                    ocsf ? try fields.string(record["metadata"]?["product"]?["version"], place + ".metadata") : nil
                try emit(.run(tool: "Prowler", version: version))
                started = true
            }
            guard var finding = try ocsf ? Self.ocsf(record, place, fields) : Self.classic(record, place, fields) else {
                skipped += 1
                continue
            }
            finding.toolVersion = version
            let key = [finding.ruleID, finding.asset ?? "", finding.toolFingerprints["account"] ?? ""]
            guard seen.insert(key.joined(separator: "\u{0}")).inserted else { continue }
            try emit(.finding(finding))
            count += 1
        }
        if !started { try emit(.run(tool: "Prowler", version: nil)) }
        return ReportSummary(
            format: .prowler, runs: [ToolRun(tool: "Prowler", version: version, ruleCount: 0, resultCount: count)],
            skipped: skipped, warnings: [])
    }

    /// A v3 record, or nil when it did not fail.
    static func classic(_ record: JSONValue, _ place: String, _ fields: Fields) throws -> NormalizedFinding? {
        guard try fields.required(record["Status"], place + ".Status").uppercased() == "FAIL" else { return nil }
        let check = try fields.required(record["CheckID"], place + ".CheckID")
        let account = try fields.string(record["AccountId"], place + ".AccountId") ?? ""
        let resource =
            try fields.string(record["ResourceArn"], place + ".ResourceArn").flatMap { $0.isEmpty ? nil : $0 }
            ?? fields.string(record["ResourceId"], place + ".ResourceId") ?? account
        var finding = try Self.finding(
            check: check, title: fields.string(record["CheckTitle"], place + ".CheckTitle"),
            detail: fields.string(record["StatusExtended"], place + ".StatusExtended"),
            severity: fields.severity(record["Severity"], place + ".Severity"), resource: resource, account: account)
        finding.resourceTags = try fields.tags(record["ResourceTags"], place + ".ResourceTags")
        return finding
    }

    /// An OCSF record, or nil when it did not fail or was suppressed.
    static func ocsf(_ record: JSONValue, _ place: String, _ fields: Fields) throws -> NormalizedFinding? {
        guard try fields.required(record["status_code"], place + ".status_code").uppercased() == "FAIL",
            try fields.string(record["status"], place + ".status")?.lowercased() != "suppressed"
        else { return nil }
        let check = try fields.required(record["metadata"]?["event_code"], place + ".metadata.event_code")
        let resource = try fields.array(record["resources"], place + ".resources").first
        let account = try fields.string(record["cloud"]?["account"]?["uid"], place + ".cloud.account.uid") ?? ""
        let uid = try fields.string(resource?["uid"], place + ".resources[0].uid") ?? account
        var finding = try Self.finding(
            check: check, title: fields.string(record["finding_info"]?["title"], place + ".finding_info.title"),
            detail: fields.string(record["status_detail"], place + ".status_detail"),
            severity: fields.severity(record["severity"], place + ".severity"), resource: uid,
            account: account)
        for label in try fields.strings(resource?["labels"], place + ".resources[0].labels") {
            guard let equals = label.firstIndex(of: "=") else { continue }
            finding.resourceTags[String(label[..<equals])] = String(label[label.index(after: equals)...])
        }
        return finding
    }

    static func finding(
        check: String, title: String?, detail: String?, severity: Severity, resource: String, account: String
    ) -> NormalizedFinding {
        var finding = NormalizedFinding(
            tool: "Prowler", ruleID: check, message: detail.flatMap { $0.isEmpty ? nil : $0 } ?? title ?? check,
            severity: severity)
        finding.ruleName = title ?? check
        finding.place(onResource: resource, account: account)
        return finding
    }
}
