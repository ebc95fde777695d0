import CustodyCore
import CustodyNotify
import CustodyStore

// The wire format of every entity but the finding (Wire+Finding.swift).
extension Wire {
    public static func team(_ team: Team) -> JSONText.Value {
        .object([
            ("id", .string(team.id)), ("name", .string(team.name)), ("unit", .optional(team.unitID)),
            ("lead", .optional(team.lead)), ("handles", .strings(team.handles)),
        ])
    }

    public static func unit(_ unit: OrgUnit) -> JSONText.Value {
        .object([
            ("id", .string(unit.id)), ("name", .string(unit.name)), ("parent", .optional(unit.parentID)),
            ("head", .optional(unit.head)),
        ])
    }

    public static func organisationImport(_ result: OrganisationImport) -> JSONText.Value {
        .object([
            ("units", .int(Int64(result.units))), ("teams", .int(Int64(result.teams))),
            ("asset_rules", .int(Int64(result.assetRules))), ("source", .string(result.source)),
            ("warnings", .strings(result.warnings)),
        ])
    }

    /// An ingest's summary; `ownershipMap` says where its CODEOWNERS came from.
    public static func ingestSummary(
        _ s: IngestSummary, warnings: [String] = [], ownershipMap: OwnershipMapSource? = nil
    ) -> JSONText.Value {
        .object([
            ("findings", .int(Int64(s.findings))), ("new", .int(Int64(s.new))), ("seen", .int(Int64(s.seen))),
            ("fixed", .int(Int64(s.fixed))), ("reopened", .int(Int64(s.reopened))),
            ("unowned", .int(Int64(s.unowned))), ("reowned", .int(Int64(s.reowned))),
            ("scans", .array(s.scanIDs.map { .int($0) })), ("warnings", .strings(warnings)),
            ("ownership_map", .optional(ownershipMap?.rawValue)),
        ])
    }

    public static func scan(_ scan: ScanRow) -> JSONText.Value {
        .object([
            ("id", .int(scan.id)), ("tool", .string(scan.tool)), ("tool_version", .optional(scan.toolVersion)),
            ("format", .string(scan.format)), ("source_file", .string(scan.sourceFile)),
            ("repository", .optional(scan.repository)), ("branch", .optional(scan.branch)),
            ("commit", .optional(scan.commit)), ("scope", .string(scan.scope)), ("uploader", .string(scan.uploader)),
            ("started_at", .string(scan.startedAt)), ("findings", .int(Int64(scan.findings))),
            ("release", .optional(scan.release)),
        ])
    }

    public static func repository(_ row: RepositoryRow) -> JSONText.Value {
        .object([
            ("name", .string(row.name)), ("path", .string(row.path)), ("added_at", .string(row.addedAt)),
            ("added_by", .string(row.addedBy)),
        ])
    }

    /// An API token's record: never the token or its hash.
    public static func token(_ row: TokenRow) -> JSONText.Value {
        .object([
            ("name", .string(row.name)), ("role", .string(row.role)), ("teams", .strings(row.teams)),
            ("units", .strings(row.units)),
            ("created_at", .string(row.createdAt)), ("created_by", .string(row.createdBy)),
            ("expires_at", .optional(row.expiresAt)), ("last_used_at", .optional(row.lastUsedAt)),
            ("revoked_at", .optional(row.revokedAt)),
        ])
    }

    public static func vexSummary(_ s: VEXSummary) -> JSONText.Value {
        .object([
            ("statements", .int(Int64(s.statements))), ("applied", .int(Int64(s.applied))),
            ("changed", .int(Int64(s.changed))), ("superseded", .int(Int64(s.superseded))),
        ])
    }

    public static func teamSummary(_ row: TeamSummary) -> JSONText.Value {
        .object([
            ("team", .optional(row.team)), ("open", .int(Int64(row.open))), ("critical", .int(Int64(row.critical))),
            ("high", .int(Int64(row.high))), ("medium", .int(Int64(row.medium))), ("low", .int(Int64(row.low))),
            ("fixed", .int(Int64(row.fixed))),
        ])
    }

    public static func explanation(_ e: OwnershipExplanation) -> JSONText.Value {
        let evidence =
            e.finding.ownerEvidence.map {
                Wire.evidence(
                    $0, extra: [("claimed_handle", .optional(e.claimedHandle)), ("precedence", .string(e.precedence))])
            } ?? .null
        return .object([
            ("id", .int(e.finding.id)), ("path", .optional(e.finding.path)),
            ("owner_team", .optional(e.finding.ownerTeam)),
            ("reason", .string(e.reason)), ("owner_evidence", evidence),
        ])
    }

    public static func ownerSpan(_ span: OwnerSpan) -> JSONText.Value {
        .object([
            ("from", .string(span.from)), ("team", .optional(span.team)), ("reason", .string(span.reason)),
            ("actor", .string(span.actor)),
        ])
    }

    public static func pathOwners(_ owners: PathOwners) -> JSONText.Value {
        .object([("path", .string(owners.path)), ("owners", .strings(owners.owners)), ("line", .optional(owners.line))])
    }

    public static func unownedGroup(_ group: UnownedGroup) -> JSONText.Value {
        .object([
            ("repository", .optional(group.repository)), ("directory", .optional(group.directory)),
            ("findings", .array(group.findingIDs.map { .int($0) })), ("critical", .int(Int64(group.critical))),
            ("high", .int(Int64(group.high))), ("medium", .int(Int64(group.medium))), ("low", .int(Int64(group.low))),
            ("oldest_age_days", .int(Int64(group.oldestAgeDays))), ("ages", .array(group.ages.map { .int(Int64($0)) })),
            (
                "suggestions",
                .array(
                    group.suggestions.map {
                        .object([
                            ("team", .string($0.team)), ("basis", .string($0.basis.rawValue)),
                            ("near", .string($0.near)),
                            ("findings", .int(Int64($0.findings))), ("introduced_by", .strings($0.introducedBy)),
                        ])
                    })
            ),
        ])
    }

    public static func transition(_ response: TransitionResponse) -> JSONText.Value {
        .object([
            ("status", .string(response.target.rawValue)), ("changed", .array(response.changed.map { .int($0) })),
            (
                "refused",
                .array(response.refused.map { .object([("id", .int($0.id)), ("reason", .string($0.reason))]) })
            ),
        ])
    }

    public static func transfer(_ request: TransferRequest) -> JSONText.Value {
        .object([
            ("id", .int(request.id)), ("finding", .int(request.findingID)), ("from", .optional(request.fromTeam)),
            ("to", .string(request.toTeam)), ("reason", .string(request.reason)),
            ("requested_by", .string(request.requestedBy)), ("requested_at", .string(request.requestedAt)),
            ("state", .string(request.state.rawValue)), ("decided_by", .optional(request.decidedBy)),
            ("decision", .optional(request.decision)),
        ])
    }

    public static func timelineEntry(_ entry: TimelineEntry) -> JSONText.Value {
        .object([("at", .string(entry.at)), ("what", .string(entry.what)), ("who", .string(entry.who))])
    }

    public static func priority(_ row: PriorityRow) -> JSONText.Value {
        .object([
            ("id", .int(row.id)), ("priority", .double(row.priority)), ("ssvc", .string(row.decision)),
            ("ssvc_inputs", .string(row.inputs)), ("severity", .string(row.severity)), ("kev", .bool(row.kev)),
            ("epss", .optional(row.epss)), ("owner_team", .optional(row.team)), ("rule", .string(row.rule)),
            ("repository", .optional(row.repository)), ("path", .optional(row.path)), ("line", .optional(row.line)),
        ])
    }

    public static func kevImport(_ result: KEVImport) -> JSONText.Value {
        .object([
            ("catalog", .string(result.catalogVersion)), ("entries", .int(Int64(result.summary.entries))),
            ("new_entries", .int(Int64(result.summary.newEntries))), ("findings", .int(Int64(result.summary.findings))),
            ("due_changed", .int(Int64(result.summary.dueChanged))),
        ])
    }

    public static func epssImport(_ result: EPSSImport) -> JSONText.Value {
        .object([
            ("model_version", .optional(result.modelVersion)), ("score_date", .optional(result.scoreDate)),
            ("scores", .int(Int64(result.summary.scores))), ("findings", .int(Int64(result.summary.findings))),
        ])
    }

    public static func cvss(_ result: CVSSResult) -> JSONText.Value {
        guard let score = result.score else {
            return .object([("vector", .string(result.vector)), ("error", .optional(result.error))])
        }
        return .object([
            ("vector", .string(result.vector)), ("version", .string(score.version)), ("base", .double(score.base)),
            ("temporal", .optional(score.temporal)), ("environmental", .optional(score.environmental)),
            ("severity", .string(score.severity.rawValue)),
        ])
    }

    public static func ledgerReport(_ report: Ledger.Report) -> JSONText.Value {
        .object([
            ("ok", .bool(report.broken == nil)), ("events", .int(Int64(report.count))), ("head", .string(report.head)),
            ("checkpoints", .int(Int64(report.checkpoints))), ("broken_at", .optional(report.broken?.sequence)),
            ("reason", .optional(report.broken?.reason)),
            (
                "last_checkpoint",
                report.lastCheckpoint.map {
                    .object([("sequence", .int($0.sequence)), ("at", .string($0.at)), ("key_id", .string($0.keyID))])
                } ?? .null
            ),
        ])
    }

    /// An event of the chain of custody as exported: its payload is the exact text that was hashed.
    public static func ledgerEntry(_ entry: Ledger.Entry, into out: inout JSONWriter) {
        out.beginObject()
        out.field("seq", entry.sequence)
        out.field("at", entry.at)
        out.field("kind", entry.kind)
        out.field("finding", entry.findingID.map(Int.init))
        out.field("scan", entry.scanID.map(Int.init))
        out.field("actor", entry.actor)
        out.field("payload", .raw(entry.payload))
        out.field("prev", entry.previousHash)
        out.field("hash", entry.hash)
        out.endObject()
    }

    public static func notifyReport(_ report: Notifier.Report) -> JSONText.Value {
        .object([
            ("planned", .int(Int64(report.planned))), ("delivered", .int(Int64(report.delivered))),
            ("retrying", .int(Int64(report.retrying))), ("failed", .int(Int64(report.failed))),
            ("problems", .strings(report.problems)),
        ])
    }

    public static func delivery(_ row: DeliveryRow) -> JSONText.Value {
        .object([
            ("id", .int(row.id)), ("sink", .string(row.sink)), ("kind", .string(row.kind)), ("key", .string(row.key)),
            ("state", .string(row.state)), ("attempts", .int(Int64(row.attempts))),
            ("next_attempt_at", .string(row.nextAttempt)), ("last_error", .optional(row.lastError)),
            ("delivered_at", .optional(row.deliveredAt)),
        ])
    }

    /// Any service error, as the API and `--json` failures report it.
    public static func error(_ error: ServiceError) -> JSONText.Value {
        .object([
            ("error", .string(error.kind.rawValue)), ("message", .string(error.message)),
            ("file", .optional(error.file)), ("place", .optional(error.place)),
        ])
    }
}
