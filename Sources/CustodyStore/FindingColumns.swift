import CustodyCore

/// The columns of the findings listing, looked up by name once per query, so each row is read
/// by name without a lookup per value.
struct FindingColumns {
    let id, fingerprint, fingerprintBasis, tool, rule, severity, status, repository, path, line: Int32
    let message, cwes, cves, ownerTeam, suppressions, firstSeen, lastSeen: Int32
    let ruleSource, ruleFile, ruleRevision, ruleDialect, ruleLine, rulePattern, ruleSection, ruleHandles: Int32
    let introducedCommit, introducedAuthor, introducedEmail, introducedAt, introducedRelease: Int32
    let introducedTeam, introducedPath, introducedLine, introducerReason: Int32
    let dueAt, kevAdded, escalation, package, packageVersion, vulnerabilityIDs, fixedVersion, cvss, asset: Int32
    let sources, epss, ssvc, ssvcInputs, priority, category, acceptedUntil, approver, justification: Int32

    init(_ statement: any SQLStatement) throws {
        let c = statement.column
        (id, fingerprint, fingerprintBasis, tool) = (
            try c("id"), try c("fingerprint"), try c("fingerprint_basis"), try c("tool")
        )
        (rule, severity, status, repository) = (
            try c("rule_id"), try c("severity"), try c("status"), try c("repository")
        )
        (path, line, message, cwes, cves) = (
            try c("path"), try c("line"), try c("message"), try c("cwes"), try c("cves")
        )
        (ownerTeam, suppressions) = (try c("owner_team"), try c("suppressions"))
        (firstSeen, lastSeen) = (try c("first_seen"), try c("last_seen"))
        (ruleSource, ruleFile, ruleRevision) = (try c("rule_source"), try c("rule_file"), try c("rule_revision"))
        (ruleDialect, ruleLine, rulePattern) = (try c("rule_dialect"), try c("rule_line"), try c("rule_pattern"))
        (ruleSection, ruleHandles) = (try c("rule_section"), try c("rule_handles"))
        (introducedCommit, introducedAuthor) = (try c("introduced_commit"), try c("introduced_author"))
        (introducedEmail, introducedAt) = (try c("introduced_email"), try c("introduced_at"))
        (introducedRelease, introducedTeam) = (try c("introduced_release"), try c("introduced_team"))
        (introducedPath, introducedLine) = (try c("introduced_path"), try c("introduced_line"))
        introducerReason = try c("introducer_reason")
        (dueAt, kevAdded, escalation) = (try c("due_at"), try c("kev_added"), try c("escalation_stage"))
        (package, packageVersion) = (try c("package"), try c("package_version"))
        (vulnerabilityIDs, fixedVersion) = (try c("vulnerability_ids"), try c("fixed_version"))
        (cvss, asset, sources) = (try c("cvss"), try c("asset"), try c("sources"))
        (epss, ssvc, ssvcInputs, priority) = (try c("epss"), try c("ssvc"), try c("ssvc_inputs"), try c("priority"))
        category = try c("category")
        (acceptedUntil, approver) = (try c("risk_accepted_until"), try c("risk_approver"))
        justification = try c("justification")
    }

    func decode(_ row: any SQLRow) -> FindingRow {
        // Lists are split on their UTF-8 bytes as SQLite holds them: no String of the whole.
        func list(_ column: Int32, _ separator: UInt8 = UInt8(ascii: ",")) -> [String] {
            guard let bytes = row.bytes(column), !bytes.isEmpty else { return [] }
            return bytes.split(separator: separator).map {
                String(decoding: UnsafeBufferPointer(rebasing: $0), as: UTF8.self)
            }
        }
        var evidence: OwnerEvidence?
        if let source = row.text(ruleSource) {
            let revision = row.text(ruleRevision) ?? ""
            evidence = OwnerEvidence(
                source: source, file: row.text(ruleFile) ?? "", revision: revision.isEmpty ? nil : revision,
                dialect: row.text(ruleDialect) ?? "", line: Int(row.int(ruleLine)),
                pattern: row.text(rulePattern) ?? "",
                section: row.text(ruleSection), handles: list(ruleHandles))
        }
        var found = FindingRow(
            id: row.int(id), fingerprint: row.text(fingerprint) ?? "",
            fingerprintBasis: row.text(fingerprintBasis) ?? "",
            tool: row.text(tool) ?? "", rule: row.text(rule) ?? "",
            severity: Severity(rawValue: row.text(severity) ?? "") ?? .info,
            status: FindingStatus(rawValue: row.text(status) ?? "") ?? .open, repository: row.text(repository),
            path: row.text(path), line: row.optionalInt(line).map(Int.init), message: row.text(message) ?? "",
            cwes: list(cwes), cves: list(cves), ownerTeam: row.text(ownerTeam), ownerEvidence: evidence,
            suppressed: !(row.text(suppressions) ?? "").isEmpty, firstSeen: row.text(firstSeen) ?? "",
            lastSeen: row.text(lastSeen) ?? "")
        if let commit = row.text(introducedCommit) {
            found.introducer = Introducer(
                commit: commit, author: row.text(introducedAuthor) ?? "", email: row.text(introducedEmail) ?? "",
                authoredAt: row.text(introducedAt) ?? "", release: row.text(introducedRelease),
                team: row.text(introducedTeam), pathThen: row.text(introducedPath) ?? "",
                lineThen: Int(row.int(introducedLine)))
        }
        found.introducerUnknownReason = row.text(introducerReason)
        found.dueAt = row.text(dueAt)
        found.kevAdded = row.text(kevAdded)
        found.escalation = EscalationStage(rawValue: Int(row.int(escalation))) ?? .none
        found.package = row.text(package)
        found.packageVersion = row.text(packageVersion)
        found.vulnerabilityIDs = list(vulnerabilityIDs)
        found.fixedVersion = row.text(fixedVersion)
        found.cvssVectors = list(cvss, UInt8(ascii: " "))
        found.asset = row.text(asset)
        let tools = list(sources)
        found.sources = tools.count > 1 ? tools.sorted() : tools
        found.epss = row.double(epss)
        found.ssvc = row.text(ssvc)
        found.ssvcInputs = row.text(ssvcInputs)
        found.priority = row.double(priority)
        found.category = FindingCategory(rawValue: row.text(category) ?? "") ?? .security
        found.riskAcceptedUntil = row.text(acceptedUntil)
        found.riskApprover = row.text(approver)
        found.justification = row.text(justification)
        return found
    }
}
